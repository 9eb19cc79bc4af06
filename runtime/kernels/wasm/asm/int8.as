// int8 products with exact int32 sums and the fused requantization epilogue of QLinearConv /
// QLinearMatMul (ConvInteger / MatMulInteger store the int32 sums), the packing and im2col steps
// that feed them, and QuantizeLinear / DequantizeLinear 16 elements per step. Both operands
// arrive as int16 already centred on their zero points, so every product is exact and
// i32x4.dot_i16x8_s sums 8 of them per instruction. MatMul (i8gemm) reads rows of K:
//
//         k → (K padded to 8, zeros)          register tile: 2 rows × 4 columns,
//   A  ┌────────────────┐  Bᵀ ┌────────────────┐ j   acc[r][q] += dot(A[i+r][k..k+8], Bᵀ[j+q][k..k+8])
//   i  │ a−za  (i16)    │     │ b−zb  (i16)    │     then the four lanes of each acc summed:
//   i+1│                │     │                │ j+3  Y[i+r][j..j+3] = requant(Σ acc[r][0..3])
//      └────────────────┘     └────────────────┘
//
// Conv (i8gemmPixels) reads k pairs interleaved, so that im2col copies whole rows: drawn below.
//
// Why int16 and not relaxed SIMD's i32x4.relaxed_dot_i8x16_i7x16_add_s: that instruction is exact
// only when its second operand has 7 bits (x64 lowers it to pmaddubsw, which saturates pair sums),
// and neither operand does here: uint8 activations use 8 bits and centred values span −255..255.
// Making them fit would change results, and onnxruntime's exact int32 sums are the oracle. So
// both kernel builds run the same dot, and the relaxed module gives bit-identical int8 results.

import { elemBytes, extract, finish, finish8Tile, im2colRow, ROUNDING_BITS } from './int8common';

/**
 * dst[r][k] = src(r, k) − zp(r) as int16, k < K, then zeros up to kpad; src(r, k) is the int8
 * (signed ≠ 0) or uint8 at src + r·rowStride + k·colStride (bytes); zp is per tensor (zpStep 0),
 * per row (zpStep 1), or none (zp = 0).
 */
export function i8pack(src: usize, signed: i32, zp: usize, zpStep: i32, rows: i32, K: i32, rowStride: i32, colStride: i32, kpad: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const z: i32 = zp == 0 ? 0 : signed != 0 ? <i32>load<i8>(zp + <usize>(r * zpStep)) : <i32>load<u8>(zp + <usize>(r * zpStep));
    let s = src + <usize>(r * rowStride);
    let d = dst + (<usize>r * <usize>kpad << 1);
    if (signed != 0) {
      for (let k = 0; k < K; k++) { store<i16>(d, <i16>(<i32>load<i8>(s) - z)); s += colStride; d += 2; }
    } else {
      for (let k = 0; k < K; k++) { store<i16>(d, <i16>(<i32>load<u8>(s) - z)); s += colStride; d += 2; }
    }
    for (let k = K; k < kpad; k++) { store<i16>(d, 0); d += 2; }
  }
}

/** [Σ a, Σ b, Σ c, Σ d] of four int32x4 accumulators. */
@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(v128.shuffle<i32>(a, b, 0, 1, 4, 5), v128.shuffle<i32>(a, b, 2, 3, 6, 7));
  const cd = i32x4.add(v128.shuffle<i32>(c, d, 0, 1, 4, 5), v128.shuffle<i32>(c, d, 2, 3, 6, 7));
  return i32x4.add(v128.shuffle<i32>(ab, cd, 0, 2, 4, 6), v128.shuffle<i32>(ab, cd, 1, 3, 5, 7));
}

/**
 * Y[i][j] = Σ_k W[i][k] · X[j][k] over int16 rows of kpad (a multiple of 8) for i < N, j < P,
 * X holding ceil(P / 4)·4 rows (the extra ones are computed, never stored); epilogue by `finish`.
 */
