// dwconv3x3d: 3×3 depthwise Conv (dilation 1, left pad 1, column stride 1 or 2, any row stride and
// top pad) read straight from the image, CHW: no padded copy of the plane (dwconv3x3p's copy was a
// third of mobilenet_v2_w050's depthwise time, over half of it at stride 2). dwconv3x3f (below):
// strides 1 and pads 1 on small planes, each plane one flat run of outputs. dwconv3x3s and
// dwconv3x3s2: strides 1 and 2, column strips down the plane (taking most of what the others did).
// dwconv3x3c (last): output rows of 8–14 columns, 4 channels a block as the lanes.
//
//   output row oh reads input rows oh·sh − ph + {0, 1, 2}; a row outside the image reads `zero`
//   (scratch, ≥ W + 16 floats, zeroed at prepare), so top and bottom pads cost nothing.
//
//   row stride and column stride 1: two output rows per pass (their four input rows loaded once).
//
//   column stride 1, 4 outputs ow..ow+3:          column stride 2, 4 outputs ow..ow+3 (c = 2·ow):
//     tap 0 = x[ow−1 ..], 1 = x[ow ..], 2 = x[ow+1 ..]   A = x[c .. c+3], B = x[c+4 .. c+7]
//     interior (ow ≥ 4, ow + 5 ≤ W): three loads           tap 1 = A,B even lanes, tap 2 = odd lanes,
//     edges: A = x[ow ..] zero past W, the vectors         tap 0 = x[c−1] then tap 2's lanes 0..2
//     before and after it, taps by lane shifts             (x[−1] = 0: the left pad)
//
// Reads never leave the image's rows: lanes past W load as zero (the right pad), and the lanes of a
// row's last vector past OW are stored into the next row (or plane) of Y, written after, or not at
// all past Y's end (in a two-row pass the first row's last vector stores its own lanes only: the
// second row is already written).

import { bias, clamp4, madd, storeLanes } from './common';

/** The first n (0..4) floats at p, zeros after. */
@inline function loadN(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  if (n == 3) return f32x4.replace_lane(v128.load64_zero(p), 2, load<f32>(p, 8));
  if (n == 2) return v128.load64_zero(p);
  return n == 1 ? v128.load32_zero(p) : f32x4.splat(0);
}

/** a + Σ_kw w_kw · tap kw of input row r for outputs ow.., column stride 1, inside the row. */
@inline function rowS1(a: v128, r: usize, ow: i32, w0: v128, w1: v128, w2: v128): v128 {
  const p = r + (<usize>ow << 2);
  a = madd(w0, v128.load(p - 4), a);
  a = madd(w1, v128.load(p), a);
  return madd(w2, v128.load(p, 4), a);
}

/** rowS1 at a row's edges: columns past W read as zero, column −1 too. */
@inline function rowS1Edge(a: v128, r: usize, ow: i32, W: i32, w0: v128, w1: v128, w2: v128): v128 {
  const p = r + (<usize>ow << 2);
  const before = ow > 0 ? v128.load(p - 16) : f32x4.splat(0);
  const at = loadN(p, W - ow);
  const after = loadN(p + 16, max<i32>(0, W - ow - 4));
  a = madd(w0, v128.shuffle<f32>(before, at, 3, 4, 5, 6), a);
  a = madd(w1, at, a);
  return madd(w2, v128.shuffle<f32>(at, after, 1, 2, 3, 4), a);
}

/** rowS1Edge at ow = 0 of a row of at least 8 columns: only column −1 is outside it. */
@inline function rowS1First(a: v128, r: usize, w0: v128, w1: v128, w2: v128): v128 {
  const at = v128.load(r);
  a = madd(w0, v128.shuffle<f32>(f32x4.splat(0), at, 3, 4, 5, 6), a);
  a = madd(w1, at, a);
  return madd(w2, v128.load(r, 4), a);
}

/**
 * a + Σ_kw w_kw · tap kw of input row r for outputs ow.., column stride 2; A, B: columns 2·ow.. (zeros past W).
 * Tap 0 takes lane 3 of the splatted left column, not lane 0: the same value, and V8 lowers
 * lanes (3, 4, 5, 6) to one palignr where (0, 4, 5, 6) took a general two-input shuffle (the
 * stride-2 layers ran 12–15% faster).
 */
@inline function rowS2(a: v128, r: usize, ow: i32, A: v128, B: v128, w0: v128, w1: v128, w2: v128): v128 {
  const odd = v128.shuffle<f32>(A, B, 1, 3, 5, 7);
  const left = ow > 0 ? v128.load32_splat(r + (<usize>(2 * ow - 1) << 2)) : f32x4.splat(0);
  a = madd(w0, v128.shuffle<f32>(left, odd, 3, 4, 5, 6), a);
  a = madd(w1, v128.shuffle<f32>(A, B, 0, 2, 4, 6), a);
  return madd(w2, odd, a);
}

