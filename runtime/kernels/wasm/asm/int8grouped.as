// Grouped and depthwise int8 Conv (QLinearConv / ConvInteger with group > 1), direct: each output
// channel reads only its group's few input channels, so im2col + i8gemmPixels (4-channel tiles)
// would waste most of its tile. Per group, each input channel becomes a zero-padded int16 plane
// of x − x_zero_point; per output channel, 8 pixels of a row accumulate every tap in int32:
//
//   plane[ic'] (Hp × Wp int16)                     acc[0..7] += plane[ic'][oh·sh + kh·dh][ow·sw + kw·dw + 0..7]
//   ┌─────────────────────┐  0 in the padding           · (w[oc][ic'][kh][kw] − w_zero_point[oc])
//   │  pad   x − zx   pad │                         then Y[oc][oh][ow..ow+7] = finish(acc) (bias, requantization)
//   └─────────────────────┘
//
// Products are exact (|x − zx|, |w − zw| ≤ 255) and i32x4 sums exact, so results equal the ref
// kernel's and onnxruntime's bit for bit; the relaxed build runs the same instructions.

import { elemBytes, extract, finish, requant4, requant4Unclamped, ROUNDING_BITS } from './int8common';

/** The 8 int16 of a plane row at p, p + 2·sw, …: 8 output pixels' inputs for one tap (column stride sw). */
@inline function row8(p: usize, sw: i32): v128 {
  if (sw == 1) return v128.load(p);
  if (sw == 2) return v128.shuffle<i16>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6, 8, 10, 12, 14);
  let v = i16x8.splat(0);
  const s = <usize>sw << 1;
  v = i16x8.replace_lane(v, 0, load<i16>(p)); v = i16x8.replace_lane(v, 1, load<i16>(p + s));
  v = i16x8.replace_lane(v, 2, load<i16>(p + 2 * s)); v = i16x8.replace_lane(v, 3, load<i16>(p + 3 * s));
  v = i16x8.replace_lane(v, 4, load<i16>(p + 4 * s)); v = i16x8.replace_lane(v, 5, load<i16>(p + 5 * s));
  v = i16x8.replace_lane(v, 6, load<i16>(p + 6 * s)); v = i16x8.replace_lane(v, 7, load<i16>(p + 7 * s));
  return v;
}

/**
 * plane[r][c] = x(r − ph, c − pw) − zx as int16 for r < Hp, c < Wp (0 outside the H × W image);
 * x is one channel's int8 (signed ≠ 0) or uint8 plane.
 */
export function i8padPlane(x: usize, signed: i32, zx: i32, H: i32, W: i32, ph: i32, pw: i32, Hp: i32, Wp: i32, plane: usize): void {
  const vz = i16x8.splat(<i16>zx);
  for (let r = 0; r < Hp; r++) {
    const d = plane + (<usize>(r * Wp) << 1);
    const ih = r - ph;
    if (ih < 0 || ih >= H) { memory.fill(d, 0, <usize>Wp << 1); continue; }
    // columns c with 0 ≤ c − pw < W: [lo, hi)
    const lo = pw < Wp ? pw : Wp, hi = pw + W < Wp ? pw + W : Wp;
    memory.fill(d, 0, <usize>lo << 1);
    const s = x + <usize>(ih * W - pw);
    let c = lo;
    for (; c + 8 <= hi; c += 8) {
      const v = signed != 0 ? v128.load8x8_s(s + <usize>c) : v128.load8x8_u(s + <usize>c);
      v128.store(d + (<usize>c << 1), i16x8.sub(v, vz));
    }
    for (; c < hi; c++) store<i16>(d + (<usize>c << 1), <i16>((signed != 0 ? <i32>load<i8>(s + <usize>c) : <i32>load<u8>(s + <usize>c)) - zx));
    if (hi < Wp) memory.fill(d + (<usize>hi << 1), 0, <usize>(Wp - hi) << 1);
  }
}

