// Runs single nodes of the calibration stream on the wasmsimd kernels (the runtime's fastest
// dense ones): one WebAssembly.Memory, grown as a node needs, into which each call copies its
// inputs, runs, and copies its outputs out. Compile-time only (Node): every kernel family's module
// is compiled synchronously, which browsers refuse for large modules.

import type { TensorView } from '../../runtime/tensor.js';
import type { Kernel, KernelContext, NodeShapes, WasmEnv } from '../../runtime/kernels/kernel.js';
import { RESERVED_BYTES, align16, kernelModuleBytes, wasmSimdAvailable } from '../../runtime/kernels/wasm/env.js';
import { WASM_MODULES } from '../../runtime/kernels/wasm/modules/index.js';

const PAGE = 65536;
/** Slack per call for alignment and kernels' small scratch rounding. */
const SLACK = 4096;

interface Instance { readonly memory: WebAssembly.Memory; readonly exports: WebAssembly.Exports }

let instance: Instance | null | undefined;

/** Every kernel family (SIMD128) over one growable memory; null where SIMD128 or instantiation is unavailable. */
function wasmInstance(): Instance | null {
  if (instance !== undefined) return instance;
  instance = null;
  if (!wasmSimdAvailable()) return instance;
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
    const exports: Record<string, WebAssembly.ExportValue> = {};
    for (const m of WASM_MODULES) Object.assign(exports, new WebAssembly.Instance(new WebAssembly.Module(kernelModuleBytes(m, false)), { env: { memory } }).exports);
    instance = { memory, exports };
  } catch {
    instance = null;
  }
  return instance;
}

/** True when calibration can run wasmsimd kernels here. */
export function calibrationWasm(): boolean {
  return wasmInstance() !== null;
}

/**
 * Runs the wasmsimd `kernel` on one node: inputs copied into the memory, outputs (already
 * allocated, with their shapes) filled from it. `shapes` is what `kernel.supports` accepted.
 */
export function runWasmNode(kernel: Kernel, shapes: NodeShapes, ctx: Omit<KernelContext, 'wasm'>): void {
  const wasm = wasmInstance();
  if (!wasm) throw new Error('calibration: wasmsimd kernels are unavailable');
  const bytes = (t: TensorView): number => align16(t.data.byteLength);
  let need = RESERVED_BYTES + SLACK + (kernel.scratchBytes?.(shapes) ?? 0);
  for (const t of ctx.inputs) if (t) need += bytes(t);
  for (const t of ctx.outputs) need += bytes(t);
  const have = wasm.memory.buffer.byteLength;
  if (need > have) wasm.memory.grow(Math.ceil((need - have) / PAGE));
  const buffer = wasm.memory.buffer;
  let at = RESERVED_BYTES;
  const place = (t: TensorView, copy: boolean): TensorView => {
    const data = new Float32Array(buffer, at, t.data.length);
    if (copy) data.set(t.data as Float32Array);
    at += bytes(t);
    return { ...t, data };
  };
  const inputs = ctx.inputs.map((t) => (t ? place(t, true) : undefined));
  const outputs = ctx.outputs.map((t) => place(t, false));
  let scratch = align16(at);
  const env: WasmEnv = {
    memory: wasm.memory, exports: wasm.exports,
    scratch(n: number): number {
      const p = scratch;
      scratch = align16(scratch + n);
      if (scratch > buffer.byteLength) throw new Error(`calibration: wasm scratch for '${ctx.node}' exhausted (a kernel's scratchBytes undercounts)`);
      return p;
    },
  };
  kernel.prepare({ ...ctx, inputs, outputs, wasm: env })();
  outputs.forEach((t, k) => (ctx.outputs[k]!.data as Float32Array).set(t.data as Float32Array));
}
