// prune-channels: structured channel pruning on corpus models and a hand-built graph with BN.
// The pruned IR must be well formed with exact shapes, smaller (parameters and MACs), and its
// emitted ONNX must compute in onnxruntime what spc's evaluator computes on the pruned IR.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { evaluateGraph } from '../../../compiler/analysis/interpret.js';
import { inferShapes } from '../../../compiler/analysis/shapes.js';
import { emitOnnx } from '../../../compiler/emit/onnx.js';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import type { Graph, Value } from '../../../compiler/ir/graph.js';
import { attrInt, makeGraph } from '../../../compiler/ir/graph.js';
import { verifyGraph } from '../../../compiler/ir/verify.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import type { PassNote } from '../../../compiler/passes/pass.js';
import { canonicalizePipeline } from '../../../compiler/passes/pipelines.js';
import { pruneChannels } from '../../../compiler/passes/prune-channels.js';
import type { TensorView } from '../../../runtime/tensor.js';
import { assertClose } from '../../helpers/compare.js';
import { DIGITS_DIR, MODELS_DIR } from '../../helpers/corpus.js';
import { readNpy } from '../../helpers/files.js';
import { passSettings } from '../../../compiler/options/settings.js';

function canonical(path: string, inputShapes?: Record<string, number[]>): Graph {
  return runPipeline(loadOnnx(path, { inputShapes }).graph, canonicalizePipeline, makePassContext());
}

function prune(g: Graph, sparsity: number, extra: Record<string, unknown> = {}): { graph: Graph; notes: PassNote[] } {
  const ctx = makePassContext(passSettings({ pattern: 'channel', sparsity, ...extra }));
  return { graph: pruneChannels.run(g, ctx), notes: ctx.notes };
}

const LAYERS = new Set(['Conv', 'Gemm', 'MatMul']);

/** Elements of every constant read by a Conv, Gemm or MatMul (weights and biases). */
function paramCount(g: Graph): number {
  let total = 0;
  for (const n of g.nodes) {
    if (!LAYERS.has(n.op)) continue;
    for (const x of n.inputs.slice(1)) total += g.values.get(x)?.constant?.data.length ?? 0;
  }
  return total;
}

/** Multiply-accumulates of Conv and Gemm, from the static shapes. */
function macs(g: Graph): number {
  let total = 0;
  for (const n of g.nodes) {
    if (n.op !== 'Conv' && n.op !== 'Gemm') continue;
    const out = g.values.get(n.outputs[0]!)!.shape as number[];
    const w = g.values.get(n.inputs[1]!)!.shape as number[];
    const outCount = out.reduce((p, d) => p * d, 1);
    if (n.op === 'Conv') total += outCount * w.slice(1).reduce((p, d) => p * d, 1);
    if (n.op === 'Gemm') total += outCount * (attrInt(n, 'transB', 0) ? w[1]! : w[0]!);
  }
  return total;
}

async function ortRun(bytes: Uint8Array, name: string, x: TensorView): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ [name]: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) });
    return Object.values(out)[0]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

function digitsInput(n: number): TensorView {
  const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
  return { dtype: 'float32', shape: [n, 1, 8, 8], data: (x.data as Float32Array).slice(0, n * 64) };
}

const CASES: { name: string; load: () => Graph; input: () => TensorView }[] = [
  { name: 'digits_cnn', load: () => canonical(join(DIGITS_DIR, 'digits_cnn.onnx'), { input: [16, 1, 8, 8] }), input: () => digitsInput(16) },
  { name: 'resnet10_w32', load: () => canonical(join(MODELS_DIR, 'resnet10_w32.onnx')), input: () => readNpy(join(MODELS_DIR, 'resnet10_w32.input.npy')) as TensorView },
  { name: 'mobilenet_v2_w050', load: () => canonical(join(MODELS_DIR, 'mobilenet_v2_w050.onnx')), input: () => readNpy(join(MODELS_DIR, 'mobilenet_v2_w050.input.npy')) as TensorView },
];

