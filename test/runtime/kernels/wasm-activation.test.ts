// The wasmsimd activations' vectorized approximations against their ref kernels (float64 Math
// rounded to float32) to the ulp bounds wasm/activation.ts states, on a dense sweep of each
// function's whole float32 range plus its special values (±0, ±inf, NaN, the overflow and
// denormal thresholds), at lengths that exercise the vector body and the scalar tail.

import { strict as assert } from 'node:assert';
import type { Attrs, Kernel } from '../../../runtime/kernels/kernel.js';
import { ALL_KERNELS } from '../../../runtime/kernels/index.js';
import { createWasmSpace, wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import { plain, wasmView } from './wasm-harness.js';

const bits = new Float32Array(1), ints = new Int32Array(bits.buffer);
/** Position of a float32 on the number line in ulps (monotonic across ±0). */
function ordinal(v: number): number {
  bits[0] = v;
  const i = ints[0]!;
  return i < 0 ? -(i & 0x7fffffff) : i;
}

/** ulp distance, 0 when both are NaN or the same infinity, Infinity when only one is NaN. */
function ulps(got: number, want: number): number {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got) ? 0 : Infinity;
  if (!Number.isFinite(want) || !Number.isFinite(got)) return got === want ? 0 : Infinity;
  return Math.abs(ordinal(got) - ordinal(want));
}

interface Spec {
  readonly op: string; readonly lo: number; readonly hi: number; readonly ulp: number; readonly attrs?: Attrs; readonly special: readonly number[];
  /** An absolute error also accepted at x (HardSigmoid/HardSwish: alpha·x + beta cancels near x = −3). */
  readonly abs?: (x: number) => number;
}

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-30, -1e-30, 1e-7, -1e-7, 1, -1];
const SPECS: readonly Spec[] = [
  // exp: overflow past ln(FLT_MAX) = 88.7228, denormal results below −87.34, 0 below −103.97.
  { op: 'Exp', lo: -110, hi: 95, ulp: 3, special: [...SPECIAL, 88.72, 88.7228, 88.73, 89, 100, -87.3, -87.4, -100, -103.9, -104, -150] },
  { op: 'Sigmoid', lo: -110, hi: 40, ulp: 3, special: [...SPECIAL, -88.8, -90, -103.9, -104, -120, 20, 50] },
  { op: 'Tanh', lo: -12, hi: 12, ulp: 3, special: [...SPECIAL, 0.6249, 0.625, -0.625, 0.62501, 9, 10, 20, -20] },
  // Gelu: the erf form's negative side is erfc(|x|/√2)·x/2 (no cancellation), 0 in float32 below ≈ −14.
  { op: 'Gelu', lo: -20, hi: 20, ulp: 4, abs: (x) => 2 ** -22 * Math.max(1, Math.abs(x)), special: [...SPECIAL, -5, -10, -14, -15, 5, 10, 30, -30] },
  { op: 'Gelu', lo: -20, hi: 20, ulp: 4, abs: (x) => 2 ** -23 * Math.max(1, Math.abs(x)), attrs: { approximate: 'tanh' }, special: [...SPECIAL, -5, -6.5, -10, 5, 10, 30, -30] },
  { op: 'HardSigmoid', lo: -8, hi: 8, ulp: 2, abs: () => 2 ** -23, attrs: { alpha: 0.16666667163372040, beta: 0.5 }, special: [...SPECIAL, 3, -3, 2.99999] },
  { op: 'HardSwish', lo: -8, hi: 8, ulp: 2, abs: (x) => 2 ** -23 * Math.max(1, Math.abs(x)), special: [...SPECIAL, 3, -3, 2.99999, -2.99999] },
];

const simd = wasmSimdAvailable();

describe('wasmsimd activations vs ref, in ulps', function () {
  this.timeout(60_000);
  for (const s of SPECS) {
    const wasm = ALL_KERNELS.find((k) => k.op === s.op && k.target === 'wasmsimd')!;
    const ref = ALL_KERNELS.find((k) => k.op === s.op && k.target === 'ref')!;
    it(`${wasm?.id}${s.attrs?.['approximate'] ? ` (${String(s.attrs['approximate'])})` : ''} is within ${s.ulp} ulp of ${ref?.id} over [${s.lo}, ${s.hi}] and special values`, async function () {
      if (!simd) this.skip();
      assert.ok(wasm && ref);
      // A 2^-13 grid over the range (exact float32 steps), the special values, and a length ≡ 3 mod 4 (scalar tail).
      const grid: number[] = [];
      for (let v = s.lo; v <= s.hi; v += 1 / 8192) grid.push(v);
      const xs = Float32Array.from([...s.special, ...grid, 0.5, 0.25, 0.125].slice(0, 4 * Math.floor((s.special.length + grid.length) / 4) + 3));
      const got = await runWasm(wasm, xs, s.attrs ?? {});
      const want = new Float32Array(xs.length);
      ref.prepare({ node: 'ref', inputs: [plain([xs.length], xs)], outputs: [plain([xs.length], want)], attrs: s.attrs ?? {} })();
      let worst = 0, at = -1;
      for (let i = 0; i < xs.length; i++) {
        const u = s.abs && Math.abs(got[i]! - want[i]!) <= s.abs(xs[i]!) ? 0 : ulps(got[i]!, want[i]!);
        if (u > worst) { worst = u; at = i; }
      }
      assert.ok(worst <= s.ulp, `${wasm.id}: ${worst} ulp at x = ${xs[at]} (got ${got[at]}, ref ${want[at]})`);
    });
  }

  it('f32-clip-1x4-wasmsimd clamps to its input bounds or attributes, read on every run; NaN stays NaN', async function () {
    if (!simd) this.skip();
    const clip = ALL_KERNELS.find((k) => k.id === 'f32-clip-1x4-wasmsimd')!;
    const xs = Float32Array.from([-3, -0.5, 0, 0.25, 2, NaN, Infinity]);
    const space = (await createWasmSpace(1024, 64, clip.wasmModules!))!;
    const x = wasmView(space, [7], xs), y = wasmView(space, [7], new Float32Array(7));
    const lo = wasmView(space, [], Float32Array.of(-1)), hi = wasmView(space, [], Float32Array.of(1));
    const run = clip.prepare({ node: 'c', inputs: [x, lo, hi], outputs: [y], attrs: {}, wasm: space });
    run();
    assert.deepEqual(Array.from(y.data as Float32Array), [-1, -0.5, 0, 0.25, 1, NaN, 1]);
    (hi.data as Float32Array)[0] = 0.1;
    run();
    assert.deepEqual(Array.from(y.data as Float32Array), [-1, -0.5, 0, Math.fround(0.1), Math.fround(0.1), NaN, Math.fround(0.1)]);
    clip.prepare({ node: 'c', inputs: [x], outputs: [y], attrs: { min: 0 }, wasm: space })();
    assert.deepEqual(Array.from(y.data as Float32Array), [0, 0, 0, 0.25, 2, NaN, Infinity]);
  });
});

async function runWasm(k: Kernel, xs: Float32Array, attrs: Attrs): Promise<Float32Array> {
  const space = (await createWasmSpace(xs.length * 8 + 64, 64, k.wasmModules!))!;
  const x = wasmView(space, [xs.length], xs), y = wasmView(space, [xs.length], new Float32Array(xs.length).fill(NaN));
  k.prepare({ node: 'w', inputs: [x], outputs: [y], attrs, wasm: space })();
  return Float32Array.from(y.data as Float32Array);
}
