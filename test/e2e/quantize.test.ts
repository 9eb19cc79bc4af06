// --quantize end to end: spc's runtime on the quantized artifact against onnxruntime on the QDQ
// model --emit-onnx writes (DequantizeLinear on int8 weights, Cast on float16 ones), alone and
// composed with packed patterns; the stored codes and scales against the rule (max|w|/127 per
// output channel); the bytes per original weight of 2:4 + int8 layers.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { compileFile } from '../../compiler/compile.js';
import type { CompileOptions } from '../../compiler/compile.js';
import { emitOnnx } from '../../compiler/emit/onnx.js';
import { TARGET_ORDER } from '../../compiler/analysis/profile.js';
import { storedBytes } from '../../compiler/emit/layer-table.js';
import { loadModel } from '../../runtime/index.js';
import { parseArtifact } from '../../runtime/loader/load.js';
import { sizeOf } from '../../runtime/tensor.js';
import { DIGITS_DIR, MODELS_DIR } from '../helpers/corpus.js';
import { assertClose } from '../helpers/compare.js';
import { readNpy } from '../helpers/files.js';

const { onnx } = onnxProto;
/** js kernels by target order: pruned weights run (and are stored) packed, so the packed int8 values are read by packed kernels. */
const PACKED: Pick<CompileOptions, 'targets' | 'profile'> = { targets: ['js', 'ref'], profile: TARGET_ORDER };

type Feeds = Record<string, { data: Float32Array | BigInt64Array; shape: readonly number[] }>;

async function runOrt(bytes: Uint8Array, feeds: Feeds): Promise<Record<string, Float32Array>> {
  // Without graph optimizations: onnxruntime's QDQ fusions may run a DequantizeLinear→MatMul in int8 arithmetic, not as ONNX defines it.
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
  try {
    const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor(v.data instanceof BigInt64Array ? 'int64' : 'float32', v.data, [...v.shape])])));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}

const digits = readNpy(join(DIGITS_DIR, 'digits-test-x.npy')).data as Float32Array;
const batch = digits.subarray(0, 16 * 64);
const calib = join(DIGITS_DIR, 'digits-calib-x.npy');

function corpusFeeds(model: string): Feeds {
  const index = JSON.parse(readFileSync(join(MODELS_DIR, 'index.json'), 'utf8')) as { name: string; inputs: { name: string; npy: string }[] }[];
  const m = index.find((e) => e.name === model)!;
  return Object.fromEntries(m.inputs.map((i) => {
    const a = readNpy(join(MODELS_DIR, i.npy));
    return [i.name, { data: a.data as Float32Array | BigInt64Array, shape: a.shape }];
  }));
}

interface Case { readonly name: string; readonly path: string; readonly feeds: Feeds; readonly opts: CompileOptions; readonly ops: readonly string[] }

const CASES: readonly Case[] = [
  { name: 'digits_cnn int8-weights', path: join(DIGITS_DIR, 'digits_cnn.onnx'), feeds: { input: { data: batch, shape: [16, 1, 8, 8] } },
    opts: { quantize: 'int8-weights', inputShapes: { input: [16, 1, 8, 8] } }, ops: ['DequantizeLinear'] },
  { name: 'digits_cnn 2:4 sparsegpt + int8-weights (GPTQ), packed kernels', path: join(DIGITS_DIR, 'digits_cnn.onnx'), feeds: { input: { data: batch, shape: [16, 1, 8, 8] } },
    opts: { pattern: '2:4', method: 'sparsegpt', calib, quantize: 'int8-weights', inputShapes: { input: [16, 1, 8, 8] }, ...PACKED }, ops: ['DequantizeLinear'] },
  { name: 'digits_mlp unstructured 0.9 + fp16, packed kernels', path: join(DIGITS_DIR, 'digits_mlp.onnx'), feeds: { input: { data: batch, shape: [16, 64] } },
    opts: { pattern: 'unstructured', sparsity: 0.9, quantize: 'fp16', inputShapes: { input: [16, 64] }, ...PACKED }, ops: ['Cast'] },
  // MatMul weights [K, N]: the scales run along axis 1.
  { name: 'transformer_enc2 int8-weights', path: join(MODELS_DIR, 'transformer_enc2.onnx'), feeds: corpusFeeds('transformer_enc2'),
    opts: { quantize: 'int8-weights' }, ops: ['DequantizeLinear'] },
  { name: 'mobilenet_v2_w050 block:4x1 0.75 + int8-weights, packed kernels', path: join(MODELS_DIR, 'mobilenet_v2_w050.onnx'), feeds: corpusFeeds('mobilenet_v2_w050'),
    opts: { pattern: 'block:4x1', sparsity: 0.75, quantize: 'int8-weights', ...PACKED }, ops: ['DequantizeLinear'] },
];

