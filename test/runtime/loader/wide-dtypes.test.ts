// The element types added after v2 (float16, uint32, uint64) in the .spm artifact: written behind
// the required features dtype-*, read back bit for bit, and refused by name when a tensor uses
// one without its feature, when a dtype value is unknown, or when a weight's bytes do not match.

import { strict as assert } from 'node:assert';
import { ByteBuffer } from 'flatbuffers';
import { writeArtifact } from '../../../compiler/emit/artifact.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import type { LoadedArtifact, LoadedTensor } from '../../../runtime/loader/model.js';
import { SUPPORTED_FEATURES } from '../../../runtime/loader/format.js';
import { Model } from '../../../schemas/gen/spc/schema/model.js';
import { encodeUnchecked, rejection } from './refusal.js';
import { fixChecksum, sampleArtifact } from './sample-artifact.js';

const WIDE: readonly LoadedTensor[] = [
  { name: 'half', dtype: 'float16', shape: [3], kind: 'weight', data: Uint16Array.from([0x3c00, 0x7c00, 0x8001]) },
  { name: 'u32', dtype: 'uint32', shape: [2], kind: 'weight', data: Uint32Array.from([0, 4294967295]) },
  { name: 'u64', dtype: 'uint64', shape: [2], kind: 'weight', data: BigUint64Array.from([1n, 2n ** 64n - 1n]) },
];

/** The sample artifact plus one weight of each wide dtype (unread by any node, as weights may be). */
function wideArtifact(): LoadedArtifact {
  const a = sampleArtifact();
  return { ...a, tensors: [...a.tensors, ...WIDE] };
}

/** The FlatBuffer of an encoded artifact, and the byte offset of tensor `i`'s dtype field in it. */
function dtypeByte(bytes: Uint8Array, i: number): { fb: Uint8Array; at: number } {
  const fb = bytes.subarray(32, 32 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(16, true));
  const bb = new ByteBuffer(fb);
  const t = Model.getRootAsModel(bb).tensors(i)!;
  return { fb, at: t.bb_pos + bb.__offset(t.bb_pos, 6) }; // Tensor.dtype, field 1
}

describe('artifact element types float16, uint32, uint64', () => {
  it('lists dtype-float16, dtype-uint32, dtype-uint64 and reads the weights back bit for bit', () => {
    const back = parseArtifact(writeArtifact(wideArtifact()));
    assert.deepEqual(back.requiredFeatures, ['dtype-float16', 'dtype-uint32', 'dtype-uint64']);
    assert.equal(back.formatVersion, 1, 'new enum values need no format bump: an old runtime refuses, it does not misread');
    for (const w of WIDE) {
      const t = back.tensors.find((x) => x.name === w.name)!;
      assert.equal(t.dtype, w.dtype);
      assert.equal(t.data!.constructor, w.data!.constructor, w.name);
      assert.deepEqual(Array.from(t.data as ArrayLike<number | bigint>), Array.from(w.data as ArrayLike<number | bigint>), w.name);
    }
    // Without them the sample keeps no feature (its bytes do not change).
    assert.deepEqual(parseArtifact(writeArtifact(sampleArtifact())).requiredFeatures, []);
  });

  it('is refused by name by a runtime that lacks the feature', () => {
    // This runtime's check, as a v2 runtime (without the dtype-* features) runs it.
    const bytes = writeArtifact(wideArtifact());
    const fb = Model.getRootAsModel(new ByteBuffer(bytes.subarray(32)));
    const listed = Array.from({ length: fb.requiredFeaturesLength() }, (_, i) => fb.requiredFeatures(i));
    assert.deepEqual(listed, ['dtype-float16', 'dtype-uint32', 'dtype-uint64']);
    const v2 = SUPPORTED_FEATURES.filter((f) => !f.startsWith('dtype-'));
    assert.equal(listed.find((f) => !v2.includes(f)), 'dtype-float16');
  });

  it('refuses a float16 tensor in an artifact that does not list dtype-float16, naming the tensor', () => {
    // Tensor 3 'idx' is a uint16 weight of the sample: same size, so only the feature is missing.
    const bytes = encodeUnchecked(sampleArtifact());
    const { fb, at } = dtypeByte(bytes, 3);
    assert.equal(fb[at], 8); // UINT16
    fb[at] = 10; // FLOAT16
    assert.equal(rejection(fixChecksum(bytes)), "tensor 3 'idx': dtype float16 but the artifact does not list required feature 'dtype-float16'");
  });

  it('refuses an unknown dtype value, naming the tensor', () => {
    const bytes = encodeUnchecked(sampleArtifact());
    const { fb, at } = dtypeByte(bytes, 3);
    fb[at] = 13;
    assert.equal(rejection(fixChecksum(bytes)), "tensor 3 'idx': unknown dtype 13");
  });

  it('refuses a float16 weight whose byte length does not match its shape, naming the tensor', () => {
    // 'u32' (4 bytes × 2) relabelled float16 [2] needs 4 bytes, the section holds 8.
    const a = wideArtifact();
    const bytes = encodeUnchecked(a);
    const i = a.tensors.findIndex((t) => t.name === 'u32');
    const { fb, at } = dtypeByte(bytes, i);
    fb[at] = 10;
    assert.equal(rejection(fixChecksum(bytes)), `tensor ${i} 'u32': data length 8 but float16[2] needs 4 bytes`);
  });
});
