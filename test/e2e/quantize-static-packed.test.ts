// 2:4 + --quantize int8 end to end: a pruned QLinearConv/QLinearMatMul weight is stored as its
// packed int8 codes (rank-coded N:M indices, the int8-weights storage) and expanded at load for the
// dense int8 kernel. Oracles: the same artifact with every int8 weight stored dense, written from
// the compiled graph's own codes (logits bit for bit), onnxruntime on the emitted QDQ model, the
// digits labels (issue 18 acceptance 1: ≥ 99.0% at ≤ 0.20× the dense artifact).

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { compileFile, type CompileOptions, type CompileResult } from '../../compiler/compile.js';
import { emitOnnx } from '../../compiler/emit/onnx.js';
import { reencodeArtifact } from '../../compiler/emit/artifact.js';
import { loadModel } from '../../runtime/index.js';
import { ArtifactError, parseArtifact } from '../../runtime/loader/load.js';
import type { LoadedTensor } from '../../runtime/loader/model.js';
import { DIGITS_DIR } from '../helpers/corpus.js';
import { argmaxRows, assertClose } from '../helpers/compare.js';
import { readNpy, tempDir } from '../helpers/files.js';
import { writeFileSync } from 'node:fs';
import { int8Priced } from '../helpers/profiles.js';
import { rejection } from '../runtime/loader/refusal.js';
import { fixChecksum } from '../runtime/loader/sample-artifact.js';

const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
const labels = Array.from(readNpy(join(DIGITS_DIR, 'digits-test-y.npy')).data as ArrayLike<number | bigint>, Number);
const calib = join(DIGITS_DIR, 'digits-calib-x.npy');
const BATCH = 4;
const shape = { input: [BATCH, 1, 8, 8] };

/** Logits of `artifact` over the whole digits test set, BATCH images a run. */
async function logits(artifact: Uint8Array): Promise<Float32Array> {
  const m = await loadModel(artifact);
  try {
    const y = new Float32Array(labels.length * 10), data = x.data as Float32Array;
    for (let b = 0; b < labels.length; b += BATCH) {
      const out = await m.run({ input: { data: data.subarray(b * 64, (b + BATCH) * 64), shape: [BATCH, 1, 8, 8] } });
      y.set(out['logits']!.data as Float32Array, b * 10);
    }
    return y;
  } finally {
    m.dispose();
  }
}

const top1 = (y: Float32Array): number => argmaxRows(y, labels.length, 10).filter((c, i) => c === labels[i]).length / labels.length;

/** The dense int8 conv, which runs a weight stored dense where the N:M one read it packed. */
const DENSE_INT8_CONV = 'i8-qlinearconv-4x8-wasmsimd';

/**
 * The artifact of `r` with every packed int8 weight stored dense: its codes as the compiled graph
 * holds them, and the layers that read them packed (i8-qlinearconvnm) running the dense int8 conv.
 */
function denseInt8(r: CompileResult): Uint8Array {
  return reencodeArtifact(r.artifact, (a) => ({
    ...a,
    nodes: a.nodes.map((n) => (n.kernel.startsWith('i8-qlinearconvnm-') ? { ...n, kernel: DENSE_INT8_CONV } : n)),
    tensors: a.tensors.map((t): LoadedTensor => {
      if (!t.packed || t.dtype !== 'int8') return t;
      const codes = r.graph.values.get(t.name)!.constant!.data;
      assert.ok(codes instanceof Int8Array, t.name);
      return { name: t.name, dtype: t.dtype, shape: t.shape, kind: t.kind, data: codes };
    }),
  }));
}

