// The fuzz campaign's artifact stage (scripts/fuzz/mutate-artifact.ts, run-case.ts): decoding and
// re-encoding an artifact is lossless, structure-aware edits come back with a valid checksum and
// reach the loader's semantic checks (the field edited is what the loader reads back), and
// loadAndRun classifies parse, load and run outcomes as the campaign counts them.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../compiler/compile.js';
import { parseArtifact } from '../../runtime/loader/load.js';
import { artifactCase } from '../../scripts/fuzz/cases.js';
import { mutateArtifactStructure } from '../../scripts/fuzz/mutate-artifact.js';
import { loadAndRun } from '../../scripts/fuzz/run-case.js';
import { DIGITS_DIR } from '../helpers/corpus.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');

describe('scripts/fuzz: structure-aware artifact mutations and load-and-run', function () {
  this.timeout(300_000);
  const artifacts = [{}, { pattern: '2:4' }, { pattern: 'unstructured', sparsity: 0.8 }, { pattern: 'block:4x1', sparsity: 0.75 }]
    .map((o) => compileFile(CNN, o).artifact);

  it('decode → re-encode with no edit gives the same bytes (dense, N:M, CSR, BSR)', () => {
    for (const a of artifacts) assert.ok(Buffer.from(mutateArtifactStructure(a, [])!).equals(Buffer.from(a)));
  });

  it('an edited field is what the loader reads back, under a valid checksum', () => {
    const a = artifacts[1]!;
    const before = parseArtifact(a);
    const w = before.tensors.findIndex((t) => t.kind === 'weight' && t.data instanceof Float32Array && t.data.length > 3);
    const weights = before.tensors.filter((t) => t.kind === 'weight' && (t.data?.length ?? 0) > 0 && t.data instanceof Float32Array);
    const pick = weights.indexOf(before.tensors[w]!);
    const edited = parseArtifact(mutateArtifactStructure(a, [{ kind: 'weightValue', pick, at: 3, value: 0.5 }])!);
    assert.equal(edited.tensors[w]!.data![3], 0.5);
    const kernel = parseArtifact(mutateArtifactStructure(a, [{ kind: 'kernel', pick: 0, other: 1, how: 'node' }])!);
    assert.equal(kernel.nodes[0]!.kernel, before.nodes[1]!.kernel);
  });

  it('300 structure-only cases: never a checksum or FlatBuffer-structure refusal; some parse, some load and run', async () => {
    const seen: Record<string, number> = {};
    let cases = 0;
    for (let index = 0; cases < 300; index++) {
      const c = artifactCase(9, index);
      if (c.edits.length > 0) continue;
      cases++;
      const bytes = mutateArtifactStructure(artifacts[c.artifact % artifacts.length]!, c.structure);
      if (bytes === undefined) { seen['unencodable'] = (seen['unencodable'] ?? 0) + 1; continue; }
      const r = await loadAndRun(bytes);
      assert.doesNotMatch(r.message ?? '', /checksum mismatch|artifact truncated|trailing bytes|malformed/, JSON.stringify(c));
      const key = r.outcome === 'refused' ? `refused at ${r.stage}` : r.outcome;
      seen[key] = (seen[key] ?? 0) + 1;
    }
    assert.ok((seen['ran'] ?? 0) >= 10, JSON.stringify(seen));
    assert.ok((seen['refused at parse'] ?? 0) >= 10, JSON.stringify(seen));
  });

  it('loadAndRun: a valid artifact runs; a truncated one is refused at parse with ArtifactError', async () => {
    assert.deepEqual(await loadAndRun(artifacts[0]!), { outcome: 'ran', stage: 'run' });
    const r = await loadAndRun(artifacts[0]!.subarray(0, 100));
    assert.equal(r.outcome, 'refused');
    assert.equal(r.stage, 'parse');
    assert.match(r.message!, /^ArtifactError: artifact truncated/);
  });
});
