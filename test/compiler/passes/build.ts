// Hand-built graphs for pass tests: a compact builder, seeded random tensors, and the
// before/after equivalence check (ONNX Runtime's TransformerTester, in miniature).

import { strict as assert } from 'node:assert';
import type { Attr, Constant, Graph, Node, Value } from '../../../compiler/ir/graph.js';
import { makeGraph } from '../../../compiler/ir/graph.js';
import type { DType, TensorView } from '../../../runtime/tensor.js';
import { sizeOf } from '../../../runtime/tensor.js';
import { inferShapes } from '../../../compiler/analysis/shapes.js';
import { evaluateGraph } from '../../../compiler/analysis/interpret.js';
import { verifyGraph } from '../../../compiler/ir/verify.js';
import { mulberry32 } from '../../../compiler/sparse/rearrange/prng.js';

/** mulberry32: a tiny seeded generator, so failures reproduce. */
export const rng = mulberry32;

export function randomF32(shape: readonly number[], seed: number, lo = -1, hi = 1): Constant {
  const r = rng(seed);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * r();
  return { dtype: 'float32', shape, data };
}

export function f32(shape: readonly number[], values: readonly number[]): Constant {
  return { dtype: 'float32', shape, data: Float32Array.from(values) };
}

export function i64(values: readonly number[], shape: readonly number[] = [values.length]): Constant {
  return { dtype: 'int64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

export const int = (value: number): Attr => ({ kind: 'int', value });
export const float = (value: number): Attr => ({ kind: 'float', value });
export const ints = (value: readonly number[]): Attr => ({ kind: 'ints', value });

export interface GraphSpec {
  readonly name?: string;
  readonly opset?: number;
  readonly inputs: Readonly<Record<string, readonly [DType, readonly number[]]>>;
  readonly consts?: Readonly<Record<string, Constant>>;
  /** [op, inputs, outputs, attrs?]; node names are `n0`, `n1`, ... */
  readonly nodes: readonly (readonly [string, readonly string[], readonly string[], Readonly<Record<string, Attr>>?])[];
  readonly outputs: readonly string[];
}

/** Builds the graph and runs shape inference, so it looks like what the frontend hands over. */
export function build(spec: GraphSpec): Graph {
  const values: Value[] = [];
  for (const [name, [dtype, shape]] of Object.entries(spec.inputs)) values.push({ name, dtype, shape });
  for (const [name, c] of Object.entries(spec.consts ?? {})) values.push({ name, dtype: c.dtype, shape: c.shape, constant: c });
  const nodes: Node[] = spec.nodes.map(([op, inputs, outputs, attrs], i) => ({ name: `n${i}`, op, inputs, outputs, attrs: attrs ?? {} }));
  for (const n of nodes) for (const o of n.outputs) if (o !== '') values.push({ name: o, dtype: 'float32' });
  const g = makeGraph({ name: spec.name ?? 'test', opset: spec.opset ?? 13, inputs: Object.keys(spec.inputs), outputs: spec.outputs, values, nodes });
  const typed = inferShapes(g);
  verifyGraph(typed);
  return typed;
}

/** Random float inputs (integer inputs get small non-negative values) for every graph input. */
export function randomInputs(g: Graph, seed: number): Record<string, TensorView> {
  const out: Record<string, TensorView> = {};
  g.inputs.forEach((name, k) => {
    const v = g.values.get(name)!;
    const shape = v.shape as number[];
    if (v.dtype === 'int64') {
      const r = rng(seed + k);
      out[name] = { dtype: 'int64', shape, data: BigInt64Array.from({ length: sizeOf(shape) }, () => BigInt(Math.floor(r() * 4))) };
    } else out[name] = randomF32(shape, seed + k, -2, 2);
  });
  return out;
}

/** Evaluates both graphs on random inputs; asserts max|Δ| ≤ rel·max|before| per output. */
export function assertEquivalent(before: Graph, after: Graph, rel = 1e-5, seeds: readonly number[] = [1, 2, 3]): void {
  assert.deepEqual(after.outputs, before.outputs, 'graph outputs changed');
  for (const seed of seeds) {
    const inputs = randomInputs(before, seed);
    const want = evaluateGraph(before, inputs);
    const got = evaluateGraph(after, inputs);
    for (const o of before.outputs) {
      const w = want[o]!, g = got[o]!;
      assert.deepEqual(g.shape, w.shape, `output ${o}: shape`);
      let maxRef = 0, maxDiff = 0;
      for (let i = 0; i < w.data.length; i++) {
        maxRef = Math.max(maxRef, Math.abs(Number(w.data[i])));
        maxDiff = Math.max(maxDiff, Math.abs(Number(g.data[i]) - Number(w.data[i])));
      }
      assert.ok(maxDiff <= rel * maxRef, `output ${o} (seed ${seed}): max |after − before| = ${maxDiff} > ${rel}·${maxRef}`);
    }
  }
}

export function countOps(g: Graph, op: string): number {
  return g.nodes.filter((n) => n.op === op).length;
}
