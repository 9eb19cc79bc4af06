// remove-identity: Identity and inference Dropout disappear, graph output names stay.

import { strict as assert } from 'node:assert';
import { printGraph } from '../../../compiler/ir/print.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { removeIdentity } from '../../../compiler/passes/remove-identity.js';
import { eliminateDeadCode } from '../../../compiler/passes/eliminate-dead-code.js';
import { assertEquivalent, build, countOps, float } from './build.js';

describe('passes/remove-identity', () => {
  it('rewires consumers of Identity and inference Dropout', () => {
    const g = build({
      inputs: { x: ['float32', [2, 3]] },
      nodes: [
        ['Relu', ['x'], ['a']],
        ['Identity', ['a'], ['b']],
        ['Dropout', ['b'], ['c', 'mask'], { ratio: float(0.5) }],
        ['Sigmoid', ['c'], ['y']],
      ],
      outputs: ['y'],
    });
    const out = runPipeline(g, [removeIdentity, eliminateDeadCode], makePassContext(), { verify: true });
    assert.equal(printGraph(out), [
      'graph test (opset 13)',
      '  input %x:f32[2,3]',
      '  %a:f32[2,3] = Relu(%x)',
      '  %y:f32[2,3] = Sigmoid(%a)',
      '  return %y',
      '',
    ].join('\n'));
    assertEquivalent(g, out);
  });

  it('renames the producer when the Identity output is a graph output', () => {
    const g = build({
      inputs: { x: ['float32', [3]] },
      nodes: [['Relu', ['x'], ['a']], ['Identity', ['a'], ['out']], ['Sigmoid', ['a'], ['other']]],
      outputs: ['out', 'other'],
    });
    const out = runPipeline(g, [removeIdentity], makePassContext(), { verify: true });
    assert.equal(printGraph(out), [
      'graph test (opset 13)',
      '  input %x:f32[3]',
      '  %out:f32[3] = Relu(%x)',
      '  %other:f32[3] = Sigmoid(%out)',
      '  return %out, %other',
      '',
    ].join('\n'));
    assertEquivalent(g, out);
  });

  it('keeps an Identity from a graph input to a graph output', () => {
    const g = build({ inputs: { x: ['float32', [3]] }, nodes: [['Identity', ['x'], ['y']]], outputs: ['y'] });
    const ctx = makePassContext();
    assert.equal(removeIdentity.run(g, ctx), g);
    assert.equal(ctx.notes.length, 1);
  });

  it('keeps a Dropout whose mask is used', () => {
    const g = build({
      inputs: { x: ['float32', [3]] },
      nodes: [['Dropout', ['x'], ['y', 'mask']]],
      outputs: ['y', 'mask'],
    });
    assert.equal(removeIdentity.run(g, makePassContext()), g);
    assert.equal(countOps(g, 'Dropout'), 1);
  });
});

describe('passes/remove-identity (Dropout-12 training_mode)', () => {
  for (const [training, removed] of [[0, true], [1, false]] as const) {
    it(`training_mode=${training}: ${removed ? 'removed' : 'kept'}`, () => {
      const g = build({
        inputs: { x: ['float32', [3]] },
        consts: { t: { dtype: 'bool', shape: [], data: Uint8Array.from([training]) } },
        nodes: [['Dropout', ['x', '', 't'], ['d']], ['Relu', ['d'], ['y']]],
        outputs: ['y'],
      });
      const out = removeIdentity.run(g, makePassContext());
      assert.equal(countOps(out, 'Dropout'), removed ? 0 : 1);
      assert.equal(out === g, !removed);
    });
  }
});
