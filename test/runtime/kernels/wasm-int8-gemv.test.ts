// The int8 gemv with a float32 epilogue (wasm/int8-gemv.ts, asm/int8gemv.as) against a scalar
// reference written here, bit for bit (int32 sums exact; the epilogue's float32 roundings in the
// same order), on odd shapes: K not a multiple of 8 or 16, N not a multiple of the 4-row block,
// M 1–4, int8/uint8 activations, zero points ≠ 0, with and without bias; and against the float
// oracle DequantizeLinear(x) · DequantizeLinear(w) + bias in float64 within the bound its three
// float32 roundings allow. SIMD128 and relaxed modules must agree (the same integer dot).

import { strict as assert } from 'node:assert';
import { WASM_INT8 } from '../../../runtime/kernels/wasm/modules/int8.wasm.js';
import { createWasmSpace, relaxedSimdAvailable, wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import type { GemvWeight } from '../../../runtime/kernels/wasm/int8-gemv.js';
import { gemvScratchBytes, prepareGemvFloat } from '../../../runtime/kernels/wasm/int8-gemv.js';
import { rng } from './wasm-harness.js';

interface GemvCase {
  readonly m: number; readonly k: number; readonly n: number;
  readonly signed: boolean; readonly zx: number; readonly wzp: boolean; readonly bias: boolean; readonly rowsAreOutputs: boolean;
}

function ints(n: number, lo: number, hi: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: n }, () => Math.min(hi, lo + Math.floor(((r() + 1) / 2) * (hi - lo + 1))));
}

function data(c: GemvCase, seed: number) {
  const [lo, hi] = c.signed ? [-128, 127] : [0, 255];
  const x = ints(c.m * c.k, lo, hi, seed);
  const w = ints(c.k * c.n, -128, 127, seed + 1);
  const r = rng(seed + 2);
  const xScale = Math.fround(0.02 * (1 + 0.5 * r()));
  const wScale = Float32Array.from({ length: c.n }, () => Math.fround(0.004 * (1 + 0.5 * r())));
  const wzp = c.wzp ? ints(c.n, -20, 20, seed + 3) : undefined;
  const bias = c.bias ? Float32Array.from({ length: c.n }, () => Math.fround(r())) : undefined;
  return { x, w, xScale, wScale, wzp, bias };
}

/** w(p, j): the code of input p, output j in either layout. */
const code = (w: Int32Array, c: GemvCase, p: number, j: number): number => (c.rowsAreOutputs ? w[j * c.k + p]! : w[p * c.n + j]!);

/** The scalar reference: y = fround(fround(fround(acc) · fround(xs · ws[j])) + bias[j]), acc = Σ (x − zx)(w − zw) in int32. */
function reference(c: GemvCase, d: ReturnType<typeof data>): { acc: Int32Array; y: Float32Array } {
  const acc = new Int32Array(c.m * c.n), y = new Float32Array(c.m * c.n);
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      const zw = d.wzp ? d.wzp[j]! : 0;
      let s = 0;
      for (let p = 0; p < c.k; p++) s = (s + Math.imul(d.x[i * c.k + p]! - c.zx, code(d.w, c, p, j) - zw)) | 0;
      acc[i * c.n + j] = s;
      const v = Math.fround(Math.fround(s) * Math.fround(d.xScale * d.wScale[j]!));
      y[i * c.n + j] = d.bias ? Math.fround(v + d.bias[j]!) : v;
    }
  }
  return { acc, y };
}

async function runKernel(c: GemvCase, d: ReturnType<typeof data>, relaxed: boolean): Promise<Float32Array> {
  const space = await createWasmSpace(c.m * c.k + c.m * c.n * 4 + 64, gemvScratchBytes(c.m, c.k, c.n), [WASM_INT8], relaxed);
  assert.ok(space, 'a WebAssembly space');
  const xp = space.alloc(c.m * c.k), yp = space.alloc(c.m * c.n * 4), zp = space.alloc(1);
  const xv = c.signed ? new Int8Array(space.memory.buffer, xp, c.m * c.k) : new Uint8Array(space.memory.buffer, xp, c.m * c.k);
  xv.set(d.x);
  (c.signed ? new Int8Array(space.memory.buffer, zp, 1) : new Uint8Array(space.memory.buffer, zp, 1))[0] = c.zx;
  new Float32Array(space.memory.buffer, yp, c.m * c.n).fill(NaN);
  const weight: GemvWeight = {
    codes: Int8Array.from(d.w), rowsAreOutputs: c.rowsAreOutputs,
    scale: Float32Array.from(d.wScale, (s) => Math.fround(d.xScale * s)),
    ...(d.wzp ? { zeroPoints: d.wzp } : {}), ...(d.bias ? { bias: d.bias } : {}),
  };
  const run = prepareGemvFloat(space, c.m, c.k, c.n, weight);
  run(xp, c.signed ? 1 : 0, zp, yp);
  return Float32Array.from(new Float32Array(space.memory.buffer, yp, c.m * c.n));
}

