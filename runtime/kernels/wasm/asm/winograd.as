// convWinograd: a group-1 Conv of one image whose window, split by stride phase, is 4×4 (7×7 and 8×8
// at stride 2, 4×4 at stride 1; conv.ts's winogradStem takes it for the RGB 7×7 and 8×8 stride-2
// stems of the ResNets, where it pays), by Winograd's F(3×3, 4×4) with the points
// 0, ±1, ±2, ∞ (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016):
//
//   phase split   xq[c'][u][v] = Xpad[c][s·u + a][s·v + b],  c' = (c·s + a)·s + b   (read in place from
//                 convPadded's zero-bordered copy: rows by index, columns deinterleaved at stride 2)
//                 w'[n][c'][i][j] = W[n][c][s·i + a][s·j + b] (0 past the window), i, j < 4
//   per 3×3 output tile at (3t, 3q):  Y = Aᵀ [ Σ_c' (G w' Gᵀ) ⊙ (Bᵀ d B) ] A   (d: xq[c'] rows 3t..3t+5, cols 3q..3q+5)
//
// U = G w' Gᵀ (36 per (n, c')) is computed at prepare (conv.ts). Per band of tile rows t, TWp tiles
// wide (a multiple of 8, the lanes are tiles):
//   1. vertical Bᵀ over 6 phase rows, every column:           R[ξr][c'][col]            (Wv = 3·TWp + 4 columns)
//   2. horizontal Bᵀ, 4 tiles a vector (columns 3q+j gathered by shuffles): V[ξ][c'][tile]
//   3. per 4 output channels, 36 products V[ξ]ᵀ · U[ξ] (4 × 8 register tiles over c'):  M[ξ][4][tile]
//   4. Aᵀ · M · A per channel, + bias, clamp, the 3 columns of 4 tiles interleaved into 12 floats of Y.
// 36·s² multiply-adds per 3×3 tile, output channel and input channel where the direct conv spends
// 9·KH·KW (144 against 441 for 7×7 s2, a quarter of the phase taps zero): 3× fewer, for transforms
// that take about half the products' time (docs/performance.md, seventh round).

import { bias, clamp4, copyPadded, madd } from './common';

/** Bᵀ·(d0..d5) stored at dst + k·stride, k < 6:  4d0−5d2+d4, (d4−4d2) ± (d3−4d1), (d4−d2) ± 2(d3−d1), 4d1−5d3+d5. */
@inline function bt6(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, dst: usize, stride: usize): void {
  const c4 = f32x4.splat(4), m4 = f32x4.splat(-4), m5 = f32x4.splat(-5);
  v128.store(dst, madd(c4, d0, madd(m5, d2, d4)));
  const t1 = madd(m4, d2, d4), t2 = madd(m4, d1, d3);
  v128.store(dst + stride, f32x4.add(t1, t2));
  v128.store(dst + 2 * stride, f32x4.sub(t1, t2));
  const t3 = f32x4.sub(d4, d2), h = f32x4.sub(d3, d1), t4 = f32x4.add(h, h);
  v128.store(dst + 3 * stride, f32x4.add(t3, t4));
  v128.store(dst + 4 * stride, f32x4.sub(t3, t4));
  v128.store(dst + 5 * stride, madd(c4, d1, madd(m5, d3, d5)));
}

/** Aᵀ·(e0..e5) stored at dst, dst + stride, dst + 2·stride:  e0+e1+e2+e3+e4, (e1−e2) + 2(e3−e4), (e1+e2) + 4(e3+e4) + e5. */
@inline function at6(e0: v128, e1: v128, e2: v128, e3: v128, e4: v128, e5: v128, dst: usize, stride: usize): void {
  const s12 = f32x4.add(e1, e2), d12 = f32x4.sub(e1, e2), s34 = f32x4.add(e3, e4), d34 = f32x4.sub(e3, e4);
  v128.store(dst, f32x4.add(f32x4.add(e0, s12), s34));
  v128.store(dst + stride, madd(f32x4.splat(2), d34, d12));
  v128.store(dst + 2 * stride, madd(f32x4.splat(4), s34, f32x4.add(s12, e5)));
}

/** An output vector: + bias, clamped. */
@inline function out(v: v128, vb: v128, vlo: v128, vhi: v128): v128 {
  return clamp4(f32x4.add(v, vb), vlo, vhi);
}

