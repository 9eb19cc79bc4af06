// eliminate-dead-code: nodes and values off every path to an output go.

import { strict as assert } from 'node:assert';
import { printGraph } from '../../../compiler/ir/print.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { eliminateDeadCode } from '../../../compiler/passes/eliminate-dead-code.js';
import { assertEquivalent, build, f32 } from './build.js';

describe('passes/eliminate-dead-code', () => {
  it('drops unreachable nodes and unused constants', () => {
    const g = build({
      inputs: { x: ['float32', [2]] },
      consts: { k: f32([2], [1, 2]), unused: f32([2], [3, 4]) },
      nodes: [['Add', ['x', 'k'], ['a']], ['Relu', ['a'], ['dead']], ['Sigmoid', ['a'], ['y']]],
      outputs: ['y'],
    });
    const out = eliminateDeadCode.run(g, makePassContext());
    assert.equal(printGraph(out), [
      'graph test (opset 13)',
      '  input %x:f32[2]',
      '  const %k:f32[2] = [1.0,2.0]',
      '  %a:f32[2] = Add(%x, %k)',
      '  %y:f32[2] = Sigmoid(%a)',
      '  return %y',
      '',
    ].join('\n'));
    assertEquivalent(g, out);
    assert.equal(eliminateDeadCode.run(out, makePassContext()), out);
  });
});
