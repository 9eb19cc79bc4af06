// A fuzz worker thread: compiles the cases the campaign posts, one at a time, in the folder
// the campaign gives it (and removes), then loads and runs each compiled artifact on zero
// inputs, where a RunError or KernelError is a fair refusal and anything else a crash.
// In a worker, a case that hangs can be stopped (terminate()).

import { parentPort, workerData } from 'node:worker_threads';
import { runArtifact } from './run-case.js';
import { compileCase } from './compile-case.js';
import type { CaseResult } from './compile-case.js';

const { dir } = workerData as { dir: string };

parentPort!.on('message', (msg: { id: number; bytes: Uint8Array; preset: number }) => {
  const started = performance.now();
  const { artifact, ...result }: CaseResult = compileCase(msg.bytes, msg.preset, dir);
  void (async () => {
    const crash = artifact ? await runArtifact(artifact) : undefined;
    const reply = crash ? { outcome: 'crashed', message: crash } : result;
    parentPort!.postMessage({ id: msg.id, ...reply, ms: performance.now() - started });
  })();
});
