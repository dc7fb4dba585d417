// A CSV file's header line, read before any engine is started: which delimiter it uses and what its columns are
// called. Both readers (DuckDB's and the strict one) decide the delimiter by this one rule, so a file is read the
// same way whatever its size.
import { closeSync, openSync, readSync } from 'node:fs';

import { sniffDelimiter } from '../../data/csv.js';

export { sniffDelimiter };

/**
 * The header of a plain CSV file: its delimiter (as given, or sniffed) and column names as written. Null where the
 * first line is not simple (quoted names, no line end in the first 64 KiB, bytes that are not UTF-8): the caller
 * asks its engine instead.
 */
export function readHeader(path: string, delimiter?: string): { delimiter: string; names: string[] } | null {
  const fd = openSync(path, 'r');
  try {
    const bytes = Buffer.alloc(1 << 16);
    const n = readSync(fd, bytes, 0, bytes.length, 0);
    const end = bytes.subarray(0, n).indexOf(10);
    if (end < 0) return null;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes.subarray(0, end));
    } catch {
      return null;
    }
    text = text.replace(/\r$/, '');
    if (text.includes('"')) return null;
    const d = delimiter ?? sniffDelimiter(text);
    return { delimiter: d, names: text.split(d) };
  } finally {
    closeSync(fd);
  }
}
