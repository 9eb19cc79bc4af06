// The estimate reads kernels and times as select-kernels recorded them, on both sides: the
// compiled layers are the artifact's kernels, the dense side is what a dense compile with the same
// settings runs. Oracles: the artifact's nodes, and a separate dense compile's recorded choices.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import type { CompileResult } from '../../../compiler/compile.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');

/** Kernel and recorded ns of each Conv/Gemm/MatMul node of a compile's final graph. */
function recorded(r: CompileResult): Map<string, { kernel: string; ns: number | undefined }> {
  return new Map(r.graph.nodes.filter((n) => ['Conv', 'Gemm', 'MatMul'].includes(n.op)).map((n) => [n.name, { kernel: n.kernel!, ns: n.kernelNs }]));
}

describe('report/estimates: the recorded choices, both sides', function () {
  this.timeout(120_000);

  for (const targets of [undefined, ['js', 'ref'] as const]) {
    it(`2:4 --prefer size${targets ? ` --targets ${targets.join(',')}` : ''}: compiled = the artifact's kernels, dense = a dense compile's with the same settings`, () => {
      const options = { ...(targets ? { targets } : {}) };
      const pruned = compileFile(CNN, { ...options, pattern: '2:4', prefer: 'size' });
      const dense = recorded(compileFile(CNN, options));
      const e = pruned.estimate;
      const artifactKernel = new Map(pruned.contents.nodes.map((n) => [n.name, n.kernel]));
      const compiled = recorded(pruned);
      assert.equal(e.layers.length, 4);
      for (const l of e.layers) {
        assert.equal(l.kernel, artifactKernel.get(l.node), l.node);
        assert.equal(l.ns, compiled.get(l.node)!.ns, l.node);
        assert.deepEqual({ kernel: l.denseKernel, ns: l.denseNs }, dense.get(l.node), l.node);
      }
      // The packed layers run packed kernels (--prefer size), on the allowed targets only.
      assert.deepEqual(e.layers.filter((l) => l.kernel.includes('nm')).map((l) => l.node), ['/conv2/Conv', '/fc1/Gemm']);
      if (targets) for (const k of e.layers.flatMap((l) => [l.kernel, l.denseKernel])) assert.ok(targets.some((t) => k.endsWith(`-${t}`)), k);
      assert.equal(e.speedup, e.denseNs / e.ns);
    });
  }
});
