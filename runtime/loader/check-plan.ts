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
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (const t of inputs) { first.set(t, -1); last.set(t, -1); }
  nodes.forEach((n, step) => {
    for (const t of n.inputs) if (t >= 0 && first.has(t)) last.set(t, step);
    for (const t of n.outputs) if (t >= 0) { first.set(t, step); last.set(t, step); }
  });
  for (const t of outputs) if (first.has(t)) last.set(t, nodes.length);
  const live: Live[] = [];
  for (const [t, f] of first) {
    const tensor = tensors[t]!;
    const bytes = sizeOf(tensor.shape) * DTYPE_BYTES[tensor.dtype];
    if (tensor.arenaOffset === undefined || bytes === 0) continue;
    live.push({ tensor: t, first: f, last: last.get(t)!, start: tensor.arenaOffset, end: tensor.arenaOffset + bytes });
  }
  return live;
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
  const points = [...new Set(live.flatMap((l) => [l.start, l.end]))].sort((a, b) => a - b);
  const index = new Map(points.map((p, i) => [p, i]));
  const tree = new CoverTree(points.length);
  // Buckets by step (+1: graph inputs start at step -1).
  const starting: Live[][] = Array.from({ length: nodes.length + 2 }, () => []);
  const ending: Live[][] = Array.from({ length: nodes.length + 2 }, () => []);
  for (const l of live) { starting[l.first + 1]!.push(l); ending[l.last + 1]!.push(l); }
  const current = new Set<Live>();
  for (let s = 0; s < starting.length; s++) {
    // Ranges are inclusive: a tensor last read at step s - 1 frees its bytes for step s.
    if (s > 0) for (const l of ending[s - 1]!) { tree.update(index.get(l.start)!, index.get(l.end)!, -1); current.delete(l); }
    for (const l of starting[s]!) {
      const lo = index.get(l.start)!, hi = index.get(l.end)!;
      if (tree.query(lo, hi) > 0) {
        const other = [...current].find((o) => o.start < l.end && l.start < o.end)!;
        const range = (x: Live): string => `bytes ${x.start}..${x.end} live at steps ${x.first}..${x.last}`;
        return `memory plan: tensors ${other.tensor} ${name(other.tensor)} (${range(other)}) and ${l.tensor} ${name(l.tensor)} ` +
          `(${range(l)}) share arena bytes while both are live`;
      }
      tree.update(lo, hi, 1);
      current.add(l);
    }
  }
  return undefined;
}
