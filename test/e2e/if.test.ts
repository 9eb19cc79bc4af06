// If end to end on hand-made models: nested branches reading the enclosing graphs' values by name,
// branch-local names that collide, checked against onnxruntime-node on every path; the constant
// condition folded (a branch written for other shapes is then no obstacle); and the refusals,
// each an SpcError naming the node or the limit: branch outputs that disagree, names no scope
// defines, Loop bodies, subgraphs nested past the cap, subgraph nodes past maxNodes.

import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { compileBytes } from '../../compiler/compile.js';
import type { CompileOptions } from '../../compiler/compile.js';
import { SpcError } from '../../compiler/errors.js';
import { emitOnnx } from '../../compiler/emit/onnx.js';
import { loadModel } from '../../runtime/index.js';
import { Interpreter } from '../../runtime/executor/interpreter.js';
import { defaultRegistry } from '../../runtime/kernels/index.js';
import { assertClose } from '../helpers/compare.js';

const { onnx } = onnxProto;
const FLOAT = 1, BOOL = 9, GRAPH = 5;

const info = (name: string, dims: number[], elemType = FLOAT): OnnxTypes.IValueInfoProto =>
  ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const node = (opType: string, input: string[], output: string[], extra: Partial<OnnxTypes.INodeProto> = {}): OnnxTypes.INodeProto =>
  ({ opType, input, output, ...extra });
const branch = (name: string, nodes: OnnxTypes.INodeProto[], outputs: string[], dims = [2, 3]): OnnxTypes.IGraphProto =>
  ({ name, node: nodes, output: outputs.map((o) => info(o, dims)) });
const ifNode = (cond: string, out: string[], then: OnnxTypes.IGraphProto, otherwise: OnnxTypes.IGraphProto, name?: string): OnnxTypes.INodeProto =>
  node('If', [cond], out, {
    ...(name ? { name } : {}),
    attribute: [{ name: 'then_branch', type: GRAPH, g: then }, { name: 'else_branch', type: GRAPH, g: otherwise }],
  });

function model(nodes: OnnxTypes.INodeProto[], inputs: OnnxTypes.IValueInfoProto[], outputs: OnnxTypes.IValueInfoProto[], initializer: OnnxTypes.ITensorProto[] = []): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'if-test', node: nodes, input: inputs, output: outputs, initializer },
  }).finish();
}

/**
 * x [2,3], c1, c2 → s = Sigmoid(x); y = If(c1, then: t = Add(s, x), else: If(c2, then: u = Mul(s, s),
 * else: u = Relu(x))); z = Add(y, s). The branches read x and s from the top graph; 't' and 'u'
 * are each defined in two branches.
 */
const nested = model([
  node('Sigmoid', ['x'], ['s']),
  ifNode('c1', ['y'],
    branch('then1', [node('Add', ['s', 'x'], ['t'])], ['t']),
    branch('else1', [ifNode('c2', ['t'],
      branch('then2', [node('Mul', ['s', 's'], ['u'])], ['u']),
      branch('else2', [node('Relu', ['x'], ['u'])], ['u']), 'inner')], ['t']),
    'outer'),
  node('Add', ['y', 's'], ['z']),
], [info('x', [2, 3]), info('c1', [], BOOL), info('c2', [], BOOL)], [info('z', [2, 3])]);

const X = Float32Array.from([-1.5, -0.25, 0, 0.5, 1, 2.5]);

function compileError(bytes: Uint8Array, options: CompileOptions = {}): string {
  try {
    compileBytes(bytes, { name: 'm', ...options });
  } catch (e) {
    assert.ok(e instanceof SpcError, `expected an SpcError, got ${(e as Error).stack}`);
    return e.message;
  }
  return assert.fail('the model compiled');
}

