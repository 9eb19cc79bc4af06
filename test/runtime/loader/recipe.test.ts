// The per-layer recipe in the provenance (Provenance.layers, metadata added without a format
// bump): write → load round trips, files without it load with an empty recipe and keep their
// bytes, and the loader refuses a recipe that lies, naming the entry.

import { strict as assert } from 'node:assert';
import { ByteBuffer } from 'flatbuffers';
import { writeArtifact } from '../../../compiler/emit/artifact.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import type { LayerRecipe, LoadedArtifact } from '../../../runtime/loader/model.js';
import { Model } from '../../../schemas/gen/spc/schema/model.js';
import { fixChecksum, packedSampleArtifact, sampleArtifact } from './sample-artifact.js';
import { encodeUnchecked, rejection } from './refusal.js';

function withLayers(a: LoadedArtifact, layers: readonly LayerRecipe[]): LoadedArtifact {
  return { ...a, provenance: { ...a.provenance, layers } };
}

function withLayer(a: LoadedArtifact, i: number, change: Partial<LayerRecipe>): LoadedArtifact {
  return withLayers(a, a.provenance.layers.map((r, k) => (k === i ? { ...r, ...change } : r)));
}

/** The FlatBuffer of an artifact, and its Model. */
function modelOf(bytes: Uint8Array): { fb: Uint8Array; model: Model } {
  const fb = bytes.subarray(32, 32 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(16, true));
  return { fb, model: Model.getRootAsModel(new ByteBuffer(fb)) };
}

describe('artifact per-layer recipe', () => {
  const a = sampleArtifact();

  it('round-trips every recipe field, dense and packed samples', () => {
    for (const s of [sampleArtifact(), packedSampleArtifact()]) {
      assert.ok(s.provenance.layers.length > 0);
      const loaded = parseArtifact(writeArtifact(s));
      assert.deepStrictEqual(loaded.provenance.layers, s.provenance.layers);
      assert.deepStrictEqual(loaded, s);
    }
  });

  it('keeps the recipe order, and re-encoding a loaded artifact gives the same bytes', () => {
    const reversed = withLayers(a, [...a.provenance.layers].reverse());
    const bytes = writeArtifact(reversed);
    assert.deepStrictEqual(parseArtifact(bytes).provenance.layers, reversed.provenance.layers);
    assert.deepStrictEqual(writeArtifact(parseArtifact(bytes)), bytes);
  });

  it('stores sparsities as float32', () => {
    const loaded = parseArtifact(writeArtifact(withLayer(a, 0, { requested: 0.1, achieved: 1 / 3 })));
    assert.equal(loaded.provenance.layers[0]!.requested, Math.fround(0.1));
    assert.equal(loaded.provenance.layers[0]!.achieved, Math.fround(1 / 3));
  });

  it('an artifact without a recipe loads with an empty one and writes no layers field', () => {
    const bare = withLayers(a, []);
    const bytes = writeArtifact(bare);
    assert.deepStrictEqual(parseArtifact(bytes).provenance.layers, []);
    const { model } = modelOf(bytes);
    const p = model.provenance()!;
    assert.equal(p.bb!.__offset(p.bb_pos, 10), 0, 'Provenance.layers slot present');
    // The recipe only adds bytes; everything a v2 reader needs is unchanged.
    assert.ok(writeArtifact(a).length >= bytes.length);
  });

  const cases: [string, () => LoadedArtifact, RegExp][] = [
    ['an empty node name', () => withLayer(a, 1, { node: '' }), /^provenance layer 1: empty node name$/],
    ['a node that is not in the artifact', () => withLayer(a, 0, { node: 'ghost' }), /^provenance layer 0 'ghost': no node of that name$/],
    ['a node listed twice', () => withLayer(a, 1, { node: 'gemm' }), /^provenance layer 1 'gemm': node listed twice$/],
    ['an empty pattern', () => withLayer(a, 0, { pattern: '' }), /^provenance layer 0 'gemm': empty pattern$/],
    ['requested above 1', () => withLayer(a, 0, { requested: 1.5 }), /^provenance layer 0 'gemm': requested sparsity 1\.5 outside \[0, 1\]$/],
    ['requested NaN', () => withLayer(a, 0, { requested: NaN }), /^provenance layer 0 'gemm': requested sparsity NaN outside \[0, 1\]$/],
    ['achieved below 0', () => withLayer(a, 1, { achieved: -0.25 }), /^provenance layer 1 'cast': achieved sparsity -0\.25 outside \[0, 1\]$/],
    ['params_after above params_before', () => withLayer(a, 0, { paramsAfter: 16 }),
      /^provenance layer 0 'gemm': params_after 16 exceeds params_before 15$/],
    ['params_before beyond any tensor', () => withLayer(a, 0, { paramsBefore: 2 ** 40 }),
      /^provenance layer 0 'gemm': params_before 1099511627776 exceeds 2147483647$/],
    ['a hostile node name, quoted and cut short', () => withLayer(a, 0, { node: `\u0001${'n'.repeat(500)}` }),
      /^provenance layer 0 '\\x01n{76}\.\.\.': no node of that name$/],
  ];
  for (const [what, make, message] of cases) {
    it(`rejects ${what}`, () => assert.match(rejection(encodeUnchecked(make())), message));
  }

  it('refuses to write a bad recipe', () => {
    assert.throws(() => writeArtifact(withLayer(a, 0, { node: 'ghost' })),
      /writeArtifact: the artifact would not load: provenance layer 0 'ghost': no node of that name/);
  });

  it('rejects a recipe patched in place, with the checksum recomputed', () => {
    const bytes = writeArtifact(a);
    const { fb, model } = modelOf(bytes);
    const entry = model.provenance()!.layers(0)!;
    const at = entry.bb_pos + entry.bb!.__offset(entry.bb_pos, 8); // LayerRecipe.requested
    const dv = new DataView(fb.buffer, fb.byteOffset);
    assert.equal(dv.getFloat32(at, true), 0.5);
    dv.setFloat32(at, 2, true);
    assert.match(rejection(fixChecksum(bytes)), /^provenance layer 0 'gemm': requested sparsity 2 outside \[0, 1\]$/);
    dv.setFloat32(at, 0.25, true);
    assert.equal(parseArtifact(fixChecksum(bytes)).provenance.layers[0]!.requested, 0.25);
  });
});