/**
 * Output channels [oc0, oc0 + n) of one image from the padded planes of their group's cpg input
 * channels (plane stride Hp·Wp) and w16[oc][cpg·KH·KW] (int16, zero point subtracted): Y[oc] rows
 * of P = OH·OW (mode 0 int32, 1 int8, 2 uint8), bias and requantization per channel as i8gemm's.
 * Wp covers every column a block of 8 pixels reads ((⌈OW/8⌉·8 − 1)·sw + (KW − 1)·dw + 1, and + 1 at stride 2).
 */
export function i8convGroup(planes: usize, w16: usize, oc0: i32, n: i32, cpg: i32, Hp: i32, Wp: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, y: usize, mode: i32, bias: usize, mult: usize, zy: usize, lo: i32, hi: i32): void {
  const taps = KH * KW, K = cpg * taps, P = OH * OW;
  const planeBytes = <usize>(Hp * Wp) << 1;
  for (let oc = oc0; oc < oc0 + n; oc++) {
    const wr = w16 + (<usize>(oc * K) << 1);
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow += 8) {
        let a = i32x4.splat(0), b = a;
        for (let ic = 0; ic < cpg; ic++) {
          const pl = planes + <usize>ic * planeBytes;
          const wc = wr + (<usize>(ic * taps) << 1);
          for (let kh = 0; kh < KH; kh++) {
            const pr = pl + (<usize>((oh * sh + kh * dh) * Wp + ow * sw) << 1);
            for (let kw = 0; kw < KW; kw++) {
              const wv = i32x4.splat(<i32>load<i16>(wc + (<usize>(kh * KW + kw) << 1)));
              const v = row8(pr + (<usize>(kw * dw) << 1), sw);
              a = i32x4.add(a, i32x4.mul(i32x4.extend_low_i16x8_s(v), wv));
              b = i32x4.add(b, i32x4.mul(i32x4.extend_high_i16x8_s(v), wv));
            }
          }
        }
        const j = oh * OW + ow, left = OW - ow;
        finish(a, oc, j, left < 4 ? left : 4, y, P, mode, bias, mult, zy, 0, lo, hi);
        if (left > 4) finish(b, oc, j + 4, left < 8 ? left - 4 : 4, y, P, mode, bias, mult, zy, 0, lo, hi);
      }
    }
  }
}

// i8dwconv3x3: the 3×3 form (dilation 1, column stride 1 or 2) of i8convGroup, one input plane per
// group (depthwise, any channel multiplier). Two taps of a row share one i32x4.dot_i16x8_s: lane j
// of dot(plane row at column c, [w_a, w_b] × 4) is x[c + 2j]·w_a + x[c + 2j + 1]·w_b, so a pair of
// horizontally adjacent taps of 4 outputs costs one unaligned load and one dot (XNNPACK's qs8
// dwconv multiplies channel vectors in NHWC instead; in NCHW the pixels are the vector):
//
//   row taps (w0, w1) then (w2, 0), for 8 outputs ow..ow+7 of one row:
//     column stride 1: E (outputs ow, ow+2, ow+4, ow+6) reads columns ow + {0, 2}
//                      O (outputs ow+1, ow+3, …)       reads columns ow + 1 + {0, 2}
//                      outputs = interleave(E, O)
//     column stride 2: A (outputs ow..ow+3) reads columns 2·ow + {0, 2}, B (ow+4..ow+7) 2·ow + 8 + {0, 2}
//
// 3 rows × 2 pairs × 2 vectors = 12 loads and 12 dots per 8 outputs, the 6 weight pairs kept in
// registers per channel; i8convGroup spends 9 splats, 18 extends and 18 i32 multiplies. Sums are
// exact (|x − zx|, |w − zw| ≤ 255: a dot's two products stay far inside int32), so results equal
// i8convGroup's bit for bit. The plane's columns past the last tap a block reads are multiplied by
// the zero weight: Wp ≥ (⌈OW/8⌉·8 − 1)·sw + 5 covers them.