/** rowS2 inside the row (ow > 0): p = the row + 8·ow bytes, left = column 2·ow − 1 splatted. */
@inline function tapsS2(a: v128, p: usize, left: v128, w0: v128, w1: v128, w2: v128): v128 {
  const A = v128.load(p), B = v128.load(p, 16);
  const odd = v128.shuffle<f32>(A, B, 1, 3, 5, 7);
  a = madd(w0, v128.shuffle<f32>(left, odd, 3, 4, 5, 6), a);
  a = madd(w1, v128.shuffle<f32>(A, B, 0, 2, 4, 6), a);
  return madd(w2, odd, a);
}

@inline function rowPtr(xc: usize, zero: usize, ih: i32, H: i32, rowX: usize): usize {
  return ih >= 0 && ih < H ? xc + <usize>ih * rowX : zero;
}

export function dwconv3x3d(x: usize, w: usize, y: usize, b: usize, zero: usize, C: i32, H: i32, W: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, lo: f32, hi: f32): void {
  if (OW <= 0) return;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const yEnd = y + ((<usize>C * <usize>OH * <usize>OW) << 2);
  const rowX = <usize>W << 2;
  // column stride 1: vectors ow in [4, s1End) read inside the row; stride 2: ow in [0, s2End)
  const s1End = W - 4, s2End = (W - 6) >> 1;
  for (let c = 0; c < C; c++) {
    const xc = x + <usize>c * <usize>H * rowX;
    const wc = w + <usize>c * 36;
    const w0 = v128.load32_splat(wc), w1 = v128.load32_splat(wc, 4), w2 = v128.load32_splat(wc, 8);
    const w3 = v128.load32_splat(wc, 12), w4 = v128.load32_splat(wc, 16), w5 = v128.load32_splat(wc, 20);
    const w6 = v128.load32_splat(wc, 24), w7 = v128.load32_splat(wc, 28), w8 = v128.load32_splat(wc, 32);
    const bv = f32x4.splat(bias(b, c));
    const yc = y + ((<usize>c * <usize>OH * <usize>OW) << 2);
    let oh = 0;
    if (sw == 1 && sh == 1 && W >= 8) {
      // two output rows per pass: their four input rows loaded once (12 loads per 8 outputs, not 18),
      // two independent multiply-add chains; each output sums in the one-row order (bit-identical)
      for (; oh + 2 <= OH; oh += 2) {
        const ih = oh - ph;
        const r0 = rowPtr(xc, zero, ih, H, rowX), r1 = rowPtr(xc, zero, ih + 1, H, rowX);
        const r2 = rowPtr(xc, zero, ih + 2, H, rowX), r3 = rowPtr(xc, zero, ih + 3, H, rowX);
        const yr = yc + ((<usize>oh * <usize>OW) << 2), yr1 = yr + ((<usize>OW) << 2);
        let a = rowS1First(bv, r0, w0, w1, w2);
        let e = rowS1First(bv, r1, w0, w1, w2);
        a = rowS1First(a, r1, w3, w4, w5);
        e = rowS1First(e, r2, w3, w4, w5);
        a = rowS1First(a, r2, w6, w7, w8);
        e = rowS1First(e, r3, w6, w7, w8);
        v128.store(yr, clamp4(a, vlo, vhi));
        if (yr1 + 16 <= yEnd) v128.store(yr1, clamp4(e, vlo, vhi)); else storeLanes(yr1, clamp4(e, vlo, vhi), min<i32>(3, OW));
        let ow = 4;
        for (; ow < s1End; ow += 4) {
          const o = <usize>ow << 2;
          const p0 = r0 + o, p1 = r1 + o, p2 = r2 + o, p3 = r3 + o;
          let x0 = v128.load(p0 - 4), x1 = v128.load(p0), x2 = v128.load(p0, 4);
          a = madd(w2, x2, madd(w1, x1, madd(w0, x0, bv)));
          x0 = v128.load(p1 - 4); x1 = v128.load(p1); x2 = v128.load(p1, 4);
          e = madd(w2, x2, madd(w1, x1, madd(w0, x0, bv)));
          a = madd(w5, x2, madd(w4, x1, madd(w3, x0, a)));
          x0 = v128.load(p2 - 4); x1 = v128.load(p2); x2 = v128.load(p2, 4);
          e = madd(w5, x2, madd(w4, x1, madd(w3, x0, e)));
          a = madd(w8, x2, madd(w7, x1, madd(w6, x0, a)));
          v128.store(yr + o, clamp4(a, vlo, vhi));
          x0 = v128.load(p3 - 4); x1 = v128.load(p3); x2 = v128.load(p3, 4);
          e = madd(w8, x2, madd(w7, x1, madd(w6, x0, e)));
          v128.store(yr1 + o, clamp4(e, vlo, vhi));
        }
        for (; ow < OW; ow += 4) {
          a = rowS1Edge(bv, r0, ow, W, w0, w1, w2);
          e = rowS1Edge(bv, r1, ow, W, w0, w1, w2);
          a = rowS1Edge(a, r1, ow, W, w3, w4, w5);
          e = rowS1Edge(e, r2, ow, W, w3, w4, w5);
          a = rowS1Edge(a, r2, ow, W, w6, w7, w8);
          e = rowS1Edge(e, r3, ow, W, w6, w7, w8);
          // row oh's lanes past OW would land on row oh + 1, already stored: only its own lanes
          const d = yr + (<usize>ow << 2), d1 = yr1 + (<usize>ow << 2);
          if (ow + 4 <= OW) v128.store(d, clamp4(a, vlo, vhi)); else storeLanes(d, clamp4(a, vlo, vhi), OW - ow);
          if (d1 + 16 <= yEnd) v128.store(d1, clamp4(e, vlo, vhi)); else storeLanes(d1, clamp4(e, vlo, vhi), min<i32>(3, OW - ow));
        }
      }
    }
    for (; oh < OH; oh++) {
      const ih = oh * sh - ph;
      const r0 = rowPtr(xc, zero, ih, H, rowX), r1 = rowPtr(xc, zero, ih + 1, H, rowX), r2 = rowPtr(xc, zero, ih + 2, H, rowX);
      const yr = yc + ((<usize>oh * <usize>OW) << 2);
      let ow = 0;
      if (sw == 1) {
        let a = bv;
        if (W >= 8) {
          a = rowS1First(a, r0, w0, w1, w2);
          a = rowS1First(a, r1, w3, w4, w5);
          a = rowS1First(a, r2, w6, w7, w8);
        } else {
          a = rowS1Edge(a, r0, 0, W, w0, w1, w2);
          a = rowS1Edge(a, r1, 0, W, w3, w4, w5);
          a = rowS1Edge(a, r2, 0, W, w6, w7, w8);
        }
        if (yr + 16 <= yEnd) v128.store(yr, clamp4(a, vlo, vhi)); else storeLanes(yr, clamp4(a, vlo, vhi), min<i32>(3, OW));
        ow = 4;
        // interior vectors have all 4 outputs inside the row (ow + 3 < W − 1 ≤ OW): plain stores,
        // each before the next vector's loads (as dwconv3x3p: 18 live loads beside 9 weights spill)
        for (; ow + 4 < s1End; ow += 8) {
          const d = yr + (<usize>ow << 2);
          a = rowS1(bv, r0, ow, w0, w1, w2);
          a = rowS1(a, r1, ow, w3, w4, w5);
          v128.store(d, clamp4(rowS1(a, r2, ow, w6, w7, w8), vlo, vhi));
          a = rowS1(bv, r0, ow + 4, w0, w1, w2);
          a = rowS1(a, r1, ow + 4, w3, w4, w5);
          v128.store(d, clamp4(rowS1(a, r2, ow + 4, w6, w7, w8), vlo, vhi), 16);
        }
        for (; ow < s1End; ow += 4) {
          a = rowS1(bv, r0, ow, w0, w1, w2);
          a = rowS1(a, r1, ow, w3, w4, w5);
          v128.store(yr + (<usize>ow << 2), clamp4(rowS1(a, r2, ow, w6, w7, w8), vlo, vhi));
        }
        for (; ow < OW; ow += 4) {
          a = rowS1Edge(bv, r0, ow, W, w0, w1, w2);
          a = rowS1Edge(a, r1, ow, W, w3, w4, w5);
          a = rowS1Edge(a, r2, ow, W, w6, w7, w8);
          const d = yr + (<usize>ow << 2);
          if (d + 16 <= yEnd) v128.store(d, clamp4(a, vlo, vhi)); else storeLanes(d, clamp4(a, vlo, vhi), min<i32>(3, OW - ow));
        }
      } else {
        // vectors ow in [4, s2End) read inside the row with column 2·ow − 1 on their left: no branch
        if (s2End > 0) {
          let a = rowS2(bv, r0, 0, v128.load(r0), v128.load(r0, 16), w0, w1, w2);
          a = rowS2(a, r1, 0, v128.load(r1), v128.load(r1, 16), w3, w4, w5);
          a = rowS2(a, r2, 0, v128.load(r2), v128.load(r2, 16), w6, w7, w8);
          if (yr + 16 <= yEnd) v128.store(yr, clamp4(a, vlo, vhi)); else storeLanes(yr, clamp4(a, vlo, vhi), min<i32>(3, OW));
          ow = 4;
        }
        for (; ow < s2End; ow += 4) {
          const o = <usize>ow << 3, l = o - 4;
          let a = tapsS2(bv, r0 + o, v128.load32_splat(r0 + l), w0, w1, w2);
          a = tapsS2(a, r1 + o, v128.load32_splat(r1 + l), w3, w4, w5);
          a = tapsS2(a, r2 + o, v128.load32_splat(r2 + l), w6, w7, w8);
          const d = yr + (<usize>ow << 2);
          if (d + 16 <= yEnd) v128.store(d, clamp4(a, vlo, vhi)); else storeLanes(d, clamp4(a, vlo, vhi), min<i32>(3, OW - ow));
        }
        for (; ow < OW; ow += 4) {
          const o = <usize>ow << 3;
          let a = bv;
          if (ow < s2End) {
            a = rowS2(a, r0, ow, v128.load(r0 + o), v128.load(r0 + o, 16), w0, w1, w2);
            a = rowS2(a, r1, ow, v128.load(r1 + o), v128.load(r1 + o, 16), w3, w4, w5);
            a = rowS2(a, r2, ow, v128.load(r2 + o), v128.load(r2 + o, 16), w6, w7, w8);
          } else {
            const n = W - 2 * ow, m = max<i32>(0, n - 4);
            a = rowS2(a, r0, ow, loadN(r0 + o, n), loadN(r0 + o + 16, m), w0, w1, w2);
            a = rowS2(a, r1, ow, loadN(r1 + o, n), loadN(r1 + o + 16, m), w3, w4, w5);
            a = rowS2(a, r2, ow, loadN(r2 + o, n), loadN(r2 + o + 16, m), w6, w7, w8);
          }
          const d = yr + (<usize>ow << 2);
          if (d + 16 <= yEnd) v128.store(d, clamp4(a, vlo, vhi)); else storeLanes(d, clamp4(a, vlo, vhi), min<i32>(3, OW - ow));
        }
      }
    }
  }
}

