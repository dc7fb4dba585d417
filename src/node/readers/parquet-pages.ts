// Page checksums of a Parquet file. A page header may carry `crc` (PageHeader field 4, an i32): the standard
// CRC-32 (the polynomial of gzip and zlib) of the page's bytes as they follow the header in the file, after any
// compression and encryption. Neither DuckDB nor most writers check it; this walks every column chunk's pages,
// reads each header (Thrift compact protocol) and, where it carries a crc, streams the page's bytes through
// zlib.crc32 and compares. Pages without a crc cannot be checked and are passed over.
//
// Everything the file says is untrusted: sizes are checked against the column chunk and the file before any
// read, reads are bounded pieces (never a whole page or file in memory), and the Thrift reader refuses counts
// beyond the bytes it holds and nesting beyond a fixed depth, so a hostile header ends in one line, not a hang.
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/** One column chunk, as the footer places it. */
export interface ParquetChunk {
  /** The column's path in the schema, as written (a.b for a nested one). */
  column: string;
  /** Counted from 0, as in the footer. */
  rowGroup: number;
  /** The chunk's first page: its dictionary page if it has one, else its first data page. */
  start: number;
  /** The chunk's bytes, from `start`. */
  size: number;
}

/** A fault in a page header's Thrift encoding, or a header that runs past the bytes read. */
class ThriftEnd extends Error {}
class ThriftBad extends Error {}

/** The fields of a PageHeader this check needs. */
export interface PageHeaderFields {
  /** Bytes the header itself takes. */
  headerSize: number;
  compressedSize: number;
  /** The page's CRC-32 as an unsigned number, or null where the header carries none. */
  crc: number | null;
}

const MAX_DEPTH = 32;

/** A reader of the Thrift compact protocol over bytes in memory; throws ThriftEnd when they run out. */
class Compact {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw new ThriftEnd();
    return this.bytes[this.at++];
  }

  /** An unsigned varint, exact up to 2^53 (larger ones are refused). */
  varint(): number {
    let value = 0, scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (value > Number.MAX_SAFE_INTEGER) throw new ThriftBad('a number beyond 2^53');
        return value;
      }
      scale *= 128;
    }
    throw new ThriftBad('a varint longer than 10 bytes');
  }

  /** A zigzag varint (i16, i32, i64): n/2, negated where odd. */
  zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  skip(count: number): void {
    if (count < 0 || this.at + count > this.bytes.length) throw new ThriftEnd();
    this.at += count;
  }

  /** Skips one value of compact type `type`. */
  skipValue(type: number, depth: number): void {
    if (depth > MAX_DEPTH) throw new ThriftBad('nested too deep');
    switch (type) {
      case 1: case 2: return; // a boolean held in its field header
      case 3: this.skip(1); return;
      case 4: case 5: case 6: this.varint(); return;
      case 7: this.skip(8); return;
      case 8: this.skip(this.varint()); return;
      case 9: case 10: {
        const header = this.byte();
        const size = (header >> 4) === 15 ? this.varint() : header >> 4;
        const element = header & 15;
        // Every element takes at least a byte (a boolean in a list takes one): a count beyond the bytes left is a lie.
        if (size > this.bytes.length - this.at) throw new ThriftEnd();
        for (let i = 0; i < size; i++) {
          if (element === 1 || element === 2) this.skip(1);
          else this.skipValue(element, depth + 1);
        }
        return;
      }
      case 11: {
        const size = this.varint();
        if (size === 0) return;
        const types = this.byte();
        if (2 * size > this.bytes.length - this.at) throw new ThriftEnd();
        for (let i = 0; i < size; i++) {
          this.skipValue(types >> 4, depth + 1);
          this.skipValue(types & 15, depth + 1);
        }
        return;
      }
      case 12: this.skipStruct(depth + 1); return;
      default: throw new ThriftBad(`an unknown field type ${type}`);
    }
  }

  skipStruct(depth: number): void {
    this.fields(depth, (_, type) => this.skipValue(type, depth));
  }

  /** Reads a struct's fields, handing each field's id and type to `read`, which must consume its value. */
  fields(depth: number, read: (id: number, type: number) => void): void {
    if (depth > MAX_DEPTH) throw new ThriftBad('nested too deep');
    let last = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 15;
      if (type === 0) return;
      const delta = header >> 4;
      const id = delta === 0 ? this.zigzag() : last + delta;
      last = id;
      read(id, type);
    }
  }
}

