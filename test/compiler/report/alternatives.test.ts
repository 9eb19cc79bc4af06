// The alternatives a layer that gains nothing is priced with are pruned exactly as the prune pass
// prunes: magnitudePrunedWeight against the weights and masks of a real compile (--no-permute: no
// channel permutation before pruning, no row reordering after it).

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import type { CompileOptions } from '../../../compiler/compile.js';
import type { Value } from '../../../compiler/ir/graph.js';
import { magnitudePrunedWeight } from '../../../compiler/passes/prune.js';
import { parsePattern } from '../../../compiler/sparse/settings/pattern.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');

describe('report/alternatives: magnitudePrunedWeight is the prune pass\'s pruning', function () {
  this.timeout(300_000);
  const cases: { options: CompileOptions; pattern: string; sparsity: number; shareRows: number }[] = [
    { options: { pattern: '2:4', permute: false }, pattern: '2:4', sparsity: 0.5, shareRows: 1 },
    { options: { pattern: '2:4', shareRows: 4, permute: false }, pattern: '2:4', sparsity: 0.5, shareRows: 4 },
    { options: { pattern: 'unstructured', sparsity: 0.75, allocation: 'uniform', permute: false }, pattern: 'unstructured', sparsity: 0.75, shareRows: 1 },
    { options: { pattern: 'block:4x1', sparsity: 0.75, allocation: 'uniform', permute: false }, pattern: 'block:4x1', sparsity: 0.75, shareRows: 1 },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.options)}: the same weights and the same sparsity annotation on every pruned layer`, () => {
      const r = compileFile(CNN, c.options);
      const pattern = parsePattern(c.pattern);
      if (pattern.kind === 'channel') throw new Error('not a mask pattern');
      let layers = 0;
      for (const n of r.graph.nodes) {
        const pruned = r.graph.values.get(n.inputs[1] ?? '');
        if (!pruned?.sparsity) continue;
        const d = r.canonical.nodes.find((x) => x.name === n.name)!;
        const mine: Value = magnitudePrunedWeight(r.canonical, d, pattern, c.sparsity, c.shareRows)!;
        assert.deepEqual(mine.sparsity, pruned.sparsity, n.name);
        assert.deepEqual([...(mine.constant!.data as Float32Array)], [...(pruned.constant!.data as Float32Array)], n.name);
        layers++;
      }
      assert.equal(layers, 2, 'conv2 and fc1 pruned');
    });
  }
});
