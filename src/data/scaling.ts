// Feature scaling fitted on training data only, then applied unchanged to validation, test and new data.
// The fitted numbers are plain data, so they travel inside a saved model.
import { BackpropError, unknownName } from '../core/errors.js';

export type ScalerKind = 'standard' | 'minmax';
export const SCALER_KINDS: readonly ScalerKind[] = ['standard', 'minmax'];

export type Scaler =
  /** x′ = (x − mean) / std per column; a constant column gets std 1, so it maps to 0. */
  | { kind: 'standard'; mean: number[]; std: number[] }
  /** x′ = (x − min) / (max − min) per column; a constant column gets a range of 1. */
  | { kind: 'minmax'; min: number[]; max: number[] };

function columns(x: readonly (readonly number[])[]): number {
  if (x.length === 0) throw new BackpropError('scaling: expected at least one row to fit on');
  return x[0].length;
}

export function fitScaler(kind: ScalerKind, x: readonly (readonly number[])[]): Scaler {
  const cols = columns(x);
  if (kind === 'standard') {
    const mean = new Array<number>(cols).fill(0);
    const std = new Array<number>(cols).fill(0);
    for (const r of x) for (let j = 0; j < cols; j++) mean[j] += r[j];
    for (let j = 0; j < cols; j++) mean[j] /= x.length;
    for (const r of x) for (let j = 0; j < cols; j++) std[j] += (r[j] - mean[j]) ** 2;
    for (let j = 0; j < cols; j++) std[j] = Math.sqrt(std[j] / x.length) || 1;
    return { kind, mean, std };
  }
  if (kind === 'minmax') {
    const min = new Array<number>(cols).fill(Infinity);
    const max = new Array<number>(cols).fill(-Infinity);
    for (const r of x) {
      for (let j = 0; j < cols; j++) {
        min[j] = Math.min(min[j], r[j]);
        max[j] = Math.max(max[j], r[j]);
      }
    }
    // A constant column gets a range of 1 (max = min + 1), so the scaler stays usable and loads from a model file.
    for (let j = 0; j < cols; j++) if (!(max[j] > min[j])) max[j] = min[j] + 1;
    return { kind, min, max };
  }
  throw unknownName('scaler', kind, SCALER_KINDS, 'scaler');
}

/** Scales one row into out (which may be the row itself). */
export function scaleRow(scaler: Scaler, row: readonly number[], out: number[] = new Array<number>(row.length)): number[] {
  for (let j = 0; j < row.length; j++) {
    out[j] = scaler.kind === 'standard'
      ? (row[j] - scaler.mean[j]) / scaler.std[j]
      : (row[j] - scaler.min[j]) / (scaler.max[j] - scaler.min[j] || 1);
  }
  return out;
}

export function applyScaler(scaler: Scaler, x: readonly (readonly number[])[]): number[][] {
  const width = scaler.kind === 'standard' ? scaler.mean.length : scaler.min.length;
  return x.map((r, i) => {
    if (r.length !== width) throw new BackpropError(`scaling: row ${i + 1} has ${r.length} values, but the scaler was fitted on ${width}`);
    return scaleRow(scaler, r);
  });
}
