// emitOnnx: the canonicalized corpus models written back as ONNX run in onnxruntime and
// reproduce onnxruntime's stored outputs; the bytes are deterministic.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { emitOnnx } from '../../../compiler/emit/onnx.js';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { makeGraph } from '../../../compiler/ir/graph.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { canonicalizePipeline } from '../../../compiler/passes/pipelines.js';
import type { DType, TypedArray } from '../../../runtime/tensor.js';
import { assertClose } from '../../helpers/compare.js';
import { DIGITS_DIR, MODELS_DIR } from '../../helpers/corpus.js';
import { readNpy } from '../../helpers/files.js';

const { onnx } = onnxProto;

interface ModelEntry { name: string; file: string; inputs: { name: string; npy: string }[]; outputs: { name: string; npy: string }[] }
const MODELS = JSON.parse(readFileSync(join(MODELS_DIR, 'index.json'), 'utf8')) as ModelEntry[];

function canonical(path: string, inputShapes?: Record<string, number[]>): Graph {
  return runPipeline(loadOnnx(path, { inputShapes }).graph, canonicalizePipeline, makePassContext());
}

/** Runs ONNX bytes in onnxruntime (one thread); returns the outputs by name. */
export async function runOrt(
  bytes: Uint8Array, feeds: Record<string, { dtype?: DType; data: TypedArray; shape: readonly number[] }>,
): Promise<Record<string, { data: TypedArray; shape: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor((v.dtype ?? 'float32') as 'float32', v.data as Float32Array, [...v.shape]);
    const out = await session.run(ortFeeds);
    const result: Record<string, { data: TypedArray; shape: readonly number[] }> = {};
    for (const [k, t] of Object.entries(out)) result[k] = { data: t.data as Float32Array, shape: t.dims };
    return result;
  } finally {
    await session.release();
  }
}

describe('emit/onnx: canonicalized corpus models run in onnxruntime', function () {
  this.timeout(60_000);
  for (const m of MODELS) {
    it(`${m.name}: emitted ONNX matches the stored outputs; emitting twice gives the same bytes`, async () => {
      const g = canonical(join(MODELS_DIR, m.file));
      const bytes = emitOnnx(g);
      assert.deepEqual(emitOnnx(g), bytes, 'deterministic bytes');
      const feeds = Object.fromEntries(m.inputs.map((i) => [i.name, readNpy(join(MODELS_DIR, i.npy))]));
      const out = await runOrt(bytes, feeds);
      for (const o of m.outputs) {
        const want = readNpy(join(MODELS_DIR, o.npy));
        assert.deepEqual([...out[o.name]!.shape], [...want.shape], `${m.name}: output shape`);
        assertClose(out[o.name]!.data, want.data, 1e-4, 1e-5, `${m.name} output '${o.name}'`);
      }
    });
  }

  const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
  for (const c of [{ model: 'digits_mlp', shape: [500, 64] }, { model: 'digits_cnn', shape: [500, 1, 8, 8] }]) {
    it(`${c.model}: batch 500, emitted ONNX matches the stored logits`, async () => {
      const g = canonical(join(DIGITS_DIR, `${c.model}.onnx`), { input: c.shape });
      const bytes = emitOnnx(g);
      assert.deepEqual(emitOnnx(g), bytes, 'deterministic bytes');
      const out = await runOrt(bytes, { input: { data: x.data, shape: c.shape } });
      const want = readNpy(join(DIGITS_DIR, `${c.model}.output.npy`));
      const got = Object.values(out)[0]!;
      assert.deepEqual([...got.shape], [...want.shape]);
      assertClose(got.data, want.data, 1e-4, 1e-5, `${c.model} logits`);
    });
  }
});

describe('emit/onnx: the model proto', () => {
  const g = canonical(join(DIGITS_DIR, 'digits_cnn.onnx'), { input: [2, 1, 8, 8] });
  const model = onnx.ModelProto.decode(emitOnnx(g));
  const graph = model.graph as onnxProto.onnx.GraphProto;

  it('has ir_version 8, the graph opset, producer spc and nothing that varies by run', () => {
    assert.equal(Number(model.irVersion), 8);
    assert.equal(model.producerName, 'spc');
    assert.equal(model.producerVersion, '');
    assert.equal(model.docString, '');
    assert.deepEqual(model.opsetImport.map((o) => [o.domain, Number(o.version)]), [['', g.opset]]);
  });

  it('drops spc_ attributes and expands fused epilogues into Relu/Clip writing the original name', () => {
    const nodes = graph.node as onnxProto.onnx.NodeProto[];
    for (const n of nodes) for (const a of n.attribute) assert.ok(!a.name!.startsWith('spc_'), `${n.name}: ${a.name}`);
    const fused = g.nodes.filter((n) => n.attrs['spc_activation']);
    assert.ok(fused.length > 0, 'digits_cnn has fused activations');
    for (const f of fused) {
      const act = nodes.find((n) => n.output[0] === f.outputs[0]);
      assert.ok(act && (act.opType === 'Relu' || act.opType === 'Clip'), `${f.name}: activation writes ${f.outputs[0]}`);
      const producer = nodes.find((n) => n.output[0] === act.input[0]);
      assert.equal(producer?.opType, f.op);
    }
  });

  it('writes shapes and element types on inputs and outputs, constants as raw_data initializers', () => {
    const inp = graph.input[0] as onnxProto.onnx.ValueInfoProto;
    const tt = inp.type!.tensorType as onnxProto.onnx.TypeProto.Tensor;
    assert.equal(tt.elemType, 1);
    assert.deepEqual((tt.shape as onnxProto.onnx.TensorShapeProto).dim.map((d) => Number(d.dimValue)), [2, 1, 8, 8]);
    for (const t of graph.initializer as onnxProto.onnx.TensorProto[]) assert.ok(t.rawData.length > 0 || t.dims.some((d) => Number(d) === 0), t.name!);
  });

  it('expands a clip epilogue with one-sided and two-sided bounds (opset 13 inputs, opset 10 attributes)', async () => {
    const big = 3.4028234663852886e38;
    const build = (opset: number, min: number, max: number): Graph => makeGraph({
      name: 'clip', opset, inputs: ['x'], outputs: ['y'],
      values: [
        { name: 'x', dtype: 'float32', shape: [1, 3] },
        { name: 'w', dtype: 'float32', shape: [3, 2], constant: { dtype: 'float32', shape: [3, 2], data: Float32Array.of(1, -1, 2, 0.5, -3, 1) } },
        { name: 'y', dtype: 'float32', shape: [1, 2] },
      ],
      nodes: [{
        name: 'mm', op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'],
        attrs: { spc_activation: { kind: 'string', value: 'clip' }, spc_act_min: { kind: 'float', value: min }, spc_act_max: { kind: 'float', value: max } },
      }],
    });
    // x·w = [1-4-9+... ] computed: x = [1, 2, 3] → [1+4-9, -1+1+3] = [-4, 3]
    const x = { data: Float32Array.of(1, 2, 3), shape: [1, 3] };
    for (const opset of [13, 10]) {
      const cases: [number, number, number[]][] = [[-1, 2, [-1, 2]], [-big, 2, [-4, 2]], [0, big, [0, 3]], [-big, big, [-4, 3]]];
      for (const [lo, hi, want] of cases) {
        const out = await runOrt(emitOnnx(build(opset, lo, hi)), { x });
        assert.deepEqual([...out['y']!.data], want, `opset ${opset} clip [${lo}, ${hi}]`);
      }
    }
  });
});
