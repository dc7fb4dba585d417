// Matrix product C = alpha·op(A)·op(B) + beta·C in f32 with WebAssembly SIMD: operands are packed into
// panels (A in strips of 4 rows, B in strips of 8 columns, both k-major) within cache-sized blocks, and a
// 4×8 register tile accumulates each block's contribution. Pointers are byte offsets into linear memory.

const MR: i32 = 4;
const NR: i32 = 8;
/** Depth of a block: one strip of packed B (KC×8 floats = 8 KiB) stays in L1 while it meets every A strip. */
const KC: i32 = 256;
/** Rows of a block of A: 128×256 floats = 128 KiB of packed A, for L2. */
const MC: i32 = 128;
/** Columns of a block of B: 256×512 floats = 512 KiB of packed B. */
const NC: i32 = 512;

/** Bytes of packing scratch one call needs. */
export function workBytes(): i32 {
  return (MC * KC + KC * NC) * 4 + 4 * MR * NR * 4;
}

@inline function elementA(a: usize, lda: i32, transA: bool, i: i32, p: i32): f32 {
  return transA ? load<f32>(a + ((<usize>p * lda + i) << 2)) : load<f32>(a + ((<usize>i * lda + p) << 2));
}

@inline function elementB(b: usize, ldb: i32, transB: bool, p: i32, j: i32): f32 {
  return transB ? load<f32>(b + ((<usize>j * ldb + p) << 2)) : load<f32>(b + ((<usize>p * ldb + j) << 2));
}

/** Packs rows i0..i0+mc, depth p0..p0+kc of op(A) into strips of MR rows, zero-padded. */
function packA(dst: usize, a: usize, lda: i32, transA: bool, m: i32, i0: i32, mc: i32, p0: i32, kc: i32): void {
  for (let s = 0; s < mc; s += MR) {
    const i = i0 + s;
    if (s + MR <= mc && i + MR <= m) {
      if (transA) {
        // op(A)'s four rows at depth p are four consecutive floats of stored row p: one vector.
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(a + ((<usize>(p0 + p) * lda + i) << 2)));
          dst += MR * 4;
        }
      } else {
        const r0 = a + ((<usize>i * lda + p0) << 2), stride = <usize>lda << 2;
        for (let p = 0; p < kc; p++) {
          const at = r0 + (<usize>p << 2);
          store<f32>(dst, load<f32>(at));
          store<f32>(dst, load<f32>(at + stride), 4);
          store<f32>(dst, load<f32>(at + 2 * stride), 8);
          store<f32>(dst, load<f32>(at + 3 * stride), 12);
          dst += MR * 4;
        }
      }
      continue;
    }
    // The last, partial strip.
    for (let p = 0; p < kc; p++) {
      for (let r = 0; r < MR; r++) {
        store<f32>(dst, i + r < m && s + r < mc ? elementA(a, lda, transA, i + r, p0 + p) : 0);
        dst += 4;
      }
    }
  }
}

/** Packs depth p0..p0+kc, columns j0..j0+nc of op(B) into strips of NR columns, zero-padded. */
function packB(dst: usize, b: usize, ldb: i32, transB: bool, n: i32, j0: i32, nc: i32, p0: i32, kc: i32): void {
  for (let s = 0; s < nc; s += NR) {
    const full = s + NR <= nc && !transB;
    for (let p = 0; p < kc; p++) {
      if (full) {
        // The common case: eight consecutive floats of a row of B, copied as two vectors.
        const src = b + ((<usize>(p0 + p) * ldb + j0 + s) << 2);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      } else {
        for (let c = 0; c < NR; c++) {
          const j = j0 + s + c;
          store<f32>(dst + (c << 2), s + c < nc && j < n ? elementB(b, ldb, transB, p0 + p, j) : 0);
        }
      }
      dst += NR * 4;
    }
  }
}

/** C[rows×cols] += alpha · (packed A strip)·(packed B strip), over depth kc. */
function micro(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: f32, rows: i32, cols: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = f32x4.splat(load<f32>(pa));
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(pa, 4));
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(pa, 8));
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = f32x4.splat(load<f32>(pa, 12));
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += MR * 4;
    pb += NR * 4;
  }
  const va = f32x4.splat(alpha);
  const stride = <usize>ldc << 2;
  if (rows == MR && cols == NR) {
    v128.store(c, f32x4.add(v128.load(c), f32x4.mul(va, c00)));
    v128.store(c, f32x4.add(v128.load(c, 16), f32x4.mul(va, c01)), 16);
    c += stride;
    v128.store(c, f32x4.add(v128.load(c), f32x4.mul(va, c10)));
    v128.store(c, f32x4.add(v128.load(c, 16), f32x4.mul(va, c11)), 16);
    c += stride;
    v128.store(c, f32x4.add(v128.load(c), f32x4.mul(va, c20)));
    v128.store(c, f32x4.add(v128.load(c, 16), f32x4.mul(va, c21)), 16);
    c += stride;
    v128.store(c, f32x4.add(v128.load(c), f32x4.mul(va, c30)));
    v128.store(c, f32x4.add(v128.load(c, 16), f32x4.mul(va, c31)), 16);
    return;
  }
  // An edge tile: spill the accumulators, then add only the cells inside C.
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const at = c + (<usize>r * stride) + (<usize>j << 2);
      store<f32>(at, load<f32>(at) + alpha * load<f32>(tile + ((<usize>(r * NR + j)) << 2)));
    }
  }
}

/**
 * C = alpha·op(A)·op(B) + beta·C for the columns n0..n1 of C (so threads can share one product).
 * A is m×k (k×m stored when transA), B is k×n (n×k stored when transB); lda, ldb, ldc are row lengths.
 */
export function gemm(
  m: i32, n: i32, k: i32,
  a: usize, lda: i32, transA: bool,
  b: usize, ldb: i32, transB: bool,
  c: usize, ldc: i32, alpha: f32, beta: f32,
  n0: i32, n1: i32, work: usize,
): void {
  // beta first, over this call's columns only.
  for (let i = 0; i < m; i++) {
    const row = c + ((<usize>i * ldc) << 2);
    for (let j = n0; j < n1; j++) {
      const at = row + (<usize>j << 2);
      store<f32>(at, beta == 0 ? 0 : beta * load<f32>(at));
    }
  }
  if (k == 0 || alpha == 0) return;
  const packedA = work;
  const packedB = work + <usize>(MC * KC * 4);
  const tile = packedB + <usize>(KC * NC * 4);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    for (let j0 = n0; j0 < n1; j0 += NC) {
      const nc = min(NC, n1 - j0);
      packB(packedB, b, ldb, transB, n, j0, nc, p0, kc);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = min(MC, m - i0);
        packA(packedA, a, lda, transA, m, i0, mc, p0, kc);
        for (let js = 0; js < nc; js += NR) {
          const cols = min(NR, nc - js);
          const pb = packedB + <usize>(js * kc * 4);
          for (let is = 0; is < mc; is += MR) {
            const rows = min(MR, mc - is);
            const pa = packedA + <usize>(is * kc * 4);
            micro(kc, pa, pb, c + ((<usize>(i0 + is) * ldc + j0 + js) << 2), ldc, alpha, rows, cols, tile);
          }
        }
      }
    }
  }
}
