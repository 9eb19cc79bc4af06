// fold-batchnorm: BN after Conv / Gemm (both transB) folds into weights and bias.

import { strict as assert } from 'node:assert';
import { printGraph } from '../../../compiler/ir/print.js';
import { evaluateGraph } from '../../../compiler/analysis/interpret.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { foldBatchnorm } from '../../../compiler/passes/fold-batchnorm.js';
import { eliminateDeadCode } from '../../../compiler/passes/eliminate-dead-code.js';
import { assertEquivalent, build, countOps, f32, float, int, ints, randomF32 } from './build.js';

const fold = [foldBatchnorm, eliminateDeadCode];

function bnConsts(c: number, seed: number) {
  return {
    scale: randomF32([c], seed, 0.5, 2), bias: randomF32([c], seed + 1),
    mean: randomF32([c], seed + 2), var: randomF32([c], seed + 3, 0.1, 2),
  };
}

describe('passes/fold-batchnorm', () => {
  it('folds a 1-channel Conv + BN to the hand-computed weights', () => {
    // factor = 3 / sqrt(3 + 1) = 1.5; W' = 2·1.5 = 3; b' = (1 − 1)·1.5 + 0.5 = 0.5
    const g = build({
      inputs: { x: ['float32', [1, 1, 1, 2]] },
      consts: { w: f32([1, 1, 1, 1], [2]), b: f32([1], [1]), scale: f32([1], [3]), beta: f32([1], [0.5]), mean: f32([1], [1]), var: f32([1], [3]) },
      nodes: [
        ['Conv', ['x', 'w', 'b'], ['c']],
        ['BatchNormalization', ['c', 'scale', 'beta', 'mean', 'var'], ['y'], { epsilon: float(1) }],
      ],
      outputs: ['y'],
    });
    const out = runPipeline(g, fold, makePassContext(), { verify: true });
    assert.equal(printGraph(out), [
      'graph test (opset 13)',
      '  input %x:f32[1,1,1,2]',
      '  const %w_bnfold:f32[1,1,1,1] = [3.0]',
      '  const %n1_bias_bnfold:f32[1] = [0.5]',
      '  %y:f32[1,1,1,2] = Conv(%x, %w_bnfold, %n1_bias_bnfold)',
      '  return %y',
      '',
    ].join('\n'));
    const x = { dtype: 'float32' as const, shape: [1, 1, 1, 2], data: Float32Array.from([1, -2]) };
    assert.deepEqual([...(evaluateGraph(out, { x }).y!.data as Float32Array)], [3.5, -5.5]);
    assert.deepEqual([...(evaluateGraph(g, { x }).y!.data as Float32Array)], [3.5, -5.5]);
  });

  it('folds BN after a grouped Conv without bias', () => {
    const g = build({
      inputs: { x: ['float32', [1, 4, 5, 5]] },
      consts: { w: randomF32([6, 2, 3, 3], 7), ...bnConsts(6, 10) },
      nodes: [
        ['Conv', ['x', 'w'], ['c'], { group: int(2), pads: ints([1, 1, 1, 1]) }],
        ['BatchNormalization', ['c', 'scale', 'bias', 'mean', 'var'], ['y']],
      ],
      outputs: ['y'],
    });
    const out = runPipeline(g, fold, makePassContext(), { verify: true });
    assert.equal(countOps(out, 'BatchNormalization'), 0);
    assertEquivalent(g, out);
  });

  for (const transB of [0, 1]) {
    it(`folds BN after Gemm (transB=${transB}, beta=0.5)`, () => {
      const g = build({
        inputs: { x: ['float32', [3, 5]] },
        consts: { w: randomF32(transB ? [4, 5] : [5, 4], 3), c: randomF32([4], 4), ...bnConsts(4, 20) },
        nodes: [
          ['Gemm', ['x', 'w', 'c'], ['g'], { transB: int(transB), beta: float(0.5), alpha: float(1.5) }],
          ['BatchNormalization', ['g', 'scale', 'bias', 'mean', 'var'], ['y']],
        ],
        outputs: ['y'],
      });
      const out = runPipeline(g, fold, makePassContext(), { verify: true });
      assert.equal(countOps(out, 'BatchNormalization'), 0);
      assertEquivalent(g, out);
    });
  }

  it('leaves BN when the Conv output has another consumer', () => {
    const g = build({
      inputs: { x: ['float32', [1, 2, 3, 3]] },
      consts: { w: randomF32([2, 2, 1, 1], 1), ...bnConsts(2, 5) },
      nodes: [
        ['Conv', ['x', 'w'], ['c']],
        ['BatchNormalization', ['c', 'scale', 'bias', 'mean', 'var'], ['y']],
        ['Relu', ['c'], ['z']],
      ],
      outputs: ['y', 'z'],
    });
    assert.equal(foldBatchnorm.run(g, makePassContext()), g);
  });
});
