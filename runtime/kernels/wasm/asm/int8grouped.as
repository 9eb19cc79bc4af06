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

import { finish } from './int8common';

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
