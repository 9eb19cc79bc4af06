// Standard N:M wasmsimd kernels (issue 17): per-row masks as ASP / SparseGPT produce them, each
// row keeping n of every m consecutive reduction columns, multiplied by pixel-contiguous
// activations one broadcast weight at a time over 24 pixels (the csr 24x1 tile's shape).
//
//   w  staged at bind, rows in order, S = (K/m)·n slots per row (every row the same: no counts),
//      8 bytes per slot:  ┌──────────┬──────────────────────────────────┐
//                         │ val  f32 │ off u32: byte offset of the X row │  (a padded slot: val 0)
//                         └──────────┴──────────────────────────────────┘
//   per 24-pixel block p, per row r:  acc[0..5] = splat(B[r]); for its S slots (two per step):
//                                      acc += splat(val) · X[off + p..p+23];  Y[r][p..] = clamp(acc)
//   tail: one 4/8/16/24-pixel block ending at P (recomputes a few pixels), or 16, 8, 4, 1 when P < 24
//
// The decoded offsets make the index cost one u32 per weight (CSR's, minus the row counts), and
// the fixed S per row lets the slot loop run two slots per step.

import { clamp4, clamp1, bias, madd, im2colTile } from './common';
import { phaseSplit } from './sparse';

@inline function nmBlock24(w: usize, S: i32, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128): void {
  const rowW = <usize>S << 3;
  for (let r = 0; r < N; r++) {
    let a0 = f32x4.splat(bias(b, r)), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    const e = w + rowW, e2 = e - 8;
    for (; w < e2; w += 16) {
      let s = v128.load32_splat(w);
      let xa = xp + <usize>load<u32>(w, 4);
      a0 = madd(s, v128.load(xa), a0); a1 = madd(s, v128.load(xa, 16), a1);
      a2 = madd(s, v128.load(xa, 32), a2); a3 = madd(s, v128.load(xa, 48), a3);
      a4 = madd(s, v128.load(xa, 64), a4); a5 = madd(s, v128.load(xa, 80), a5);
      s = v128.load32_splat(w, 8);
      xa = xp + <usize>load<u32>(w, 12);
      a0 = madd(s, v128.load(xa), a0); a1 = madd(s, v128.load(xa, 16), a1);
      a2 = madd(s, v128.load(xa, 32), a2); a3 = madd(s, v128.load(xa, 48), a3);
      a4 = madd(s, v128.load(xa, 64), a4); a5 = madd(s, v128.load(xa, 80), a5);
    }
    if (w < e) {
      const s = v128.load32_splat(w);
      const xa = xp + <usize>load<u32>(w, 4);
      a0 = madd(s, v128.load(xa), a0); a1 = madd(s, v128.load(xa, 16), a1);
      a2 = madd(s, v128.load(xa, 32), a2); a3 = madd(s, v128.load(xa, 48), a3);
      a4 = madd(s, v128.load(xa, 64), a4); a5 = madd(s, v128.load(xa, 80), a5);
      w += 8;
    }
    v128.store(yp, clamp4(a0, vlo, vhi)); v128.store(yp, clamp4(a1, vlo, vhi), 16);
    v128.store(yp, clamp4(a2, vlo, vhi), 32); v128.store(yp, clamp4(a3, vlo, vhi), 48);
    v128.store(yp, clamp4(a4, vlo, vhi), 64); v128.store(yp, clamp4(a5, vlo, vhi), 80);
    yp += rowY;
  }
}

@inline function nmBlock16(w: usize, S: i32, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128): void {
  const rowW = <usize>S << 3;
  for (let r = 0; r < N; r++) {
    let a0 = f32x4.splat(bias(b, r)), a1 = a0, a2 = a0, a3 = a0;
    for (const e = w + rowW; w < e; w += 8) {
      const s = v128.load32_splat(w);
      const xa = xp + <usize>load<u32>(w, 4);
      a0 = madd(s, v128.load(xa), a0); a1 = madd(s, v128.load(xa, 16), a1);
      a2 = madd(s, v128.load(xa, 32), a2); a3 = madd(s, v128.load(xa, 48), a3);
    }
    v128.store(yp, clamp4(a0, vlo, vhi)); v128.store(yp, clamp4(a1, vlo, vhi), 16);
    v128.store(yp, clamp4(a2, vlo, vhi), 32); v128.store(yp, clamp4(a3, vlo, vhi), 48);
    yp += rowY;
  }
}

@inline function nmBlock8(w: usize, S: i32, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128): void {
  const rowW = <usize>S << 3;
  for (let r = 0; r < N; r++) {
    let a0 = f32x4.splat(bias(b, r)), a1 = a0;
    for (const e = w + rowW; w < e; w += 8) {
      const s = v128.load32_splat(w);
      const xa = xp + <usize>load<u32>(w, 4);
      a0 = madd(s, v128.load(xa), a0); a1 = madd(s, v128.load(xa, 16), a1);
    }
    v128.store(yp, clamp4(a0, vlo, vhi)); v128.store(yp, clamp4(a1, vlo, vhi), 16);
    yp += rowY;
  }
}

