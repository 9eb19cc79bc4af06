// Liveness of every runtime tensor and its placement in one arena. Buffers whose lifetimes
// overlap never share bytes; a node's inputs and outputs always overlap (both live at its step).

import type { Graph } from '../ir/graph.js';
import { isStatic } from '../ir/graph.js';
import { DTYPE_BYTES } from '../../runtime/tensor.js';

export const ARENA_ALIGNMENT = 64;

export interface Lifetime {
  readonly name: string;
  readonly bytes: number;
  /** Step of the producing node (-1 for graph inputs). */
  readonly first: number;
  /** Last step that reads it (nodes.length for graph outputs). */
  readonly last: number;
}

export interface MemoryPlan {
  readonly arenaBytes: number;
  readonly alignment: number;
  /** Byte offset of every non-constant value, by name. */
  readonly offsets: ReadonlyMap<string, number>;
  readonly lifetimes: readonly Lifetime[];
}

/** Lifetimes of every non-constant value that exists at run time. */
export function computeLifetimes(g: Graph): Lifetime[] {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  for (const name of g.inputs) { first.set(name, -1); last.set(name, -1); }
  g.nodes.forEach((n, step) => {
    for (const i of n.inputs) if (i !== '' && first.has(i)) last.set(i, step);
    for (const o of n.outputs) if (o !== '') { first.set(o, step); last.set(o, step); }
  });
  for (const o of g.outputs) if (first.has(o)) last.set(o, g.nodes.length);
  const out: Lifetime[] = [];
  for (const [name, f] of first) {
    const v = g.values.get(name);
    if (!v || v.constant) continue;
    if (!isStatic(v.shape)) throw new Error(`memory plan: value '${name}' has no static shape`);
    const count = v.shape.reduce((a, b) => a * b, 1);
    out.push({ name, bytes: count * DTYPE_BYTES[v.dtype], first: f, last: last.get(name) ?? f });
  }
  return out;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/**
 * Greedy best-fit by size: the largest buffers are placed first, each at the lowest aligned
 * offset that does not collide with an already placed buffer whose lifetime overlaps.
 * Ties break by first use then name, so the plan is deterministic.
 */
export function planArena(g: Graph): MemoryPlan {
  const lifetimes = computeLifetimes(g);
  const order = [...lifetimes].sort((a, b) => b.bytes - a.bytes || a.first - b.first || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const placed: { lt: Lifetime; offset: number; end: number }[] = [];
  const offsets = new Map<string, number>();
  let arenaBytes = 0;
  for (const lt of order) {
    const size = alignUp(Math.max(lt.bytes, 1), ARENA_ALIGNMENT);
    const conflicts = placed
      .filter((p) => p.lt.first <= lt.last && lt.first <= p.lt.last)
      .sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const c of conflicts) {
      if (offset + size <= c.offset) break;
      offset = Math.max(offset, alignUp(c.end, ARENA_ALIGNMENT));
    }
    placed.push({ lt, offset, end: offset + size });
    offsets.set(lt.name, offset);
    arenaBytes = Math.max(arenaBytes, offset + size);
  }
  return { arenaBytes, alignment: ARENA_ALIGNMENT, offsets, lifetimes };
}
