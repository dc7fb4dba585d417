// DuckDB is an optional peer dependency: without it a CSV file of any size still reads (through the strict reader),
// and what needs it (Parquet, a glob, a streamed read) says in one line which package to install.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, tempDir } from './cli-helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The command, on a Node where @duckdb/node-api cannot be imported. */
function withoutDuckDB(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test/programs/no-duckdb.mjs'), BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('without the optional DuckDB', () => {
  // 5 MB of CSV: above the size from which DuckDB reads it when it is there.
  const big = join(dir, 'big.csv');
  const lines = ['a,b,label'];
  let bytes = 0;
  for (let i = 0; bytes < 5 * 1024 * 1024; i++) {
    const line = `${(i % 97) / 97},${(i % 89) / 89},${i % 2 ? 'odd' : 'even'}`;
    lines.push(line);
    bytes += line.length + 1;
  }
  writeFileSync(big, lines.join('\n') + '\n');

  it('a CSV file of 5 MB still trains, through the strict reader', () => {
    const r = withoutDuckDB(['train', big, '--epochs', '1', '--layers', '4', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);

  it('Parquet, a glob and a streamed read each say in one line which package to install', () => {
    writeFileSync(join(dir, 'x.parquet'), 'PAR1 not really');
    for (const args of [['train', join(dir, 'x.parquet')], ['train', join(dir, '*.csv')], ['train', big, '--stream']]) {
      const r = withoutDuckDB(args);
      expect(r.code, args.join(' ')).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(/^backprop: .*needs the optional package @duckdb\/node-api.*npm install @duckdb\/node-api$/);
    }
  }, 120_000);
});
