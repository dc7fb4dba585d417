// Optimizer updates and weight penalties in f32 with WebAssembly SIMD, written as the reference writes them.

/** v = μv − ηg; w += v, or w += μv − ηg with Nesterov's look-ahead */
export function momentumStep(n: i32, w: usize, g: usize, v: usize, lr: f32, mu: f32, nesterov: bool): void {
  const vlr = f32x4.splat(lr), vmu = f32x4.splat(mu);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const step = f32x4.mul(vlr, v128.load(g + at));
    const vel = f32x4.sub(f32x4.mul(vmu, v128.load(v + at)), step);
    v128.store(v + at, vel);
    v128.store(w + at, f32x4.add(v128.load(w + at), nesterov ? f32x4.sub(f32x4.mul(vmu, vel), step) : vel));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const step = lr * load<f32>(g + at);
    const vel = mu * load<f32>(v + at) - step;
    store<f32>(v + at, vel);
    store<f32>(w + at, load<f32>(w + at) + (nesterov ? mu * vel - step : vel));
  }
}

/** c = ρc + (1 − ρ)g²; w −= ηg / (√c + ε) */
export function rmspropStep(n: i32, w: usize, g: usize, c: usize, lr: f32, rho: f32, eps: f32): void {
  const vlr = f32x4.splat(lr), vrho = f32x4.splat(rho), vone = f32x4.splat(1 - rho), veps = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const grad = v128.load(g + at);
    const cache = f32x4.add(f32x4.mul(vrho, v128.load(c + at)), f32x4.mul(vone, f32x4.mul(grad, grad)));
    v128.store(c + at, cache);
    v128.store(w + at, f32x4.sub(v128.load(w + at), f32x4.div(f32x4.mul(vlr, grad), f32x4.add(f32x4.sqrt(cache), veps))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const grad = load<f32>(g + at);
    const cache = rho * load<f32>(c + at) + (1 - rho) * grad * grad;
    store<f32>(c + at, cache);
    store<f32>(w + at, load<f32>(w + at) - (lr * grad) / (Mathf.sqrt(cache) + eps));
  }
}

/** m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²; w −= η·m·c1 / (√(v·c2) + ε), with c1, c2 the bias corrections */
export function adamStep(n: i32, w: usize, g: usize, m: usize, v: usize, lr: f32, beta1: f32, beta2: f32, eps: f32, c1: f32, c2: f32): void {
  const vb1 = f32x4.splat(beta1), vb1c = f32x4.splat(1 - beta1), vb2 = f32x4.splat(beta2), vb2c = f32x4.splat(1 - beta2);
  const vlr = f32x4.splat(lr), veps = f32x4.splat(eps), vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const grad = v128.load(g + at);
    const mean = f32x4.add(f32x4.mul(vb1, v128.load(m + at)), f32x4.mul(vb1c, grad));
    const second = f32x4.add(f32x4.mul(vb2, v128.load(v + at)), f32x4.mul(vb2c, f32x4.mul(grad, grad)));
    v128.store(m + at, mean);
    v128.store(v + at, second);
    const step = f32x4.div(f32x4.mul(vlr, f32x4.mul(mean, vc1)), f32x4.add(f32x4.sqrt(f32x4.mul(second, vc2)), veps));
    v128.store(w + at, f32x4.sub(v128.load(w + at), step));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const grad = load<f32>(g + at);
    const mean = beta1 * load<f32>(m + at) + (1 - beta1) * grad;
    const second = beta2 * load<f32>(v + at) + (1 - beta2) * grad * grad;
    store<f32>(m + at, mean);
    store<f32>(v + at, second);
    store<f32>(w + at, load<f32>(w + at) - (lr * mean * c1) / (Mathf.sqrt(second * c2) + eps));
  }
}

/** g += l1·sign(w) + 2·l2·w */
export function addPenaltyGradient(n: i32, w: usize, g: usize, l1: f32, l2: f32): void {
  const vl1 = f32x4.splat(l1), vl2 = f32x4.splat(2 * l2), zero = f32x4.splat(0), one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const weight = v128.load(w + at);
    // sign(w) as (w > 0) − (w < 0), from the comparison masks.
    const sign = f32x4.sub(v128.and(f32x4.gt(weight, zero), one), v128.and(f32x4.lt(weight, zero), one));
    v128.store(g + at, f32x4.add(v128.load(g + at), f32x4.add(f32x4.mul(vl1, sign), f32x4.mul(vl2, weight))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const weight = load<f32>(w + at);
    const sign: f32 = weight > 0 ? 1 : weight < 0 ? -1 : 0;
    store<f32>(g + at, load<f32>(g + at) + l1 * sign + 2 * l2 * weight);
  }
}

/** out = x − y */
export function sub(n: i32, x: usize, y: usize, out: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, f32x4.sub(v128.load(x + at), v128.load(y + at)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, load<f32>(x + at) - load<f32>(y + at));
  }
}
