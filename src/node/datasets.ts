// The real data sets shipped in data/ (see data/README.md for their sources), loaded as numbers and labels.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { unknownName } from '../core/errors.js';
import type { Label } from '../data/encoding.js';

export type BuiltinName = 'iris' | 'digits';
export const BUILTIN_NAMES: readonly BuiltinName[] = ['iris', 'digits'];

export interface LabelledData {
  name: string;
  /** Feature column names. */
  features: string[];
  /** Target column name. */
  target: string;
  /** One row of feature values per example. */
  x: number[][];
  /** One class label per example. */
  labels: Label[];
}

export const BUILTIN_DESCRIPTIONS: Record<BuiltinName, string> = {
  iris: 'Fisher\'s iris flowers: 150 rows, 4 measurements, 3 species',
  digits: '8×8 handwritten digits (UCI): 1797 rows, 64 pixels, 10 digits',
};

/** The path of a built-in data set's CSV file. */
export function builtinPath(name: BuiltinName): string {
  return new URL(`../../data/${name}.csv`, import.meta.url).pathname;
}

/** A built-in data set by name: 'iris' or 'digits'. */
export function loadBuiltin(name: BuiltinName): LabelledData {
  if (!BUILTIN_NAMES.includes(name)) throw unknownName('data set', name, BUILTIN_NAMES);
  const rows: string[][] = parse(readFileSync(builtinPath(name), 'utf8'), { skip_empty_lines: true });
  const header = rows[0];
  const body = rows.slice(1);
  const numericTarget = body.every((r) => r[r.length - 1] !== '' && Number.isFinite(Number(r[r.length - 1])));
  return {
    name,
    features: header.slice(0, -1),
    target: header[header.length - 1],
    x: body.map((r) => r.slice(0, -1).map(Number)),
    labels: body.map((r) => (numericTarget ? Number(r[r.length - 1]) : r[r.length - 1])),
  };
}
