// The loader on the storage codec's field (Tensor.sparse.kernel_layout, feature 'sparse-expand'):
// a compiled artifact round-trips; every lie about it is refused with an ArtifactError naming the
// tensor or node, before anything is expanded; the expansion counts against maxWeightBytes.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ByteBuffer } from 'flatbuffers';
import { compileFile } from '../../../compiler/compile.js';
import { reencodeArtifact, writeArtifact } from '../../../compiler/emit/artifact.js';
import { packNm } from '../../../compiler/sparse/pack/pack.js';
import { ArtifactError, parseArtifact } from '../../../runtime/loader/load.js';
import type { LoadedArtifact } from '../../../runtime/loader/model.js';
import { weightBytesOf } from '../../../runtime/loader/limits.js';
import { HEADER_BYTES, HEADER_FIELDS } from '../../../runtime/loader/format.js';
import { Model } from '../../../schemas/gen/spc/schema/model.js';
import { KernelLayout } from '../../../schemas/gen/spc/schema/kernel-layout.js';
import { sizeOf } from '../../../runtime/tensor.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { NO_NM_GEMM, shippedProfileWithout } from '../../helpers/profiles.js';
import { encodeUnchecked, rejection } from './refusal.js';
import { fixChecksum } from './sample-artifact.js';

/** Byte positions (in the file) of every kernel_layout field written DENSE. */
function denseLayoutBytes(bytes: Uint8Array): { tensor: number; at: number }[] {
  const fbLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(HEADER_FIELDS.flatbufferLength, true);
  const m = Model.getRootAsModel(new ByteBuffer(bytes.subarray(HEADER_BYTES, HEADER_BYTES + fbLength)));
  const found: { tensor: number; at: number }[] = [];
  for (let i = 0; i < m.tensorsLength(); i++) {
    const s = m.tensors(i)!.sparse();
    if (s === null || s.kernelLayout() !== KernelLayout.DENSE) continue;
    // kernel_layout is field id 16: vtable slot 4 + 2·16.
    found.push({ tensor: i, at: HEADER_BYTES + s.bb_pos + s.bb!.__offset(s.bb_pos, 36) });
  }
  return found;
}

