// What the wasmsimd kernel tests share: a seeded generator, the epilogue attributes every kernel
// is run with, and views in WebAssembly memory or in plain memory.

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
