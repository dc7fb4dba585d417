// writeFileAtomic against a file system that writes less than asked: every short count is carried on, a
// write that makes no progress fails, and either way the old file is untouched and no temporary file is left.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How each write call behaves: at most `limit` bytes, and after `budget` bytes in all, nothing. */
const disk = { limit: Infinity, budget: Infinity, written: 0, calls: 0 };

vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  const writeSync = (fd: number, buffer: Uint8Array, offset = 0, length = buffer.length - offset, position?: number | null): number => {
    disk.calls++;
    const n = Math.max(0, Math.min(length, disk.limit, disk.budget - disk.written));
    disk.written += n;
    return n === 0 ? 0 : fs.writeSync(fd, buffer, offset, n, position);
  };
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const { writeFileAtomic } = await import('../src/node/files.js');
const dir = mkdtempSync(join(tmpdir(), 'backprop-short-'));
const text = 'x'.repeat(10_000) + '\n';

afterEach(() => Object.assign(disk, { limit: Infinity, budget: Infinity, written: 0, calls: 0 }));

describe('short writes', () => {
  it('short counts are carried on until every byte is written', () => {
    disk.limit = 999;
    const path = join(dir, 'slow.json');
    writeFileAtomic(path, text);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(disk.calls).toBe(Math.ceil(text.length / 999));
  });

  it('a write that makes no progress (the disk is full) fails; the old file stays and no temporary file is left', () => {
    const path = join(dir, 'full.json');
    writeFileSync(path, 'the good model');
    disk.limit = 4096;
    disk.budget = 6000;
    expect(() => writeFileAtomic(path, text)).toThrow(`${path}: cannot write the file (no space left on the device); the existing file is unchanged`);
    expect(readFileSync(path, 'utf8')).toBe('the good model');
    expect(readdirSync(dir).filter((f) => f.endsWith('.backprop-tmp'))).toEqual([]);
  });
});

