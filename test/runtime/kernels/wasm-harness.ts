// What the wasmsimd kernel tests share: a seeded generator, the epilogue attributes every kernel
// is run with, views in WebAssembly memory or in plain memory, a kernel prepared in a fresh space,
// the no-allocation trap, the relaxed/SIMD128 agreement bound and the packed-weight refusals.

import { strict as assert } from 'node:assert';
import type { Attrs, Kernel, NodeShapes, RunFn } from '../../../runtime/kernels/kernel.js';
import { KernelError } from '../../../runtime/kernels/kernel.js';
import type { WasmSpace } from '../../../runtime/kernels/wasm/env.js';
import { createWasmSpace, relaxedSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import type { PackedWeight } from '../../../runtime/sparse/packed.js';
import type { TensorView } from '../../../runtime/tensor.js';
import { sizeOf } from '../../../runtime/tensor.js';

/** Deterministic values in [−1, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

export function epilogueAttrs(k: Kernel): Attrs {
  if (k.epilogue === 'relu') return { spc_activation: 'relu' };
  if (k.epilogue === 'clip') return { spc_activation: 'clip', spc_act_min: -0.5, spc_act_max: 0.7 };
  return {};
}

/** A float32 view of `shape` in the space's fixed region holding `data`. */
export function wasmView(space: WasmSpace, shape: readonly number[], data: Float32Array): TensorView {
  const v = new Float32Array(space.memory.buffer, space.alloc(data.length * 4), data.length);
  v.set(data);
  return { dtype: 'float32', shape, data: v };
}

export const plain = (shape: readonly number[], data: Float32Array): TensorView => ({ dtype: 'float32', shape, data });

/** A packed weight of `shape` (its dense data empty: the kernel must read the packed form). */
export const packedView = (shape: readonly number[], packed: PackedWeight): TensorView => ({ dtype: 'float32', shape, data: new Float32Array(0), packed });

/**
 * Kernel k prepared in a fresh WebAssembly space (the relaxed-SIMD module where there is one,
 * unless `relaxedSimd` is false): every unpacked input copied into its memory, a packed weight
 * passed as it is, the output NaN-filled; scratch exactly as the kernel declares for `shapes`
 * (prepare throws when it takes more). `got` is the output, read after `run`.
 */
export async function prepareInWasm(k: Kernel, shapes: NodeShapes, inputs: readonly (TensorView | undefined)[], output: readonly number[], attrs: Attrs, relaxedSimd = true): Promise<{ readonly run: RunFn; readonly got: Float32Array }> {
  const fixed = inputs.reduce((a, v) => a + (v && !v.packed ? v.data.length * 4 + 16 : 0), 0) + sizeOf(output) * 4 + 16;
  const space = await createWasmSpace(fixed, k.scratchBytes!(shapes), k.wasmModules!, relaxedSimd);
  assert.ok(space, 'WebAssembly SIMD is available');
  assert.equal(space.relaxed, relaxedSimd && relaxedSimdAvailable(), 'the module asked for');
  const y = wasmView(space, output, new Float32Array(sizeOf(output)).fill(Number.NaN));
  const views = inputs.map((v) => v && (v.packed ? v : wasmView(space, v.shape, v.data as Float32Array)));
  const run = k.prepare({ node: `test-${k.id}`, inputs: views, outputs: [y], attrs, wasm: space });
  return { run, got: y.data as Float32Array };
}

/** `p` with every index out of range: an N:M slot index of 0xff, a CSR/BSR column of 60000. */
export function corruptIndices(p: PackedWeight): PackedWeight {
  return p.format === 'nm' ? { ...p, indices: p.indices.map(() => 0xff) } : { ...p, colIdx: p.colIdx.map(() => 60000) };
}

/**
 * A packed-weight kernel's preconditions with a WasmEnv: x [`shapes.x`] → y [`shapes.y`] with
 * weight `good` (of shape `shapes.w`) prepares; each `refused` weight (a packed one, or undefined
 * for a dense weight) throws a KernelError naming the node and the kernel whose message matches.
 */
export async function assertWeightRefusals(k: Kernel, shapes: { readonly x: readonly number[]; readonly y: readonly number[]; readonly w: readonly number[] },
  good: PackedWeight, refused: readonly (readonly [PackedWeight | undefined, RegExp])[]): Promise<void> {
  const space = (await createWasmSpace(4096, 4096, k.wasmModules!))!;
  const x = wasmView(space, shapes.x, new Float32Array(sizeOf(shapes.x))), y = wasmView(space, shapes.y, new Float32Array(sizeOf(shapes.y)));
  const prep = (packed: PackedWeight | undefined) => () => k.prepare({
    node: 'layer7', wasm: space, outputs: [y], attrs: {},
    inputs: [x, packed ? packedView(shapes.w, packed) : plain(shapes.w, new Float32Array(sizeOf(shapes.w)))],
  });
  for (const [packed, reason] of refused) {
    assert.throws(prep(packed), (e: unknown) => e instanceof KernelError && e.message.includes("node 'layer7'") && e.message.includes(k.id) && reason.test(e.message),
      `${k.id}: ${packed ? packed.format : 'dense'} weight refused with ${reason}`);
  }
  prep(good)(); // and the good one prepares and runs
}

const ALLOCATORS = ['ArrayBuffer', 'Float32Array', 'Float64Array', 'Int32Array', 'Uint32Array', 'Uint16Array', 'Uint8Array', 'Int8Array', 'Int16Array', 'BigInt64Array', 'Array'];

/** Runs `fn` with every array/buffer constructor and WebAssembly.Memory#grow replaced by a trap. */
export function withoutAllocation(fn: () => void): void {
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = ALLOCATORS.map((n) => g[n]);
  const grow = WebAssembly.Memory.prototype.grow;
  const trap = (): never => { throw new Error('run() allocated or grew memory'); };
  const trapCtor = new Proxy(function () {}, { construct: trap, apply: trap, get: trap });
  try {
    for (const n of ALLOCATORS) g[n] = trapCtor;
    WebAssembly.Memory.prototype.grow = trap;
    fn();
  } finally {
    ALLOCATORS.forEach((n, i) => { g[n] = saved[i]; });
    WebAssembly.Memory.prototype.grow = grow;
  }
}

/** float32's unit roundoff. */
const U = 2 ** -24;
const LINEAR_OPS = ['Conv', 'Gemm', 'MatMul'];
const POLYNOMIAL_OPS = ['Exp', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Gelu', 'Softmax'];

/**
 * The products summed into one output of a Conv (C/group·kernel), Gemm or MatMul (A's reduction
 * axis), or a LayerNormalization's row (its last axis: the tests normalise over it alone), from the node's input shapes; undefined for other ops.
 */
export function reductionLength(op: string, inputs: readonly (readonly number[] | undefined)[], attrs: Attrs): number | undefined {
  const a = inputs[0]!, w = inputs[1];
  if (op === 'Conv') return w!.slice(1).reduce((p, d) => p * d, 1);
  if (op === 'Gemm') return attrs['transA'] === 1 ? a[0] : a[1];
  if (op === 'MatMul' || op === 'LayerNormalization') return a[a.length - 1];
  return undefined;
}

/**
 * The relaxed-SIMD module's output (`relaxed`) against the SIMD128 module's (`simd128`) on the
 * same inputs. The modules differ only in asm/common.as madd: fused a·b + c (one rounding)
 * against mul then add (two), in the same summation order. So:
 *   Conv, Gemm, MatMul (reduction length K, summed in any order, plus bias, alpha and beta):
 *     recursive summation is within γ_{K+1}·S of the exact value unfused and γ_K·S fused
 *     (γ_n = n·u/(1 − n·u), u = 2⁻²⁴, S = |b| + Σ|w·x|), so |Δ| ≤ (2K + 4)·u·S, with S from
 *     the ref kernel without epilogue on |inputs| (`absolute`; relu and clip are 1-Lipschitz);
 *   Exp, Sigmoid, Tanh, HardSigmoid, HardSwish (Horner steps of a polynomial at |r| ≤ ln2/2 and
 *     x·α + β, for |x| < 1 as the tests feed them): |Δ| ≤ 8u·(|y| + |x|);
 *   Gelu, Softmax (the same polynomial steps in exp and erfc, on |x| < 1): the same bound;
 *   LayerNormalization (the one madd sums the squared deviations of a row of K, so rstd moves
 *     by at most K·u relative; scale and bias in [−1, 1)): |Δ| ≤ (2K + 8)·u·(|y| + 1);
 *   every other kernel has no multiply-add: bit for bit the same.
 * Fails naming the kernel, case and index.
 */
export function assertModulesAgree(k: Kernel, what: string, relaxed: Float32Array, simd128: Float32Array,
  bound: { readonly K?: number; readonly absolute?: Float32Array; readonly x?: Float32Array }): void {
  for (let i = 0; i < relaxed.length; i++) {
    const r = relaxed[i]!, s = simd128[i]!;
    let limit = 0;
    if (LINEAR_OPS.includes(k.op)) limit = (2 * bound.K! + 4) * U * bound.absolute![i]!;
    else if (POLYNOMIAL_OPS.includes(k.op)) limit = 8 * U * (Math.abs(s) + Math.abs(bound.x![i]!));
    else if (k.op === 'LayerNormalization') limit = (2 * bound.K! + 8) * U * (Math.abs(s) + 1);
    const same = Object.is(r, s) || (Number.isNaN(r) && Number.isNaN(s));
    if (!same && !(Math.abs(r - s) <= limit)) {
      throw new Error(`${k.id}, case '${what}': output[${i}] relaxed SIMD ${r}, SIMD128 ${s}, |Δ| ${Math.abs(r - s)} over the bound ${limit}`);
    }
  }
}

/** The ref kernel `ref0` (no epilogue) on |inputs|: S = |b| + Σ|w·x| per output of a Conv/Gemm/MatMul, for assertModulesAgree. */
export function absoluteSums(ref0: Kernel, shapes: readonly (readonly number[] | undefined)[], data: readonly (Float32Array | undefined)[], output: readonly number[], attrs: Attrs): Float32Array {
  const y = new Float32Array(output.reduce((p, d) => p * d, 1));
  const abs = (d: Float32Array): Float32Array => d.map(Math.abs);
  ref0.prepare({ node: 'ref |inputs|', inputs: shapes.map((s, i) => s && plain(s, abs(data[i]!))), outputs: [plain(output, y)], attrs })();
  return y;
}