/** Stores 4 interleaved tiles' row (y0, y1, y2: columns 0, 1, 2 of tiles 0..3) as 12 floats at d, or its first n < 12 through tmp. */
@inline function storeRow(d: usize, y0: v128, y1: v128, y2: v128, n: i32, tmp: usize): void {
  const o0 = v128.shuffle<f32>(v128.shuffle<f32>(y0, y1, 0, 4, 1, 1), y2, 0, 1, 4, 2);
  const o1 = v128.shuffle<f32>(v128.shuffle<f32>(y1, y2, 1, 5, 2, 2), y0, 0, 1, 6, 2);
  const o2 = v128.shuffle<f32>(y2, v128.shuffle<f32>(y0, y1, 3, 7, 3, 3), 2, 4, 5, 3);
  if (n >= 12) { v128.store(d, o0); v128.store(d, o1, 16); v128.store(d, o2, 32); return; }
  v128.store(tmp, o0); v128.store(tmp, o1, 16); v128.store(tmp, o2, 32);
  for (let k = 0; k < n; k++) store<f32>(d + (<usize>k << 2), load<f32>(tmp + (<usize>k << 2)));
}

/**
 * Y (N × OH × OW) = conv(x) + B, clamped. pad: convPadded's zero-bordered copy (Cin planes Hp × Wp,
 * deinterleaved at s = 2); u: G w' Gᵀ as [ξ][N/4][Cq][4] (Cq = Cin·s², N rounded up to 4, zero rows);
 * r, v, m: scratch of 6·Cq·Wv, 36·Cq·TWp and 36·4·TWp + 120 floats.
 */