const CASES: GemvCase[] = [];
for (const m of [1, 2, 3, 4]) {
  for (const [k, n] of [[1, 1], [7, 3], [9, 5], [16, 4], [17, 6], [33, 9], [100, 7], [1280, 13]] as const) {
    CASES.push({ m, k, n, signed: (k + m) % 2 === 0, zx: (k + m) % 2 === 0 ? -7 : 131, wzp: n % 2 === 1, bias: k % 2 === 1, rowsAreOutputs: (m + n) % 2 === 0 });
  }
}

describe('wasm int8 gemv with a float32 epilogue (i8gemvFloat)', function () {
  if (!wasmSimdAvailable()) { it.skip('needs WebAssembly SIMD'); return; }

  for (const c of CASES) {
    const what = `M ${c.m}, K ${c.k}, N ${c.n}, ${c.signed ? 'int8' : 'uint8'} x (zp ${c.zx}), ${c.wzp ? 'w zp ≠ 0' : 'w zp 0'}, ${c.bias ? 'bias' : 'no bias'}, ${c.rowsAreOutputs ? '[N][K]' : '[K][N]'}`;
    it(`equals the scalar reference bit for bit: ${what}`, async () => {
      const d = data(c, c.m * 1000 + c.k * 10 + c.n);
      const want = reference(c, d).y;
      for (const relaxed of relaxedSimdAvailable() ? [false, true] : [false]) {
        const got = await runKernel(c, d, relaxed);
        for (let t = 0; t < want.length; t++) {
          assert.ok(Object.is(got[t], want[t]), `${relaxed ? 'relaxed' : 'simd128'}: y[${Math.floor(t / c.n)}][${t % c.n}] = ${got[t]}, reference ${want[t]}`);
        }
      }
    });
  }

  it('sums exactly in int32 (scale 1, no bias: every |sum| < 2^24 converts exactly)', async () => {
    for (const m of [1, 3]) {
      const c: GemvCase = { m, k: 203, n: 11, signed: false, zx: 200, wzp: true, bias: false, rowsAreOutputs: false };
      const d = { ...data(c, 11 + m), xScale: 1, wScale: new Float32Array(c.n).fill(1) };
      const { acc } = reference(c, d);
      const got = await runKernel(c, d, false);
      acc.forEach((a, t) => assert.equal(got[t], a, `acc[${Math.floor(t / c.n)}][${t % c.n}]`));
    }
  });

  it('is within four float32 roundings of the dequantized float product (the QDQ graph onnxruntime runs)', async () => {
    const c: GemvCase = { m: 1, k: 1280, n: 37, signed: true, zx: -5, wzp: true, bias: true, rowsAreOutputs: true };
    const d = data(c, 7);
    const got = await runKernel(c, d, false);
    for (let j = 0; j < c.n; j++) {
      let exact = 0, magnitude = 0;
      for (let p = 0; p < c.k; p++) {
        const t = (d.xScale * (d.x[p]! - c.zx)) * (d.wScale[j]! * (code(d.w, c, p, j) - d.wzp![j]!));
        exact += t;
        magnitude += Math.abs(t);
      }
      exact += d.bias![j]!;
      // fround(acc), fround(xs · ws), the product and the bias addition: 4 relative roundings of 2^-24.
      const bound = 4 * 2 ** -24 * (Math.abs(exact - d.bias![j]!) + Math.abs(d.bias![j]!)) + 2 ** -24 * Math.abs(exact) + 1e-30 * magnitude;
      assert.ok(Math.abs(got[j]! - exact) <= bound, `y[${j}] = ${got[j]}, float oracle ${exact}, bound ${bound}`);
    }
  });
});
