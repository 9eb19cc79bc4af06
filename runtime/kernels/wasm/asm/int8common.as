// What the int8 kernels (int8.as, int8grouped.as) share: the output element size and the epilogue
// that adds the bias and requantizes 4 int32 sums as onnxruntime does.

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
