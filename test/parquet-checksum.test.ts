// Parquet page checksums: a page header may carry the CRC-32 of the page's bytes (PageHeader field 4). DuckDB
// neither writes nor checks them, so the files here are written by a minimal Parquet writer of this test's own
// (two DOUBLE columns, PLAIN encoding, uncompressed, one row group, three data pages a column, a crc on every
// page where asked, and a correct footer), which DuckDB reads. Damaged copies are then read through the CLI,
// whole and --stream.
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { backprop, tempDir } from './cli-helpers.js';
import { parquetPagesProblem, readPageHeader } from '../src/node/readers/parquet-pages.js';

const dir = tempDir();

/** A Thrift compact-protocol writer: just what a Parquet footer and page headers need. */
class Thrift {
  bytes: number[] = [];
  private last: number[] = [0];

  varint(n: number): this {
    let v = BigInt(n);
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      this.bytes.push(b);
    } while (v > 0n);
    return this;
  }

  zigzag(n: number): this {
    const v = BigInt(n);
    return this.varint(Number(v >= 0n ? v * 2n : -v * 2n - 1n));
  }

  field(id: number, type: number): this {
    const last = this.last[this.last.length - 1];
    const delta = id - last;
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type);
    else {
      this.bytes.push(type);
      this.zigzag(id);
    }
    this.last[this.last.length - 1] = id;
    return this;
  }

  i32(id: number, v: number): this {
    return this.field(id, 5).zigzag(v);
  }

  i64(id: number, v: number): this {
    return this.field(id, 6).zigzag(v);
  }

  string(id: number, s: string): this {
    const b = Buffer.from(s);
    this.field(id, 8).varint(b.length);
    this.bytes.push(...b);
    return this;
  }

  struct(id: number, body: (t: this) => void): this {
    this.field(id, 12);
    this.last.push(0);
    body(this);
    return this.stop();
  }

  /** A list of structs (type 12) or of i32s (type 5) or strings (type 8). */
  list<T>(id: number, type: number, items: T[], each: (t: this, item: T) => void): this {
    this.field(id, 9);
    if (items.length < 15) this.bytes.push((items.length << 4) | type);
    else this.bytes.push(0xf0 | type), this.varint(items.length);
    for (const item of items) {
      if (type === 12) {
        this.last.push(0);
        each(this, item);
        this.stop();
      } else each(this, item);
    }
    return this;
  }

  stop(): this {
    this.bytes.push(0);
    this.last.pop();
    return this;
  }
}

/** Column x (a feature) and label (0 or 1 by x's sign): the CLI trains on it with the default target. */
function table(rows: number): { names: string[]; columns: number[][] } {
  const x = Array.from({ length: rows }, (_, i) => Math.round((i / rows * 4 - 2 + 0.001) * 1000) / 1000);
  return { names: ['x', 'label'], columns: [x, x.map((v) => (v > 0 ? 1 : 0))] };
}

