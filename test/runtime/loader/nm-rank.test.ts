// The loader on rank-coded N:M indices (IndexType NM_RANK, feature 'sparse-nm-rank'): a 2:4 + int8
// artifact stores them, lists the feature and loads back the compiler's own bit stream; a file
// that hides the feature, truncates the code or holds a value that is no code is refused by name.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile, type CompileResult } from '../../../compiler/compile.js';
import fc from 'fast-check';
import { planArtifact, writeArtifact } from '../../../compiler/emit/artifact.js';
import { ArtifactError, parseArtifact } from '../../../runtime/loader/load.js';
import { readNmSlot } from '../../../runtime/sparse/packed.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { encodeUnchecked, rejection } from './refusal.js';
import { fixChecksum } from './sample-artifact.js';

describe('loader: rank-coded N:M indices', function () {
  this.timeout(120_000);
  let result: CompileResult;
  before(() => {
    result = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { pattern: '2:4', quantize: 'int8-weights' });
  });

  it('a 2:4 int8 weight stores its indices rank coded, listed as sparse-nm-rank, and loads back the bit stream the compiler packed', () => {
    const a = parseArtifact(result.artifact);
    assert.ok(a.requiredFeatures.includes('sparse-nm-rank'), a.requiredFeatures.join(','));
    const packed = result.contents.tensors.filter((t) => t.packed?.format === 'nm');
    assert.ok(packed.length > 0);
    for (const t of packed) {
      const got = a.tensors.find((x) => x.name === t.name)!.packed!;
      assert.equal(got.format, 'nm');
      assert.deepEqual(got.format === 'nm' && got.indices, t.packed!.format === 'nm' && t.packed!.indices, t.name);
    }
    assert.deepEqual(writeArtifact(a), result.artifact);
  });

  it('float32 N:M weights keep the 2-bit stream and their bytes (no sparse-nm-rank)', () => {
    const f32 = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { pattern: '2:4' });
    const a = parseArtifact(f32.artifact);
    assert.ok(a.requiredFeatures.includes('sparse-nm') && !a.requiredFeatures.includes('sparse-nm-rank'));
  });

  it('refuses rank-coded indices in a file that does not list sparse-nm-rank, naming the tensor', () => {
    const a = parseArtifact(result.artifact);
    const i = a.tensors.findIndex((t) => t.packed?.format === 'nm');
    // Rewrite the feature's FlatBuffer string (u32 length, bytes, NUL) as the shorter supported 'sparse-expand'.
    const bad = result.artifact.slice();
    const name = new TextEncoder().encode('sparse-nm-rank');
    const at = bad.findIndex((_, k) => name.every((c, j) => bad[k + j] === c));
    assert.ok(at > 4 && new DataView(bad.buffer).getUint32(at - 4, true) === name.length);
    new DataView(bad.buffer).setUint32(at - 4, 13, true);
    bad.set(new TextEncoder().encode('sparse-expand\0'), at);
    assert.equal(rejection(fixChecksum(bad)), `tensor ${i} '${a.tensors[i]!.name}': nm-rank indices but required features do not list 'sparse-nm-rank'`);
  });

  it('any byte of a rank code altered: the file loads with a valid stream (strictly increasing slots < 4) or is refused with an ArtifactError', () => {
    const a = parseArtifact(result.artifact);
    const layout = planArtifact(a);
    const dv = new DataView(result.artifact.buffer, result.artifact.byteOffset);
    const weights = dv.getUint32(20, true);
    const ranges = a.tensors.flatMap((t, i) => (t.packed?.format === 'nm' ? [layout.placements[i]!.sparse!] : []));
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (pick, xor) => {
      const r = ranges[pick % ranges.length]!;
      const at = weights + Number(r.indicesOffset) + ((pick >>> 4) % Number(r.indicesLength));
      const bad = result.artifact.slice();
      bad[at] ^= xor;
      let loaded;
      try {
        loaded = parseArtifact(fixChecksum(bad));
      } catch (e) {
        if (e instanceof ArtifactError) return;
        throw e;
      }
      for (const t of loaded.tensors) {
        const p = t.packed;
        if (p?.format !== 'nm') continue;
        for (let s = 0; s < (p.rows * p.cols) / 2; s += 2) {
          const [k0, k1] = [readNmSlot(p.indices, s, 2), readNmSlot(p.indices, s + 1, 2)];
          assert.ok(k0 < k1 && k1 < 4, `${t.name} group ${s / 2}: slots ${k0}, ${k1}`);
        }
      }
    }), { numRuns: 300 });
  });

  it('refuses a chunk that is no code of its groups, and a code of the wrong length, naming the tensor', () => {
    const a = parseArtifact(result.artifact);
    const i = a.tensors.findIndex((t) => t.packed?.format === 'nm');
    const where = `tensor ${i} '${a.tensors[i]!.name}'`;
    const p = a.tensors[i]!.packed!;
    const groups = (p.rows * p.cols) / 4;
    const overflow = encodeUnchecked(a, (layout) => {
      const at = Number(layout.placements[i]!.sparse!.indicesOffset);
      layout.weights.fill(0xff, at, at + 11);
    });
    assert.equal(rejection(overflow), `${where}: nm rank code chunk 0 (bytes 0..10) holds more than its ${Math.min(34, groups)} groups of 6 sets`);
    const short = encodeUnchecked(a, (layout) => { layout.placements[i]!.sparse!.indicesLength -= 1n; });
    const bytes = Math.ceil(groups / 34) * 11;
    assert.equal(rejection(short), `${where}: nm rank code of ${bytes - 1} bytes, ${groups} groups at 2:4 need ${bytes}`);
  });
});
