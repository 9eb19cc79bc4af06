// What the int8 kernels (int8.as, int8grouped.as, int8nm.as) share: the output element size, the
// epilogues that add the bias and requantize 4 (finish) or 8 (finish8) int32 sums as onnxruntime
// does, and one im2col row of the pair-interleaved conv layout.

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
 * One channel's 8 pixels (cnt < 8 at the tail: finish per quad). For int8/uint8 the clamp is the
 * narrowing's saturation: round(acc · multiplier) truncated (NaN → 0), narrowed to int16
 * (saturating), plus the zero point saturating, narrowed to the type (saturating): the value
 * finish gives whenever [lo, hi] is the whole type, as for every QLinearConv (gemmMode); a NaN
 * product stores the zero point, as there.
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
  const m = v128.load32_splat(mult + (<usize>n << 2));
  const t0 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_s(s0), m)));
  const t1 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_s(s1), m)));
  const q16 = i16x8.add_sat_s(i16x8.narrow_i32x4_s(t0, t1), i16x8.splat(<i16>load<i32>(zy + (<usize>n << 2))));
  const q8 = mode == 1 ? i8x16.narrow_i16x8_s(q16, q16) : i8x16.narrow_i16x8_u(q16, q16);
  v128.store64_lane(y + <usize>n * <usize>rowY + <usize>j, q8, 0);
}