/** A valid Parquet file of `columns` (DOUBLE, required), three PLAIN data pages a column, crc on each if asked. */
function parquet(names: string[], columns: number[][], withCrc: boolean): Buffer {
  const parts: Buffer[] = [Buffer.from('PAR1')];
  let at = 4;
  const rows = columns[0].length;
  const chunks: { offset: number; size: number }[] = [];
  for (const values of columns) {
    const offset = at;
    const cuts = [0, Math.floor(rows / 3), Math.floor((2 * rows) / 3), rows];
    for (let p = 0; p < 3; p++) {
      const page = Buffer.alloc(8 * (cuts[p + 1] - cuts[p]));
      for (let i = cuts[p]; i < cuts[p + 1]; i++) page.writeDoubleLE(values[i], 8 * (i - cuts[p]));
      const header = new Thrift().i32(1, 0).i32(2, page.length).i32(3, page.length);
      if (withCrc) header.i32(4, crc32(page) | 0);
      header.struct(5, (t) => t.i32(1, cuts[p + 1] - cuts[p]).i32(2, 0).i32(3, 3).i32(4, 3)).stop();
      const h = Buffer.from(header.bytes);
      parts.push(h, page);
      at += h.length + page.length;
    }
    chunks.push({ offset, size: at - offset });
  }
  const footer = new Thrift()
    .i32(1, 1)
    .list(2, 12, [null, ...names], (t, name) => {
      if (name === null) t.string(4, 'schema').i32(5, names.length);
      else t.i32(1, 5).i32(3, 0).string(4, name);
    })
    .i64(3, rows)
    .list(4, 12, [0], (t) => {
      t.list(1, 12, names.map((name, j) => ({ name, ...chunks[j] })), (c, { name, offset, size }) => {
        c.i64(2, offset).struct(3, (m) => {
          m.i32(1, 5).list(2, 5, [0], (l, e) => l.zigzag(e)).list(3, 8, [name], (l, s) => {
            const b = Buffer.from(s);
            l.varint(b.length);
            l.bytes.push(...b);
          });
          m.i32(4, 0).i64(5, rows).i64(6, size).i64(7, size).i64(9, offset);
        });
      });
      t.i64(2, chunks.reduce((s, c) => s + c.size, 0)).i64(3, rows);
    })
    .stop();
  const f = Buffer.from(footer.bytes);
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(f.length, 0);
  tail.write('PAR1', 4);
  return Buffer.concat([...parts, f, tail]);
}

const { names, columns } = table(600);
const good = join(dir, 'good.parquet');
writeFileSync(good, parquet(names, columns, true));
const plain = join(dir, 'plain.parquet');
writeFileSync(plain, parquet(names, columns, false));

/** Where a page's values start in the file: column `c`, page `p` (from 1), by walking the headers. */
function pageAt(file: Buffer, c: number, p: number): { header: number; body: number; size: number } {
  let at = 4;
  for (let k = 0; ; k++) {
    const h = readPageHeader(file.subarray(at))!;
    if (k === 3 * c + p - 1) return { header: at, body: at + h.headerSize, size: h.compressedSize };
    at += h.headerSize + h.compressedSize;
  }
}

