// i8-qlinearconvnm-16x1-wasmsimd (wasm/qlinearconv-nm.ts, asm/int8nm.as) on N:M int8 weights read
// packed: its outputs equal, bit for bit, the dense int8 wasmsimd kernel's and the ref kernel's on
// the expanded weight (exact int32 sums), on shapes around its tiles (P below 4, between 4 and 16,
// 16·k ± 1, several pixel tiles), 1×1 and k×k windows with pads, strides and dilations, 1-D, batch
// 2, 2:4, 1:4, 3:4, 2:8, 4:8 and 1:2 masks (odd n pairs a weight with zero), int8 and uint8 x and y,
// bias and per-channel scales; it refuses what it cannot run; and it allocates nothing per run.

import { strict as assert } from 'node:assert';
import type { Attrs, Kernel, NodeShapes } from '../../../runtime/kernels/kernel.js';
import { qLinearConvNmWasm, nmPairPlan } from '../../../runtime/kernels/wasm/qlinearconv-nm.js';
import { qLinearConvWasm } from '../../../runtime/kernels/wasm/qlinearconv.js';
import { qLinearConvRef } from '../../../runtime/kernels/ref/qlinearconv.js';
import { createWasmSpace, relaxedSimdAvailable, wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import type { WasmSpace } from '../../../runtime/kernels/wasm/env.js';
import type { DType, TensorView, TypedArray } from '../../../runtime/tensor.js';
import { allocArray } from '../../../runtime/tensor.js';
import type { NmWeight } from '../../../runtime/sparse/packed.js';
import { packNm } from '../../../compiler/sparse/pack/pack.js';
import { expandWeight } from '../../../runtime/sparse/expand.js';
import { toWeightMatrix } from '../../../runtime/sparse/layout.js';
import { rng, withoutAllocation } from './wasm-harness.js';

const simd = wasmSimdAvailable();
// Under --experimental-wasm-relaxed-simd (wasm-relaxed.test.ts runs this file so) the kernel runs the
// relaxed module: the same int8 dot as SIMD128 (asm/int8.as says why), so the two agree bit for bit.
const relaxed = relaxedSimdAvailable();
const count = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
const outDim = (n: number, k: number, s: number, d: number, p0: number, p1: number): number => Math.floor((n + p0 + p1 - d * (k - 1) - 1) / s) + 1;

interface Spec {
  readonly x: readonly number[]; readonly w: readonly number[]; readonly n: number; readonly m: number;
  readonly xType?: DType; readonly yType?: DType; readonly strides?: readonly number[]; readonly pads?: readonly number[];
  readonly dilations?: readonly number[]; readonly bias?: boolean; readonly seed: number;
}

const SPECS: readonly Spec[] = [
  { x: [1, 8, 7, 7], w: [9, 8, 1, 1], n: 2, m: 4, seed: 1 }, // pointwise, P = 49: one 32-pixel step, two 8s, a short one
  { x: [1, 16, 1, 3], w: [5, 16, 1, 1], n: 2, m: 4, bias: true, seed: 2 }, // P = 3: the 4-pixel tail
  { x: [1, 32, 16, 16], w: [32, 32, 3, 3], n: 2, m: 4, pads: [1, 1, 1, 1], bias: true, seed: 3 }, // a resnet10_w32 layer
  { x: [2, 12, 9, 8], w: [7, 12, 3, 3], n: 2, m: 4, strides: [2, 2], pads: [1, 0, 0, 1], xType: 'int8', yType: 'int8', bias: true, seed: 4 },
  { x: [1, 8, 11, 10], w: [4, 8, 3, 2], n: 1, m: 4, dilations: [2, 3], pads: [2, 1, 2, 3], seed: 5 },
  { x: [1, 12, 5, 13], w: [6, 12, 1, 1], n: 3, m: 4, xType: 'int8', bias: true, seed: 6 }, // odd n: the last kept weight pairs with 0
  { x: [1, 16, 6, 11], w: [11, 16, 1, 1], n: 2, m: 8, bias: true, seed: 7 },
  { x: [1, 24, 8, 8], w: [10, 24, 3, 3], n: 4, m: 8, pads: [1, 1, 1, 1], yType: 'int8', seed: 8 },
  { x: [1, 6, 13], w: [7, 6, 5], n: 1, m: 2, strides: [2], pads: [2, 2], bias: true, seed: 9 }, // 1-D
  { x: [1, 64, 33, 1], w: [3, 64, 1, 1], n: 2, m: 4, seed: 10 }, // P = 33 = 32 + 1
  { x: [1, 288, 14, 14], w: [20, 288, 3, 3], n: 2, m: 4, pads: [1, 1, 1, 1], bias: true, seed: 11 }, // K = 2592: several pixel tiles
];

const RANGE: Record<string, [number, number]> = { int8: [-128, 127], uint8: [0, 255] };
function ints(dtype: DType, n: number, seed: number): number[] {
  const r = rng(seed), [lo, hi] = RANGE[dtype]!;
  return Array.from({ length: n }, () => Math.min(hi, lo + Math.floor(((r() + 1) / 2) * (hi - lo + 1))));
}

/** W's codes (int8, ≠ 0 where kept) with n of every m kept along each matrix row (kh, kw, ci), packed, and expanded back. */
function nmWeight(s: Spec): { packed: NmWeight; dense: Int8Array } {
  const raw = Float32Array.from(ints('int8', count(s.w), s.seed + 1).map((v) => (v === 0 ? 1 : v)));
  const matrix = toWeightMatrix('Conv', s.w, false, raw);
  const rows = s.w[0]!, cols = matrix.length / rows, r = rng(s.seed + 7);
  for (let g = 0; g < matrix.length; g += s.m) {
    const order = Array.from({ length: s.m }, (_, i) => i).sort(() => r());
    for (const i of order.slice(s.n)) matrix[g + i] = 0;
  }
  const packed = packNm(rows, cols, matrix, s.n, s.m);
  const dense = new Int8Array(count(s.w));
  expandWeight(packed, 'Conv', s.w, false, dense);
  return { packed, dense };
}

interface Case { readonly what: string; readonly inputs: readonly (TensorView | undefined)[]; readonly out: { dtype: DType; shape: number[] }; readonly attrs: Attrs; readonly dense: Int8Array; readonly packed: NmWeight }

function caseOf(s: Spec): Case {
  const r = s.x.length - 2, cout = s.w[0]!, k = count(s.w.slice(1));
  const strides = s.strides ?? new Array<number>(r).fill(1), dil = s.dilations ?? new Array<number>(r).fill(1), pads = s.pads ?? new Array<number>(2 * r).fill(0);
  const out = [s.x[0]!, cout, ...s.x.slice(2).map((d, i) => outDim(d, s.w[2 + i]!, strides[i]!, dil[i]!, pads[i]!, pads[r + i]!))];
  const xType = s.xType ?? 'uint8', yType = s.yType ?? 'uint8';
  const v = (dtype: DType, shape: readonly number[], values: readonly number[]): TensorView => {
    const data = allocArray(dtype, values.length);
    values.forEach((x, i) => { (data as unknown as number[])[i] = x; });
    return { dtype, shape, data };
  };
  const { packed, dense } = nmWeight(s);
  const r2 = rng(s.seed + 4);
  const inputs = [
    v(xType, s.x, ints(xType, count(s.x), s.seed)), v('float32', [], [0.02]), v(xType, [], ints(xType, 1, s.seed + 2)),
    { dtype: 'int8' as DType, shape: s.w, data: new Float32Array(0), packed },
    v('float32', [cout], Array.from({ length: cout }, () => Math.fround(0.01 * (1 + 0.5 * r2())))), v('int8', [cout], new Array<number>(cout).fill(0)),
    v('float32', [], [Math.fround((0.02 * 0.01 * 128 * 128 * Math.sqrt(k * s.n / s.m)) / 127)]), v(yType, [], ints(yType, 1, s.seed + 5)),
    ...(s.bias ? [v('int32', [cout], ints('int8', cout, s.seed + 6).map((b) => b * 97))] : []),
  ];
  const attrs = { strides, pads, dilations: dil, kernel_shape: s.w.slice(2) };
  return { what: `x ${xType}[${s.x}] w [${s.w}] ${s.n}:${s.m} strides ${strides} pads ${pads} dilations ${dil}${s.bias ? ' bias' : ''} → ${yType}`, inputs, out: { dtype: yType, shape: out }, attrs, dense, packed };
}

/** The case's inputs with the weight dense (the expansion). */
const withDense = (c: Case): (TensorView | undefined)[] => c.inputs.map((v, i) => (i === 3 ? { dtype: 'int8', shape: v!.shape, data: c.dense } : v));

const shapesOf = (inputs: readonly (TensorView | undefined)[], c: Case): NodeShapes => ({
  inputs: inputs.map((v) => v && { dtype: v.dtype, shape: v.shape, ...(v.packed ? { packed: v.packed } : {}) }), outputs: [c.out], attrs: c.attrs,
});

/** Runs `k` on `inputs` in a WebAssembly space of its own (weights marked constant, as a model's); the output's elements. */
async function runWasm(k: Kernel, c: Case, inputs: readonly (TensorView | undefined)[], relaxedSimd = true): Promise<number[]> {
  const fixed = inputs.reduce((s, v) => s + (v ? v.data.byteLength + 16 : 0), 0) + count(c.out.shape) + 16;
  const space = await createWasmSpace(fixed, k.scratchBytes!(shapesOf(inputs, c)), k.wasmModules!, relaxedSimd);
  assert.ok(space);
  const copy = (v: TensorView): TensorView => {
    if (v.packed) return v;
    const at = space.alloc(Math.max(v.data.byteLength, 1));
    const a = new (v.data.constructor as new (b: ArrayBufferLike, o: number, n: number) => TypedArray)(space.memory.buffer, at, v.data.length);
    (a as unknown as { set(s: TypedArray): void }).set(v.data);
    return { ...v, data: a };
  };
  const y = copy({ dtype: c.out.dtype, shape: c.out.shape, data: allocArray(c.out.dtype, count(c.out.shape)).fill(0x5a as never) });
  const run = k.prepare({ node: 'n', inputs: inputs.map((v) => v && copy(v)), outputs: [y], attrs: c.attrs, wasm: space as WasmSpace, constants: inputs.map((_, i) => i >= 3) });
  withoutAllocation(run);
  return Array.from(y.data as unknown as ArrayLike<number>);
}

function runRef(c: Case): number[] {
  const y: TensorView = { dtype: c.out.dtype, shape: c.out.shape, data: allocArray(c.out.dtype, count(c.out.shape)) };
  qLinearConvRef.prepare({ node: 'n', inputs: withDense(c), outputs: [y], attrs: c.attrs })();
  return Array.from(y.data as unknown as ArrayLike<number>);
}

function firstDifference(a: readonly number[], b: readonly number[], shape: readonly number[]): string {
  const i = a.findIndex((v, j) => v !== b[j]);
  const [ , C, ...sp] = shape, P = count(sp);
  return i < 0 ? 'none' : `at ${i} (image ${Math.floor(i / (C! * P))}, channel ${Math.floor(i / P) % C!}, pixel ${i % P}): ${a[i]} vs ${b[i]}`;
}

describe('i8-qlinearconvnm-16x1-wasmsimd: QLinearConv on N:M int8 weights, read packed', () => {
  for (const s of SPECS) {
    const c = caseOf(s);
    it(`${c.what}: equals the dense int8 kernel and the ref kernel on the expanded weight`, async function () {
      if (!simd) this.skip();
      assert.ok(qLinearConvNmWasm.supports!(shapesOf(c.inputs, c)), 'supported');
      const got = await runWasm(qLinearConvNmWasm, c, c.inputs);
      const dense = await runWasm(qLinearConvWasm, c, withDense(c));
      const ref = runRef(c);
      assert.deepEqual(got, dense, `vs dense: ${firstDifference(got, dense, c.out.shape)}`);
      assert.deepEqual(got, ref, `vs ref: ${firstDifference(got, ref, c.out.shape)}`);
      // the outputs spread over the type's range: not a constant the arithmetic could hide behind
      assert.ok(new Set(got).size > Math.min(20, got.length / 2), `${new Set(got).size} distinct outputs`);
    });
  }

  it(`i8-qlinearconvnm-16x1-wasmsimd matches the dense int8 kernel bit for bit on ${SPECS.length} cases${relaxed ? ' (relaxed SIMD), and the SIMD128 module within the madd bound (identical)' : ''}`, async function () {
    if (!simd) this.skip();
    for (const s of SPECS) {
      const c = caseOf(s);
      const got = await runWasm(qLinearConvNmWasm, c, c.inputs);
      assert.deepEqual(got, await runWasm(qLinearConvWasm, c, withDense(c)), c.what);
      if (relaxed) assert.deepEqual(await runWasm(qLinearConvNmWasm, c, c.inputs, false), got, `${c.what}: SIMD128 module`);
    }
  });

  it('runs the ref kernel on the expanded weight where there is no WebAssembly', () => {
    const c = caseOf(SPECS[3]!);
    const y: TensorView = { dtype: c.out.dtype, shape: c.out.shape, data: allocArray(c.out.dtype, count(c.out.shape)) };
    qLinearConvNmWasm.prepare({ node: 'n', inputs: c.inputs, outputs: [y], attrs: c.attrs })();
    assert.deepEqual(Array.from(y.data as unknown as ArrayLike<number>), runRef(c));
  });

  it('pairs 2:4 groups into one slot each, a derived row for each pair that is not a natural k pair', () => {
    // one row, 8 columns: group 0 keeps (0, 1) (natural pair 0), group 1 keeps (4, 6) (derived) — values are codes
    const matrix = Float32Array.from([3, -2, 0, 0, 5, 0, 7, 0]);
    const plan = nmPairPlan(packNm(1, 8, matrix, 2, 4));
    assert.equal(plan.S, 2);
    assert.equal(plan.D, 1);
    assert.deepEqual(Array.from(plan.slots), [(3 & 0xffff) | (-2 << 16) >>> 0, 0, 5 | (7 << 16), 4].map((v) => v >>> 0));
    assert.deepEqual(Array.from(plan.derived), [2, 3, 0]); // columns 4 and 6: rows 2 and 3, both lane 0
  });

  it('refuses a dense weight, a float32 one, a grouped conv', () => {
    const c = caseOf(SPECS[0]!);
    const shapes = shapesOf(c.inputs, c);
    assert.ok(!qLinearConvNmWasm.supports!(shapesOf(withDense(c), c)), 'dense weight');
    const f32 = { ...shapes, inputs: shapes.inputs.map((v, i) => (i === 3 && v ? { ...v, dtype: 'float32' } : v)) };
    assert.ok(!qLinearConvNmWasm.supports!(f32), 'float32 weight');
    assert.ok(!qLinearConvNmWasm.supports!({ ...shapes, attrs: { ...shapes.attrs, group: 2 } }), 'group 2');
  });

  it('fails on a nonzero weight zero point', async function () {
    if (!simd) this.skip();
    const c = caseOf(SPECS[0]!);
    const inputs = c.inputs.map((v, i) => (i === 5 ? { dtype: 'int8' as DType, shape: [9], data: Int8Array.from({ length: 9 }, (_, j) => (j === 4 ? 1 : 0)) } : v));
    await assert.rejects(runWasm(qLinearConvNmWasm, c, inputs), /zero point/);
  });
});
