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
 * How many placed buffers (and step-index nodes) the best-fit placement may examine in all
 * (about a second of work) before the plan falls back to stepPlan. Real models examine a few per buffer; a graph that
 * keeps tens of thousands of values live at once (an attacker's 100k-node fan-in) would examine
 * billions. A count of work, never time: the plan of a given graph does not depend on the machine.
 */
export const BEST_FIT_BUDGET = 2 ** 25;

/**
 * Greedy best-fit by size: the largest buffers are placed first, each at the lowest aligned
 * offset that does not collide with an already placed buffer whose lifetime overlaps.
 * Ties break by first use then name, so the plan is deterministic. The placed buffers are
 * indexed by step (StepIndex), so finding the overlapping ones costs about their number, not
 * the number placed (a scan of all of them made the plan quadratic: 13 s at 50k nodes). When
 * that number passes `budget` in all, the plan is stepPlan's instead (linear, larger arena).
 */
export function planArena(g: Graph, budget = BEST_FIT_BUDGET): MemoryPlan {
  const lifetimes = computeLifetimes(g);
  const offsets = bestFit(lifetimes, g.nodes.length, budget) ?? stepPlan(lifetimes, g.nodes.length);
  let arenaBytes = 0;
  for (const lt of lifetimes) arenaBytes = Math.max(arenaBytes, offsets.get(lt.name)! + alignUp(Math.max(lt.bytes, 1), ARENA_ALIGNMENT));
  return { arenaBytes, alignment: ARENA_ALIGNMENT, offsets, lifetimes };
}

/**
 * The fallback: buffers taken in step order, each reusing a freed slot of exactly its size (the
 * most recently freed) or a new one on top. A slot is freed after the last step that reads its
 * buffer, so buffers live at the same step never share bytes. O(n log n), deterministic.
 */
function stepPlan(lifetimes: readonly Lifetime[], steps: number): Map<string, number> {
  const order = [...lifetimes].sort((a, b) => a.first - b.first || b.bytes - a.bytes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Buffers by their last step (shifted by one: graph inputs read by no node end at -1).
  const endingAt: { offset: number; size: number }[][] = Array.from({ length: steps + 2 }, () => []);
  const free = new Map<number, number[]>();
  const offsets = new Map<string, number>();
  let released = 0, top = 0;
  for (const lt of order) {
    for (; released < lt.first + 1; released++) {
      for (const slot of endingAt[released]!) {
        let list = free.get(slot.size);
        if (!list) free.set(slot.size, (list = []));
        list.push(slot.offset);
      }
    }
    const size = alignUp(Math.max(lt.bytes, 1), ARENA_ALIGNMENT);
    let offset = free.get(size)?.pop();
    if (offset === undefined) { offset = top; top += size; }
    endingAt[lt.last + 1]!.push({ offset, size });
    offsets.set(lt.name, offset);
  }
  return offsets;
}

/** The best-fit placement, or undefined when it would examine more than `budget` placed buffers. */
function bestFit(lifetimes: readonly Lifetime[], steps: number, budget: number): Map<string, number> | undefined {
  const order = [...lifetimes].sort((a, b) => b.bytes - a.bytes || a.first - b.first || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Placed buffers by placement id, in typed arrays: a wide graph (thousands of values live at
  // once) looks at thousands of placed buffers per placement, and objects and closures there
  // cost more than the search itself.
  const placedOffset = new Float64Array(order.length);
  const placedEnd = new Float64Array(order.length);
  // Steps run from -1 (graph inputs) to nodes.length (graph outputs): shifted by one.
  const index = new StepIndex(steps + 2);
  const seen = new Int32Array(order.length).fill(-1);
  let found = new Int32Array(64);
  const byOffset = (x: number, y: number): number => placedOffset[x]! - placedOffset[y]!;
  const units = { occupancy: new Int32Array(1024) };
  const offsets = new Map<string, number>();
  let examined = 0;
  for (let id = 0; id < order.length; id++) {
    const lt = order[id]!;
    const size = alignUp(Math.max(lt.bytes, 1), ARENA_ALIGNMENT);
    let count = 0;
    const lists = index.lists(lt.first + 1, lt.last + 1);
    examined += index.visited;
    if (examined > budget) return undefined;
    for (const list of lists) {
      examined += list.length;
      if (examined > budget) return undefined;
      for (let k = 0; k < list.length; k++) {
        const other = list[k]!;
        if (seen[other] === id) continue;
        seen[other] = id;
        if (count === found.length) { const grown = new Int32Array(2 * count); grown.set(found); found = grown; }
        found[count++] = other;
      }
    }
    const offset = lowestFit(found, count, size, placedOffset, placedEnd, byOffset, units);
    index.insert(id, lt.first + 1, lt.last + 1);
    placedOffset[id] = offset;
    placedEnd[id] = offset + size;
    offsets.set(lt.name, offset);
  }
  return offsets;
}

/**
 * The lowest aligned offset at which `size` bytes collide with none of the `count` placed buffers
 * in `found`. It is 0 or the end of one of them (below a lowest free window's start lies a byte
 * of a buffer that ends there). When those buffers span few alignment units for their number (a
 * wide graph: thousands live at once, packed), the units they occupy are counted and the first
 * free run read off, with no sort; otherwise they are swept in offset order. Both give the same
 * offset, since every offset and size is a multiple of the alignment.
 */
function lowestFit(found: Int32Array, count: number, size: number, placedOffset: Float64Array, placedEnd: Float64Array,
  byOffset: (x: number, y: number) => number, units: { occupancy: Int32Array }): number {
  let top = 0;
  for (let k = 0; k < count; k++) top = Math.max(top, placedEnd[found[k]!]!);
  const span = top / ARENA_ALIGNMENT;
  if (count > 32 && span <= 4 * count + 4096) {
    if (units.occupancy.length < span + 1) units.occupancy = new Int32Array(2 * span + 2);
    const occ = units.occupancy;
    for (let k = 0; k < count; k++) {
      occ[placedOffset[found[k]!]! / ARENA_ALIGNMENT]!++;
      occ[placedEnd[found[k]!]! / ARENA_ALIGNMENT]!--;
    }
    const need = size / ARENA_ALIGNMENT;
    let live = 0, run = 0, at = -1;
    for (let u = 0; u < span; u++) {
      live += occ[u]!;
      occ[u] = 0;
      if (live !== 0) { run = 0; continue; }
      if (++run === need && at < 0) at = u - need + 1;
    }
    occ[span] = 0;
    // No window below the top: the free run that reaches it, continued above.
    return (at >= 0 ? at : span - run) * ARENA_ALIGNMENT;
  }
  const near = found.subarray(0, count).sort(byOffset);
  let offset = 0;
  for (let k = 0; k < count; k++) {
    const other = near[k]!;
    if (offset + size <= placedOffset[other]!) break;
    offset = Math.max(offset, alignUp(placedEnd[other]!, ARENA_ALIGNMENT));
  }
  return offset;
}

/**
 * Intervals of steps in a segment tree: each is stored at the O(log n) nodes that its range
 * covers exactly; a query visits the nodes its range meets and returns what they hold (an
 * interval stored there covers that node, so it meets the query; it may be returned twice).
 */
class StepIndex {
  private readonly size: number;
  private readonly held: (number[] | undefined)[];
  private readonly stack: Int32Array;
  /** Tree nodes the last query visited (a long range visits many). */
  visited = 0;
  constructor(steps: number) {
    let size = 1;
    while (size < steps) size *= 2;
    this.size = size;
    this.held = new Array<number[] | undefined>(2 * size);
    this.stack = new Int32Array(3 * 2 * 64);
  }

  insert(id: number, lo: number, hi: number): void {
    const visit = (node: number, from: number, to: number): void => {
      if (hi < from || to < lo) return;
      if (lo <= from && to <= hi) { (this.held[node] ??= []).push(id); return; }
      const mid = (from + to) >> 1;
      visit(2 * node, from, mid);
      visit(2 * node + 1, mid + 1, to);
    };
    visit(1, 0, this.size - 1);
  }

  /** The lists of the tree nodes that [lo, hi] meets. */
  lists(lo: number, hi: number): (readonly number[])[] {
    const out: (readonly number[])[] = [];
    const stack = this.stack;
    this.visited = 0;
    let top = 0;
    stack[top++] = 1; stack[top++] = 0; stack[top++] = this.size - 1;
    while (top > 0) {
      const to = stack[--top]!, from = stack[--top]!, node = stack[--top]!;
      if (hi < from || to < lo) continue;
      this.visited++;
      const here = this.held[node];
      if (here) out.push(here);
      if (from === to) continue;
      const mid = (from + to) >> 1;
      stack[top++] = 2 * node + 1; stack[top++] = mid + 1; stack[top++] = to;
      stack[top++] = 2 * node; stack[top++] = from; stack[top++] = mid;
    }
    return out;
  }
}
