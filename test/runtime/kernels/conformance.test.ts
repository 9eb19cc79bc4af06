// ref kernels against the ONNX backend node tests (an independent oracle). Prints a per-op
// pass/skip table; every runnable test of an implemented op must pass.

import { strict as assert } from 'node:assert';
import { ALL_KERNELS } from '../../../runtime/kernels/index.js';

/** Kernels on dense weights; the packed-weight kernels have their own tests (sparse-kernels.test.ts). */
const DENSE_KERNELS = ALL_KERNELS.filter((k) => (k.format ?? 'dense') === 'dense');
import { compareTensors, findRef, listNodeTests, loadNodeTest, runKernel } from './conformance-harness.js';

const IMPLEMENTED = new Set(DENSE_KERNELS.map((k) => k.op));

describe('ref kernels vs ONNX node conformance tests', function () {
  this.timeout(60_000);
  // Single-node tests only: a multi-node graph (an `_expanded` function, a composite) tests no one
  // kernel; the compiled conformance run (test/e2e/conformance.test.ts) covers those.
  const entries = listNodeTests().filter((e) => IMPLEMENTED.has(e.op_type) && e.nodes === 1);
  const tally = new Map<string, { pass: number; skip: string[] }>();
  const note = (op: string): { pass: number; skip: string[] } => {
    let t = tally.get(op);
    if (!t) tally.set(op, (t = { pass: 0, skip: [] }));
    return t;
  };

  it('finds the corpus', () => assert.ok(entries.length > 0, 'no node tests found'));

  for (const entry of entries) {
    it(entry.test, function () {
      const t = loadNodeTest(entry);
      if (t.skip !== undefined) { note(entry.op_type).skip.push(`${entry.test} (${t.skip})`); this.skip(); }
      const dtype = t.inputs.find((i) => i !== undefined)?.dtype;
      const kernel = findRef(DENSE_KERNELS, t.op, dtype);
      if (kernel === undefined) { note(entry.op_type).skip.push(`${entry.test} (no ref kernel for ${dtype})`); this.skip(); }
      const got = runKernel(kernel, entry.test, t.inputs, t.attrs, t.expected);
      got.forEach((g, i) => {
        const msg = compareTensors(g, t.expected[i]!, `${entry.test} (${kernel.id}) output ${i}`);
        assert.equal(msg, undefined, msg);
      });
      note(entry.op_type).pass++;
      // The same oracle for the optimized kernels of the op (plain epilogue, matching dtype).
      for (const k of DENSE_KERNELS) {
        if (k.target === 'ref' || k.op !== t.op || k.epilogue !== '' || (k.dtypes !== 'any' && (dtype === undefined || !k.dtypes.includes(dtype)))) continue;
        // A kernel that declines the node (kernel selection would not pick it) is not run on it.
        if (k.supports && !k.supports({ inputs: t.inputs, outputs: t.expected, attrs: t.attrs })) continue;
        runKernel(k, entry.test, t.inputs, t.attrs, t.expected).forEach((g, i) => {
          const msg = compareTensors(g, t.expected[i]!, `${entry.test} (${k.id}) output ${i}`);
          assert.equal(msg, undefined, msg);
        });
      }
    });
  }

  after(() => {
    const lines = [...tally.entries()].sort().map(([op, t]) =>
      `  ${op.padEnd(20)} pass ${String(t.pass).padStart(3)}  skip ${t.skip.length}${t.skip.length ? ': ' + t.skip.join(', ') : ''}`);
    console.log(`\n  conformance (ops with kernels):\n${lines.join('\n')}`);
  });
});
