// materialize-outputs on omitted node outputs: one before a used output gets a fresh value typed
// by the op's shape rule (an artifact node's outputs have no holes), trailing ones are dropped,
// the graph computes the same, and a node without omitted outputs is left as it was.

import { strict as assert } from 'node:assert';
import { materializeOutputs } from '../../../compiler/passes/materialize-outputs.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { assertEquivalent, build, randomF32 } from './build.js';

const lstm = (outputs: readonly string[]) => build({
  opset: 14,
  inputs: { x: ['float32', [3, 2, 4]] },
  consts: { W: randomF32([1, 20, 4], 1), R: randomF32([1, 20, 5], 2) },
  nodes: [['LSTM', ['x', 'W', 'R'], outputs, { hidden_size: { kind: 'int', value: 5 } }]],
  outputs: outputs.filter((o) => o === 'h'),
});

describe('passes/materialize-outputs: omitted node outputs', () => {
  it("LSTM ('', Y_h, ''): Y gets a fresh [seq, 1, batch, hidden] value, Y_c is dropped, outputs unchanged", () => {
    const g = lstm(['', 'h', '']);
    const out = runPipeline(g, [materializeOutputs], makePassContext(), { verify: true });
    const n = out.nodes[0]!;
    assert.equal(n.outputs.length, 2);
    assert.equal(n.outputs[1], 'h');
    const y = out.values.get(n.outputs[0]!)!;
    assert.equal(y.name, 'n0_output0');
    assert.deepEqual([y.dtype, y.shape], ['float32', [3, 1, 2, 5]]);
    assertEquivalent(g, out);
  });

  it('a fresh name never takes one the graph uses', () => {
    const g = build({
      opset: 14,
      inputs: { n0_output0: ['float32', [3, 2, 4]] },
      consts: { W: randomF32([1, 20, 4], 1), R: randomF32([1, 20, 5], 2) },
      nodes: [['LSTM', ['n0_output0', 'W', 'R'], ['', 'h'], { hidden_size: { kind: 'int', value: 5 } }]],
      outputs: ['h'],
    });
    const out = runPipeline(g, [materializeOutputs], makePassContext(), { verify: true });
    assert.equal(out.nodes[0]!.outputs[0], 'n0_output0_1');
  });

  it('a node whose outputs have no holes is kept as it was', () => {
    const g = lstm(['y', 'h']);
    assert.equal(materializeOutputs.run(g, makePassContext()), g);
  });
});
