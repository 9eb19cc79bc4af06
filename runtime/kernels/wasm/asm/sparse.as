// Sparse wasmsimd kernels: spmm24x1 (CSR × pixel-contiguous activations, XNNPACK's MR×1 SpMM)
// and convCsrPhased (k×k convs: spmm over a zero-padded, stride-phase-split copy of X).
//
//   w[e]  interleaved entries, rows in order, 8 bytes each:   for each block of 24 pixels p, each row n:
//         ┌──────────┬───────────────────────────┐             acc[0..5] = splat(B[n])
//         │ val  f32 │ off u32 (byte offset of   │             for e in row n: acc += splat(val) · X[off + p..p+23]
//         │          │ its X row, col·rowX)      │             Y[n][p..p+23] = clamp(acc)
//         └──────────┴───────────────────────────┘           tail: the last 25–28 as one 28 block, else
//                                                             one 4/8/16/24 block ending at P (P ≥ 24),
//                                                             else 16, 8, 4 pixels, then 1
//   nnz[n] u32 entries in row n (may be 0)
//
// Y rows are rowY bytes apart (P·4 for a whole image, R·Wq·4 for convCsrPhased's tile).

import { clamp1, clamp4, bias, madd } from './common';

/** Rows 0..N−1 of the CSR weight over the 24-pixel block at xp → yp (w and nnz restart per block). */
@inline function block24(w: usize, nnz: usize, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128): void {
  for (let n = 0; n < N; n++) {
    let a0 = f32x4.splat(bias(b, n)), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    const e = w + (<usize>load<u32>(nnz + (<usize>n << 2)) << 3);
    for (; w < e; w += 8) {
      const s = v128.load32_splat(w);
      const xa = xp + <usize>load<u32>(w, 4);
      a0 = madd(s, v128.load(xa), a0);
      a1 = madd(s, v128.load(xa, 16), a1);
      a2 = madd(s, v128.load(xa, 32), a2);
      a3 = madd(s, v128.load(xa, 48), a3);
      a4 = madd(s, v128.load(xa, 64), a4);
      a5 = madd(s, v128.load(xa, 80), a5);
    }
    v128.store(yp, clamp4(a0, vlo, vhi)); v128.store(yp, clamp4(a1, vlo, vhi), 16);
    v128.store(yp, clamp4(a2, vlo, vhi), 32); v128.store(yp, clamp4(a3, vlo, vhi), 48);
    v128.store(yp, clamp4(a4, vlo, vhi), 64); v128.store(yp, clamp4(a5, vlo, vhi), 80);
    yp += rowY;
  }
}

/** block24 over 28 pixels (7 accumulators): a last block of 25–28 pixels in one pass. */
@inline function block28(w: usize, nnz: usize, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128): void {
  for (let n = 0; n < N; n++) {
    let a0 = f32x4.splat(bias(b, n)), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0;
    const e = w + (<usize>load<u32>(nnz + (<usize>n << 2)) << 3);
    for (; w < e; w += 8) {
      const s = v128.load32_splat(w);
      const xa = xp + <usize>load<u32>(w, 4);
      a0 = madd(s, v128.load(xa), a0);
      a1 = madd(s, v128.load(xa, 16), a1);
      a2 = madd(s, v128.load(xa, 32), a2);
      a3 = madd(s, v128.load(xa, 48), a3);
      a4 = madd(s, v128.load(xa, 64), a4);
      a5 = madd(s, v128.load(xa, 80), a5);
      a6 = madd(s, v128.load(xa, 96), a6);
    }
    v128.store(yp, clamp4(a0, vlo, vhi)); v128.store(yp, clamp4(a1, vlo, vhi), 16);
    v128.store(yp, clamp4(a2, vlo, vhi), 32); v128.store(yp, clamp4(a3, vlo, vhi), 48);
    v128.store(yp, clamp4(a4, vlo, vhi), 64); v128.store(yp, clamp4(a5, vlo, vhi), 80);
    v128.store(yp, clamp4(a6, vlo, vhi), 96);
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
      a0 = madd(s, v128.load(xa), a0);
      a1 = madd(s, v128.load(xa, 16), a1);
      a2 = madd(s, v128.load(xa, 32), a2);
      a3 = madd(s, v128.load(xa, 48), a3);
    }
    v128.store(yp, clamp4(a0, vlo, vhi)); v128.store(yp, clamp4(a1, vlo, vhi), 16);
    v128.store(yp, clamp4(a2, vlo, vhi), 32); v128.store(yp, clamp4(a3, vlo, vhi), 48);
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
      a0 = madd(s, v128.load(xa), a0);
      a1 = madd(s, v128.load(xa, 16), a1);
    }
    v128.store(yp, clamp4(a0, vlo, vhi)); v128.store(yp, clamp4(a1, vlo, vhi), 16);
    yp += rowY;
  }
}