describe('passes/prune-channels on corpus models at 0.25', function () {
  this.timeout(60_000);
  for (const c of CASES) {
    it(`${c.name}: smaller, well formed, exact shapes; emitted ONNX matches spc's evaluation of the pruned IR`, async () => {
      const g = c.load();
      const before = [...g.values.values()];
      const { graph: p, notes } = prune(g, 0.25);
      assert.notEqual(p, g);
      assert.deepEqual([...g.values.values()], before, 'the input graph is untouched');
      verifyGraph(p, { requireShapes: true });
      assert.equal(inferShapes(p), p, 'shape inference derives exactly the shapes the pass wrote');
      assert.ok(paramCount(p) < paramCount(g), `parameters ${paramCount(g)} → ${paramCount(p)}`);
      assert.ok(macs(p) < macs(g), `MACs ${macs(g)} → ${macs(p)}`);
      const pruned = notes.filter((n) => /^channels \d+ → \d+$/.test(n.message));
      assert.ok(pruned.length > 0, 'some layer was pruned');
      for (const n of pruned) {
        const [, a, b] = /^channels (\d+) → (\d+)$/.exec(n.message)!.map(Number);
        assert.equal(b, a! - Math.round(0.25 * a!), `${n.node}: ${n.message}`);
      }
      const x = c.input();
      const inputName = g.inputs[0]!;
      const want = evaluateGraph(p, { [inputName]: x })[g.outputs[0]!]!;
      const got = await ortRun(emitOnnx(p), inputName, x);
      assertClose(got, want.data, 1e-4, 1e-5, `${c.name}: onnxruntime on the emitted pruned model vs spc's evaluator`);
    });
  }

  it('digits_cnn: the classifier and the stem stay, conv2 and fc1 lose a quarter of their channels', () => {
    const { notes } = prune(CASES[0]!.load(), 0.25);
    const by = new Map(notes.map((n) => [n.node, n.message]));
    assert.match(by.get('/conv1/Conv')!, /stem conv/);
    assert.equal(by.get('/conv2/Conv'), 'channels 32 → 24');
    assert.equal(by.get('/fc1/Gemm'), 'channels 64 → 48');
    assert.match(by.get('/fc2/Gemm')!, /classifier/);
  });

  it('resnet10_w32: residual Adds block the second conv and downsample of every block; each skip has a reason', () => {
    const g = CASES[1]!.load();
    const { notes } = prune(g, 0.25);
    const layers = g.nodes.filter((n) => n.op === 'Conv' || n.op === 'Gemm').map((n) => n.name);
    for (const l of layers) assert.equal(notes.filter((n) => n.node === l).length, 1, `${l}: one note`);
    const byAdd = notes.filter((n) => /skipped: Add '.*' reads/.test(n.message));
    assert.equal(byAdd.length, 7, byAdd.map((n) => n.node).join(', '));
    assert.ok(byAdd.every((n) => /conv2|downsample/.test(n.node!)));
    assert.equal(notes.filter((n) => n.message.startsWith('channels')).map((n) => n.node).length, 4);
    assert.ok(notes.some((n) => /classifier/.test(n.message)) && notes.some((n) => /stem conv/.test(n.message)));
  });
});

