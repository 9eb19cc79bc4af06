// The worker thread element-timing.ts times one registered per-element kernel in: finds it by id,
// times it, posts the runs back (a fresh isolate: no JIT state left behind by other kernels).

import { parentPort, workerData } from 'node:worker_threads';
import { ALL_KERNELS } from '../../runtime/kernels/index.js';
import type { TimingPlan } from './measure.js';
import { timeElementKernel } from './element-timing.js';

const { id, quick, plan } = workerData as { id: string; quick: boolean; plan: TimingPlan };
const k = ALL_KERNELS.find((x) => x.id === id);
if (!k) throw new Error(`tune worker: no kernel '${id}'`);
parentPort!.postMessage(await timeElementKernel(k, quick, plan));