// dwconv3x3s: 3×3 depthwise Conv, strides 1, pads 1 all round, dilation 1, rows of 5+ columns:
// the plane in column strips of 4 outputs, each strip walked down the rows. Each input row's three
// tap vectors are loaded once and go into the three output rows that read it, as kernel row 2 of
// output row r − 1 (which is then complete and stored), kernel row 1 of row r and kernel row 0 of
// row r + 1 (started from the bias):
//
//   input row r:  x0 = X[r][ow − 1 ..]  x1 = X[r][ow ..]  x2 = X[r][ow + 1 ..]   (3 loads)
//   a (row r − 1) += w6·x0 + w7·x1 + w8·x2 → store      a (row r) = e + w3·x0 + w4·x1 + w5·x2
//   e (row r + 1) = bias + w0·x0 + w1·x1 + w2·x2
//
// 3 loads per 4 outputs where dwconv3x3d's two rows a pass take 6, and the nine weights, two
// accumulators and three taps stay in registers. Each output sums its taps in dwconv3x3d's order
// (kernel rows 0, 1, 2; the pad rows above row 0 and below row H − 1 as products with zero), so
// the two paths give the same bits. Strips: the first (ow = 0: column −1 is the pad), interior
// ones (every tap inside the row), and the row's last 4 columns (column W is the pad), which
// overlaps the strip before it when W is not a multiple of 4: its columns are computed twice, the
// same way, and every store is a whole vector inside the row.

