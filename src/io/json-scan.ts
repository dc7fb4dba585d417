// A JSON text checked as it goes by, before anything is parsed: its syntax (so the parser never gets to quote a file
// that is not JSON), how deep it nests, how long its strings and numbers run, and how many items each list holds
// against bounds that the caller sets as it learns them (a model file's lists are as long as its network says). It
// keeps counters and the path to the current value, never the values: its memory does not grow with the text.
import { BackpropError } from '../core/errors.js';

/** A step of a path into the document: a member's name or a list's index. */
export type PathPart = string | number;

/** A bound on a list: at most `max` items, `why` said in the message; items of lists sharing a `pool` count together. */
export interface ListBound {
  max: number;
  why: string;
  pool?: { items: number; max: number; why: string };
}

export interface ScanHooks {
  /** The bound on the list at `path`, if the caller has one. */
  list?(path: readonly PathPart[]): ListBound | undefined;
  /** Top-level members whose text the caller wants as soon as it ends (at most 1 MiB each). */
  capture?: readonly string[];
  /** A captured member's text; the caller may set bounds on what follows (JsonScan's limitValues). */
  captured?(key: string, text: string): void;
}

/** Deepest nesting: a model file nests five deep. */
const MAX_DEPTH = 32;
/** Longest string, in characters as written: a name of 10 000 characters, each escaped as \uXXXX. */
const MAX_STRING = 60_000;
/** Longest number as written: JavaScript writes any double in 25 characters; hand-written ones get room. */
const MAX_NUMBER = 400;
/** Longest member name kept for the path (longer ones match no bound). */
const MAX_KEY = 64;
const MAX_CAPTURE = 1 << 20;

// What comes next.
const VALUE = 0, VALUE_OR_END = 1, KEY_OR_END = 2, KEY = 3, COLON = 4, AFTER = 5, STRING = 6, NUMBER = 7, LITERAL = 8, DONE = 9;
// Where a number is: after '-', after a leading 0, in the integer digits, after '.', in the fraction, after e, after its sign, in the exponent.
const N_SIGN = 0, N_ZERO = 1, N_INT = 2, N_DOT = 3, N_FRAC = 4, N_E = 5, N_E_SIGN = 6, N_EXP = 7;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * Where a number that starts at `i` ends: the index just past it, -1 if it breaks JSON's grammar, or text.length when
 * it reaches the end of the piece (and may go on in the next). The common case, in one tight loop.
 */
function numberEnd(text: string, i: number): number {
  const n = text.length;
  let j = i, c = text.charCodeAt(j);
  if (c === 45) c = text.charCodeAt(++j);
  if (c === 48) c = text.charCodeAt(++j);
  else if (c >= 49 && c <= 57) do c = text.charCodeAt(++j); while (c >= 48 && c <= 57);
  else return j >= n ? n : -1;
  if (c === 46) {
    c = text.charCodeAt(++j);
    if (!(c >= 48 && c <= 57)) return j >= n ? n : -1;
    do c = text.charCodeAt(++j); while (c >= 48 && c <= 57);
  }
  if (c === 101 || c === 69) {
    c = text.charCodeAt(++j);
    if (c === 43 || c === 45) c = text.charCodeAt(++j);
    if (!(c >= 48 && c <= 57)) return j >= n ? n : -1;
    do c = text.charCodeAt(++j); while (c >= 48 && c <= 57);
  }
  if (j >= n) return n;
  return c >= 48 && c <= 57 ? -1 : j; // a digit here follows a leading 0 ("01")
}

/** Where a string whose text starts at `i` (past its quote) ends: the index of its closing quote, or -1 where it has an escape, a control character or no end in this piece. */
function plainStringEnd(text: string, i: number, most: number): number {
  const n = Math.min(text.length, i + most + 1);
  for (let j = i; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === 34) return j;
    if (c === 92 || c < 32) return -1;
  }
  return -1;
}

