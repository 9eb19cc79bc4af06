// Hostile If branch regions (loader/check-branches.ts): an artifact whose If step counts are not
// non-negative integers, reach before the first node, cross another If's branches or sit on
// another op is refused at load with an ArtifactError naming the node, before any kernel runs.

import { strict as assert } from 'node:assert';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { compileBytes } from '../../../compiler/compile.js';
import { reencodeArtifact } from '../../../compiler/emit/artifact.js';
import { ArtifactError, parseArtifact } from '../../../runtime/index.js';
import type { LoadedArtifact, LoadedNode } from '../../../runtime/loader/model.js';
import { branchProgram, branchRegions, JUMP, JUMP_UNLESS } from '../../../runtime/executor/branches.js';

const { onnx } = onnxProto;
const info = (name: string, elemType = 1, dims = [2]): OnnxTypes.IValueInfoProto =>
  ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const branch = (nodes: OnnxTypes.INodeProto[], out: string): OnnxTypes.IGraphProto => ({ name: 'b', node: nodes, output: [info(out)] });
const ifNode = (name: string, cond: string, out: string, then: OnnxTypes.IGraphProto, otherwise: OnnxTypes.IGraphProto): OnnxTypes.INodeProto =>
  ({ name, opType: 'If', input: [cond], output: [out], attribute: [{ name: 'then_branch', type: 5, g: then }, { name: 'else_branch', type: 5, g: otherwise }] });

// 0 Sigmoid, 1 Add (outer then), 2 Mul (inner then), 3 Relu (inner else), 4 inner If (1, 1), 5 outer If (1, 3), 6 Add.
const bytes = compileBytes(onnx.ModelProto.encode({
  irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
  graph: {
    name: 'g', input: [info('x'), info('c1', 9, []), info('c2', 9, [])], output: [info('z')],
    node: [
      { opType: 'Sigmoid', input: ['x'], output: ['s'] },
      ifNode('outer', 'c1', 'y', branch([{ opType: 'Add', input: ['s', 'x'], output: ['t'] }], 't'),
        branch([ifNode('inner', 'c2', 't', branch([{ opType: 'Mul', input: ['s', 's'], output: ['u'] }], 'u'), branch([{ opType: 'Relu', input: ['x'], output: ['u'] }], 'u'))], 't')),
      { opType: 'Add', input: ['y', 's'], output: ['z'] },
    ],
  },
}).finish(), { name: 'nested' }).artifact;

const withAttrs = (i: number, attrs: LoadedNode['attrs']) => (a: LoadedArtifact): LoadedArtifact =>
  ({ ...a, nodes: a.nodes.map((n, k) => (k === i ? { ...n, attrs: { ...n.attrs, ...attrs } } : n)) });

describe('If branch regions in an artifact', () => {
  it('the compiled regions are where the cases expect them, and give the step program', () => {
    const a = parseArtifact(bytes);
    assert.deepEqual(a.nodes.map((n) => `${n.op}${n.op === 'If' ? `(${n.attrs['spc_then_steps']},${n.attrs['spc_else_steps']})` : ''}`),
      ['Sigmoid', 'Add', 'Mul', 'Relu', 'If(1,1)', 'If(1,3)', 'Add']);
    const c1 = a.nodes[5]!.inputs[0]!, c2 = a.nodes[4]!.inputs[0]!;
    // 0; unless c1 goto 7; 1; goto 15; 7: unless c2 goto 13; 2; goto 14; 13: 3; 14: 4 (inner If); 15: 5 (outer If); 6.
    assert.deepEqual([...branchProgram(a.nodes.length, branchRegions(a.nodes, (m) => new Error(m)))!],
      [0, JUMP_UNLESS, c1, 7, 1, JUMP, 15, JUMP_UNLESS, c2, 13, 2, JUMP, 14, 3, 4, 5, 6]);
  });

  const cases: [string, (a: LoadedArtifact) => LoadedArtifact, string][] = [
    ['then-steps reaching before the first node', withAttrs(5, { spc_then_steps: 10 }),
      "node 5 'outer' (If): its 10 then-steps and 3 else-steps would start before the first node"],
    ['a negative count', withAttrs(5, { spc_then_steps: -1 }),
      "node 5 'outer' (If): spc_then_steps and spc_else_steps must both be non-negative integers"],
    ['a fractional count', withAttrs(4, { spc_else_steps: 0.5 }),
      "node 4 'inner' (If): spc_then_steps and spc_else_steps must both be non-negative integers"],
    ['a count that is a list', withAttrs(4, { spc_else_steps: [1] }),
      "node 4 'inner' (If): spc_then_steps and spc_else_steps must both be non-negative integers"],
    ['an inner If whose branches cross the outer If\'s then/else boundary', withAttrs(4, { spc_then_steps: 2, spc_else_steps: 1 }),
      "node 4 'inner' (If): its branch steps 1..3 cross the then-steps 1..1 of node 5 'outer' (If)"],
    ['branch counts on an Add', withAttrs(6, { spc_then_steps: 1, spc_else_steps: 0 }),
      "node 6 'Add_2' (Add) has branch step counts, which only an If may have"],
  ];
  for (const [name, edit, message] of cases) {
    it(`${name}: an ArtifactError naming the node`, () => {
      const tampered = reencodeArtifact(bytes, edit);
      assert.throws(() => parseArtifact(tampered), (e: Error) => e instanceof ArtifactError && e.message === message, name);
    });
  }
});
