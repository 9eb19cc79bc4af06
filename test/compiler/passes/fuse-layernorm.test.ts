// fuse-layernorm: the decomposed LayerNorm becomes one LayerNormalization (before/after
// equivalence on random inputs through the evaluator); near misses are left alone; the
// corpus transformer keeps matching onnxruntime with its four LayerNorms fused.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Graph } from '../../../compiler/ir/graph.js';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import { evaluateGraph } from '../../../compiler/analysis/interpret.js';
import { emitOnnx } from '../../../compiler/emit/onnx.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { canonicalizePipeline } from '../../../compiler/passes/pipelines.js';
import { fuseLayernorm } from '../../../compiler/passes/fuse-layernorm.js';
import type { TensorView } from '../../../runtime/tensor.js';
import { MODELS_DIR } from '../../helpers/corpus.js';
import { readNpy } from '../../helpers/files.js';
import { assertClose } from '../../helpers/compare.js';
import type { GraphSpec } from './build.js';
import { assertEquivalent, build, countOps, f32, i64, ints, randomF32 } from './build.js';

type NodeSpec = GraphSpec['nodes'][number];

interface Variant {
  readonly x?: readonly number[];
  readonly gamma?: readonly number[] | null;
  readonly beta?: readonly number[] | null;
  readonly commute?: boolean;
  readonly axes?: readonly number[];
  readonly exponent?: number;
  readonly opset?: number;
  readonly extraOutputs?: readonly string[];
  readonly axesAsInput?: boolean;
  /** Shape of the ε constant (default scalar). */
  readonly epsShape?: readonly number[];
}

/** x → the nine-node LayerNorm as PyTorch exports it (before opset 17) → y. */
function decomposed(v: Variant = {}): Graph {
  const x = v.x ?? [2, 3, 8];
  const c = x[x.length - 1]!;
  const axes = v.axes ?? [-1];
  const gamma = v.gamma === undefined ? [c] : v.gamma;
  const beta = v.beta === undefined ? [c] : v.beta;
  const consts: Record<string, ReturnType<typeof f32>> = { two: f32([], [v.exponent ?? 2]), eps: f32(v.epsShape ?? [], [1e-5]) };
  if (gamma) consts['gamma'] = randomF32(gamma, 5, 0.5, 1.5);
  if (beta) consts['beta'] = randomF32(beta, 6);
  if (v.axesAsInput) consts['axes'] = i64(axes);
  const mean = (input: string, out: string): NodeSpec => (v.axesAsInput
    ? ['ReduceMean', [input, 'axes'], [out]]
    : ['ReduceMean', [input], [out], { axes: ints(axes) }]);
  const nodes: NodeSpec[] = [
    mean('x', 'm'),
    ['Sub', ['x', 'm'], ['d']],
    ['Pow', ['d', 'two'], ['p']],
    mean('p', 'v'),
    ['Add', ['v', 'eps'], ['ve']],
    ['Sqrt', ['ve'], ['s']],
    ['Div', ['d', 's'], ['n']],
  ];
  let last = 'n';
  if (gamma) { nodes.push(['Mul', v.commute ? ['gamma', last] : [last, 'gamma'], ['g']]); last = 'g'; }
  if (beta) { nodes.push(['Add', v.commute ? ['beta', last] : [last, 'beta'], ['y']]); last = 'y'; }
  return build({ opset: v.opset, inputs: { x: ['float32', x] }, consts, nodes, outputs: [last, ...(v.extraOutputs ?? [])] });
}

function fuse(g: Graph): Graph {
  return runPipeline(g, [fuseLayernorm], makePassContext(), { verify: true });
}

