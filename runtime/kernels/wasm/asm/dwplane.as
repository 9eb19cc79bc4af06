// Plane-wise depthwise wasmsimd kernels of the depthwise family (scripts/wasm-families.mjs):
// dwconv1x8 (any window, borders scalar), dwconv3x3p and dwconvKxKp (through a zero-padded copy of
// each plane). dwconv.as holds the 3×3 paths read straight from the image or channel-blocked.

import { clamp1, clamp4, madd, bias, colLo, colHi, copyPadded, storeLanes } from './common';

// dwconv1x8: depthwise Conv (one input channel per output channel) of one image, CHW, per
// channel and output row; sw ∈ {1, 2}, anything else geometric:
//
//   output row oh:   [0, oa) border        [oa, ob) interior: every kw reads inside the row     [ob, OW) border
//                    scalar, per-tap       8 then 4 pixels per step, acc += splat(w[kh][kw]) · X   scalar, per-tap
//                    column checks         (stride 2: lanes 0,2 of X[iw..] and 1,3 of X[iw+3..])  column checks
//
// Rows kh whose input row lies in the padding are skipped (they add zero). 3×3 rows with all
// three input rows inside take dw3x3Interior (weights held in registers, stride a constant).

@inline function dwLoad(s: usize, sw: i32): v128 {
  if (sw == 1) return v128.load(s);
  return v128.shuffle<f32>(v128.load(s), v128.load(s, 12), 0, 2, 5, 7);
}

/**
 * Interior columns [ow, ob) of one output row of a 3×3 depthwise conv whose three input rows
 * r0..r2 are all inside the image; weights splatted once per channel; returns the first column
 * not done (fewer than 4 left).
 */
@inline function dw3x3Interior(r0: usize, r1: usize, r2: usize, yr: usize, ow: i32, ob: i32, SW: i32, pw: i32, c1: usize, c2: usize,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128, bv: v128, vlo: v128, vhi: v128): i32 {
  const vstep = <usize>SW << 4;
  for (; ow + 8 <= ob; ow += 8) {
    const o = <usize>(ow * SW - pw) << 2;
    let a0 = bv, a1 = bv;
    let s = r0 + o;
    a0 = madd(w0, dwLoad(s, SW), a0); a1 = madd(w0, dwLoad(s + vstep, SW), a1);
    a0 = madd(w1, dwLoad(s + c1, SW), a0); a1 = madd(w1, dwLoad(s + c1 + vstep, SW), a1);
    a0 = madd(w2, dwLoad(s + c2, SW), a0); a1 = madd(w2, dwLoad(s + c2 + vstep, SW), a1);
    s = r1 + o;
    a0 = madd(w3, dwLoad(s, SW), a0); a1 = madd(w3, dwLoad(s + vstep, SW), a1);
    a0 = madd(w4, dwLoad(s + c1, SW), a0); a1 = madd(w4, dwLoad(s + c1 + vstep, SW), a1);
    a0 = madd(w5, dwLoad(s + c2, SW), a0); a1 = madd(w5, dwLoad(s + c2 + vstep, SW), a1);
    s = r2 + o;
    a0 = madd(w6, dwLoad(s, SW), a0); a1 = madd(w6, dwLoad(s + vstep, SW), a1);
    a0 = madd(w7, dwLoad(s + c1, SW), a0); a1 = madd(w7, dwLoad(s + c1 + vstep, SW), a1);
    a0 = madd(w8, dwLoad(s + c2, SW), a0); a1 = madd(w8, dwLoad(s + c2 + vstep, SW), a1);
    const y = yr + (<usize>ow << 2);
    v128.store(y, clamp4(a0, vlo, vhi)); v128.store(y, clamp4(a1, vlo, vhi), 16);
  }
  for (; ow + 4 <= ob; ow += 4) {
    const o = <usize>(ow * SW - pw) << 2;
    let a0 = bv;
    a0 = madd(w0, dwLoad(r0 + o, SW), a0);
    a0 = madd(w1, dwLoad(r0 + o + c1, SW), a0);
    a0 = madd(w2, dwLoad(r0 + o + c2, SW), a0);
    a0 = madd(w3, dwLoad(r1 + o, SW), a0);
    a0 = madd(w4, dwLoad(r1 + o + c1, SW), a0);
    a0 = madd(w5, dwLoad(r1 + o + c2, SW), a0);
    a0 = madd(w6, dwLoad(r2 + o, SW), a0);
    a0 = madd(w7, dwLoad(r2 + o + c1, SW), a0);
    a0 = madd(w8, dwLoad(r2 + o + c2, SW), a0);
    v128.store(yr + (<usize>ow << 2), clamp4(a0, vlo, vhi));
  }
  return ow;
}

