// A fuzz worker thread, one case at a time, in the folder the campaign gives it (and removes).
// ONNX cases: compile, then load and run each compiled artifact on zero inputs (a RunError or
// KernelError is a fair refusal there, anything else a crash). Artifact cases: parse, load and
// run a damaged artifact (run-case.ts classifies). In a worker, a case that hangs can be stopped.

import { parentPort, workerData } from 'node:worker_threads';
import { loadAndRun, runArtifact } from './run-case.js';
import { compileCase } from './compile-case.js';
import type { CaseResult } from './compile-case.js';

const { dir } = workerData as { dir: string };

export type WorkerMessage =
  | { readonly id: number; readonly kind: 'onnx'; readonly bytes: Uint8Array; readonly preset: number }
  | { readonly id: number; readonly kind: 'artifact'; readonly bytes: Uint8Array };

parentPort!.on('message', (msg: WorkerMessage) => {
  const started = performance.now();
  void (async () => {
    if (msg.kind === 'artifact') {
      const r = await loadAndRun(msg.bytes);
      parentPort!.postMessage({ id: msg.id, ...r, ms: performance.now() - started });
      return;
    }
    const { artifact, ...result }: CaseResult = compileCase(msg.bytes, msg.preset, dir);
    const crash = artifact ? await runArtifact(artifact) : undefined;
    const reply = crash ? { outcome: 'crashed', message: crash } : result;
    parentPort!.postMessage({ id: msg.id, ...reply, ms: performance.now() - started });
  })();
});