describe('If', function () {
  this.timeout(120_000);

  it('nested Ifs reading the enclosing graphs\' values match onnxruntime-node on all four paths, running only the taken branch', async () => {
    const r = compileBytes(nested, { name: 'nested', verify: true });
    // Each If is preceded by its branches' steps, the inner If inside the outer's else-steps.
    const order = r.contents.nodes.map((n) => `${n.op}${n.op === 'If' ? `(${n.attrs['spc_then_steps']},${n.attrs['spc_else_steps']})` : ''}`);
    assert.deepEqual(order, ['Sigmoid', 'Add', 'Mul', 'Relu', 'If(1,1)', 'If(1,3)', 'Add']);
    const m = await loadModel(r.artifact);
    const session = await ort.InferenceSession.create(nested);
    for (const [c1, c2] of [[1, 1], [1, 0], [0, 1], [0, 0]] as const) {
      const feeds = { x: { data: X, shape: [2, 3] }, c1: { data: Uint8Array.of(c1), shape: [] }, c2: { data: Uint8Array.of(c2), shape: [] } };
      const want = await session.run({
        x: new ort.Tensor('float32', X, [2, 3]), c1: new ort.Tensor('bool', Uint8Array.of(c1), []), c2: new ort.Tensor('bool', Uint8Array.of(c2), []),
      });
      const got = await m.run(feeds);
      assertClose(got['z']!.data, want['z']!.data as Float32Array, 1e-6, 1e-7, `c1=${c1} c2=${c2}`);
    }
    m.dispose();
  });

  it('a branch that is not taken does not run (its step is never called)', () => {
    // The then-branch Add writes 'y' only when c1 is true; the step program must skip it otherwise.
    const r = compileBytes(nested, { name: 'nested' });
    const it = new Interpreter(r.contents, defaultRegistry());
    let adds = 0;
    const steps = (it as unknown as { steps: (() => void)[] }).steps;
    const addStep = r.contents.nodes.findIndex((n) => n.op === 'Add');
    const original = steps[addStep]!;
    steps[addStep] = () => { adds++; original(); };
    const feeds = (c1: number) => ({ x: { data: X, shape: [2, 3] }, c1: { data: Uint8Array.of(c1), shape: [] }, c2: { data: Uint8Array.of(1), shape: [] } });
    it.run(feeds(0));
    assert.equal(adds, 0, 'the then-branch Add ran with c1 false');
    it.run(feeds(1));
    assert.equal(adds, 1, 'the then-branch Add ran once with c1 true');
    it.dispose();
  });

  it('the generated dispatch module writes the branches as if/else', () => {
    const d = compileBytes(nested, { name: 'nested' }).dispatch;
    assert.match(d, /if \(c\d+\[0\]\) \{\n\s+s1\(\);[^\n]*\n\s+\} else \{\n\s+if \(c\d+\[0\]\) \{\n\s+s2\(\);/);
  });

  it('--emit-onnx writes the flattened If as Where nodes that onnxruntime runs to the same values', async () => {
    const r = compileBytes(nested, { name: 'nested' });
    const session = await ort.InferenceSession.create(emitOnnx(r.graph));
    const reference = await ort.InferenceSession.create(nested);
    for (const [c1, c2] of [[1, 0], [0, 1]] as const) {
      const feeds = { x: new ort.Tensor('float32', X, [2, 3]), c1: new ort.Tensor('bool', Uint8Array.of(c1), []), c2: new ort.Tensor('bool', Uint8Array.of(c2), []) };
      assertClose((await session.run(feeds))['z']!.data as Float32Array, (await reference.run(feeds))['z']!.data as Float32Array, 1e-6, 1e-7, `c1=${c1} c2=${c2}`);
    }
  });

  // then: Reshape(x, [3,2]); else: Add(x, w) with w [4], which cannot broadcast with [2,3].
  const shape = { name: 'shape', dataType: 7, dims: [2], int64Data: [3, 2] };
  const w = { name: 'w', dataType: FLOAT, dims: [4], floatData: [1, 2, 3, 4] };
  const uneven = model([
    ifNode('c', ['y'], branch('then', [node('Reshape', ['x', 'shape'], ['r'])], ['r'], [3, 2]), branch('else', [node('Add', ['x', 'w'], ['a'], { name: 'bad_add' })], ['a']), 'pick'),
    node('Relu', ['y'], ['z']),
  ], [info('x', [2, 3]), info('c', [], BOOL)], [info('z', [3, 2])], [shape, w]);

  it('a constant condition (--input-value) inlines the taken branch: the other may be written for other shapes', async () => {
    const r = compileBytes(uneven, { name: 'uneven', verify: true, inputValues: { c: { dtype: 'bool', shape: [], data: Uint8Array.of(1) } } });
    assert.deepEqual(r.contents.nodes.map((n) => n.op), ['Reshape', 'Relu']);
    assert.deepEqual(r.contents.inputs.map((i) => r.contents.tensors[i]!.name), ['x']);
    const m = await loadModel(r.artifact);
    const got = await m.run({ x: { data: X, shape: [2, 3] } });
    assert.deepEqual([...got['z']!.shape], [3, 2]);
    assert.deepEqual([...got['z']!.data], [...X].map((v) => Math.max(v, 0)));
    m.dispose();
  });

  it('a condition known only at run time: a branch that cannot be inferred is refused naming its node', () => {
    assert.match(compileError(uneven), /^m: node 'bad_add' \(Add\): cannot broadcast shapes \[2,3\], \[4\]/);
  });

  it('a condition known only at run time: branch outputs of different shapes are refused naming the If', () => {
    const differ = model([
      ifNode('c', ['y'], branch('then', [node('Reshape', ['x', 'shape'], ['r'])], ['r'], [3, 2]), branch('else', [node('Relu', ['x'], ['a'])], ['a']), 'pick'),
    ], [info('x', [2, 3]), info('c', [], BOOL)], [info('y', [3, 2])], [shape]);
    assert.match(compileError(differ), /^m: node 'pick' \(If\): output 0 \('y'\) is float32\[3,2\] in then_branch and float32\[2,3\] in else_branch; spc compiles an If whose condition is known only at run time when both branches give each output the same dtype and static shape$/);
  });

  it('a branch reading a name no enclosing scope defines (here another branch\'s value) is refused naming the node and the name', () => {
    const sibling = model([
      ifNode('c', ['y'], branch('then', [node('Relu', ['x'], ['mine'])], ['mine']), branch('else', [node('Sigmoid', ['mine'], ['a'], { name: 'reader' })], ['a'])),
    ], [info('x', [2, 3]), info('c', [], BOOL)], [info('y', [2, 3])]);
    assert.match(compileError(sibling), /^m: node 'reader' \(Sigmoid\): input 'mine' is not defined in its branch or an enclosing graph$/);
  });

  it('a Loop body is refused by name (subgraphs are supported on If only)', () => {
    const loop = model([node('Loop', ['', 'c'], ['y'], { name: 'lp', attribute: [{ name: 'body', type: GRAPH, g: branch('body', [], []) }] })],
      [info('c', [], BOOL)], [info('y', [1])]);
    assert.match(compileError(loop), /^m: node 'lp' \(Loop\): attribute 'body': subgraph attributes are supported on If \(then_branch, else_branch\) only, not on Loop$/);
  });

  /**
   * `depth` Ifs, each the only node of the previous one's then-branch, written with a small
   * protobuf encoder: onnx-proto's recursive encoder overflows the stack long before 5000.
   */
  function deep(depth: number): Uint8Array {
    // A message is a tree of byte chunks with its length, so wrapping one copies nothing.
    type Msg = { parts: readonly Msg[] | Uint8Array; length: number };
    const utf8 = new TextEncoder();
    const varint = (v: number): Uint8Array => { const out: number[] = []; for (; v >= 0x80; v = Math.floor(v / 128)) out.push((v & 0x7f) | 0x80); out.push(v); return Uint8Array.from(out); };
    const raw = (b: Uint8Array): Msg => ({ parts: b, length: b.length });
    const cat = (...parts: Msg[]): Msg => ({ parts, length: parts.reduce((sum, p) => sum + p.length, 0) });
    const field = (n: number, m: Msg): Msg => cat(raw(varint((n << 3) | 2)), raw(varint(m.length)), m);
    const text = (n: number, t: string): Msg => field(n, raw(utf8.encode(t)));
    const intField = (n: number, v: number): Msg => cat(raw(varint(n << 3)), raw(varint(v)));
    // GraphProto: node 1, output 12 (a ValueInfoProto: name 1); NodeProto: input 1, output 2, op_type 4, attribute 5;
    // AttributeProto: name 1, g 6, type 20; ModelProto: ir_version 1, graph 7, opset_import 8 (domain 1, version 2).
    const graph = (nodes: Msg[], out: string): Msg => cat(...nodes.map((n) => field(1, n)), field(12, text(1, out)));
    const ifOf = (then: Msg, out: string): Msg => cat(text(1, 'c'), text(2, out), text(4, 'If'),
      field(5, cat(text(1, 'then_branch'), field(6, then), intField(20, 5))),
      field(5, cat(text(1, 'else_branch'), field(6, graph([], 'x')), intField(20, 5))));
    let inner = graph([cat(text(1, 'x'), text(2, 'leaf'), text(4, 'Relu'))], 'leaf');
    for (let d = depth - 1; d >= 1; d--) inner = graph([ifOf(inner, `o${d}`)], `o${d}`);
    const top = onnx.ModelProto.decode(model([], [info('x', [2, 3]), info('c', [], BOOL)], [info('y', [2, 3])]));
    const all = cat(intField(1, 8), field(7, cat(raw(onnx.GraphProto.encode(top.graph!).finish()), field(1, ifOf(inner, 'y')))),
      field(8, cat(text(1, ''), intField(2, 13))));
    const out = new Uint8Array(all.length);
    let at = 0;
    // Depth first, with an explicit stack (the tree is as deep as the nesting).
    const stack: Msg[] = [all];
    while (stack.length > 0) {
      const m = stack.pop()!;
      if (m.parts instanceof Uint8Array) { out.set(m.parts, at); at += m.length; } else for (let i = m.parts.length - 1; i >= 0; i--) stack.push(m.parts[i]!);
    }
    return out;
  }

  it('subgraphs nested 16 deep compile; 17, or 20000, are refused by the decoder, without deep recursion', () => {
    compileBytes(deep(16), { name: 'm' });
    for (const depth of [17, 20_000]) assert.match(compileError(deep(depth)), /^m: subgraphs \(If branches\) nest more than 16 levels deep$/);
  });

  it('a branch\'s nodes count toward maxNodes, on the wire', () => {
    const many = model([ifNode('c', ['y'], branch('then', Array.from({ length: 60 }, (_, i) => node('Relu', [i === 0 ? 'x' : `r${i - 1}`], [`r${i}`])), ['r59']), branch('else', [], ['x']))],
      [info('x', [2, 3]), info('c', [], BOOL)], [info('y', [2, 3])]);
    assert.match(compileError(many, { limits: { maxNodes: 50 } }), /^m: the graph has 61 nodes, which exceeds the limit of 50 \(maxNodes; raise it with --max-nodes/);
  });

  it('an If whose branch declares an input is refused naming the branch', () => {
    const withInput = model([ifNode('c', ['y'], { ...branch('then', [], ['x']), input: [info('p', [1])] }, branch('else', [], ['x']), 'pick')],
      [info('x', [2, 3]), info('c', [], BOOL)], [info('y', [2, 3])]);
    assert.match(compileError(withInput), /^m: node 'pick' \(If\): then_branch: declares inputs \('p'\); an If branch takes none$/);
  });

});
