// K networks of one architecture as one network that averages them: the hidden layers side by side (the first
// reads the shared inputs, the deeper ones block-diagonal, so member k's units see only member k's), and an output
// layer whose pre-activation is the mean of the members' (ĥ = (1/K) Σₖ hₖ). For a regression that is the mean
// prediction; for classes it is the mean of the logits (the normalized geometric mean of the probabilities). The
// result is a plain network: the model file, predict and every export take it as they take any other. Members may
// read different inputs of one vector (`inputs`): a member's first-layer row r then lands on merged input rows[r],
// and the inputs it does not read get zero weights from its units.
import { BackpropError } from '../core/errors.js';
import type { Kernels } from '../core/kernels.js';
import { Network } from './network.js';
import type { NetworkSpec } from './spec.js';

/** The spec of the average of K networks of one spec on `width` inputs: every hidden layer K times as wide. */
export function averageSpec(spec: NetworkSpec, K: number, width: number): NetworkSpec {
  const last = spec.layers.length - 1;
  return { ...spec, inputs: width, layers: spec.layers.map((l, i) => ({ ...l, units: i === last ? l.units : l.units * K })) };
}

export interface AverageOptions {
  kernels?: Kernels;
  /** The merged network's inputs, and for each member where its inputs are among them (null: the same inputs, in order). */
  inputs?: { width: number; rows: readonly (readonly number[] | null)[] };
}

export function averageNetworks(members: readonly Network[], options: AverageOptions = {}): Network {
  if (members.length === 0) throw new BackpropError('averageNetworks: expected at least one network');
  const first = members[0];
  const K = members.length;
  const width = options.inputs?.width ?? first.inputs;
  const rowsOf = (k: number): readonly number[] | null => options.inputs?.rows[k] ?? null;
  const shape = (n: Network): string => JSON.stringify({ ...n.spec, inputs: 0, seed: 0 });
  members.forEach((m, k) => {
    if (shape(m) !== shape(first)) throw new BackpropError('averageNetworks: every network needs the same layers, loss and dtype');
    const rows = rowsOf(k);
    if (rows ? rows.length !== m.inputs || rows.some((r) => !(Number.isInteger(r) && r >= 0 && r < width)) : m.inputs !== width) {
      throw new BackpropError(`averageNetworks: network ${k + 1}'s ${m.inputs} inputs are not among the ${width} inputs of the average`);
    }
  });
  const last = first.layers.length - 1;
  const merged = new Network(averageSpec(first.spec, K, width), { kernels: options.kernels ?? first.kernels });
  merged.layers.forEach((layer, i) => {
    const W = layer.W.data, b = layer.b?.data;
    W.fill(0);
    b?.fill(0);
    members.forEach((m, k) => {
      const src = m.layers[i], S = src.W.data, u = src.units, n = src.inputs;
      // Member k's block: rows of its inputs (the first layer's where they are among the merged inputs), columns of
      // its units (all outputs for the last).
      const rows = i === 0 ? rowsOf(k) : null;
      const rowOffset = i === 0 ? 0 : k * n, colOffset = i === last ? 0 : k * u, scale = i === last ? 1 / K : 1;
      for (let r = 0; r < n; r++) {
        const to = rows ? rows[r] : rowOffset + r;
        for (let c = 0; c < u; c++) W[to * layer.units + colOffset + c] = S[r * u + c] * scale;
      }
      if (b && src.b) for (let c = 0; c < u; c++) b[colOffset + c] += src.b.data[c] * scale;
    });
  });
  return merged;
}
