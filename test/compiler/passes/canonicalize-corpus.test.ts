// The canonicalize pipeline on the corpus models, verifier on after every pass: structural
// outcomes per model, and outputs through the evaluator against onnxruntime's.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { Graph } from '../../../compiler/ir/graph.js';
import { verifyGraph } from '../../../compiler/ir/verify.js';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import { evaluateGraph } from '../../../compiler/analysis/interpret.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { canonicalizePipeline } from '../../../compiler/passes/pipelines.js';
import type { TensorView } from '../../../runtime/tensor.js';
import { DIGITS_DIR, MODELS_DIR } from '../../helpers/corpus.js';
import { readNpy } from '../../helpers/files.js';
import { assertClose } from '../../helpers/compare.js';
import { countOps } from './build.js';

const MODELS = ['mlp3', 'mobilenet_v2_w050', 'resnet10_w32', 'squeezenet1_1', 'mobilenet_v3_small_w075', 'transformer_enc2'];

function canonicalize(path: string, inputShapes?: Record<string, number[]>): { before: Graph; after: Graph } {
  const before = loadOnnx(path, { inputShapes }).graph;
  const after = runPipeline(before, canonicalizePipeline, makePassContext(), { verify: true });
  return { before, after };
}

/** Relu/Clip nodes still reading a Conv, Gemm or MatMul output. */
function unfusedActivations(g: Graph): string[] {
  const producer = new Map<string, string>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n.op);
  return g.nodes
    .filter((n) => (n.op === 'Relu' || n.op === 'Clip') && ['Conv', 'Gemm', 'MatMul'].includes(producer.get(n.inputs[0]!) ?? ''))
    .map((n) => n.name);
}

describe('passes/canonicalize on the corpus', function () {
  this.timeout(60000);
  const results = new Map<string, { before: Graph; after: Graph }>();
  const get = (m: string): { before: Graph; after: Graph } => {
    if (!results.has(m)) results.set(m, canonicalize(join(MODELS_DIR, `${m}.onnx`)));
    return results.get(m)!;
  };

  for (const m of MODELS) {
    it(`${m}: verifies after every pass, no Identity left, all shapes static`, () => {
      const { after } = get(m);
      assert.equal(countOps(after, 'Identity'), 0);
      verifyGraph(after, { requireShapes: true });
    });
  }

  it('transformer_enc2: no shape arithmetic left', () => {
    const { before, after } = get('transformer_enc2');
    assert.ok(countOps(before, 'Shape') > 0);
    assert.equal(countOps(after, 'Shape'), 0);
    for (const n of after.nodes) {
      if (n.op !== 'Gather') continue;
      const data = after.values.get(n.inputs[0]!)!;
      assert.equal(data.dtype, 'float32', `Gather '${n.name}' still works on integer (shape) data`);
    }
  });

  for (const m of ['resnet10_w32', 'mobilenet_v2_w050', 'mobilenet_v3_small_w075', 'squeezenet1_1', 'mlp3']) {
    it(`${m}: every Relu/Clip after Conv/Gemm/MatMul is fused`, () => {
      const { before, after } = get(m);
      assert.ok(unfusedActivations(before).length > 0);
      assert.deepEqual(unfusedActivations(after), []);
      assert.ok(after.nodes.some((n) => n.attrs['spc_activation']));
    });
  }

  function checkAgainstStored(g: Graph, input: TensorView, want: TensorView, what: string): void {
    const got = evaluateGraph(g, { [g.inputs[0]!]: input })[g.outputs[0]!]!;
    assert.deepEqual(got.shape, want.shape);
    assertClose(got.data, want.data, 1e-4, 1e-5, what);
  }

  for (const m of MODELS) {
    it(`${m}: output before and after canonicalize matches onnxruntime's stored output`, () => {
      const { before, after } = get(m);
      const input = readNpy(join(MODELS_DIR, `${m}.input.npy`));
      const want = readNpy(join(MODELS_DIR, `${m}.output.npy`));
      checkAgainstStored(after, input, want, `${m} after canonicalize`);
      // The un-canonicalized graphs of the two slowest models add 8 s and nothing new.
      if (m !== 'squeezenet1_1' && m !== 'resnet10_w32') checkAgainstStored(before, input, want, `${m} before canonicalize`);
    });
  }

  it('digits_cnn: first test rows match onnxruntime (batch pinned to 4)', () => {
    const rows = 4;
    const { after } = canonicalize(join(DIGITS_DIR, 'digits_cnn.onnx'), { input: [rows, 1, 8, 8] });
    const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
    const y = readNpy(join(DIGITS_DIR, 'digits_cnn.output.npy'));
    const input: TensorView = { dtype: 'float32', shape: [rows, 1, 8, 8], data: x.data.slice(0, rows * 64) };
    const want: TensorView = { dtype: 'float32', shape: [rows, 10], data: y.data.slice(0, rows * 10) };
    assert.deepEqual(unfusedActivations(after), []);
    checkAgainstStored(after, input, want, 'digits_cnn after canonicalize');
  });

  it('mlp3: canonicalized output matches a live onnxruntime-node run', async () => {
    const ort = await import('onnxruntime-node');
    const path = join(MODELS_DIR, 'mlp3.onnx');
    const session = await ort.InferenceSession.create(path);
    const x = readNpy(join(MODELS_DIR, 'mlp3.input.npy'));
    const res = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) });
    const want = res[session.outputNames[0]!]!;
    const { after } = get('mlp3');
    const got = evaluateGraph(after, { [after.inputs[0]!]: x })[after.outputs[0]!]!;
    assertClose(got.data, want.data as Float32Array, 1e-4, 1e-5, 'mlp3 vs onnxruntime-node');
  });
});
