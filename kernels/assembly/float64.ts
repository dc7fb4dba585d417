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

// e^x for x ≤ 0 (or NaN), two lanes at a time, as fdlibm's exp computes it and so V8's Math.exp, the reference's: to
// the bit. The same reduction (x = k ln 2 + r, k = x/ln 2 − ½ toward zero, none where |x| ≤ ½ ln 2, r in two parts),
// the same rational approximation and scaling, with each branch fdlibm takes chosen lane by lane: its formula for
// k = 0 is this one's with k = 0 (k·ln 2's parts are zeros, and (xc)/(c − 2) is −(xc)/(2 − c) exactly), and between
// ½ ln 2 and 1.5 ln 2, where it takes k = −1 without the division, x/ln 2 − ½ gives −1 too.
const LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10, INV_LN2 = 1.44269504088896338700e+00;
const P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05;
const P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08;
/** fdlibm's bounds, by their bits: |x| whose high word exceeds 0x3fd62e42 is reduced; below 2⁻²⁸ e^x is 1 + x. */
const REDUCED = reinterpret<f64>(0x3FD62E4300000000), TINY = reinterpret<f64>(0x3E30000000000000);
/** Below this e^x is 0; below k = −1021 the result is scaled in two steps (it is subnormal). */
const UNDERFLOW = -7.45133219101941108420e+02, TWO_M1000 = 9.33263618503218878990e-302;

@inline function expNonPositive(x: v128): v128 {
  const ax = f64x2.abs(x);
  const kf = v128.and(f64x2.trunc(f64x2.sub(f64x2.mul(x, f64x2.splat(INV_LN2)), f64x2.splat(0.5))), f64x2.ge(ax, f64x2.splat(REDUCED)));
  const hi = f64x2.sub(x, f64x2.mul(kf, f64x2.splat(LN2_HI)));
  const lo = f64x2.mul(kf, f64x2.splat(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let p = f64x2.add(f64x2.splat(P4), f64x2.mul(t, f64x2.splat(P5)));
  p = f64x2.add(f64x2.splat(P3), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(P2), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(P1), f64x2.mul(t, p));
  const c = f64x2.sub(r, f64x2.mul(t, p));
  const y = f64x2.sub(f64x2.splat(1), f64x2.sub(f64x2.sub(lo, f64x2.div(f64x2.mul(r, c), f64x2.sub(f64x2.splat(2), c))), hi));
  // y · 2ᵏ, or (y · 2ᵏ⁺¹⁰⁰⁰) · 2⁻¹⁰⁰⁰ below k = −1021
  const small = f64x2.lt(kf, f64x2.splat(-1021));
  const kk = v128.bitselect(f64x2.add(kf, f64x2.splat(1000)), kf, small);
  const scale = i64x2.shl(i64x2.add(i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(kk)), i64x2.splat(1023)), 52);
  let e = f64x2.mul(y, scale);
  e = v128.bitselect(f64x2.mul(e, f64x2.splat(TWO_M1000)), e, small);
  e = v128.bitselect(f64x2.add(f64x2.splat(1), x), e, f64x2.lt(ax, f64x2.splat(TINY)));
  return v128.andnot(e, f64x2.lt(x, f64x2.splat(UNDERFLOW)));
}

/** e^x of n values at x into out (x ≤ 0 or NaN, as softmax's x − max is), two at a time; a last odd one in lane 0. */
function expNonPositiveN(n: i32, x: usize, out: usize): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(out + (<usize>i << 3), expNonPositive(v128.load(x + (<usize>i << 3))));
  if (i < n) store<f64>(out + (<usize>i << 3), f64x2.extract_lane(expNonPositive(f64x2.splat(load<f64>(x + (<usize>i << 3)))), 0));
}

/**
 * out[i, :] = softmax(x[i, :]) in f64, as exp(x − max) / Σ exp(x − max), in the reference's order and to its bits: the
 * max (which no order changes), the differences and quotients two lanes at a time, each row's sum one term at a time.
 */
export function softmax64(rows: i32, cols: i32, x: usize, out: usize): void {
  const pairs = cols & ~1;
  for (let r = 0; r < rows; r++) {
    const src = x + ((<usize>r * cols) << 3), dst = out + ((<usize>r * cols) << 3);
    let max: f64 = -Infinity;
    if (pairs > 0) {
      let m = v128.load(src);
      for (let j = 2; j < pairs; j += 2) m = f64x2.max(m, v128.load(src + (<usize>j << 3)));
      max = Math.max(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1));
    }
    if (pairs < cols) max = Math.max(max, load<f64>(src + (<usize>pairs << 3)));
    const vm = f64x2.splat(max);
    for (let j = 0; j < pairs; j += 2) v128.store(dst + (<usize>j << 3), f64x2.sub(v128.load(src + (<usize>j << 3)), vm));
    if (pairs < cols) store<f64>(dst + (<usize>pairs << 3), load<f64>(src + (<usize>pairs << 3)) - max);
  }
  expNonPositiveN(rows * cols, out, out);
  for (let r = 0; r < rows; r++) {
    const dst = out + ((<usize>r * cols) << 3);
    let sum: f64 = 0;
    for (let j = 0; j < cols; j++) sum += load<f64>(dst + (<usize>j << 3));
    const vs = f64x2.splat(sum);
    for (let j = 0; j < pairs; j += 2) v128.store(dst + (<usize>j << 3), f64x2.div(v128.load(dst + (<usize>j << 3)), vs));
    if (pairs < cols) store<f64>(dst + (<usize>pairs << 3), load<f64>(dst + (<usize>pairs << 3)) / sum);
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
