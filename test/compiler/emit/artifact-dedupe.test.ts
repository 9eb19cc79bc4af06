// Identical weights are stored once in the weight section and both tensors read the same bytes.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { planArtifact, writeArtifact } from '../../../compiler/emit/artifact.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import { compileFile } from '../../../compiler/compile.js';
import { sampleArtifact } from '../../runtime/loader/sample-artifact.js';
import { MODELS_DIR } from '../../helpers/corpus.js';

describe('artifact writer: identical weights stored once', () => {
  it('a copied weight shares its data range and loads with equal values', () => {
    const base = sampleArtifact();
    const w = base.tensors.find((t) => t.name === 'w')!;
    const copy = { ...w, name: 'w_copy', data: (w.data as Float32Array).slice() };
    const nearly = { ...w, name: 'w_near', data: Float32Array.from(w.data as Float32Array, (v, i) => (i === 14 ? v + 1 : v)) };
    const a = { ...base, tensors: [...base.tensors, copy, nearly] };
    const layout = planArtifact(a);
    const n = a.tensors.length;
    assert.equal(layout.placements[n - 2].dataOffset, layout.placements[a.tensors.indexOf(w)].dataOffset, 'copy shares the range');
    assert.notEqual(layout.placements[n - 1].dataOffset, layout.placements[a.tensors.indexOf(w)].dataOffset, 'a weight differing in one value does not');
    const loaded = parseArtifact(writeArtifact(a));
    assert.deepEqual([...(loaded.tensors[n - 2].data as Float32Array)], [...(w.data as Float32Array)]);
    assert.deepEqual([...(loaded.tensors[n - 1].data as Float32Array)], [...nearly.data]);
  });

  it('transformer_enc2 (two encoder layers with equal weights) is no larger than its ONNX file', () => {
    const { artifact } = compileFile(join(MODELS_DIR, 'transformer_enc2.onnx'));
    assert.ok(artifact.length <= 1086567 * 1.02, `artifact ${artifact.length} bytes`);
  });
});
