// Standard N:M wasmsimd kernels (issue 17): per-row masks as ASP / SparseGPT produce them, each
// row keeping n of every m consecutive reduction columns, multiplied by pixel-contiguous
// activations one broadcast weight at a time over 24 pixels (the csr 24x1 tile's shape).
//
//   w  staged at bind, rows in order, S = (K/m)·n slots per row (every row the same: no counts),
//      8 bytes per slot:  ┌──────────┬──────────────────────────────────┐
//                         │ val  f32 │ off u32: byte offset of the X row │  (a padded slot: val 0)
//                         └──────────┴──────────────────────────────────┘
//   per 24-pixel block p, per row r:  acc[0..5] = splat(B[r]); for its S slots:
//                                      acc += splat(val) · X[off + p..p+23];  Y[r][p..] = clamp(acc)
//   tail: the last 25–28 pixels as one 28-pixel block (7 accumulators), else one 4/8/16/24-pixel
//   block ending at P (recomputes a few pixels), or 16, 8, 4, 1 when P < 24
//
// The decoded offsets make the index cost one u32 per weight (CSR's, minus the row counts). The
// slot loop runs one slot per step: unrolled by two, V8 spilled accumulators and the layers ran
// 0.86× dense instead of 1.15–1.40×. Long reductions run in chunks (spmmNm, staged chunk-major).

import { clamp4, clamp1, bias, madd } from './common';
import { phaseSplit } from './sparse';

// part of the reduction a block call covers: FIRST starts from the bias (else from the partial
// sums in Y), LAST clamps (else stores the partial sums); a constant at every call, so inlining
// folds the branches away.
const FIRST = 1, LAST = 2, WHOLE = 3;

@inline function nmBlock24(w: usize, S: i32, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128, part: i32): void {
  const rowW = <usize>S << 3;
  for (let r = 0; r < N; r++) {
    let a0 = f32x4.splat(bias(b, r)), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    if (!(part & FIRST)) {
      a0 = v128.load(yp); a1 = v128.load(yp, 16); a2 = v128.load(yp, 32);
      a3 = v128.load(yp, 48); a4 = v128.load(yp, 64); a5 = v128.load(yp, 80);
    }
    for (const e = w + rowW; w < e; w += 8) {
      const s = v128.load32_splat(w);
      const xa = xp + <usize>load<u32>(w, 4);
      a0 = madd(s, v128.load(xa), a0); a1 = madd(s, v128.load(xa, 16), a1);
      a2 = madd(s, v128.load(xa, 32), a2); a3 = madd(s, v128.load(xa, 48), a3);
      a4 = madd(s, v128.load(xa, 64), a4); a5 = madd(s, v128.load(xa, 80), a5);
    }
    if (part & LAST) {
      a0 = clamp4(a0, vlo, vhi); a1 = clamp4(a1, vlo, vhi); a2 = clamp4(a2, vlo, vhi);
      a3 = clamp4(a3, vlo, vhi); a4 = clamp4(a4, vlo, vhi); a5 = clamp4(a5, vlo, vhi);
    }
    v128.store(yp, a0); v128.store(yp, a1, 16); v128.store(yp, a2, 32);
    v128.store(yp, a3, 48); v128.store(yp, a4, 64); v128.store(yp, a5, 80);
    yp += rowY;
  }
}

@inline function nmBlock28(w: usize, S: i32, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128): void {
  const rowW = <usize>S << 3;
  for (let r = 0; r < N; r++) {
    let a0 = f32x4.splat(bias(b, r)), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0;
    for (const e = w + rowW; w < e; w += 8) {
      const s = v128.load32_splat(w);
      const xa = xp + <usize>load<u32>(w, 4);
      a0 = madd(s, v128.load(xa), a0); a1 = madd(s, v128.load(xa, 16), a1);
      a2 = madd(s, v128.load(xa, 32), a2); a3 = madd(s, v128.load(xa, 48), a3);
      a4 = madd(s, v128.load(xa, 64), a4); a5 = madd(s, v128.load(xa, 80), a5);
      a6 = madd(s, v128.load(xa, 96), a6);
    }
    v128.store(yp, clamp4(a0, vlo, vhi)); v128.store(yp, clamp4(a1, vlo, vhi), 16); v128.store(yp, clamp4(a2, vlo, vhi), 32);
    v128.store(yp, clamp4(a3, vlo, vhi), 48); v128.store(yp, clamp4(a4, vlo, vhi), 64); v128.store(yp, clamp4(a5, vlo, vhi), 80);
    v128.store(yp, clamp4(a6, vlo, vhi), 96);
    yp += rowY;
  }
}