export function i8gemm(w: usize, x: usize, N: i32, P: i32, kpad: i32, y: usize, rowY: i32, mode: i32, bias: usize,
  mult: usize, zy: usize, perCol: i32, lo: i32, hi: i32): void {
  const row = <usize>kpad << 1;
  let i = 0;
  for (; i + 2 <= N; i += 2) {
    const w0 = w + <usize>i * row, w1 = w0 + row;
    for (let j = 0; j < P; j += 4) {
      const x0 = x + <usize>j * row, x1 = x0 + row, x2 = x1 + row, x3 = x2 + row;
      let a00 = i32x4.splat(0), a01 = a00, a02 = a00, a03 = a00;
      let a10 = a00, a11 = a00, a12 = a00, a13 = a00;
      for (let k: usize = 0; k < row; k += 16) {
        const v0 = v128.load(w0 + k), v1 = v128.load(w1 + k);
        const u0 = v128.load(x0 + k), u1 = v128.load(x1 + k), u2 = v128.load(x2 + k), u3 = v128.load(x3 + k);
        a00 = i32x4.add(a00, i32x4.dot_i16x8_s(v0, u0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(v0, u1));
        a02 = i32x4.add(a02, i32x4.dot_i16x8_s(v0, u2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(v0, u3));
        a10 = i32x4.add(a10, i32x4.dot_i16x8_s(v1, u0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(v1, u1));
        a12 = i32x4.add(a12, i32x4.dot_i16x8_s(v1, u2)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(v1, u3));
      }
      const cnt = P - j < 4 ? P - j : 4;
      finish(hsum4(a00, a01, a02, a03), i, j, cnt, y, rowY, mode, bias, mult, zy, perCol, lo, hi);
      finish(hsum4(a10, a11, a12, a13), i + 1, j, cnt, y, rowY, mode, bias, mult, zy, perCol, lo, hi);
    }
  }
  if (i < N) {
    const w0 = w + <usize>i * row;
    for (let j = 0; j < P; j += 4) {
      const x0 = x + <usize>j * row, x1 = x0 + row, x2 = x1 + row, x3 = x2 + row;
      let a00 = i32x4.splat(0), a01 = a00, a02 = a00, a03 = a00;
      for (let k: usize = 0; k < row; k += 16) {
        const v0 = v128.load(w0 + k);
        a00 = i32x4.add(a00, i32x4.dot_i16x8_s(v0, v128.load(x0 + k))); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(v0, v128.load(x1 + k)));
        a02 = i32x4.add(a02, i32x4.dot_i16x8_s(v0, v128.load(x2 + k))); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(v0, v128.load(x3 + k)));
      }
      finish(hsum4(a00, a01, a02, a03), i, j, P - j < 4 ? P - j : 4, y, rowY, mode, bias, mult, zy, perCol, lo, hi);
    }
  }
}

/**
 * QuantizeLinear to int8 (mode 1) or uint8 (mode 2): y = saturate(roundHalfEven(x / scale) + zp),
 * the quotient in float32 as onnxruntime divides; x is [outer][dim][inner] float32, scale[a]
 * (float32) and zp[a] (int8/uint8 bytes, or none when zp = 0) per a < dim (dim 1: per tensor).
 * A NaN quotient stores the zero point, as the ref kernel does.
 */
export function i8quantize(x: usize, y: usize, outer: i32, dim: i32, inner: i32, scale: usize, zp: usize, mode: i32): void {
  const lo = mode == 1 ? -128 : 0, hi = mode == 1 ? 127 : 255;
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < dim; a++) {
      const s = f32x4.splat(load<f32>(scale + (<usize>a << 2)));
      const zi: i32 = zp == 0 ? 0 : mode == 1 ? <i32>load<i8>(zp + <usize>a) : <i32>load<u8>(zp + <usize>a);
      const z = i32x4.splat(zi);
      const vlo = f32x4.splat(<f32>(lo - zi)), vhi = f32x4.splat(<f32>(hi - zi));
      const base = (<usize>o * <usize>dim + <usize>a) * <usize>inner;
      let xs = x + (base << 2), yd = y + base;
      let i = 0;
      for (; i + 16 <= inner; i += 16) {
        const q0 = quant4(v128.load(xs), s, vlo, vhi, z), q1 = quant4(v128.load(xs, 16), s, vlo, vhi, z);
        const q2 = quant4(v128.load(xs, 32), s, vlo, vhi, z), q3 = quant4(v128.load(xs, 48), s, vlo, vhi, z);
        const h0 = i16x8.narrow_i32x4_s(q0, q1), h1 = i16x8.narrow_i32x4_s(q2, q3);
        v128.store(yd, mode == 1 ? i8x16.narrow_i16x8_s(h0, h1) : i8x16.narrow_i16x8_u(h0, h1));
        xs += 64; yd += 16;
      }
      for (; i < inner; i++) {
        store<u8>(yd, <u8>i32x4.extract_lane(quant4(f32x4.splat(load<f32>(xs)), s, vlo, vhi, z), 0));
        xs += 4; yd += 1;
      }
    }
  }
}