@inline function nmBlock4(w: usize, S: i32, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128): void {
  const rowW = <usize>S << 3;
  for (let r = 0; r < N; r++) {
    let a0 = f32x4.splat(bias(b, r));
    for (const e = w + rowW; w < e; w += 8) a0 = madd(v128.load32_splat(w), v128.load(xp + <usize>load<u32>(w, 4)), a0);
    v128.store(yp, clamp4(a0, vlo, vhi));
    yp += rowY;
  }
}

@inline function nmBlock1(w: usize, S: i32, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, lo: f32, hi: f32): void {
  const rowW = <usize>S << 3;
  for (let r = 0; r < N; r++) {
    let a = bias(b, r);
    for (const e = w + rowW; w < e; w += 8) a += load<f32>(w) * load<f32>(xp + <usize>load<u32>(w, 4));
    store<f32>(yp, clamp1(a, lo, hi));
    yp += rowY;
  }
}

/**
 * Y[r][p] (rows rowY bytes apart), p < P, = clamp(B[r] + Σ_slots val · X[off + p]) for the N rows
 * of the staged weight w (S slots each). Y must not overlap X: with P ≥ 24 the last < 24 pixels
 * run as one block ending at P, recomputing (and rewriting) a few pixels rather than passing over
 * the weights once per tail width.
 */
export function spmmNm24(w: usize, S: i32, x: usize, y: usize, b: usize, N: i32, P: i32, rowY: usize, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = 0;
  for (; p + 24 <= P; p += 24) nmBlock24(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi);
  const r = P - p;
  if (r == 0) return;
  if (P >= 24) {
    if (r <= 4) { p = P - 4; nmBlock4(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); }
    else if (r <= 8) { p = P - 8; nmBlock8(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); }
    else if (r <= 16) { p = P - 16; nmBlock16(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); }
    else { p = P - 24; nmBlock24(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); }
    return;
  }
  if (p + 16 <= P) { nmBlock16(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); p += 16; }
  if (p + 8 <= P) { nmBlock8(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); p += 8; }
  if (p + 4 <= P) { nmBlock4(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi); p += 4; }
  for (; p < P; p++) nmBlock1(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, lo, hi);
}

// k×k convs take one of two layouts, chosen at bind (conv-nm.ts) by the pixels each computes:
//
// convNmPhased: X zero-padded and split by stride phase (sparse.as phaseSplit), offsets into the
//   planes, spmm over virtual pixels oh·Wq + ow, R output rows per tile t[N][R·Wq], the OW valid
//   columns copied to Y; computes (Wq − OW)/Wq extra columns (22% at 7×7 with a 3×3 window).
// convNmIm2col: im2col tiles col[Cin·KH·KW][PT] (common.as im2colTile), offsets row·PT·4, spmm
//   straight into Y; copies K·P floats, computes no extra column.

@inline function copyRow(dst: usize, src: usize, n: i32): void {
  for (; n >= 4; n -= 4) { v128.store(dst, v128.load(src)); dst += 16; src += 16; }
  for (; n > 0; n--) { store<f32>(dst, load<f32>(src)); dst += 4; src += 4; }
}

export function convNmPhased(x: usize, w: usize, S: i32, y: usize, b: usize, xq: usize, t: usize, N: i32, Cin: i32, H: i32, W: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, Hq: i32, Wq: i32, R: i32, used: i32, lo: f32, hi: f32): void {
  phaseSplit(x, xq, Cin, H, W, sh, sw, ph, pw, Hq, Wq, used);
  const rowT = (<usize>R * <usize>Wq) << 2, rowY = (<usize>OH * <usize>OW) << 2;
  for (let oh0 = 0; oh0 < OH; oh0 += R) {
    const rows = min<i32>(R, OH - oh0);
    spmmNm24(w, S, xq + ((<usize>oh0 * <usize>Wq) << 2), t, b, N, (rows - 1) * Wq + OW, rowT, lo, hi);
    for (let n = 0; n < N; n++) {
      const tn = t + <usize>n * rowT, yn = y + <usize>n * rowY + ((<usize>oh0 * <usize>OW) << 2);
      for (let r = 0; r < rows; r++) copyRow(yn + ((<usize>r * <usize>OW) << 2), tn + ((<usize>r * <usize>Wq) << 2), OW);
    }
  }
}

export function convNmIm2col(x: usize, w: usize, S: i32, y: usize, b: usize, col: usize, N: i32, Cin: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32, PT: i32, lo: f32, hi: f32): void {
  const P = OH * OW, rowY = <usize>P << 2;
  for (let p0 = 0; p0 < P; p0 += PT) {
    const p1 = min<i32>(P, p0 + PT);
    im2colTile(x, col, Cin, H, W, OW, KH, KW, sh, sw, dh, dw, ph, pw, PT, p0, p1);
    spmmNm24(w, S, col, y + (<usize>p0 << 2), b, N, p1 - p0, rowY, lo, hi);
  }
}