@inline function nmBlock16(w: usize, S: i32, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128, part: i32): void {
  const rowW = <usize>S << 3;
  for (let r = 0; r < N; r++) {
    let a0 = f32x4.splat(bias(b, r)), a1 = a0, a2 = a0, a3 = a0;
    if (!(part & FIRST)) { a0 = v128.load(yp); a1 = v128.load(yp, 16); a2 = v128.load(yp, 32); a3 = v128.load(yp, 48); }
    for (const e = w + rowW; w < e; w += 8) {
      const s = v128.load32_splat(w);
      const xa = xp + <usize>load<u32>(w, 4);
      a0 = madd(s, v128.load(xa), a0); a1 = madd(s, v128.load(xa, 16), a1);
      a2 = madd(s, v128.load(xa, 32), a2); a3 = madd(s, v128.load(xa, 48), a3);
    }
    if (part & LAST) { a0 = clamp4(a0, vlo, vhi); a1 = clamp4(a1, vlo, vhi); a2 = clamp4(a2, vlo, vhi); a3 = clamp4(a3, vlo, vhi); }
    v128.store(yp, a0); v128.store(yp, a1, 16); v128.store(yp, a2, 32); v128.store(yp, a3, 48);
    yp += rowY;
  }
}

@inline function nmBlock8(w: usize, S: i32, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128, part: i32): void {
  const rowW = <usize>S << 3;
  for (let r = 0; r < N; r++) {
    let a0 = f32x4.splat(bias(b, r)), a1 = a0;
    if (!(part & FIRST)) { a0 = v128.load(yp); a1 = v128.load(yp, 16); }
    for (const e = w + rowW; w < e; w += 8) {
      const s = v128.load32_splat(w);
      const xa = xp + <usize>load<u32>(w, 4);
      a0 = madd(s, v128.load(xa), a0); a1 = madd(s, v128.load(xa, 16), a1);
    }
    if (part & LAST) { a0 = clamp4(a0, vlo, vhi); a1 = clamp4(a1, vlo, vhi); }
    v128.store(yp, a0); v128.store(yp, a1, 16);
    yp += rowY;
  }
}

@inline function nmBlock4(w: usize, S: i32, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, vlo: v128, vhi: v128, part: i32): void {
  const rowW = <usize>S << 3;
  for (let r = 0; r < N; r++) {
    let a0 = f32x4.splat(bias(b, r));
    if (!(part & FIRST)) a0 = v128.load(yp);
    for (const e = w + rowW; w < e; w += 8) a0 = madd(v128.load32_splat(w), v128.load(xp + <usize>load<u32>(w, 4)), a0);
    v128.store(yp, part & LAST ? clamp4(a0, vlo, vhi) : a0);
    yp += rowY;
  }
}

@inline function nmBlock1(w: usize, S: i32, xp: usize, yp: usize, b: usize, N: i32, rowY: usize, lo: f32, hi: f32, part: i32): void {
  const rowW = <usize>S << 3;
  for (let r = 0; r < N; r++) {
    let a = part & FIRST ? bias(b, r) : load<f32>(yp);
    for (const e = w + rowW; w < e; w += 8) a += load<f32>(w) * load<f32>(xp + <usize>load<u32>(w, 4));
    store<f32>(yp, part & LAST ? clamp1(a, lo, hi) : a);
    yp += rowY;
  }
}

/**
 * Y[r][p] (rows rowY bytes apart), p < P, = clamp(B[r] + Σ_slots val · X[off + p]) for the N rows
 * of the staged weight w (S slots each). Y must not overlap X: with P ≥ 24 the last < 24 pixels
 * run as one block ending at P, recomputing (and rewriting) a few pixels rather than passing over
 * the weights once per tail width.
 */
function spmmWhole(w: usize, S: i32, x: usize, y: usize, b: usize, N: i32, P: i32, rowY: usize, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = 0;
  // The last 25–28 pixels run as one 28-pixel block: P = 49 (7×7) takes two passes over the weights, not three.
  for (; p + 24 <= P && !(P >= 28 && P - p > 24 && P - p <= 28); p += 24) nmBlock24(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, WHOLE);
  const r = P - p;
  if (r == 0) return;
  if (r > 24) { nmBlock28(w, S, x + (<usize>(P - 28) << 2), y + (<usize>(P - 28) << 2), b, N, rowY, vlo, vhi); return; }
  if (P >= 24) {
    if (r <= 4) { p = P - 4; nmBlock4(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, WHOLE); }
    else if (r <= 8) { p = P - 8; nmBlock8(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, WHOLE); }
    else if (r <= 16) { p = P - 16; nmBlock16(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, WHOLE); }
    else { p = P - 24; nmBlock24(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, WHOLE); }
    return;
  }
  if (p + 16 <= P) { nmBlock16(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, WHOLE); p += 16; }
  if (p + 8 <= P) { nmBlock8(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, WHOLE); p += 8; }
  if (p + 4 <= P) { nmBlock4(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, WHOLE); p += 4; }
  for (; p < P; p++) nmBlock1(w, S, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, lo, hi, WHOLE);
}