export function convWinograd(x: usize, u: usize, y: usize, b: usize, pad: usize, r: usize, v: usize, m: usize, N: i32, Cin: i32, H: i32, W: i32,
  OH: i32, OW: i32, s: i32, ph: i32, pw: i32, Hp: i32, Wp: i32, TWp: i32, lo: f32, hi: f32): void {
  const rowP = <usize>Wp << 2, plane = <usize>Hp * rowP, half = rowP >> 1;
  for (let c = 0; c < Cin; c++) copyPadded(x + ((<usize>c * <usize>H * <usize>W) << 2), pad + <usize>c * plane, H, W, ph, pw, rowP, s);
  const Cq = Cin * s * s, Wv = 3 * TWp + 4, TH = (OH + 2) / 3, NB = (N + 3) >> 2;
  const rowR = <usize>Wv << 2, stepR = <usize>Cq * rowR;               // R[ξr][c'][col]
  const rowV = <usize>TWp << 2, stepV = <usize>Cq * rowV;              // V[ξ][c'][tile]
  const stepM = <usize>4 * rowV;                                        // M[ξ][j][tile]
  const zs = m + 36 * stepM, ys = zs + 288, tmp = ys + 144;            // 18 + 9 + 3 vectors
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const rowY = <usize>OH * <usize>OW << 2;
  for (let t = 0; t < TH; t++) {
    // 1. vertical transform of phase rows 3t..3t+5 of every (c, a, b)
    for (let c = 0; c < Cin; c++) {
      for (let a = 0; a < s; a++) {
        for (let bb = 0; bb < s; bb++) {
          const cq = (c * s + a) * s + bb;
          const src = pad + <usize>c * plane + <usize>(s * 3 * t + a) * rowP + (bb != 0 ? half : 0);
          const step = <usize>s * rowP;
          const dst = r + <usize>cq * rowR;
          for (let col: usize = 0, end = <usize>Wv << 2; col < end; col += 16) {
            const p = src + col;
            bt6(v128.load(p), v128.load(p + step), v128.load(p + 2 * step), v128.load(p + 3 * step), v128.load(p + 4 * step), v128.load(p + 5 * step), dst + col, stepR);
          }
        }
      }
    }
    // 2. horizontal transform, 4 tiles a vector: columns 3q + j of tiles q..q+3 gathered from 16 floats
    for (let xr = 0; xr < 6; xr++) {
      for (let cq = 0; cq < Cq; cq++) {
        const src = r + <usize>xr * stepR + <usize>cq * rowR;
        const dst = v + <usize>(xr * 6) * stepV + <usize>cq * rowV;
        for (let g: usize = 0, end = <usize>TWp >> 2; g < end; g++) {
          const p = src + g * 48;
          const q0 = v128.load(p), q1 = v128.load(p, 16), q2 = v128.load(p, 32), q3 = v128.load(p, 48);
          const e0 = v128.shuffle<f32>(v128.shuffle<f32>(q0, q1, 0, 3, 6, 6), q2, 0, 1, 2, 5);
          const e1 = v128.shuffle<f32>(v128.shuffle<f32>(q0, q1, 1, 4, 7, 7), q2, 0, 1, 2, 6);
          const e2 = v128.shuffle<f32>(v128.shuffle<f32>(q0, q1, 2, 5, 5, 5), q2, 0, 1, 4, 7);
          const e3 = v128.shuffle<f32>(e0, q3, 1, 2, 3, 4);
          const e4 = v128.shuffle<f32>(e1, q3, 1, 2, 3, 5);
          const e5 = v128.shuffle<f32>(e2, q3, 1, 2, 3, 6);
          bt6(e0, e1, e2, e3, e4, e5, dst + (g << 4), stepV);
        }
      }
    }
    // 3–4. per 4 output channels: the 36 products, then the output transform
    for (let ob = 0; ob < NB; ob++) {
      for (let xi = 0; xi < 36; xi++) {
        const u0 = u + ((<usize>(xi * NB + ob) * <usize>Cq) << 4);
        const v0 = v + <usize>xi * stepV;
        const m0 = m + <usize>xi * stepM, m1 = m0 + rowV, m2 = m1 + rowV, m3 = m2 + rowV;
        for (let g: usize = 0, end = <usize>TWp << 2; g < end; g += 32) {
          let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
          let vp = v0 + g, up = u0;
          for (let k = 0; k < Cq; k++) {
            const x0 = v128.load(vp), x1 = v128.load(vp, 16);
            let w = v128.load32_splat(up);
            a00 = madd(w, x0, a00); a01 = madd(w, x1, a01);
            w = v128.load32_splat(up, 4);
            a10 = madd(w, x0, a10); a11 = madd(w, x1, a11);
            w = v128.load32_splat(up, 8);
            a20 = madd(w, x0, a20); a21 = madd(w, x1, a21);
            w = v128.load32_splat(up, 12);
            a30 = madd(w, x0, a30); a31 = madd(w, x1, a31);
            vp += rowV; up += 16;
          }
          v128.store(m0 + g, a00); v128.store(m0 + g, a01, 16);
          v128.store(m1 + g, a10); v128.store(m1 + g, a11, 16);
          v128.store(m2 + g, a20); v128.store(m2 + g, a21, 16);
          v128.store(m3 + g, a30); v128.store(m3 + g, a31, 16);
        }
      }
      for (let j = 0; j < 4; j++) {
        const n = ob * 4 + j;
        if (n >= N) break;
        const vb = f32x4.splat(bias(b, n));
        const yn = y + <usize>n * rowY;
        for (let g = 0, end = TWp >> 2; g < end; g++) {
          const ow0 = g * 12;
          if (ow0 >= OW) break;
          const mp = m + <usize>j * rowV + (<usize>g << 4);
          // Aᵀ along ξc into zs[ξr][c], then along ξr into ys[r][c]; M[ξ][j][tiles 4g..4g+3] at mp + ξ·stepM
          for (let xr = 0; xr < 6; xr++) {
            const p = mp + <usize>(xr * 6) * stepM;
            at6(v128.load(p), v128.load(p + stepM), v128.load(p + 2 * stepM), v128.load(p + 3 * stepM), v128.load(p + 4 * stepM), v128.load(p + 5 * stepM), zs + (<usize>xr * 48), 16);
          }
          for (let c: usize = 0; c < 48; c += 16) {
            at6(v128.load(zs + c), v128.load(zs + c, 48), v128.load(zs + c, 96), v128.load(zs + c, 144), v128.load(zs + c, 192), v128.load(zs + c, 240), ys + c, 48);
          }
          const oh0 = t * 3;
          let d = yn + ((<usize>oh0 * <usize>OW + <usize>ow0) << 2);
          for (let rr = 0; rr < 3 && oh0 + rr < OH; rr++) {
            const q = ys + <usize>rr * 48;
            storeRow(d, out(v128.load(q), vb, vlo, vhi), out(v128.load(q, 16), vb, vlo, vhi), out(v128.load(q, 32), vb, vlo, vhi), OW - ow0, tmp);
            d += <usize>OW << 2;
          }
        }
      }
    }
  }
}
