// The compiler's side of the resource limits (runtime/loader/limits.ts holds the shared
// definitions): a budget the frontend charges weights to before decoding them, and the checks
// on graph size and value shapes that run before any pass allocates a tensor.

import { SpcError } from './errors.js';
import { echoList } from './echo.js';
import type { Graph } from './ir/graph.js';
import { DTYPE_BYTES } from '../runtime/tensor.js';
import type { DType } from '../runtime/tensor.js';
import { boundedElements, DEFAULT_LIMITS, overLimit, resolveLimits, weightBytesOf } from '../runtime/loader/limits.js';
import type { Limits } from '../runtime/loader/limits.js';
import type { LoadedArtifact } from '../runtime/loader/model.js';

export { DEFAULT_LIMITS, LIMIT_CEILINGS, LIMIT_FLAGS, resolveLimits } from '../runtime/loader/limits.js';
export type { Limits } from '../runtime/loader/limits.js';

/** Limits plus the weight bytes charged so far (one budget per model). */
export class WeightBudget {
  private used = 0;
  constructor(readonly limits: Limits = DEFAULT_LIMITS) {}

  /** Checks a tensor of `shape` and `dtype` against the limits and charges its bytes; returns its element count. */
  charge(shape: readonly number[], dtype: DType, where: string): number {
    const count = tensorElements(shape, this.limits, where);
    const bytes = count * DTYPE_BYTES[dtype];
    if (this.used + bytes > this.limits.maxWeightBytes) {
      throw new SpcError(`${where}: ${overLimit('brings the weights to', `${this.used + bytes} bytes, which`, this.limits, 'maxWeightBytes', 'compile')}`);
    }
    this.used += bytes;
    return count;
  }
}

/** Element count of a static shape, or an SpcError naming the limit (checked step by step, before any allocation). */
export function tensorElements(shape: readonly number[], limits: Limits, where: string): number {
  const n = boundedElements(shape, limits.maxTensorElements);
  if (n !== undefined) return n;
  const bad = shape.find((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad !== undefined) throw new SpcError(`${where}: dimension ${bad} in shape ${echoList(shape)} is not a size`);
  const exact = shape.reduce((p, d) => p * BigInt(d), 1n);
  throw new SpcError(`${where}: ${overLimit(`shape ${echoList(shape)} has`, `${exact} elements, which`, limits, 'maxTensorElements', 'compile')}`);
}

/** Graph size, checked on the decoded model before anything is imported. */
export function checkGraphSize(counts: { nodes: number; values: number }, limits: Limits, file: string): void {
  if (counts.nodes > limits.maxNodes) throw new SpcError(`${file}: ${overLimit('the graph has', `${counts.nodes} nodes, which`, limits, 'maxNodes', 'compile')}`);
  if (counts.values > limits.maxValues) throw new SpcError(`${file}: ${overLimit('the graph has', `${counts.values} values, which`, limits, 'maxValues', 'compile')}`);
}

/** Every value with a static shape stays within maxTensorElements (after shape inference, before folding allocates). */
export function checkValueShapes(g: Graph, limits: Limits): void {
  for (const v of g.values.values()) {
    if (v.constant || !v.shape || !v.shape.every((d) => typeof d === 'number')) continue;
    if (boundedElements(v.shape as number[], limits.maxTensorElements) !== undefined) continue;
    tensorElements(v.shape as number[], limits, `value '${v.name}'${producerOf(g, v.name)}`);
  }
}

/**
 * What the memory planner and the writer need of the final graph, as SpcErrors: every value that
 * exists at run time has a static shape within the limits, and graph outputs are computed
 * (an output folded into a constant has no node to write it).
 */
export function checkRuntimeValues(g: Graph, limits: Limits): void {
  const runtime = new Set<string>(g.inputs);
  for (const n of g.nodes) for (const o of n.outputs) if (o !== '') runtime.add(o);
  for (const name of g.outputs) {
    const v = g.values.get(name);
    if (v?.constant) throw new SpcError(`graph output '${name}' is a constant (it does not depend on any input); spc cannot emit constant outputs`);
    if (g.inputs.includes(name)) throw new SpcError(`graph output '${name}' is also a graph input; spc cannot pass an input through unchanged`);
  }
  for (const name of runtime) {
    const v = g.values.get(name);
    if (!v || v.constant) continue;
    if (v.shape && v.shape.every((d) => typeof d === 'number') && boundedElements(v.shape as number[], limits.maxTensorElements) !== undefined) continue;
    const where = `value '${name}'${producerOf(g, name)}`;
    if (!v.shape || !v.shape.every((d) => typeof d === 'number')) {
      throw new SpcError(`${where}: shape ${echoList(v.shape ?? ['?'])} is not static (it depends on run-time data, or the node's inputs are inconsistent)`);
    }
    tensorElements(v.shape as number[], limits, where);
  }
}

function producerOf(g: Graph, name: string): string {
  const n = g.nodes.find((x) => x.outputs.includes(name));
  return n ? ` (output of node '${n.name}' (${n.op}))` : '';
}

/** The memory plan's arena within maxArenaBytes (what the loader checks, as an SpcError). */
export function checkArenaBytes(arenaBytes: number, limits: Limits, file: string): void {
  if (arenaBytes > limits.maxArenaBytes) throw new SpcError(`${file}: ${overLimit('the activations need an arena of', `${arenaBytes} bytes, which`, limits, 'maxArenaBytes', 'compile')}`);
}

/** The lowered weights within maxWeightBytes, counted per tensor as the loader counts them (folded constants included). */
export function checkWeightBytes(a: LoadedArtifact, limits: Limits, file: string): void {
  let total = 0;
  for (const t of a.tensors) total += t.kind === 'weight' ? weightBytesOf(t) : 0;
  if (total > limits.maxWeightBytes) throw new SpcError(`${file}: ${overLimit('the weights total', `${total} bytes, which`, limits, 'maxWeightBytes', 'compile')}`);
}

/** Resolves user-given limits, reporting bad values as SpcErrors. */
export function compileLimits(given: Partial<Limits> | undefined): Limits {
  return resolveLimits(given, (m) => new SpcError(m));
}