describe('loader: the storage codec field', function () {
  this.timeout(120_000);
  let bytes: Uint8Array;
  let a: LoadedArtifact;
  before(() => {
    // The shipped profile runs fc1 on the N:M gemv kernel; without that family's entries fc1 runs a dense
    // Gemm over its expanded weight, and conv2 still reads its weight packed: one weight of each kind.
    bytes = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { pattern: '2:4', profile: shippedProfileWithout(NO_NM_GEMM, 'no-nm-gemm') }).artifact;
    a = parseArtifact(bytes);
  });

  it('a compiled 2:4 artifact lists sparse-expand, marks its dense-read weights, and re-encodes to the same bytes', () => {
    assert.ok(a.requiredFeatures.includes('sparse-expand'));
    assert.equal(a.formatVersion, 2);
    const expanded = a.tensors.filter((t) => t.kernelLayout === 'dense');
    // fc1 runs a dense Gemm kernel over its expanded 2:4 weight; conv2 runs the N:M kernel on its packed one.
    assert.deepEqual(expanded.map((t) => t.packed?.format), ['nm']);
    const at = a.tensors.indexOf(expanded[0]!);
    assert.deepEqual(a.nodes.filter((n) => n.inputs.includes(at)).map((n) => n.name), ['/fc1/Gemm']);
    assert.equal(a.tensors.filter((t) => t.packed && t.kernelLayout !== 'dense').length, 1, 'conv2 reads its weight packed');
    assert.equal(denseLayoutBytes(bytes).length, 1);
    assert.deepStrictEqual(writeArtifact(parseArtifact(bytes)), bytes);
  });

  it('refuses an unknown kernel layout, naming the tensor', () => {
    const [{ tensor, at }] = denseLayoutBytes(bytes);
    const bad = bytes.slice();
    bad[at] = 2;
    assert.equal(rejection(fixChecksum(bad)), `tensor ${tensor} '${a.tensors[tensor]!.name}': unknown kernel layout 2`);
  });

  it('refuses a dense kernel layout in a file that does not list sparse-expand', () => {
    // Swap the feature's name for another supported one of the same length: the layout field stays DENSE.
    const bad = bytes.slice();
    const name = new TextEncoder().encode('sparse-expand');
    const at = bad.findIndex((_, i) => name.every((c, k) => bad[i + k] === c));
    assert.ok(at > 0);
    bad.set(new TextEncoder().encode('dtype-float16'), at);
    const [{ tensor }] = denseLayoutBytes(bytes);
    assert.equal(rejection(fixChecksum(bad)),
      `tensor ${tensor} '${a.tensors[tensor]!.name}': kernel layout dense but required features do not list 'sparse-expand'`);
  });

  it('refuses an expanded weight no Conv, Gemm or MatMul reads (nothing says how to lay it out)', () => {
    const i = a.tensors.findIndex((t) => t.kernelLayout === 'dense');
    const copy = { ...a.tensors[i]!, name: 'orphan' };
    const bad = reencodeArtifact(bytes, (x) => ({ ...x, tensors: [...x.tensors, copy] }));
    assert.equal(rejection(bad), `tensor ${a.tensors.length} 'orphan': kernel layout dense, but no Conv, Gemm, MatMul, QLinearConv or QLinearMatMul reads it as its weight`);
  });

  it('refuses an expanded weight two nodes read in different layouts', () => {
    // w [8, 8] 2:4 expanded: Gemm transB=1 reads it [N, K], MatMul [K, N]; both 8×8, so only the layouts disagree.
    const m = Float32Array.from({ length: 64 }, (_, i) => (i % 4 < 2 ? i + 1 : 0));
    const hand: LoadedArtifact = {
      formatVersion: 2, requiredFeatures: [], name: 'two-views', arenaBytes: 128,
      tensors: [
        { name: 'x', dtype: 'float32', shape: [1, 8], kind: 'input', arenaOffset: 0 },
        { name: 'w', dtype: 'float32', shape: [8, 8], kind: 'weight', data: new Float32Array(0), packed: packNm(8, 8, m, 2, 4), kernelLayout: 'dense',
          descriptor: { pattern: '2:4', sparsity: 0.5 } },
        { name: 'h', dtype: 'float32', shape: [1, 8], kind: 'activation', arenaOffset: 32 },
        { name: 'y', dtype: 'float32', shape: [1, 8], kind: 'output', arenaOffset: 64 },
      ],
      nodes: [
        { name: 'gemm', op: 'Gemm', kernel: 'f32-gemm-4x8-wasmsimd', kernelReason: '', inputs: [0, 1], outputs: [2], attrs: { transB: 1 } },
        { name: 'matmul', op: 'MatMul', kernel: 'f32-matmul-4x8-wasmsimd', kernelReason: '', inputs: [2, 1], outputs: [3], attrs: {} },
      ],
      inputs: [0], outputs: [3],
      provenance: { spcVersion: 'test', sourceSha256: '', options: [], layers: [] },
    };
    assert.equal(rejection(encodeUnchecked(hand)), "node 1 'matmul': expands weight 'w' as [K, N] (Gemm, MatMul), another node reads it as Gemm transB [N, K]");
    // One reader each way is fine: the same artifact with only the Gemm loads.
    const one = { ...hand, nodes: [hand.nodes[0]!], outputs: [2], tensors: hand.tensors.map((t) => (t.name === 'h' ? { ...t, kind: 'output' as const } : t)).slice(0, 3) };
    assert.equal(parseArtifact(encodeUnchecked(one)).tensors[1]!.kernelLayout, 'dense');
  });

  it('counts the expanded dense bytes against maxWeightBytes, before anything is expanded', () => {
    // Counted by hand: dense weights, packed components, and the dense float32 of each expanded weight.
    const bytesOf = (t: LoadedArtifact['tensors'][number]): number => !t.packed ? t.data!.byteLength
      : t.packed.values.byteLength + (t.packed.format === 'nm' ? t.packed.indices.byteLength : t.packed.colIdx.byteLength + t.packed.rowPtr.byteLength);
    const stored = a.tensors.filter((t) => t.kind === 'weight').reduce((s, t) => s + bytesOf(t), 0);
    const expanded = a.tensors.filter((t) => t.kernelLayout === 'dense').reduce((s, t) => s + sizeOf(t.shape) * 4, 0);
    assert.equal(a.tensors.filter((t) => t.kind === 'weight').reduce((s, t) => s + weightBytesOf(t), 0), stored + expanded);
    assert.throws(() => parseArtifact(bytes, { limits: { maxWeightBytes: stored + expanded - 1 } }),
      (e: unknown) => e instanceof ArtifactError && /exceeds the limit of \d+ bytes \(maxWeightBytes/.test(e.message));
    assert.equal(parseArtifact(bytes, { limits: { maxWeightBytes: stored + expanded } }).name, a.name);
  });
});