export function dwconv1x8(x: usize, w: usize, y: usize, b: usize, C: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32, lo: f32, hi: f32): void {
  // Interior columns: inside every tap's valid range.
  let oa = 0, ob = OW;
  for (let kw = 0; kw < KW; kw++) {
    const shift = kw * dw - pw;
    oa = max<i32>(oa, colLo(shift, sw, OW));
    ob = min<i32>(ob, colHi(shift, sw, W, OW));
  }
  if (ob < oa) ob = oa;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const rowX = <usize>W << 2, vstep = <usize>sw << 4; // bytes of input per 4 output pixels
  const k3 = KH == 3 && KW == 3, c1 = <usize>dw << 2, c2 = <usize>dw << 3;
  for (let c = 0; c < C; c++) {
    const xc = x + ((<usize>c * <usize>H * <usize>W) << 2);
    const wc = w + ((<usize>c * <usize>KH * <usize>KW) << 2);
    const yc = y + ((<usize>c * <usize>OH * <usize>OW) << 2);
    const bv = bias(b, c);
    // 3×3: the nine weights splatted once per channel (unused otherwise)
    const w0 = v128.load32_splat(wc);
    const w1 = k3 ? v128.load32_splat(wc, 4) : w0, w2 = k3 ? v128.load32_splat(wc, 8) : w0;
    const w3 = k3 ? v128.load32_splat(wc, 12) : w0, w4 = k3 ? v128.load32_splat(wc, 16) : w0, w5 = k3 ? v128.load32_splat(wc, 20) : w0;
    const w6 = k3 ? v128.load32_splat(wc, 24) : w0, w7 = k3 ? v128.load32_splat(wc, 28) : w0, w8 = k3 ? v128.load32_splat(wc, 32) : w0;
    const vb = f32x4.splat(bv);
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sh - ph;
      // kh range whose input row is inside [0, H)
      const khLo = ih0 >= 0 ? 0 : min<i32>(KH, (-ih0 + dh - 1) / dh);
      const khHi = H - 1 - ih0 < 0 ? 0 : min<i32>(KH, (H - 1 - ih0) / dh + 1);
      const yr = yc + ((<usize>oh * <usize>OW) << 2);
      // border columns, scalar with column checks
      for (let ow = 0; ow < OW; ow++) {
        if (ow == oa) { ow = ob; if (ow >= OW) break; }
        let a = bv;
        for (let kh = khLo; kh < khHi; kh++) {
          const xr = xc + <usize>(ih0 + kh * dh) * rowX;
          const wr = wc + ((<usize>kh * <usize>KW) << 2);
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - pw + kw * dw;
            if (iw >= 0 && iw < W) a += load<f32>(wr + (<usize>kw << 2)) * load<f32>(xr + (<usize>iw << 2));
          }
        }
        store<f32>(yr + (<usize>ow << 2), clamp1(a, lo, hi));
      }
      // interior
      let ow = oa;
      if (k3 && khLo == 0 && khHi == 3) {
        const r0 = xc + <usize>ih0 * rowX, r1 = r0 + <usize>dh * rowX, r2 = r1 + <usize>dh * rowX;
        ow = sw == 1
          ? dw3x3Interior(r0, r1, r2, yr, ow, ob, 1, pw, c1, c2, w0, w1, w2, w3, w4, w5, w6, w7, w8, vb, vlo, vhi)
          : dw3x3Interior(r0, r1, r2, yr, ow, ob, 2, pw, c1, c2, w0, w1, w2, w3, w4, w5, w6, w7, w8, vb, vlo, vhi);
      }
      for (; ow + 8 <= ob; ow += 8) {
        let a0 = f32x4.splat(bv), a1 = a0;
        for (let kh = khLo; kh < khHi; kh++) {
          const xr = xc + <usize>(ih0 + kh * dh) * rowX;
          const wr = wc + ((<usize>kh * <usize>KW) << 2);
          for (let kw = 0; kw < KW; kw++) {
            const s = xr + (<usize>(ow * sw - pw + kw * dw) << 2);
            const wv = v128.load32_splat(wr + (<usize>kw << 2));
            a0 = madd(wv, dwLoad(s, sw), a0);
            a1 = madd(wv, dwLoad(s + vstep, sw), a1);
          }
        }
        const o = yr + (<usize>ow << 2);
        v128.store(o, clamp4(a0, vlo, vhi)); v128.store(o, clamp4(a1, vlo, vhi), 16);
      }
      for (; ow + 4 <= ob; ow += 4) {
        let a0 = f32x4.splat(bv);
        for (let kh = khLo; kh < khHi; kh++) {
          const xr = xc + <usize>(ih0 + kh * dh) * rowX;
          const wr = wc + ((<usize>kh * <usize>KW) << 2);
          for (let kw = 0; kw < KW; kw++) {
            const s = xr + (<usize>(ow * sw - pw + kw * dw) << 2);
            a0 = madd(v128.load32_splat(wr + (<usize>kw << 2)), dwLoad(s, sw), a0);
          }
        }
        v128.store(yr + (<usize>ow << 2), clamp4(a0, vlo, vhi));
      }
      for (; ow < ob; ow++) {
        let a = bv;
        for (let kh = khLo; kh < khHi; kh++) {
          const xr = xc + <usize>(ih0 + kh * dh) * rowX;
          const wr = wc + ((<usize>kh * <usize>KW) << 2);
          for (let kw = 0; kw < KW; kw++) a += load<f32>(wr + (<usize>kw << 2)) * load<f32>(xr + (<usize>(ow * sw - pw + kw * dw) << 2));
        }
        store<f32>(yr + (<usize>ow << 2), clamp1(a, lo, hi));
      }
    }
  }
}

