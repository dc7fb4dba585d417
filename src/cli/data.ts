// Where a command's data comes from: a CSV file, "-" for standard input, or a built-in data set by name.
import { existsSync, readFileSync } from 'node:fs';
import { generate, SYNTHETIC_NAMES, type SyntheticName } from '../data/synthetic.js';
import { frameFromTable } from '../data/columns.js';
import type { DataFrame } from '../data/frame.js';
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

/** A data file ("-" for standard input) as columns. */
export function readDataFile(path: string): DataFrame {
  return frameFromTable(readTableFile(path));
}

/**
 * The data a command reads, as columns: a CSV file ("-" for standard input), a built-in data set, or a seeded
 * synthetic one. A file wins over a built-in name, so a file called "iris" in the current folder is read as a file.
 */
export function loadFrame(spec: string, synthetic: SyntheticOptions = {}): DataFrame {
  if (spec === '-' || existsSync(spec)) return readDataFile(spec);
  if (BUILTIN_NAMES.includes(spec as BuiltinName)) return frameFromTable(parseTable(readFileSync(builtinPath(spec as BuiltinName)), spec));
  if (SYNTHETIC_NAMES.includes(spec as SyntheticName)) {
    const d = generate(spec as SyntheticName, { samples: synthetic.samples ?? 300, noise: synthetic.noise ?? 0.1, seed: synthetic.seed ?? 1 });
    const values = (j: number): Float64Array => Float64Array.from(d.x, (r) => r[j]);
    return {
      source: spec,
      rows: d.x.length,
      columns: [
        { name: 'x1', kind: 'numeric', values: values(0) },
        { name: 'x2', kind: 'numeric', values: values(1) },
        { name: d.task === 'regression' ? 'value' : 'label', kind: 'numeric', values: Float64Array.from(d.y, (r) => r[0]) },
      ],
      where: (row) => `row ${row + 1}`,
    };
  }
  throw new BackpropError(`${spec}: no such file, and not a built-in data set (${DATASET_NAMES.join(', ')})`);
}
