// The pass contract, checked for every canonicalize pass on one graph that gives each of them
// work: inputs are never mutated, output is deterministic, a second run changes nothing.

import { strict as assert } from 'node:assert';
import { printGraph } from '../../../compiler/ir/print.js';
import { graphViolations } from '../../../compiler/ir/verify.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { ALL_PASSES, canonicalizePipeline } from '../../../compiler/passes/pipelines.js';
import { assertEquivalent, build, float, i64, int, randomF32 } from './build.js';

function everything() {
  return build({
    opset: 13,
    inputs: { x: ['float32', [1, 2, 4, 4]] },
    consts: {
      w: randomF32([3, 2, 3, 3], 1), scale: randomF32([3], 2, 0.5, 1.5), bias: randomF32([3], 3),
      mean: randomF32([3], 4), var: randomF32([3], 5, 0.5, 1.5),
      zero: i64([0], []), axes: i64([0]), minus1: i64([-1]), fw: randomF32([4, 48], 6),
      lo: randomF32([], 7, -0.5, -0.4), hi: randomF32([], 8, 0.4, 0.5), dead: randomF32([2], 9),
      no: { dtype: 'bool', shape: [], data: Uint8Array.from([0]) },
    },
    nodes: [
      ['Conv', ['x', 'w'], ['c'], { pads: { kind: 'ints', value: [1, 1, 1, 1] } }],
      ['BatchNormalization', ['c', 'scale', 'bias', 'mean', 'var'], ['bn']],
      ['Relu', ['bn'], ['r']],
      ['Identity', ['r'], ['i']],
      ['Shape', ['i'], ['s']],
      ['Gather', ['s', 'zero'], ['n'], { axis: int(0) }],
      ['Unsqueeze', ['n', 'axes'], ['n1']],
      ['Concat', ['n1', 'minus1'], ['target'], { axis: int(0) }],
      ['Reshape', ['i', 'target'], ['flat']],
      ['Gemm', ['flat', 'fw'], ['g'], { transB: int(1), alpha: float(0.5) }],
      ['Clip', ['g', 'lo', 'hi'], ['cl']],
      ['Dropout', ['cl', '', 'no'], ['y']],
      ['Sigmoid', ['dead'], ['unused']],
    ],
    outputs: ['y'],
  });
}

/** Passes after canonicalization expect its output (no Dropout or BN left, activations fused). */
const LATE_PASSES = new Set(['prune', 'prune-channels', 'select-kernels']);

describe('passes: the pass contract', () => {
  for (const pass of ALL_PASSES) {
    it(`${pass.name}: does not mutate its input, is deterministic and idempotent`, () => {
      const g = LATE_PASSES.has(pass.name) ? runPipeline(everything(), canonicalizePipeline, makePassContext()) : everything();
      const text = printGraph(g);
      const once = pass.run(g, makePassContext());
      assert.equal(printGraph(g), text, 'input graph was mutated');
      assert.equal(printGraph(pass.run(g, makePassContext())), printGraph(once), 'not deterministic');
      assert.deepEqual(graphViolations(once), []);
      if (pass.name !== 'fold-constants') assert.equal(pass.run(once, makePassContext()), once, 'second run changed the graph');
    });
  }

  it('canonicalize reduces the graph to Conv(bn, relu) → Reshape → Gemm(clip)', () => {
    const g = everything();
    const out = runPipeline(g, canonicalizePipeline, makePassContext(), { verify: true });
    assert.deepEqual(out.nodes.map((n) => `${n.op}${n.attrs['spc_activation'] ? `+${(n.attrs['spc_activation'] as { value: string }).value}` : ''}`),
      ['Conv+relu', 'Reshape', 'Gemm+clip']);
    assert.equal(runPipeline(out, canonicalizePipeline, makePassContext(), { verify: true }), out);
    assertEquivalent(g, out);
  });
});
