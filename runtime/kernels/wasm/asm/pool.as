// wasmsimd MaxPool over NCHW planes (maxpool1x4): per plane and output row,
//
//   output row oh:  [0, oa) border          [oa, ob) interior: every kw inside the row           [ob, OW) border
//                   scalar, per-tap         4 output columns per v128: acc = max(acc, X[iw + kw·dw ..])  scalar
//                   column checks           (column stride 2: lanes 0,2 of X[iw..] and 1,3 of X[iw+3..]) column checks
//
// Rows kh whose input row lies in the padding are skipped (padding never wins a max); pmax (one
// maxps) keeps the running max like the ref kernel's `v > best` (a NaN tap is skipped). Column
// strides other than 1 and 2 run the scalar path on the whole row; 3-wide stride-2 windows take
// max3s2Interior (rows first, then columns by shuffles: 9 loads for 4 outputs instead of 18).

import { colLo, colHi } from './common';

@inline function poolLoad(s: usize, sw: i32): v128 {
  if (sw == 1) return v128.load(s);
  return v128.shuffle<f32>(v128.load(s), v128.load(s, 12), 0, 2, 5, 7);
}

/** Interior columns [ow, ob) of one output row, column stride SW (1 or 2, a constant when inlined); returns the first column not done. */
@inline function maxRowInterior(xc: usize, yr: usize, ow: i32, ob: i32, SW: i32, pw: i32, ih0: i32, khLo: i32, khHi: i32, dh: i32, KW: i32, dw: i32, rowX: usize): i32 {
  const ninf = f32x4.splat(-Infinity);
  for (; ow + 8 <= ob; ow += 8) {
    let a0 = ninf, a1 = ninf;
    for (let kh = khLo; kh < khHi; kh++) {
      let s = xc + <usize>(ih0 + kh * dh) * rowX + (<usize>(ow * SW - pw) << 2);
      for (let kw = 0; kw < KW; kw++) {
        a0 = f32x4.pmax(a0, poolLoad(s, SW));
        a1 = f32x4.pmax(a1, poolLoad(s + (<usize>SW << 4), SW));
        s += <usize>dw << 2;
      }
    }
    v128.store(yr + (<usize>ow << 2), a0); v128.store(yr + (<usize>ow << 2), a1, 16);
  }
  for (; ow + 4 <= ob; ow += 4) {
    let a0 = ninf;
    for (let kh = khLo; kh < khHi; kh++) {
      let s = xc + <usize>(ih0 + kh * dh) * rowX + (<usize>(ow * SW - pw) << 2);
      for (let kw = 0; kw < KW; kw++) { a0 = f32x4.pmax(a0, poolLoad(s, SW)); s += <usize>dw << 2; }
    }
    v128.store(yr + (<usize>ow << 2), a0);
  }
  return ow;
}

/**
 * Interior columns [ow, ob) of a 3-wide, column-stride-2 window row (the CNN stem pools), four
 * outputs per step: the rows' maxima of input columns c..c+8 first (A = c..c+3, B = c+4..c+7,
 * D = c+5..c+8, reading nothing past the last tap), then even, odd and even+2 columns by shuffles.
 */
@inline function max3s2Interior(xc: usize, yr: usize, ow: i32, ob: i32, pw: i32, ih0: i32, khLo: i32, khHi: i32, dh: i32, rowX: usize): i32 {
  const ninf = f32x4.splat(-Infinity);
  for (; ow + 4 <= ob; ow += 4) {
    let a = ninf, b = ninf, d = ninf;
    for (let kh = khLo; kh < khHi; kh++) {
      const s = xc + <usize>(ih0 + kh * dh) * rowX + (<usize>(ow * 2 - pw) << 2);
      a = f32x4.pmax(a, v128.load(s)); b = f32x4.pmax(b, v128.load(s, 16)); d = f32x4.pmax(d, v128.load(s, 20));
    }
    const even = v128.shuffle<f32>(a, b, 0, 2, 4, 6), odd = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
    const even2 = v128.shuffle<f32>(even, d, 1, 2, 3, 7);
    v128.store(yr + (<usize>ow << 2), f32x4.pmax(f32x4.pmax(even, odd), even2));
  }
  return ow;
}

export function maxpool1x4(x: usize, y: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32): void {
  let oa = 0, ob = OW;
  for (let kw = 0; kw < KW; kw++) {
    const shift = kw * dw - pw;
    oa = max<i32>(oa, colLo(shift, sw, OW));
    ob = min<i32>(ob, colHi(shift, sw, W, OW));
  }
  if (sw > 2) { oa = OW; ob = OW; } // scalar rows
  if (ob < oa) ob = oa;
  const rowX = <usize>W << 2, k3s2 = KW == 3 && dw == 1;
  for (let c = 0; c < planes; c++) {
    const xc = x + ((<usize>c * <usize>H * <usize>W) << 2);
    const yc = y + ((<usize>c * <usize>OH * <usize>OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sh - ph;
      const khLo = ih0 >= 0 ? 0 : min<i32>(KH, (-ih0 + dh - 1) / dh);
      const khHi = max<i32>(khLo, H - 1 - ih0 < 0 ? 0 : min<i32>(KH, (H - 1 - ih0) / dh + 1));
      const yr = yc + ((<usize>oh * <usize>OW) << 2);
      // border columns (and the tail of the interior), scalar with column checks
      let ow = oa;
      if (oa < ob) {
        ow = sw == 1
          ? maxRowInterior(xc, yr, oa, ob, 1, pw, ih0, khLo, khHi, dh, KW, dw, rowX)
          : k3s2 ? max3s2Interior(xc, yr, oa, ob, pw, ih0, khLo, khHi, dh, rowX)
            : maxRowInterior(xc, yr, oa, ob, 2, pw, ih0, khLo, khHi, dh, KW, dw, rowX);
      }
      for (let o = 0; o < OW; o++) {
        if (o == oa) { o = ow; if (o >= OW) break; }
        let a: f32 = -Infinity;
        for (let kh = khLo; kh < khHi; kh++) {
          const xr = xc + <usize>(ih0 + kh * dh) * rowX;
          for (let kw = 0; kw < KW; kw++) {
            const iw = o * sw - pw + kw * dw;
            if (iw >= 0 && iw < W) a = Mathf.max(a, load<f32>(xr + (<usize>iw << 2)));
          }
        }
        store<f32>(yr + (<usize>o << 2), a);
      }
    }
  }
}
