// A kernel context in WebAssembly memory, as the interpreter builds one: activations, a dense
// weight and the bias copied into a fresh WasmSpace sized for them plus the kernel's scratch; a
// packed weight stays in the JS heap. Used by `spc tune` and the benchmarks.

import type { Attrs, Kernel, KernelContext } from '../../runtime/kernels/kernel.js';
import { createWasmSpace } from '../../runtime/kernels/wasm/env.js';
import type { TensorView } from '../../runtime/tensor.js';

/** Undefined when this engine has no WebAssembly SIMD. */
export async function wasmContext(k: Kernel, node: string, attrs: Attrs, x: TensorView, w: TensorView, b: TensorView | undefined, y: TensorView): Promise<KernelContext | undefined> {
  const views = [x, w.packed ? undefined : w, b, y];
  const fixed = views.reduce((s, t) => s + (t ? t.data.byteLength + 16 : 0), 0);
  const shapes = { inputs: [x, w, b], outputs: [y], attrs };
  const space = await createWasmSpace(fixed, (k.scratchBytes?.(shapes) ?? 0) + 256);
  if (!space) return undefined;
  const inMem = (t: TensorView | undefined): TensorView | undefined => {
    if (!t) return undefined;
    const data = new Float32Array(space.memory.buffer, space.alloc(t.data.byteLength), t.data.length);
    data.set(t.data as Float32Array);
    return { ...t, data };
  };
  const [xm, wm, bm, ym] = views.map(inMem);
  return { node, attrs, inputs: [xm, wm ?? w, ...(bm ? [bm] : [])], outputs: [ym!], wasm: space };
}
