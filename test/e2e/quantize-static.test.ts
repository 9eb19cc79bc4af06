// --quantize int8 (static) end to end: the calibrated activations fuse into the int8 kernels, the
// digits models keep their accuracy on the test set (issue 18 acceptance 1), the artifact is a
// fraction of the dense one, and onnxruntime (graph optimizations on) runs the emitted model to
// spc's outputs.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { compileFile } from '../../compiler/compile.js';
import type { CompileOptions } from '../../compiler/compile.js';
import { emitOnnx } from '../../compiler/emit/onnx.js';
import { loadModel } from '../../runtime/index.js';
import { DIGITS_DIR, MODELS_DIR } from '../helpers/corpus.js';
import { argmaxRows, assertClose } from '../helpers/compare.js';
import { readNpy, tempDir } from '../helpers/files.js';
import { spc } from '../helpers/cli.js';
import { int8Priced } from '../helpers/profiles.js';

const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
const labels = Array.from(readNpy(join(DIGITS_DIR, 'digits-test-y.npy')).data as ArrayLike<number | bigint>, Number);
const calib = join(DIGITS_DIR, 'digits-calib-x.npy');
const n = labels.length;

/** Images per run: the compiled batch, which the 128 calibration images split into evenly. */
const BATCH = 4;

/** Top-1 accuracy of `model` compiled with `opts` (batch BATCH) on the whole digits test set, with its compile and logits. */
async function score(model: string, sample: number[], opts: CompileOptions) {
  const r = compileFile(join(DIGITS_DIR, `${model}.onnx`), { ...opts, inputShapes: { input: [BATCH, ...sample] }, verify: true });
  const m = await loadModel(r.artifact);
  try {
    const per = sample.reduce((a, d) => a * d, 1), data = x.data as Float32Array;
    const y = new Float32Array(n * 10);
    for (let b = 0; b < n; b += BATCH) {
      const out = await m.run({ input: { data: data.subarray(b * per, (b + BATCH) * per), shape: [BATCH, ...sample] } });
      y.set(out['logits']!.data as Float32Array, b * 10);
    }
    const top = argmaxRows(y, n, 10);
    return { r, y, accuracy: top.filter((c, i) => c === labels[i]).length / n };
  } finally {
    m.dispose();
  }
}

describe('e2e: --quantize int8 (static, calibrated activations)', function () {
  this.timeout(600_000);

  // With the shipped profile the layer choice (quantize-activations) runs the convs int8 and keeps
  // fc1, a Gemm on 4 rows, float: its int8 kernel's per-call cost exceeds the float Gemm's estimate.
  it('digits_cnn: conv1 and conv2 run as QLinearConv on the int8 kernel (fc1 stays float, estimated faster), ≥ 99.2% top-1, ≤ 0.30× the dense artifact, and onnxruntime runs the emitted model to spc\'s logits', async () => {
    const dense = await score('digits_cnn', [1, 8, 8], {});
    const int8 = await score('digits_cnn', [1, 8, 8], { quantize: 'int8', calib });
    const fused = int8.r.contents.nodes.filter((nd) => nd.op === 'QLinearConv');
    assert.deepEqual(fused.map((nd) => nd.name).sort(), ['/conv1/Conv', '/conv2/Conv']);
    for (const nd of fused) assert.match(nd.kernel, /^i8-qlinearconv-.*-wasmsimd$/, nd.name);
    assert.ok(int8.accuracy >= 0.992, `top-1 ${int8.accuracy} (dense ${dense.accuracy})`);
    const ratio = int8.r.artifact.length / dense.r.artifact.length;
    assert.ok(ratio <= 0.30, `artifact ${ratio.toFixed(3)}× dense`);
    const session = await ort.InferenceSession.create(emitOnnx(int8.r.graph), { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
    try {
      const first = (x.data as Float32Array).subarray(0, BATCH * 64);
      const want = (await session.run({ input: new ort.Tensor('float32', first, [BATCH, 1, 8, 8]) }))['logits']!.data as Float32Array;
      assertClose(int8.y.subarray(0, BATCH * 10), want, 1e-4, 1e-4, 'digits_cnn int8 logits');
    } finally {
      await session.release();
    }
  });

  // The depthwise convs run int8 (i8dwconv3x3 in the 1x8 kernel), so the whole body forms one int8
  // chain; spc's QLinearConv outputs equal onnxruntime's int8 arithmetic. The classifier (float
  // logits, one row) runs int8 in its float-output form: MatMulInteger on the gemv, Cast, Mul, Add.
  it('mobilenet_v2_w050: every conv runs int8 (17 depthwise on i8-qlinearconv-1x8), the classifier on the int8 gemv with float logits, and onnxruntime runs the emitted QDQ model to spc\'s logits', async () => {
    const input = join(MODELS_DIR, 'mobilenet_v2_w050.input.npy');
    const r = compileFile(join(MODELS_DIR, 'mobilenet_v2_w050.onnx'), { quantize: 'int8', calib: input, inputShapes: { input: [1, 3, 224, 224] }, verify: true });
    const convs = r.contents.nodes.filter((nd) => nd.op === 'QLinearConv');
    assert.equal(r.contents.nodes.filter((nd) => nd.op === 'Conv').length, 0, 'float convs left');
    assert.equal(convs.length, 52);
    assert.equal(convs.filter((nd) => nd.kernel === 'i8-qlinearconv-1x8-wasmsimd').length, 17);
    assert.deepEqual(r.contents.nodes.filter((nd) => nd.op === 'Gemm' || nd.op === 'MatMulInteger').map((nd) => `${nd.op} ${nd.kernel}`), ['MatMulInteger i8-matmulinteger-1x4-wasmsimd']);
    const feed = readNpy(input);
    const m = await loadModel(r.artifact);
    const session = await ort.InferenceSession.create(emitOnnx(r.graph), { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
    try {
      const got = (await m.run({ input: { data: feed.data as Float32Array, shape: [1, 3, 224, 224] } }))['output']!.data as Float32Array;
      const want = (await session.run({ input: new ort.Tensor('float32', feed.data as Float32Array, [1, 3, 224, 224]) }))['output']!.data as Float32Array;
      assertClose(got, want, 1e-4, 1e-4, 'mobilenet_v2_w050 int8 logits');
    } finally {
      await session.release();
      m.dispose();
    }
  });

  // The shipped profile keeps these 4-row Gemms float (faster, estimated); int8Priced makes int8 win so the int8 Gemm path is scored.
  it('digits_mlp: the hidden Gemms run int8 (where the profile prices int8 faster), top-1 within 0.5 points of the float32 model', async () => {
    const dense = await score('digits_mlp', [64], {});
    const int8 = await score('digits_mlp', [64], { quantize: 'int8', calib, profile: int8Priced(1e-4, 1e-4) });
    assert.equal(int8.r.contents.nodes.filter((nd) => nd.op === 'QLinearConv').length, 2);
    assert.ok(Math.abs(int8.accuracy - dense.accuracy) <= 0.005, `top-1 ${int8.accuracy}, float32 ${dense.accuracy}`);
  });

  it('--quantize int8 without --calib is a usage error (exit 2) naming both flags and the weight-only mode', () => {
    const r = spc('compile', join(DIGITS_DIR, 'digits_cnn.onnx'), '--quantize', 'int8', '-o', tempDir('spc-int8-'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--quantize int8 quantizes activations from calibration data: --calib <x\.npy\|folder> \(or --quantize int8-weights, weight-only\)/);
  });
});
