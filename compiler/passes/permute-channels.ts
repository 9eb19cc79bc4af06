// permute-channels: folds channel permutations of the graph's channel spaces into its constants
// (producer rows and biases, consumer reductions, per-channel parameters), so the model computes
// the same outputs with its channels stored in another order. The choice of permutation is the
// caller's (passes/rearrange.ts searches one that keeps more weight under N:M).

import type { Constant, Graph, Node, Value } from '../ir/graph.js';
import { makeGraph } from '../ir/graph.js';
import type { ChannelEdit, ChannelGroup } from '../analysis/channel-groups.js';
import { allocArray } from '../../runtime/tensor.js';

/** Checks that `perm` is a permutation of 0..n−1. */
export function checkPermutation(perm: Int32Array, n: number, what: string): void {
  if (perm.length !== n) throw new Error(`${what}: permutation of length ${perm.length}, expected ${n}`);
  const seen = new Uint8Array(n);
  for (const p of perm) {
    if (!(p >= 0 && p < n) || seen[p]) throw new Error(`${what}: not a permutation of 0..${n - 1}`);
    seen[p] = 1;
  }
}

/** `c` gathered along each axis by `index[axis]` (new position → old position; undefined keeps the axis). */
export function gatherAxes(c: Constant, index: readonly (Int32Array | undefined)[]): Constant {
  const shape = c.shape;
  const data = allocArray(c.dtype, c.data.length) as Float32Array;
  const src = c.data as Float32Array;
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(1);
  for (let a = rank - 2; a >= 0; a--) strides[a] = strides[a + 1]! * shape[a + 1]!;
  // Walk the destination in order, mapping each coordinate.
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < data.length; i++) {
    let off = 0;
    for (let a = 0; a < rank; a++) off += (index[a] ? index[a]![coord[a]!]! : coord[a]!) * strides[a]!;
    data[i] = src[off]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++coord[a]! < shape[a]!) break;
      coord[a] = 0;
    }
  }
  return { dtype: c.dtype, shape, data };
}

/**
 * `graph` with the permutation `perms.get(id)` (perm[new] = old channel) applied to every
 * group `id` of `groups` (computed on this graph by channelGroups). Every constant a group edits
 * is gathered along its channel axis; a constant edited by several groups (a layer that
 * produces one space and consumes another, Concat segments) gets all of them at once. A
 * constant read elsewhere as well (shared, or a graph output) is copied to a new constant for
 * the edited reader. Graph inputs, outputs, node order and shapes are unchanged. Throws on an
 * excluded group or a malformed permutation. Returns `graph` itself when `perms` is empty.
 */
export function permuteChannels(graph: Graph, groups: readonly ChannelGroup[], perms: ReadonlyMap<number, Int32Array>): Graph {
  if (perms.size === 0) return graph;
  const byId = new Map(groups.map((g) => [g.id, g]));
  // (node, input) → edits
  const edits = new Map<string, ChannelEdit[]>();
  for (const [id, perm] of perms) {
    const g = byId.get(id);
    if (!g) throw new Error(`permuteChannels: no group ${id}`);
    if (g.excluded !== undefined) throw new Error(`permuteChannels: group ${id} is excluded (${g.excluded})`);
    checkPermutation(perm, g.channels, `permuteChannels: group ${id}`);
    for (const e of g.edits) {
      const key = `${e.node}\u0000${e.input}`;
      const list = edits.get(key) ?? [];
      list.push(e);
      edits.set(key, list);
    }
  }
  const permOf = new Map<ChannelEdit, Int32Array>();
  for (const [id, perm] of perms) for (const e of byId.get(id)!.edits) permOf.set(e, perm);

  const readers = new Map<string, number>();
  for (const n of graph.nodes) for (const x of n.inputs) if (x !== '') readers.set(x, (readers.get(x) ?? 0) + 1);
  for (const o of graph.outputs) readers.set(o, (readers.get(o) ?? 0) + 1);
  const values = new Map<string, Value>(graph.values);
  const taken = new Set(graph.values.keys());
  const fresh = (base: string): string => {
    let name = `${base}_perm`;
    for (let i = 1; taken.has(name); i++) name = `${base}_perm${i}`;
    taken.add(name);
    return name;
  };
  const nodes: Node[] = graph.nodes.map((node) => {
    let inputs: string[] | undefined;
    node.inputs.forEach((name, input) => {
      const list = edits.get(`${node.name}\u0000${input}`);
      if (!list) return;
      const v = graph.values.get(name);
      const c = v?.constant;
      if (!v || !c) throw new Error(`permuteChannels: node '${node.name}' input ${input} ('${name}') is not a constant`);
      const index: (Int32Array | undefined)[] = c.shape.map(() => undefined);
      for (const e of list) {
        const len = c.shape[e.axis]!;
        const ix = index[e.axis] ?? Int32Array.from({ length: len }, (_, i) => i);
        const perm = permOf.get(e)!;
        for (let ch = 0; ch < perm.length; ch++) {
          for (let s = 0; s < e.factor; s++) ix[(e.offset + ch) * e.factor + s] = (e.offset + perm[ch]!) * e.factor + s;
        }
        index[e.axis] = ix;
      }
      const permuted = gatherAxes(c, index);
      if (readers.get(name) === 1) {
        values.set(name, { ...values.get(name)!, constant: permuted });
      } else {
        const fn = fresh(name);
        values.set(fn, { ...v, name: fn, constant: permuted });
        inputs ??= [...node.inputs];
        inputs[input] = fn;
      }
    });
    return inputs ? { ...node, inputs } : node;
  });
  return makeGraph({ ...graph, values: values.values(), nodes });
}

/** A seeded permutation of 0..n−1 (xorshift32 Fisher–Yates): for tests and benchmarks. */
export function seededPermutation(n: number, seed: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  let s = (seed >>> 0) || 0x9e3779b9;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    const t = p[i]!; p[i] = p[j]!; p[j] = t;
  }
  return p;
}
