// One answer per file content, whichever reader reads it: the one-pass plain reader (plain CSV of 4 MB or more),
// DuckDB (other CSV of that size, gzip) and the strict reader (smaller files) give every number exactly what Number()
// gives, and give the same table, or the same one-line message, for the same rows in a small file and in a big one.
// Files are generated here (big ones by repeating rows), never committed.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { closeDuckDB, readWithDuckDB } from '../src/node/readers/duckdb.js';
import { readPlainCsv } from '../src/node/readers/plain.js';
import { readDataFile, readFrames } from '../src/node/read.js';
import type { DataFrame } from '../src/data/frame.js';
import { tempDir } from './cli-helpers.js';

const dir = tempDir();
afterAll(() => closeDuckDB());

/** Digits that sit on a rounding edge: 2^53 + 1, the largest double, the smallest normal and subnormal ones. */
const EDGES = ['9007199254740993', '9007199254740991', '18014398509481985', '17976931348623157', '22250738585072014', '49406564584124654', '24703282292062327'];

/**
 * A number as the readers' grammar writes it ([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?): 1–25 significant digits
 * (random, or an edge above with random ones after it), leading zeros, the point anywhere (first, last or absent),
 * a sign or none, and an exponent (e or E, signed or not, with leading zeros) that puts the value near either end of
 * the range (subnormals, the largest doubles) or in the middle.
 */
const numberText = fc.record({
  sign: fc.constantFrom('', '', '+', '-'),
  digits: fc.oneof(
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 25 }),
    fc.tuple(fc.constantFrom(...EDGES), fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 9 })).map(([a, b]) => a + b),
  ),
  zeros: fc.constantFrom('', '', '0', '000'),
  point: fc.nat(30),
  exponent: fc.option(fc.record({
    letter: fc.constantFrom('e', 'E'),
    // The value's decimal exponent: subnormal, near the smallest normal, ordinary, near the largest.
    at: fc.oneof(fc.integer({ min: -345, max: -300 }), fc.integer({ min: -312, max: -300 }), fc.integer({ min: -30, max: 30 }), fc.integer({ min: 290, max: 309 })),
    plus: fc.boolean(),
    zeros: fc.constantFrom('', '0', '00'),
  }), { freq: 3 }),
}).map(({ sign, digits, zeros, point, exponent }) => {
  const at = Math.min(point, digits.length);
  let text = `${zeros}${digits.slice(0, at)}${at < digits.length || point % 3 === 0 ? '.' : ''}${digits.slice(at)}`;
  if (text.startsWith('.') && text.length === 1) text = '0';
  if (exponent) {
    const e = exponent.at - at;
    text += `${exponent.letter}${e < 0 ? '-' : exponent.plus ? '+' : ''}${exponent.zeros}${Math.abs(e)}`;
  }
  return sign + text;
}).filter((text) => Number.isFinite(Number(text)));

/** A CSV of the numbers in column x (y counts the rows). */
function numbersCsv(path: string, texts: readonly string[]): void {
  writeFileSync(path, `x,y\n${texts.map((t, i) => `${t},${i}`).join('\n')}\n`);
}

/** The index of the first value that is not bit for bit Number(text), or -1. */
function firstWrong(frame: DataFrame, texts: readonly string[]): number {
  const x = frame.columns[0];
  if (x.kind !== 'numeric') throw new Error(`column x read as ${x.kind}`);
  return texts.findIndex((t, i) => !Object.is(x.values[i], Number(t)));
}

describe('every reader parses a number to exactly what Number() gives', () => {
  it('the ones issue 31 found one unit in the last place off', () => {
    const texts = ['0.9007199254740993', '9007199254740993e5', '9007199254740993', '-9007199254740993.0', '90071992547409930e-1', '1', '0.1'];
    const path = join(dir, 'edges.csv');
    numbersCsv(path, texts);
    const frame = readPlainCsv(path, path)!;
    expect(frame).not.toBeNull();
    const x = frame.columns[0];
    expect(x.kind === 'numeric' && Array.from(x.values)).toEqual(texts.map(Number));
    expect(x.kind === 'numeric' && x.values[1]).toBe(900719925474099300000);
  });

  it('the plain reader: random digit strings (300 files of up to 200 numbers)', () => {
    const path = join(dir, 'property.csv');
    fc.assert(fc.property(fc.array(numberText, { minLength: 1, maxLength: 200 }), (texts) => {
      numbersCsv(path, texts);
      const frame = readPlainCsv(path, path);
      expect(frame, 'read as plain').not.toBeNull();
      const wrong = firstWrong(frame!, texts);
      expect(wrong < 0 ? null : `${texts[wrong]}: ${frame!.columns[0].kind === 'numeric' ? frame!.columns[0].values[wrong] : ''} against ${Number(texts[wrong])}`).toBeNull();
    }), { numRuns: 300, seed: 31 });
  });

  it('DuckDB and the strict reader: 20,000 of them in one file', async () => {
    const texts = fc.sample(numberText, { numRuns: 20_000, seed: 32 });
    const path = join(dir, 'sample.csv');
    numbersCsv(path, texts);
    const duck = await readWithDuckDB(path, path);
    await closeDuckDB();
    expect(duck, 'read by DuckDB').not.toBeNull();
    const strict = await readDataFile(path); // under 4 MB: the strict reader
    for (const [name, frame] of [['DuckDB', duck!], ['strict', strict], ['plain', readPlainCsv(path, path)!]] as const) {
      const wrong = firstWrong(frame, texts);
      expect(wrong < 0 ? null : texts[wrong], name).toBeNull();
    }
  }, 60_000);
});