const STRIP_INNER = 0, STRIP_FIRST = 1, STRIP_LAST = 2, STRIP_ONLY = 3; // ONLY: stride 2's strip reaching both ends

@inline function stripColumn(xc: usize, yc: usize, ow: i32, H: i32, W: i32, kind: i32,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128, bv: v128, vlo: v128, vhi: v128): void {
  const row = <usize>W << 2;
  const z = f32x4.splat(0);
  let p = xc + (<usize>ow << 2), d = yc + (<usize>ow << 2);
  // output row 0: kernel row 0 reads the top pad
  let a = madd(w2, z, madd(w1, z, madd(w0, z, bv)));
  let e = bv;
  for (let r = 0; r < H; r++) {
    let x0: v128, x1: v128, x2: v128;
    if (kind == STRIP_INNER) {
      x0 = v128.load(p - 4); x1 = v128.load(p); x2 = v128.load(p, 4);
    } else if (kind == STRIP_FIRST) {
      x1 = v128.load(p); x0 = v128.shuffle<f32>(z, x1, 3, 4, 5, 6); x2 = v128.load(p, 4);
    } else {
      x0 = v128.load(p - 4); x1 = v128.load(p); x2 = v128.shuffle<f32>(x1, z, 1, 2, 3, 4);
    }
    if (r > 0) {
      a = clamp4(madd(w8, x2, madd(w7, x1, madd(w6, x0, a))), vlo, vhi);
      v128.store(d - row, a);
      a = e;
    }
    a = madd(w5, x2, madd(w4, x1, madd(w3, x0, a)));
    e = madd(w2, x2, madd(w1, x1, madd(w0, x0, bv)));
    p += row; d += row;
  }
  // output row H − 1: kernel row 2 reads the bottom pad
  v128.store(d - row, clamp4(madd(w8, z, madd(w7, z, madd(w6, z, a))), vlo, vhi));
}

