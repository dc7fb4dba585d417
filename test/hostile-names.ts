// Names that try to become code or markup where a generator embeds them: each ends a line, a comment, a string,
// a template or a <script> if it is pasted raw, and then sets the sentinel globalThis.PWNED.

/** What each name runs if it escapes: the sentinel a test checks stays unset. */
export const PAYLOAD = 'globalThis.PWNED=1';

const chunk = `\n${PAYLOAD};//\u2028\${${PAYLOAD}}\`*/"'\\<!--</script>`;

/** [what it tries, the name]: used as module, feature, category, class, target and file names. */
export const HOSTILE: readonly (readonly [string, string])[] = [
  ['newline', `m\n${PAYLOAD};//`],
  ['carriage return', `m\r${PAYLOAD};//`],
  ['U+2028', `m\u2028${PAYLOAD};//`],
  ['U+2029', `m\u2029${PAYLOAD};//`],
  ['${…}', `m\${(${PAYLOAD})}`],
  ['backtick', `m\`;${PAYLOAD};\``],
  ['double quote', `m";${PAYLOAD};"`],
  ['single quote', `m';${PAYLOAD};'`],
  ['*/', `m*/${PAYLOAD};/*`],
  ['</script>', `</script><script>${PAYLOAD}</script>`],
  ['<!--', `<!--${PAYLOAD}-->`],
  ['backslashes', `m\\";${PAYLOAD};//\\`],
  ['\\u escape as text', `\\u0022;${PAYLOAD};//`],
  ['lone surrogates', '\ud800lone\udfff'],
  ['control characters', 'bell\u0007\u001b[2J\u0000'],
  ['markup', '<img src=x onerror="globalThis.PWNED=1">&amp;'],
  // The ONNX graph's own value names: a feature so named must not redefine an output or feed over a weight.
  ['ONNX output label', 'label'],
  ['ONNX output probabilities', 'probabilities'],
  ['ONNX weight', 'layer1.weight'],
  ['ONNX constant', 'one'],
  ['10 KB', chunk.repeat(Math.ceil(10_000 / chunk.length)).slice(0, 10_000)],
];

export const HOSTILE_NAMES: readonly string[] = HOSTILE.map(([, name]) => name);