describe('the same rows in a small file and in a big one: one answer', () => {
  // Small files (under 4 MiB) go to the strict reader; big ones to the plain reader, else DuckDB, else the strict
  // reader; gzip files of any size to DuckDB first. Each case is read small, big (also with the plain reader left
  // out, where it reads the file itself, so DuckDB's answer is seen too) and small gzip-compressed: every answer,
  // a table or a one-line message, must be the small file's (the file's name apart), and must be the one decided here.
  const BIG = 4.3e6;
  const row = (i: number): string => `${(i % 97) / 10},${(i * 7) % 13},${i % 5},${['Oslo', 'Rome', 'Lima'][i % 3]}`;
  /** The header, rows 0..at-1 as `row` makes them, the line `fault` (if any), then rows up to `bytes` in all. */
  const file = (bytes: number, { header = 'a,b,c,city\n', eol = '\n', at = 3000, fault = null as string | null, each = (r: string) => r } = {}): string => {
    const lines = [header];
    let size = header.length;
    for (let i = 0; size < bytes; i++) {
      const line = (i === at && fault !== null ? fault : each(row(i))) + eol;
      lines.push(line);
      size += line.length;
    }
    return lines.join('');
  };
  const small = (o: Parameters<typeof file>[1] = {}): string => file(60_000, o);
  const big = (o: Parameters<typeof file>[1] = {}): string => file(BIG, o);
  /** A table read, or the message of an error: `message` (with FILE for the name), or a table whose first rows are `table`'s. */
  type Answer = { message: string } | { columns: string; first: string };
  const table = (columns: string, first: string): Answer => ({ columns, first });
  const utf16 = (text: string, le: boolean): Buffer => {
    const b = Buffer.from(text, 'utf16le');
    if (!le) b.swap16();
    return Buffer.concat([Buffer.from(le ? [0xff, 0xfe] : [0xfe, 0xff]), b]);
  };
  const cases: [string, string | Buffer, string | Buffer, Answer][] = [
    // A line ends at a line feed, a carriage return before it being part of the line end, as the header's does.
    ['a CRLF header, then LF rows', small({ header: 'a,b,c,city\r\n' }), big({ header: 'a,b,c,city\r\n' }),
      table('a:numeric b:numeric c:numeric city:text', '0,0,0,Oslo|0.1,7,1,Rome|0.2,1,2,Lima')],
    ['a trailing delimiter on the data rows only', small({ each: (r) => `${r},` }), big({ each: (r) => `${r},` }),
      { message: 'FILE, line 2: expected 4 values like the header, found 5' }],
    // DuckDB's sniffer samples the first 20,480 rows: past them it read 1_000 as 1000 and +-1 as -1. Every reader gives
    // such a column as text, words among numbers, for the table layer to read (data/frame.ts mixedAs).
    ['1_000 past the first 20,480 rows', file(400_000, { at: 25_000, fault: '1_000,1,2,Oslo' }), big({ at: 25_000, fault: '1_000,1,2,Oslo' }),
      table('a:text b:numeric c:numeric city:text', '0,0,0,Oslo|0.1,7,1,Rome|0.2,1,2,Lima')],
    ['+-1 past the first 20,480 rows', file(400_000, { at: 25_000, fault: '0,+-1,2,Oslo' }), big({ at: 25_000, fault: '0,+-1,2,Oslo' }),
      table('a:numeric b:text c:numeric city:text', '0,0,0,Oslo|0.1,7,1,Rome|0.2,1,2,Lima')],
    ['a zero byte inside a text value', small({ fault: '1,1,2,Os\u0000lo' }), big({ fault: '1,1,2,Os\u0000lo' }),
      { message: `FILE, line 3002: not a text file (a zero byte at offset ${small({ fault: '1,1,2,Os\u0000lo' }).indexOf('\u0000')}); expected CSV with a header row` }],
    ['a 2 MB text value', small({ at: 5, fault: `1,1,2,${'x'.repeat(2 << 20)}` }), file(6.4e6, { at: 5, fault: `1,1,2,${'x'.repeat(2 << 20)}` }),
      table('a:numeric b:numeric c:numeric city:text', '0,0,0,Oslo|0.1,7,1,Rome|0.2,1,2,Lima')],
    // Names of 100 characters: csv-parse takes ~25 µs a value in a record of many thousands.
    ['a header and no rows', `a,b,c,${Array.from({ length: 500 }, (_, i) => `n${i}`.padEnd(100, '_')).join(',')}\n`,
      `a,b,c,${Array.from({ length: 44_000 }, (_, i) => `n${i}`.padEnd(100, '_')).join(',')}\n`,
      { message: 'FILE: has a header row but no data rows' }],
    ['UTF-16, little-endian', utf16(small(), true), utf16(big(), true), { message: 'FILE: UTF-16 text (it starts with the byte-order mark FF FE); expected CSV saved as UTF-8' }],
    ['UTF-16, big-endian', utf16(small(), false), utf16(big(), false), { message: 'FILE: UTF-16 text (it starts with the byte-order mark FE FF); expected CSV saved as UTF-8' }],
    // DuckDB worded these itself, with other words or (after a line break in a quoted value) another line.
    ['bytes that are not UTF-8', Buffer.from(small({ fault: '1,1,2,Z\u00fcrich' }), 'latin1'), Buffer.from(big({ fault: '1,1,2,Z\u00fcrich' }), 'latin1'),
      { message: `FILE, line 3002: not valid UTF-8 (the byte FC at offset ${small({ fault: '1,1,2,Z\u00fcrich' }).indexOf('\u00fc')}); expected CSV saved as UTF-8` }],
    ['an unterminated quote', small({ fault: '1,1,2,"Oslo' }), big({ fault: '1,1,2,"Oslo' }), { message: 'FILE, line 3002: a quoted value is never closed (an unterminated quote)' }],
    ['a ragged row after a line break in a quoted value', small({ at: 3, fault: '1,1,2,"Os\nlo"', each: (r) => (r.startsWith('0.5,') ? '1,2' : r) }),
      big({ at: 3, fault: '1,1,2,"Os\nlo"', each: (r) => (r.startsWith('0.5,') ? '1,2' : r) }), { message: 'FILE, line 8: expected 4 values like the header, found 2' }],
  ];

  /** What readDataFile answers for a file: its message with the name as FILE, or its columns and first three rows. */
  async function answer(path: string, plain = true): Promise<Answer> {
    try {
      const frame = await readDataFile(path, {}, { plain });
      const value = (j: number, i: number): string => {
        const c = frame.columns[j];
        return c.kind === 'numeric' ? String(c.values[i]) : c.dictionary[c.codes[i]].slice(0, 8);
      };
      return table(frame.columns.map((c) => `${c.name}:${c.kind}`).join(' '), [0, 1, 2].map((i) => frame.columns.map((_, j) => value(j, i)).join(',')).join('|'));
    } catch (e) {
      expect((e as Error).name, (e as Error).message).toBe('BackpropError');
      return { message: (e as Error).message.split(path).join('FILE') };
    } finally {
      await closeDuckDB();
    }
  }

  it.each(cases)('%s', async (name, smallText, bigText, expected) => {
    const base = join(dir, name.replace(/\W+/g, '-'));
    const [smallPath, bigPath, gzPath] = [`${base}-small.csv`, `${base}-big.csv`, `${base}-small.csv.gz`];
    writeFileSync(smallPath, smallText);
    writeFileSync(bigPath, bigText);
    writeFileSync(gzPath, gzipSync(smallText));
    expect(statSync(smallPath).size).toBeLessThan(4 << 20);
    expect(statSync(bigPath).size).toBeGreaterThan(4 << 20);
    const answers: [string, Answer][] = [['small', await answer(smallPath)], ['big', await answer(bigPath)], ['small, gzip', await answer(gzPath)]];
    // Where the plain reader reads the big file itself, DuckDB's answer is asked too.
    if (readPlainCsv(bigPath, bigPath)) answers.push(['big, DuckDB', await answer(bigPath, false)]);
    for (const [reader, got] of answers) expect(got, reader).toEqual(expected);
  }, 60_000);
});

describe('read in passes (--stream), by DuckDB alone', () => {
  it('reads 1_000 and +-1 in a numeric column as the other readers do: as text, a word among numbers, from the first row', async () => {
    for (const value of ['1_000', '+-1']) {
      const path = join(dir, `stream-${value.length}.csv`);
      writeFileSync(path, `a,b,label\n${Array.from({ length: 30_000 }, (_, i) => (i === 25_000 ? `${value},2,x` : `${i % 7},${i % 3},${i % 2 ? 'x' : 'y'}`)).join('\n')}\n`);
      let rows = 0;
      const words: string[] = [];
      for await (const frame of readFrames(path, {}, true)) {
        rows += frame.rows;
        const a = frame.columns[0];
        expect(a.kind).toBe('text');
        if (a.kind === 'text') words.push(...a.dictionary.filter((v) => !/^\d+$/.test(v)));
      }
      expect(rows).toBe(30_000);
      expect(words).toEqual([value]);
      await closeDuckDB();
    }
  }, 60_000);
});
