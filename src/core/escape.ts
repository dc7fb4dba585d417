// The one way text from outside (a column, class, target, file or module name) enters generated code or markup.
// It sits in core, with no imports, so the library's exports, the CLI and the playground all escape the same way.

/**
 * Characters JSON.stringify leaves as they are that could still end something around the literal: U+2028 and
 * U+2029 end a line (and so a `//` comment), `*\/` ends a block comment, `<` starts `</script>` or `<!--` when the
 * code sits inside an HTML page. The bidirectional controls (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069)
 * end nothing, but they reorder how the line is shown, so code could read otherwise than it runs ("Trojan
 * Source"): they are written as \u escapes too.
 */
const AFTER_JSON = /[\u2028\u2029<\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\*\//g;
const ESCAPED = (c: string): string => (c === '*/' ? '*\\/' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * A value from outside as a JavaScript (and TypeScript, and JSON) literal: a string becomes a double-quoted string
 * literal, an array or record its JSON. Nothing in the text can end the literal, a line, a comment or a `<script>`
 * element: JSON.stringify escapes quotes, backslashes, control characters and lone surrogates, and the characters
 * it leaves raw that could end something else are escaped too. A plain name comes out as itself in quotes.
 */
export function jsLiteral(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`jsLiteral: ${typeof value} has no literal`);
  // Outside its strings JSON holds only punctuation, digits and keywords, so these matches are all inside strings.
  return json.replace(AFTER_JSON, ESCAPED);
}

/**
 * Text from outside for a `//` or `/* *\/` comment in generated code: the inside of its literal (so line
 * terminators show as \n, \r, \u2028, \u2029 and `*\/` as `*\/` with a backslash), cut to `max` characters.
 * A plain name comes out as itself.
 */
export function jsComment(text: string, max = 200): string {
  return jsLiteral(text.length > max ? text.slice(0, max) + '…' : text).slice(1, -1);
}

/** Characters XML 1.0 does not allow at all (C0 controls other than tab and line breaks, U+FFFE, U+FFFF, lone surrogates). */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text from outside as markup (HTML, SVG or XML), for an element's content or a quoted attribute: `& < > " '`
 * become entities, and a character XML cannot hold becomes U+FFFD, so an SVG file stays well-formed.
 */
export function markupText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITY[c]).replace(NOT_XML, '\ufffd');
}

/**
 * Text from outside as one word of a POSIX shell command line (the flags `tune` prints for `train`): as it is where
 * it holds only letters, digits and `_ . , : / = + -` (and does not start with `-`), else in single quotes, inside
 * which the shell takes every character as written; a quote itself is closed, escaped and reopened ('\'').
 */
export function shellWord(text: string): string {
  return /^[\w.,:/=+][\w.,:/=+-]*$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
