// What the default skips leave to prune pays in size: `--pattern 2:4` with the default skips on the
// three models of issue 17's acceptance 1, every pruned layer stored packed (--prefer size), against
// the dense artifact of the same model. Kept dense, the classifier alone held these artifacts at
// 0.62–0.85× of dense (docs/coverage.md).

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../compiler/compile.js';
import { MODELS_DIR } from '../helpers/corpus.js';

const CLASSIFIERS: Record<string, string> = {
  resnet10_w32: '/fc/Gemm',
  mobilenet_v2_w050: '/classifier/classifier.1/Gemm',
  squeezenet1_1: '/classifier/classifier.1/Conv',
};

describe('e2e: default coverage at 2:4', function () {
  this.timeout(300_000);

  for (const [model, classifier] of Object.entries(CLASSIFIERS)) {
    it(`${model}: the classifier is pruned 2:4 and stored packed; the artifact is ≤ 0.62× the dense one`, () => {
      const path = join(MODELS_DIR, `${model}.onnx`);
      const dense = compileFile(path, {}).artifact.length;
      const r = compileFile(path, { pattern: '2:4', prefer: 'size' });
      const row = r.report.find((l) => l.node === classifier)!;
      assert.deepEqual([row.pattern, row.achieved, row.storage], ['2:4', 0.5, 'nm'], `${classifier}: ${row.note ?? ''}`);
      // What stays dense stays for a rule the report names.
      for (const l of r.report.filter((x) => x.pattern === 'dense')) assert.match(l.note ?? '', /kept dense: (stem conv|depthwise conv|\d+ weights, fewer than minParams=4096)/, l.node);
      const ratio = r.artifact.length / dense;
      assert.ok(ratio <= 0.62, `${model}: ${r.artifact.length} / ${dense} = ${ratio.toFixed(3)}`);
    });
  }
});
