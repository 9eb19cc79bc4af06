// A fuzz worker thread: compiles the cases the campaign posts, one at a time, in the folder
// the campaign gives it (and removes), then loads and runs each compiled artifact on zero
// inputs, where a RunError or KernelError is a fair refusal and anything else a crash.
// In a worker, a case that hangs can be stopped (terminate()).

import { parentPort, workerData } from 'node:worker_threads';
import { loadModel } from '../../runtime/index.js';
import { allocArray, sizeOf } from '../../runtime/tensor.js';
import type { TensorView } from '../../runtime/tensor.js';
import { compileCase } from './compile-case.js';
import type { CaseResult } from './compile-case.js';

const { dir } = workerData as { dir: string };

/** Loads the artifact and runs it once on zeros; undefined when it ran or refused fairly. */
async function runArtifact(artifact: Uint8Array): Promise<string | undefined> {
  try {
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

parentPort!.on('message', (msg: { id: number; bytes: Uint8Array; preset: number }) => {
  const started = performance.now();
  const { artifact, ...result }: CaseResult = compileCase(msg.bytes, msg.preset, dir);
  void (async () => {
    const crash = artifact ? await runArtifact(artifact) : undefined;
    const reply = crash ? { outcome: 'crashed', message: crash } : result;
    parentPort!.postMessage({ id: msg.id, ...reply, ms: performance.now() - started });
  })();
});
