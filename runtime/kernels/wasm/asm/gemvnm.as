// gemvNm4: the N:M Gemm with one output row (a classifier head at batch 1), for N:M with m
// dividing 4, vectorized over four output rows instead of over pixels. A gemv reads each weight
// once: this one reads 4.5 bytes per kept weight (the value and a quarter of a two-byte code)
// where gemv1 reads 4 per dense weight, 0.56× at 2:4.
//
//   staged at bind (wasm/gemv-nm.ts), per block of 4 rows (N rounded up, padded rows all zero),
//   per quad q of x (columns 4q..4q+3, which hold whole groups as m | 4), T = 4n/m steps:
//     code  u16:  the byte offset of its table entry (row i's column within the quad in bits
//                 2i+4..2i+5: stored pre-shifted, one shift fewer per step)
//     vals  v128: the four rows' weights of this step
//   table[code] = the 16-byte swizzle picking float lane (code >> 2i) & 3 into lane i (256 × 16
//   bytes in scratch, built at bind: the module carries no data segment)
//
//   acc(block) += vals · swizzle(x[q], table[code]);   Y[block] = clamp(B + acc), no lane sums
//
// Two quads per iteration into four accumulators (step parity × quad): one accumulator chained
// the madd latency. At 2:4 (T = 2) the four codes of an iteration come in one u64 load. In cache
// the loop is bound by its vector loads (value, table entry, x: 2.5 per step of 4 kept weights,
// against gemv1's 2 per 4 dense ones, weight and x), so it only matches gemv1 there; the halved weight
// stream pays where the weight comes from memory. Measured (ad-hoc CPU-time medians, load 4-6):
// neither the swizzle nor the code loads moved the 1280→1000 time when replaced by constants.

import { bias, clamp4, clamp1, madd, swizzle16 } from './common';

@inline function quad(codes: usize, vals: usize, table: usize, xv: v128, T: i32, a0: v128, a1: v128): v128 {
  let t = 0;
  for (; t + 2 <= T; t += 2) {
    const s0 = v128.load(table + <usize>load<u16>(codes + (<usize>t << 1)));
    const s1 = v128.load(table + <usize>load<u16>(codes + (<usize>t << 1), 2));
    a0 = madd(v128.load(vals + (<usize>t << 4)), swizzle16(xv, s0), a0);
    a1 = madd(v128.load(vals + (<usize>t << 4), 16), swizzle16(xv, s1), a1);
  }
  if (t < T) a0 = madd(v128.load(vals + (<usize>t << 4)), swizzle16(xv, v128.load(table + <usize>load<u16>(codes + (<usize>t << 1)))), a0);
  return f32x4.add(a0, a1);
}

export function gemvNm4(codes: usize, vals: usize, table: usize, x: usize, y: usize, b: usize, N: i32, Q: i32, T: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const stepQ = <usize>T;
  for (let n = 0; n < N; n += 4) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let q = 0;
    if (T == 2) {
      // 2:4 (and 1:2): two quads, four steps per iteration, no inner loop
      for (; q + 2 <= Q; q += 2) {
        const x0 = v128.load(x + (<usize>q << 4)), x1 = v128.load(x + (<usize>q << 4), 16);
        const c = load<u64>(codes); // four steps' codes in one load (loads, not ALU, bound this loop)
        a0 = madd(v128.load(vals), swizzle16(x0, v128.load(table + (<usize>c & 0xffff))), a0);
        a1 = madd(v128.load(vals, 16), swizzle16(x0, v128.load(table + (<usize>(c >> 16) & 0xffff))), a1);
        a2 = madd(v128.load(vals, 32), swizzle16(x1, v128.load(table + (<usize>(c >> 32) & 0xffff))), a2);
        a3 = madd(v128.load(vals, 48), swizzle16(x1, v128.load(table + <usize>(c >> 48))), a3);
        codes += 8; vals += 64;
      }
    }
    for (; q + 2 <= Q; q += 2) {
      const x0 = v128.load(x + (<usize>q << 4)), x1 = v128.load(x + (<usize>q << 4), 16);
      let t = 0;
      for (; t + 2 <= T; t += 2) {
        const c0 = codes + (<usize>t << 1), c1 = c0 + (stepQ << 1), v0 = vals + (<usize>t << 4), v1 = v0 + (stepQ << 4);
        a0 = madd(v128.load(v0), swizzle16(x0, v128.load(table + <usize>load<u16>(c0))), a0);
        a1 = madd(v128.load(v0, 16), swizzle16(x0, v128.load(table + <usize>load<u16>(c0, 2))), a1);
        a2 = madd(v128.load(v1), swizzle16(x1, v128.load(table + <usize>load<u16>(c1))), a2);
        a3 = madd(v128.load(v1, 16), swizzle16(x1, v128.load(table + <usize>load<u16>(c1, 2))), a3);
      }
      if (t < T) {
        const c0 = codes + (<usize>t << 1), c1 = c0 + (stepQ << 1), v0 = vals + (<usize>t << 4), v1 = v0 + (stepQ << 4);
        a0 = madd(v128.load(v0), swizzle16(x0, v128.load(table + <usize>load<u16>(c0))), a0);
        a2 = madd(v128.load(v1), swizzle16(x1, v128.load(table + <usize>load<u16>(c1))), a2);
      }
      codes += stepQ << 2; vals += stepQ << 5;
    }
    if (q < Q) {
      a0 = f32x4.add(a0, quad(codes, vals, table, v128.load(x + (<usize>q << 4)), T, f32x4.splat(0), f32x4.splat(0)));
      codes += stepQ << 1; vals += stepQ << 4;
    }
    let acc = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
    const o = y + (<usize>n << 2);
    if (n + 4 <= N) {
      if (b != 0) acc = f32x4.add(acc, v128.load(b + (<usize>n << 2)));
      v128.store(o, clamp4(acc, vlo, vhi));
    } else {
      store<f32>(o, clamp1(f32x4.extract_lane(acc, 0) + bias(b, n), lo, hi));
      if (n + 1 < N) store<f32>(o, clamp1(f32x4.extract_lane(acc, 1) + bias(b, n + 1), lo, hi), 4);
      if (n + 2 < N) store<f32>(o, clamp1(f32x4.extract_lane(acc, 2) + bias(b, n + 2), lo, hi), 8);
    }
  }
}
