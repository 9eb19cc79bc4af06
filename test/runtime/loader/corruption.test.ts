import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { writeArtifact } from '../../../compiler/emit/artifact.js';
import { ArtifactError, parseArtifact } from '../../../runtime/loader/load.js';
import { fixChecksum, packedSampleArtifact, sampleArtifact } from './sample-artifact.js';

/** Runs the loader; an ArtifactError is a pass, anything else thrown fails with the label. */
function rejects(bytes: Uint8Array, label: string): void {
  try {
    parseArtifact(bytes);
  } catch (e) {
    if (e instanceof ArtifactError) return;
    assert.fail(`${label}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  assert.fail(`${label}: loaded`);
}

/** Loads or rejects with an ArtifactError; never another exception. */
function loadsOrRejects(bytes: Uint8Array, label: string): void {
  try {
    parseArtifact(bytes);
  } catch (e) {
    if (!(e instanceof ArtifactError)) assert.fail(`${label}: threw ${e instanceof Error ? e.stack : String(e)}`);
  }
}

for (const [label, make] of [['dense', sampleArtifact], ['packed sparse', packedSampleArtifact]] as const) describe(`artifact corruption (${label})`, () => {
  const good = writeArtifact(make());

  it('rejects every truncation', () => {
    for (let n = 0; n < good.length; n++) rejects(good.slice(0, n), `truncated to ${n}`);
    assert.match(errorOf(good.slice(0, 1000)), /artifact truncated: header says \d+ bytes, got 1000/);
  });

  it('rejects trailing bytes', () => {
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    assert.match(errorOf(longer), /trailing bytes/);
  });

  it('rejects every single-byte change (xor 0x01 and 0xff)', () => {
    for (let i = 0; i < good.length; i++) {
      for (const mask of [0x01, 0xff]) {
        const bad = good.slice();
        bad[i]! ^= mask;
        rejects(bad, `byte ${i} ^ 0x${mask.toString(16)}`);
      }
    }
  });

  it('names the failing check for header damage', () => {
    const at = (i: number, mask: number): string => { const b = good.slice(); b[i]! ^= mask; return errorOf(b); };
    assert.match(at(0, 1), /bad magic/);
    assert.match(at(4, 6), /unsupported container version 7 \(this runtime reads 1\)/);
    assert.match(at(8, 1), /checksum mismatch/);
    assert.match(at(good.length - 1, 0x80), /checksum mismatch/);
  });

  // The checksum catches accidents; these check the structure checks behind it, which are
  // what stands between a deliberately crafted file and the kernels.
  it('with the checksum recomputed, every single-byte change loads or throws ArtifactError', () => {
    for (let i = 12; i < good.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bad = good.slice();
        bad[i]! ^= mask;
        loadsOrRejects(fixChecksum(bad), `byte ${i} ^ 0x${mask.toString(16)}`);
      }
    }
  });

  it('with the checksum recomputed, random multi-byte damage loads or throws ArtifactError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const bad = good.slice();
          for (const [i, v] of edits) if (i >= 12) bad[i] = v;
          loadsOrRejects(fixChecksum(bad), JSON.stringify(edits));
        },
      ),
      { numRuns: 3000, seed: 1 },
    );
  });
});

function errorOf(bytes: Uint8Array): string {
  try {
    parseArtifact(bytes);
  } catch (e) {
    assert.ok(e instanceof ArtifactError, String(e));
    return e.message;
  }
  return assert.fail('loaded');
}