// dwconv3x3p: 3×3 depthwise (dilation 1, column stride 1 or 2, any row stride and pads) through
// a zero-padded copy of each channel plane, so every output row is vectors with no border code:
//
//   pad (scratch, Hp × Wp, borders zeroed once at prepare)     output row oh, columns ow..ow+3:
//   ┌─────────────────┐                                         acc = b + Σ_kh,kw splat(w[kh][kw]) ·
//   │0 0 0 0 0 0 0 0 0│   plane c copied to rows ph.., cols pw..      pad[oh·sh + kh][tap kw, ow ..]
//   │0 x x x x x x x 0│
//   │0 x x x x x x x 0│   a row's last vector may run past OW: its extra lanes land in the next row
//   │0 0 0 0 0 0 0 0 0│   (or plane) of Y, which is written after; lanes past Y's end are not stored.
//   └─────────────────┘   Reads past the plane's last row stay in the scratch's slack (32 floats).
//
// Column stride 1: tap kw of columns ow.. is pad[r][ow + kw ..]. Column stride 2: each padded row is
// stored deinterleaved, even columns in its first half and odd ones in its second (Wp even), so
// the taps are E[ow ..], O[ow ..], E[ow + 1 ..]: plain v128 loads, no per-tap shuffles.

@inline function dw3Vec(r0: usize, r1: usize, r2: usize, c1: usize, c2: usize,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128, bv: v128): v128 {
  let a = bv;
  a = madd(w0, v128.load(r0), a);
  a = madd(w1, v128.load(r0 + c1), a);
  a = madd(w2, v128.load(r0 + c2), a);
  a = madd(w3, v128.load(r1), a);
  a = madd(w4, v128.load(r1 + c1), a);
  a = madd(w5, v128.load(r1 + c2), a);
  a = madd(w6, v128.load(r2), a);
  a = madd(w7, v128.load(r2 + c1), a);
  a = madd(w8, v128.load(r2 + c2), a);
  return a;
}

/** One plane's output rows; taps kw = 1, 2 at byte offsets c1, c2 from tap 0, 4 columns = 16 bytes. */
@inline function dw3Plane(pad: usize, yc: usize, yEnd: usize, OH: i32, OW: i32, sh: i32, Wp: i32, c1: usize, c2: usize,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128, bv: v128, vlo: v128, vhi: v128): void {
  const rowP = <usize>Wp << 2;
  for (let oh = 0; oh < OH; oh++) {
    const r0 = pad + <usize>(oh * sh) * rowP, r1 = r0 + rowP, r2 = r1 + rowP;
    const yr = yc + ((<usize>oh * <usize>OW) << 2);
    let ow = 0;
    for (; ow < OW && yr + (<usize>(ow + 8) << 2) <= yEnd; ow += 8) {
      // each vector stored before the next one's loads: V8 issues a block's loads first, and 18
      // live loads next to 9 weights spill
      const o = <usize>ow << 2, d = yr + o;
      v128.store(d, clamp4(dw3Vec(r0 + o, r1 + o, r2 + o, c1, c2, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv), vlo, vhi));
      v128.store(d, clamp4(dw3Vec(r0 + o + 16, r1 + o + 16, r2 + o + 16, c1, c2, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv), vlo, vhi), 16);
    }
    for (; ow < OW; ow += 4) {
      const o = <usize>ow << 2;
      const a = clamp4(dw3Vec(r0 + o, r1 + o, r2 + o, c1, c2, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv), vlo, vhi);
      const d = yr + o;
      if (d + 16 <= yEnd) v128.store(d, a);
      else storeLanes(d, a, min<i32>(3, OW - ow));
    }
  }
}

