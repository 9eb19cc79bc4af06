// What the wasmsimd kernel tests share: a seeded generator, the epilogue attributes every kernel
// is run with, views in WebAssembly memory or in plain memory, and the no-allocation trap.

import type { Attrs, Kernel } from '../../../runtime/kernels/kernel.js';
import type { WasmSpace } from '../../../runtime/kernels/wasm/env.js';
import type { TensorView } from '../../../runtime/tensor.js';

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
