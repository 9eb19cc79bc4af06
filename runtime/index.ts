// Public runtime API: load an .spm artifact from bytes and run it. Browser-safe: no Node
// imports, and the only dependency is flatbuffers (through the loader).

import { parseArtifact } from './loader/load.js';
import { defaultRegistry } from './kernels/index.js';
import { Interpreter } from './executor/interpreter.js';
import type { Feed, TensorInfo } from './executor/interpreter.js';
import type { KernelRegistry } from './kernels/kernel.js';
import type { TensorView } from './tensor.js';
import type { Provenance } from './loader/model.js';

export type { Feed, TensorInfo, TensorView, KernelRegistry, Provenance };
export { ArtifactError } from './loader/load.js';
export { RunError } from './executor/interpreter.js';
export type { DType, TypedArray } from './tensor.js';

export interface LoadOptions {
  /** Kernels to run with; defaults to every kernel this runtime ships. */
  readonly registry?: KernelRegistry;
  /**
   * Run wasmsimd kernels in WebAssembly when the engine has SIMD128 (default true). With false,
   * or without SIMD, every wasmsimd kernel of the artifact runs its js equivalent.
   */
  readonly wasm?: boolean;
}

export interface Model {
  readonly name: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  readonly provenance: Provenance;
  /** True when the artifact's wasmsimd kernels run in WebAssembly (false: none, or js fallback). */
  readonly wasmsimd: boolean;
  /** Runs the model; resolves to one tensor per model output, by name. */
  run(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, TensorView>>;
  /** Releases the arena; the model cannot run afterwards. */
  dispose(): void;
}

/** Validates the artifact completely, then prepares every kernel. */
export async function loadModel(bytes: Uint8Array | ArrayBuffer, options: LoadOptions = {}): Promise<Model> {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const artifact = parseArtifact(u8);
  const interp = await Interpreter.create(artifact, options.registry ?? defaultRegistry(), options.wasm ?? true);
  return {
    name: artifact.name,
    inputs: interp.inputs,
    outputs: interp.outputs,
    provenance: artifact.provenance,
    wasmsimd: interp.wasmsimd,
    run: async (feeds) => interp.run(feeds),
    dispose: () => interp.dispose(),
  };
}