export function dwconv3x3p(x: usize, w: usize, y: usize, b: usize, pad: usize, C: i32, H: i32, W: i32, OH: i32, OW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, Wp: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const yEnd = y + ((<usize>C * <usize>OH * <usize>OW) << 2);
  const rowP = <usize>Wp << 2, half = <usize>Wp << 1;
  for (let c = 0; c < C; c++) {
    // the plane into the padded copy's interior (its borders stay zero)
    copyPadded(x + ((<usize>c * <usize>H * <usize>W) << 2), pad, H, W, ph, pw, rowP, sw);
    const wc = w + <usize>c * 36;
    const w0 = v128.load32_splat(wc), w1 = v128.load32_splat(wc, 4), w2 = v128.load32_splat(wc, 8);
    const w3 = v128.load32_splat(wc, 12), w4 = v128.load32_splat(wc, 16), w5 = v128.load32_splat(wc, 20);
    const w6 = v128.load32_splat(wc, 24), w7 = v128.load32_splat(wc, 28), w8 = v128.load32_splat(wc, 32);
    const bv = f32x4.splat(bias(b, c));
    const yc = y + ((<usize>c * <usize>OH * <usize>OW) << 2);
    if (sw == 1) dw3Plane(pad, yc, yEnd, OH, OW, sh, Wp, 4, 8, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
    else dw3Plane(pad, yc, yEnd, OH, OW, sh, Wp, half, 4, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, vlo, vhi);
  }
}

// dwconvKxKp: the padded-plane depthwise of dwconv3x3p for any KH×KW (up to 7×7: the plane's
// 32-float slack covers a row's last vector reading past it), dilation 1, column stride 1 or 2
// (rows deinterleaved as in dwconv3x3p: tap j at E[ow + j/2] or O[ow + (j−1)/2]), any row stride:
// each output vector is b + Σ_i,j splat(w[i][j]) · pad[oh·sh + i][tap j of ow ..], the weights
// splat from memory per tap (25 live splats would spill). MobileNetV3's 5×5s.
export function dwconvKxKp(x: usize, w: usize, y: usize, b: usize, pad: usize, C: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32, Wp: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const yEnd = y + ((<usize>C * <usize>OH * <usize>OW) << 2);
  const rowP = <usize>Wp << 2, rowW = <usize>KW << 2, half = <usize>Wp << 1;
  for (let c = 0; c < C; c++) {
    copyPadded(x + ((<usize>c * <usize>H * <usize>W) << 2), pad, H, W, ph, pw, rowP, sw);
    const wc = w + <usize>c * <usize>KH * rowW;
    const bv = f32x4.splat(bias(b, c));
    const yc = y + ((<usize>c * <usize>OH * <usize>OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const r0 = pad + <usize>(oh * sh) * rowP;
      const yr = yc + ((<usize>oh * <usize>OW) << 2);
      for (let ow = 0; ow < OW; ow += 4) {
        const o = <usize>ow << 2;
        let a = bv;
        for (let i = 0; i < KH; i++) {
          const r = r0 + <usize>i * rowP + o, wr = wc + <usize>i * rowW;
          if (sw == 1) {
            for (let j: usize = 0; j < rowW; j += 4) a = madd(v128.load32_splat(wr + j), v128.load(r + j), a);
          } else {
            for (let j = 0; j < KW; j++) {
              const tap = ((j & 1) != 0 ? half : 0) + (<usize>(j >> 1) << 2);
              a = madd(v128.load32_splat(wr + (<usize>j << 2)), v128.load(r + tap), a);
            }
          }
        }
        a = clamp4(a, vlo, vhi);
        const d = yr + o;
        if (d + 16 <= yEnd) v128.store(d, a);
        else storeLanes(d, a, min<i32>(3, OW - ow));
      }
    }
  }
}
