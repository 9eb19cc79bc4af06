// What the int8 kernels (int8.as, int8grouped.as, int8nm.as) share: the output element size, the
// epilogues that add the bias and requantize 4 (finish) or 8 (finish8) int32 sums as onnxruntime
// does, and one im2col row of the pair-interleaved conv layout.

/** Y element size by mode: 0 = int32 accumulators (ConvInteger, MatMulInteger), 1 = int8, 2 = uint8 (requantized). */
@inline export function elemBytes(mode: i32): usize { return mode == 0 ? 4 : 1; }

/**
 * Writes Y[i][j .. j + cnt) from the int32 sums `acc` (+ bias[i]): as int32 (mode 0), or
 * requantized as onnxruntime does (MlasRequantizeOutput): float32(acc) · multiplier in float32,
 * rounded half to even, clamped to the type's range less the zero point, plus the zero point
 * (requant4). multiplier and zero point are per row (mult[i], zy[i]) or, with `perCol`, per
 * column (mult[j], zy[j]); the multipliers are never NaN (int8-gemm.ts fillRequant).
 */
@inline export function finish(acc: v128, i: i32, j: i32, cnt: i32, y: usize, rowY: i32, mode: i32, bias: usize,
  mult: usize, zy: usize, perCol: i32, lo: i32, hi: i32): void {
  let a = acc;
  if (bias != 0) a = i32x4.add(a, i32x4.splat(load<i32>(bias + (<usize>i << 2))));
  const o = y + (<usize>i * <usize>rowY + <usize>j) * elemBytes(mode);
  if (mode == 0) {
    if (cnt == 4) { v128.store(o, a); return; }
    for (let q = 0; q < cnt; q++) store<i32>(o + (<usize>q << 2), extract(a, q));
    return;
  }
  const m = perCol != 0 ? v128.load(mult + (<usize>j << 2)) : f32x4.splat(load<f32>(mult + (<usize>i << 2)));
  const z = perCol != 0 ? v128.load(zy + (<usize>j << 2)) : i32x4.splat(load<i32>(zy + (<usize>i << 2)));
  const vlo = f32x4.convert_i32x4_s(i32x4.sub(i32x4.splat(lo), z)), vhi = f32x4.convert_i32x4_s(i32x4.sub(i32x4.splat(hi), z));
  const q32 = requant4(a, m, vlo, vhi, i32x4.sub(i32x4.splat(ROUNDING_BITS), z));
  const q16 = i16x8.narrow_i32x4_s(q32, q32);
  const q8 = mode == 1 ? i8x16.narrow_i16x8_s(q16, q16) : i8x16.narrow_i16x8_u(q16, q16);
  if (cnt == 4) { v128.store32_lane(o, q8, 0); return; }
  for (let q = 0; q < cnt; q++) store<u8>(o + <usize>q, <u8>extract(q32, q));
}

/** The bits of 1.5·2^23 as a float32 (requant4). */
export const ROUNDING_BITS: i32 = 0x4B400000;

/**
 * 4 int32 sums requantized: clamp(float32(acc) · m) to [flo, fhi] = [lo − z, hi − z], rounded half
 * to even by adding 1.5·2^23 (for |v| ≤ 2^22 the float32 sum is exactly 1.5·2^23 plus the rounded
 * integer), whose bits less zBits = ROUNDING_BITS − z are the integer plus z. Clamping before
 * rounding gives what rounding before clamping gives (the bounds are integers), with neither
 * f32x4.nearest nor trunc_sat (several instructions each on x64). m must not be NaN (a NaN
 * product would not clamp): fillRequant makes NaN and infinite multipliers finite, same outputs.
 */
@inline export function requant4(acc: v128, m: v128, flo: v128, fhi: v128, zBits: v128): v128 {
  const v = f32x4.pmin(f32x4.pmax(f32x4.mul(f32x4.convert_i32x4_s(acc), m), flo), fhi);
  return i32x4.sub(f32x4.add(v, f32x4.splat(12582912.0)), zBits);
}

/**
 * requant4 without its clamp, for a layer whose products stay within ±2^22 (int8-gemm.ts
 * requantClamp): the caller's narrowing to the type saturates instead, the same values when
 * [lo, hi] is the whole type (every QLinearConv and QLinearMatMul, gemmMode).
 */
@inline export function requant4Unclamped(acc: v128, m: v128, zBits: v128): v128 {
  return i32x4.sub(f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(acc), m), f32x4.splat(12582912.0)), zBits);
}

@inline export function extract(v: v128, q: i32): i32 {
  return q == 0 ? i32x4.extract_lane(v, 0) : q == 1 ? i32x4.extract_lane(v, 1) : q == 2 ? i32x4.extract_lane(v, 2) : i32x4.extract_lane(v, 3);
}

/**
 * One im2col row: row[p − p0] = x(ic, ih, iw) − zx as int16 for output pixels p in [p0, p0 + pn)
 * of tap (ic, kh, kw) (0 in the padding); column stride 1 or 2 runs 8 pixels per vector.
 */
