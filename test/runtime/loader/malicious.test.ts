// Artifacts with a correct checksum and a sound FlatBuffer whose contents lie: each must be
// refused with an ArtifactError naming the tensor or node at fault.

import { strict as assert } from 'node:assert';
import { ByteBuffer } from 'flatbuffers';
import { writeArtifact } from '../../../compiler/emit/artifact.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import type { LoadedArtifact, LoadedNode } from '../../../runtime/loader/model.js';
import { Model } from '../../../schemas/gen/spc/schema/model.js';
import { encodeUnchecked, rejection } from './refusal.js';
import { fixChecksum, sampleArtifact, withChanges, withTensor } from './sample-artifact.js';

function withNode(a: LoadedArtifact, i: number, f: (n: LoadedNode) => LoadedNode): LoadedArtifact {
  return { ...a, nodes: a.nodes.map((n, k) => (k === i ? f(n) : n)) };
}

describe('artifact loader, lying contents', () => {
  const a = sampleArtifact();

  it('loads the untampered sample', () => {
    parseArtifact(encodeUnchecked(a));
  });

  const cases: [string, () => Uint8Array, RegExp][] = [
    ['node input index out of range',
      () => encodeUnchecked(withNode(a, 1, (n) => ({ ...n, inputs: [5, 99] }))),
      /^node 1 'cast': input 1 refers to tensor 99, outside 0\.\.12$/],
    ['negative node input other than -1',
      () => encodeUnchecked(withNode(a, 0, (n) => ({ ...n, inputs: [0, -2] }))),
      /^node 0 'gemm': input 1 refers to tensor -2/],
    ['-1 as a node output',
      () => encodeUnchecked(withNode(a, 0, (n) => ({ ...n, outputs: [-1] }))),
      /^node 0 'gemm': output 0 refers to tensor -1/],
    ['node writing a weight',
      () => encodeUnchecked(withNode(a, 0, (n) => ({ ...n, outputs: [5, 1] }))),
      /^node 0 'gemm': output 1 writes weight tensor 1 'w'/],
    ['node reading an activation before it is written',
      () => encodeUnchecked({ ...a, nodes: [a.nodes[1]!, a.nodes[0]!] }),
      /^node 0 'cast': input 0 reads tensor 5 'h' before any node writes it/],
    ['two nodes writing one tensor',
      () => encodeUnchecked(withNode(a, 1, (n) => ({ ...n, outputs: [7, 5] }))),
      /^node 1 'cast': output 1 writes tensor 5 'h', already written by node 0/],
    ['weight data range outside the weight section',
      () => encodeUnchecked(a, (l) => { l.placements[1]!.dataOffset = BigInt(l.weights.length); }),
      /^tensor 1 'w': data range \d+\+60 outside weight section \(\d+ bytes\)$/],
    ['weight data offset near 2^64',
      () => encodeUnchecked(a, (l) => { l.placements[2]!.dataOffset = 2n ** 64n - 64n; }),
      /^tensor 2 'b': data range 18446744073709551552\+40 outside weight section/],
    ['misaligned weight data',
      () => encodeUnchecked(a, (l) => { l.placements[1]!.dataOffset = 4n; }),
      /^tensor 1 'w': data offset 4 not aligned to 64$/],
    ['weight data length not matching its shape',
      () => encodeUnchecked(withTensor(a, 1, (t) => ({ ...t, shape: [4, 5] }))),
      /^tensor 1 'w': data length 60 but float32\[4,5\] needs 80 bytes$/],
    ['arena offset beyond arena_bytes',
      () => encodeUnchecked(withTensor(a, 5, (t) => ({ ...t, arenaOffset: 1000 }))),
      /^tensor 5 'h': arena range 1000\+20 outside arena \(168 bytes\)$/],
    ['arena range straddling its end',
      () => encodeUnchecked(withChanges(a, { arenaBytes: 130 })),
      /^tensor 7 'y': arena range 128\+40 outside arena \(130 bytes\)$/],
    ['arena offset misaligned for its dtype',
      () => encodeUnchecked(withTensor(a, 7, (t) => ({ ...t, arenaOffset: 124 }))),
      /^tensor 7 'y': arena offset 124 not aligned to float64 \(8 bytes\)$/],
    ['a shape of 2^40 elements',
      () => encodeUnchecked(withTensor(a, 5, (t) => ({ ...t, shape: [2 ** 20, 2 ** 20] }))),
      /^tensor 5 'h': shape \[1048576,1048576\] has 1099511627776 elements, which exceeds the limit of 268435456 \(maxTensorElements; raise it with loadModel's option limits\.maxTensorElements\)$/],
    ['a single dimension of 2^40',
      () => encodeUnchecked(withTensor(a, 5, (t) => ({ ...t, shape: [2 ** 40] }))),
      /^tensor 5 'h': dimension 1099511627776 exceeds/],
    ['a negative dimension',
      () => encodeUnchecked(withTensor(a, 1, (t) => ({ ...t, shape: [-3, -5] }))),
      /^tensor 1 'w': negative dimension -3 in shape$/],
    ['an empty tensor name',
      () => encodeUnchecked(withTensor(a, 3, (t) => ({ ...t, name: '' }))),
      /^tensor 3: empty name$/],
    ['a duplicate tensor name',
      () => encodeUnchecked(withTensor(a, 3, (t) => ({ ...t, name: 'w' }))),
      /^tensor 3 'w': duplicate name$/],
    ['an empty node name',
      () => encodeUnchecked(withNode(a, 0, (n) => ({ ...n, name: '' }))),
      /^node 0: empty name$/],
    ['a graph input of the wrong kind',
      () => encodeUnchecked(withChanges(a, { inputs: [0, 5] })),
      /^graph input 1 is tensor 5 'h' of kind activation$/],
    ['a graph output out of range',
      () => encodeUnchecked(withChanges(a, { outputs: [70000] })),
      /^graph output 0 refers to tensor 70000/],
    ['an input tensor missing from the graph inputs',
      () => encodeUnchecked(withChanges(a, { inputs: [] })),
      /^tensor 0 'x' is of kind input but not a graph input$/],
    ['a required feature this runtime lacks',
      () => encodeUnchecked(withChanges(a, { requiredFeatures: ['sparse-nm-v9'] })),
      /^requires feature 'sparse-nm-v9' this runtime lacks$/],
    ['a newer format version',
      () => encodeUnchecked(withChanges(a, { formatVersion: 7 })),
      /^unsupported format version 7 \(this runtime reads 1 to 2\)$/],
    ['an arena larger than 4 GiB',
      () => encodeUnchecked(withChanges(a, { arenaBytes: 2 ** 40 })),
      /^memory plan: arena of 1099511627776 bytes exceeds/],
    ['a bad arena alignment',
      () => encodeUnchecked(a, (l) => { l.arenaAlignment = 48; }),
      /^memory plan: alignment 48 is not a power of two/],
    ['a hostile tensor name, quoted and cut short',
      () => encodeUnchecked(withTensor(withTensor(a, 1, (t) => ({ ...t, name: `\u0000${'z'.repeat(10000)}` })), 1, (t) => ({ ...t, shape: [-1] }))),
      /^tensor 1 '\\x00z{76}\.\.\.': negative dimension/],
  ];
  for (const [what, make, message] of cases) {
    it(`rejects ${what}`, () => assert.match(rejection(make()), message));
  }

  it('refuses to write any of them', () => {
    assert.throws(() => writeArtifact(withTensor(a, 5, (t) => ({ ...t, arenaOffset: 1000 }))),
      /writeArtifact: the artifact would not load: tensor 5 'h': arena range/);
  });

  it('rejects a bad file identifier, a bad container version and a misplaced weight section', () => {
    const fbAt = 32;
    const bad = writeArtifact(a);
    bad.set([0x58, 0x58, 0x58, 0x58], fbAt + 4);
    assert.match(rejection(fixChecksum(bad)), /^bad file identifier 'XXXX' \(expected 'SPCM'\)$/);

    const moved = writeArtifact(a);
    const view = new DataView(moved.buffer);
    view.setUint32(20, view.getUint32(20, true) - 64, true);
    view.setUint32(24, view.getUint32(24, true) + 64, true);
    assert.match(rejection(fixChecksum(moved)), /^bad header: weight section at \d+, expected \d+/);

    const reserved = writeArtifact(a);
    reserved[28] = 1;
    assert.match(rejection(fixChecksum(reserved)), /reserved field/);
  });

  it('rejects a vector whose length runs past the buffer', () => {
    const bytes = writeArtifact(a);
    const fb = bytes.subarray(32, 32 + new DataView(bytes.buffer).getUint32(16, true));
    const bb = new ByteBuffer(fb);
    const model = Model.getRootAsModel(bb);
    const slot = bb.__offset(model.bb_pos, 10); // Model.tensors
    const vec = bb.__vector(model.bb_pos + slot) - 4;
    new DataView(fb.buffer, fb.byteOffset).setUint32(vec, 0x7ffffff0, true);
    assert.match(rejection(fixChecksum(bytes)), /^malformed flatbuffer Model\.tensors: vector length \d+ too large$/);
    new DataView(fb.buffer, fb.byteOffset).setUint32(vec, 0x00fffff0, true);
    assert.match(rejection(fixChecksum(bytes)), /^malformed flatbuffer Model\.tensors: bytes \d+\.\.\d+ outside the buffer/);
  });

  it('rejects offsets shared to multiply the work (a decompression bomb)', () => {
    // 4000 node slots all pointing at the one node with 4000 attributes: 16M visits from ~400 KB.
    const attrs: Record<string, number[]> = {};
    for (let i = 0; i < 4000; i++) attrs[`a${String(i).padStart(5, '0')}`] = [];
    const node: LoadedNode = { ...a.nodes[0]!, inputs: [0], outputs: [5], attrs };
    const base: LoadedArtifact = { ...a, nodes: [node, ...Array.from({ length: 3999 }, () => ({ ...node, outputs: [], attrs: {} })), a.nodes[1]!] };
    const bytes = encodeUnchecked(base);
    const fb = bytes.subarray(32, 32 + new DataView(bytes.buffer).getUint32(16, true));
    const bb = new ByteBuffer(fb);
    const model = Model.getRootAsModel(bb);
    const vec = bb.__vector(model.bb_pos + bb.__offset(model.bb_pos, 12)); // Model.nodes
    const dv = new DataView(fb.buffer, fb.byteOffset);
    const first = vec + dv.getUint32(vec, true);
    for (let i = 1; i < 4000; i++) dv.setUint32(vec + 4 * i, first - (vec + 4 * i), true);
    const started = Date.now();
    assert.match(rejection(fixChecksum(bytes)), /more objects than the buffer can hold/);
    assert.ok(Date.now() - started < 2000, 'took too long');
  });
});
