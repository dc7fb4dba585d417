// Checks a gzip file whole, in a streaming pass through Node's zlib (bounded memory, output discarded): DuckDB
// reads a gzip stream that ends without its trailer, or whose CRC or length is wrong, as if the data had ended
// there, so a file cut on a line boundary would pass for a shorter one.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { ByteScan } from './scan.js';

/**
 * What is wrong with the gzip file at `path`, in a few words, or null when its every member checks out. `scan`, where
 * given, sees the content on the way (what the strict reader would read otherwise than DuckDB: see scan.ts).
 */
export function gzipProblem(path: string, signal?: AbortSignal, scan?: ByteScan): Promise<string | null> {
  return new Promise((resolve) => {
    const input = createReadStream(path, { highWaterMark: 1 << 20 });
    const gunzip = createGunzip({ chunkSize: 1 << 16 });
    let settled = false;
    const done = (problem: string | null): void => {
      if (settled) return;
      settled = true;
      input.destroy();
      gunzip.destroy();
      resolve(problem);
    };
    signal?.addEventListener('abort', () => done(null), { once: true });
    input.on('error', (e: NodeJS.ErrnoException) => done(`cannot read the file (${e.code ?? e.message})`));
    gunzip.on('error', (e: NodeJS.ErrnoException) => done(describeGzipError(e)));
    gunzip.on('data', (chunk: Buffer) => scan?.feed(chunk));
    gunzip.on('end', () => done(null));
    input.pipe(gunzip);
  });
}

/** What is wrong with gzip data, from zlib's error: cut short, corrupt, or no gzip at all. */
export function describeGzipError(e: NodeJS.ErrnoException): string {
  const message = String(e.message ?? e);
  if (/unexpected end of file/i.test(message)) return 'the gzip data ends early (no gzip trailer): the file is cut short';
  if (/incorrect data check/i.test(message)) return 'the gzip data is corrupt (its CRC does not match)';
  if (/incorrect length check/i.test(message)) return 'the gzip data is corrupt (its length does not match the trailer)';
  if (/incorrect header check|unknown compression method/i.test(message)) return 'not gzip-compressed data, though its name ends in .gz';
  return `the gzip data is corrupt (${message.split('\n')[0].slice(0, 80)})`;
}
