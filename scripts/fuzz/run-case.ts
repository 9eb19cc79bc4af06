// Runs a fuzz case's compiled artifact once on zero inputs: loading and running it may refuse
// (a RunError or KernelError, say for a zero-sized dimension) but never crash.

import { loadModel } from '../../runtime/index.js';
import { parseArtifact } from '../../runtime/loader/load.js';
import { allocArray, sizeOf } from '../../runtime/tensor.js';
import type { TensorView } from '../../runtime/tensor.js';

/** Larger inputs are loaded but not run (compute grows with them, not with the bugs found). */
export const RUN_MAX_INPUT_ELEMENTS = 1 << 20;

/** Loads the artifact and runs it once on zeros; undefined when it ran or refused fairly. */
export async function runArtifact(artifact: Uint8Array): Promise<string | undefined> {
  try {
    // A mutated batch of 65535 is a fair model that takes long to load (WebAssembly warm-up) and run: only small inputs run.
    const parsed = parseArtifact(artifact);
    if (parsed.inputs.reduce((n, t) => n + sizeOf(parsed.tensors[t]!.shape), 0) > RUN_MAX_INPUT_ELEMENTS) return undefined;
    const model = await loadModel(artifact);
    const feed: Record<string, TensorView> = {};
    for (const i of model.inputs) feed[i.name] = { dtype: i.dtype, shape: i.shape, data: allocArray(i.dtype, sizeOf(i.shape)) };
    model.run(feed);
    return undefined;
  } catch (e) {
    const name = (e as Error | undefined)?.name;
    if (name === 'RunError' || name === 'KernelError') return undefined;
    return `running the compiled artifact: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
  }
}