/** roundHalfEven(x / s) clamped to [lo − zp, hi − zp], plus zp; NaN → zp (trunc_sat(NaN) = 0). */
@inline function quant4(x: v128, s: v128, vlo: v128, vhi: v128, z: v128): v128 {
  const f = f32x4.pmin(f32x4.pmax(f32x4.nearest(f32x4.div(x, s)), vlo), vhi);
  return i32x4.add(i32x4.trunc_sat_f32x4_s(f), z);
}

/**
 * DequantizeLinear from int8 (signed ≠ 0) or uint8: y = float32(x − zp) · scale, the layout and
 * parameters as i8quantize's (x − zp is exact in float32, so one rounding, as the ref kernel's).
 */
export function i8dequantize(x: usize, signed: i32, y: usize, outer: i32, dim: i32, inner: i32, scale: usize, zp: usize): void {
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < dim; a++) {
      const s = f32x4.splat(load<f32>(scale + (<usize>a << 2)));
      const zi: i32 = zp == 0 ? 0 : signed != 0 ? <i32>load<i8>(zp + <usize>a) : <i32>load<u8>(zp + <usize>a);
      const z = i32x4.splat(zi);
      const base = (<usize>o * <usize>dim + <usize>a) * <usize>inner;
      let xs = x + base, yd = y + (base << 2);
      let i = 0;
      for (; i + 16 <= inner; i += 16) {
        const b = v128.load(xs);
        const h0 = signed != 0 ? i16x8.extend_low_i8x16_s(b) : i16x8.extend_low_i8x16_u(b);
        const h1 = signed != 0 ? i16x8.extend_high_i8x16_s(b) : i16x8.extend_high_i8x16_u(b);
        v128.store(yd, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(h0), z)), s));
        v128.store(yd, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(h0), z)), s), 16);
        v128.store(yd, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(h1), z)), s), 32);
        v128.store(yd, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(h1), z)), s), 48);
        xs += 16; yd += 64;
      }
      const sf = load<f32>(scale + (<usize>a << 2));
      for (; i < inner; i++) {
        const v: i32 = signed != 0 ? <i32>load<i8>(xs) : <i32>load<u8>(xs);
        store<f32>(yd, <f32>(v - zi) * sf);
        xs += 1; yd += 4;
      }
    }
  }
}

// ── Conv: the pair-interleaved layout (XNNPACK's for 16-bit dots), so im2col copies rows ──
//
//   Wp[N/4][K/2][4 channels][2 k] int16      Xp[K/2][PT][2 k] int16 (one k pair per row of PT pixels)
//
// i8gemmPixels (below) vectorizes over pixels: 4 pixels × one k pair of Xp per vector, against
// one channel's k pair splatted from Wp.

