// Helpers shared by the wasmsimd kernel files (asm/*.as): clamps, bias, the 4×8 and 1×8 dense
// register tiles (rows4, rows1), the im2col tile builder and exp4. Inlined where used.

/**
 * clamp(v, lo, hi) per lane with pmax/pmin (one maxps/minps each on x64; f32x4.min/max carry
 * IEEE NaN and ±0 rules that V8 spends ~8 instructions per call on). A NaN in v stays NaN; −0
 * may stay −0 where the IEEE form gives +0 (equal values).
 */
@inline export function clamp4(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.pmin(f32x4.pmax(v, lo), hi);
}

/** Stores the first n (1..3) lanes of v at d (a row's last vector where a full store would pass the output's end). */
@inline export function storeLanes(d: usize, v: v128, n: i32): void {
  store<f32>(d, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(d, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(d, f32x4.extract_lane(v, 2), 8);
}

/**
 * a·b + c per lane: every f32x4 multiply-add of the kernels goes through here, the one place
 * that chooses between SIMD128's pair (mul then add, rounded twice) and relaxed SIMD's
 * `relaxed_madd` (fused where the hardware has FMA, rounded once; the engine may also run it
 * unfused). scripts/build-wasm.mjs compiles the kernels twice, with and without
 * `--enable relaxed-simd`, and ASC_FEATURE_RELAXED_SIMD folds to a constant in each build, so
 * neither module carries the other's branch. runtime/kernels/wasm/env.ts picks the module at load.
 */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * Byte shuffle of a by the indices in s, every index in 0..15 (callers guarantee it): relaxed
 * SIMD's `relaxed_swizzle` is one pshufb on x64, SIMD128's swizzle adds the out-of-range-to-zero
 * fix-up; both give the same bytes for in-range indices, so the two modules agree exactly.
 */
@inline export function swizzle16(a: v128, s: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i8x16.relaxed_swizzle(a, s);
  return i8x16.swizzle(a, s);
}

// The int8 kernels (int8.as) do not switch here: relaxed SIMD's int8 dot is exact only for a
// 7-bit second operand, so both builds run i32x4.dot_i16x8_s (int8.as says why).

// exp: x = n·ln2 + r, |r| ≤ ln2/2 (ln2 split in two for an exact n·ln2), e^r by Cephes' expf
// polynomial, then scaled by 2^n as two factors 2^⌊n/2⌋·2^⌈n/2⌉ so that n from −150 to 128
// (denormal results and overflow to +inf) needs no special case. NaN stays NaN.
@inline export function exp4(x: v128): v128 {
  x = clamp4(x, f32x4.splat(-104.0), f32x4.splat(89.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  const e = f32x4.add(madd(p, f32x4.mul(r, r), r), f32x4.splat(1.0));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1), n2 = i32x4.sub(ni, n1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23), s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(e, s1), s2);
}

@inline export function clamp1(v: f32, lo: f32, hi: f32): f32 {
  return Mathf.min(Mathf.max(v, lo), hi);
}

@inline export function bias(b: usize, n: i32): f32 {
  return b != 0 ? load<f32>(b + (<usize>n << 2)) : <f32>0;
}

/** Four rows n..n+3 of W (row stride K) times X (row stride rowX bytes), pixels [p0, p1) into Y (row stride rowY bytes). */
@inline export function rows4(w0: usize, x: usize, y0: usize, b0: f32, b1: f32, b2: f32, b3: f32, K: i32, rowX: usize, rowY: usize, p0: i32, p1: i32, lo: f32, hi: f32): void {
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
      a00 = madd(s0, x0, a00); a01 = madd(s0, x1, a01);
      a10 = madd(s1, x0, a10); a11 = madd(s1, x1, a11);
      a20 = madd(s2, x0, a20); a21 = madd(s2, x1, a21);
      a30 = madd(s3, x0, a30); a31 = madd(s3, x1, a31);
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
      a0 = madd(f32x4.splat(load<f32>(w0 + kk)), x0, a0);
      a1 = madd(f32x4.splat(load<f32>(w1 + kk)), x0, a1);
      a2 = madd(f32x4.splat(load<f32>(w2 + kk)), x0, a2);
      a3 = madd(f32x4.splat(load<f32>(w3 + kk)), x0, a3);
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
@inline export function rows1(w0: usize, x: usize, y0: usize, b0: f32, K: i32, rowX: usize, p0: i32, p1: i32, lo: f32, hi: f32): void {
  const rowW = <usize>K << 2;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = p0;
  for (; p + 8 <= p1; p += 8) {
    let a0 = f32x4.splat(b0), a1 = a0;
    let xp = x + (<usize>p << 2);
    for (let kk: usize = 0; kk < rowW; kk += 4) {
      const s = f32x4.splat(load<f32>(w0 + kk));
      a0 = madd(s, v128.load(xp), a0);
      a1 = madd(s, v128.load(xp, 16), a1);
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

// convIm2col: a k×k (any pads, strides, dilations) group-1 Conv of one image, CHW:
// Y[N][OH·OW] = B[N] + W[N][K] · col[K][OH·OW], K = Cin·KH·KW, built PT output pixels at a time:
//
//   col tile (scratch, K rows × PT floats)            then rows4/rows1 (the gemm4x8 tiles) with
//   row r = (ic, kh, kw), column j = pixel p0 + j:     X = col (row stride PT), Y row stride OH·OW
//   col[r][j] = X[ic][oh·sh − ph + kh·dh][ow·sw − pw + kw·dw], or 0 in the padding
//
// Per (kw) the output columns whose input lies inside the row are [lo, hi) (colRange); stride-1
// rows copy 4 floats per v128, stride-2 rows gather 4 per v128 shuffle.

/** First output column o with o·s + shift >= 0, as lo; first with o·s + shift > size − 1, as hi (both clamped to [0, out]). */
@inline export function colLo(shift: i32, s: i32, out: i32): i32 {
  return shift >= 0 ? 0 : min<i32>(out, (-shift + s - 1) / s);
}
@inline export function colHi(shift: i32, s: i32, size: i32, out: i32): i32 {
  const last = size - 1 - shift;
  return last < 0 ? 0 : min<i32>(out, last / s + 1);
}

@inline export function zero(dst: usize, n: i32): void {
  memory.fill(dst, 0, <usize>max<i32>(n, 0) << 2);
}

export function im2colTile(x: usize, col: usize, Cin: i32, H: i32, W: i32, OW: i32, KH: i32, KW: i32,
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
            if (sw == 2) {
              // lanes 0,2 of X[s..s+3] and 1,3 of X[s+3..s+6]: reads nothing past the last tap
              for (; n >= 4; n -= 4) { v128.store(d, v128.shuffle<f32>(v128.load(s), v128.load(s, 12), 0, 2, 5, 7)); d += 16; s += 32; }
            }
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

// Packed row tiles (packW4): rows n..n+3 of W [N][K] stored k-major, wp[k·4 + r] = W[n+r][k], so
// the four weights of one k step are one 16-byte group at a constant offset from one pointer.
//
//   W rows n..n+3        packed tile (K·16 bytes)
//   ┌──────────────┐     ┌────────────┬────────────┬──
//   │ a0 a1 a2 ... │     │ a0 b0 c0 d0│ a1 b1 c1 d1│ ...
//   │ b0 b1 b2 ... │ →   └────────────┴────────────┴──
//   │ c0 ...       │
//   │ d0 ...       │     rows N mod 4 are not packed (rows1 reads W in place)

/** Copies the ⌊N/4⌋ full row tiles of W [N][K] into dst, k-major per tile (dst holds ⌊N/4⌋·4·K floats). */
export function packW4(w: usize, dst: usize, N: i32, K: i32): void {
  const rowW = <usize>K << 2;
  for (let n = 0; n + 4 <= N; n += 4) {
    const w0 = w + <usize>n * rowW;
    const d = dst + <usize>n * rowW;
    for (let k: usize = 0; k < <usize>K; k++) {
      const o = k << 2;
      store<f32>(d + (k << 4), load<f32>(w0 + o));
      store<f32>(d + (k << 4), load<f32>(w0 + rowW + o), 4);
      store<f32>(d + (k << 4), load<f32>(w0 + 2 * rowW + o), 8);
      store<f32>(d + (k << 4), load<f32>(w0 + 3 * rowW + o), 12);
    }
  }
}

/** rows4 with the tile's weights packed (packW4): wp = the tile, K·16 bytes. */
@inline export function rows4p(wp: usize, x: usize, y0: usize, b0: f32, b1: f32, b2: f32, b3: f32, K: i32, rowX: usize, rowY: usize, p0: i32, p1: i32, lo: f32, hi: f32): void {
  const wEnd = wp + (<usize>K << 4);
  const y1 = y0 + rowY, y2 = y1 + rowY, y3 = y2 + rowY;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let p = p0;
  for (; p + 8 <= p1; p += 8) {
    let a00 = f32x4.splat(b0), a01 = a00;
    let a10 = f32x4.splat(b1), a11 = a10;
    let a20 = f32x4.splat(b2), a21 = a20;
    let a30 = f32x4.splat(b3), a31 = a30;
    let xp = x + (<usize>p << 2);
    for (let wk = wp; wk < wEnd; wk += 16) {
      const x0 = v128.load(xp), x1 = v128.load(xp, 16);
      let s = v128.load32_splat(wk);
      a00 = madd(s, x0, a00); a01 = madd(s, x1, a01);
      s = v128.load32_splat(wk, 4);
      a10 = madd(s, x0, a10); a11 = madd(s, x1, a11);
      s = v128.load32_splat(wk, 8);
      a20 = madd(s, x0, a20); a21 = madd(s, x1, a21);
      s = v128.load32_splat(wk, 12);
      a30 = madd(s, x0, a30); a31 = madd(s, x1, a31);
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
    for (let wk = wp; wk < wEnd; wk += 16) {
      const x0 = v128.load(xp);
      a0 = madd(v128.load32_splat(wk), x0, a0);
      a1 = madd(v128.load32_splat(wk, 4), x0, a1);
      a2 = madd(v128.load32_splat(wk, 8), x0, a2);
      a3 = madd(v128.load32_splat(wk, 12), x0, a3);
      xp += rowX;
    }
    const o = <usize>p << 2;
    v128.store(y0 + o, clamp4(a0, vlo, vhi)); v128.store(y1 + o, clamp4(a1, vlo, vhi));
    v128.store(y2 + o, clamp4(a2, vlo, vhi)); v128.store(y3 + o, clamp4(a3, vlo, vhi));
  }
  for (; p < p1; p++) {
    // one pixel: the four rows as the lanes of one v128
    let a = f32x4(b0, b1, b2, b3);
    let xp = x + (<usize>p << 2);
    for (let wk = wp; wk < wEnd; wk += 16) {
      a = madd(v128.load(wk), v128.load32_splat(xp), a);
      xp += rowX;
    }
    a = clamp4(a, vlo, vhi);
    const o = <usize>p << 2;
    store<f32>(y0 + o, f32x4.extract_lane(a, 0)); store<f32>(y1 + o, f32x4.extract_lane(a, 1));
    store<f32>(y2 + o, f32x4.extract_lane(a, 2)); store<f32>(y3 + o, f32x4.extract_lane(a, 3));
  }
}


// The zero-bordered padded planes of dwconv3x3p, dwconvKxKp and convPadded: an image plane copied
// into rows ph.., columns pw.. of a plane Wp floats wide whose borders stay zero; at column stride 2
// each padded row is stored deinterleaved (even columns in its first half, odd ones in its second,
// Wp even), so a window tap of output columns ow.. is one plain v128 load.

/** W floats from s to padded column pc0 of row d, deinterleaved (even columns at d, odd at d + half). */
@inline function copyRowS2(s: usize, d: usize, half: usize, pc0: i32, W: i32): void {
  let iw = 0;
  // 8 input columns → 4 even-column and 4 odd-column padded slots (which is which depends on pc0's parity)
  const odd = pc0 & 1;
  let de = d + (<usize>((pc0 + 1) >> 1) << 2), dod = d + half + (<usize>(pc0 >> 1) << 2);
  for (; iw + 8 <= W; iw += 8) {
    const a = v128.load(s + (<usize>iw << 2)), b = v128.load(s + (<usize>iw << 2), 16);
    const ev = v128.shuffle<f32>(a, b, 0, 2, 4, 6), ov = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
    if (odd) { v128.store(dod, ev); v128.store(de, ov); } else { v128.store(de, ev); v128.store(dod, ov); }
    de += 16; dod += 16;
  }
  for (; iw < W; iw++) {
    const pc = pc0 + iw;
    store<f32>(d + ((pc & 1) != 0 ? half : 0) + (<usize>(pc >> 1) << 2), load<f32>(s + (<usize>iw << 2)));
  }
}

/** Plane s (H × W) into pad's interior at (ph, pw), rows rowP bytes apart; deinterleaved at column stride 2. */
@inline export function copyPadded(s: usize, pad: usize, H: i32, W: i32, ph: i32, pw: i32, rowP: usize, sw: i32): void {
  if (sw == 1) {
    const inner = pad + <usize>ph * rowP + (<usize>pw << 2);
    for (let ih = 0; ih < H; ih++) {
      let d = inner + <usize>ih * rowP;
      let n = W;
      for (; n >= 4; n -= 4) { v128.store(d, v128.load(s)); d += 16; s += 16; }
      for (; n > 0; n--) { store<f32>(d, load<f32>(s)); d += 4; s += 4; }
    }
  } else {
    const half = rowP >> 1;
    for (let ih = 0; ih < H; ih++) { copyRowS2(s, pad + <usize>(ih + ph) * rowP, half, pw, W); s += <usize>W << 2; }
  }
}
