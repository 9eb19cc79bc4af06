// A fuzz worker thread: compiles the cases the campaign posts, one at a time, in the folder
// the campaign gives it (and removes). In a worker, a case that hangs can be stopped (terminate()).

import { parentPort, workerData } from 'node:worker_threads';
import { compileCase } from './compile-case.js';

const { dir } = workerData as { dir: string };

parentPort!.on('message', (msg: { id: number; bytes: Uint8Array; preset: number }) => {
  const started = performance.now();
  const result = compileCase(msg.bytes, msg.preset, dir);
  parentPort!.postMessage({ id: msg.id, ...result, ms: performance.now() - started });
});