describe('passes/fuse-layernorm', () => {
  it('fuses the nine nodes into LayerNormalization(axis -1, epsilon) and raises opset 13 to 17', () => {
    const g = decomposed();
    const out = fuse(g);
    assert.deepEqual(out.nodes.map((n) => n.op), ['LayerNormalization']);
    const ln = out.nodes[0]!;
    assert.deepEqual(ln.inputs, ['x', 'gamma', 'beta']);
    assert.deepEqual(ln.outputs, ['y']);
    assert.deepEqual(ln.attrs['axis'], { kind: 'int', value: -1 });
    assert.ok(Math.abs((ln.attrs['epsilon'] as { value: number }).value - 1e-5) < 1e-12);
    assert.equal(out.opset, 17);
    assertEquivalent(g, out);
  });

  it('fuses commuted Mul/Add, [1,1,C] constants, no γ/β, axes as [rank-1] and as an input, opset 18', () => {
    const variants: Variant[] = [
      { commute: true },
      { x: [1, 4, 16], gamma: [1, 1, 16], beta: [1, 16] },
      { gamma: null, beta: null },
      { beta: null },
      { x: [5, 7], axes: [1] },
      { x: [3], gamma: [3], beta: [3] },
      { opset: 18, axesAsInput: true },
    ];
    for (const v of variants) {
      const g = decomposed(v);
      const out = fuse(g);
      assert.equal(countOps(out, 'LayerNormalization'), 1, JSON.stringify(v));
      assert.equal(out.nodes.length, 1, JSON.stringify(v));
      assert.equal(out.opset, Math.max(17, v.opset ?? 13));
      assertEquivalent(g, out);
    }
  });

  it('keeps a γ that is not one value per channel as its own Mul', () => {
    const g = decomposed({ x: [3, 8], gamma: [3, 8] });
    const out = fuse(g);
    assert.deepEqual(out.nodes.map((n) => n.op), ['LayerNormalization', 'Mul', 'Add']);
    assertEquivalent(g, out);
  });

  it('leaves near misses alone: other axis, exponent 3, an intermediate read outside, opset 11, an ε that raises the rank', () => {
    const misses: Variant[] = [
      { axes: [1] },
      { exponent: 3 },
      { extraOutputs: ['m'] },
      { extraOutputs: ['s'] },
      { extraOutputs: ['d'] },
      { opset: 11 },
      { epsShape: [1, 1, 1, 1] },
    ];
    for (const v of misses) {
      const g = decomposed(v);
      assert.equal(fuseLayernorm.run(g, makePassContext()), g, JSON.stringify(v));
    }
  });

  it('stops at the Mul when its output is also read elsewhere (the Add β stays)', () => {
    const g = decomposed({ extraOutputs: ['g'] });
    const out = fuse(g);
    assert.deepEqual(out.nodes.map((n) => n.op), ['LayerNormalization', 'Add']);
    assertEquivalent(g, out);
  });

  it('transformer_enc2: four LayerNorms fused; the graph still matches onnxruntime, and so does its emitted ONNX in onnxruntime', async function () {
    this.timeout(60_000);
    const path = join(MODELS_DIR, 'transformer_enc2.onnx');
    const g = runPipeline(loadOnnx(path).graph, canonicalizePipeline, makePassContext(), { verify: true });
    assert.equal(countOps(g, 'LayerNormalization'), 4);
    assert.equal(countOps(g, 'Pow'), 0);
    assert.equal(countOps(g, 'Sqrt'), 0);
    const feed = readNpy(join(MODELS_DIR, 'transformer_enc2.input.npy'));
    const want = readNpy(join(MODELS_DIR, 'transformer_enc2.output.npy'));
    const got = evaluateGraph(g, { token_ids: feed as TensorView })['output']!;
    assertClose(got.data, want.data, 1e-4, 1e-5, 'evaluated transformer_enc2');
    const session = await ort.InferenceSession.create(emitOnnx(g), { intraOpNumThreads: 1 });
    try {
      const out = await session.run({ token_ids: new ort.Tensor('int64', feed.data as BigInt64Array, [...feed.shape]) });
      assertClose(out['output']!.data as Float32Array, want.data, 1e-4, 1e-5, 'emitted transformer_enc2 in onnxruntime');
    } finally {
      await session.release();
    }
  });
});
