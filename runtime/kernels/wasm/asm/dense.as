// Dense wasmsimd kernels: gemm4x8, convIm2col (k×k via im2col tiles), gemv1. The depthwise
// kernels are a family of their own (dwconv.as, dwplane.as).
// All pointers are byte offsets into the one imported memory; every array is f32 unless named.
//
// gemm4x8: Y[N][P] = B[N] + W[N][K] · X[K][P], clamped to [lo, hi]; b = 0 means no bias.
//
//        k →                 p → (8 pixels = 2 v128)           register tile: 4 rows × 8 pixels
//   W  ┌────────┐      X  ┌──┬──┬───┐                          acc[r][0..1] += splat(W[n+r][k]) · X[k][p..p+7]
//  n.. │w w w w │ ×    k  │xx│  │   │      = Y[n..n+3][p..p+7]  tails: 4 pixels (1 v128), then 1 pixel;
//  n+3 │w w w w │         └──┴──┴───┘                          rows N mod 4 one at a time
//
// spmm24x1: the same product with W in CSR (XNNPACK's MR×1 SpMM), 24 pixels per block; its
// staged layout and convCsrIm2col (k×k convs through im2col tiles) are drawn in sparse.as.

import { clamp1, madd, bias, rows4, rows4p, rows1, im2colTile } from './common';
export { packW4 } from './common';

/**
 * When X is larger than 64 KiB, pixel blocks of PB columns (a multiple of 8, K·PB·4 bytes of X
 * ≈ 32 KiB) go outermost, so one block of X stays in cache while every row block of W passes
 * over it; otherwise one block (W streams once).
 */
export function gemm4x8(w: usize, x: usize, y: usize, b: usize, N: i32, K: i32, P: i32, lo: f32, hi: f32): void {
  const rowW = <usize>K << 2, rowX = <usize>P << 2;
  const PB = <i64>K * <i64>P * 4 <= 65536 ? P : max<i32>(8, ((8192 / max<i32>(K, 1)) >> 3) << 3);
  for (let p0 = 0; p0 < P; p0 += PB) {
    const p1 = min<i32>(P, p0 + PB);
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      rows4(w + <usize>n * rowW, x, y + <usize>n * rowX, bias(b, n), bias(b, n + 1), bias(b, n + 2), bias(b, n + 3), K, rowX, rowX, p0, p1, lo, hi);
    }
    for (; n < N; n++) rows1(w + <usize>n * rowW, x, y + <usize>n * rowX, bias(b, n), K, rowX, p0, p1, lo, hi);
  }
}

const PBYTES = 16384;

/**
 * gemm4x8 with W's full row tiles packed by packW4 into wp (rows N mod 4 read from w); the 1×1
 * convs' product. Its pixel blocks are smaller than gemm4x8's: about PW_BLOCK_FLOATS floats of X
 * (8 KiB), at least 16 pixels. Measured against 32 KiB blocks (CPU medians, 15 alternations, load
 * 2.9–4.2): squeezenet1_1's 1×1 shapes 0.89–0.98× the time, mobilenet_v2_w050's within ±5% run to
 * run, and its thirteen dense 1×1 nodes at 0.9 1.57–1.58 ms against 1.59–1.60 (profile-layers, four
 * alternations); K = 256 at 16 pixels 1.0× (8 pixels were 1.02×). Same bits: only the loop order.
 */
const PW_BLOCK_FLOATS = 2048;
export function gemm4x8p(w: usize, wp: usize, x: usize, y: usize, b: usize, N: i32, K: i32, P: i32, lo: f32, hi: f32): void {
  const rowW = <usize>K << 2, rowX = <usize>P << 2;
  const PB = <i64>K * <i64>P * 4 <= 65536 ? P : max<i32>(16, ((PW_BLOCK_FLOATS / max<i32>(K, 1)) >> 3) << 3);
  for (let p0 = 0; p0 < P; p0 += PB) {
    const p1 = min<i32>(P, p0 + PB);
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      rows4p(wp + <usize>n * rowW, x, y + <usize>n * rowX, bias(b, n), bias(b, n + 1), bias(b, n + 2), bias(b, n + 3), K, rowX, rowX, p0, p1, lo, hi);
    }
    for (; n < N; n++) rows1(w + <usize>n * rowW, x, y + <usize>n * rowX, bias(b, n), K, rowX, p0, p1, lo, hi);
  }
}

