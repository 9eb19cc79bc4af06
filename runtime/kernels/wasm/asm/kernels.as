// spc wasmsimd kernels, AssemblyScript (compiled by scripts/build-wasm.mjs into
// ../kernels.wasm.ts; the `.as` extension keeps tsc away from it, asc reads it as kernels.ts).
// All pointers are byte offsets into the one imported memory; every array is f32 unless named.
//
// gemm4x8: Y[N][P] = B[N] + W[N][K] · X[K][P], clamped to [lo, hi]; b = 0 means no bias.
//
//        k →                 p → (8 pixels = 2 v128)           register tile: 4 rows × 8 pixels
//   W  ┌────────┐      X  ┌──┬──┬───┐                          acc[r][0..1] += splat(W[n+r][k]) · X[k][p..p+7]
//  n.. │w w w w │ ×    k  │xx│  │   │      = Y[n..n+3][p..p+7]  tails: 4 pixels (1 v128), then 1 pixel;
//  n+3 │w w w w │         └──┴──┴───┘                          rows N mod 4 one at a time
//
// spmm16x1: the same product with W in CSR (XNNPACK's MR×1 SpMM), 16 pixels per tile:
//
//   vals[e]  f32  non-zero values, rows in order        for each 16-pixel block p, for each row n:
//   offs[e]  u32  byte offset of its X row (col·P·4)       acc[0..3] = splat(B[n])
//   nnz[n]   u32  entries in row n (may be 0)              for e in row n: acc += splat(vals[e]) · X[offs[e] + p..p+15]
//                                                         tails: 8, 4, then 1 pixel

@inline function clamp4(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.min(f32x4.max(v, lo), hi);
}

@inline function clamp1(v: f32, lo: f32, hi: f32): f32 {
  return Mathf.min(Mathf.max(v, lo), hi);
}

@inline function bias(b: usize, n: i32): f32 {
  return b != 0 ? load<f32>(b + (<usize>n << 2)) : <f32>0;
}

