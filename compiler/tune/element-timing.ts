// Timing one per-element kernel on its op's synthetic nodes (element-nodes.ts), in a worker thread
// of its own when it is a registered kernel: timed after a hundred others in one isolate, a js or
// ref kernel ran 2.4–7.5× slower than in a model (their shared helpers' call sites had gone megamorphic).

import { Worker } from 'node:worker_threads';
import type { Kernel } from '../../runtime/kernels/kernel.js';
import { ALL_KERNELS } from '../../runtime/kernels/index.js';
import { buildElementNode, ELEMENT_SIZES, elementForms, nmElementNode } from './element-nodes.js';
import type { ElementNode } from './element-nodes.js';
import type { TimingPlan } from './measure.js';
import { timeCall } from './measure.js';
import { wasmNodeContext } from './wasm-context.js';

export interface ElementRun {
  /** The synthetic node, e.g. 'Add per channel 1×32×24×24'. */
  readonly layer: string;
  /** Index of its size in ELEMENT_SIZES. */
  readonly size: number;
  readonly work: number;
  readonly ns: number;
}

export interface ElementTiming {
  readonly runs: readonly ElementRun[];
  /** Forms that did not build and kernels that failed on a node (not KernelErrors: those only skip). */
  readonly notes: readonly string[];
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Prepares `k` on a synthetic node; undefined when the kernel does not take it (its dtypes,
 * supports, or a KernelError from prepare). Any other error is a finding about the kernel or the
 * template, returned as a note: one broken kernel must not stop a tune of all the others.
 */
async function prepareElement(k: Kernel, n: ElementNode): Promise<(() => void) | string | undefined> {
  const first = n.inputs.find((t) => t !== undefined);
  if (k.dtypes !== 'any' && first && !k.dtypes.includes(first.dtype)) return undefined;
  try {
    if (k.supports && !k.supports({ inputs: n.inputs, outputs: n.outputs, attrs: n.attrs })) return undefined;
    const base = { node: n.name, attrs: n.attrs, inputs: n.inputs, outputs: n.outputs, ...(n.constants ? { constants: n.constants } : {}) };
    const ctx = k.target === 'wasmsimd' ? await wasmNodeContext(k, n.name, n.attrs, n.inputs, n.outputs, n.constants) : base;
    if (!ctx) return undefined;
    const run = k.prepare(ctx);
    run(); // a kernel that throws on its first call is reported here, not in the middle of timing
    return run;
  } catch (e) {
    if (e instanceof Error && e.name === 'KernelError') return undefined;
    return `${k.id} failed on ${n.name}: ${errorText(e)}`;
  }
}

/** The synthetic nodes of `op` with the index of their size, built once for all its kernels; forms shape inference refuses become notes. */
function elementNodes(op: string, quick: boolean, notes: string[]): { size: number; node: ElementNode }[] {
  const nodes: { size: number; node: ElementNode }[] = [];
  for (const { size, form } of elementForms(op, quick)) {
    try {
      nodes.push({ size: ELEMENT_SIZES.indexOf(size), node: buildElementNode(op, form) });
    } catch (e) {
      const note = `${op} ${form.name}: not built (${errorText(e)})`;
      if (!notes.includes(note)) notes.push(note);
    }
  }
  return nodes;
}

/** Times `k` on every synthetic node of its op that it takes, in this thread. */
export async function timeElementKernel(k: Kernel, quick: boolean, plan: TimingPlan): Promise<ElementTiming> {
  const notes: string[] = [], runs: ElementRun[] = [];
  for (const { size, node: built } of elementNodes(k.op, quick, notes)) {
    // A kernel reading an N:M weight runs the node's weight pruned 2:4 and packed.
    const node = k.format === 'nm' ? nmElementNode(k, built) : built;
    if (!node) continue;
    const run = await prepareElement(k, node);
    if (typeof run === 'string') notes.push(run);
    if (typeof run === 'function') runs.push({ layer: node.name, size, work: node.work, ns: timeCall(run, plan) });
  }
  return { runs, notes };
}

/** Times `k` in a fresh worker thread when the registry has it (the worker finds it by id); otherwise (a test's kernel) in this thread. */
export async function timeElementIsolated(k: Kernel, quick: boolean, plan: TimingPlan): Promise<ElementTiming> {
  if (!ALL_KERNELS.includes(k)) return timeElementKernel(k, quick, plan);
  const worker = new Worker(new URL('./element-worker.js', import.meta.url), { workerData: { id: k.id, quick, plan } });
  try {
    return await new Promise<ElementTiming>((resolve, reject) => {
      worker.once('message', (m: ElementTiming) => resolve(m));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`tune worker for ${k.id} exited with code ${code} before reporting`)));
    });
  } finally {
    await worker.terminate();
  }
}
