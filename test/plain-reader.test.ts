// The one-pass reader for plain CSV files (src/node/readers/plain.ts): on a plain file it gives the table the DuckDB
// reader gives, value for value; a file that is not plain it leaves to the readers that were there before, so that
// readDataFile answers exactly what it answered without it (the same table, or the same one-line message); and
// hostile files (a 10 MB line, an unterminated quote, a binary file) end as before, in bounded memory. The files are
// generated here, never committed.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeDuckDB, readWithDuckDB } from '../src/node/readers/duckdb.js';
import { readPlainCsv } from '../src/node/readers/plain.js';
import { readDataFile } from '../src/node/read.js';
import { Random } from '../src/core/random.js';
import type { DataFrame } from '../src/data/frame.js';
import { BIN, ROOT, tempDir } from './cli-helpers.js';

const dir = tempDir();
afterAll(() => closeDuckDB());

/** A seeded stream of numbers in [0, 1): the library's own generator. */
function generator(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

const WORDS = ['north', 'south east', 'élan', '🙂 ok', 'a much longer category name than twelve bytes', 'x', 'Zürich', '東京'];

/**
 * A varied plain table: numbers negative and positive, whole and not, with exponents (e, E, signed), a leading +
 * or point, a trailing point, more digits than a double holds, very large and very small; text in many scripts,
 * with spaces inside; `rows` rows, lines ended by `eol`, the last one with or without its line end.
 */
function variedCsv(rows: number, { eol = '\n', bom = false, lastEol = true } = {}): string {
  const random = generator(11);
  const number = (i: number): string => {
    const v = (random() - 0.5) * 10 ** Math.floor(random() * 8 - 3);
    switch (i % 12) {
      case 0: return v.toFixed(4);
      case 1: return v.toExponential(6);
      case 2: return v.toExponential(3).toUpperCase();
      case 3: return String(Math.round(v * 1000));
      case 4: return `+${Math.abs(v).toFixed(3)}`;
      case 5: return `.${Math.floor(random() * 1e6)}`;
      case 6: return `${Math.floor(random() * 100)}.`;
      case 7: return `${(random() - 0.5).toFixed(20)}`;
      case 8: return `${Math.floor(random() * 9) + 1}.${Math.floor(random() * 1e9)}e${Math.floor(random() * 600 - 300)}`;
      case 9: return `-${Math.floor(random() * 1e17)}${Math.floor(random() * 1e6)}`;
      case 10: return `${v}`;
      default: return `${Math.floor(random() * 1e6)}e-${Math.floor(random() * 30)}`;
    }
  };
  const lines = ['a,b,c,word,d,label'];
  for (let i = 0; i < rows; i++) {
    lines.push([number(i), number(i + 3), number(i + 7), WORDS[Math.floor(random() * WORDS.length)], number(i + 5), random() < 0.5 ? 'yes' : 'no'].join(','));
  }
  return (bom ? '\ufeff' : '') + lines.join(eol) + (lastEol ? eol : '');
}

/** Two frames hold the same table: names, kinds, every value (bit for bit, -0 apart from 0), codes and dictionaries. */
function expectSameFrame(a: DataFrame, b: DataFrame): void {
  expect(a.rows).toBe(b.rows);
  expect(a.columns.map((c) => [c.name, c.kind])).toEqual(b.columns.map((c) => [c.name, c.kind]));
  a.columns.forEach((c, j) => {
    const d = b.columns[j];
    if (c.kind === 'numeric' && d.kind === 'numeric') {
      const differ = c.values.findIndex((v, i) => !Object.is(v, d.values[i]));
      expect(differ, `${c.name}, row ${differ + 1}: ${c.values[differ]} against ${d.kind === 'numeric' ? d.values[differ] : ''}`).toBe(-1);
    } else if (c.kind === 'text' && d.kind === 'text') {
      expect(c.dictionary).toEqual(d.dictionary);
      expect(Buffer.from(c.codes.buffer, c.codes.byteOffset, c.codes.byteLength).equals(Buffer.from(d.codes.buffer, d.codes.byteOffset, d.codes.byteLength))).toBe(true);
    }
  });
  for (const row of [0, 1, a.rows - 1]) expect(a.where(row)).toBe(b.where(row));
}

/** What readDataFile answers, with or without the one-pass reader: a frame, or the message of its error. */
async function outcome(path: string, plain: boolean): Promise<DataFrame | string> {
  try {
    return await readDataFile(path, {}, { plain });
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe('plain files: the same table as DuckDB\'s', () => {
  it.each([
    ['LF', {}],
    ['CRLF', { eol: '\r\n' }],
    ['a UTF-8 BOM', { bom: true }],
    ['no line end after the last row', { lastEol: false }],
    ['CRLF, a BOM and no last line end', { eol: '\r\n', bom: true, lastEol: false }],
  ])('%s', async (name, shape) => {
    const path = join(dir, `varied-${name.replace(/\W+/g, '-')}.csv`);
    writeFileSync(path, variedCsv(3000, shape));
    const plain = readPlainCsv(path, path);
    expect(plain, 'read as plain').not.toBeNull();
    const duck = await readWithDuckDB(path, path);
    await closeDuckDB();
    expect(duck).not.toBeNull();
    expectSameFrame(plain!, duck!);
    // Spot checks against the text itself, so the two readers cannot agree on a wrong answer unnoticed.
    const text = readFileSync(path, 'utf8').replace(/^\ufeff/, '').split(/\r?\n/).filter((l) => l !== '');
    const [first, last] = [text[1].split(','), text[text.length - 1].split(',')];
    const a = plain!.columns[0], word = plain!.columns[3];
    expect(a.kind === 'numeric' && [a.values[0], a.values[plain!.rows - 1]]).toEqual([Number(first[0]), Number(last[0])]);
    expect(word.kind === 'text' && word.dictionary[word.codes[0]]).toBe(first[3]);
  }, 60_000);

  it('reads the 16 numeric and 2 text columns of the end-to-end bench', async () => {
    const bench = '../bench/e2e.mjs';
    const { writeTable } = (await import(bench)) as { writeTable: (path: string, rows: number) => Promise<void> };
    const path = join(dir, 'bench.csv');
    await writeTable(path, 20_000);
    const plain = readPlainCsv(path, path);
    expect(plain).not.toBeNull();
    expect(plain!.columns.filter((c) => c.kind === 'numeric')).toHaveLength(16);
    expectSameFrame(plain!, (await readWithDuckDB(path, path))!);
    await closeDuckDB();
  }, 60_000);

  it('semicolons and tabs, given or sniffed', async () => {
    for (const [delimiter, given] of [[';', false], ['\t', false], ['|', true]] as const) {
      const path = join(dir, `delimited-${delimiter.charCodeAt(0)}.csv`);
      writeFileSync(path, variedCsv(500).replace(/,/g, delimiter));
      const options = given ? { delimiter } : {};
      const plain = readPlainCsv(path, path, options);
      expect(plain, JSON.stringify(delimiter)).not.toBeNull();
      expectSameFrame(plain!, (await readWithDuckDB(path, path, options))!);
      await closeDuckDB();
    }
  }, 60_000);
});

describe('files that are not plain are left to the readers before it', () => {
  // Each is large enough (over 4 MB) that readDataFile would take it to the one-pass reader; each must answer, with
  // it, what it answered without it: the same table (DuckDB's or the strict reader's) or the same message.
  const ROWS = 75_000;
  const base = variedCsv(ROWS).split('\n');
  const at = 40_000; // the line changed
  const changed = (f: (cells: string[]) => string[] | string): string => {
    const lines = base.slice();
    const r = f(lines[at - 1].split(','));
    lines[at - 1] = typeof r === 'string' ? r : r.join(',');
    return lines.join('\n');
  };
  const cases: [string, string][] = [
    ['an empty cell (a missing value)', changed((c) => ((c[1] = ''), c))],
    ['a missing text value', changed((c) => ((c[3] = ''), c))],
    ['a quoted value', changed((c) => ((c[3] = `"${c[3]}, quoted"`), c))],
    ['a quoted word', changed((c) => ((c[3] = `"${c[3]}"`), c))],
    ['quoted numbers throughout', base.map((l, i) => (i === 0 ? l : l.replace(/^([^,]*)/, '"$1"'))).join('\n')],
    ['quoted words throughout', base.map((l, i) => (i === 0 ? l : l.replace(/^((?:[^,]*,){3})([^,]*)/, '$1"$2"'))).join('\n')],
    ['a blank line', changed((c) => `\n${c.join(',')}`)],
    ['a ragged row', changed((c) => c.slice(0, 4))],
    ['an extra value', changed((c) => [...c, '1'])],
    ['a word in a numeric column', changed((c) => ((c[2] = 'four'), c))],
    ['a number in a text column', changed((c) => ((c[3] = '12'), c))],
    ['nan in a numeric column', changed((c) => ((c[0] = 'nan'), c))],
    ['a number too large for a double', changed((c) => ((c[0] = '1e999'), c))],
    ['spaces around a number', changed((c) => ((c[0] = ` ${c[0]} `), c))],
    ['spaces around a word', changed((c) => ((c[3] = ` ${c[3]}`), c))],
    ['a stray carriage return', changed((c) => ((c[3] = `${c[3]}\rx`), c))],
    ['a repeated column name', ['a,b,c,word,a,label', ...base.slice(1)].join('\n')],
    ['a header only, padded to 4 MB with spaces', `a,b,label${' '.repeat(5 << 20)}\n`],
  ];
  it.each(cases)('%s', async (name, text) => {
    const path = join(dir, `not-plain-${name.replace(/\W+/g, '-')}.csv`);
    writeFileSync(path, text);
    expect(readFileSync(path).length).toBeGreaterThan(4 * 1024 * 1024);
    expect(readPlainCsv(path, path), 'not read as plain').toBeNull();
    const before = await outcome(path, false);
    const after = await outcome(path, true);
    if (typeof before === 'string' || typeof after === 'string') expect(after).toBe(before);
    else expectSameFrame(after, before);
  }, 60_000);

  it('a decimal comma, text columns kept as written and an unusual delimiter go to the readers before it', async () => {
    const path = join(dir, 'decimal-comma.csv');
    writeFileSync(path, 'a;b;label\n1,5;2;x\n3;4,25;y\n');
    expect(readPlainCsv(path, path, { decimalComma: true })).toBeNull();
    expect(readPlainCsv(path, path, { textColumns: ['b'] })).toBeNull();
    // A delimiter that can be part of a number is no plain one.
    writeFileSync(path, 'a.b.label\n1.2.x\n3.4.y\n');
    expect(readPlainCsv(path, path, { delimiter: '.' })).toBeNull();
  });
});

describe('hostile files: the messages they had, in bounded memory', () => {
  /** `backprop train` on a file, with its peak resident memory. */
  function train(path: string): { stderr: string; code: number; rss: number } {
    const rssFile = join(dir, 'rss.txt');
    writeFileSync(rssFile, '');
    const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test/programs/report-rss.mjs'), BIN, 'train', path, '--epochs', '1', '--layers', '4', '--quiet', '--out', join(dir, 'never.json')],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BACKPROP_TEST_RSS_FILE: rssFile } });
    return { stderr: r.stderr, code: r.status ?? -1, rss: Number(readFileSync(rssFile, 'utf8')) };
  }
  const rows = variedCsv(40_000).split('\n');
  const hostile: [string, () => string | Buffer][] = [
    ['a 10 MB line', () => [...rows.slice(0, 20_000), 'x'.repeat(10 << 20), ...rows.slice(20_000)].join('\n')],
    ['an unterminated quote', () => [...rows.slice(0, 30_000), `"${rows[30_000]}`, ...rows.slice(30_001)].join('\n')],
    ['a binary file', () => {
      const random = generator(3);
      return Buffer.from(Array.from({ length: 5 << 20 }, () => Math.floor(random() * 256)));
    }],
    ['a binary file after a plain header', () => {
      const random = generator(5);
      return Buffer.concat([Buffer.from('a,b,label\n'), Buffer.from(Array.from({ length: 5 << 20 }, () => Math.floor(random() * 256)))]);
    }],
  ];
  it.each(hostile)('%s', async (name, make) => {
    const path = join(dir, `hostile-${name.replace(/\W+/g, '-')}.csv`);
    writeFileSync(path, make());
    expect(readPlainCsv(path, path)).toBeNull();
    const before = await outcome(path, false);
    expect(typeof before, 'an error').toBe('string');
    expect(await outcome(path, true)).toBe(before);
    const r = train(path);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`backprop: ${(before as string).replace(/^\w+: /, '')}\n`);
    expect(r.rss).toBeLessThan(400 * 1024 * 1024);
  }, 60_000);
});

describe('text values made to share a chain of hash slots', () => {
  /** FNV-1a, 32 bits, over ASCII text from a given state (the plain reader's hash of a value's bytes). */
  const fnv = (text: string, h = 0x811c9dc5): number => {
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h;
  };
  /**
   * 2^k distinct words whose hashes share their low 16 bits, so that they share one chain of slots in any table of up
   * to 65,536 slots (Joux's multicollision): the low 16 bits of FNV-1a's state depend on nothing but themselves, so
   * from the state so far two 5-letter blocks that give the same low bits (a birthday search among 2^16) are found
   * in a few hundred tries, k times; every choice of one block of each pair then gives the same low bits.
   */
  function collidingWords(k: number): string[] {
    const pairs: [string, string][] = [];
    let state = 0x811c9dc5;
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const random = generator(17);
    for (let round = 0; round < k; round++) {
      const seen = new Map<number, string>();
      for (;;) {
        const block = Array.from({ length: 5 }, () => letters[Math.floor(random() * 26)]).join('');
        const next = fnv(block, state);
        const other = seen.get(next & 0xffff);
        if (other !== undefined && other !== block) {
          pairs.push([other, block]);
          state = next;
          break;
        }
        seen.set(next & 0xffff, block);
      }
    }
    return Array.from({ length: 2 ** k }, (_, m) => pairs.map((p, i) => p[(m >> i) & 1]).join(''));
  }

  it('are left to the other readers, which read them as before (each look-up would walk them all)', async () => {
    const words = collidingWords(14);
    expect(new Set(words).size).toBe(words.length);
    expect(new Set(words.map((w) => fnv(w) & 0xffff)).size).toBe(1);
    const lines = ['x,word,label'];
    for (let i = 0; lines.length < 80_000; i++) lines.push(`${i % 100},${words[i % words.length]},${i % 2 ? 'yes' : 'no'}`);
    const path = join(dir, 'colliding.csv');
    writeFileSync(path, lines.join('\n') + '\n');
    expect(readFileSync(path).length).toBeGreaterThan(4 << 20);
    // Plain in every other way: the same file with honest words is read in one pass.
    const honest = join(dir, 'colliding-honest.csv');
    writeFileSync(honest, lines.map((l, i) => (i === 0 ? l : l.replace(/,(\w+),/, `,w${i % 5000},`))).join('\n') + '\n');
    expect(readPlainCsv(honest, honest)).not.toBeNull();
    expect(readPlainCsv(path, path)).toBeNull();
    const frame = await readDataFile(path);
    const word = frame.columns[1];
    expect(word.kind === 'text' && word.dictionary.length).toBe(words.length);
  }, 60_000);
});