/** A copy of the good file with one byte of column `c`'s page `p` changed (a value's low mantissa byte). */
function damaged(name: string, c: number, p: number): string {
  const bytes = readFileSync(good);
  const { body } = pageAt(bytes, c, p);
  bytes[body + 8] ^= 0x01; // the second value's least significant byte: a value changed, still a finite number
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const train = (data: string, stream: boolean) =>
  backprop(['train', data, '--epochs', '1', '--layers', '4', '--out', join(dir, 'model.json'), '--quiet', ...(stream ? ['--stream'] : [])]);

describe('Parquet page checksums', () => {
  it('DuckDB reads the files written here, and writes none of its own with page checksums', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    const read = (await con.runAndReadAll(`SELECT sum(x), sum(label), count(*) FROM read_parquet('${good}')`)).getRowsJS()[0];
    expect(read).toEqual([columns[0].reduce((a, b) => a + b, 0), 300, 600n].map((v, i) => (i === 0 ? expect.closeTo(v as number, 6) : v)));
    const duck = join(dir, 'duck.parquet');
    await con.run(`COPY (SELECT * FROM read_parquet('${good}')) TO '${duck}' (FORMAT parquet, COMPRESSION uncompressed)`);
    const meta = (await con.runAndReadAll(`SELECT coalesce(dictionary_page_offset, data_page_offset) FROM parquet_metadata('${duck}')`)).getRowsJS();
    con.closeSync();
    instance.closeSync();
    const bytes = readFileSync(duck);
    for (const [offset] of meta) expect(readPageHeader(bytes.subarray(Number(offset)))!.crc).toBeNull();
  }, 60_000);

  for (const stream of [false, true]) {
    const how = stream ? 'streamed' : 'whole';
    it(`${how}: a file whose pages carry checksums reads`, () => {
      const r = train(good, stream);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }, 60_000);

    it(`${how}: one byte of a page's values changed is one line naming the file, the column and the page`, () => {
      const path = damaged(`bad-${how}.parquet`, 1, 3);
      const r = train(path, stream);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`backprop: ${path}: column "label", page 3 of its row group 1: the page checksum does not match (the file is damaged)\n`);
    }, 60_000);

    it(`${how}: a file without checksums reads (it cannot be verified)`, () => {
      const r = train(plain, stream);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }, 60_000);

    it(`${how}: a page header whose size runs past the file is one line, without a hang`, () => {
      const bytes = readFileSync(good);
      const { header } = pageAt(bytes, 0, 2);
      // Rewrite the page's header with a compressed size far beyond the file (same layout otherwise).
      const old = readPageHeader(bytes.subarray(header))!;
      const lie = new Thrift().i32(1, 0).i32(2, 0x7fffffff).i32(3, 0x7fffffff).i32(4, old.crc! | 0)
        .struct(5, (t) => t.i32(1, 200).i32(2, 0).i32(3, 3).i32(4, 3)).stop();
      const path = join(dir, `lying-${how}.parquet`);
      writeFileSync(path, Buffer.concat([bytes.subarray(0, header), Buffer.from(lie.bytes), bytes.subarray(header + old.headerSize)]));
      const started = Date.now();
      const r = train(path, stream);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.stderr).toMatch(new RegExp(`^backprop: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: column "x", page 2 of its row group 1: .*beyond.*\n$`));
    }, 60_000);
  }

  it('a folder of Parquet files: the damaged one is named', () => {
    const folder = join(dir, 'parts');
    mkdirSync(folder);
    copyFileSync(good, join(folder, 'a.parquet'));
    copyFileSync(damaged('bad-part.parquet', 0, 1), join(folder, 'b.parquet'));
    const r = train(folder, false);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`backprop: ${folder}: ${join(folder, 'b.parquet')}: column "x", page 1 of its row group 1: the page checksum does not match (the file is damaged)\n`);
  }, 60_000);
});

describe('page headers from a hostile file', () => {
  it('deep nesting, huge list counts and long varints end in an answer, never a hang or a stack overflow', () => {
    // A thousand nested structs (field 5, type 12), each opening the next.
    expect(() => readPageHeader(Buffer.alloc(1000, 0x5c))).toThrow(/nested too deep/);
    // A list (field 1, type 9) claiming 2^31 i32s in a few bytes: the header runs past the bytes held.
    expect(readPageHeader(Buffer.from([0x19, 0xf5, 0x80, 0x80, 0x80, 0x80, 0x08, 1, 2, 3]))).toBeNull();
    // A varint that never ends.
    expect(() => readPageHeader(Buffer.from([0x15, ...Array(20).fill(0xff), 0]))).toThrow(/varint/);
    // An unknown field type.
    expect(() => readPageHeader(Buffer.from([0x1d, 0]))).toThrow(/unknown field type/);
  });

  it('a negative page size, and a column chunk placed beyond the file, are one line each', async () => {
    const header = new Thrift().i32(1, 0).i32(2, 8).i32(3, -5).stop();
    const path = join(dir, 'negative.bin');
    writeFileSync(path, Buffer.concat([Buffer.from(header.bytes), Buffer.alloc(64)]));
    expect(await parquetPagesProblem(path, [{ column: 'x', rowGroup: 0, start: 0, size: header.bytes.length + 64 }]))
      .toBe('column "x", page 1 of its row group 1: its header says -5 bytes, beyond the end of the column\'s pages (the file is damaged)');
    expect(await parquetPagesProblem(path, [{ column: 'x', rowGroup: 0, start: 0, size: 2 ** 40 }]))
      .toMatch(/^column "x", row group 1: its footer places the column's pages at bytes 0 to 1099511627776, beyond the file's \d+ bytes/);
  });
});
