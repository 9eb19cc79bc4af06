// Row-wise normalisations over contiguous rows of `len` floats, 4 per v128 with scalar tails:
// softmaxRowsF32 (max, e^(x − max) written and summed, one multiply by 1/sum) and
// layerNormRowsF32 (mean, centred variance, (x − mean)·rstd·scale + bias). Error bounds are
// stated in wasm/rownorm.ts and tested against the ref kernels.

import { exp4, madd } from './common';

@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Softmax of each of `rows` rows of x (len floats each) into y; x and y may be the same. */
export function softmaxRowsF32(x: usize, y: usize, rows: i32, len: i32): void {
  const bytes = <usize>len << 2, body = bytes & ~(<usize>15);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * bytes, yr = y + <usize>r * bytes;
    let vmax = f32x4.splat(-Infinity);
    let i: usize = 0;
    for (; i < body; i += 16) vmax = f32x4.pmax(vmax, v128.load(xr + i));
    let max = Mathf.max(Mathf.max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)), Mathf.max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
    for (; i < bytes; i += 4) max = Mathf.max(max, load<f32>(xr + i));
    // A row of −inf (fully masked) has max −inf: x − max is NaN, as in the ref.
    const vm = f32x4.splat(max);
    let vsum = f32x4.splat(0.0);
    for (i = 0; i < body; i += 16) {
      const e = exp4(f32x4.sub(v128.load(xr + i), vm));
      v128.store(yr + i, e);
      vsum = f32x4.add(vsum, e);
    }
    let sum = hsum(vsum);
    for (; i < bytes; i += 4) {
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(xr + i) - max)), 0);
      store<f32>(yr + i, e);
      sum += e;
    }
    const inv = <f32>1.0 / sum, vinv = f32x4.splat(inv);
    for (i = 0; i < body; i += 16) v128.store(yr + i, f32x4.mul(v128.load(yr + i), vinv));
    for (; i < bytes; i += 4) store<f32>(yr + i, load<f32>(yr + i) * inv);
  }
}

/**
 * LayerNormalization of each of `rows` rows (len floats) of x into y: scale (len floats) and
 * bias (len floats, or 0 for none). Sums in float32 over 4 lanes (the js kernel sums in float64).
 */
export function layerNormRowsF32(x: usize, y: usize, rows: i32, len: i32, scale: usize, bias: usize, eps: f32): void {
  const bytes = <usize>len << 2, body = bytes & ~(<usize>15);
  const n = <f32>len;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * bytes, yr = y + <usize>r * bytes;
    let vs = f32x4.splat(0.0);
    let i: usize = 0;
    for (; i < body; i += 16) vs = f32x4.add(vs, v128.load(xr + i));
    let s = hsum(vs);
    for (; i < bytes; i += 4) s += load<f32>(xr + i);
    const mean = s / n, vmean = f32x4.splat(mean);
    let vq = f32x4.splat(0.0);
    for (i = 0; i < body; i += 16) {
      const d = f32x4.sub(v128.load(xr + i), vmean);
      vq = madd(d, d, vq);
    }
    let q = hsum(vq);
    for (; i < bytes; i += 4) { const d = load<f32>(xr + i) - mean; q += d * d; }
    const rstd = <f32>1.0 / Mathf.sqrt(q / n + eps), vr = f32x4.splat(rstd);
    for (i = 0; i < body; i += 16) {
      const g = f32x4.mul(f32x4.mul(f32x4.sub(v128.load(xr + i), vmean), vr), v128.load(scale + i));
      v128.store(yr + i, bias != 0 ? f32x4.add(g, v128.load(bias + i)) : g);
    }
    for (; i < bytes; i += 4) {
      const g = (load<f32>(xr + i) - mean) * rstd * load<f32>(scale + i);
      store<f32>(yr + i, bias != 0 ? g + load<f32>(bias + i) : g);
    }
  }
}
