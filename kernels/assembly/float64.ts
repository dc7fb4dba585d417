// The element-wise kernels a float64 network spends its time in outside the matrix products, in f64 with
// WebAssembly SIMD, two lanes at a time with a scalar tail. Each computes what the reference computes, in the
// same order, so results agree to the last bit or nearly (fused into no multiply-add: WebAssembly has none).

/** y += alpha · x */
export function axpy64(n: i32, alpha: f64, x: usize, y: usize): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    v128.store(y + at, f64x2.add(v128.load(y + at), f64x2.mul(va, v128.load(x + at))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 3;
    store<f64>(y + at, load<f64>(y + at) + alpha * load<f64>(x + at));
  }
}

/** out = x − y */
export function sub64(n: i32, x: usize, y: usize, out: usize): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    v128.store(out + at, f64x2.sub(v128.load(x + at), v128.load(y + at)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 3;
    store<f64>(out + at, load<f64>(x + at) - load<f64>(y + at));
  }
}

/** a = h for h > 0, else slope · h (slope 0: relu). NaN goes to 0·NaN = NaN for leaky relu, to 0 for relu, as in the reference. */
export function relu64(n: i32, h: usize, a: usize, slope: f64): void {
  const zero = f64x2.splat(0), vs = f64x2.splat(slope);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    const v = v128.load(h + at);
    v128.store(a + at, v128.bitselect(v, slope == 0 ? zero : f64x2.mul(vs, v), f64x2.gt(v, zero)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 3;
    const v = load<f64>(h + at);
    store<f64>(a + at, v > 0 ? v : slope == 0 ? 0 : slope * v);
  }
}

/** out = g ⊙ f′(h) for the relu family: g where h > 0, else slope · g (0 for relu) */
export function reluBackward64(n: i32, h: usize, g: usize, out: usize, slope: f64): void {
  const zero = f64x2.splat(0), vs = f64x2.splat(slope);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = <usize>i << 3;
    const vg = v128.load(g + at);
    v128.store(out + at, v128.bitselect(vg, f64x2.mul(vg, slope == 0 ? zero : vs), f64x2.gt(v128.load(h + at), zero)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 3;
    const vg = load<f64>(g + at);
    store<f64>(out + at, load<f64>(h + at) > 0 ? vg : vg * slope);
  }
}

/** m[i, :] += v for every row */
export function addRowVector64(rows: i32, cols: i32, m: usize, v: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = m + ((<usize>r * cols) << 3);
    let j = 0;
    for (; j + 2 <= cols; j += 2) {
      const at = <usize>j << 3;
      v128.store(row + at, f64x2.add(v128.load(row + at), v128.load(v + at)));
    }
    for (; j < cols; j++) {
      const at = <usize>j << 3;
      store<f64>(row + at, load<f64>(row + at) + load<f64>(v + at));
    }
  }
}

/**
 * out[j] = alpha · Σᵢ m[i, j] (beta 0 only): rows are added into out one after another, so memory is read in
 * order, and each column's terms are added in the reference's order.
 */
export function sumRows64(rows: i32, cols: i32, m: usize, out: usize, alpha: f64): void {
  memory.copy(out, m, <usize>cols << 3);
  for (let r = 1; r < rows; r++) addRowVector64(1, cols, out, m + ((<usize>r * cols) << 3));
  const va = f64x2.splat(alpha);
  let j = 0;
  for (; j + 2 <= cols; j += 2) {
    const at = out + (<usize>j << 3);
    v128.store(at, f64x2.mul(va, v128.load(at)));
  }
  for (; j < cols; j++) {
    const at = out + (<usize>j << 3);
    store<f64>(at, alpha * load<f64>(at));
  }
}

/** out[i, :] = softmax(x[i, :]) in f64, as exp(x − max) / Σ exp(x − max), in the reference's order. */
export function softmax64(rows: i32, cols: i32, x: usize, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const src = x + ((<usize>r * cols) << 3), dst = out + ((<usize>r * cols) << 3);
    let max: f64 = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, load<f64>(src + (<usize>j << 3)));
    let sum: f64 = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(load<f64>(src + (<usize>j << 3)) - max);
      store<f64>(dst + (<usize>j << 3), e);
      sum += e;
    }
    for (let j = 0; j < cols; j++) store<f64>(dst + (<usize>j << 3), load<f64>(dst + (<usize>j << 3)) / sum);
  }
}

/** softmax64, then δ = y − a and the loss Σ −y log a (a kept from 0 and 1 by 1e-12), as softmaxCrossEntropy in f32. */
export function softmaxCrossEntropy64(rows: i32, cols: i32, h: usize, y: usize, a: usize, delta: usize): f64 {
  softmax64(rows, cols, h, a);
  const n = rows * cols;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 3;
    const t = load<f64>(y + at), p = load<f64>(a + at);
    store<f64>(delta + at, t - p);
    if (t != 0) loss -= t * Math.log(Math.min(Math.max(p, 1e-12), 1 - 1e-12));
  }
  return loss;
}
