// int8 conv product on an N:M weight (QLinearConv whose int8 weight is stored N:M, zero point 0):
// the dense kernel's exact int32 arithmetic (int8.as) on the kept weights only, so the sums, and
// the requantized outputs, are those of the dense kernel on the expanded weight, bit for bit.
//
//   Xc: rows of rowBytes (pixels × 2 int16), one per k pair, then one per derived pair:
//     natural pair kk:  [x(2kk, p), x(2kk+1, p)] for p < PT       (k in the weight matrix's column
//                                                                  order: (kh, kw, ci), ci fastest)
//     derived pair d:   [x(a, p), x(b, p)]  for two kept columns a < b of one group that are not a
//                       natural pair, made by one shuffle of rows a/2 and b/2 (lanes a&1, b&1)
//   Ws, per output row: one 8-byte slot per pair of kept weights of a group (its last kept
//     weight alone pairs with a zero weight on its natural neighbour):
//       ┌──────────┬──────────┬───────────────────────────────┐
//       │ wa  i16  │ wb  i16  │ byte offset of its Xc row u32 │
//       └──────────┴──────────┴───────────────────────────────┘
//   per row, per 16 pixels: acc[0..3] += dot_i16x8(Xc[off][p..p+15], splat32(wa, wb))
//   so one i32x4.dot_i16x8_s multiplies two kept weights over 4 pixels: 2:4 takes half the dots
//   of the dense 4×8 tile, at two activation loads per dot where the dense tile shares each load
//   among 4 channels. Epilogue per 8 pixels of a row: finish8, as the dense kernel's.

import { finish, finish8, im2colRow } from './int8common';

/**
 * The natural pair rows of Xc for output pixels [p0, p0 + pn) of one NCHW image, rows rowBytes
 * apart, pixels past pn up to the next multiple of 4 zero, k past K zero: column k is tap
 * k / cin, channel k % cin (the N:M matrix's order). A 1×1 conv with unit strides and no padding
 * (pointwise ≠ 0) reads x's channel planes directly; others go through im2col rows in `tmp`
 * (2·ceil(pn / 8)·8 int16).
 */
