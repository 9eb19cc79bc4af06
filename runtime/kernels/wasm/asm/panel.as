// gemmPanels: Y[M][N] = A[M][K] · B[K][N], clamped, with B packed into panels of 8
// columns so that the inner loop reads B sequentially and one panel (K·32 bytes) stays in cache
// while every row of A passes over it; for B too big for cache (BERT's [768×3072]), where the
// row-major walk of gemm4x8 strides K rows of N floats per 8 columns.
//
//   B [K][N]                 packed bp: panel j = columns 8j..8j+7, k-major, zero-padded past N
//   ┌───┬───┬──┐             ┌────────────────┬────────────────┬──
//   │ j0│ j1│..│  ──────▶    │ k0: 8 floats   │ k1: 8 floats  …│ (panel j0, K·8 floats) then j1 …
//   └───┴───┴──┘             └────────────────┴────────────────┴──
//   register tile: 4 rows of A (splat) × 8 columns (2 v128 of the panel), 8 accumulators.

import { clamp4, madd } from './common';

/** bp ← B packed in panels of 8 columns (⌈N/8⌉·K·8 floats, zero past column N). */
export function packPanels8(b: usize, bp: usize, K: i32, N: i32): void {
  const panels = (N + 7) >> 3, rowB = <usize>N << 2;
  for (let j = 0; j < panels; j++) {
    const c0 = j << 3, full = c0 + 8 <= N;
    let dst = bp + <usize>j * <usize>K * 32;
    let src = b + (<usize>c0 << 2);
    for (let k = 0; k < K; k++) {
      if (full) {
        v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
      } else {
        for (let c = 0; c < 8; c++) store<f32>(dst + (<usize>c << 2), c0 + c < N ? load<f32>(src + (<usize>c << 2)) : 0);
      }
      dst += 32; src += rowB;
    }
  }
}

/** Stores the first `count` (0–4) lanes of v at p. */
@inline function storeLanes(p: usize, v: v128, count: i32): void {
  if (count >= 4) { v128.store(p, v); return; }
  if (count > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** The 8 columns of panel j for `cols` (1–8) valid columns into row y. */
@inline function store8(y: usize, a0: v128, a1: v128, cols: i32, lo: v128, hi: v128): void {
  storeLanes(y, clamp4(a0, lo, hi), cols);
  if (cols > 4) storeLanes(y + 16, clamp4(a1, lo, hi), cols - 4);
}

/**
 * Y = A·B with B packed by packPanels8, clamped to [lo, hi]; rows M mod 4 one at a time. Panels outermost: each panel is read from cache by all ⌈M/4⌉ row tiles.
 */
export function gemmPanels(a: usize, bp: usize, y: usize, M: i32, K: i32, N: i32, lo: f32, hi: f32): void {
  const rowA = <usize>K << 2, rowY = <usize>N << 2, panelBytes = <usize>K * 32;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const panels = (N + 7) >> 3;
  for (let j = 0; j < panels; j++) {
    const c0 = j << 3, cols = min<i32>(8, N - c0);
    const panel = bp + <usize>j * panelBytes;
    const zero = f32x4.splat(0.0);
    const yc = y + (<usize>c0 << 2);
    let m = 0;
    for (; m + 4 <= M; m += 4) {
      const a0p = a + <usize>m * rowA, a1p = a0p + rowA, a2p = a1p + rowA, a3p = a2p + rowA;
      let s00 = zero, s01 = zero, s10 = zero, s11 = zero, s20 = zero, s21 = zero, s30 = zero, s31 = zero;
      let pp = panel;
      for (let kk: usize = 0; kk < rowA; kk += 4) {
        const p0 = v128.load(pp), p1 = v128.load(pp, 16);
        const x0 = v128.load32_splat(a0p + kk), x1 = v128.load32_splat(a1p + kk);
        const x2 = v128.load32_splat(a2p + kk), x3 = v128.load32_splat(a3p + kk);
        s00 = madd(x0, p0, s00); s01 = madd(x0, p1, s01);
        s10 = madd(x1, p0, s10); s11 = madd(x1, p1, s11);
        s20 = madd(x2, p0, s20); s21 = madd(x2, p1, s21);
        s30 = madd(x3, p0, s30); s31 = madd(x3, p1, s31);
        pp += 32;
      }
      const y0 = yc + <usize>m * rowY;
      store8(y0, s00, s01, cols, vlo, vhi);
      store8(y0 + rowY, s10, s11, cols, vlo, vhi);
      store8(y0 + 2 * rowY, s20, s21, cols, vlo, vhi);
      store8(y0 + 3 * rowY, s30, s31, cols, vlo, vhi);
    }
    for (; m < M; m++) {
      const ap = a + <usize>m * rowA;
      let s0 = zero, s1 = zero;
      let pp = panel;
      for (let kk: usize = 0; kk < rowA; kk += 4) {
        const x = v128.load32_splat(ap + kk);
        s0 = madd(x, v128.load(pp), s0); s1 = madd(x, v128.load(pp, 16), s1);
        pp += 32;
      }
      store8(yc + <usize>m * rowY, s0, s1, cols, vlo, vhi);
    }
  }
}
