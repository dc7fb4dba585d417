// K networks of one architecture as one network that averages them: the hidden layers side by side (the first
// reads the shared inputs, the deeper ones block-diagonal, so member k's units see only member k's), and an output
// layer whose pre-activation is the mean of the members' (ĥ = (1/K) Σₖ hₖ). For a regression that is the mean
// prediction; for classes it is the mean of the logits (the normalized geometric mean of the probabilities). The
// result is a plain network: the model file, predict and every export take it as they take any other.
import { BackpropError } from '../core/errors.js';
import type { Kernels } from '../core/kernels.js';
import { Network } from './network.js';

export function averageNetworks(members: readonly Network[], options: { kernels?: Kernels } = {}): Network {
  if (members.length === 0) throw new BackpropError('averageNetworks: expected at least one network');
  const first = members[0];
  const K = members.length;
  const shape = (n: Network): string => JSON.stringify({ ...n.spec, seed: 0 });
  for (const m of members) {
    if (shape(m) !== shape(first)) throw new BackpropError('averageNetworks: every network needs the same inputs, layers, loss and dtype');
  }
  const last = first.layers.length - 1;
  const merged = new Network({
    ...first.spec,
    layers: first.spec.layers.map((l, i) => ({ ...l, units: i === last ? l.units : l.units * K })),
  }, { kernels: options.kernels ?? first.kernels });
  merged.layers.forEach((layer, i) => {
    const W = layer.W.data, b = layer.b?.data;
    W.fill(0);
    b?.fill(0);
    members.forEach((m, k) => {
      const src = m.layers[i], S = src.W.data, u = src.units, n = src.inputs;
      // Member k's block: rows of its inputs (all of them for the first layer), columns of its units (all outputs for the last).
      const rowOffset = i === 0 ? 0 : k * n, colOffset = i === last ? 0 : k * u, scale = i === last ? 1 / K : 1;
      for (let r = 0; r < n; r++) for (let c = 0; c < u; c++) W[(rowOffset + r) * layer.units + colOffset + c] = S[r * u + c] * scale;
      if (b && src.b) for (let c = 0; c < u; c++) b[colOffset + c] += src.b.data[c] * scale;
    });
  });
  return merged;
}
