// Non-finite weights and calibration values (issue 14, item 7): every pruning pattern and method
// refuses a NaN/±Inf weight it would rank (SpcError naming the weight and its node; exit 1 from
// the CLI, where a NaN with N:M used to crash the permutation search with exit 70), calibration
// refuses non-finite activations naming where they started, and a dense compile keeps them as
// onnxruntime runs them. A -Inf that never reaches a measured layer (an attention mask) is fine.

import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { compileBytes } from '../../../../compiler/compile.js';
import type { CompileOptions } from '../../../../compiler/compile.js';
import type { CalibrationSet } from '../../../../compiler/calibrate/data.js';
import { SpcError } from '../../../../compiler/errors.js';
import { loadModel } from '../../../../runtime/index.js';
import { DIGITS_DIR } from '../../../helpers/corpus.js';
import { readNpy, tempDir } from '../../../helpers/files.js';
import { spc } from '../../../helpers/cli.js';

const { onnx } = onnxProto;
const CNN = readFileSync(join(DIGITS_DIR, 'digits_cnn.onnx'));
const CALIB = join(DIGITS_DIR, 'digits-calib-x.npy');

/** digits_cnn with `value` written at flat index `at` of initializer `name`. */
function poisoned(name: string, at: number, value: number): Uint8Array {
  const m = onnx.ModelProto.decode(CNN);
  const t = m.graph!.initializer!.find((i) => i.name === name)!;
  const raw = t.rawData!;
  const f = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  f[at] = value;
  t.rawData = new Uint8Array(f.buffer);
  return onnx.ModelProto.encode(m).finish();
}

/** The SpcError compiling `bytes` with `options` throws (fails when it compiles or throws anything else). */
function refusal(bytes: Uint8Array, options: CompileOptions): string {
  try {
    compileBytes(bytes, { name: 'poisoned', ...options });
  } catch (e) {
    assert.ok(e instanceof SpcError, `not an SpcError: ${(e as Error).stack}`);
    return e.message;
  }
  assert.fail(`compiled: ${JSON.stringify(options)}`);
}

const calib = { calib: CALIB, calibCount: 8 };
/** Every pattern × method entry point that ranks conv2's weight (a pruning candidate of digits_cnn). */
const ENTRY_POINTS: [string, CompileOptions][] = [
  ['2:4 magnitude, permutation (default)', { pattern: '2:4' }],
  ['2:4 magnitude, no permutation', { pattern: '2:4', permute: false }],
  ['2:4 shared rows (permutation row terms)', { pattern: '2:4', shareRows: 4 }],
  ['unstructured 0.5', { pattern: 'unstructured', sparsity: 0.5 }],
  ['unstructured 0.5, global allocation', { pattern: 'unstructured', sparsity: 0.5, allocation: 'global' }],
  ['unstructured 0.5, sensitivity allocation', { pattern: 'unstructured', sparsity: 0.5, allocation: 'sensitivity', ...calib }],
  ['block:4x1 0.5', { pattern: 'block:4x1', sparsity: 0.5 }],
  ['channel 0.5', { pattern: 'channel', sparsity: 0.5 }],
  ['2:4 wanda', { pattern: '2:4', method: 'wanda', ...calib }],
  ['2:4 sparsegpt', { pattern: '2:4', method: 'sparsegpt', ...calib }],
  ['unstructured 0.5 sparsegpt', { pattern: 'unstructured', sparsity: 0.5, method: 'sparsegpt', ...calib }],
  ['2:4 magnitude + bias correction', { pattern: '2:4', biasCorrection: true, ...calib }],
];

