// Activations, softmax and losses. Exponentials are taken in f64, as the reference takes them, so the
// two backends differ only by the f32 rounding of what they store.

/** a = σ(h) = 1 / (1 + e^−h), in the form that never overflows */
export function sigmoid(n: i32, h: usize, a: usize): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const x = <f64>load<f32>(h + at);
    let y: f64;
    if (x >= 0) y = 1 / (1 + Math.exp(-x));
    else {
      const e = Math.exp(x);
      y = e / (1 + e);
    }
    store<f32>(a + at, <f32>y);
  }
}

/** a = tanh(h) */
export function tanh(n: i32, h: usize, a: usize): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(a + at, <f32>Math.tanh(<f64>load<f32>(h + at)));
  }
}

/** a = h > 0 ? h : slope·h */
export function leakyRelu(n: i32, h: usize, a: usize, slope: f32): void {
  const vs = f32x4.splat(slope), zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const x = v128.load(h + at);
    v128.store(a + at, v128.bitselect(x, f32x4.mul(vs, x), f32x4.gt(x, zero)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const x = load<f32>(h + at);
    store<f32>(a + at, x > 0 ? x : slope * x);
  }
}

/**
 * out = g ⊙ f′, with f′ from a for sigmoid (a(1 − a), kind 0) and tanh (1 − a², kind 1), from h for leaky relu
 * (1 or slope, kind 2), and 1 for linear (kind 3).
 */
export function activationBackward(kind: i32, n: i32, h: usize, a: usize, g: usize, out: usize, slope: f32): void {
  const one = f32x4.splat(1), zero = f32x4.splat(0), vs = f32x4.splat(slope);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const grad = v128.load(g + at);
    let d: v128;
    if (kind == 0) {
      const y = v128.load(a + at);
      d = f32x4.mul(y, f32x4.sub(one, y));
    } else if (kind == 1) {
      const y = v128.load(a + at);
      d = f32x4.sub(one, f32x4.mul(y, y));
    } else if (kind == 2) {
      d = v128.bitselect(one, vs, f32x4.gt(v128.load(h + at), zero));
    } else {
      d = one;
    }
    v128.store(out + at, f32x4.mul(grad, d));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const y = load<f32>(a + at);
    const d: f32 = kind == 0 ? y * (1 - y) : kind == 1 ? 1 - y * y : kind == 2 ? (load<f32>(h + at) > 0 ? 1 : slope) : 1;
    store<f32>(out + at, load<f32>(g + at) * d);
  }
}

/**
 * e^x for four f32 lanes at once, x ≤ 0 (softmax's x − max): x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 in two parts,
 * so r is exact), e^r by Cephes' degree-6 polynomial, times 2ⁿ built in the exponent bits; within 2 units in the
 * last place of e^x rounded to f32. Below −87.3, where e^x is under f32's smallest normal number, it gives 0.
 */
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(-87.3));
  x = f32x4.max(x, f32x4.splat(-87.3));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(p, scale), tiny);
}

/** Writes e^(x − max) of every row of x into out (rows × cols), then scales each row to sum to 1. */
function softmaxRows(rows: i32, cols: i32, x: usize, out: usize): void {
  // x − (its row's max) for every element, then e^ of the whole matrix four at a time, then each row's sum.
  for (let r = 0; r < rows; r++) {
    const src = x + ((<usize>r * cols) << 2), dst = out + ((<usize>r * cols) << 2);
    let max: f32 = -Infinity;
    for (let j = 0; j < cols; j++) max = Mathf.max(max, load<f32>(src + (<usize>j << 2)));
    for (let j = 0; j < cols; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)) - max);
  }
  const n = rows * cols;
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), exp4(v128.load(out + (<usize>i << 2))));
  // The last one to three values one at a time, through the same vector code, so they round as the others do.
  for (; i < n; i++) {
    const at = out + (<usize>i << 2);
    store<f32>(at, f32x4.extract_lane(exp4(f32x4.splat(load<f32>(at))), 0));
  }
  for (let r = 0; r < rows; r++) {
    const row = out + ((<usize>r * cols) << 2);
    let sum: f32 = 0;
    for (let j = 0; j < cols; j++) sum += load<f32>(row + (<usize>j << 2));
    const inverse: f32 = 1 / sum;
    for (let j = 0; j < cols; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) * inverse);
  }
}