/**
 * Reads the PageHeader at the start of `bytes`. Answers null where the bytes end before the header does (the
 * caller reads more); throws Error with what is wrong where the header is not one.
 */
export function readPageHeader(bytes: Uint8Array): PageHeaderFields | null {
  const r = new Compact(bytes);
  let compressedSize: number | null = null, crc: number | null = null, type: number | null = null;
  try {
    r.fields(0, (id, fieldType) => {
      if ((id === 1 || id === 3 || id === 4) && fieldType === 5) {
        const value = r.zigzag();
        if (id === 1) type = value;
        else if (id === 3) compressedSize = value;
        else crc = value >>> 0;
      } else r.skipValue(fieldType, 0);
    });
  } catch (e) {
    if (e instanceof ThriftEnd) return null;
    if (e instanceof ThriftBad) throw new Error(`its header is not a Parquet page header (${e.message})`);
    throw e;
  }
  if (type === null || compressedSize === null) throw new Error('its header is not a Parquet page header (no page type or size)');
  return { headerSize: r.at, compressedSize, crc };
}

/** The first read of a page header; most are a few dozen bytes, those with statistics of long text larger. */
const FIRST_READ = 1024;
/** No page header is larger (statistics are bounded by writers far below this). */
const MAX_HEADER = 16 << 20;
/** Page bytes pass through crc32 in pieces of this size. */
const PIECE = 1 << 20;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Checks the page checksums of the column chunks of one Parquet file. Answers what is wrong with the first page
 * that fails (a checksum that does not match, or a header whose sizes run past its chunk or the file), or null.
 * Stops early (answering null) when `signal` aborts.
 */
export async function parquetPagesProblem(path: string, chunks: readonly ParquetChunk[], signal?: AbortSignal): Promise<string | null> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch {
    return null; // DuckDB says what is wrong with a file it cannot open
  }
  try {
    const length = (await file.stat()).size;
    const piece = Buffer.allocUnsafe(PIECE);
    const readAt = async (into: Buffer, count: number, at: number): Promise<number> => {
      let got = 0;
      while (got < count) {
        const { bytesRead } = await file.read(into, got, count - got, at + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got;
    };
    for (const chunk of chunks) {
      const where = `column "${chunk.column}"`;
      const { start, size } = chunk;
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(size) || start < 0 || size < 0 || start + size > length) {
        return `${where}, row group ${chunk.rowGroup + 1}: its footer places the column's pages at bytes ${start} to ${start + size}, beyond the file's ${plural(length, 'byte')} (the file is damaged)`;
      }
      const end = start + size;
      let at = start;
      for (let page = 1; at < end; page++) {
        if (signal?.aborted) return null;
        const named = `${where}, page ${page} of its row group ${chunk.rowGroup + 1}`;
        // The header: read a little, more where it runs on, never past the chunk or a fixed bound.
        let header: PageHeaderFields | null = null;
        for (let want = Math.min(FIRST_READ, end - at); ; want = Math.min(want * 4, end - at, MAX_HEADER)) {
          const bytes = want <= piece.length ? piece : Buffer.allocUnsafe(want);
          const got = await readAt(bytes, want, at);
          try {
            header = readPageHeader(bytes.subarray(0, got));
          } catch (e) {
            return `${named}: ${(e as Error).message} (the file is damaged)`;
          }
          if (header || got < want || want >= end - at || want >= MAX_HEADER) break;
        }
        if (!header) return `${named}: its header runs past the end of the column's pages (the file is damaged)`;
        const { headerSize, compressedSize, crc } = header;
        const body = at + headerSize;
        if (compressedSize < 0 || body + compressedSize > end) {
          return `${named}: its header says ${plural(compressedSize, 'byte')}, beyond the end of the column's pages (the file is damaged)`;
        }
        if (crc !== null) {
          let sum = 0;
          for (let done = 0; done < compressedSize;) {
            if (signal?.aborted) return null;
            const count = Math.min(PIECE, compressedSize - done);
            const got = await readAt(piece, count, body + done);
            if (got < count) return `${named}: the file ends inside the page (it is cut short)`;
            sum = crc32(piece.subarray(0, count), sum);
            done += count;
          }
          if (sum >>> 0 !== crc) return `${named}: the page checksum does not match (the file is damaged)`;
        }
        at = body + compressedSize;
      }
    }
    return null;
  } finally {
    await file.close();
  }
}
