// What a generated dispatch module (compiler/emit/dispatch.ts) imports from the runtime, as the
// package entry `spc-runtime/dispatch`: the validating loader, the shared binding step and the
// feed/output helpers. It deliberately imports no kernel: the generated module imports the
// kernels its model uses itself (`spc-runtime/kernels/...`), and the WebAssembly module only
// when one of them is wasmsimd.

import type { WasmChoice } from '../kernels/wasm/env.js';

export { parseArtifact, ArtifactError } from '../loader/load.js';
export { makeRegistry } from '../kernels/kernel.js';
export type { Kernel, KernelRegistry, RunFn } from '../kernels/kernel.js';
export type { LoadedArtifact, Provenance } from '../loader/model.js';
export type { TensorView, TypedArray, DType } from '../tensor.js';
export {
  bindArtifact, checkArtifact, copyFeeds, kernelById, layoutFingerprint, readOutputs, RunError,
} from './bind.js';
export type { Binding, Feed, Model, RunOptions, SpaceFactory, TensorInfo } from './bind.js';

/** Options of a generated module's load(), as loadModel's: `wasm` and `relaxedSimd` (kernels/wasm/env.ts). */
export type DispatchLoadOptions = WasmChoice;
