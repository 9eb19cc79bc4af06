// `spc compile --pattern` records the per-layer recipe in the artifact; `spc inspect` shows it
// (requested and achieved sparsity, why a layer stayed dense) in the table and in --json.

import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';


interface RecipeJson { pattern: string; requested: number; achieved: number; paramsBefore: number; paramsAfter: number; criterion: string; note: string }
interface LayerJson { node: string; op: string; recipe?: RecipeJson }

describe('cli: inspect shows the pruning recipe', function () {
  this.timeout(180_000);
  const work = tempDir('spc-recipe-');
  const spm = join(work, 'resnet10_w32.spm');
  let compileJson: { layerReport: { node: string; pattern: string; requested: number; paramsBefore: number; paramsAfter: number; note?: string }[] };

  before(() => {
    // js kernels by target order (a profile without timings): the pruned layers run, and are
    // stored as, packed 2:4, whose recipe rows this test reads.
    const targetOrder = join(work, 'target-order.json');
    writeFileSync(targetOrder, JSON.stringify({ format: 'spc-kernel-profile', version: 1, entries: [] }));
    const c = spc('compile', join(MODELS_DIR, 'resnet10_w32.onnx'), '--pattern', '2:4', '--targets', 'js,ref', '--profile', targetOrder, '-o', work, '--json');
    assert.equal(c.code, 0, c.stderr);
    compileJson = JSON.parse(c.stdout);
  });

  it('the table has requested, achieved and note columns, with the stem\'s skip reason; the classifier is pruned at 2:4', () => {
    const t = spc('inspect', spm);
    assert.equal(t.code, 0, t.stderr);
    const lines = t.stdout.split('\n');
    const head = lines.find((l) => /^\s*#\s+node/.test(l))!;
    assert.match(head, /requested\s+achieved\s+.*kernel\s+note$/);
    const row = (node: string): string => lines.find((l) => l.includes(` ${node} `))!;
    assert.match(row('/conv1/Conv'), /kept dense: stem conv/);
    assert.match(row('/fc/Gemm'), /nm 2:4\s+0\.500\s+50\.0%\s+50\.0%/);
    assert.match(row('/layer1/layer1.0/conv1/Conv'), /nm 2:4\s+0\.500\s+50\.0%\s+50\.0%/);
    assert.match(row('/layer2/layer2.0/downsample/downsample.0/Conv'), /fewer than minParams/);
    // Layers the recipe does not cover show dashes and no note.
    assert.match(row('/maxpool/MaxPool'), /-\s+-\s+-\s+-\s+-\s+f32-maxpool\S*$/);
  });

  it('--json carries the recipe per layer, equal to what compile reported', () => {
    const j = spc('inspect', spm, '--json');
    assert.equal(j.code, 0, j.stderr);
    const layers = JSON.parse(j.stdout).layers as LayerJson[];
    const byNode = new Map(layers.map((l) => [l.node, l]));
    const stem = byNode.get('/conv1/Conv')!.recipe!;
    assert.equal(stem.pattern, 'dense');
    assert.equal(stem.criterion, '');
    assert.match(stem.note, /stem conv/);
    assert.equal(byNode.get('/fc/Gemm')!.recipe!.pattern, '2:4');
    const pruned = layers.filter((l) => l.recipe && l.recipe.pattern !== 'dense');
    assert.equal(pruned.length, 11);
    for (const l of pruned) {
      assert.deepEqual([l.recipe!.pattern, l.recipe!.requested, l.recipe!.achieved, l.recipe!.criterion, l.recipe!.note],
        ['2:4', 0.5, 0.5, 'magnitude', ''], l.node);
      assert.equal(l.recipe!.paramsAfter * 2, l.recipe!.paramsBefore, l.node);
    }
    assert.equal(layers.find((l) => l.op === 'MaxPool')!.recipe, undefined);
    // Exactly the compile report's rows, none computed differently.
    const recorded = layers.filter((l) => l.recipe).map((l) => [l.node, l.recipe!.pattern, l.recipe!.paramsBefore, l.recipe!.paramsAfter, l.recipe!.note]);
    const reported = compileJson.layerReport.map((r) => [r.node, r.pattern, r.paramsBefore, r.paramsAfter, r.note ?? '']);
    assert.deepEqual(recorded, reported);
  });
});