export function dwconv3x3s(x: usize, w: usize, y: usize, b: usize, C: i32, H: i32, W: i32, lo: f32, hi: f32): void {
  if (W < 5 || H <= 0) return;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const plane = (<usize>H * <usize>W) << 2;
  for (let c = 0; c < C; c++) {
    const xc = x + <usize>c * plane, yc = y + <usize>c * plane;
    const wc = w + <usize>c * 36;
    const w0 = v128.load32_splat(wc), w1 = v128.load32_splat(wc, 4), w2 = v128.load32_splat(wc, 8);
    const w3 = v128.load32_splat(wc, 12), w4 = v128.load32_splat(wc, 16), w5 = v128.load32_splat(wc, 20);
    const w6 = v128.load32_splat(wc, 24), w7 = v128.load32_splat(wc, 28), w8 = v128.load32_splat(wc, 32);
    const bv = f32x4.splat(bias(b, c));
    stripColumn(xc, yc, 0, H, W, STRIP_FIRST, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
    let ow = 4;
    for (; ow + 5 <= W; ow += 4) stripColumn(xc, yc, ow, H, W, STRIP_INNER, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
    // the last 4 columns as one strip (overlapping the one before when W is not a multiple of 4)
    if (ow < W) stripColumn(xc, yc, W - 4, H, W, STRIP_LAST, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
  }
}

// dwconv3x3s2: the column strips at strides 2 (top and left pads 1, bottom and right pads 0 or 1):
// a strip of 4 outputs reads input columns 2·ow − 1 .. 2·ow + 7 of each row, as dwconv3x3d's
// stride-2 taps (A, B = the 8 columns from 2·ow, tap 1 their even lanes, tap 2 the odd ones, tap 0
// the column left of A then tap 2's lanes 0..2). Input row 2·oh is kernel row 1 of output row oh;
// row 2·oh + 1 is kernel row 2 of output row oh (then complete) and kernel row 0 of row oh + 1, so
// each input row's taps are built once (dwconv3x3d builds the odd rows' twice); rows past H are
// the bottom pad (zero). Same summation order as dwconv3x3d, so the same bits.

/** a + the three stride-2 taps of the row at q (outputs ow..: A, B = columns 2·ow .., left = column 2·ow − 1) times wa, wb, wc. */
@inline function stripRowS2(a: v128, q: usize, n: i32, m: i32, kind: i32, z: v128, wa: v128, wb: v128, wc: v128): v128 {
  let A: v128, B: v128, left: v128;
  if (kind == STRIP_INNER) { A = v128.load(q); B = v128.load(q, 16); left = v128.load32_splat(q - 4); }
  else if (kind == STRIP_FIRST) { A = v128.load(q); B = v128.load(q, 16); left = z; }
  else { A = loadN(q, n); B = loadN(q + 16, m); left = kind == STRIP_ONLY ? z : v128.load32_splat(q - 4); }
  const odd = v128.shuffle<f32>(A, B, 1, 3, 5, 7);
  a = madd(wa, v128.shuffle<f32>(left, odd, 3, 4, 5, 6), a);
  a = madd(wb, v128.shuffle<f32>(A, B, 0, 2, 4, 6), a);
  return madd(wc, odd, a);
}

/**
 * Output row oh of a stride-2 strip: `a` holds its sum over kernel row 0; adds input row 2·oh (kernel
 * row 1) and 2·oh + 1 (kernel row 2; the bottom pad when `pad`), stores it, and returns output row
 * oh + 1's sum over kernel row 0 (input row 2·oh + 1 again).
 */
@inline function stripStepS2(a: v128, p: usize, d: usize, row: usize, n: i32, m: i32, own: i32, full: bool, kind: i32, pad: bool, z: v128,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128, bv: v128, vlo: v128, vhi: v128): v128 {
  a = stripRowS2(a, p, n, m, kind, z, w3, w4, w5);
  let e = bv;
  if (pad) {
    a = madd(w8, z, madd(w7, z, madd(w6, z, a)));
  } else {
    const q = p + row;
    let A: v128, B: v128, left: v128;
    if (kind == STRIP_INNER) { A = v128.load(q); B = v128.load(q, 16); left = v128.load32_splat(q - 4); }
    else if (kind == STRIP_FIRST) { A = v128.load(q); B = v128.load(q, 16); left = z; }
    else { A = loadN(q, n); B = loadN(q + 16, m); left = kind == STRIP_ONLY ? z : v128.load32_splat(q - 4); }
    const t2 = v128.shuffle<f32>(A, B, 1, 3, 5, 7);
    const t0 = v128.shuffle<f32>(left, t2, 3, 4, 5, 6), t1 = v128.shuffle<f32>(A, B, 0, 2, 4, 6);
    a = madd(w8, t2, madd(w7, t1, madd(w6, t0, a)));
    e = madd(w2, t2, madd(w1, t1, madd(w0, t0, bv)));
  }
  a = clamp4(a, vlo, vhi);
  if (full) v128.store(d, a); else storeLanes(d, a, own);
  return e;
}

@inline function stripColumnS2(xc: usize, yc: usize, ow: i32, H: i32, W: i32, OH: i32, OW: i32, kind: i32,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128, bv: v128, vlo: v128, vhi: v128): void {
  const row = <usize>W << 2, rowY = <usize>OW << 2;
  const z = f32x4.splat(0);
  const own = min<i32>(4, OW - ow);
  const full = kind == STRIP_INNER || kind == STRIP_FIRST || own == 4;
  const n = W - 2 * ow, m = max<i32>(0, n - 4); // columns of A and B inside the row
  let p = xc + (<usize>ow << 3), d = yc + (<usize>ow << 2);
  // output row 0: kernel row 0 reads the top pad
  let a = madd(w2, z, madd(w1, z, madd(w0, z, bv)));
  // output rows whose input row 2·oh + 1 is inside the image, then at most one reading the bottom pad
  const inside = min<i32>(OH, H >> 1);
  for (let oh = 0; oh < inside; oh++) {
    a = stripStepS2(a, p, d, row, n, m, own, full, kind, false, z, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
    p += row << 1; d += rowY;
  }
  if (inside < OH) stripStepS2(a, p, d, row, n, m, own, full, kind, true, z, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
}

/** 3×3 depthwise, strides 2, pads 1 top and left (bottom and right 0 or 1), dilation 1: column strips. */
export function dwconv3x3s2(x: usize, w: usize, y: usize, b: usize, C: i32, H: i32, W: i32, OH: i32, OW: i32, lo: f32, hi: f32): void {
  if (OW <= 0 || OH <= 0) return;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const plane = (<usize>H * <usize>W) << 2, planeY = (<usize>OH * <usize>OW) << 2;
  // strips whose 8 columns 2·ow .. 2·ow + 7 are all inside the row
  const inner = (W - 8) >> 1;
  for (let c = 0; c < C; c++) {
    const xc = x + <usize>c * plane, yc = y + <usize>c * planeY;
    const wc = w + <usize>c * 36;
    const w0 = v128.load32_splat(wc), w1 = v128.load32_splat(wc, 4), w2 = v128.load32_splat(wc, 8);
    const w3 = v128.load32_splat(wc, 12), w4 = v128.load32_splat(wc, 16), w5 = v128.load32_splat(wc, 20);
    const w6 = v128.load32_splat(wc, 24), w7 = v128.load32_splat(wc, 28), w8 = v128.load32_splat(wc, 32);
    const bv = f32x4.splat(bias(b, c));
    if (W < 8) {
      stripColumnS2(xc, yc, 0, H, W, OH, OW, STRIP_ONLY, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
      for (let ow = 4; ow < OW; ow += 4) stripColumnS2(xc, yc, ow, H, W, OH, OW, STRIP_LAST, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
      continue;
    }
    stripColumnS2(xc, yc, 0, H, W, OH, OW, STRIP_FIRST, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
    let ow = 4;
    for (; ow <= inner; ow += 4) stripColumnS2(xc, yc, ow, H, W, OH, OW, STRIP_INNER, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
    if (ow < OW && OW >= 5 && 2 * OW <= W) {
      // the last 4 outputs read columns up to 2·OW − 1 < W: one interior strip, overlapping the one before
      stripColumnS2(xc, yc, OW - 4, H, W, OH, OW, STRIP_INNER, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
      continue;
    }
    for (; ow < OW; ow += 4) stripColumnS2(xc, yc, ow, H, W, OH, OW, STRIP_LAST, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
  }
}

// dwconv3x3f: 3×3 depthwise Conv, strides 1, pads 1 all round, dilation 1, on small planes
// (rows of a few vectors, where dwconv3x3d's edge vectors are most of a row): each plane is one
// flat run of H·W outputs, 4 per vector whichever rows they are on:
//
//   pad (scratch): W + 1 zeros | plane c (H·W, copied) | W + 1 zeros, slack   output i = oh·W + ow:
//   (the zeros written once at prepare)                                        tap (kh, kw) = pad[i + kh·W + kw]
//   maskL, maskR (scratch, i32 per output, at prepare): ow ≠ 0, ow ≠ W − 1
//
// A tap of column −1 or W reads the neighbouring row's last or first column; the column sums are
// kept apart (s0: kw = 0, s1: kw = 1 and the bias, s2: kw = 2) and s0, s2 masked to zero on the
// outputs whose window that column leaves. A plane's last vector's lanes past H·W land in the next
// plane's outputs, written after, and are not stored past Y's end.

@inline function copyPlane(s: usize, d: usize, n: i32): void {
  for (; n >= 4; n -= 4) { v128.store(d, v128.load(s)); d += 16; s += 16; }
  for (; n > 0; n--) { store<f32>(d, load<f32>(s)); d += 4; s += 4; }
}

export function dwconv3x3f(x: usize, w: usize, y: usize, b: usize, pad: usize, pad2: usize, mask: usize, C: i32, H: i32, W: i32, lo: f32, hi: f32): void {
  const P = H * W;
  if (P <= 0) return;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const planeB = <usize>P << 2, rowB = <usize>W << 2;
  const yEnd = y + <usize>C * planeB;
  const maskR = mask + planeB + 16;
  copyPlane(x, pad + rowB + 4, P);
  for (let c = 0; c < C; c++) {
    // plane c + 1 into the other buffer before plane c's taps are read: a tap load right after the
    // copy's stores it straddles would wait for them (store-to-load forwarding fails on the overlap)
    const cur = (c & 1) == 0 ? pad : pad2, next = (c & 1) == 0 ? pad2 : pad;
    if (c + 1 < C) copyPlane(x + <usize>(c + 1) * planeB, next + rowB + 4, P);
    const wc = w + <usize>c * 36;
    const w0 = v128.load32_splat(wc), w1 = v128.load32_splat(wc, 4), w2 = v128.load32_splat(wc, 8);
    const w3 = v128.load32_splat(wc, 12), w4 = v128.load32_splat(wc, 16), w5 = v128.load32_splat(wc, 20);
    const w6 = v128.load32_splat(wc, 24), w7 = v128.load32_splat(wc, 28), w8 = v128.load32_splat(wc, 32);
    const bv = f32x4.splat(bias(b, c));
    const yc = y + <usize>c * planeB;
    for (let i = 0; i < P; i += 4) {
      const o = <usize>i << 2;
      const p0 = cur + o, p1 = p0 + rowB, p2 = p1 + rowB;
      let s0 = f32x4.mul(w0, v128.load(p0));
      let s1 = madd(w1, v128.load(p0, 4), bv);
      let s2 = f32x4.mul(w2, v128.load(p0, 8));
      s0 = madd(w3, v128.load(p1), s0);
      s1 = madd(w4, v128.load(p1, 4), s1);
      s2 = madd(w5, v128.load(p1, 8), s2);
      s0 = madd(w6, v128.load(p2), s0);
      s1 = madd(w7, v128.load(p2, 4), s1);
      s2 = madd(w8, v128.load(p2, 8), s2);
      const a = f32x4.add(f32x4.add(s1, v128.and(s0, v128.load(mask + o))), v128.and(s2, v128.load(maskR + o)));
      const dst = yc + o;
      if (dst + 16 <= yEnd) v128.store(dst, clamp4(a, vlo, vhi)); else storeLanes(dst, clamp4(a, vlo, vhi), P - i);
    }
  }
}

// dwconv3x3c: 3×3 depthwise Conv, dilation 1, column stride 1 or 2, any row stride and pads, on
// output rows of a few vectors: 4 channels a block, lanes = channels, so every output is a whole
// vector whatever the row's width (no edge lanes, no shifts, no deinterleave at stride 2):
//
//   buf (scratch, Hp × Wp pixels of 4 floats, its pads zeroed once at prepare):
//     pixel (ih + ph, iw + pw) = x[c .. c+3][ih][iw]   (4 planes × 4 columns transposed a step)
//   out (scratch, OH·OW pixels of 4 floats): the block's outputs, clamped,
//     transposed back to its 4 planes 4 pixels a step
//
//   two outputs (ow, ow + 1) a pass, per window row: columns ow·sw .. ow·sw + 2 + sw loaded once
//   (four outputs a pass, or the columns streamed one at a time, ran 1.1–2× slower: nine weight
//   vectors held in registers leave too few for more accumulators).
//
// Each output sums bias, then taps 0..8 in order (dwconv3x3d's order: the same values). A row's
// last 4 columns and a plane's last 4 pixels are transposed overlapping the ones before (same
// values again) when W or OH·OW is not a multiple of 4. A block past C repeats channel C − 1 in its
// spare lanes and stores only its own channels.

@inline function transposeStore(a: v128, b: v128, c: v128, d: v128, p0: usize, p1: usize, p2: usize, p3: usize): void {
  const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), t1 = v128.shuffle<f32>(c, d, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(a, b, 2, 6, 3, 7), t3 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  v128.store(p0, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(p1, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(p2, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(p3, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/** The 4×4 block a..d (pixels × channels) transposed into planes p, p + step, ..: the first n (1..4) of them. */
@inline function storeBlock(a: v128, b: v128, c: v128, d: v128, p: usize, step: usize, n: i32): void {
  const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), t1 = v128.shuffle<f32>(c, d, 0, 4, 1, 5);
  v128.store(p, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  if (n > 1) v128.store(p + step, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  if (n > 2) {
    const t2 = v128.shuffle<f32>(a, b, 2, 6, 3, 7), t3 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
    v128.store(p + 2 * step, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
    if (n > 3) v128.store(p + 3 * step, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
  }
}

@inline function lanes4(p: usize, step: usize, n: i32): v128 {
  // floats at p + j·step for j < n, lane n − 1's float repeated after
  const s1 = n > 1 ? step : 0, s2 = n > 2 ? 2 * step : s1, s3 = n > 3 ? 3 * step : s2;
  let v = v128.load32_splat(p);
  v = f32x4.replace_lane(v, 1, load<f32>(p + s1));
  v = f32x4.replace_lane(v, 2, load<f32>(p + s2));
  return f32x4.replace_lane(v, 3, load<f32>(p + s3));
}

export function dwconv3x3c(x: usize, w: usize, y: usize, b: usize, buf: usize, out: usize, C: i32, H: i32, W: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, Wp: i32, lo: f32, hi: f32): void {
  const P = OH * OW;
  if (P <= 0) return;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const planeX = <usize>(H * W) << 2, planeY = <usize>P << 2;
  const rowB = <usize>Wp << 4;
  for (let c = 0; c < C; c += 4) {
    const n = min<i32>(4, C - c);
    const x0 = x + <usize>c * planeX;
    const x1 = x0 + (n > 1 ? planeX : 0), x2 = x0 + (n > 2 ? 2 * planeX : n > 1 ? planeX : 0);
    const x3 = x0 + <usize>(n - 1) * planeX;
    // the 4 planes into buf's interior, 4 columns a step (rows under 4 columns one pixel at a time)
    for (let ih = 0; ih < H; ih++) {
      const s = <usize>(ih * W) << 2;
      let d = buf + <usize>(ih + ph) * rowB + (<usize>pw << 4);
      let iw = 0;
      for (; iw + 4 <= W; iw += 4) {
        const o = s + (<usize>iw << 2);
        transposeStore(v128.load(x0 + o), v128.load(x1 + o), v128.load(x2 + o), v128.load(x3 + o), d, d + 16, d + 32, d + 48);
        d += 64;
      }
      if (iw < W && W >= 4) {
        // the row's last 4 columns, overlapping the ones already in (same values again)
        const o = s + (<usize>(W - 4) << 2);
        d -= <usize>(iw + 4 - W) << 4;
        transposeStore(v128.load(x0 + o), v128.load(x1 + o), v128.load(x2 + o), v128.load(x3 + o), d, d + 16, d + 32, d + 48);
        iw = W;
      }
      for (; iw < W; iw++) {
        const o = s + (<usize>iw << 2);
        store<f32>(d, load<f32>(x0 + o)); store<f32>(d, load<f32>(x1 + o), 4);
        store<f32>(d, load<f32>(x2 + o), 8); store<f32>(d, load<f32>(x3 + o), 12);
        d += 16;
      }
    }
    const wc = w + <usize>c * 36;
    const w0 = lanes4(wc, 36, n), w1 = lanes4(wc + 4, 36, n), w2 = lanes4(wc + 8, 36, n);
    const w3 = lanes4(wc + 12, 36, n), w4 = lanes4(wc + 16, 36, n), w5 = lanes4(wc + 20, 36, n);
    const w6 = lanes4(wc + 24, 36, n), w7 = lanes4(wc + 28, 36, n), w8 = lanes4(wc + 32, 36, n);
    const bv = b != 0 ? lanes4(b + (<usize>c << 2), 4, n) : f32x4.splat(0);
    // two outputs (ow, ow + 1) a pass into out, per window row its columns loaded once; a row's odd
    // last output alone. Every output sums bias, then taps 0..8 in order (dwconv3x3d's order).
    let dst = out;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = buf + <usize>(oh * sh) * rowB, r1 = r0 + rowB, r2 = r1 + rowB;
      let ow = 0;
      if (sw == 1) {
        for (; ow + 2 <= OW; ow += 2) {
          const o = <usize>ow << 4;
          let a = bv, e = bv;
          let p = r0 + o;
          let v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
          a = madd(w2, v2, madd(w1, v1, madd(w0, v0, a)));
          e = madd(w2, v3, madd(w1, v2, madd(w0, v1, e)));
          p = r1 + o;
          v0 = v128.load(p); v1 = v128.load(p, 16); v2 = v128.load(p, 32); v3 = v128.load(p, 48);
          a = madd(w5, v2, madd(w4, v1, madd(w3, v0, a)));
          e = madd(w5, v3, madd(w4, v2, madd(w3, v1, e)));
          p = r2 + o;
          v0 = v128.load(p); v1 = v128.load(p, 16); v2 = v128.load(p, 32); v3 = v128.load(p, 48);
          a = madd(w8, v2, madd(w7, v1, madd(w6, v0, a)));
          e = madd(w8, v3, madd(w7, v2, madd(w6, v1, e)));
          v128.store(dst, clamp4(a, vlo, vhi));
          v128.store(dst, clamp4(e, vlo, vhi), 16);
          dst += 32;
        }
      } else {
        for (; ow + 2 <= OW; ow += 2) {
          const o = <usize>ow << 5;
          let a = bv, e = bv;
          let p = r0 + o;
          let v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48), v4 = v128.load(p, 64);
          a = madd(w2, v2, madd(w1, v1, madd(w0, v0, a)));
          e = madd(w2, v4, madd(w1, v3, madd(w0, v2, e)));
          p = r1 + o;
          v0 = v128.load(p); v1 = v128.load(p, 16); v2 = v128.load(p, 32); v3 = v128.load(p, 48); v4 = v128.load(p, 64);
          a = madd(w5, v2, madd(w4, v1, madd(w3, v0, a)));
          e = madd(w5, v4, madd(w4, v3, madd(w3, v2, e)));
          p = r2 + o;
          v0 = v128.load(p); v1 = v128.load(p, 16); v2 = v128.load(p, 32); v3 = v128.load(p, 48); v4 = v128.load(p, 64);
          a = madd(w8, v2, madd(w7, v1, madd(w6, v0, a)));
          e = madd(w8, v4, madd(w7, v3, madd(w6, v2, e)));
          v128.store(dst, clamp4(a, vlo, vhi));
          v128.store(dst, clamp4(e, vlo, vhi), 16);
          dst += 32;
        }
      }
      if (ow < OW) {
        const o = <usize>(ow * sw) << 4;
        let a = madd(w0, v128.load(r0 + o), bv);
        a = madd(w2, v128.load(r0 + o, 32), madd(w1, v128.load(r0 + o, 16), a));
        a = madd(w5, v128.load(r1 + o, 32), madd(w4, v128.load(r1 + o, 16), madd(w3, v128.load(r1 + o), a)));
        a = madd(w8, v128.load(r2 + o, 32), madd(w7, v128.load(r2 + o, 16), madd(w6, v128.load(r2 + o), a)));
        v128.store(dst, clamp4(a, vlo, vhi));
        dst += 16;
      }
    }
    // out's pixels back to the block's planes, 4 a step (the last 4 overlapping the ones before when
    // P is not a multiple of 4, P ≥ 4); a block past C stores its own channels only
    const y0 = y + <usize>c * planeY;
    for (let i = 0; i < P; i += 4) {
      if (i + 4 > P) i = P - 4;
      const s = out + (<usize>i << 4);
      storeBlock(v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), y0 + (<usize>i << 2), planeY, n);
    }
  }
}
