// The whole-model estimate: Conv/Gemm/MatMul layers from the kernel profile (the kernels and
// figures select-kernels recorded) plus every other node priced per element, checked on digits_cnn
// against work counted by hand from its shapes.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import { ELEMENT_PRIORS } from '../../../compiler/analysis/cost.js';
import { getDefaultProfile } from '../../../compiler/analysis/profile.js';
import { cheaperBranchNodes, estimateBasis, nodeEstimates } from '../../../compiler/report/estimates.js';
import type { NodeEstimate } from '../../../compiler/report/estimates.js';
import { compileBytes } from '../../../compiler/compile.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { NESTED_IF } from '../../helpers/if-models.js';

describe('report/estimates: the whole model', () => {
  it('digits_cnn dense: 4 layers from the profile, MaxPool and Flatten per element (work by hand), summed', () => {
    const r = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { inputShapes: { input: [1, 1, 8, 8] } });
    const e = r.estimate;
    assert.deepEqual(e.layers.map((l) => l.node), ['/conv1/Conv', '/conv2/Conv', '/fc1/Gemm', '/fc2/Gemm']);
    const others = r.graph.nodes.filter((n) => !['Conv', 'Gemm'].includes(n.op));
    assert.deepEqual(others.map((n) => n.op), ['MaxPool', 'Flatten']);
    // MaxPool 2×2 on [1,32,8,8] → [1,32,4,4]: reads 2048, 512 outputs × a 4-window; Flatten reads and writes 512.
    // Each kernel's rate: the shipped profile's `<kernel>@elements` entry where it was measured, else its target's prior.
    const profile = getDefaultProfile();
    const rate = (kernel: string): { nsPerCall: number; nsPerUnit: number } => profile.entries.get(`${kernel}@elements`) ?? ELEMENT_PRIORS[kernel.split('-').pop() as 'js'];
    const byHand = [[others[0]!.kernel!, 2048 + 512 * 4], [others[1]!.kernel!, 512 + 512]] as const;
    const othersNs = byHand.reduce((s, [k, work]) => s + rate(k).nsPerCall + rate(k).nsPerUnit * work, 0);
    const fromPriors = byHand.filter(([k]) => !profile.entries.has(`${k}@elements`)).length;
    assert.deepEqual({ ...e.others, ns: Number(e.others.ns.toPrecision(12)) },
      { nodes: 2, denseNodes: 2, ns: Number(othersNs.toPrecision(12)), denseNs: e.others.denseNs, fromPriors });
    assert.ok(Math.abs(e.others.denseNs - othersNs) < 1e-9, 'dense: the same kernels on the same nodes');
    const layersNs = e.layers.reduce((s, l) => s + l.ns, 0);
    assert.ok(Math.abs(e.ns - (layersNs + othersNs)) < 1e-6);
    assert.equal(e.speedup, 1);
    assert.equal(estimateBasis(e), `estimates, not measurements: 4 Conv/Gemm/MatMul layers from the kernel profile, 2 other nodes per element${fromPriors ? ` (${fromPriors} at prior rates)` : ''}`);
  });

  describe('If: a run takes one branch, the estimate prices the costlier', () => {
    const r = compileBytes(NESTED_IF, { name: 'nested' });
    // Figures by hand per node (ns), to pick each If's costlier branch: outer:then is then_add;
    // outer:else is the inner If plus its costlier branch (then_mul or else_relu).
    const priced = (ns: Record<string, number>): NodeEstimate[] =>
      Object.entries(ns).map(([node, x]) => ({ node, op: '', kernel: '', ns: x, priced: 'elements', fromPrior: false }));

    it('nested: the cheaper side of each If is left out, a branch counting its inner If by its costlier side', () => {
      // inner: Mul 50 > Relu 1, so else_relu goes; outer: then 10 < else 5 + 50, so then_add goes.
      assert.deepEqual([...cheaperBranchNodes(r.graph, priced({ sig: 1, then_add: 10, then_mul: 50, else_relu: 1, inner: 5, outer: 1, out_add: 1 }))].sort(),
        ['else_relu', 'then_add']);
      // then_add 100 > 5 + max(50, 60): the whole else side goes, the inner If with both of its branches.
      assert.deepEqual([...cheaperBranchNodes(r.graph, priced({ sig: 1, then_add: 100, then_mul: 50, else_relu: 60, inner: 5, outer: 1, out_add: 1 }))].sort(),
        ['else_relu', 'inner', 'then_mul']);
      // A tie keeps the then side.
      assert.deepEqual([...cheaperBranchNodes(r.graph, priced({ then_add: 7, then_mul: 3, else_relu: 3, inner: 4 }))].sort(), ['else_relu', 'inner', 'then_mul']);
    });

    it('the compile\'s estimate sums every node but the cheaper branches\' (7 nodes, 2 left out)', () => {
      const nodes = nodeEstimates(r.graph);
      assert.deepEqual(nodes.map((n) => n.node), ['sig', 'then_add', 'then_mul', 'else_relu', 'inner', 'outer', 'out_add']);
      const ns = new Map(nodes.map((n) => [n.node, n.ns]));
      const at = (name: string): number => ns.get(name)!;
      // The same choice as above, by hand from the shipped profile's figures.
      const inner = at('inner') + Math.max(at('then_mul'), at('else_relu'));
      const left = [at('then_mul') >= at('else_relu') ? 'else_relu' : 'then_mul', at('then_add') >= inner ? 'inner' : 'then_add'];
      if (left.includes('inner')) left.push(left[0] === 'else_relu' ? 'then_mul' : 'else_relu');
      const kept = nodes.filter((n) => !left.includes(n.node));
      assert.equal(r.estimate.others.nodes, kept.length);
      assert.ok(Math.abs(r.estimate.ns - kept.reduce((s, n) => s + n.ns, 0)) < 1e-9);
      assert.ok(r.estimate.ns < nodes.reduce((s, n) => s + n.ns, 0));
    });
  });
});
