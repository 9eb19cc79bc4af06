// A kernel context in WebAssembly memory, as the interpreter builds one: every view (activations,
// dense weights, parameter inputs, outputs) copied into a fresh WasmSpace sized for them plus the
// kernel's scratch; a packed weight stays in the JS heap. Used by `spc tune` and the benchmarks.

import type { Attrs, Kernel, KernelContext } from '../../runtime/kernels/kernel.js';
import { createWasmSpace } from '../../runtime/kernels/wasm/env.js';
import type { TensorView } from '../../runtime/tensor.js';
import { viewArray } from '../../runtime/tensor.js';

/** The context of a node with any inputs (undefined: omitted) and outputs in WebAssembly memory; undefined when this engine has no WebAssembly SIMD. */
export async function wasmNodeContext(k: Kernel, node: string, attrs: Attrs, inputs: readonly (TensorView | undefined)[],
  outputs: readonly TensorView[], constants?: readonly boolean[]): Promise<KernelContext | undefined> {
  const copied = (t: TensorView | undefined): t is TensorView => t !== undefined && !t.packed;
  const fixed = [...inputs, ...outputs].reduce((s, t) => s + (copied(t) ? t.data.byteLength + 16 : 0), 0);
  const space = await createWasmSpace(fixed, (k.scratchBytes?.({ inputs, outputs, attrs }) ?? 0) + 256, k.wasmModules ?? []);
  if (!space) return undefined;
  const inMem = <T extends TensorView | undefined>(t: T): T => {
    if (!copied(t)) return t;
    const data = viewArray(t.dtype, space.memory.buffer, space.alloc(t.data.byteLength), t.data.length);
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    return { ...t, data } as T;
  };
  return { node, attrs, inputs: inputs.map(inMem), outputs: outputs.map(inMem), ...(constants ? { constants } : {}), wasm: space };
}

/**
 * A weighted layer's context (x, weight, optional bias, y), the weight and bias marked constant as
 * a model's are (a kernel packs them once, at prepare); undefined when this engine has no WebAssembly SIMD.
 */
export async function wasmContext(k: Kernel, node: string, attrs: Attrs, x: TensorView, w: TensorView, b: TensorView | undefined, y: TensorView): Promise<KernelContext | undefined> {
  return wasmNodeContext(k, node, attrs, [x, w, ...(b ? [b] : [])], [y], [false, true, ...(b ? [true] : [])]);
}