describe('e2e: --quantize artifacts match onnxruntime on the emitted QDQ model', function () {
  this.timeout(600_000);
  for (const c of CASES) {
    it(c.name, async () => {
      const result = compileFile(c.path, { ...c.opts, verify: true });
      const quantized = result.contents.tensors.filter((t) => t.quant);
      assert.ok(quantized.length > 0, 'no weight stored quantized');
      if (c.opts.pattern !== undefined) assert.ok(quantized.some((t) => t.packed), 'no packed weight stored quantized');
      const qdq = emitOnnx(result.graph);
      assert.deepEqual(emitOnnx(result.graph), qdq, 'deterministic bytes');
      const nodes = onnx.ModelProto.decode(qdq).graph!.node!;
      for (const op of c.ops) assert.equal(nodes.filter((n) => n.opType === op).length >= quantized.length, true, `one ${op} per quantized weight`);
      const model = await loadModel(result.artifact);
      try {
        const got = await model.run(c.feeds);
        const want = await runOrt(qdq, c.feeds);
        for (const [name, w] of Object.entries(want)) assertClose(got[name]!.data, w, 1e-4, 1e-5, `${c.name} '${name}'`);
      } finally {
        model.dispose();
      }
    });
  }

  it('int8 weights are stored as codes with scale max|w|/127 per output channel, dequantizing to the weights spc computed with', () => {
    const result = compileFile(join(DIGITS_DIR, 'digits_mlp.onnx'), { quantize: 'int8-weights' });
    const loaded = parseArtifact(result.artifact);
    assert.ok(loaded.requiredFeatures.includes('quant-int8'));
    const original = compileFile(join(DIGITS_DIR, 'digits_mlp.onnx'), {}).contents;
    for (const t of loaded.tensors.filter((x) => x.quant)) {
      const q = t.quant!;
      assert.equal(q.dtype, 'int8');
      const w = original.tensors.find((x) => x.name === t.name)!.data as Float32Array;
      const [rows, cols] = q.axis === 0 ? [t.shape[0]!, sizeOf(t.shape) / t.shape[0]!] : [t.shape[1]!, t.shape[0]!];
      const at = (r: number, k: number): number => (q.axis === 0 ? r * cols + k : k * rows + r);
      for (let r = 0; r < rows; r++) {
        let max = 0;
        for (let k = 0; k < cols; k++) max = Math.max(max, Math.abs(w[at(r, k)]!));
        assert.equal(q.scales[r], Math.fround(max / 127), `${t.name} row ${r} scale`);
        for (let k = 0; k < cols; k++) {
          const code = q.values[at(r, k)]!;
          assert.ok(Math.abs(code - w[at(r, k)]! / q.scales[r]!) <= 0.5 + 1e-6, `${t.name}[${r},${k}] code ${code} is the nearest`);
          assert.equal((t.data as Float32Array)[at(r, k)], Math.fround(code * q.scales[r]!));
        }
      }
      const graphData = result.graph.values.get(t.name)!.constant!.data as Float32Array;
      assert.deepEqual(t.data, graphData, `${t.name}: the runtime's dequantized weight is the compiler's`);
    }
  });

  it('resnet10_w32 2:4 + int8-weights: a pruned layer stores one int8 code per kept weight, its groups\' slot sets rank coded (34 groups in 11 bytes) and one float32 scale per row: ≤ 0.6 bytes per weight', () => {
    const result = compileFile(join(MODELS_DIR, 'resnet10_w32.onnx'), { pattern: '2:4', quantize: 'int8-weights' });
    const pruned = result.contents.tensors.filter((t) => t.packed);
    assert.ok(pruned.length > 0 && pruned.every((t) => t.quant?.dtype === 'int8' && t.packed!.format === 'nm'));
    let bytes = 0, weights = 0;
    for (const t of pruned) {
      const p = t.packed!;
      const slots = (p.rows * p.cols) / 2;
      assert.equal(storedBytes(t), slots + Math.ceil(slots / 2 / 34) * 11 + p.rows * 4, t.name);
      bytes += storedBytes(t);
      weights += sizeOf(t.shape);
    }
    assert.ok(parseArtifact(result.artifact).requiredFeatures.includes('sparse-nm-rank'));
    // 0.5 B of codes + 11/34 B per group of 4 (0.081 B, against 0.125 B for 2-bit slot indices), plus the scales.
    assert.ok(bytes / weights > 0.585 && bytes / weights <= 0.6, `${(bytes / weights).toFixed(4)} bytes per weight`);
  });
});