/** Four rows n..n+3 of W (row stride K) times X (row stride rowX bytes), pixels [p0, p1) into Y (row stride rowY bytes). */
@inline function rows4(w0: usize, x: usize, y0: usize, b0: f32, b1: f32, b2: f32, b3: f32, K: i32, rowX: usize, rowY: usize, p0: i32, p1: i32, lo: f32, hi: f32): void {
  const rowW = <usize>K << 2;
  const w1 = w0 + rowW, w2 = w1 + rowW, w3 = w2 + rowW;
  const y1 = y0 + rowY, y2 = y1 + rowY, y3 = y2 + rowY;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = p0;
  for (; p + 8 <= p1; p += 8) {
    let a00 = f32x4.splat(b0), a01 = a00;
    let a10 = f32x4.splat(b1), a11 = a10;
    let a20 = f32x4.splat(b2), a21 = a20;
    let a30 = f32x4.splat(b3), a31 = a30;
    let xp = x + (<usize>p << 2);
    for (let kk: usize = 0, kEnd = rowW; kk < kEnd; kk += 4) {
      const x0 = v128.load(xp), x1 = v128.load(xp, 16);
      const s0 = v128.load32_splat(w0 + kk);
      const s1 = v128.load32_splat(w1 + kk);
      const s2 = v128.load32_splat(w2 + kk);
      const s3 = v128.load32_splat(w3 + kk);
      a00 = f32x4.add(a00, f32x4.mul(s0, x0)); a01 = f32x4.add(a01, f32x4.mul(s0, x1));
      a10 = f32x4.add(a10, f32x4.mul(s1, x0)); a11 = f32x4.add(a11, f32x4.mul(s1, x1));
      a20 = f32x4.add(a20, f32x4.mul(s2, x0)); a21 = f32x4.add(a21, f32x4.mul(s2, x1));
      a30 = f32x4.add(a30, f32x4.mul(s3, x0)); a31 = f32x4.add(a31, f32x4.mul(s3, x1));
      xp += rowX;
    }
    const o = <usize>p << 2;
    v128.store(y0 + o, clamp4(a00, vlo, vhi)); v128.store(y0 + o, clamp4(a01, vlo, vhi), 16);
    v128.store(y1 + o, clamp4(a10, vlo, vhi)); v128.store(y1 + o, clamp4(a11, vlo, vhi), 16);
    v128.store(y2 + o, clamp4(a20, vlo, vhi)); v128.store(y2 + o, clamp4(a21, vlo, vhi), 16);
    v128.store(y3 + o, clamp4(a30, vlo, vhi)); v128.store(y3 + o, clamp4(a31, vlo, vhi), 16);
  }
  for (; p + 4 <= p1; p += 4) {
    let a0 = f32x4.splat(b0), a1 = f32x4.splat(b1), a2 = f32x4.splat(b2), a3 = f32x4.splat(b3);
    let xp = x + (<usize>p << 2);
    for (let kk: usize = 0; kk < rowW; kk += 4) {
      const x0 = v128.load(xp);
      a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(w0 + kk)), x0));
      a1 = f32x4.add(a1, f32x4.mul(f32x4.splat(load<f32>(w1 + kk)), x0));
      a2 = f32x4.add(a2, f32x4.mul(f32x4.splat(load<f32>(w2 + kk)), x0));
      a3 = f32x4.add(a3, f32x4.mul(f32x4.splat(load<f32>(w3 + kk)), x0));
      xp += rowX;
    }
    const o = <usize>p << 2;
    v128.store(y0 + o, clamp4(a0, vlo, vhi)); v128.store(y1 + o, clamp4(a1, vlo, vhi));
    v128.store(y2 + o, clamp4(a2, vlo, vhi)); v128.store(y3 + o, clamp4(a3, vlo, vhi));
  }
  for (; p < p1; p++) {
    let a0 = b0, a1 = b1, a2 = b2, a3 = b3;
    let xp = x + (<usize>p << 2);
    for (let kk: usize = 0; kk < rowW; kk += 4) {
      const x0 = load<f32>(xp);
      a0 += load<f32>(w0 + kk) * x0; a1 += load<f32>(w1 + kk) * x0;
      a2 += load<f32>(w2 + kk) * x0; a3 += load<f32>(w3 + kk) * x0;
      xp += rowX;
    }
    const o = <usize>p << 2;
    store<f32>(y0 + o, clamp1(a0, lo, hi)); store<f32>(y1 + o, clamp1(a1, lo, hi));
    store<f32>(y2 + o, clamp1(a2, lo, hi)); store<f32>(y3 + o, clamp1(a3, lo, hi));
  }
}

/** One row of W times X, pixels [p0, p1) (the N mod 4 remainder). */
@inline function rows1(w0: usize, x: usize, y0: usize, b0: f32, K: i32, rowX: usize, p0: i32, p1: i32, lo: f32, hi: f32): void {
  const rowW = <usize>K << 2;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = p0;
  for (; p + 8 <= p1; p += 8) {
    let a0 = f32x4.splat(b0), a1 = a0;
    let xp = x + (<usize>p << 2);
    for (let kk: usize = 0; kk < rowW; kk += 4) {
      const s = f32x4.splat(load<f32>(w0 + kk));
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(xp)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(xp, 16)));
      xp += rowX;
    }
    const o = <usize>p << 2;
    v128.store(y0 + o, clamp4(a0, vlo, vhi)); v128.store(y0 + o, clamp4(a1, vlo, vhi), 16);
  }
  for (; p < p1; p++) {
    let a = b0;
    let xp = x + (<usize>p << 2);
    for (let kk: usize = 0; kk < rowW; kk += 4) { a += load<f32>(w0 + kk) * load<f32>(xp); xp += rowX; }
    store<f32>(y0 + (<usize>p << 2), clamp1(a, lo, hi));
  }
}