describe('passes/prune-channels: options and edge cases', function () {
  this.timeout(30_000);

  it('removing channels that are already zero (weights and bias, relu epilogue) keeps the function exactly', () => {
    // Zero a spread-out quarter of conv2's and fc1's output channels: they have the smallest L1
    // norm, so they are the ones removed, and they contribute nothing downstream (relu(0) = 0).
    const g = CASES[0]!.load();
    const zeroRows = (vals: Map<string, Value>, name: string, rows: number[]): void => {
      const v = vals.get(name)!;
      const c = v.constant!;
      const per = c.data.length / c.shape[0]!;
      const data = Float32Array.from(c.data as Float32Array);
      for (const r of rows) data.fill(0, r * per, (r + 1) * per);
      vals.set(name, { ...v, constant: { ...c, data } });
    };
    const vals = new Map(g.values);
    const conv2 = g.nodes.find((n) => n.name === '/conv2/Conv')!;
    const fc1 = g.nodes.find((n) => n.name === '/fc1/Gemm')!;
    const convRows = [1, 5, 6, 10, 17, 22, 29, 31];
    const fcRows = [0, 3, 7, 8, 12, 19, 20, 25, 33, 38, 41, 47, 50, 55, 60, 63];
    for (const x of conv2.inputs.slice(1)) zeroRows(vals, x, convRows);
    for (const x of fc1.inputs.slice(1)) zeroRows(vals, x, fcRows);
    const z = makeGraph({ ...g, values: vals.values() });
    const { graph: p } = prune(z, 0.25);
    assert.deepEqual(p.values.get(fc1.inputs[0]!)!.shape, [16, 24 * 16]);
    const x = digitsInput(16);
    const want = evaluateGraph(z, { input: x })[g.outputs[0]!]!;
    const got = evaluateGraph(p, { input: x })[g.outputs[0]!]!;
    assertClose(got.data, want.data, 1e-5, 1e-6, 'pruned vs zeroed digits_cnn');
  });

  it('sparsity 0 and another pattern leave the graph itself', () => {
    const g = CASES[0]!.load();
    assert.equal(prune(g, 0).graph, g);
    assert.equal(pruneChannels.run(g, makePassContext(passSettings({ pattern: '2:4' }))), g);
    assert.equal(pruneChannels.run(g, makePassContext(passSettings({}))), g);
  });

  it('rejects a sparsity outside [0, 1)', () => {
    assert.throws(() => prune(CASES[0]!.load(), 1), /sparsity/);
  });

  it('keeps at least one channel; pruneStem prunes the stem too', () => {
    const g = CASES[0]!.load();
    const { graph: p, notes } = prune(g, 0.99, { pruneStem: true });
    verifyGraph(p, { requireShapes: true });
    assert.equal(inferShapes(p), p);
    assert.equal(notes.find((n) => n.node === '/conv1/Conv')?.message, 'channels 16 → 1');
  });

  for (const act of ['Mish', 'Elu', 'Selu', 'ThresholdedRelu', 'Softplus', 'Softsign']) {
    it(`prunes through ${act} (channel-preserving, attributes only) and the pruned graph runs the same in onnxruntime`, async () => {
      const k = (name: string, shape: number[], f: (i: number) => number): Value =>
        ({ name, dtype: 'float32', shape, constant: { dtype: 'float32', shape, data: Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => f(i)) } });
      const g = inferShapes(makeGraph({
        name: 'act', opset: 18, inputs: ['x'], outputs: ['y'],
        values: [
          { name: 'x', dtype: 'float32', shape: [1, 3, 4, 4] },
          k('w0', [4, 3, 1, 1], (i) => Math.sin(i)), k('w1', [8, 4, 3, 3], (i) => Math.cos(i * 0.7) * (1 + (Math.floor(i / 36) % 3))),
          k('w2', [2, 8, 1, 1], (i) => Math.sin(i * 1.3)),
        ],
        nodes: [
          { name: 'stem', op: 'Conv', inputs: ['x', 'w0'], outputs: ['h0'], attrs: {} },
          { name: 'conv', op: 'Conv', inputs: ['h0', 'w1'], outputs: ['h1'], attrs: { pads: { kind: 'ints', value: [1, 1, 1, 1] } } },
          { name: 'act', op: act, inputs: ['h1'], outputs: ['h2'], attrs: {} },
          { name: 'head', op: 'Conv', inputs: ['h2', 'w2'], outputs: ['y'], attrs: {} },
        ],
      }));
      const { graph: p, notes } = prune(g, 0.5);
      assert.equal(notes.find((n) => n.node === 'conv')?.message, 'channels 8 → 4');
      verifyGraph(p, { requireShapes: true });
      assert.deepEqual(p.values.get('w2')!.shape, [2, 4, 1, 1]);
      const x: TensorView = { dtype: 'float32', shape: [1, 3, 4, 4], data: Float32Array.from({ length: 48 }, (_, i) => Math.sin(i * 0.37)) };
      assertClose(await ortRun(emitOnnx(p), 'x', x), evaluateGraph(p, { x })['y']!.data, 1e-4, 1e-5, `pruned ${act} graph in onnxruntime`);
    });
  }

  it('shrinks BatchNormalization parameters, through GlobalAveragePool and Flatten into a MatMul', async () => {
    const f32 = (shape: number[], f: (i: number) => number): Value['constant'] =>
      ({ dtype: 'float32', shape, data: Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => f(i)) });
    const k = (name: string, shape: number[], f: (i: number) => number): Value => ({ name, dtype: 'float32', shape, constant: f32(shape, f) });
    const g = inferShapes(makeGraph({
      name: 'bn', opset: 13, inputs: ['x'], outputs: ['y'],
      values: [
        { name: 'x', dtype: 'float32', shape: [2, 3, 5, 5] },
        k('w0', [4, 3, 3, 3], (i) => Math.sin(i) * 0.5), k('b0', [4], (i) => 0.1 * i),
        k('w1', [8, 4, 3, 3], (i) => Math.cos(i * 0.7) * (1 + (Math.floor(i / 36) % 3))), k('b1', [8], (i) => i * 0.01 - 0.03),
        k('s', [8], (i) => 1 + 0.1 * i), k('bb', [8], (i) => 0.05 * i), k('m', [8], (i) => 0.02 * i), k('v', [8], (i) => 1 + 0.3 * i),
        k('wm', [8, 3], (i) => Math.sin(i * 1.3)),
      ],
      nodes: [
        { name: 'stem', op: 'Conv', inputs: ['x', 'w0', 'b0'], outputs: ['h0'], attrs: { pads: { kind: 'ints', value: [1, 1, 1, 1] } } },
        { name: 'conv', op: 'Conv', inputs: ['h0', 'w1', 'b1'], outputs: ['h1'], attrs: { pads: { kind: 'ints', value: [1, 1, 1, 1] } } },
        { name: 'bn', op: 'BatchNormalization', inputs: ['h1', 's', 'bb', 'm', 'v'], outputs: ['h2'], attrs: {} },
        { name: 'relu', op: 'Relu', inputs: ['h2'], outputs: ['h3'], attrs: {} },
        { name: 'gap', op: 'GlobalAveragePool', inputs: ['h3'], outputs: ['h4'], attrs: {} },
        { name: 'flat', op: 'Flatten', inputs: ['h4'], outputs: ['h5'], attrs: {} },
        { name: 'mm', op: 'MatMul', inputs: ['h5', 'wm'], outputs: ['y'], attrs: {} },
      ],
    }));
    const { graph: p, notes } = prune(g, 0.5);
    assert.equal(notes.find((n) => n.node === 'conv')?.message, 'channels 8 → 4');
    verifyGraph(p, { requireShapes: true });
    assert.equal(inferShapes(p), p);
    for (const x of ['s', 'bb', 'm', 'v', 'b1']) assert.deepEqual(p.values.get(x)!.shape, [4], x);
    assert.deepEqual(p.values.get('wm')!.shape, [4, 3]);
    assert.deepEqual(p.values.get('h5')!.shape, [2, 4]);
    const x: TensorView = { dtype: 'float32', shape: [2, 3, 5, 5], data: Float32Array.from({ length: 150 }, (_, i) => Math.sin(i * 0.37)) };
    const want = evaluateGraph(p, { x })['y']!;
    assertClose(await ortRun(emitOnnx(p), 'x', x), want.data, 1e-4, 1e-5, 'pruned BN graph in onnxruntime');
  });
});
