// Loading and running an artifact as an app would: parseArtifact, loadModel, then one run on
// zero inputs of the declared shapes. Refusals with the runtime's own error types (ArtifactError
// from the loader, RunError from binding and running, KernelError from a kernel's checks) are
// fair; any other exception is a crash. Shared by the ONNX cases (compiled artifacts, which must
// load) and the artifact cases (damaged artifacts, which may be refused anywhere).

import { loadModel } from '../../runtime/index.js';
import { parseArtifact } from '../../runtime/loader/load.js';
import { allocArray, sizeOf } from '../../runtime/tensor.js';
import type { TensorView } from '../../runtime/tensor.js';

/** Larger inputs are loaded but not run (compute grows with them, not with the bugs found). */
export const RUN_MAX_INPUT_ELEMENTS = 1 << 20;

/** The runtime's own refusals, by error name (the classes live in loader, executor and kernels). */
export const RUNTIME_REFUSALS: ReadonlySet<string> = new Set(['ArtifactError', 'RunError', 'KernelError']);

export type Stage = 'parse' | 'load' | 'run';

export interface LoadRunResult {
  /** ran: loaded and ran once; loaded: loaded, inputs too large to run; refused / crashed: at `stage`. */
  readonly outcome: 'ran' | 'loaded' | 'refused' | 'crashed';
  readonly stage: Stage;
  /** The refusal's error name and message, or the crash's stack. */
  readonly message?: string;
}

/** Parses, loads and runs `artifact` once on zeros; classifies what happened (never throws). */
export async function loadAndRun(artifact: Uint8Array): Promise<LoadRunResult> {
  let stage: Stage = 'parse';
  try {
    const parsed = parseArtifact(artifact);
    // A batch of 65535 is a fair model that takes long to load (WebAssembly warm-up) and run.
    const small = parsed.inputs.reduce((n, t) => n + sizeOf(parsed.tensors[t]!.shape), 0) <= RUN_MAX_INPUT_ELEMENTS;
    stage = 'load';
    const model = await loadModel(artifact);
    if (!small) { model.dispose(); return { outcome: 'loaded', stage }; }
    stage = 'run';
    const feed: Record<string, TensorView> = {};
    for (const i of model.inputs) feed[i.name] = { dtype: i.dtype, shape: i.shape, data: allocArray(i.dtype, sizeOf(i.shape)) };
    try {
      await model.run(feed);
    } finally {
      model.dispose();
    }
    return { outcome: 'ran', stage };
  } catch (e) {
    const name = (e as Error | undefined)?.name ?? '';
    if (e instanceof Error && RUNTIME_REFUSALS.has(name)) return { outcome: 'refused', stage, message: `${name}: ${e.message}` };
    return { outcome: 'crashed', stage, message: e instanceof Error ? e.stack ?? e.message : String(e) };
  }
}

/**
 * A compiled artifact must parse; loading and running it may refuse with a RunError or
 * KernelError (say, for a zero-sized dimension). Undefined when fine, else what went wrong.
 */
export async function runArtifact(artifact: Uint8Array): Promise<string | undefined> {
  const r = await loadAndRun(artifact);
  if (r.outcome === 'crashed') return `running the compiled artifact (${r.stage}): ${r.message}`;
  if (r.outcome === 'refused' && r.stage === 'parse') return `the compiled artifact does not parse: ${r.message}`;
  return undefined;
}