/**
 * When X is larger than 64 KiB, pixel blocks of PB columns (a multiple of 8, K·PB·4 bytes of X
 * ≈ 32 KiB) go outermost, so one block of X stays in cache while every row block of W passes
 * over it; otherwise one block (W streams once).
 */
export function gemm4x8(w: usize, x: usize, y: usize, b: usize, N: i32, K: i32, P: i32, lo: f32, hi: f32): void {
  const rowW = <usize>K << 2, rowX = <usize>P << 2;
  const PB = <i64>K * <i64>P * 4 <= 65536 ? P : max<i32>(8, ((8192 / max<i32>(K, 1)) >> 3) << 3);
  for (let p0 = 0; p0 < P; p0 += PB) {
    const p1 = min<i32>(P, p0 + PB);
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      rows4(w + <usize>n * rowW, x, y + <usize>n * rowX, bias(b, n), bias(b, n + 1), bias(b, n + 2), bias(b, n + 3), K, rowX, rowX, p0, p1, lo, hi);
    }
    for (; n < N; n++) rows1(w + <usize>n * rowW, x, y + <usize>n * rowX, bias(b, n), K, rowX, p0, p1, lo, hi);
  }
}

export function spmm16x1(vals: usize, offs: usize, nnz: usize, x: usize, y: usize, b: usize, N: i32, P: i32, lo: f32, hi: f32): void {
  const rowY = <usize>P << 2;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = 0;
  for (; p + 16 <= P; p += 16) {
    const xp = x + (<usize>p << 2);
    let v = vals, o = offs, yp = y + (<usize>p << 2);
    for (let n = 0; n < N; n++) {
      let a0 = f32x4.splat(bias(b, n)), a1 = a0, a2 = a0, a3 = a0;
      for (let c = load<u32>(nnz + (<usize>n << 2)); c > 0; c--) {
        const s = f32x4.splat(load<f32>(v));
        const xa = xp + <usize>load<u32>(o);
        a0 = f32x4.add(a0, f32x4.mul(s, v128.load(xa)));
        a1 = f32x4.add(a1, f32x4.mul(s, v128.load(xa, 16)));
        a2 = f32x4.add(a2, f32x4.mul(s, v128.load(xa, 32)));
        a3 = f32x4.add(a3, f32x4.mul(s, v128.load(xa, 48)));
        v += 4; o += 4;
      }
      v128.store(yp, clamp4(a0, vlo, vhi)); v128.store(yp, clamp4(a1, vlo, vhi), 16);
      v128.store(yp, clamp4(a2, vlo, vhi), 32); v128.store(yp, clamp4(a3, vlo, vhi), 48);
      yp += rowY;
    }
  }
  if (p + 8 <= P) {
    const xp = x + (<usize>p << 2);
    let v = vals, o = offs, yp = y + (<usize>p << 2);
    for (let n = 0; n < N; n++) {
      let a0 = f32x4.splat(bias(b, n)), a1 = a0;
      for (let c = load<u32>(nnz + (<usize>n << 2)); c > 0; c--) {
        const s = f32x4.splat(load<f32>(v));
        const xa = xp + <usize>load<u32>(o);
        a0 = f32x4.add(a0, f32x4.mul(s, v128.load(xa)));
        a1 = f32x4.add(a1, f32x4.mul(s, v128.load(xa, 16)));
        v += 4; o += 4;
      }
      v128.store(yp, clamp4(a0, vlo, vhi)); v128.store(yp, clamp4(a1, vlo, vhi), 16);
      yp += rowY;
    }
    p += 8;
  }
  if (p + 4 <= P) {
    const xp = x + (<usize>p << 2);
    let v = vals, o = offs, yp = y + (<usize>p << 2);
    for (let n = 0; n < N; n++) {
      let a0 = f32x4.splat(bias(b, n));
      for (let c = load<u32>(nnz + (<usize>n << 2)); c > 0; c--) {
        a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(v)), v128.load(xp + <usize>load<u32>(o))));
        v += 4; o += 4;
      }
      v128.store(yp, clamp4(a0, vlo, vhi));
      yp += rowY;
    }
    p += 4;
  }
  for (; p < P; p++) {
    const xp = x + (<usize>p << 2);
    let v = vals, o = offs, yp = y + (<usize>p << 2);
    for (let n = 0; n < N; n++) {
      let a = bias(b, n);
      for (let c = load<u32>(nnz + (<usize>n << 2)); c > 0; c--) {
        a += load<f32>(v) * load<f32>(xp + <usize>load<u32>(o));
        v += 4; o += 4;
      }
      store<f32>(yp, clamp1(a, lo, hi));
      yp += rowY;
    }
  }
}