export class JsonScan {
  private state = VALUE;
  /** Per open container: 1 for an object, 0 for a list; its items so far; its bound; its current member's name. */
  private readonly objects: number[] = [];
  private readonly counts: number[] = [];
  private readonly bounds: (ListBound | undefined)[] = [];
  private readonly keys: string[] = [];
  private key = '';
  private keyLength = 0;
  private isKey = false;
  private escape = 0;
  /** Characters of the string or number being read. */
  private run = 0;
  private numberState = 0;
  private literal = '';
  private literalAt = 0;
  private values = 0;
  private mostValues = Infinity;
  /** Where the piece being fed starts, and where the current line starts, in characters from the document's start. */
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  /** The first characters, to say what a file that is not JSON is. */
  private head = '';
  /** A top-level member being captured: its name, the text of earlier pieces, and where it starts in this piece. */
  private capturing: { key: string; parts: string[]; length: number; from: number } | null = null;

  constructor(private readonly fail: (message: string, kind: 'syntax' | 'size', head: string) => never, private readonly hooks: ScanHooks = {}) {}

  /** From now on, the document may hold at most `most` values in all (those so far included). */
  limitValues(most: number): void {
    this.mostValues = most;
    if (this.values > most) this.tooLarge(`more values than a model of this network holds (${most})`);
  }