export function i8colNm(x: usize, signed: i32, zx: i32, col: usize, rowBytes: i32, tmp: usize, cin: i32, H: i32, W: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32, p0: i32, pn: i32, kpad: i32, pointwise: i32): void {
  const K = cin * KH * KW;
  const pt = (pn + 3) & ~3, pv = (pn + 7) & ~7;
  const t0 = tmp, t1 = tmp + (<usize>pv << 1);
  const vz = i16x8.splat(<i16>zx);
  for (let kk = 0; kk < (kpad >> 1); kk++) {
    const d = col + <usize>kk * <usize>rowBytes;
    const k0 = kk * 2, k1 = k0 + 1;
    if (k0 >= K) { memory.fill(d, 0, <usize>pt << 2); continue; }
    if (pointwise != 0) {
      const P = H * W;
      const r0 = x + <usize>k0 * <usize>P + <usize>p0, r1 = r0 + <usize>P;
      const two = k1 < K;
      let q = 0;
      for (; q + 8 <= pn; q += 8) {
        const a = i16x8.sub(signed != 0 ? v128.load8x8_s(r0 + <usize>q) : v128.load8x8_u(r0 + <usize>q), vz);
        const b = two ? i16x8.sub(signed != 0 ? v128.load8x8_s(r1 + <usize>q) : v128.load8x8_u(r1 + <usize>q), vz) : i16x8.splat(0);
        v128.store(d + (<usize>q << 2), v128.shuffle<i16>(a, b, 0, 8, 1, 9, 2, 10, 3, 11));
        v128.store(d + (<usize>q << 2), v128.shuffle<i16>(a, b, 4, 12, 5, 13, 6, 14, 7, 15), 16);
      }
      for (; q < pn; q++) {
        const a: i32 = (signed != 0 ? <i32>load<i8>(r0 + <usize>q) : <i32>load<u8>(r0 + <usize>q)) - zx;
        const b: i32 = two ? (signed != 0 ? <i32>load<i8>(r1 + <usize>q) : <i32>load<u8>(r1 + <usize>q)) - zx : 0;
        store<i16>(d + (<usize>q << 2), <i16>a);
        store<i16>(d + (<usize>q << 2), <i16>b, 2);
      }
      for (; q < pt; q++) store<i32>(d + (<usize>q << 2), 0);
      continue;
    }
    const taps = KH * KW;
    for (let e = 0; e < 2; e++) {
      const k = k0 + e, t = e == 0 ? t0 : t1;
      if (k >= K) { memory.fill(t, 0, <usize>pv << 1); continue; }
      const tap = k / cin, ic = k % cin;
      im2colRow(x + <usize>(ic * H * W), signed, zx, t, H, W, OW, tap / KW, tap % KW, sh, sw, dh, dw, ph, pw, p0, pn);
      for (let q = pn; q < pv; q++) store<i16>(t + (<usize>q << 1), 0);
    }
    let q = 0;
    for (; q + 8 <= pt; q += 8) {
      const a = v128.load(t0 + (<usize>q << 1)), b = v128.load(t1 + (<usize>q << 1));
      v128.store(d + (<usize>q << 2), v128.shuffle<i16>(a, b, 0, 8, 1, 9, 2, 10, 3, 11));
      v128.store(d + (<usize>q << 2), v128.shuffle<i16>(a, b, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    }
    for (; q < pt; q++) {
      store<i16>(d + (<usize>q << 2), load<i16>(t0 + (<usize>q << 1)));
      store<i16>(d + (<usize>q << 2), load<i16>(t1 + (<usize>q << 1)), 2);
    }
  }
}

/**
 * The derived pair rows: for d < count, row `first + d` of Xc (rows rowBytes apart) from the
 * table's entry d (3 u32: byte offset of the row holding column a, of the row holding b, and
 * (a & 1)·2 + (b & 1)): [x(a, p), x(b, p)] for p < pt (a multiple of 4).
 */
export function i8pairsNm(col: usize, rowBytes: i32, first: i32, table: usize, count: i32, pt: i32): void {
  let dst = col + <usize>first * <usize>rowBytes;
  const end = <usize>pt << 2;
  for (let d = 0; d < count; d++) {
    const e = table + <usize>d * 12;
    const ra = col + <usize>load<u32>(e), rb = col + <usize>load<u32>(e, 4), lanes = load<u32>(e, 8);
    // one shuffle per 4 pixels, its lanes fixed per row
    if (lanes == 0) {
      for (let o: usize = 0; o < end; o += 16) v128.store(dst + o, v128.shuffle<i16>(v128.load(ra + o), v128.load(rb + o), 0, 8, 2, 10, 4, 12, 6, 14));
    } else if (lanes == 1) {
      for (let o: usize = 0; o < end; o += 16) v128.store(dst + o, v128.shuffle<i16>(v128.load(ra + o), v128.load(rb + o), 0, 9, 2, 11, 4, 13, 6, 15));
    } else if (lanes == 2) {
      for (let o: usize = 0; o < end; o += 16) v128.store(dst + o, v128.shuffle<i16>(v128.load(ra + o), v128.load(rb + o), 1, 8, 3, 10, 5, 12, 7, 14));
    } else {
      for (let o: usize = 0; o < end; o += 16) v128.store(dst + o, v128.shuffle<i16>(v128.load(ra + o), v128.load(rb + o), 1, 9, 3, 11, 5, 13, 7, 15));
    }
    dst += <usize>rowBytes;
  }
}

// part of the reduction a 16-pixel pass covers (as nm.as's): FIRST starts from zero (else from the
// partial sums), LAST runs the epilogue (else stores the partial sums); constant at each call.
const FIRST = 1, LAST = 2;

/**
 * One chunk of slots (sc per row) of every row over the 16 pixels at xj (j in Y); partial sums in
 * part[N][16] int32 between chunks. 16 pixels, 4 accumulators: with 8 (32 pixels, the splat and
 * the offset shared by 8 dots) the layers ran 0.93–1.17× dense, with 4 1.2–1.4× (loaded machine).
 */
@inline function pass16(w: usize, sc: i32, xj: usize, N: i32, P: i32, j: i32, part: usize, y: usize, rowY: i32, mode: i32, bias: usize,
  mult: usize, zy: usize, lo: i32, hi: i32, phase: i32): void {
  const rowW = <usize>sc << 3;
  let ps = part;
  for (let n = 0; n < N; n++) {
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    if (!(phase & FIRST)) { a0 = v128.load(ps); a1 = v128.load(ps, 16); a2 = v128.load(ps, 32); a3 = v128.load(ps, 48); }
    for (const we = w + rowW; w < we; w += 8) {
      const v = v128.load32_splat(w);
      const xa = xj + <usize>load<u32>(w, 4);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(xa), v)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(xa, 16), v));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(xa, 32), v)); a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(xa, 48), v));
    }
    if (phase & LAST) {
      // pt − P < 4: only the last 8 pixels can be short, and each group of 8 holds at least one
      finish8(a0, a1, n, j, P - j < 8 ? P - j : 8, y, rowY, mode, bias, mult, zy, lo, hi);
      finish8(a2, a3, n, j + 8, P - j - 8 < 8 ? P - j - 8 : 8, y, rowY, mode, bias, mult, zy, lo, hi);
    } else {
      v128.store(ps, a0); v128.store(ps, a1, 16); v128.store(ps, a2, 32); v128.store(ps, a3, 48);
    }
    ps += 64;
  }
}

