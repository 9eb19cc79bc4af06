// The loader's resource limits (runtime/loader/limits.ts) and offsets near 2^64: refused before
// any view is taken, with a message naming the limit and how to raise it.

import { strict as assert } from 'node:assert';
import { writeArtifact } from '../../../compiler/emit/artifact.js';
import { loadModel } from '../../../runtime/index.js';
import { ArtifactError, parseArtifact } from '../../../runtime/loader/load.js';
import { DEFAULT_LIMITS } from '../../../runtime/loader/limits.js';
import { HEADER_FIELDS } from '../../../runtime/loader/format.js';
import { encodeUnchecked, rejection } from './refusal.js';
import { packedSampleArtifact, sampleArtifact, withChanges, withTensor } from './sample-artifact.js';

describe('artifact loader: limits and overflowing offsets', () => {
  const a = sampleArtifact();
  const bytes = writeArtifact(a);
  const refused = (limits: Parameters<typeof parseArtifact>[1]): string => {
    try {
      parseArtifact(bytes, limits);
    } catch (e) {
      assert.ok(e instanceof ArtifactError, String(e));
      return e.message;
    }
    return assert.fail('loaded');
  };

  it('loads within the defaults and within limits set to exactly what the sample needs', () => {
    parseArtifact(bytes);
    // Largest tensor: 'w', 15 elements; 2 nodes; 13 tensors.
    parseArtifact(bytes, { limits: { maxTensorElements: 15, maxNodes: 2, maxValues: 13 } });
  });

  it('names each limit, its value and how to raise it', () => {
    assert.match(refused({ limits: { maxTensorElements: 14 } }),
      /^tensor 1 'w': shape \[3,5\] has 15 elements, which exceeds the limit of 14 \(maxTensorElements; raise it with loadModel's option limits\.maxTensorElements\)$/);
    assert.match(refused({ limits: { maxNodes: 1 } }), /^graph of 2 nodes exceeds the limit of 1 \(maxNodes; raise it with loadModel's option limits\.maxNodes\)$/);
    assert.match(refused({ limits: { maxValues: 12 } }), /^graph of 13 tensors exceeds the limit of 12 \(maxValues; /);
    assert.match(refused({ limits: { maxWeightBytes: 64 } }), /^weight section of \d+ bytes exceeds the limit of 64 bytes \(maxWeightBytes; /);
    assert.match(refused({ limits: { maxTensorElements: 2 } }), /^tensor 0 'x': dimension 3 exceeds the limit of 2 \(maxTensorElements; /);
  });

  it('maxArenaBytes: the arena the plan asks for, named with how to raise it', async () => {
    parseArtifact(bytes, { limits: { maxArenaBytes: 168 } });
    assert.equal(refused({ limits: { maxArenaBytes: 167 } }),
      "memory plan: arena of 168 bytes exceeds the limit of 167 bytes (maxArenaBytes; raise it with loadModel's option limits.maxArenaBytes)");
    await assert.rejects(loadModel(bytes, { limits: { maxArenaBytes: 100 } }), (e: unknown) => e instanceof ArtifactError && /maxArenaBytes/.test(e.message));
    assert.equal(DEFAULT_LIMITS.maxArenaBytes, 2 ** 30);
    assert.match(refused({ limits: { maxArenaBytes: 2 ** 32 + 1 } }), /^limit maxArenaBytes 4294967297 is above its ceiling 4294967296$/);
  });

  it('maxWeightBytes counts every weight tensor, not the section that stores identical weights once', () => {
    // The sample's weights (147 bytes) plus eight tensors of the same 4 KiB: a section of about 4.3 KB, 32,915 bytes of weights.
    const same = Float32Array.from({ length: 1024 }, (_, i) => i);
    const dup = withChanges(a, { tensors: [...a.tensors, ...Array.from({ length: 8 }, (_, k) => ({ name: `dup${k}`, dtype: 'float32' as const, shape: [1024], kind: 'weight' as const, data: same }))] });
    const shared = writeArtifact(dup);
    assert.ok(new DataView(shared.buffer, shared.byteOffset).getUint32(HEADER_FIELDS.weightLength, true) < 5000);
    parseArtifact(shared, { limits: { maxWeightBytes: 147 + 8 * 4096 } });
    assert.throws(() => parseArtifact(shared, { limits: { maxWeightBytes: 16384 } }), (e: Error) => e instanceof ArtifactError && e.message ===
      "tensor 16 'dup3': brings the weights to 16531 bytes, which exceeds the limit of 16384 bytes (maxWeightBytes; raise it with loadModel's option limits.maxWeightBytes)");
  });

  it('refuses limits that are not whole numbers or exceed their ceiling', () => {
    assert.match(refused({ limits: { maxNodes: 1.5 } }), /^limit maxNodes 1\.5: expected a whole number ≥ 1$/);
    assert.match(refused({ limits: { maxTensorElements: 2 ** 31 } }), /^limit maxTensorElements 2147483648 is above its ceiling 2147483647$/);
  });

  it('loadModel takes the same limits', async () => {
    await assert.rejects(loadModel(bytes, { limits: { maxNodes: 1 } }), (e: unknown) => e instanceof ArtifactError && /maxNodes/.test(e.message));
    assert.equal(DEFAULT_LIMITS.maxTensorElements, 2 ** 28);
  });

  it('a shape of 2^28 + 1 elements is refused by default, the limit raised lets the shape check pass', () => {
    const big = encodeUnchecked(withTensor(a, 5, (t) => ({ ...t, shape: [2 ** 14, 2 ** 14 + 1] })));
    assert.match(rejection(big), /^tensor 5 'h': shape \[16384,16385\] has 268451840 elements, which exceeds the limit of 268435456 \(maxTensorElements; /);
    // Raised, the next check speaks: the arena the sample plans is far too small for it.
    assert.throws(() => parseArtifact(big, { limits: { maxTensorElements: 2 ** 29 } }), /^ArtifactError: tensor 5 'h': arena range 64\+1073807360 outside arena/);
  });

  it('offsets and lengths near 2^64 are refused, never wrapped', () => {
    const p = packedSampleArtifact();
    assert.match(rejection(encodeUnchecked(p, (l) => { l.placements[1]!.sparse!.valuesOffset = 2n ** 64n - 64n; })),
      /^tensor 1 'w_csr': csr values range 18446744073709551552\+\d+ outside weight section/);
    assert.match(rejection(encodeUnchecked(p, (l) => { l.placements[3]!.sparse!.indicesLength = 2n ** 64n - 1n; })),
      /^tensor 3 'w_nm': nm indices range \d+\+18446744073709551615 outside weight section/);
    assert.match(rejection(encodeUnchecked(a, (l) => { l.placements[2]!.dataLength = 2n ** 64n - 1n; })),
      /^tensor 2 'b': data length 18446744073709551615 but int64\[5\] needs 40 bytes$/);
    assert.match(rejection(encodeUnchecked(withTensor(a, 5, (t) => ({ ...t, arenaOffset: 2 ** 53 })))),
      /^tensor 5 'h': arena range 9007199254740992\+20 outside arena \(168 bytes\)$/);
  });
});
