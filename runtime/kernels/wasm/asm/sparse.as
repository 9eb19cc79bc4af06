// Sparse wasmsimd kernels.

import { clamp1, clamp4, bias } from './common';

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
