// Where a command's data comes from: a CSV file, "-" for standard input, or a built-in data set by name.
import { existsSync, readFileSync } from 'node:fs';
import { generate, SYNTHETIC_NAMES, type SyntheticName } from '../data/synthetic.js';
import type { TextTable } from '../data/columns.js';
import { BUILTIN_DESCRIPTIONS, BUILTIN_NAMES, builtinPath, type BuiltinName } from '../node/datasets.js';
import { parseTable, readTableFile } from './table.js';
import { BackpropError } from '../core/errors.js';

export const SYNTHETIC_DESCRIPTIONS: Record<SyntheticName, string> = {
  xor: 'two classes in opposite quadrants (2-D, seeded)',
  circle: 'a disc inside a ring (2-D, seeded)',
  gauss: 'two Gaussian clouds (2-D, seeded)',
  spiral: 'two interleaved spirals (2-D, seeded)',
  moons: 'two interleaved half circles (2-D, seeded)',
  plane: 'regression: a tilted plane (2-D, seeded)',
};

export const DATASET_NAMES: readonly string[] = [...BUILTIN_NAMES, ...SYNTHETIC_NAMES];

export function describeDatasets(): [string, string][] {
  return [
    ...BUILTIN_NAMES.map((n): [string, string] => [n, BUILTIN_DESCRIPTIONS[n]]),
    ...SYNTHETIC_NAMES.map((n): [string, string] => [n, SYNTHETIC_DESCRIPTIONS[n]]),
  ];
}

export interface SyntheticOptions {
  samples?: number;
  noise?: number;
  seed?: number;
}

/** A file wins over a built-in name, so a file called "iris" in the current folder is read as a file. */
export function loadTable(spec: string, synthetic: SyntheticOptions = {}): TextTable {
  if (spec === '-' || existsSync(spec)) return readTableFile(spec);
  if (BUILTIN_NAMES.includes(spec as BuiltinName)) return parseTable(readFileSync(builtinPath(spec as BuiltinName)), spec);
  if (SYNTHETIC_NAMES.includes(spec as SyntheticName)) {
    const d = generate(spec as SyntheticName, { samples: synthetic.samples ?? 300, noise: synthetic.noise ?? 0.1, seed: synthetic.seed ?? 1 });
    const target = d.task === 'regression' ? 'value' : 'label';
    return {
      source: spec,
      header: ['x1', 'x2', target],
      rows: d.x.map((r, i) => [String(r[0]), String(r[1]), String(d.y[i][0])]),
      lines: d.x.map((_, i) => i + 2),
    };
  }
  throw new BackpropError(`${spec}: no such file, and not a built-in data set (${DATASET_NAMES.join(', ')})`);
}