// convIm2col: a k×k (any pads, strides, dilations) group-1 Conv of one image, CHW:
// Y[N][OH·OW] = B[N] + W[N][K] · col[K][OH·OW], K = Cin·KH·KW, built PT output pixels at a time:
//
//   col tile (scratch, K rows × PT floats)            then rows4/rows1 (the gemm4x8 tiles) with
//   row r = (ic, kh, kw), column j = pixel p0 + j:     X = col (row stride PT), Y row stride OH·OW
//   col[r][j] = X[ic][oh·sh − ph + kh·dh][ow·sw − pw + kw·dw], or 0 in the padding
//
// Per (kw) the output columns whose input lies inside the row are [lo, hi) (colRange); stride-1
// rows copy 4 floats per v128.

/** First output column o with o·s + shift >= 0, as lo; first with o·s + shift > size − 1, as hi (both clamped to [0, out]). */
@inline function colLo(shift: i32, s: i32, out: i32): i32 {
  return shift >= 0 ? 0 : min<i32>(out, (-shift + s - 1) / s);
}
@inline function colHi(shift: i32, s: i32, size: i32, out: i32): i32 {
  const last = size - 1 - shift;
  return last < 0 ? 0 : min<i32>(out, last / s + 1);
}

@inline function zero(dst: usize, n: i32): void {
  memory.fill(dst, 0, <usize>max<i32>(n, 0) << 2);
}

function im2colTile(x: usize, col: usize, Cin: i32, H: i32, W: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32, PT: i32, p0: i32, p1: i32): void {
  const ohFirst = p0 / OW, ohLast = (p1 - 1) / OW;
  let r: usize = 0;
  for (let ic = 0; ic < Cin; ic++) {
    const xc = x + ((<usize>ic * <usize>H * <usize>W) << 2);
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const shift = kw * dw - pw;
        const lo = colLo(shift, sw, OW), hi = max<i32>(lo, colHi(shift, sw, W, OW));
        const row = col + ((r * <usize>PT) << 2);
        for (let oh = ohFirst; oh <= ohLast; oh++) {
          const base = oh * OW;
          const a = max<i32>(0, p0 - base), e = min<i32>(OW, p1 - base); // this row's columns in the tile
          const dst = row + (<usize>(base + a - p0) << 2);                // col position of column a
          const ih = oh * sh - ph + kh * dh;
          if (ih < 0 || ih >= H) { zero(dst, e - a); continue; }
          const ca = max<i32>(a, lo), ce = min<i32>(e, hi);
          if (ca >= ce) { zero(dst, e - a); continue; }
          zero(dst, ca - a);
          let d = dst + (<usize>(ca - a) << 2);
          let s = xc + ((<usize>ih * <usize>W + <usize>(ca * sw + shift)) << 2);
          let n = ce - ca;
          if (sw == 1) {
            for (; n >= 4; n -= 4) { v128.store(d, v128.load(s)); d += 16; s += 16; }
            for (; n > 0; n--) { store<f32>(d, load<f32>(s)); d += 4; s += 4; }
          } else {
            const step = <usize>sw << 2;
            for (; n > 0; n--) { store<f32>(d, load<f32>(s)); d += 4; s += step; }
          }
          zero(d, e - ce);
        }
        r++;
      }
    }
  }
}

