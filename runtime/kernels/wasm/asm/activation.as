// wasmsimd activations over n contiguous floats, 4 per v128 then a scalar tail through the same
// vector code (one lane used): expF32, sigmoidF32, tanhF32 (vectorized approximations, error
// bounds stated in wasm/activation.ts and tested against the ref kernels), hardSigmoidF32
// (clamp(alpha·x + beta, 0, 1)), hardSwishF32 (x · clamp(x/6 + 1/2, 0, 1)) and the two GELUs,
// geluErfF32 and geluTanhF32 (exp4 is in common.as, shared with asm/rownorm.as).

import { clamp4, exp4, madd } from './common';

// sigmoid: e = exp(−|x|) ≤ 1 never overflows; 1/(1 + e) for x ≥ 0, e/(1 + e) below (the ref's two forms).
@inline function sigmoid4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const d = f32x4.add(f32x4.splat(1.0), e);
  const pos = f32x4.div(f32x4.splat(1.0), d), neg = f32x4.div(e, d);
  return v128.bitselect(pos, neg, f32x4.ge(x, f32x4.splat(0.0)));
}

// tanh: Cephes' tanhf odd polynomial for |x| < 0.625 (where 1 − e would cancel), else
// sign(x)·(1 − e)/(1 + e) with e = exp(−2|x|).
@inline function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = madd(p, z, f32x4.splat(2.06390887954e-2));
  p = madd(p, z, f32x4.splat(-5.37397155531e-2));
  p = madd(p, z, f32x4.splat(1.33314422036e-1));
  p = madd(p, z, f32x4.splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), x, x);
  const e = exp4(f32x4.mul(ax, f32x4.splat(-2.0)));
  const big = f32x4.div(f32x4.sub(f32x4.splat(1.0), e), f32x4.add(f32x4.splat(1.0), e));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

@inline function hardSigmoid4(x: v128, alpha: v128, beta: v128): v128 {
  return clamp4(madd(x, alpha, beta), f32x4.splat(0.0), f32x4.splat(1.0));
}

// GELU, erf form: x·(1 + erf(x/√2))/2, with 1 + erf(z) written as erfc(−z) so that the negative
// side (where 1 + erf cancels) keeps its relative accuracy: erfc(|z|) = t·P(t)·e^(−z²),
// t = 1/(1 + p|z|) (Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e−7 on erf), then 2 − erfc(|z|)
// for x ≥ 0. The bound it is tested to is stated in wasm/activation.ts. NaN stays NaN.
@inline function geluErf4(x: v128): v128 {
  const z = f32x4.abs(f32x4.mul(x, f32x4.splat(0.70710678118654752)));
  const t = f32x4.div(f32x4.splat(1.0), madd(z, f32x4.splat(0.3275911), f32x4.splat(1.0)));
  let p = f32x4.splat(1.061405429);
  p = madd(p, t, f32x4.splat(-1.453152027));
  p = madd(p, t, f32x4.splat(1.421413741));
  p = madd(p, t, f32x4.splat(-0.284496736));
  p = madd(p, t, f32x4.splat(0.254829592));
  const c = f32x4.mul(f32x4.mul(p, t), exp4(f32x4.neg(f32x4.mul(z, z))));
  const q = v128.bitselect(f32x4.sub(f32x4.splat(2.0), c), c, f32x4.ge(x, f32x4.splat(0.0)));
  return f32x4.mul(f32x4.mul(x, f32x4.splat(0.5)), q);
}

// GELU, tanh form: x·(1 + tanh(u))/2 = x / (1 + e^(−2u)), u = √(2/π)·(x + 0.044715·x³); e^(−2u)
// overflows to +inf for very negative x, giving −0 as the ref's 0.5·x·(1 + tanh) does.
@inline function geluTanh4(x: v128): v128 {
  const x2 = f32x4.mul(x, x);
  const u2 = f32x4.mul(madd(f32x4.mul(x2, f32x4.splat(0.044715)), x, x), f32x4.splat(-1.5957691216057308));
  return f32x4.div(x, f32x4.add(f32x4.splat(1.0), exp4(u2)));
}

// The kinds below share one loop shape; `kind` is a constant after inlining.
@inline function activate(kind: i32, x: usize, y: usize, n: i32, alpha: f32, beta: f32): void {
  const va = f32x4.splat(alpha), vb = f32x4.splat(beta);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(y + i, apply(kind, v128.load(x + i), va, vb));
  for (; i < end; i += 4) store<f32>(y + i, f32x4.extract_lane(apply(kind, f32x4.splat(load<f32>(x + i)), va, vb), 0));
}

@inline function apply(kind: i32, v: v128, alpha: v128, beta: v128): v128 {
  if (kind == 0) return exp4(v);
  if (kind == 1) return sigmoid4(v);
  if (kind == 2) return tanh4(v);
  if (kind == 3) return hardSigmoid4(v, alpha, beta);
  if (kind == 5) return geluErf4(v);
  if (kind == 6) return geluTanh4(v);
  return f32x4.mul(v, hardSigmoid4(v, alpha, beta));
}

export function expF32(x: usize, y: usize, n: i32): void { activate(0, x, y, n, 0, 0); }
export function sigmoidF32(x: usize, y: usize, n: i32): void { activate(1, x, y, n, 0, 0); }
export function tanhF32(x: usize, y: usize, n: i32): void { activate(2, x, y, n, 0, 0); }
export function hardSigmoidF32(x: usize, y: usize, n: i32, alpha: f32, beta: f32): void { activate(3, x, y, n, alpha, beta); }
export function hardSwishF32(x: usize, y: usize, n: i32): void { activate(4, x, y, n, <f32>(1.0 / 6.0), 0.5); }
export function geluErfF32(x: usize, y: usize, n: i32): void { activate(5, x, y, n, 0, 0); }
export function geluTanhF32(x: usize, y: usize, n: i32): void { activate(6, x, y, n, 0, 0); }
