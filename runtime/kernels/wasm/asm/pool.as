// wasmsimd MaxPool over NCHW planes (maxpool1x4), per plane and output row in two passes over a
// row buffer `buf` (scratch) whose borders hold −∞ (set at prepare):
//
//   1. rows:    buf[pw + iw] = max over the window's rows kh inside the image of X[ih0 + kh·dh][iw],
//               4 columns per v128 (rows in the padding are skipped: padding never wins a max)
//   2. columns: Y[oh][ow] = max over kw of buf[ow·sw + kw·dw]: every output column in vectors,
//               the padding being −∞ in buf (no border cases): column stride 1 unaligned loads,
//               stride 2 even/odd lanes by shuffles (3-wide windows: 4 loads for 4 outputs),
//               other strides scalar; the last 1–3 outputs of a row stored lane by lane.
//
//   buf:  −∞ … −∞ | row maxima of columns 0 … W−1 | −∞ … (as far as the last vector reads)
//         [0, pw)   [pw, pw + W)                    [pw + W, maxPoolBufLen (wasm/maxpool.ts))
//
// pmax(acc, v) (one maxps) keeps the running max like the ref kernel's `v > best`: a NaN tap is
// skipped. Each input row is read once per output row it serves (the old per-window loop read
// every tap, with scalar border columns: 2.3× slower on resnet's 3×3/2 pool).

@inline function poolLoad(s: usize, sw: i32): v128 {
  if (sw == 1) return v128.load(s);
  return v128.shuffle<f32>(v128.load(s), v128.load(s, 12), 0, 2, 5, 7);
}

/** Row maxima of input rows ih0 + kh·dh, kh in [khLo, khHi), into buf[pw ..]; windows of 2 and 3 rows (the common ones) unrolled. */
@inline function rowMaxima(xc: usize, buf: usize, W: i32, ih0: i32, khLo: i32, khHi: i32, dh: i32, rowX: usize): void {
  const ninf = f32x4.splat(-Infinity);
  const r0 = xc + <usize>(ih0 + khLo * dh) * rowX, step = <usize>dh * rowX, rows = khHi - khLo;
  let iw = 0;
  if (rows == 3) {
    const r1 = r0 + step, r2 = r1 + step;
    for (; iw + 4 <= W; iw += 4) {
      const o = <usize>iw << 2;
      v128.store(buf + o, f32x4.pmax(f32x4.pmax(f32x4.pmax(ninf, v128.load(r0 + o)), v128.load(r1 + o)), v128.load(r2 + o)));
    }
  } else if (rows == 2) {
    const r1 = r0 + step;
    for (; iw + 4 <= W; iw += 4) {
      const o = <usize>iw << 2;
      v128.store(buf + o, f32x4.pmax(f32x4.pmax(ninf, v128.load(r0 + o)), v128.load(r1 + o)));
    }
  } else {
    for (; iw + 4 <= W; iw += 4) {
      let a = ninf, r = r0 + (<usize>iw << 2);
      for (let kh = 0; kh < rows; kh++) { a = f32x4.pmax(a, v128.load(r)); r += step; }
      v128.store(buf + (<usize>iw << 2), a);
    }
  }
  for (; iw < W; iw++) {
    let a: f32 = -Infinity, r = r0 + (<usize>iw << 2);
    for (let kh = 0; kh < rows; kh++) {
      const v = load<f32>(r);
      a = v > a ? v : a;
      r += step;
    }
    store<f32>(buf + (<usize>iw << 2), a);
  }
}

/** Output columns [ow, ow + 4) from the row buffer (b = &buf[ow·sw]), column stride SW (a constant when inlined). */
@inline function colMax4(b: usize, KW: i32, dw: i32, SW: i32, k3: bool): v128 {
  if (SW == 2 && k3) {
    // columns c..c+8: even, odd and even+2 lanes, each one two-source shuffle (shufps)
    const a = v128.load(b), c = v128.load(b, 16), e = v128.load(b, 8), f = v128.load(b, 24);
    const even = v128.shuffle<f32>(a, c, 0, 2, 4, 6), odd = v128.shuffle<f32>(a, c, 1, 3, 5, 7);
    return f32x4.pmax(f32x4.pmax(even, odd), v128.shuffle<f32>(e, f, 0, 2, 4, 6));
  }
  let acc = f32x4.splat(-Infinity), s = b;
  for (let kw = 0; kw < KW; kw++) { acc = f32x4.pmax(acc, poolLoad(s, SW)); s += <usize>dw << 2; }
  return acc;
}

@inline function storeTail(yr: usize, v: v128, n: i32): void {
  store<f32>(yr, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(yr, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(yr, f32x4.extract_lane(v, 2), 8);
}

/** One output row from the row buffer, column stride SW (1 or 2). */
@inline function colMaxRow(buf: usize, yr: usize, OW: i32, KW: i32, dw: i32, SW: i32): void {
  const k3 = KW == 3 && dw == 1;
  let ow = 0;
  for (; ow + 4 <= OW; ow += 4) v128.store(yr + (<usize>ow << 2), colMax4(buf + (<usize>(ow * SW) << 2), KW, dw, SW, k3));
  if (ow < OW) storeTail(yr + (<usize>ow << 2), colMax4(buf + (<usize>(ow * SW) << 2), KW, dw, SW, k3), OW - ow);
}

export function maxpool1x4(x: usize, y: usize, buf: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32): void {
  const rowX = <usize>W << 2, inner = buf + (<usize>pw << 2);
  for (let c = 0; c < planes; c++) {
    const xc = x + ((<usize>c * <usize>H * <usize>W) << 2);
    const yc = y + ((<usize>c * <usize>OH * <usize>OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sh - ph;
      const khLo = ih0 >= 0 ? 0 : min<i32>(KH, (-ih0 + dh - 1) / dh);
      const khHi = max<i32>(khLo, H - 1 - ih0 < 0 ? 0 : min<i32>(KH, (H - 1 - ih0) / dh + 1));
      rowMaxima(xc, inner, W, ih0, khLo, khHi, dh, rowX);
      const yr = yc + ((<usize>oh * <usize>OW) << 2);
      if (sw == 1) colMaxRow(buf, yr, OW, KW, dw, 1);
      else if (sw == 2) colMaxRow(buf, yr, OW, KW, dw, 2);
      else {
        for (let o = 0; o < OW; o++) {
          let a: f32 = -Infinity;
          for (let kw = 0; kw < KW; kw++) {
            const v = load<f32>(buf + (<usize>(o * sw + kw * dw) << 2));
            a = v > a ? v : a;
          }
          store<f32>(yr + (<usize>o << 2), a);
        }
      }
    }
  }
}