/** wp: W's row tiles packed by packW4 (rows N mod 4 are read from w). */
export function convIm2col(x: usize, w: usize, wp: usize, y: usize, b: usize, col: usize, N: i32, Cin: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32, PT: i32, lo: f32, hi: f32): void {
  const K = Cin * KH * KW, P = OH * OW;
  const rowW = <usize>K << 2, rowY = <usize>P << 2, rowX = <usize>PT << 2;
  for (let p0 = 0; p0 < P; p0 += PT) {
    const p1 = min<i32>(P, p0 + PT);
    im2colTile(x, col, Cin, H, W, OW, KH, KW, sh, sw, dh, dw, ph, pw, PT, p0, p1);
    const xt = col - (<usize>p0 << 2); // so that pixel p reads col[p − p0]
    // pixel strips of PB columns (K·PB·4 bytes ≈ PBYTES, L1-resident) outermost, every row tile over each
    const PB = max<i32>(8, ((PBYTES / 4 / max<i32>(K, 1)) >> 3) << 3);
    for (let q0 = p0; q0 < p1; q0 += PB) {
      const q1 = min<i32>(p1, q0 + PB);
      let n = 0;
      for (; n + 4 <= N; n += 4) {
        rows4p(wp + <usize>n * rowW, xt, y + <usize>n * rowY, bias(b, n), bias(b, n + 1), bias(b, n + 2), bias(b, n + 3), K, rowX, rowY, q0, q1, lo, hi);
      }
      for (; n < N; n++) rows1(w + <usize>n * rowW, xt, y + <usize>n * rowY, bias(b, n), K, rowX, q0, q1, lo, hi);
    }
  }
}

// gemv1: y[n] = clamp(B[n] + Σ_k W[n][k]·x[k]) for one pixel (Gemm with M = 1: a classifier head),
// vectorized over k instead of pixels: one row of W at a time, 16 floats per step into four
// partial sums (four chains of multiply-adds in flight), the lane sums added at the end; K mod 16
// in vectors, then K mod 4 scalar. A gemv reads each weight once per run, after the rest of the
// model has evicted it: row by row, W is one sequential stream, where the former four rows at a
// time read four streams 4·K bytes apart, which the hardware prefetchers followed worse (a
// 1280→1000 classifier read from memory: 0.24–0.26 ms against 0.43–0.44; in cache both 0.10).

@inline function hsum(v: v128): f32 {
  const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

export function gemv1(w: usize, x: usize, y: usize, b: usize, N: i32, K: i32, lo: f32, hi: f32): void {
  const rowW = <usize>K << 2, k16 = <usize>(K & ~15) << 2, k4 = <usize>(K & ~3) << 2;
  for (let n = 0; n < N; n++) {
    const w0 = w + <usize>n * rowW;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let k: usize = 0;
    for (; k < k16; k += 64) {
      a0 = madd(v128.load(w0 + k), v128.load(x + k), a0);
      a1 = madd(v128.load(w0 + k, 16), v128.load(x + k, 16), a1);
      a2 = madd(v128.load(w0 + k, 32), v128.load(x + k, 32), a2);
      a3 = madd(v128.load(w0 + k, 48), v128.load(x + k, 48), a3);
    }
    for (; k < k4; k += 16) a0 = madd(v128.load(w0 + k), v128.load(x + k), a0);
    let s = bias(b, n) + hsum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
    for (; k < rowW; k += 4) s += load<f32>(w0 + k) * load<f32>(x + k);
    store<f32>(y + (<usize>n << 2), clamp1(s, lo, hi));
  }
}
