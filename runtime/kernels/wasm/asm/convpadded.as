// convPadded: a k×k group-1 Conv of one image with few input channels (a network's stem: RGB or
// grey images), CHW, read straight from a zero-padded copy of the image instead of im2col tiles:
//
//   pad (scratch): Cin planes Hp × Wp, the image at (ph, pw),   offs (scratch, i32 per tap r = (ic, kh, kw)):
//   borders zeroed once at prepare; at column stride 2 each     byte offset of tap r's input for output
//   row deinterleaved, even columns | odd columns (copyPadded)  column 0 from output row oh's window origin
//                                                               pad + oh·sh·Wp·4
//   Y[n..n+3][oh][ow..ow+7] = B + Σ_r wp[r][n..n+3] · pad[origin(oh) + offs[r] + ow·4 ..]   (4×8 register tile)
//
// With 3 input channels im2col rebuilt 147 rows of every pixel tile of a 7×7 stem (a 7.4 MB gather
// per 224² image, stride-2 shuffles included) for a product of only 32 rows: the tile build cost
// more than the multiply-adds. Here each tap is one offset load and two vector loads from the
// padded image (a few KiB per output row, L1-resident). Tails: 4 columns, then 1; rows N mod 4
// one at a time from W in place.

import { bias, clamp1, clamp4, copyPadded, madd } from './common';

export function convPadded(x: usize, w: usize, wp: usize, y: usize, b: usize, pad: usize, offs: usize, N: i32, Cin: i32, H: i32, W: i32,
  OH: i32, OW: i32, K: i32, sh: i32, sw: i32, ph: i32, pw: i32, Hp: i32, Wp: i32, lo: f32, hi: f32): void {
  const rowP = <usize>Wp << 2, plane = <usize>Hp * rowP;
  for (let c = 0; c < Cin; c++) copyPadded(x + ((<usize>c * <usize>H * <usize>W) << 2), pad + <usize>c * plane, H, W, ph, pw, rowP, sw);
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const rowY = <usize>OH * <usize>OW << 2, rowW = <usize>K << 2, offEnd = offs + rowW;
  for (let oh = 0; oh < OH; oh++) {
    const org = pad + <usize>(oh * sh) * rowP;
    const yo = y + ((<usize>oh * <usize>OW) << 2);
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      const wt = wp + <usize>n * rowW;
      const y0 = yo + <usize>n * rowY, y1 = y0 + rowY, y2 = y1 + rowY, y3 = y2 + rowY;
      const b0 = f32x4.splat(bias(b, n)), b1 = f32x4.splat(bias(b, n + 1)), b2 = f32x4.splat(bias(b, n + 2)), b3 = f32x4.splat(bias(b, n + 3));
      let ow = 0;
      for (; ow + 8 <= OW; ow += 8) {
        const xo = org + (<usize>ow << 2);
        let a00 = b0, a01 = b0, a10 = b1, a11 = b1, a20 = b2, a21 = b2, a30 = b3, a31 = b3;
        let wk = wt;
        for (let o = offs; o < offEnd; o += 4) {
          const xp = xo + <usize>load<i32>(o);
          const x0 = v128.load(xp), x1 = v128.load(xp, 16);
          let s = v128.load32_splat(wk);
          a00 = madd(s, x0, a00); a01 = madd(s, x1, a01);
          s = v128.load32_splat(wk, 4);
          a10 = madd(s, x0, a10); a11 = madd(s, x1, a11);
          s = v128.load32_splat(wk, 8);
          a20 = madd(s, x0, a20); a21 = madd(s, x1, a21);
          s = v128.load32_splat(wk, 12);
          a30 = madd(s, x0, a30); a31 = madd(s, x1, a31);
          wk += 16;
        }
        const d = <usize>ow << 2;
        v128.store(y0 + d, clamp4(a00, vlo, vhi)); v128.store(y0 + d, clamp4(a01, vlo, vhi), 16);
        v128.store(y1 + d, clamp4(a10, vlo, vhi)); v128.store(y1 + d, clamp4(a11, vlo, vhi), 16);
        v128.store(y2 + d, clamp4(a20, vlo, vhi)); v128.store(y2 + d, clamp4(a21, vlo, vhi), 16);
        v128.store(y3 + d, clamp4(a30, vlo, vhi)); v128.store(y3 + d, clamp4(a31, vlo, vhi), 16);
      }
      for (; ow + 4 <= OW; ow += 4) {
        const xo = org + (<usize>ow << 2);
        let a0 = b0, a1 = b1, a2 = b2, a3 = b3;
        let wk = wt;
        for (let o = offs; o < offEnd; o += 4) {
          const x0 = v128.load(xo + <usize>load<i32>(o));
          a0 = madd(v128.load32_splat(wk), x0, a0); a1 = madd(v128.load32_splat(wk, 4), x0, a1);
          a2 = madd(v128.load32_splat(wk, 8), x0, a2); a3 = madd(v128.load32_splat(wk, 12), x0, a3);
          wk += 16;
        }
        const d = <usize>ow << 2;
        v128.store(y0 + d, clamp4(a0, vlo, vhi)); v128.store(y1 + d, clamp4(a1, vlo, vhi));
        v128.store(y2 + d, clamp4(a2, vlo, vhi)); v128.store(y3 + d, clamp4(a3, vlo, vhi));
      }
      for (; ow < OW; ow++) {
        const xo = org + (<usize>ow << 2);
        let s0 = bias(b, n), s1 = bias(b, n + 1), s2 = bias(b, n + 2), s3 = bias(b, n + 3);
        let wk = wt;
        for (let o = offs; o < offEnd; o += 4) {
          const xs = load<f32>(xo + <usize>load<i32>(o));
          s0 += load<f32>(wk) * xs; s1 += load<f32>(wk, 4) * xs; s2 += load<f32>(wk, 8) * xs; s3 += load<f32>(wk, 12) * xs;
          wk += 16;
        }
        const d = <usize>ow << 2;
        store<f32>(y0 + d, clamp1(s0, lo, hi)); store<f32>(y1 + d, clamp1(s1, lo, hi));
        store<f32>(y2 + d, clamp1(s2, lo, hi)); store<f32>(y3 + d, clamp1(s3, lo, hi));
      }
    }
    for (; n < N; n++) {
      const wr = w + <usize>n * rowW, yr = yo + <usize>n * rowY, bn = bias(b, n);
      let ow = 0;
      for (; ow + 4 <= OW; ow += 4) {
        const xo = org + (<usize>ow << 2);
        let a = f32x4.splat(bn);
        let wk = wr;
        for (let o = offs; o < offEnd; o += 4) { a = madd(v128.load32_splat(wk), v128.load(xo + <usize>load<i32>(o)), a); wk += 4; }
        v128.store(yr + (<usize>ow << 2), clamp4(a, vlo, vhi));
      }
      for (; ow < OW; ow++) {
        const xo = org + (<usize>ow << 2);
        let s = bn;
        let wk = wr;
        for (let o = offs; o < offEnd; o += 4) { s += load<f32>(wk) * load<f32>(xo + <usize>load<i32>(o)); wk += 4; }
        store<f32>(yr + (<usize>ow << 2), clamp1(s, lo, hi));
      }
    }
  }
}
