// What the int8 kernels (int8.as, int8grouped.as) share: the output element size and the epilogue
// that adds the bias and requantizes 4 int32 sums as onnxruntime does.

/** Y element size by mode: 0 = int32 accumulators (ConvInteger, MatMulInteger), 1 = int8, 2 = uint8 (requantized). */
@inline export function elemBytes(mode: i32): usize { return mode == 0 ? 4 : 1; }

/**
 * Writes Y[i][j .. j + cnt) from the int32 sums `acc` (+ bias[i]): as int32 (mode 0), or
 * requantized as onnxruntime does (MlasRequantizeOutput): float32(acc) · multiplier in float32,
 * rounded half to even, clamped to the type's range less the zero point, plus the zero point. A
 * NaN product (a NaN or infinite multiplier) stores the zero point, as the ref kernel does.
 * multiplier and zero point are per row (mult[i], zy[i]) or, with `perCol`, per column (mult[j], zy[j]).
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
  let f = f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_s(a), m));
  const vlo = f32x4.convert_i32x4_s(i32x4.sub(i32x4.splat(lo), z)), vhi = f32x4.convert_i32x4_s(i32x4.sub(i32x4.splat(hi), z));
  f = f32x4.pmin(f32x4.pmax(f, vlo), vhi); // NaN stays NaN: pmax/pmin return their first operand on NaN
  const q32 = i32x4.add(i32x4.trunc_sat_f32x4_s(f), z); // trunc_sat(NaN) = 0: the zero point
  const q16 = i16x8.narrow_i32x4_s(q32, q32);
  const q8 = mode == 1 ? i8x16.narrow_i16x8_s(q16, q16) : i8x16.narrow_i16x8_u(q16, q16);
  if (cnt == 4) { v128.store32_lane(o, q8, 0); return; }
  for (let q = 0; q < cnt; q++) store<u8>(o + <usize>q, <u8>extract(q32, q));
}

@inline export function extract(v: v128, q: i32): i32 {
  return q == 0 ? i32x4.extract_lane(v, 0) : q == 1 ? i32x4.extract_lane(v, 1) : q == 2 ? i32x4.extract_lane(v, 2) : i32x4.extract_lane(v, 3);
}