@inline export function im2colRow(x: usize, signed: i32, zx: i32, row: usize, H: i32, W: i32, OW: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32, p0: i32, pn: i32): void {
  const vz = i16x8.splat(<i16>zx);
  let p = p0, d = row;
  const pend = p0 + pn;
  while (p < pend) {
    const oh = p / OW, ow0 = p % OW;
    const ow1 = ow0 + (pend - p) < OW ? ow0 + (pend - p) : OW;
    const ih = oh * sh - ph + kh * dh;
    const off = kw * dw - pw; // iw = ow·sw + off
    if (ih < 0 || ih >= H) {
      for (let ow = ow0; ow < ow1; ow++) { store<i16>(d, 0); d += 2; }
    } else {
      const xr = x + <usize>(ih * W);
      // inside for ow in [lo, hi): 0 ≤ ow·sw + off < W
      let lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
      let hi = W - off <= 0 ? 0 : (W - off + sw - 1) / sw;
      if (lo < ow0) lo = ow0;
      if (hi > ow1) hi = ow1;
      if (hi < lo) hi = lo;
      let ow = ow0;
      for (; ow < lo; ow++) { store<i16>(d, 0); d += 2; }
      if (sw == 1) {
        let s = xr + <usize>(ow + off);
        for (; ow + 8 <= hi; ow += 8) {
          const v = signed != 0 ? v128.load8x8_s(s) : v128.load8x8_u(s);
          v128.store(d, i16x8.sub(v, vz));
          s += 8; d += 16;
        }
      } else if (sw == 2) {
        // 16 bytes in, the even ones out; only while all 16 lie inside the row
        let s = xr + <usize>(ow * 2 + off);
        for (; ow + 8 <= hi && ow * 2 + off + 16 <= W; ow += 8) {
          const e = v128.shuffle<u8>(v128.load(s), v128.load(s), 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
          v128.store(d, i16x8.sub(signed != 0 ? i16x8.extend_low_i8x16_s(e) : i16x8.extend_low_i8x16_u(e), vz));
          s += 16; d += 16;
        }
      }
      for (; ow < hi; ow++) {
        const iw = ow * sw + off;
        store<i16>(d, <i16>((signed != 0 ? <i32>load<i8>(xr + <usize>iw) : <i32>load<u8>(xr + <usize>iw)) - zx));
        d += 2;
      }
      for (; ow < ow1; ow++) { store<i16>(d, 0); d += 2; }
    }
    p += ow1 - ow0;
  }
}

/**
 * One channel's 8 pixels (cnt < 8 at the tail: finish per quad): the sums plus bias[n], then
 * finish8Tile's requantization (clamped).
 */
@inline export function finish8(a: v128, b: v128, n: i32, j: i32, cnt: i32, y: usize, rowY: i32, mode: i32, bias: usize,
  mult: usize, zy: usize, lo: i32, hi: i32): void {
  if (mode == 0 || cnt < 8) {
    finish(a, n, j, cnt < 4 ? cnt : 4, y, rowY, mode, bias, mult, zy, 0, lo, hi);
    if (cnt > 4) finish(b, n, j + 4, cnt - 4, y, rowY, mode, bias, mult, zy, 0, lo, hi);
    return;
  }
  let s0 = a, s1 = b;
  if (bias != 0) { const bv = v128.load32_splat(bias + (<usize>n << 2)); s0 = i32x4.add(s0, bv); s1 = i32x4.add(s1, bv); }
  finish8Tile(s0, s1, n, j, 8, y, rowY, mode, 0, mult, zy, lo, hi, 1, i32x4.splat(ROUNDING_BITS - load<i32>(zy + (<usize>n << 2))));
}

/**
 * One channel's 8 pixels from sums that already hold the bias (a tail, cnt < 8, or mode 0 goes
 * to finish with `bias`, 0 when the sums hold it). For int8/uint8 the clamp is the narrowing's
 * saturation: round(acc · multiplier) + zero point by requant4 (kept within ±2^22, its rounding's
 * range; with clamp 0 the caller knows the products stay there: requant4Unclamped), narrowed to
 * int16 then to the type (saturating): the value finish gives whenever [lo, hi] is the whole type,
 * as for every QLinearConv (gemmMode). zBits is ROUNDING_BITS − zy[n] in every lane.
 */
@inline export function finish8Tile(s0: v128, s1: v128, n: i32, j: i32, cnt: i32, y: usize, rowY: i32, mode: i32, bias: usize,
  mult: usize, zy: usize, lo: i32, hi: i32, clamp: i32, zBits: v128): void {
  if (mode == 0 || cnt < 8) {
    finish(s0, n, j, cnt < 4 ? cnt : 4, y, rowY, mode, bias, mult, zy, 0, lo, hi);
    if (cnt > 4) finish(s1, n, j + 4, cnt - 4, y, rowY, mode, bias, mult, zy, 0, lo, hi);
    return;
  }
  const m = v128.load32_splat(mult + (<usize>n << 2));
  let q16: v128;
  if (clamp != 0) {
    const flo = f32x4.splat(-4194304.0), fhi = f32x4.splat(4194304.0);
    q16 = i16x8.narrow_i32x4_s(requant4(s0, m, flo, fhi, zBits), requant4(s1, m, flo, fhi, zBits));
  } else {
    q16 = i16x8.narrow_i32x4_s(requant4Unclamped(s0, m, zBits), requant4Unclamped(s1, m, zBits));
  }
  const q8 = mode == 1 ? i8x16.narrow_i16x8_s(q16, q16) : i8x16.narrow_i16x8_u(q16, q16);
  v128.store64_lane(y + <usize>n * <usize>rowY + <usize>j, q8, 0);
}