  /** The next piece of the text. */
  feed(text: string): void {
    if (this.head.length < 512) this.head += text.slice(0, 512 - this.head.length);
    if (this.capturing) this.capturing.from = 0;
    const n = text.length;
    // A byte-order mark is no part of the JSON: other tools skip it, and so does this one.
    let i = this.offset === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      const state = this.state;
      if (state === STRING || state === NUMBER || state === LITERAL) {
        this.stepInside(c, text, i);
        i++;
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        if (c === 10) {
          this.line++;
          this.lineStart = this.offset + i + 1;
        }
        i++;
        continue;
      }
      if (state === AFTER && c === 44) {
        this.state = this.objects[this.objects.length - 1] === 1 ? KEY : VALUE;
        i++;
        continue;
      }
      if (state === VALUE || (state === VALUE_OR_END && c !== 93)) {
        this.count(text, i);
        if (c === 45 || (c >= 48 && c <= 57)) {
          const end = numberEnd(text, i);
          if (end < 0) this.syntax(text, i, 'a number that breaks JSON\'s rules');
          if (end - i > MAX_NUMBER) this.tooLarge(`a number written in more than ${MAX_NUMBER} characters`);
          if (end < n) {
            this.valueEnded();
            i = end;
            continue;
          }
          this.state = NUMBER; // to the end of this piece, and perhaps beyond: character by character
          this.numberState = c === 45 ? N_SIGN : c === 48 ? N_ZERO : N_INT;
          this.run = 1;
          i++;
          continue;
        }
        if (c === 34) {
          const end = plainStringEnd(text, i + 1, MAX_STRING);
          if (end >= 0) {
            this.valueEnded();
            i = end + 1;
            continue;
          }
          this.state = STRING;
          this.isKey = false;
          this.escape = this.run = 0;
          i++;
          continue;
        }
        this.open(c, text, i);
        i++;
        continue;
      }
      this.stepBetween(c, text, i);
      i++;
    }
    if (this.capturing) this.keep(text.slice(this.capturing.from));
    this.offset += n;
  }

  /** The end of the text: a document must be complete. */
  end(): void {
    if (this.state === NUMBER) this.endNumber('', 0);
    if (this.state !== DONE) this.syntax('', 0, this.values === 0 ? 'no value' : 'the text ends before the JSON does (the file is cut short)');
  }

  private syntax(_text: string, i: number, what: string): never {
    // Outside any object or list, the text was never JSON (a CSV file of numbers starts like a number, say).
    if (this.objects.length === 0 && this.state !== STRING) return this.fail('it is text, but not JSON (a model file starts with "{")', 'syntax', this.head);
    return this.fail(`the JSON is invalid at line ${this.line}, column ${this.offset + i - this.lineStart + 1}: ${what}`, 'syntax', this.head);
  }

  /** The path to the value being read: a member's name or a list's index per open container. */
  private path(): PathPart[] {
    return this.objects.map((o, d) => (o === 1 ? this.keys[d] : this.counts[d] - 1));
  }

  /** A size error at the value being read, or (`list`) at the list it would be an item of. */
  private tooLarge(what: string, list = false): never {
    let where = '';
    for (const p of list ? this.path().slice(0, -1) : this.path()) where += typeof p === 'number' ? `[${p}]` : where === '' ? p : `.${p}`;
    return this.fail(`${where || 'the document'}: ${what}`, 'size', this.head);
  }

  private keep(piece: string): void {
    const capture = this.capturing!;
    capture.length += piece.length;
    if (capture.length > MAX_CAPTURE) this.capturing = null;
    else capture.parts.push(piece);
  }

  /** A character inside a string, a number or a literal that runs past a piece's end (or holds escapes). */
  private stepInside(c: number, text: string, i: number): void {
    if (this.state === STRING) {
      if (++this.run > MAX_STRING) this.tooLarge(`a string of more than ${MAX_STRING} characters, longer than any in a model file`);
      if (this.escape === 1) {
        if (c === 117) this.escape = 2; // \u, then four hexadecimal digits
        else if (c === 34 || c === 92 || c === 47 || c === 98 || c === 102 || c === 110 || c === 114 || c === 116) this.escape = 0;
        else this.syntax(text, i, 'an unknown escape in a string');
      } else if (this.escape >= 2) {
        if (!isHex(c)) this.syntax(text, i, '\\u needs four hexadecimal digits');
        this.escape = this.escape === 5 ? 0 : this.escape + 1;
      } else if (c === 34) {
        if (this.isKey) {
          this.state = COLON;
          this.keys[this.keys.length - 1] = this.keyLength <= MAX_KEY ? this.key : '\u0000';
        } else this.valueEnded();
        return;
      } else if (c < 32) {
        this.syntax(text, i, c === 10 ? 'a line break inside a string' : 'a control character inside a string');
      } else if (c === 92) {
        this.escape = 1;
      }
      if (this.isKey && ++this.keyLength <= MAX_KEY) this.key += String.fromCharCode(c);
      return;
    }
    if (this.state === NUMBER) {
      if (++this.run > MAX_NUMBER) this.tooLarge(`a number written in more than ${MAX_NUMBER} characters`);
      const n = this.numberState;
      if (isDigit(c) && n !== N_ZERO) {
        this.numberState = n === N_SIGN ? (c === 48 ? N_ZERO : N_INT) : n === N_DOT ? N_FRAC : n === N_E || n === N_E_SIGN ? N_EXP : n;
      } else if (isDigit(c)) {
        this.syntax(text, i, 'a number with a leading zero');
      } else if (c === 46 && (n === N_ZERO || n === N_INT)) {
        this.numberState = N_DOT;
      } else if ((c === 101 || c === 69) && (n === N_ZERO || n === N_INT || n === N_FRAC)) {
        this.numberState = N_E;
      } else if ((c === 43 || c === 45) && n === N_E) {
        this.numberState = N_E_SIGN;
      } else {
        this.endNumber(text, i);
        // The character after the number is read as any other.
        if (c === 32 || c === 10 || c === 13 || c === 9) {
          if (c === 10) {
            this.line++;
            this.lineStart = this.offset + i + 1;
          }
        } else this.stepBetween(c, text, i);
      }
      return;
    }
    if (c !== this.literal.charCodeAt(this.literalAt)) this.syntax(text, i, `expected ${this.literal}`);
    if (++this.literalAt === this.literal.length) this.valueEnded();
  }

  /** A character between values: a name, a colon, a comma or a closing bracket (or a value, after a number). */
  private stepBetween(c: number, text: string, i: number): void {
    switch (this.state) {
      case VALUE:
      case VALUE_OR_END:
        if (c === 93 && this.state === VALUE_OR_END) return this.close(text, i);
        this.count(text, i);
        if (c === 34) {
          this.state = STRING;
          this.isKey = false;
          this.escape = this.run = 0;
        } else if (c === 45 || isDigit(c)) {
          this.state = NUMBER;
          this.numberState = c === 45 ? N_SIGN : c === 48 ? N_ZERO : N_INT;
          this.run = 1;
        } else this.open(c, text, i);
        return;
      case KEY_OR_END:
      case KEY:
        if (c === 125 && this.state === KEY_OR_END) return this.close(text, i);
        if (c !== 34) this.syntax(text, i, this.state === KEY ? 'expected a member\'s name (in double quotes) after ","' : 'expected a member\'s name (in double quotes) or "}"');
        this.state = STRING;
        this.isKey = true;
        this.key = '';
        this.keyLength = this.run = this.escape = 0;
        return;
      case COLON:
        if (c !== 58) this.syntax(text, i, 'expected ":" after a member\'s name');
        this.state = VALUE;
        return;
      case AFTER: {
        const inObject = this.objects[this.objects.length - 1] === 1;
        if (c === 44) this.state = inObject ? KEY : VALUE;
        else if (c === (inObject ? 125 : 93)) this.close(text, i);
        else this.syntax(text, i, inObject ? 'expected "," or "}" after a value' : 'expected "," or "]" after a value');
        return;
      }
      default:
        this.syntax(text, i, 'more text after the JSON value');
    }
  }

  /** A value that is not a number or a string starts with `c`: an object, a list or a literal. */
  private open(c: number, text: string, i: number): void {
    if (c === 123 || c === 91) {
      if (this.objects.length >= MAX_DEPTH) this.tooLarge(`nested more than ${MAX_DEPTH} deep, deeper than any model file`);
      if (this.objects.length === 1 && this.hooks.capture?.includes(this.keys[0])) {
        this.capturing = { key: this.keys[0], parts: [], length: 0, from: i };
      }
      const list = c === 91;
      const bound = list && this.hooks.list ? this.hooks.list(this.path()) : undefined;
      this.objects.push(list ? 0 : 1);
      this.counts.push(0);
      this.bounds.push(bound);
      this.keys.push('');
      this.state = list ? VALUE_OR_END : KEY_OR_END;
      return;
    }
    const literal = c === 116 ? 'true' : c === 102 ? 'false' : c === 110 ? 'null' : '';
    if (literal === '') this.syntax(text, i, 'expected a value (an object, a list, a string, a number, true, false or null)');
    this.state = LITERAL;
    this.literal = literal;
    this.literalAt = 1;
  }

  /** One more value in the document, and one more item in the list it is in: each against its bound. */
  private count(_text: string, _i: number): void {
    if (++this.values > this.mostValues) this.tooLarge(`more values than a model of this network holds (${this.mostValues})`);
    const depth = this.objects.length;
    if (depth === 0 || this.objects[depth - 1] === 1) return;
    const index = this.counts[depth - 1]++;
    const bound = this.bounds[depth - 1];
    if (bound === undefined) return;
    if (index >= bound.max) this.tooLarge(`more than ${bound.max} items, ${bound.why}`, true);
    if (bound.pool && ++bound.pool.items > bound.pool.max) this.tooLarge(bound.pool.why, true);
  }

  /** A value has ended; after the document's value, only white space may follow. */
  private valueEnded(): void {
    this.state = this.objects.length === 0 ? DONE : AFTER;
  }

  private endNumber(text: string, i: number): void {
    const n = this.numberState;
    if (n === N_SIGN || n === N_DOT || n === N_E || n === N_E_SIGN) this.syntax(text, i, 'a number that stops short');
    this.valueEnded();
  }

  /** The open container closes at position `i` of `text`; a captured member is handed over. */
  private close(text: string, i: number): void {
    this.objects.pop();
    this.counts.pop();
    this.bounds.pop();
    this.keys.pop();
    this.valueEnded();
    const capture = this.capturing;
    if (capture && this.objects.length === 1) {
      this.keep(text.slice(capture.from, i + 1));
      const kept = this.capturing;
      this.capturing = null;
      if (kept) this.hooks.captured?.(kept.key, kept.parts.join(''));
    }
  }
}

/** A BackpropError for the scan's failures, in the words of a file that is not the JSON it should be. */
export function scanError(source: string, what: string): (message: string, kind: 'syntax' | 'size', head: string) => never {
  return (message, kind, head) => {
    throw new BackpropError(`${source}: ${kind === 'syntax' ? `not ${what}: ${describeText(head) ?? message}` : message}`);
  };
}

/** What a text that does not start as JSON is, from its first characters; null when it looks like JSON. */
export function describeText(head: string): string | null {
  if (head.length === 0) return 'the file is empty';
  if (head.charCodeAt(0) === 0x1f && (head.charCodeAt(1) === 0x8b || head.charCodeAt(1) === 0xfffd)) return 'it is gzip-compressed data (decompress it first)';
  if (head.startsWith('PK\u0003\u0004')) return 'it is a zip archive';
  // A NUL, or bytes that are not UTF-8, or control characters other than white space: binary data.
  if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(head)) return 'it holds binary data, not text (a model file is JSON text)';
  const first = head.trimStart();
  if (first === '') return 'it holds nothing but white space';
  if (!/^[{["\-0-9tfn]/.test(first)) return 'it is text, but not JSON (a model file starts with "{")';
  return null;
}