/** Wp from W[N][K] (int8 when signed ≠ 0, else uint8) less its zero point (per tensor: zpStep 0, per channel: 1, none: zp = 0); zeros past N and K. */
export function i8packPairs(w: usize, signed: i32, zp: usize, zpStep: i32, N: i32, K: i32, kpad: i32, dst: usize): void {
  const blocks = (N + 3) >> 2, pairs = kpad >> 1;
  for (let nb = 0; nb < blocks; nb++) {
    for (let c = 0; c < 4; c++) {
      const n = nb * 4 + c;
      const z: i32 = n >= N || zp == 0 ? 0 : signed != 0 ? <i32>load<i8>(zp + <usize>(n * zpStep)) : <i32>load<u8>(zp + <usize>(n * zpStep));
      const src = w + <usize>n * <usize>K;
      let d = dst + ((<usize>nb * <usize>pairs * 4 + <usize>c) << 2);
      for (let kk = 0; kk < pairs; kk++) {
        const k = kk * 2;
        let v0: i32 = 0, v1: i32 = 0;
        if (n < N && k < K) v0 = (signed != 0 ? <i32>load<i8>(src + <usize>k) : <i32>load<u8>(src + <usize>k)) - z;
        if (n < N && k + 1 < K) v1 = (signed != 0 ? <i32>load<i8>(src + <usize>k + 1) : <i32>load<u8>(src + <usize>k + 1)) - z;
        store<i16>(d, <i16>v0); store<i16>(d, <i16>v1, 2);
        d += 16;
      }
    }
  }
}

/**
 * Xp for output pixels [p0, p0 + pn) of one NCHW image: per k pair, its two taps' im2col rows
 * (into `tmp`, 2·ceil(pn / 8)·8 int16) interleaved 8 pixels per step; rows of PT = ceil(pn / 4)·4
 * pixels (the extra pixels and the k past K are 0).
 */