/** Y[oc][j .. j + cnt) (cnt ≤ 8) from 8 int32 sums (bias included): as int32 (mode 0) or requantized (requant4). */
@inline function store8(lo: v128, hi: v128, o: usize, cnt: i32, mode: i32, m: v128, flo: v128, fhi: v128, zBits: v128, clamp: i32): void {
  if (mode == 0) {
    if (cnt == 8) { v128.store(o, lo); v128.store(o, hi, 16); return; }
    for (let q = 0; q < cnt; q++) store<i32>(o + (<usize>q << 2), extract(q < 4 ? lo : hi, q & 3));
    return;
  }
  // unclamped, the narrowing saturates; a partial vector's lanes are stored from the clamped values
  if (clamp == 0 && cnt == 8) {
    const u = i16x8.narrow_i32x4_s(requant4Unclamped(lo, m, zBits), requant4Unclamped(hi, m, zBits));
    v128.store64_lane(o, mode == 1 ? i8x16.narrow_i16x8_s(u, u) : i8x16.narrow_i16x8_u(u, u), 0);
    return;
  }
  const a = requant4(lo, m, flo, fhi, zBits), b = requant4(hi, m, flo, fhi, zBits);
  const q16 = i16x8.narrow_i32x4_s(a, b);
  const q8 = mode == 1 ? i8x16.narrow_i16x8_s(q16, q16) : i8x16.narrow_i16x8_u(q16, q16);
  if (cnt == 8) { v128.store64_lane(o, q8, 0); return; }
  for (let q = 0; q < cnt; q++) store<u8>(o + <usize>q, <u8>extract(q < 4 ? a : b, q & 3));
}

/** The 8 int16 of a plane row from column c. */
@inline function load8(row: usize, c: i32): v128 {
  return v128.load(row + (<usize>c << 1));
}

/** dot(row at column c, pair) for 4 outputs: two taps each. */
@inline function dot2(row: usize, c: i32, pair: v128): v128 {
  return i32x4.dot_i16x8_s(v128.load(row + (<usize>c << 1)), pair);
}

/**
 * plane[ph + r][pw + c] = x[r][c] − zx as int16 for rows r < rows of the H × W image; the pad around
 * it is left as it is: zero, since i8dwconv3x3 zeroes the plane once and every channel writes the
 * same interior. A row's last partial vector is written whole, its lanes past W as zero (the right
 * pad: Wp ≥ pw + ⌈W/8⌉·8), from 8 bytes of x read past the row where that stays before xEnd.
 */
@inline function copyInterior(x: usize, xEnd: usize, signed: i32, zx: i32, rows: i32, W: i32, ph: i32, pw: i32, Wp: i32, plane: usize): void {
  const vz = i16x8.splat(<i16>zx);
  const tail = W & 7, keep = i16x8.lt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>tail));
  for (let r = 0; r < rows; r++) {
    const s = x + <usize>(r * W), d = plane + (<usize>((r + ph) * Wp + pw) << 1);
    let c = 0;
    for (; c + 8 <= W; c += 8) {
      const v = signed != 0 ? v128.load8x8_s(s + <usize>c) : v128.load8x8_u(s + <usize>c);
      v128.store(d + (<usize>c << 1), i16x8.sub(v, vz));
    }
    if (tail == 0) continue;
    if (s + <usize>(c + 8) <= xEnd) {
      const v = signed != 0 ? v128.load8x8_s(s + <usize>c) : v128.load8x8_u(s + <usize>c);
      v128.store(d + (<usize>c << 1), v128.and(i16x8.sub(v, vz), keep));
      continue;
    }
    for (; c < W; c++) store<i16>(d + (<usize>c << 1), <i16>((signed != 0 ? <i32>load<i8>(s + <usize>c) : <i32>load<u8>(s + <usize>c)) - zx));
  }
}

/**
 * One image: for each group g of G (one input channel each, x's plane g, H × W int8 or uint8), its
 * `opg` output channels g·opg.. from the padded int16 plane (Hp × Wp, pads ph, pw; scratch, zeroed
 * here once), 3×3 window, row stride sh, column stride sw (1 or 2), dilation 1; w16, Y, bias, mult,
 * zy, lo, hi as i8convGroup's; clamp 0: the products stay within ±2^22 (requant4Unclamped).
 */
