// The seeds' per-example loop fused into one call: for each example, the forward pass, the output error
// term, the hidden error terms carried back through the weights, and the weight steps ΔW = η·δ·x, layer by
// layer, with nothing crossing back to JavaScript in between. Tiny networks spend their time here, not on calls.

// Activation kinds: 0 sigmoid, 1 tanh, 2 relu, 3 leaky relu, 4 linear, 5 softmax (output only).
// Loss kinds: 0 mse, 1 binary cross-entropy (sigmoid output), 2 categorical cross-entropy (softmax output).
/** Per layer in the spec: inputs, units, activation kind, W pointer, b pointer (0 without a bias). */
const FIELDS: i32 = 5;

@inline function activate(kind: i32, x: f32, slope: f32): f32 {
  if (kind == 0) {
    const v = <f64>x;
    if (v >= 0) return <f32>(1 / (1 + Math.exp(-v)));
    const e = Math.exp(v);
    return <f32>(e / (1 + e));
  }
  if (kind == 1) return <f32>Math.tanh(<f64>x);
  if (kind == 2) return x > 0 ? x : 0;
  if (kind == 3) return x > 0 ? x : slope * x;
  return x;
}

@inline function derivative(kind: i32, h: f32, a: f32, slope: f32): f32 {
  if (kind == 0) return a * (1 - a);
  if (kind == 1) return 1 - a * a;
  if (kind == 2) return h > 0 ? 1 : 0;
  if (kind == 3) return h > 0 ? 1 : slope;
  return 1;
}

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/**
 * Trains on rows order[0..count) of x (inputs wide) and y (outputs wide), one example at a time, with step
 * size lr and leaky relu slope `slope`. scratch holds 3 × width floats per layer. Returns the sum of each example's loss before its step,
 * and writes at `correct` how many examples the network classified right before their step.
 */
export function trainExamples(layers: i32, spec: usize, lossKind: i32, x: usize, y: usize, order: usize, count: i32,
  inputs: i32, outputs: i32, lr: f32, slope: f32, scratch: usize, width: i32, correct: usize): f64 {
  let total: f64 = 0;
  let right = 0;
  const last = layers - 1;
  for (let e = 0; e < count; e++) {
    const row = load<i32>(at(order, e));
    const xRow = x + ((<usize>row * inputs) << 2);
    const yRow = y + ((<usize>row * outputs) << 2);
    // Forward: h = in·W + b, a = f(h), layer by layer.
    for (let l = 0; l < layers; l++) {
      const s = spec + <usize>(l * FIELDS * 4);
      const nIn = load<i32>(s), units = load<i32>(s, 4), kind = load<i32>(s, 8);
      const W = <usize>load<i32>(s, 12), b = <usize>load<i32>(s, 16);
      const input = l == 0 ? xRow : scratch + <usize>(((l - 1) * 3 + 1) * width * 4);
      const h = scratch + <usize>(l * 3 * width * 4), a = h + <usize>(width * 4);
      for (let j = 0; j < units; j++) store<f32>(at(h, j), b ? load<f32>(at(b, j)) : 0);
      for (let i = 0; i < nIn; i++) {
        const v = load<f32>(at(input, i));
        const wRow = W + ((<usize>i * units) << 2);
        for (let j = 0; j < units; j++) store<f32>(at(h, j), load<f32>(at(h, j)) + v * load<f32>(at(wRow, j)));
      }
      if (kind == 5) {
        let max: f32 = -Infinity;
        for (let j = 0; j < units; j++) max = Mathf.max(max, load<f32>(at(h, j)));
        let sum: f64 = 0;
        for (let j = 0; j < units; j++) {
          const ex = <f32>Math.exp(<f64>load<f32>(at(h, j)) - <f64>max);
          store<f32>(at(a, j), ex);
          sum += <f64>ex;
        }
        for (let j = 0; j < units; j++) store<f32>(at(a, j), <f32>(<f64>load<f32>(at(a, j)) / sum));
      } else {
        for (let j = 0; j < units; j++) store<f32>(at(a, j), activate(kind, load<f32>(at(h, j)), slope));
      }
    }
    // The loss, the output error term δᵒ = −∂E/∂h, and whether the class was right.
    const os = spec + <usize>(last * FIELDS * 4);
    const outKind = load<i32>(os, 8);
    const hOut = scratch + <usize>(last * 3 * width * 4), aOut = hOut + <usize>(width * 4), dOut = aOut + <usize>(width * 4);
    let best = 0, target = 0;
    for (let k = 0; k < outputs; k++) {
      const t = load<f32>(at(yRow, k)), p = load<f32>(at(aOut, k)), hk = load<f32>(at(hOut, k));
      if (lossKind == 0) {
        const d = <f64>t - <f64>p;
        total += 0.5 * d * d;
        store<f32>(at(dOut, k), (t - p) * derivative(outKind, hk, p, slope));
      } else if (lossKind == 1) {
        const v = <f64>hk;
        total += Math.max(v, 0) - v * <f64>t + Math.log1p(Math.exp(-Math.abs(v)));
        store<f32>(at(dOut, k), t - p);
      } else {
        if (t != 0) total += -<f64>t * Math.log(Math.min(Math.max(<f64>p, 1e-12), 1 - 1e-12));
        store<f32>(at(dOut, k), t - p);
      }
      if (p > load<f32>(at(aOut, best))) best = k;
      if (t > load<f32>(at(yRow, target))) target = k;
    }
    if (outputs == 1 ? (load<f32>(aOut) > 0.5) == (load<f32>(yRow) > 0.5) : best == target) right++;
    // Backward, top down: the error for the layer below (with this layer's weights before their step),
    // then this layer's step ΔW = η·δ·in, Δb = η·δ.
    for (let l = last; l >= 0; l--) {
      const s = spec + <usize>(l * FIELDS * 4);
      const nIn = load<i32>(s), units = load<i32>(s, 4);
      const W = <usize>load<i32>(s, 12), b = <usize>load<i32>(s, 16);
      const delta = scratch + <usize>((l * 3 + 2) * width * 4);
      const input = l == 0 ? xRow : scratch + <usize>(((l - 1) * 3 + 1) * width * 4);
      if (l > 0) {
        const below = scratch + <usize>((l - 1) * 3 * width * 4);
        const belowKind = load<i32>(spec + <usize>((l - 1) * FIELDS * 4), 8);
        const belowDelta = below + <usize>(2 * width * 4);
        for (let i = 0; i < nIn; i++) {
          const wRow = W + ((<usize>i * units) << 2);
          let sum: f32 = 0;
          for (let j = 0; j < units; j++) sum += load<f32>(at(wRow, j)) * load<f32>(at(delta, j));
          // δʰᵢ = (Σⱼ Wᵢⱼ δⱼ) · f′(hᵢ)
          store<f32>(at(belowDelta, i), sum * derivative(belowKind, load<f32>(at(below, i)), load<f32>(at(below + <usize>(width * 4), i)), slope));
        }
      }
      for (let i = 0; i < nIn; i++) {
        const step = lr * load<f32>(at(input, i));
        const wRow = W + ((<usize>i * units) << 2);
        for (let j = 0; j < units; j++) store<f32>(at(wRow, j), load<f32>(at(wRow, j)) + step * load<f32>(at(delta, j)));
      }
      if (b) for (let j = 0; j < units; j++) store<f32>(at(b, j), load<f32>(at(b, j)) + lr * load<f32>(at(delta, j)));
    }
  }
  store<i32>(correct, right);
  return total;
}
