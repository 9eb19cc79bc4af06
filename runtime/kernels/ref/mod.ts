// Reference Mod, numpy broadcasting. fmod = 0 (integers only): the remainder takes the divisor's
// sign, as Python's %; fmod = 1: C fmod, the dividend's sign (JS % on numbers and bigints).
// An integer divisor of 0 yields 0 rather than trapping.

import { binaryKernel, WIDE_TYPES } from '../common/binary.js';

function floorMod(a: number, b: number): number {
  if (b === 0) return 0;
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
}

function floorMod64(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const r = a % b;
  return r !== 0n && (r < 0n) !== (b < 0n) ? r + b : r;
}

export const modRef = binaryKernel('Mod', WIDE_TYPES, (c) => {
  const fmod = c.int('fmod', 0);
  if (fmod !== 0 && fmod !== 1) c.fail(`attribute fmod must be 0 or 1, got ${fmod}`);
  if (fmod === 1) {
    return { float: (a, b) => a % b, int: (a, b) => (b === 0 ? 0 : a % b), int64: (a, b) => (b === 0n ? 0n : a % b) };
  }
  const x = c.input(0);
  if (x.dtype === 'float32' || x.dtype === 'float64' || x.dtype === 'float16') c.fail(`fmod must be 1 for ${x.dtype} inputs`);
  return { float: floorMod, int: floorMod, int64: floorMod64 };
});
