// fuse-activation: Relu/Clip after Conv, Gemm, MatMul become the producer's epilogue.

import { strict as assert } from 'node:assert';
import { printGraph } from '../../../compiler/ir/print.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { fuseActivation } from '../../../compiler/passes/fuse-activation.js';
import { assertEquivalent, build, f32, float, int, randomF32 } from './build.js';

describe('passes/fuse-activation', () => {
  it('fuses Relu into Conv and Clip (constant bounds) into Gemm', () => {
    const g = build({
      inputs: { x: ['float32', [1, 3, 4, 4]] },
      consts: { w: randomF32([2, 3, 1, 1], 1), b: randomF32([2], 2), fw: randomF32([5, 32], 3), lo: f32([], [-0.25]), hi: f32([], [0.5]) },
      nodes: [
        ['Conv', ['x', 'w', 'b'], ['c']],
        ['Relu', ['c'], ['r']],
        ['Flatten', ['r'], ['f']],
        ['Gemm', ['f', 'fw'], ['g'], { transB: int(1) }],
        ['Clip', ['g', 'lo', 'hi'], ['y']],
      ],
      outputs: ['y'],
    });
    const out = runPipeline(g, [fuseActivation], makePassContext(), { verify: true });
    assert.equal(printGraph(out), [
      'graph test (opset 13)',
      '  input %x:f32[1,3,4,4]',
      '  const %w:f32[2,3,1,1] = [0.2541479,-0.9945285,0.05489408,0.9621019,0.9367558,-0.437793]',
      '  const %b:f32[2] = [0.4685019,-0.3500031]',
      '  const %fw:f32[5,32]',
      '  const %lo:f32[] = [-0.25]',
      '  const %hi:f32[] = [0.5]',
      '  %r:f32[1,2,4,4] = Conv(%x, %w, %b) {spc_act_max=3.402823e+38, spc_act_min=0.0, spc_activation="relu"}',
      '  %f:f32[1,32] = Flatten(%r)',
      '  %y:f32[1,5] = Gemm(%f, %fw) {spc_act_max=0.5, spc_act_min=-0.25, spc_activation="clip", transB=1}',
      '  return %y',
      '',
    ].join('\n'));
    assertEquivalent(g, out);
  });

  it('fuses Clip with a missing bound and old-opset attribute Clip into MatMul', () => {
    for (const [opset, clip] of [
      [13, ['Clip', ['m', '', 'hi'], ['y']]],
      [10, ['Clip', ['m'], ['y'], { max: float(0.5) }]],
    ] as const) {
      const g = build({
        opset,
        inputs: { x: ['float32', [3, 4]] },
        consts: { w: randomF32([4, 2], 9), hi: f32([], [0.5]) },
        nodes: [['MatMul', ['x', 'w'], ['m']], clip],
        outputs: ['y'],
      });
      const out = fuseActivation.run(g, makePassContext());
      assert.equal(out.nodes.length, 1);
      assert.deepEqual(out.nodes[0]!.attrs['spc_act_min'], { kind: 'float', value: -3.4028234663852886e38 });
      assert.deepEqual(out.nodes[0]!.attrs['spc_act_max'], { kind: 'float', value: 0.5 });
      assertEquivalent(g, out);
    }
  });

  it('does not fuse when the producer output is also a graph output or has other consumers', () => {
    const g = build({
      inputs: { x: ['float32', [3, 4]] },
      consts: { w: randomF32([4, 2], 9) },
      nodes: [['MatMul', ['x', 'w'], ['m']], ['Relu', ['m'], ['y']]],
      outputs: ['y', 'm'],
    });
    assert.equal(fuseActivation.run(g, makePassContext()), g);
  });
});