@inline function block4(w: usize, nnz: usize, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128): void {
  for (let n = 0; n < N; n++) {
    let a0 = f32x4.splat(bias(b, n));
    const e = w + (<usize>load<u32>(nnz + (<usize>n << 2)) << 3);
    for (; w < e; w += 8) a0 = madd(v128.load32_splat(w), v128.load(xp + <usize>load<u32>(w, 4)), a0);
    v128.store(yp, clamp4(a0, vlo, vhi));
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

/**
 * spmmRange for an output Y that does not alias X (scratch): the last < 24 pixels run as one
 * 4-, 8-, 16- or 24-pixel block ending at P, recomputing (and rewriting) a few pixels rather than
 * passing over the weights once per tail width.
 */
@inline function spmmOverlap(w: usize, nnz: usize, x: usize, y: usize, b: usize, N: i32, P: i32, rowY: usize, lo: f32, hi: f32): void {
  if (P < 24) { spmmRange(w, nnz, x, y, b, N, P, rowY, lo, hi); return; }
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = 0;
  // a remainder of 1–4 pixels joins the last full block: one 28-pixel pass ending at P instead of
  // a 24 and a 4 (mobilenet_v2_w050's 7² and 14² layers: 0.92–0.98× their time)
  const tail = P % 24;
  if (tail >= 1 && tail <= 4 && P >= 28) {
    for (; p + 24 <= P - 24 - tail; p += 24) block24(w, nnz, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi);
    p = P - 28;
    block28(w, nnz, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi);
    return;
  }
  for (; p + 24 <= P; p += 24) block24(w, nnz, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi);
  const r = P - p;
  if (r == 0) return;
  if (r <= 4) { p = P - 4; block4(w, nnz, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); }
  else if (r <= 8) { p = P - 8; block8(w, nnz, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); }
  else if (r <= 16) { p = P - 16; block16(w, nnz, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); }
  else { p = P - 24; block24(w, nnz, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); }
}

/** The CSR product over P pixels; Y must not overlap X (its tail block may rewrite a few pixels). */
export function spmm24x1(w: usize, nnz: usize, x: usize, y: usize, b: usize, N: i32, P: i32, rowY: usize, lo: f32, hi: f32): void {
  spmmOverlap(w, nnz, x, y, b, N, P, rowY, lo, hi);
}

// convCsrPhased: a group-1 Conv of one image (any window, pads, strides, dilations), CHW, without
// im2col. X is first copied, zero-padded and split by stride phase, into
//
//   xq[ci][a][b][i][j] = Xpad[ci][i·sh + a][j·sw + b]     (Hq × Wq per plane, a < sh, b < sw;
//                                                           planes no tap reads are left as they are)
//
// so that output (oh, ow) under tap (kh, kw) reads plane (kh·dh mod sh, kw·dw mod sw) at
// (oh + ⌊kh·dh/sh⌋, ow + ⌊kw·dw/sw⌋): for a fixed entry, consecutive ow read consecutive floats.
// With "virtual pixel" q = oh·Wq + ow, every entry (ci, kh, kw) is one fixed offset (staged) and
// spmm runs over q directly on xq. Columns ow ≥ OW of the virtual rows are computed and dropped:
// R output rows at a time go to the tile t[N][R·Wq] and their OW valid columns are copied to Y.

@inline function zeroF(dst: usize, n: i32): void {
  for (; n >= 4; n -= 4) { v128.store(dst, i32x4.splat(0)); dst += 16; }
  for (; n > 0; n--) { store<f32>(dst, 0); dst += 4; }
}

@inline function copyF(dst: usize, src: usize, n: i32): void {
  for (; n >= 4; n -= 4) { v128.store(dst, v128.load(src)); dst += 16; src += 16; }
  for (; n > 0; n--) { store<f32>(dst, load<f32>(src)); dst += 4; src += 4; }
}

/** Fills the planes (a, b) whose bit a·sw + b is set in `used` (all from bit 31 on); the others are never read. */
export function phaseSplit(x: usize, xq: usize, Cin: i32, H: i32, W: i32, sh: i32, sw: i32, ph: i32, pw: i32, Hq: i32, Wq: i32, used: i32): void {
  const plane = (<usize>Hq * <usize>Wq) << 2;
  let dst = xq;
  for (let ci = 0; ci < Cin; ci++) {
    const xc = x + ((<usize>ci * <usize>H * <usize>W) << 2);
    for (let a = 0; a < sh; a++) {
      for (let bb = 0; bb < sw; bb++) {
        const bit = a * sw + bb;
        if (bit < 31 && ((used >> bit) & 1) == 0) { dst += plane; continue; }
        // columns j with 0 <= j·sw + bb − pw < W
        const shift = bb - pw;
        const jlo = shift >= 0 ? 0 : min<i32>(Wq, (-shift + sw - 1) / sw);
        const jhi = max<i32>(jlo, W - 1 - shift < 0 ? 0 : min<i32>(Wq, (W - 1 - shift) / sw + 1));
        for (let i = 0; i < Hq; i++) {
          const r = i * sh + a - ph;
          if (r < 0 || r >= H) { zeroF(dst, Wq); dst += <usize>Wq << 2; continue; }
          zeroF(dst, jlo);
          const src = xc + ((<usize>r * <usize>W + <usize>(jlo * sw + shift)) << 2);
          const d = dst + (<usize>jlo << 2);
          if (sw == 1) copyF(d, src, jhi - jlo);
          else {
            let j = jlo, s = src, o = d;
            // stride 2: even lanes of 8 floats, while all 8 lie inside the row (j + 3 < jmax)
            if (sw == 2) {
              const jmax = (W - 2 - shift) / 2; // last j whose 2j + shift + 1 is in the row
              for (; j + 3 < jhi && j + 3 <= jmax; j += 4) {
                v128.store(o, v128.shuffle<f32>(v128.load(s), v128.load(s, 16), 0, 2, 4, 6));
                s += 32; o += 16;
              }
            }
            const step = <usize>sw << 2;
            for (; j < jhi; j++) { store<f32>(o, load<f32>(s)); s += step; o += 4; }
          }
          zeroF(dst + (<usize>jhi << 2), Wq - jhi);
          dst += <usize>Wq << 2;
        }
      }
    }
  }
}

export function convCsrPhased(x: usize, w: usize, nnz: usize, y: usize, b: usize, xq: usize, t: usize, N: i32, Cin: i32, H: i32, W: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, Hq: i32, Wq: i32, R: i32, used: i32, lo: f32, hi: f32): void {
  phaseSplit(x, xq, Cin, H, W, sh, sw, ph, pw, Hq, Wq, used);
  const rowT = (<usize>R * <usize>Wq) << 2, rowY = (<usize>OH * <usize>OW) << 2;
  for (let oh0 = 0; oh0 < OH; oh0 += R) {
    const rows = min<i32>(R, OH - oh0);
    spmmOverlap(w, nnz, xq + ((<usize>oh0 * <usize>Wq) << 2), t, b, N, (rows - 1) * Wq + OW, rowT, lo, hi);
    for (let n = 0; n < N; n++) {
      const tn = t + <usize>n * rowT, yn = y + <usize>n * rowY + ((<usize>oh0 * <usize>OW) << 2);
      for (let r = 0; r < rows; r++) copyF(yn + ((<usize>r * <usize>OW) << 2), tn + ((<usize>r * <usize>Wq) << 2), OW);
    }
  }
}
