// loadOnnx on the real corpus models: inputs/outputs, constants and op counts against the
// corpus index.json files, dynamic batch pinning, and onnxruntime as an oracle for a pinned batch.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { DIGITS_DIR, MODELS_DIR } from '../../helpers/corpus.js';

const { onnx } = onnxProto;

interface IoEntry { name: string; dtype: string; shape: (number | string)[] }
interface ModelEntry { name: string; file: string; inputs: IoEntry[]; outputs: IoEntry[]; op_types: Record<string, number> }

const DTYPE_NAMES: Record<string, string> = { float: 'float32', int64: 'int64' };

function corpusModels(): { dir: string; entry: ModelEntry }[] {
  const models = JSON.parse(readFileSync(join(MODELS_DIR, 'index.json'), 'utf8')) as ModelEntry[];
  const digits = JSON.parse(readFileSync(join(DIGITS_DIR, 'index.json'), 'utf8')) as Record<string, Omit<ModelEntry, 'name'>>;
  return [
    ...models.map((entry) => ({ dir: MODELS_DIR, entry })),
    ...Object.entries(digits).map(([name, e]) => ({ dir: DIGITS_DIR, entry: { ...e, name } })),
  ];
}

function opCounts(g: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of g.nodes) counts[n.op] = (counts[n.op] ?? 0) + 1;
  return counts;
}

/** Dynamic dims in index.json are pinned to `batch`. */
function expectedShape(shape: readonly (number | string)[], batch: number): number[] {
  return shape.map((d) => (typeof d === 'number' ? d : batch));
}

describe('frontend/load: corpus models', () => {
  for (const { dir, entry } of corpusModels()) {
    it(`${entry.name}: inputs, outputs, constants and ops match index.json`, () => {
      const path = join(dir, entry.file);
      const { graph, warnings } = loadOnnx(path, {});
      const dynamic = entry.inputs.some((i) => i.shape.some((d) => typeof d === 'string'));
      assert.deepEqual(graph.inputs, entry.inputs.map((i) => i.name));
      assert.deepEqual(graph.outputs, entry.outputs.map((o) => o.name));
      for (const io of [...entry.inputs, ...entry.outputs]) {
        const v = graph.values.get(io.name)!;
        assert.equal(v.dtype, DTYPE_NAMES[io.dtype] ?? io.dtype, io.name);
        assert.deepEqual(v.shape, expectedShape(io.shape, 1), io.name);
      }
      if (dynamic) {
        const dims = entry.inputs[0].shape.map((d) => (typeof d === 'number' ? d : 8)).join('x');
        assert.deepEqual(warnings, [`input 'input': dynamic batch dimension 'N' pinned to 1 (for another batch size, e.g. 8: --input-shape input=${dims})`]);
      } else assert.deepEqual(warnings, []);

      const proto = onnx.ModelProto.decode(readFileSync(path));
      const constantNodes = proto.graph!.node!.filter((n) => n.opType === 'Constant').length;
      const constants = [...graph.values.values()].filter((v) => v.constant).length;
      assert.equal(constants, proto.graph!.initializer!.length + constantNodes);
      const expectedOps = { ...entry.op_types };
      delete expectedOps['Constant'];
      assert.deepEqual(opCounts(graph), expectedOps);

      for (const n of graph.nodes) {
        for (const o of n.outputs) {
          const v = graph.values.get(o);
          assert.ok(v?.shape && v.shape.every((d) => typeof d === 'number'), `${entry.name}: ${n.name} output ${o} has a static shape`);
        }
      }
    });
  }

  it('digits: --input-shape pins the batch and onnxruntime agrees on the output shape', async () => {
    for (const name of ['digits_mlp', 'digits_cnn']) {
      const path = join(DIGITS_DIR, `${name}.onnx`);
      const inShape = name === 'digits_mlp' ? [500, 64] : [500, 1, 8, 8];
      const { graph, warnings } = loadOnnx(path, { inputShapes: { input: inShape } });
      assert.deepEqual(warnings, []);
      assert.deepEqual(graph.values.get('input')!.shape, inShape);
      const session = await ort.InferenceSession.create(path);
      const x = new ort.Tensor('float32', new Float32Array(inShape.reduce((a, b) => a * b, 1)), inShape);
      const result = await session.run({ input: x });
      assert.deepEqual(graph.values.get('logits')!.shape, [...result['logits']!.dims]);
      assert.deepEqual(graph.values.get('logits')!.shape, [500, 10]);
    }
  });

  it('every intermediate shape and dtype matches onnxruntime (all node outputs exposed as graph outputs)', async () => {
    for (const { dir, entry } of corpusModels()) {
      const path = join(dir, entry.file);
      const { graph } = loadOnnx(path, {});
      const proto = onnx.ModelProto.decode(readFileSync(path));
      const exposed = new Set(proto.graph!.output!.map((o) => o.name));
      for (const n of proto.graph!.node!) {
        if (n.opType === 'Constant') continue;
        for (const o of n.output!) if (!exposed.has(o)) { proto.graph!.output!.push({ name: o }); exposed.add(o); }
      }
      const session = await ort.InferenceSession.create(onnx.ModelProto.encode(proto).finish(), { graphOptimizationLevel: 'disabled' });
      const feeds: Record<string, ort.Tensor> = {};
      for (const name of graph.inputs) {
        const v = graph.values.get(name)!;
        const dims = v.shape as number[];
        const count = dims.reduce((a, b) => a * b, 1);
        feeds[name] = v.dtype === 'int64'
          ? new ort.Tensor('int64', new BigInt64Array(count), dims)
          : new ort.Tensor('float32', new Float32Array(count), dims);
      }
      const result = await session.run(feeds);
      let checked = 0;
      for (const [name, t] of Object.entries(result)) {
        const v = graph.values.get(name)!;
        assert.equal(v.dtype, t.type, `${entry.name}: dtype of ${name}`);
        assert.deepEqual(v.shape, [...t.dims], `${entry.name}: shape of ${name}`);
        checked++;
      }
      assert.equal(checked, exposed.size, entry.name);
    }
  });

  it('rejects --input-shape for unknown inputs or disagreeing dims', () => {
    const path = join(DIGITS_DIR, 'digits_cnn.onnx');
    assert.throws(() => loadOnnx(path, { inputShapes: { image: [1, 1, 8, 8] } }), /'image'.*not a graph input/);
    assert.throws(() => loadOnnx(path, { inputShapes: { input: [1, 64] } }), /rank 4/);
    assert.throws(() => loadOnnx(path, { inputShapes: { input: [1, 1, 9, 8] } }), /dimension 2 is fixed at 8/);
  });
});
