// Element-wise kernels and reductions in f32 with WebAssembly SIMD, four lanes at a time with a scalar tail.

/** y += alpha · x */
export function axpy(n: i32, alpha: f32, x: usize, y: usize): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(y + at, f32x4.add(v128.load(y + at), f32x4.mul(va, v128.load(x + at))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(y + at, load<f32>(y + at) + alpha * load<f32>(x + at));
  }
}

/** a = max(h, 0) */
export function relu(n: i32, h: usize, a: usize): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(a + at, f32x4.max(v128.load(h + at), zero));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = load<f32>(h + at);
    store<f32>(a + at, v > 0 ? v : 0);
  }
}

/** out = g ⊙ relu′(h): g where h > 0, else 0 */
export function reluBackward(n: i32, h: usize, g: usize, out: usize): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, v128.and(v128.load(g + at), f32x4.gt(v128.load(h + at), zero)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, load<f32>(h + at) > 0 ? load<f32>(g + at) : 0);
  }
}

/** m[i, :] += v for every row */
export function addRowVector(rows: i32, cols: i32, m: usize, v: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = m + ((<usize>r * cols) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const at = <usize>j << 2;
      v128.store(row + at, f32x4.add(v128.load(row + at), v128.load(v + at)));
    }
    for (; j < cols; j++) {
      const at = <usize>j << 2;
      store<f32>(row + at, load<f32>(row + at) + load<f32>(v + at));
    }
  }
}

/**
 * out[j] = alpha · Σᵢ m[i, j] + beta · out[j]. With beta 0 (the bias gradient) rows are added into out one after
 * another, so memory is read in order; either way each column's terms are added in order of rows.
 */
export function sumRows(rows: i32, cols: i32, m: usize, out: usize, alpha: f32, beta: f32): void {
  const va = f32x4.splat(alpha), vb = f32x4.splat(beta);
  if (beta == 0 && rows > 0) {
    memory.copy(out, m, <usize>cols << 2);
    for (let r = 1; r < rows; r++) addRowVector(1, cols, out, m + ((<usize>r * cols) << 2));
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const at = out + (<usize>j << 2);
      v128.store(at, f32x4.mul(va, v128.load(at)));
    }
    for (; j < cols; j++) {
      const at = out + (<usize>j << 2);
      store<f32>(at, alpha * load<f32>(at));
    }
    return;
  }
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    let sum = f32x4.splat(0);
    for (let r = 0; r < rows; r++) sum = f32x4.add(sum, v128.load(m + ((<usize>r * cols + j) << 2)));
    const at = out + (<usize>j << 2);
    v128.store(at, beta == 0 ? f32x4.mul(va, sum) : f32x4.add(f32x4.mul(va, sum), f32x4.mul(vb, v128.load(at))));
  }
  for (; j < cols; j++) {
    let sum: f32 = 0;
    for (let r = 0; r < rows; r++) sum += load<f32>(m + ((<usize>r * cols + j) << 2));
    const at = out + (<usize>j << 2);
    store<f32>(at, beta == 0 ? alpha * sum : alpha * sum + beta * load<f32>(at));
  }
}

/**
 * Each of `rows` rows of out (rowBytes each, a multiple of 4) = the row v: a bias as a product's starting value, so
 * that the product adds onto it (β = 1) rather than a pass of its own adding it after. For f32 and f64 alike.
 */
export function fillRows(rows: i32, rowBytes: i32, v: usize, out: usize): void {
  const bytes = <usize>rowBytes;
  for (let r = 0; r < rows; r++) {
    const row = out + <usize>r * bytes;
    let j: usize = 0;
    for (; j + 16 <= bytes; j += 16) v128.store(row + j, v128.load(v + j));
    for (; j < bytes; j += 4) store<u32>(row + j, load<u32>(v + j));
  }
}

/**
 * Copies rows order[0..count) of src (rowBytes each, a multiple of 4) into dst, one after another: the gathering of a
 * shuffled batch. Long rows by memory.copy (the engine's memmove, faster on rows of hundreds of bytes: 784 float32s);
 * short ones sixteen bytes a step, since on a shared memory memory.copy is a call into the engine that costs more than
 * a short row's copy (33 float32s: 1.8 µs for a batch of 32 rows, 0.7 this way).
 */
export function gatherRows(count: i32, rowBytes: i32, src: usize, order: usize, dst: usize): void {
  const bytes = <usize>rowBytes;
  if (bytes >= 512) {
    for (let r = 0; r < count; r++) memory.copy(dst + <usize>r * bytes, src + <usize>load<i32>(order + (<usize>r << 2)) * bytes, bytes);
    return;
  }
  for (let r = 0; r < count; r++) {
    const from = src + <usize>load<i32>(order + (<usize>r << 2)) * bytes, to = dst + <usize>r * bytes;
    let j: usize = 0;
    for (; j + 64 <= bytes; j += 64) {
      const a = v128.load(from + j), b = v128.load(from + j + 16), c = v128.load(from + j + 32), d = v128.load(from + j + 48);
      v128.store(to + j, a);
      v128.store(to + j + 16, b);
      v128.store(to + j + 32, c);
      v128.store(to + j + 48, d);
    }
    for (; j + 16 <= bytes; j += 16) v128.store(to + j, v128.load(from + j));
    for (; j < bytes; j += 4) store<u32>(to + j, load<u32>(from + j));
  }
}