describe('e2e: 2:4 + --quantize int8, QLinear weights stored packed', function () {
  this.timeout(600_000);
  // Every layer int8 (int8Priced): the case where the fused QLinearConvs read pruned weights.
  const allInt8: CompileOptions = { pattern: '2:4', method: 'sparsegpt', quantize: 'int8', calib, inputShapes: shape, profile: int8Priced(1e-4, 1e-4) };
  let r: CompileResult;
  before(() => { r = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { ...allInt8, verify: true }); });

  it('stores the pruned QLinearConv weights as nm int8 codes with rank-coded indices, expanded at load, listing sparse-expand, sparse-nm-rank and sparse-int8', () => {
    const a = parseArtifact(r.artifact);
    const packed = a.tensors.filter((t) => t.packed);
    const readers = a.nodes.filter((n) => n.op === 'QLinearConv' && a.tensors[n.inputs[3]!]!.packed);
    assert.deepEqual(readers.map((n) => n.name).sort(), ['/conv2/Conv', '/fc1/Gemm']);
    // The QLinear weights are int8 codes; a layer the rule keeps float (fc2, pruned at 2:4 whatever its size) stays float32.
    const int8Weights = new Set(readers.map((n) => n.inputs[3]!));
    for (const t of packed) {
      assert.equal(t.dtype, int8Weights.has(a.tensors.indexOf(t)) ? 'int8' : 'float32', t.name);
      assert.equal(t.packed!.format, 'nm', t.name);
    }
    for (const i of int8Weights) assert.equal(a.tensors[i]!.kernelLayout, 'dense', a.tensors[i]!.name);
    assert.deepEqual(a.requiredFeatures.filter((f) => f.startsWith('sparse-')), ['sparse-nm', 'sparse-expand', 'sparse-nm-rank', 'sparse-int8']);
  });

  it('runs to the same logits, bit for bit, as the artifact storing the graph\'s int8 codes dense, and that one is larger', async () => {
    const dense = denseInt8(r);
    assert.ok(parseArtifact(dense).tensors.every((t) => !t.packed || t.dtype !== 'int8'));
    const [got, want] = [await logits(r.artifact), await logits(dense)];
    assert.deepEqual(new Uint32Array(got.buffer), new Uint32Array(want.buffer));
    assert.ok(r.artifact.length < dense.length - 15000, `${r.artifact.length} vs ${dense.length}`);
  });

  it('matches onnxruntime (graph optimizations on) on the emitted QDQ model', async () => {
    const session = await ort.InferenceSession.create(emitOnnx(r.graph), { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
    try {
      const first = (x.data as Float32Array).subarray(0, 16 * 64);
      const got = await logits(r.artifact);
      for (let b = 0; b < 16; b += BATCH) {
        const want = (await session.run({ input: new ort.Tensor('float32', first.subarray(b * 64, (b + BATCH) * 64), [BATCH, 1, 8, 8]) }))['logits']!.data as Float32Array;
        assertClose(got.subarray(b * 10, (b + BATCH) * 10), want, 1e-4, 1e-4, `digits_cnn 2:4 int8 logits, images ${b}..${b + BATCH - 1}`);
      }
    } finally {
      await session.release();
    }
  });

  it('keeps ≥ 99.0% top-1 and is smaller than the dense-int8 artifact; with the shipped profile (the CLI\'s default) ≤ 0.20× the dense artifact', async () => {
    assert.ok(top1(await logits(r.artifact)) >= 0.99);
    const int8 = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { quantize: 'int8', calib, inputShapes: shape, profile: int8Priced(1e-4, 1e-4) });
    assert.ok(r.artifact.length < 0.75 * int8.artifact.length, `2:4 + int8 ${r.artifact.length} vs int8 ${int8.artifact.length}`);
    const fp32 = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { inputShapes: shape });
    const { profile: _, ...cli } = allInt8;
    const shipped = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), cli);
    assert.ok(shipped.contents.nodes.some((n) => n.op === 'QLinearConv' && shipped.contents.tensors[n.inputs[3]!]!.packed));
    assert.ok(top1(await logits(shipped.artifact)) >= 0.99);
    const ratio = shipped.artifact.length / fp32.artifact.length;
    assert.ok(ratio <= 0.2, `${ratio.toFixed(3)}× dense`);
  });

  it('with the N:M int8 conv priced below dense, runs it on the packed weights (no expansion): the same logits, bit for bit, as the dense int8 conv on the codes stored dense, and onnxruntime\'s', async () => {
    const nm = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { ...allInt8, profile: int8Priced(1e-4, 1e-4, [{ key: 'i8-qlinearconvnm-16x1-wasmsimd@elements', nsPerCall: 0, nsPerUnit: 1e-5, points: 1 }]) });
    const a = parseArtifact(nm.artifact);
    const readers = a.nodes.filter((n) => n.op === 'QLinearConv' && a.tensors[n.inputs[3]!]!.packed);
    assert.deepEqual(readers.map((n) => `${n.name} ${n.kernel}`).sort(), ['/conv2/Conv i8-qlinearconvnm-16x1-wasmsimd', '/fc1/Gemm i8-qlinearconvnm-16x1-wasmsimd']);
    for (const n of readers) assert.equal(a.tensors[n.inputs[3]!]!.kernelLayout, undefined, `${n.name} reads its weight packed`);
    const [got, want] = [await logits(nm.artifact), await logits(denseInt8(nm))];
    assert.deepEqual(new Uint32Array(got.buffer), new Uint32Array(want.buffer));
    assert.ok(top1(got) >= 0.99);
    const session = await ort.InferenceSession.create(emitOnnx(nm.graph), { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
    try {
      for (let b = 0; b < 16; b += BATCH) {
        const want = (await session.run({ input: new ort.Tensor('float32', (x.data as Float32Array).subarray(b * 64, (b + BATCH) * 64), [BATCH, 1, 8, 8]) }))['logits']!.data as Float32Array;
        assertClose(got.subarray(b * 10, (b + BATCH) * 10), want, 1e-4, 1e-4, `digits_cnn 2:4 int8 (N:M int8 conv) logits, images ${b}..${b + BATCH - 1}`);
      }
    } finally {
      await session.release();
    }
  });

  it('a QLinear model that arrives 2:4 sparse (spc\'s own emitted one, compiled without --pattern) stores those weights packed too, to the same logits as dense storage', async () => {
    const file = join(tempDir('spc-q8nm-'), 'digits_cnn_24_int8.onnx');
    writeFileSync(file, emitOnnx(r.graph));
    const again = compileFile(file, { inputShapes: shape, verify: true });
    const a = parseArtifact(again.artifact);
    const packed = a.tensors.filter((t) => t.packed);
    assert.equal(packed.length, 2);
    for (const t of packed) assert.ok(t.dtype === 'int8' && t.packed!.format === 'nm' && t.descriptor!.pattern === '2:4', t.name);
    const [got, want] = [await logits(again.artifact), await logits(denseInt8(again))];
    assert.deepEqual(new Uint32Array(got.buffer), new Uint32Array(want.buffer));
  });

  it('the loader refuses a packed int8 weight in a file that does not list sparse-int8, naming the tensor', () => {
    const a = parseArtifact(r.artifact);
    const i = a.tensors.findIndex((t) => t.packed && t.dtype === 'int8');
    // Rewrite the feature's FlatBuffer string (u32 length, bytes, NUL) as the shorter supported 'sparse-csr'.
    const bad = r.artifact.slice();
    const name = new TextEncoder().encode('sparse-int8');
    const at = bad.findIndex((_, k) => name.every((c, j) => bad[k + j] === c));
    assert.ok(at > 4 && new DataView(bad.buffer).getUint32(at - 4, true) === name.length);
    new DataView(bad.buffer).setUint32(at - 4, 10, true);
    bad.set(new TextEncoder().encode('sparse-csr\0'), at);
    assert.equal(rejection(fixChecksum(bad)), `tensor ${i} '${a.tensors[i]!.name}': packed int8 weight but required features do not list 'sparse-int8'`);
  });

  it('the loader refuses an int8 packed weight read by a float Conv, and a float32 one read as a QLinearConv weight, naming node and tensor', () => {
    const a = parseArtifact(r.artifact);
    const q = a.nodes.findIndex((n) => n.op === 'QLinearConv' && a.tensors[n.inputs[3]!]!.packed);
    const w = a.nodes[q]!.inputs[3]!;
    const asFloat = () => reencodeArtifact(r.artifact, (b) => ({ ...b, nodes: b.nodes.map((n, i) => (i === q ? { ...n, op: 'Conv', inputs: [n.inputs[0]!, w] } : n)) }));
    assert.throws(() => parseArtifact(asFloat()), (e: unknown) => e instanceof ArtifactError
      && e.message.includes(`node ${q} '${a.nodes[q]!.name}': packed weight '${a.tensors[w]!.name}' is int8, Conv reads float32`));
    const f = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { pattern: '2:4', inputShapes: shape });
    const fa = parseArtifact(f.artifact);
    const conv = fa.nodes.findIndex((n) => n.op === 'Conv' && fa.tensors[n.inputs[1]!]!.packed);
    const fw = fa.nodes[conv]!.inputs[1]!;
    const asInt8 = reencodeArtifact(f.artifact, (b) => ({ ...b, nodes: b.nodes.map((n, i) => (i === conv ? { ...n, op: 'QLinearConv', inputs: [n.inputs[0]!, -1, -1, fw] } : n)) }));
    assert.throws(() => parseArtifact(asInt8), (e: unknown) => e instanceof ArtifactError
      && e.message.includes(`packed weight '${fa.tensors[fw]!.name}' is float32, QLinearConv reads int8`));
  });
});
