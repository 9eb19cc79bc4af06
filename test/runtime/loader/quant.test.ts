// The loader on weights stored quantized (Tensor.quant, features quant-int8/-uint8/-float16):
// compiled artifacts round-trip and dequantize to the weights the compiler computed with; every
// lie about the quantization is refused with an ArtifactError naming the tensor or node.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import { reencodeArtifact, writeArtifact } from '../../../compiler/emit/artifact.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import type { LoadedArtifact, LoadedTensor } from '../../../runtime/loader/model.js';
import { fromFloat16Bits } from '../../../runtime/float16.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { rejection } from './refusal.js';
import { fixChecksum } from './sample-artifact.js';

/** `a` with tensor `i` replaced by `edit` of it. */
function editTensor(a: LoadedArtifact, i: number, edit: (t: LoadedTensor) => LoadedTensor): LoadedArtifact {
  return { ...a, tensors: a.tensors.map((t, k) => (k === i ? edit(t) : t)) };
}

describe('loader: weights stored quantized', function () {
  this.timeout(120_000);
  const cnn = join(DIGITS_DIR, 'digits_cnn.onnx');
  let int8: Uint8Array, nm: Uint8Array, fp16: Uint8Array;
  before(() => {
    int8 = compileFile(cnn, { quantize: 'int8-weights' }).artifact;
    nm = compileFile(cnn, { pattern: '2:4', quantize: 'int8-weights' }).artifact;
    fp16 = compileFile(join(DIGITS_DIR, 'digits_mlp.onnx'), { quantize: 'fp16' }).artifact;
  });

  it('lists the features it uses, dequantizes (q − 0)·s per output channel and float16 exactly, and re-encodes to the same bytes', () => {
    for (const [bytes, feature] of [[int8, 'quant-int8'], [nm, 'quant-int8'], [fp16, 'quant-float16']] as const) {
      const a = parseArtifact(bytes);
      assert.ok(a.requiredFeatures.includes(feature), feature);
      assert.deepStrictEqual(writeArtifact(a), bytes);
      for (const t of a.tensors.filter((x) => x.quant)) {
        const q = t.quant!;
        const got = t.packed ? t.packed.values : (t.data as Float32Array);
        if (q.dtype === 'float16') {
          got.forEach((v, i) => assert.equal(v, fromFloat16Bits(q.values[i]!)));
          continue;
        }
        // Dense Conv/Gemm(transB) weights: the channel is the leading index.
        if (!t.packed) {
          const inner = got.length / t.shape[0]!;
          got.forEach((v, i) => assert.equal(v, Math.fround(q.values[i]! * q.scales[Math.floor(i / inner)]!), `${t.name}[${i}]`));
        }
      }
    }
    const packed = parseArtifact(nm).tensors.filter((t) => t.packed && t.quant);
    assert.ok(packed.length > 0, 'a 2:4 weight stores int8 values');
    for (const t of packed) assert.equal(t.quant!.values.length, t.packed!.values.length);
  });

  it('refuses a quantized weight in a file that does not list its feature, naming the tensor', () => {
    const a = parseArtifact(int8);
    const i = a.tensors.findIndex((t) => t.quant);
    // Swap the feature's name for another supported one of the same length.
    const bad = int8.slice();
    const name = new TextEncoder().encode('quant-int8');
    const at = bad.findIndex((_, k) => name.every((c, j) => bad[k + j] === c));
    assert.ok(at > 0);
    bad.set(new TextEncoder().encode('sparse-csr'), at);
    assert.equal(rejection(fixChecksum(bad)), `tensor ${i} '${a.tensors[i]!.name}': stored as int8 but required features do not list 'quant-int8'`);
  });

  it('refuses a NaN or infinite scale, naming the tensor and the channel', () => {
    const a = parseArtifact(int8);
    const i = a.tensors.findIndex((t) => t.quant);
    for (const bad of [NaN, Infinity]) {
      const bytes = reencodeArtifact(int8, (x) => editTensor(x, i, (t) => {
        const scales = Float32Array.from(t.quant!.scales);
        scales[3] = bad;
        return { ...t, quant: { ...t.quant!, scales } };
      }));
      assert.equal(rejection(bytes), `tensor ${i} '${a.tensors[i]!.name}': int8 scale 3 is ${bad} (must be finite)`);
    }
  });

  it('refuses an axis outside the shape, and scales that do not count its channels', () => {
    const a = parseArtifact(int8);
    const i = a.tensors.findIndex((t) => t.quant);
    const t0 = a.tensors[i]!;
    const rank = t0.shape.length;
    const axis = reencodeArtifact(int8, (x) => editTensor(x, i, (t) => ({ ...t, quant: { ...t.quant!, axis: rank } })));
    assert.equal(rejection(axis), `tensor ${i} '${t0.name}': int8 quantization axis ${rank} outside [-1, ${rank})`);
    const short = reencodeArtifact(int8, (x) => x, (layout) => { layout.placements[i]!.quant!.scalesLength -= 4n; });
    const n = t0.quant!.scales.length;
    assert.equal(rejection(short), `tensor ${i} '${t0.name}': int8 scales of ${n * 4 - 4} bytes, ${n} channels need ${n * 4}`);
  });

  it('refuses a float16 quantization with scales or an axis', () => {
    const a = parseArtifact(fp16);
    const i = a.tensors.findIndex((t) => t.quant);
    const bytes = reencodeArtifact(fp16, (x) => editTensor(x, i, (t) => ({ ...t, quant: { ...t.quant!, axis: 0 } })));
    assert.equal(rejection(bytes), `tensor ${i} '${a.tensors[i]!.name}': float16 quantization axis 0 (must be -1)`);
  });

  it("refuses a packed weight quantized along an axis that is not its rows'", () => {
    const a = parseArtifact(nm);
    const i = a.tensors.findIndex((t) => t.packed && t.quant && t.shape.length === 2);
    assert.ok(i >= 0, 'a packed 2-D weight');
    const t0 = a.tensors[i]!;
    const bytes = reencodeArtifact(nm, (x) => editTensor(x, i, (t) => ({ ...t, quant: { ...t.quant!, axis: 1, scales: new Float32Array(t.shape[1]!).fill(1) } })));
    assert.equal(rejection(bytes), `tensor ${i} '${t0.name}': int8 quantization axis 1 is not the nm rows' axis (${t0.packed!.rows} rows)`);
  });

  it('counts the dequantized float32 bytes against maxWeightBytes', () => {
    const a = parseArtifact(int8);
    const stored = a.tensors.filter((t) => t.kind === 'weight').reduce((s, t) => s + (t.quant ? t.quant.values.byteLength + t.quant.scales.byteLength : t.data!.byteLength), 0);
    // The file alone fits; with the float32 copies it does not.
    assert.throws(() => parseArtifact(int8, { limits: { maxWeightBytes: stored + 64 } }), /maxWeightBytes/);
  });
});
