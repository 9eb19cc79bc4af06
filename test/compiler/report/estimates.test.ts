// The whole-model estimate: Conv/Gemm/MatMul layers from the kernel profile (the kernels and
// figures select-kernels recorded) plus every other node priced per element, checked on digits_cnn
// against work counted by hand from its shapes.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import { ELEMENT_PRIORS } from '../../../compiler/analysis/cost.js';
import { getDefaultProfile } from '../../../compiler/analysis/profile.js';
import { estimateBasis } from '../../../compiler/report/estimates.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';

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
});
