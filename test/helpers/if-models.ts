// Hand-made ONNX models with If branches, shared by the tests of what reads branches (the
// estimate's costlier branch, bench --profile's taken branch).

import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = 1, BOOL = 9, GRAPH = 5;

const info = (name: string, dims: number[], elemType = FLOAT): OnnxTypes.IValueInfoProto =>
  ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const node = (opType: string, input: string[], output: string[], name: string, extra: Partial<OnnxTypes.INodeProto> = {}): OnnxTypes.INodeProto =>
  ({ opType, input, output, name, ...extra });
const branch = (name: string, nodes: OnnxTypes.INodeProto[], outputs: string[]): OnnxTypes.IGraphProto =>
  ({ name, node: nodes, output: outputs.map((o) => info(o, [2, 3])) });
const ifNode = (cond: string, out: string[], then: OnnxTypes.IGraphProto, otherwise: OnnxTypes.IGraphProto, name: string): OnnxTypes.INodeProto =>
  node('If', [cond], out, name, { attribute: [{ name: 'then_branch', type: GRAPH, g: then }, { name: 'else_branch', type: GRAPH, g: otherwise }] });

/**
 * x [2,3], c1, c2 (bool scalars) → s = Sigmoid(x) 'sig'; y = If 'outer' (c1, then: Add(s, x) 'then_add',
 * else: If 'inner' (c2, then: Mul(s, s) 'then_mul', else: Relu(x) 'else_relu')); z = Add(y, s) 'out_add'.
 */
export const NESTED_IF: Uint8Array = onnx.ModelProto.encode({
  irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
  graph: {
    name: 'nested-if',
    node: [
      node('Sigmoid', ['x'], ['s'], 'sig'),
      ifNode('c1', ['y'],
        branch('then1', [node('Add', ['s', 'x'], ['t'], 'then_add')], ['t']),
        branch('else1', [ifNode('c2', ['t'],
          branch('then2', [node('Mul', ['s', 's'], ['u'], 'then_mul')], ['u']),
          branch('else2', [node('Relu', ['x'], ['u'], 'else_relu')], ['u']), 'inner')], ['t']),
        'outer'),
      node('Add', ['y', 's'], ['z'], 'out_add'),
    ],
    input: [info('x', [2, 3]), info('c1', [], BOOL), info('c2', [], BOOL)],
    output: [info('z', [2, 3])],
  },
}).finish();