export function i8dwconv3x3(x: usize, signed: i32, zx: i32, G: i32, opg: i32, H: i32, W: i32, ph: i32, pw: i32,
  plane: usize, Hp: i32, Wp: i32, w16: usize, OH: i32, OW: i32, sh: i32, sw: i32,
  y: usize, mode: i32, bias: usize, mult: usize, zy: usize, lo: i32, hi: i32, clamp: i32): void {
  const P = OH * OW, eb = elemBytes(mode);
  const rowBytes = <usize>Wp << 1;
  const xEnd = x + <usize>G * <usize>(H * W), yEnd = y + <usize>(G * opg) * <usize>P * eb;
  memory.fill(plane, 0, <usize>(Hp * Wp) << 1);
  for (let g = 0; g < G; g++) {
    // image rows past the last one a window reads are not copied: Hp may cut them
    copyInterior(x + <usize>g * <usize>(H * W), xEnd, signed, zx, min<i32>(H, Hp - ph), W, ph, pw, Wp, plane);
    for (let oc = g * opg; oc < (g + 1) * opg; oc++) {
      const wr = w16 + <usize>oc * 18;
      // pairs (w[kh][0], w[kh][1]) and (w[kh][2], 0) per row kh, as i32 lanes of two int16
      const p00 = i32x4.splat(load<i32>(wr)), p01 = i32x4.splat(<i32>load<u16>(wr, 4));
      const p10 = i32x4.splat(load<i32>(wr, 6)), p11 = i32x4.splat(<i32>load<u16>(wr, 10));
      const p20 = i32x4.splat(load<i32>(wr, 12)), p21 = i32x4.splat(<i32>load<u16>(wr, 16));
      const b0 = i32x4.splat(bias != 0 ? load<i32>(bias + (<usize>oc << 2)) : 0);
      let m = f32x4.splat(0), zBits = i32x4.splat(0), flo = m, fhi = m;
      if (mode != 0) {
        m = f32x4.splat(load<f32>(mult + (<usize>oc << 2)));
        const zi = load<i32>(zy + (<usize>oc << 2));
        zBits = i32x4.splat(ROUNDING_BITS - zi);
        flo = f32x4.splat(<f32>(lo - zi)); fhi = f32x4.splat(<f32>(hi - zi));
      }
      const yc = y + <usize>oc * <usize>P * eb, rowY = <usize>OW * eb;
      let oh = 0;
      // unit strides: two output rows at a time, sharing the loads of their two common input rows
      if (sw == 1 && sh == 1) {
        for (; oh + 2 <= OH; oh += 2) {
          const r0 = plane + <usize>oh * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
          const yr = yc + <usize>oh * rowY;
          for (let ow = 0; ow < OW; ow += 8) {
            let a = b0, b = b0, c = b0, d = b0; // a, b: row oh's E and O; c, d: row oh + 1's
            let v = load8(r0, ow); a = i32x4.add(a, i32x4.dot_i16x8_s(v, p00));
            v = load8(r0, ow + 1); b = i32x4.add(b, i32x4.dot_i16x8_s(v, p00));
            v = load8(r0, ow + 2); a = i32x4.add(a, i32x4.dot_i16x8_s(v, p01));
            v = load8(r0, ow + 3); b = i32x4.add(b, i32x4.dot_i16x8_s(v, p01));
            v = load8(r1, ow); a = i32x4.add(a, i32x4.dot_i16x8_s(v, p10)); c = i32x4.add(c, i32x4.dot_i16x8_s(v, p00));
            v = load8(r1, ow + 1); b = i32x4.add(b, i32x4.dot_i16x8_s(v, p10)); d = i32x4.add(d, i32x4.dot_i16x8_s(v, p00));
            v = load8(r1, ow + 2); a = i32x4.add(a, i32x4.dot_i16x8_s(v, p11)); c = i32x4.add(c, i32x4.dot_i16x8_s(v, p01));
            v = load8(r1, ow + 3); b = i32x4.add(b, i32x4.dot_i16x8_s(v, p11)); d = i32x4.add(d, i32x4.dot_i16x8_s(v, p01));
            v = load8(r2, ow); a = i32x4.add(a, i32x4.dot_i16x8_s(v, p20)); c = i32x4.add(c, i32x4.dot_i16x8_s(v, p10));
            v = load8(r2, ow + 1); b = i32x4.add(b, i32x4.dot_i16x8_s(v, p20)); d = i32x4.add(d, i32x4.dot_i16x8_s(v, p10));
            v = load8(r2, ow + 2); a = i32x4.add(a, i32x4.dot_i16x8_s(v, p21)); c = i32x4.add(c, i32x4.dot_i16x8_s(v, p11));
            v = load8(r2, ow + 3); b = i32x4.add(b, i32x4.dot_i16x8_s(v, p21)); d = i32x4.add(d, i32x4.dot_i16x8_s(v, p11));
            c = i32x4.add(c, dot2(r3, ow, p20)); d = i32x4.add(d, dot2(r3, ow + 1, p20));
            c = i32x4.add(c, dot2(r3, ow + 2, p21)); d = i32x4.add(d, dot2(r3, ow + 3, p21));
            const o = yr + <usize>ow * eb, o1 = o + rowY, left = OW - ow;
            // row oh's last vector spills past OW only into row oh + 1's first block stored just
            // after it (OW ≤ 8); row oh + 1's into rows and channels written later
            store8(v128.shuffle<i32>(a, b, 0, 4, 1, 5), v128.shuffle<i32>(a, b, 2, 6, 3, 7), o,
              left >= 8 || (OW <= 8 && o + (<usize>8 * eb) <= yEnd) ? 8 : left, mode, m, flo, fhi, zBits, clamp);
            store8(v128.shuffle<i32>(c, d, 0, 4, 1, 5), v128.shuffle<i32>(c, d, 2, 6, 3, 7), o1,
              left >= 8 || o1 + (<usize>8 * eb) <= yEnd ? 8 : left, mode, m, flo, fhi, zBits, clamp);
          }
        }
      }
      for (; oh < OH; oh++) {
        const r0 = plane + <usize>(oh * sh) * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes;
        const yr = yc + <usize>(oh * OW) * eb;
        for (let ow = 0; ow < OW; ow += 8) {
          let a = b0, b = b0;
          if (sw == 1) {
            a = i32x4.add(a, dot2(r0, ow, p00)); b = i32x4.add(b, dot2(r0, ow + 1, p00));
            a = i32x4.add(a, dot2(r0, ow + 2, p01)); b = i32x4.add(b, dot2(r0, ow + 3, p01));
            a = i32x4.add(a, dot2(r1, ow, p10)); b = i32x4.add(b, dot2(r1, ow + 1, p10));
            a = i32x4.add(a, dot2(r1, ow + 2, p11)); b = i32x4.add(b, dot2(r1, ow + 3, p11));
            a = i32x4.add(a, dot2(r2, ow, p20)); b = i32x4.add(b, dot2(r2, ow + 1, p20));
            a = i32x4.add(a, dot2(r2, ow + 2, p21)); b = i32x4.add(b, dot2(r2, ow + 3, p21));
            const e = a;
            a = v128.shuffle<i32>(e, b, 0, 4, 1, 5);
            b = v128.shuffle<i32>(e, b, 2, 6, 3, 7);
          } else {
            const c = ow << 1;
            a = i32x4.add(a, dot2(r0, c, p00)); b = i32x4.add(b, dot2(r0, c + 8, p00));
            a = i32x4.add(a, dot2(r0, c + 2, p01)); b = i32x4.add(b, dot2(r0, c + 10, p01));
            a = i32x4.add(a, dot2(r1, c, p10)); b = i32x4.add(b, dot2(r1, c + 8, p10));
            a = i32x4.add(a, dot2(r1, c + 2, p11)); b = i32x4.add(b, dot2(r1, c + 10, p11));
            a = i32x4.add(a, dot2(r2, c, p20)); b = i32x4.add(b, dot2(r2, c + 8, p20));
            a = i32x4.add(a, dot2(r2, c + 2, p21)); b = i32x4.add(b, dot2(r2, c + 10, p21));
          }
          // a row's last vector stores all 8 lanes where Y goes on: the lanes past OW land in the
          // next row or channel, written after this one
          const o = yr + <usize>ow * eb, left = OW - ow;
          store8(a, b, o, left >= 8 || o + (<usize>8 * eb) <= yEnd ? 8 : left, mode, m, flo, fhi, zBits, clamp);
        }
      }
    }
  }
}