export function convIm2col(x: usize, w: usize, y: usize, b: usize, col: usize, N: i32, Cin: i32, H: i32, W: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32, PT: i32, lo: f32, hi: f32): void {
  const K = Cin * KH * KW, P = OH * OW;
  const rowW = <usize>K << 2, rowY = <usize>P << 2, rowX = <usize>PT << 2;
  for (let p0 = 0; p0 < P; p0 += PT) {
    const p1 = min<i32>(P, p0 + PT);
    im2colTile(x, col, Cin, H, W, OW, KH, KW, sh, sw, dh, dw, ph, pw, PT, p0, p1);
    const xt = col - (<usize>p0 << 2); // so that pixel p reads col[p − p0]
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      rows4(w + <usize>n * rowW, xt, y + <usize>n * rowY, bias(b, n), bias(b, n + 1), bias(b, n + 2), bias(b, n + 3), K, rowX, rowY, p0, p1, lo, hi);
    }
    for (; n < N; n++) rows1(w + <usize>n * rowW, xt, y + <usize>n * rowY, bias(b, n), K, rowX, p0, p1, lo, hi);
  }
}

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
    a0 = f32x4.add(a0, f32x4.mul(w0, dwLoad(s, SW))); a1 = f32x4.add(a1, f32x4.mul(w0, dwLoad(s + vstep, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w1, dwLoad(s + c1, SW))); a1 = f32x4.add(a1, f32x4.mul(w1, dwLoad(s + c1 + vstep, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w2, dwLoad(s + c2, SW))); a1 = f32x4.add(a1, f32x4.mul(w2, dwLoad(s + c2 + vstep, SW)));
    s = r1 + o;
    a0 = f32x4.add(a0, f32x4.mul(w3, dwLoad(s, SW))); a1 = f32x4.add(a1, f32x4.mul(w3, dwLoad(s + vstep, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w4, dwLoad(s + c1, SW))); a1 = f32x4.add(a1, f32x4.mul(w4, dwLoad(s + c1 + vstep, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w5, dwLoad(s + c2, SW))); a1 = f32x4.add(a1, f32x4.mul(w5, dwLoad(s + c2 + vstep, SW)));
    s = r2 + o;
    a0 = f32x4.add(a0, f32x4.mul(w6, dwLoad(s, SW))); a1 = f32x4.add(a1, f32x4.mul(w6, dwLoad(s + vstep, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w7, dwLoad(s + c1, SW))); a1 = f32x4.add(a1, f32x4.mul(w7, dwLoad(s + c1 + vstep, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w8, dwLoad(s + c2, SW))); a1 = f32x4.add(a1, f32x4.mul(w8, dwLoad(s + c2 + vstep, SW)));
    const y = yr + (<usize>ow << 2);
    v128.store(y, clamp4(a0, vlo, vhi)); v128.store(y, clamp4(a1, vlo, vhi), 16);
  }
  for (; ow + 4 <= ob; ow += 4) {
    const o = <usize>(ow * SW - pw) << 2;
    let a0 = bv;
    a0 = f32x4.add(a0, f32x4.mul(w0, dwLoad(r0 + o, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w1, dwLoad(r0 + o + c1, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w2, dwLoad(r0 + o + c2, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w3, dwLoad(r1 + o, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w4, dwLoad(r1 + o + c1, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w5, dwLoad(r1 + o + c2, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w6, dwLoad(r2 + o, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w7, dwLoad(r2 + o + c1, SW)));
    a0 = f32x4.add(a0, f32x4.mul(w8, dwLoad(r2 + o + c2, SW)));
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
            a0 = f32x4.add(a0, f32x4.mul(wv, dwLoad(s, sw)));
            a1 = f32x4.add(a1, f32x4.mul(wv, dwLoad(s + vstep, sw)));
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
            a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(wr + (<usize>kw << 2)), dwLoad(s, sw)));
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
