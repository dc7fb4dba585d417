// A regression's values in its target's own units: the network's output un-standardized with the scaling fitted on
// the training rows (a table's), or as it is (a generated set's), and written as the command line writes numbers.
import type { Problem } from './problem.js';

/** The target's name and the output's value in its units: a table's target was standardized, a generated set's was not. */
export function targetUnits(problem: Problem): { name: string; value: (v: number) => number } {
  const target = problem.table?.prep.target;
  const scale = target?.task === 'regression' ? target.scale : undefined;
  return { name: target?.name ?? 'value', value: scale ? (v) => v * scale.std + scale.mean : (v) => v };
}

/** A value in the target's units: four significant digits, thousands grouped (8,843), very large or small ones in e-notation. */
export function unitsText(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e15)) return v.toPrecision(4);
  return Number(v.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 20 });
}
