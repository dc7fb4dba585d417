// One answer per file content, whichever reader reads it: the one-pass plain reader (plain CSV of 4 MB or more),
// DuckDB (other CSV of that size, gzip) and the strict reader (smaller files) give every number exactly what Number()
// gives, and give the same table, or the same one-line message, for the same rows in a small file and in a big one.
// Files are generated here (big ones by repeating rows), never committed.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeDuckDB, readWithDuckDB } from '../src/node/readers/duckdb.js';
import { readPlainCsv } from '../src/node/readers/plain.js';
import { readDataFile } from '../src/node/read.js';
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