describe('sparse/finite: non-finite weights and calibration values', function () {
  this.timeout(300_000);

  for (const [value, text] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']] as const) {
    it(`${text} in a pruned layer's weight: every pattern and method refuses it, naming the weight and its node`, () => {
      const bytes = poisoned('conv2.weight', 5, value);
      for (const [label, options] of ENTRY_POINTS) {
        const message = refusal(bytes, options);
        assert.match(message, new RegExp(`^poisoned: pass '[a-z-]+': weight 'conv2\\.weight' of node '/conv2/Conv' \\(Conv\\) holds ${text} at index 5 of 4608: .* ranks weights by magnitude or saliency`), `${label}: ${message}`);
      }
    });
  }

  it('the --config skip the message suggests keeps the layer dense, and the compile goes through', () => {
    const r = compileBytes(poisoned('conv2.weight', 5, NaN), { name: 'poisoned', pattern: '2:4', config: { layers: [{ match: '/conv2/Conv', skip: true }] } });
    const conv2 = r.report.find((l) => l.node === '/conv2/Conv')!;
    assert.match(conv2.note ?? '', /config/);
    assert.ok(r.report.some((l) => l.node === '/fc1/Gemm' && l.pattern === '2:4' && l.achieved > 0.49));
  });

  it('spc compile --pattern 2:4 on a NaN weight: exit 1 naming the file, weight and node (was exit 70 in the permutation search)', () => {
    const dir = tempDir();
    const model = join(dir, 'nan.onnx');
    writeFileSync(model, poisoned('conv2.weight', 5, NaN));
    const r = spc('compile', model, '-o', join(dir, 'out'), '--pattern', '2:4');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^spc: error: ${model.replace(/[.]/g, '\\.')}: pass 'permute-channels': weight 'conv2\\.weight' of node '/conv2/Conv' \\(Conv\\) holds NaN at index 5 of 4608`));
  });

  it('a NaN bias upstream of a calibrated layer: refused naming the layer, the node that made the NaN and the constant it read', () => {
    const bytes = poisoned('conv2.bias', 5, NaN);
    for (const options of [{ pattern: '2:4', method: 'wanda', ...calib }, { pattern: '2:4', biasCorrection: true, ...calib }, { pattern: 'unstructured', sparsity: 0.5, method: 'sparsegpt', ...calib }] as CompileOptions[]) {
      assert.match(refusal(bytes, options),
        /calibration: the input '\/Flatten_output_0' of layer '\/fc1\/Gemm' \(Gemm\) is not finite: node '\/conv2\/Conv' \(Conv\) makes NaN at index \d+ of 2048 of '[^']+' on calibration sample 0, reading 'conv2\.bias', which holds NaN; calibrated pruning reads its statistics/, JSON.stringify(options));
    }
    // Magnitude pruning never reads the bias: it compiles, and the NaN stays where the model put it.
    const r = compileBytes(bytes, { name: 'poisoned', pattern: '2:4' });
    assert.ok(r.report.some((l) => l.node === '/conv2/Conv' && l.pattern === '2:4' && l.achieved > 0.49));
  });

  it('a -Inf weight in the stem (kept dense): magnitude compiles; the sensitivity allocation and sparsegpt refuse it', () => {
    const bytes = poisoned('conv1.weight', 5, -Infinity);
    compileBytes(bytes, { name: 'poisoned', pattern: '2:4' });
    assert.match(refusal(bytes, { pattern: 'unstructured', sparsity: 0.5, allocation: 'sensitivity', ...calib }),
      /sensitivity allocation: the model's output 'logits' holds NaN at index 0 of 10 on calibration sample 0/);
    // SparseGPT re-fits the dense stem from its weights.
    assert.match(refusal(bytes, { pattern: '2:4', method: 'sparsegpt', ...calib }),
      /weight 'conv1\.weight' of node '\/conv1\/Conv' \(Conv\) holds -Infinity at index 5 of 144: sparsegpt \(re-fitting the dense layer\)/);
  });

  it('NaN in the calibration data: refused naming the data, the sample and the input', () => {
    const x = readNpy(CALIB);
    const data = Float32Array.from(x.data as Float32Array).slice(0, 4 * 64);
    data[64 + 3] = NaN;
    const set: CalibrationSet = { source: 'calib.npy (4 samples)', samples: [0, 1, 2, 3].map((s) => ({ input: { dtype: 'float32', shape: [1, 1, 8, 8], data: data.slice(s * 64, (s + 1) * 64) } })) };
    for (const options of [{ pattern: '2:4', method: 'wanda', calib: set }, { pattern: 'unstructured', sparsity: 0.5, allocation: 'sensitivity', calib: set }] as CompileOptions[]) {
      assert.match(refusal(CNN, options), /calibration data calib\.npy \(4 samples\): sample 1, input 'input' holds NaN at index 3 of 64; calibration statistics need finite inputs/);
    }
  });

  it('dense compile keeps a NaN weight: the artifact computes what onnxruntime computes (NaN where it puts NaN)', async () => {
    const bytes = poisoned('conv2.weight', 5, NaN);
    const r = compileBytes(bytes, { name: 'poisoned' });
    const model = await loadModel(r.artifact);
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
    const input = (x.data as Float32Array).slice(0, 64);
    const got = (await model.run({ input }))[model.outputs[0]!.name]!.data as Float32Array;
    const want = (await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 1, 8, 8]) }))[session.outputNames[0]!]!.data as Float32Array;
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) {
      if (Number.isNaN(want[i]!)) assert.ok(Number.isNaN(got[i]!), `index ${i}: ${got[i]}, onnxruntime NaN`);
      else assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-4 * Math.max(1, Math.abs(want[i]!)), `index ${i}: ${got[i]} vs ${want[i]}`);
    }
  });

  it('a -Inf attention-style mask before a Softmax never reaches a measured layer: wanda prunes the layer after it', () => {
    const K = 64;
    const vi = (v: string) => ({ name: v, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: K }] } } } });
    const mask = Array.from({ length: K }, (_, i) => (i % 3 === 0 ? -Infinity : 0));
    const w = Array.from({ length: K * K }, (_, i) => Math.sin(i * 0.37));
    const m = onnx.ModelProto.create({
      irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'masked', input: [vi('x')], output: [vi('y')],
        initializer: [
          { name: 'mask', dims: [1, K], dataType: onnx.TensorProto.DataType.FLOAT, floatData: mask },
          { name: 'W', dims: [K, K], dataType: onnx.TensorProto.DataType.FLOAT, floatData: w },
        ],
        node: [
          { name: 'add_mask', opType: 'Add', input: ['x', 'mask'], output: ['scores'] },
          { name: 'softmax', opType: 'Softmax', input: ['scores'], output: ['p'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }] },
          { name: 'fc', opType: 'Gemm', input: ['p', 'W'], output: ['y'] },
        ],
      },
    });
    const samples = [0, 1, 2, 3].map((s) => ({ x: { dtype: 'float32' as const, shape: [1, K], data: Float32Array.from({ length: K }, (_, i) => Math.cos(i + s)) } }));
    const r = compileBytes(onnx.ModelProto.encode(m).finish(), {
      name: 'masked', pattern: '2:4', method: 'wanda', calib: { source: 'x (4 samples)', samples }, config: { layers: [{ match: 'fc', force: true }] },
    });
    assert.ok(r.report.some((l) => l.node === 'fc' && l.pattern === '2:4' && l.achieved > 0.49), JSON.stringify(r.report));
  });
});
