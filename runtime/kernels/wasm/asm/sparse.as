// Sparse wasmsimd kernels: spmm24x1 (CSR × pixel-contiguous activations, XNNPACK's MR×1 SpMM)
// and convCsrIm2col (k×k convs through im2col tiles into spmm24x1's blocks).
//
//   w[e]  interleaved entries, rows in order, 8 bytes each:   for each block of 24 pixels p, each row n:
//         ┌──────────┬───────────────────────────┐             acc[0..5] = splat(B[n])
//         │ val  f32 │ off u32 (byte offset of   │             for e in row n: acc += splat(val) · X[off + p..p+23]
//         │          │ its X row, col·rowX)      │             Y[n][p..p+23] = clamp(acc)
//         └──────────┴───────────────────────────┘           tails: 16, 8, 4 pixels, then 1
//   nnz[n] u32 entries in row n (may be 0)
//
// Y rows are rowY bytes apart (P·4 for a whole image; im2col tiles write pixels [p0, p1) of it).

import { clamp1, bias, im2colTile } from './common';

/**
 * clamp to [lo, hi] with pseudo-min/max (one minps/maxps each in V8, where f32x4.min/max take
 * about seven instructions for their NaN and ±0 rules); a NaN sum stays NaN, as in the ref.
 */
@inline function clampV(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.pmin(f32x4.pmax(v, lo), hi);
}

/** Rows 0..N−1 of the CSR weight over the 24-pixel block at xp → yp (w and nnz restart per block). */
@inline function block24(w: usize, nnz: usize, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128): void {
  for (let n = 0; n < N; n++) {
    let a0 = f32x4.splat(bias(b, n)), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    const e = w + (<usize>load<u32>(nnz + (<usize>n << 2)) << 3);
    for (; w < e; w += 8) {
      const s = v128.load32_splat(w);
      const xa = xp + <usize>load<u32>(w, 4);
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(xa)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(xa, 16)));
      a2 = f32x4.add(a2, f32x4.mul(s, v128.load(xa, 32)));
      a3 = f32x4.add(a3, f32x4.mul(s, v128.load(xa, 48)));
      a4 = f32x4.add(a4, f32x4.mul(s, v128.load(xa, 64)));
      a5 = f32x4.add(a5, f32x4.mul(s, v128.load(xa, 80)));
    }
    v128.store(yp, clampV(a0, vlo, vhi)); v128.store(yp, clampV(a1, vlo, vhi), 16);
    v128.store(yp, clampV(a2, vlo, vhi), 32); v128.store(yp, clampV(a3, vlo, vhi), 48);
    v128.store(yp, clampV(a4, vlo, vhi), 64); v128.store(yp, clampV(a5, vlo, vhi), 80);
    yp += rowY;
  }
}

@inline function block16(w: usize, nnz: usize, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128): void {
  for (let n = 0; n < N; n++) {
    let a0 = f32x4.splat(bias(b, n)), a1 = a0, a2 = a0, a3 = a0;
    const e = w + (<usize>load<u32>(nnz + (<usize>n << 2)) << 3);
    for (; w < e; w += 8) {
      const s = v128.load32_splat(w);
      const xa = xp + <usize>load<u32>(w, 4);
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(xa)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(xa, 16)));
      a2 = f32x4.add(a2, f32x4.mul(s, v128.load(xa, 32)));
      a3 = f32x4.add(a3, f32x4.mul(s, v128.load(xa, 48)));
    }
    v128.store(yp, clampV(a0, vlo, vhi)); v128.store(yp, clampV(a1, vlo, vhi), 16);
    v128.store(yp, clampV(a2, vlo, vhi), 32); v128.store(yp, clampV(a3, vlo, vhi), 48);
    yp += rowY;
  }
}

@inline function block8(w: usize, nnz: usize, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128): void {
  for (let n = 0; n < N; n++) {
    let a0 = f32x4.splat(bias(b, n)), a1 = a0;
    const e = w + (<usize>load<u32>(nnz + (<usize>n << 2)) << 3);
    for (; w < e; w += 8) {
      const s = v128.load32_splat(w);
      const xa = xp + <usize>load<u32>(w, 4);
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(xa)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(xa, 16)));
    }
    v128.store(yp, clampV(a0, vlo, vhi)); v128.store(yp, clampV(a1, vlo, vhi), 16);
    yp += rowY;
  }
}

@inline function block4(w: usize, nnz: usize, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128): void {
  for (let n = 0; n < N; n++) {
    let a0 = f32x4.splat(bias(b, n));
    const e = w + (<usize>load<u32>(nnz + (<usize>n << 2)) << 3);
    for (; w < e; w += 8) a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(w), v128.load(xp + <usize>load<u32>(w, 4))));
    v128.store(yp, clampV(a0, vlo, vhi));
    yp += rowY;
  }
}

@inline function block1(w: usize, nnz: usize, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, lo: f32, hi: f32): void {
  for (let n = 0; n < N; n++) {
    let a = bias(b, n);
    const e = w + (<usize>load<u32>(nnz + (<usize>n << 2)) << 3);
    for (; w < e; w += 8) a += load<f32>(w) * load<f32>(xp + <usize>load<u32>(w, 4));
    store<f32>(yp, clamp1(a, lo, hi));
    yp += rowY;
  }
}

/** Y[n][p] (rows rowY bytes apart), p < P, = clamp(B[n] + Σ_e val_e · X[off_e + p]) for the N CSR rows of w/nnz. */
@inline function spmmRange(w: usize, nnz: usize, x: usize, y: usize, b: usize, N: i32, P: i32, rowY: usize, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = 0;
  for (; p + 24 <= P; p += 24) block24(w, nnz, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi);
  if (p + 16 <= P) { block16(w, nnz, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); p += 16; }
  if (p + 8 <= P) { block8(w, nnz, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); p += 8; }
  if (p + 4 <= P) { block4(w, nnz, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); p += 4; }
  for (; p < P; p++) block1(w, nnz, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, lo, hi);
}

export function spmm24x1(w: usize, nnz: usize, x: usize, y: usize, b: usize, N: i32, P: i32, rowY: usize, lo: f32, hi: f32): void {
  spmmRange(w, nnz, x, y, b, N, P, rowY, lo, hi);
}

// convCsrIm2col: a group-1 Conv of one image (any window, pads, strides, dilations), CHW, with
// W in CSR whose offsets address rows of the im2col tile (row r = (ic, kh, kw), PT·4 bytes each):
// per tile of PT output pixels [p0, p1), im2colTile into col, then spmm over its p1 − p0 pixels
// into Y[n][p0..p1) (row stride OH·OW).
export function convCsrIm2col(x: usize, w: usize, nnz: usize, y: usize, b: usize, col: usize, N: i32, Cin: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32, PT: i32, lo: f32, hi: f32): void {
  const P = OH * OW;
  const rowY = <usize>P << 2;
  for (let p0 = 0; p0 < P; p0 += PT) {
    const p1 = min<i32>(P, p0 + PT);
    im2colTile(x, col, Cin, H, W, OW, KH, KW, sh, sw, dh, dw, ph, pw, PT, p0, p1);
    spmmRange(w, nnz, col, y + (<usize>p0 << 2), b, N, p1 - p0, rowY, lo, hi);
  }
}
