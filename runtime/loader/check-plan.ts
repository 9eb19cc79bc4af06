// The memory plan's one promise, checked at load: two tensors that are live at the same step
// never share arena bytes. Live ranges come from node order as the planner derives them
// (compiler/analysis/memory-plan.ts): graph inputs from before the first node, every other
// tensor from the node that writes it, each to the last node that reads it, graph outputs to
// the end. The planner never aliases (not even a Reshape's input and output), so neither may a plan.

import type { LoadedNode, LoadedTensor } from './model.js';
import { DTYPE_BYTES, sizeOf } from '../tensor.js';

interface Live {
  readonly tensor: number;
  readonly first: number;
  readonly last: number;
  readonly start: number;
  readonly end: number;
}

/** Live ranges (in node steps) and byte ranges of every arena tensor that holds bytes and is ever live. */
function liveRanges(tensors: readonly LoadedTensor[], nodes: readonly LoadedNode[], inputs: readonly number[], outputs: readonly number[]): Live[] {
  const NEVER = -2;
  const first = new Int32Array(tensors.length).fill(NEVER);
  const last = new Int32Array(tensors.length).fill(NEVER);
  for (const t of inputs) { first[t] = -1; last[t] = -1; }
  for (let step = 0; step < nodes.length; step++) {
    const n = nodes[step]!;
    for (const t of n.inputs) if (t >= 0 && first[t] !== NEVER) last[t] = step;
    for (const t of n.outputs) if (t >= 0) { first[t] = step; last[t] = step; }
  }
  for (const t of outputs) if (first[t] !== NEVER) last[t] = nodes.length;
  const live: Live[] = [];
  for (let t = 0; t < tensors.length; t++) {
    const tensor = tensors[t]!;
    if (first[t] === NEVER || tensor.arenaOffset === undefined) continue;
    const bytes = sizeOf(tensor.shape) * DTYPE_BYTES[tensor.dtype];
    if (bytes === 0) continue;
    live.push({ tensor: t, first: first[t]!, last: last[t]!, start: tensor.arenaOffset, end: tensor.arenaOffset + bytes });
  }
  return live;
}

/** Indices of `live` ordered by `key` (a step in -1..steps), by counting: O(n + steps). */
function orderBy(live: readonly Live[], key: (l: Live) => number, steps: number): Int32Array {
  const count = new Int32Array(steps + 3);
  for (const l of live) count[key(l) + 2]!++;
  for (let i = 1; i < count.length; i++) count[i]! += count[i - 1]!;
  const order = new Int32Array(live.length);
  live.forEach((l, i) => { order[count[key(l) + 1]!++] = i; });
  return order;
}

/**
 * Counts per elementary byte interval, with "add to a range" and "largest count in a range",
 * both O(log n): the live set's byte ranges are pairwise disjoint exactly when no count exceeds 1.
 */
class CoverTree {
  private readonly max: Int32Array;
  private readonly add: Int32Array;
  constructor(private readonly size: number) {
    this.max = new Int32Array(4 * Math.max(size, 1));
    this.add = new Int32Array(4 * Math.max(size, 1));
  }

  update(lo: number, hi: number, delta: number, node = 1, l = 0, r = this.size): void {
    if (hi <= l || r <= lo) return;
    if (lo <= l && r <= hi) { this.max[node]! += delta; this.add[node]! += delta; return; }
    const mid = (l + r) >> 1;
    this.update(lo, hi, delta, 2 * node, l, mid);
    this.update(lo, hi, delta, 2 * node + 1, mid, r);
    this.max[node] = this.add[node]! + Math.max(this.max[2 * node]!, this.max[2 * node + 1]!);
  }

  query(lo: number, hi: number, node = 1, l = 0, r = this.size): number {
    if (hi <= l || r <= lo) return 0;
    if (lo <= l && r <= hi) return this.max[node]!;
    const mid = (l + r) >> 1;
    return this.add[node]! + Math.max(this.query(lo, hi, 2 * node, l, mid), this.query(lo, hi, 2 * node + 1, mid, r));
  }
}

/**
 * Undefined when no two simultaneously live tensors overlap in the arena; otherwise a message
 * naming the first such pair. A sweep over node steps with the live byte ranges in a CoverTree:
 * O(n log n) in the number of tensors, so a hostile artifact of many tensors cannot stall it.
 */
export function arenaOverlap(tensors: readonly LoadedTensor[], nodes: readonly LoadedNode[], inputs: readonly number[],
  outputs: readonly number[], name: (t: number) => string): string | undefined {
  const live = liveRanges(tensors, nodes, inputs, outputs);
  // Elementary intervals between the sorted distinct range ends (a Float64Array sorts numerically).
  const all = new Float64Array(2 * live.length);
  live.forEach((l, i) => { all[2 * i] = l.start; all[2 * i + 1] = l.end; });
  all.sort();
  let distinct = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[distinct - 1]) all[distinct++] = all[i]!;
  const points = all.subarray(0, distinct);
  const at = (x: number): number => {
    let lo = 0, hi = points.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (points[mid]! < x) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const tree = new CoverTree(points.length);
  // Sweep the steps: free what was last read before this step, then place what starts at it.
  const starts = orderBy(live, (l) => l.first, nodes.length);
  const ends = orderBy(live, (l) => l.last, nodes.length);
  let e = 0;
  for (const i of starts) {
    const l = live[i]!;
    // Ranges are inclusive: a tensor last read at step s - 1 frees its bytes for step s.
    while (e < ends.length && live[ends[e]!]!.last < l.first) {
      const done = live[ends[e++]!]!;
      tree.update(at(done.start), at(done.end), -1);
    }
    const lo = at(l.start), hi = at(l.end);
    if (tree.query(lo, hi) > 0) {
      const other = live.find((o) => o !== l && o.first <= l.first && o.last >= l.first && o.start < l.end && l.start < o.end)!;
      const range = (x: Live): string => `bytes ${x.start}..${x.end} live at steps ${x.first}..${x.last}`;
      return `memory plan: tensors ${other.tensor} ${name(other.tensor)} (${range(other)}) and ${l.tensor} ${name(l.tensor)} ` +
        `(${range(l)}) share arena bytes while both are live`;
    }
    tree.update(lo, hi, 1);
  }
  return undefined;
}
