// Public runtime API: load an .spm artifact from bytes and run it. Browser-safe: no Node
// imports, and the only dependency is flatbuffers (through the loader).

import { parseArtifact } from './loader/load.js';
import { defaultRegistry } from './kernels/index.js';
import { Interpreter } from './executor/interpreter.js';
import type { Feed, Model, RunOptions, TensorInfo } from './executor/bind.js';
import type { KernelRegistry } from './kernels/kernel.js';
import type { TensorView } from './tensor.js';
import type { Provenance } from './loader/model.js';
import type { Limits } from './loader/limits.js';
import type { WasmChoice } from './kernels/wasm/env.js';

export type { Feed, Model, RunOptions, TensorInfo, TensorView, KernelRegistry, Provenance, WasmChoice };
export type { ExpansionStats } from './executor/bind.js';
export { ArtifactError, parseArtifact } from './loader/load.js';
export type { LoadedArtifact, LoadedNode, LayerRecipe } from './loader/model.js';
export { RunError } from './executor/bind.js';
export type { DType, TypedArray } from './tensor.js';
export { DEFAULT_LIMITS } from './loader/limits.js';
export type { Limits } from './loader/limits.js';

/** `wasm` and `relaxedSimd` (WasmChoice, kernels/wasm/env.ts) choose how wasmsimd kernels run. */
export interface LoadOptions extends WasmChoice {
  /** Kernels to run with; defaults to every kernel this runtime ships. */
  readonly registry?: KernelRegistry;
  /** Resource limits checked before anything is allocated (defaults: DEFAULT_LIMITS in runtime/loader/limits.ts). */
  readonly limits?: Partial<Limits>;
}

/**
 * Validates the artifact completely, then prepares every kernel. `run(feeds, { outputs })`
 * writes into the caller's arrays: with every output given, a run allocates no array or buffer.
 */
export async function loadModel(bytes: Uint8Array | ArrayBuffer, options: LoadOptions = {}): Promise<Model> {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const artifact = parseArtifact(u8, { limits: options.limits });
  const interp = await Interpreter.create(artifact, options.registry ?? defaultRegistry(), options);
  return {
    name: artifact.name,
    inputs: interp.inputs,
    outputs: interp.outputs,
    provenance: artifact.provenance,
    wasmsimd: interp.wasmsimd,
    relaxedSimd: interp.relaxedSimd,
    expanded: interp.expanded,
    run: async (feeds, runOptions) => interp.run(feeds, runOptions),
    dispose: () => interp.dispose(),
  };
}
