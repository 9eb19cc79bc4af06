// The textual IR: stable, one line per node, constants summarized.

import { strict as assert } from 'node:assert';
import { makeGraph } from '../../../compiler/ir/graph.js';
import { printGraph } from '../../../compiler/ir/print.js';

describe('ir/print', () => {
  it('prints inputs, summarized constants, nodes with sorted attributes, outputs', () => {
    const g = makeGraph({
      name: 'conv', opset: 13, inputs: ['x'], outputs: ['y'],
      values: [
        { name: 'x', dtype: 'float32', shape: ['N', 3, 8, 8] },
        { name: 'w', dtype: 'float32', shape: [4, 3, 3, 3], constant: { dtype: 'float32', shape: [4, 3, 3, 3], data: new Float32Array(108) } },
        { name: 's', dtype: 'int64', shape: [2], constant: { dtype: 'int64', shape: [2], data: BigInt64Array.from([1n, -1n]) } },
        { name: 'c', dtype: 'float32', shape: ['N', 4, 8, 8] },
        { name: 'y', dtype: 'float32' },
      ],
      nodes: [
        { name: 'n0', op: 'Conv', inputs: ['x', 'w', ''], outputs: ['c'], attrs: { pads: { kind: 'ints', value: [1, 1, 1, 1] }, group: { kind: 'int', value: 1 }, alpha: { kind: 'float', value: 1 } } },
        { name: 'n1', op: 'Reshape', inputs: ['c', 's'], outputs: ['y'], attrs: { mode: { kind: 'string', value: 'x' } }, kernel: 'any-reshape-1x1-ref' },
      ],
    });
    assert.equal(printGraph(g), [
      'graph conv (opset 13)',
      '  input %x:f32[N,3,8,8]',
      '  const %w:f32[4,3,3,3]',
      '  const %s:i64[2] = [1,-1]',
      '  %c:f32[N,4,8,8] = Conv(%x, %w, _) {alpha=1.0, group=1, pads=[1,1,1,1]}',
      '  %y:f32 = Reshape(%c, %s) {mode="x"}  # kernel any-reshape-1x1-ref',
      '  return %y',
      '',
    ].join('\n'));
  });
});