/**
 * Y[n][j] (row stride rowY) for n < N, j < P from the slots Ws over Xc (rows of ceil(P / 4)·4
 * pixels, byte offsets in the slots relative to col). The slots are chunk-major, Sc per row per
 * chunk (the last chunk the rest of S): per 16 pixels, each chunk runs every row before the next
 * chunk, so the chunk's Xc rows stay in L1 (all of Xc for 16 pixels, 96 bytes per column at 2:4,
 * need not); partial sums wait in part[N][16] int32. The last pixels run 8, then 4 at a time, each
 * row over all chunks in registers. Epilogue per row as i8gemmPixels'.
 */
export function i8gemmNm(w: usize, S: i32, Sc: i32, col: usize, N: i32, P: i32, part: usize, y: usize, rowY: i32, mode: i32, bias: usize,
  mult: usize, zy: usize, lo: i32, hi: i32): void {
  const pt = (P + 3) & ~3;
  let j = 0;
  for (; j + 16 <= pt; j += 16) {
    const xj = col + (<usize>j << 2);
    if (S <= Sc) { pass16(w, S, xj, N, P, j, part, y, rowY, mode, bias, mult, zy, lo, hi, FIRST | LAST); continue; }
    pass16(w, Sc, xj, N, P, j, part, y, rowY, mode, bias, mult, zy, lo, hi, FIRST);
    let s0 = Sc;
    for (; s0 + Sc < S; s0 += Sc) pass16(w + ((<usize>s0 * <usize>N) << 3), Sc, xj, N, P, j, part, y, rowY, mode, bias, mult, zy, lo, hi, 0);
    pass16(w + ((<usize>s0 * <usize>N) << 3), S - s0, xj, N, P, j, part, y, rowY, mode, bias, mult, zy, lo, hi, LAST);
  }
  for (; j < pt; j += 8) {
    const xj = col + (<usize>j << 2), eight = j + 8 <= pt;
    for (let n = 0; n < N; n++) {
      let a0 = i32x4.splat(0), a1 = a0;
      for (let s0 = 0; s0 < S; s0 += Sc) {
        const sc = S - s0 < Sc ? S - s0 : Sc;
        let ws = w + ((<usize>s0 * <usize>N + <usize>n * <usize>sc) << 3);
        const we = ws + (<usize>sc << 3);
        if (eight) {
          for (; ws < we; ws += 8) {
            const v = v128.load32_splat(ws);
            const xa = xj + <usize>load<u32>(ws, 4);
            a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(xa), v)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(xa, 16), v));
          }
        } else {
          for (; ws < we; ws += 8) a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(xj + <usize>load<u32>(ws, 4)), v128.load32_splat(ws)));
        }
      }
      if (eight) finish8(a0, a1, n, j, P - j < 8 ? P - j : 8, y, rowY, mode, bias, mult, zy, lo, hi);
      else finish(a0, n, j, P - j, y, rowY, mode, bias, mult, zy, 0, lo, hi);
    }
  }
}
