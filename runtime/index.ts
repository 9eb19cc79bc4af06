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
import { readArtifactSource, type ArtifactSource } from './loader/fetch.js';
import { resolveLimits } from './loader/limits.js';
import { bucketLayout } from './loader/check-buckets.js';
import { BucketRunner, planArtifactOf } from './executor/buckets.js';

export type { Feed, Model, RunOptions, TensorInfo, TensorView, KernelRegistry, Provenance, WasmChoice };
export type { ExpansionStats } from './executor/bind.js';
import { ArtifactError } from './loader/load.js';
export { ArtifactError, parseArtifact } from './loader/load.js';
export type { LoadedArtifact, LoadedNode, LayerRecipe } from './loader/model.js';
export { RunError } from './executor/bind.js';
export type { DType, TypedArray } from './tensor.js';
export { DEFAULT_LIMITS } from './loader/limits.js';
export type { Limits } from './loader/limits.js';
export type { ArtifactSource } from './loader/fetch.js';

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
 * `source` is the artifact's bytes, or a URL (fetched) or fetch Response to stream it from
 * (loader/fetch.ts: refused at the header when it is not an artifact or is over the limits).
 */
export async function loadModel(source: Uint8Array | ArrayBuffer | ArtifactSource, options: LoadOptions = {}): Promise<Model> {
  const u8 = source instanceof Uint8Array ? source
    : source instanceof ArrayBuffer ? new Uint8Array(source)
      : await readArtifactSource(source, resolveLimits(options.limits, (m) => new ArtifactError(m)));
  const artifact = parseArtifact(u8, { limits: options.limits });
  const registry = options.registry ?? defaultRegistry();
  // A bucketed artifact binds its own graph (the smallest bucket) now, the others on first use.
  const interp = await Interpreter.create(planArtifactOf(artifact, artifact), registry, options);
  const layout = artifact.shapeBuckets === undefined ? undefined : bucketLayout(artifact, artifact.shapeBuckets);
  if (typeof layout === 'string') throw new ArtifactError(layout);
  const buckets = layout === undefined ? undefined
    : new BucketRunner(layout, async (k) => (k === 0 ? interp : Interpreter.create(planArtifactOf(artifact, layout.plans[k]!), registry, options)));
  return {
    name: artifact.name,
    inputs: interp.inputs,
    outputs: interp.outputs,
    provenance: artifact.provenance,
    wasmsimd: interp.wasmsimd,
    relaxedSimd: interp.relaxedSimd,
    expanded: interp.expanded,
    ...(layout === undefined ? {} : { shapeBuckets: { lengths: layout.lengths, padding: layout.maskInput >= 0 } }),
    run: buckets === undefined ? async (feeds, runOptions) => interp.run(feeds, runOptions) : (feeds, runOptions) => buckets.run(feeds, runOptions),
    dispose: () => {
      buckets?.dispose();
      interp.dispose();
    },
  };
}
