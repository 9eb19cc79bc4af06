// wasmsimd elementwise kernels over n contiguous floats, 4 per v128 then a scalar tail:
// addF32 (y = a + b, same shapes, then the clamp [lo, hi]: residual Add, Add+Relu) and
// clampF32 (y = clamp(x, lo, hi): Relu as [0, +inf]).

import { clamp1, clamp4 } from './common';

export function addF32(a: usize, b: usize, y: usize, n: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(y + i, clamp4(f32x4.add(v128.load(a + i), v128.load(b + i)), vlo, vhi));
  for (; i < end; i += 4) store<f32>(y + i, clamp1(load<f32>(a + i) + load<f32>(b + i), lo, hi));
}

export function clampF32(x: usize, y: usize, n: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(y + i, clamp4(v128.load(x + i), vlo, vhi));
  for (; i < end; i += 4) store<f32>(y + i, clamp1(load<f32>(x + i), lo, hi));
}