export function i8im2colPairs(x: usize, signed: i32, zx: i32, col: usize, tmp: usize, cin: i32, H: i32, W: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32, p0: i32, pn: i32, kpad: i32): void {
  const K = cin * KH * KW, taps = KH * KW;
  const pt = (pn + 3) & ~3, pv = (pn + 7) & ~7;
  const t0 = tmp, t1 = tmp + (<usize>pv << 1);
  for (let kk = 0; kk < (kpad >> 1); kk++) {
    for (let e = 0; e < 2; e++) {
      const k = kk * 2 + e, t = e == 0 ? t0 : t1;
      if (k >= K) { memory.fill(t, 0, <usize>pv << 1); continue; }
      const ic = k / taps, r = k % taps;
      im2colRow(x + <usize>(ic * H * W), signed, zx, t, H, W, OW, r / KW, r % KW, sh, sw, dh, dw, ph, pw, p0, pn);
      for (let q = pn; q < pv; q++) store<i16>(t + (<usize>q << 1), 0);
    }
    const d = col + (<usize>kk * <usize>pt << 2);
    let q = 0;
    for (; q + 8 <= pt; q += 8) {
      const a = v128.load(t0 + (<usize>q << 1)), b = v128.load(t1 + (<usize>q << 1));
      v128.store(d + (<usize>q << 2), v128.shuffle<i16>(a, b, 0, 8, 1, 9, 2, 10, 3, 11));
      v128.store(d + (<usize>q << 2), v128.shuffle<i16>(a, b, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    }
    for (; q < pt; q++) {
      store<i16>(d + (<usize>q << 2), load<i16>(t0 + (<usize>q << 1)));
      store<i16>(d + (<usize>q << 2), load<i16>(t1 + (<usize>q << 1)), 2);
    }
  }
}

/**
 * Xp as i8im2colPairs writes it, for a 1×1 conv with unit strides and no padding, whose im2col
 * rows are the input's channel planes (P pixels each): each k pair's two planes interleaved
 * straight from x, 8 pixels per step (the general path copies row by row of the output, in
 * scalars where a row is shorter than 8: mobilenet's 7×7 and 14×14 layers).
 */
export function i8packPointwise(x: usize, signed: i32, zx: i32, col: usize, cin: i32, P: i32, p0: i32, pn: i32, kpad: i32): void {
  const pt = (pn + 3) & ~3;
  const vz = i16x8.splat(<i16>zx);
  for (let kk = 0; kk < (kpad >> 1); kk++) {
    const k0 = kk * 2, k1 = k0 + 1;
    const d = col + (<usize>kk * <usize>pt << 2);
    if (k0 >= cin) { memory.fill(d, 0, <usize>pt << 2); continue; }
    const r0 = x + <usize>k0 * <usize>P + <usize>p0, r1 = r0 + <usize>P;
    const two = k1 < cin;
    let q = 0;
    for (; q + 8 <= pn; q += 8) {
      const a = i16x8.sub(signed != 0 ? v128.load8x8_s(r0 + <usize>q) : v128.load8x8_u(r0 + <usize>q), vz);
      const b = two ? i16x8.sub(signed != 0 ? v128.load8x8_s(r1 + <usize>q) : v128.load8x8_u(r1 + <usize>q), vz) : i16x8.splat(0);
      v128.store(d + (<usize>q << 2), v128.shuffle<i16>(a, b, 0, 8, 1, 9, 2, 10, 3, 11));
      v128.store(d + (<usize>q << 2), v128.shuffle<i16>(a, b, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    }
    for (; q < pn; q++) {
      const a: i32 = (signed != 0 ? <i32>load<i8>(r0 + <usize>q) : <i32>load<u8>(r0 + <usize>q)) - zx;
      const b: i32 = two ? (signed != 0 ? <i32>load<i8>(r1 + <usize>q) : <i32>load<u8>(r1 + <usize>q)) - zx : 0;
      store<i16>(d + (<usize>q << 2), <i16>a);
      store<i16>(d + (<usize>q << 2), <i16>b, 2);
    }
    for (; q < pt; q++) store<i32>(d + (<usize>q << 2), 0);
  }
}

// ── Conv product, pixel-vectorized ──
//
//   acc(channel c, pixels j..j+3) += dot_i16x8(Xp[kk][j..j+3] (4 pixels × 2 k), splat32(Wp[nb][kk][c]))
//   register tile: 4 channels × 8 pixels (8 accumulators; each Xp load feeds 4 channels, each
//   weight splat 2 pixel quads). The sums come out channel-major, so the epilogue requantizes 8
//   pixels of one channel at once and stores them as one 8-byte lane. The kernel before it
//   (8 channels × 4 pixels, weights as the vector, pixels splatted) needed a 4×4 transpose and
//   four 4-byte stores per 16 outputs, as long as its dots when K is small (mobilenet's pointwise
//   layers): 96×16 1×1 at 56×56 took 0.35 ms against this one's 0.25.

/** ROUNDING_BITS − zy[n] in every lane (requant4's zBits; past the N channels, unused). */
@inline function zBitsOf(zy: usize, n: i32, N: i32): v128 {
  return i32x4.splat(ROUNDING_BITS - (n < N ? load<i32>(zy + (<usize>n << 2)) : 0));
}

/** bias[n] in every lane (0 without a bias or past the N channels). */
@inline function biasOf(bias: usize, n: i32, N: i32): v128 {
  return bias != 0 && n < N ? v128.load32_splat(bias + (<usize>n << 2)) : i32x4.splat(0);
}

/**
 * Y[n][j] (row stride rowY) = Σ_k Wp · Xp for n < N, j < P, Wp and Xp as drawn above
 * (Xp rows of ceil(P / 4)·4 pixels: 8-pixel tiles while they fit, then one 4-pixel tile); epilogue
 * per channel as i8gemm's (clamp 0: the products stay within ±2^22, requant4Unclamped).
 */
export function i8gemmPixels(w: usize, x: usize, N: i32, P: i32, kpad: i32, y: usize, rowY: i32, mode: i32, bias: usize,
  mult: usize, zy: usize, lo: i32, hi: i32, clamp: i32): void {
  const pairs = <usize>(kpad >> 1), pt = (P + 3) & ~3;
  const block = pairs << 4, xRow = <usize>pt << 2;
  for (let n0 = 0; n0 < N; n0 += 4) {
    const wb = w + <usize>(n0 >> 2) * block;
    const n1 = n0 + 1, n2 = n0 + 2, n3 = n0 + 3;
    // the 8-pixel tiles start from the bias (finish8Tile adds none)
    const ba = biasOf(bias, n0, N), bb = biasOf(bias, n1, N), bc = biasOf(bias, n2, N), bd = biasOf(bias, n3, N);
    const za = zBitsOf(zy, n0, N), zb = zBitsOf(zy, n1, N), zc = zBitsOf(zy, n2, N), zd = zBitsOf(zy, n3, N);
    let j = 0;
    for (; j + 8 <= pt; j += 8) {
      let a0 = ba, a1 = ba, b0 = bb, b1 = bb, c0 = bc, c1 = bc, d0 = bd, d1 = bd;
      let xp = x + (<usize>j << 2), wp = wb;
      const wend = wb + block;
      while (wp < wend) {
        const x0 = v128.load(xp), x1 = v128.load(xp, 16);
        const w0 = v128.load32_splat(wp), w1 = v128.load32_splat(wp, 4);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, w0)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x1, w0));
        b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x0, w1)); b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x1, w1));
        const w2 = v128.load32_splat(wp, 8), w3 = v128.load32_splat(wp, 12);
        c0 = i32x4.add(c0, i32x4.dot_i16x8_s(x0, w2)); c1 = i32x4.add(c1, i32x4.dot_i16x8_s(x1, w2));
        d0 = i32x4.add(d0, i32x4.dot_i16x8_s(x0, w3)); d1 = i32x4.add(d1, i32x4.dot_i16x8_s(x1, w3));
        xp += xRow; wp += 16;
      }
      const cnt = P - j < 8 ? P - j : 8;
      finish8Tile(a0, a1, n0, j, cnt, y, rowY, mode, 0, mult, zy, lo, hi, clamp, za);
      if (n1 < N) finish8Tile(b0, b1, n1, j, cnt, y, rowY, mode, 0, mult, zy, lo, hi, clamp, zb);
      if (n2 < N) finish8Tile(c0, c1, n2, j, cnt, y, rowY, mode, 0, mult, zy, lo, hi, clamp, zc);
      if (n3 < N) finish8Tile(d0, d1, n3, j, cnt, y, rowY, mode, 0, mult, zy, lo, hi, clamp, zd);
    }
    if (j < P) {
      let a0 = i32x4.splat(0), b0 = a0, c0 = a0, d0 = a0;
      let xp = x + (<usize>j << 2), wp = wb;
      const wend = wb + block;
      while (wp < wend) {
        const x0 = v128.load(xp);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, v128.load32_splat(wp))); b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x0, v128.load32_splat(wp, 4)));
        c0 = i32x4.add(c0, i32x4.dot_i16x8_s(x0, v128.load32_splat(wp, 8))); d0 = i32x4.add(d0, i32x4.dot_i16x8_s(x0, v128.load32_splat(wp, 12)));
        xp += xRow; wp += 16;
      }
      const cnt = P - j;
      finish(a0, n0, j, cnt, y, rowY, mode, bias, mult, zy, 0, lo, hi);
      if (n1 < N) finish(b0, n1, j, cnt, y, rowY, mode, bias, mult, zy, 0, lo, hi);
      if (n2 < N) finish(c0, n2, j, cnt, y, rowY, mode, bias, mult, zy, 0, lo, hi);
      if (n3 < N) finish(d0, n3, j, cnt, y, rowY, mode, bias, mult, zy, 0, lo, hi);
    }
  }
}