/** out = softmax(x) row by row, as exp(x − max) / Σ exp(x − max) */
export function softmax(rows: i32, cols: i32, x: usize, out: usize): void {
  softmaxRows(rows, cols, x, out);
}

/**
 * The output of softmax with categorical cross-entropy in one call: a = softmax(h), δ = y − a (the error term the
 * pair's Jacobian collapses to), and the loss Σ −y log a (a kept from 0 and 1 by 1e-12, as the reference does).
 */
export function softmaxCrossEntropy(rows: i32, cols: i32, h: usize, y: usize, a: usize, delta: usize): f64 {
  softmaxRows(rows, cols, h, a);
  const n = rows * cols;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(delta + at, f32x4.sub(v128.load(y + at), v128.load(a + at)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(delta + at, load<f32>(y + at) - load<f32>(a + at));
  }
  let loss: f64 = 0;
  for (let j = 0; j < n; j++) {
    const t = <f64>load<f32>(y + (<usize>j << 2));
    if (t != 0) loss -= t * Math.log(Math.min(Math.max(<f64>load<f32>(a + (<usize>j << 2)), 1e-12), 1 - 1e-12));
  }
  return loss;
}

/** out = a ⊙ (g − g·a) row by row */
export function softmaxBackward(rows: i32, cols: i32, a: usize, g: usize, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const base = <usize>r * cols << 2;
    let dot: f64 = 0;
    for (let j = 0; j < cols; j++) dot += <f64>load<f32>(g + base + (<usize>j << 2)) * <f64>load<f32>(a + base + (<usize>j << 2));
    for (let j = 0; j < cols; j++) {
      const at = base + (<usize>j << 2);
      store<f32>(out + at, <f32>(<f64>load<f32>(a + at) * (<f64>load<f32>(g + at) - dot)));
    }
  }
}

/** Σ E over all elements, for mse ½(y − ŷ)² (kind 0), binary cross-entropy from h (kind 1), categorical −y log ŷ (kind 2) */
export function lossSum(kind: i32, n: i32, y: usize, yHat: usize, h: usize): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const t = <f64>load<f32>(y + at);
    if (kind == 0) {
      const d = t - <f64>load<f32>(yHat + at);
      sum += 0.5 * d * d;
    } else if (kind == 1) {
      const x = <f64>load<f32>(h + at);
      sum += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
    } else if (t != 0) {
      sum += -t * Math.log(Math.min(Math.max(<f64>load<f32>(yHat + at), 1e-12), 1 - 1e-12));
    }
  }
  return sum;
}

/**
 * Σ x² (kind 0) or Σ |x| (kind 1), accumulated in f64: eight values a step into four pairs of partial sums, so the
 * adds do not wait on one another (a single running sum waited on each add's latency: 4 µs for 3,300 weights, paid
 * every step by the L2 penalty). Each term is exact in f64; only the order of the adds differs from the reference's.
 */
export function reduce(kind: i32, n: i32, x: usize): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const at = x + (<usize>i << 2);
    const a = v128.load(at), b = v128.load(at + 16);
    let a0 = f64x2.promote_low_f32x4(a), a1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(a, a, 2, 3, 0, 1));
    let b0 = f64x2.promote_low_f32x4(b), b1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(b, b, 2, 3, 0, 1));
    if (kind == 0) {
      a0 = f64x2.mul(a0, a0);
      a1 = f64x2.mul(a1, a1);
      b0 = f64x2.mul(b0, b0);
      b1 = f64x2.mul(b1, b1);
    } else {
      a0 = f64x2.abs(a0);
      a1 = f64x2.abs(a1);
      b0 = f64x2.abs(b0);
      b1 = f64x2.abs(b1);
    }
    s0 = f64x2.add(s0, a0);
    s1 = f64x2.add(s1, a1);
    s2 = f64x2.add(s2, b0);
    s3 = f64x2.add(s3, b1);
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let sum: f64 = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    sum += kind == 0 ? v * v : Math.abs(v);
  }
  return sum;
}
