// int8 weight × int8 activation products for few rows of activations (M ≤ 4: a classifier's
// gemv) with a float32 output epilogue (com.microsoft MatMulIntegerToFloat's arithmetic). It
// vectorizes along the reduction K, so one activation row fills every lane, and streams the
// weight as its int8 codes (one byte a weight, sign-extended in registers), read once per row
// block for all M rows:
//
//   Wp[ceil(N/4)][kpad/16][4 rows][16 codes] int8: one sequential stream, rows past N zero
//   X[M][kpad] int16 (x − zx, zeros past K)
//   per block of 4 weight rows j..j+3, per activation row i:
//     acc[q] += dot(W[j+q][k..k+8], X[i][k..k+8]) (16 codes sign-extended in two halves)
//     then the four lanes of each acc summed: Y[i][j..j+3] = epilogue(Σ acc[0..3])
//
// Epilogue per column j: the int32 sum acc − wzp[j] · Σ_k (x − zx) (MatMulInteger), or
// y = float32(acc − wzp[j] · Σ_k (x − zx)) · scale[j] (+ bias[j]), each
// operation one float32 rounding (scale[j] = x_scale · w_scale[j] rounded once by the caller),
// integer parts wrapping as int32, so a scalar reference reproduces it bit for bit.

/** [Σ a, Σ b, Σ c, Σ d] of four int32x4 accumulators. */
@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(v128.shuffle<i32>(a, b, 0, 1, 4, 5), v128.shuffle<i32>(a, b, 2, 3, 6, 7));
  const cd = i32x4.add(v128.shuffle<i32>(c, d, 0, 1, 4, 5), v128.shuffle<i32>(c, d, 2, 3, 6, 7));
  return i32x4.add(v128.shuffle<i32>(ab, cd, 0, 2, 4, 6), v128.shuffle<i32>(ab, cd, 1, 3, 5, 7));
}

/** Σ of an int32x4's lanes. */
@inline function hsum(a: v128): i32 {
  return i32x4.extract_lane(a, 0) + i32x4.extract_lane(a, 1) + i32x4.extract_lane(a, 2) + i32x4.extract_lane(a, 3);
}

/** Y[i][j .. j + cnt) from the four column sums `acc` of activation row i. */
@inline function gemvFinish(acc: v128, sx: i32, j: i32, cnt: i32, yrow: usize, scale: usize, wzp: usize, bias: usize): void {
  let a = acc;
  if (wzp != 0) a = i32x4.sub(a, i32x4.mul(v128.load(wzp + (<usize>j << 2)), i32x4.splat(sx)));
  if (scale == 0) {
    const o = yrow + (<usize>j << 2);
    if (cnt == 4) { v128.store(o, a); return; }
    store<i32>(o, i32x4.extract_lane(a, 0));
    if (cnt > 1) store<i32>(o + 4, i32x4.extract_lane(a, 1));
    if (cnt > 2) store<i32>(o + 8, i32x4.extract_lane(a, 2));
    return;
  }
  let f = f32x4.mul(f32x4.convert_i32x4_s(a), v128.load(scale + (<usize>j << 2)));
  if (bias != 0) f = f32x4.add(f, v128.load(bias + (<usize>j << 2)));
  const o = yrow + (<usize>j << 2);
  if (cnt == 4) { v128.store(o, f); return; }
  store<f32>(o, f32x4.extract_lane(f, 0));
  if (cnt > 1) store<f32>(o + 4, f32x4.extract_lane(f, 1));
  if (cnt > 2) store<f32>(o + 8, f32x4.extract_lane(f, 2));
}

/**
 * Y[i][j] (float32, row stride rowY elements) for i < M, j < N: w is Wp (blocks of 4 rows
 * interleaved by 16 codes, kpad a multiple of 16, zeros past K and N), x is M int16 rows of kpad (x − zx, zeros past K; i8pack); scale
 * holds N float32 (read 4 at a time: padded to a multiple of 4), and so do wzp (int32 weight zero
 * points, or 0 for none) and bias (float32, or 0 for none). With scale = 0, Y is the int32 sums
 * acc − wzp[j]·Σ(x − zx) (MatMulInteger) and bias is not read.
 */
export function i8gemvFloat(w: usize, x: usize, M: i32, N: i32, kpad: i32, y: usize, rowY: i32, scale: usize, wzp: usize, bias: usize): void {
  const xrow = <usize>kpad << 1, block = <usize>kpad << 2;
  for (let i = 0; i < M; i++) {
    const xi = x + <usize>i * xrow, yrow = y + ((<usize>i * <usize>rowY) << 2);
    let sx = 0;
    if (wzp != 0) {
      let s = i32x4.splat(0);
      for (let k: usize = 0; k < xrow; k += 16) s = i32x4.add(s, i32x4.extend_low_i16x8_s(v128.load(xi + k)));
      for (let k: usize = 0; k < xrow; k += 16) s = i32x4.add(s, i32x4.extend_high_i16x8_s(v128.load(xi + k)));
      sx = hsum(s);
    }
    // One sequential stream: block b holds rows 4b..4b+3 interleaved by 16 codes (zero rows past N).
    let wb = w;
    for (let j = 0; j < N; j += 4) {
      let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let xk = xi, wk = wb;
      const end = wb + block;
      while (wk < end) {
        const u0 = v128.load(xk), u1 = v128.load(xk, 16);
        const b0 = v128.load(wk), b1 = v128.load(wk, 16), b2 = v128.load(wk, 32), b3 = v128.load(wk, 48);
        a0 = i32x4.add(a0, i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(b0), u0), i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(b0), u1)));
        a1 = i32x4.add(a1, i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(b1), u0), i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(b1), u1)));
        a2 = i32x4.add(a2, i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(b2), u0), i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(b2), u1)));
        a3 = i32x4.add(a3, i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(b3), u0), i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(b3), u1)));
        xk += 32; wk += 64;
      }
      gemvFinish(hsum4(a0, a1, a2, a3), sx, j, N - j < 4 ? N - j : 4, yrow, scale, wzp, bias);
      wb += block;
    }
  }
}