/**
 * spmmWhole with the reduction in chunks of Sc slots per row (the staged slots chunk-major:
 * chunk c holds every row's slots c·Sc.. in row order), each chunk over all pixels before the next,
 * so one chunk's weights (N·Sc·8 bytes) and activation rows stay in cache across the pixel blocks
 * (unchunked, a 3×3 conv over 256 channels streams 2.4 MB of weights and touches 2304 activation
 * rows per 24-pixel block). Partial sums wait in Y; tails are exact (16, 8, 4, then 1 pixel),
 * as a recomputed overlapping block would add a chunk twice. S ≤ Sc runs spmmWhole.
 */
export function spmmNm(w: usize, S: i32, Sc: i32, x: usize, y: usize, b: usize, N: i32, P: i32, rowY: usize, lo: f32, hi: f32): void {
  if (S <= Sc) { spmmWhole(w, S, x, y, b, N, P, rowY, lo, hi); return; }
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  for (let s0 = 0; s0 < S; s0 += Sc) {
    const sc = min<i32>(Sc, S - s0);
    const wc = w + ((<usize>s0 * <usize>N) << 3);
    let p = 0;
    if (s0 == 0) {
      for (; p + 24 <= P; p += 24) nmBlock24(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, FIRST);
      if (p + 16 <= P) { nmBlock16(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, FIRST); p += 16; }
      if (p + 8 <= P) { nmBlock8(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, FIRST); p += 8; }
      if (p + 4 <= P) { nmBlock4(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, FIRST); p += 4; }
      for (; p < P; p++) nmBlock1(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, lo, hi, FIRST);
    } else if (s0 + sc < S) {
      for (; p + 24 <= P; p += 24) nmBlock24(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, 0);
      if (p + 16 <= P) { nmBlock16(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, 0); p += 16; }
      if (p + 8 <= P) { nmBlock8(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, 0); p += 8; }
      if (p + 4 <= P) { nmBlock4(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, 0); p += 4; }
      for (; p < P; p++) nmBlock1(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, lo, hi, 0);
    } else {
      for (; p + 24 <= P; p += 24) nmBlock24(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, LAST);
      if (p + 16 <= P) { nmBlock16(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, LAST); p += 16; }
      if (p + 8 <= P) { nmBlock8(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, LAST); p += 8; }
      if (p + 4 <= P) { nmBlock4(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, vlo, vhi, LAST); p += 4; }
      for (; p < P; p++) nmBlock1(wc, sc, x + (<usize>p << 2), y + (<usize>p << 2), b, N, rowY, lo, hi, LAST);
    }
  }
}

// convNmPhased: a k×k conv without im2col, as convCsrPhased (sparse.as): X zero-padded and split
// by stride phase (phaseSplit), each slot one offset into the planes, spmm over virtual pixels
// oh·Wq + ow, R output rows per tile t[N][rowT] whose OW valid columns are copied to Y. The
// virtual pixel count is rounded up to a multiple of 4 (rowT ≥ R·Wq rounded up to 4 floats): the
// extra columns are dropped, and the chunked tails then never fall to 1 pixel. (im2col tiles,
// tried as well, ran every corpus layer slower: K·24·4 bytes of scattered rows per block.)

@inline function copyRow(dst: usize, src: usize, n: i32): void {
  for (; n >= 4; n -= 4) { v128.store(dst, v128.load(src)); dst += 16; src += 16; }
  for (; n > 0; n--) { store<f32>(dst, load<f32>(src)); dst += 4; src += 4; }
}

export function convNmPhased(x: usize, w: usize, S: i32, Sc: i32, y: usize, b: usize, xq: usize, t: usize, N: i32, Cin: i32, H: i32, W: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, Hq: i32, Wq: i32, R: i32, used: i32, lo: f32, hi: f32): void {
  phaseSplit(x, xq, Cin, H, W, sh, sw, ph, pw, Hq, Wq, used);
  const rowT = <usize>((R * Wq + 3) & ~3) << 2, rowY = (<usize>OH * <usize>OW) << 2;
  for (let oh0 = 0; oh0 < OH; oh0 += R) {
    const rows = min<i32>(R, OH - oh0);
    spmmNm(w, S, Sc, xq + ((<usize>oh0 * <usize>Wq) << 2), t, b, N, ((rows - 1) * Wq + OW + 3) & ~3, rowT, lo, hi);
    for (let n = 0; n < N; n++) {
      const tn = t + <usize>n * rowT, yn = y + <usize>n * rowY + ((<usize>oh0 * <usize>OW) << 2);
      for (let r = 0; r < rows; r++) copyRow(yn + ((<usize>r * <usize>OW) << 2), tn + ((<usize>r * <usize>Wq) << 2), OW);
    }
  }
}
