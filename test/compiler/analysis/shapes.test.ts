// Shape inference: hand-written cases per rule, and the ONNX conformance corpus as an oracle
// (each test's stored output shapes and dtypes, with its input data lent as constants).

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { inferNode, inferShapes, SUPPORTED_OPS } from '../../../compiler/analysis/shapes.js';
import type { ValueInfo } from '../../../compiler/analysis/shapes.js';
import { SpcError } from '../../../compiler/errors.js';
import { decodeModel } from '../../../compiler/frontend/decode.js';
import { decodeTensor, importModel } from '../../../compiler/frontend/import.js';
import type { Attr, Graph, Node, Value } from '../../../compiler/ir/graph.js';
import { makeGraph } from '../../../compiler/ir/graph.js';
import { NODE_TESTS_DIR } from '../../helpers/corpus.js';
import { GATED_SELECTIONS } from '../../../scripts/conformance/run.js';
import { fixpoint, runPipeline } from '../../../compiler/passes/manager.js';
import { inferShapesPass } from '../../../compiler/passes/infer-shapes.js';
import { foldConstants } from '../../../compiler/passes/fold-constants.js';
import { foldIf } from '../../../compiler/passes/fold-if.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { passSettings } from '../../../compiler/options/settings.js';

const { onnx } = onnxProto;

function node(op: string, inputs: number, attrs: Record<string, Attr> = {}, outputs = 1): Node {
  return {
    name: `${op.toLowerCase()}1`, op, attrs,
    inputs: Array.from({ length: inputs }, (_, i) => `i${i}`),
    outputs: Array.from({ length: outputs }, (_, i) => `o${i}`),
  };
}
const f32 = (...shape: (number | string)[]): ValueInfo => ({ dtype: 'float32', shape });
const i64const = (...vals: number[]): ValueInfo => ({
  dtype: 'int64', shape: [vals.length], constant: { dtype: 'int64', shape: [vals.length], data: BigInt64Array.from(vals, BigInt) },
});
const ints = (...value: number[]): Attr => ({ kind: 'ints', value });
const int = (value: number): Attr => ({ kind: 'int', value });

describe('analysis/shapes: rules', () => {
  it('broadcasts elementwise ops and propagates symbolic dims', () => {
    assert.deepEqual(inferNode(node('Add', 2), [f32(2, 1, 4), f32(3, 1)], 13), [{ dtype: 'float32', shape: [2, 3, 4] }]);
    assert.deepEqual(inferNode(node('Mul', 2), [f32('N', 8), f32(8)], 13)[0]!.shape, ['N', 8]);
    assert.deepEqual(inferNode(node('Equal', 2), [f32(3), f32(1)], 13)[0], { dtype: 'bool', shape: [3] });
    assert.throws(() => inferNode(node('Add', 2), [f32(2, 3), f32(4)], 13), (e: unknown) =>
      e instanceof SpcError && /add1/.test(e.message) && /broadcast/.test(e.message));
  });

  it('computes Conv, MaxPool (ceil_mode, indices) and Gemm shapes and checks channels', () => {
    const conv = node('Conv', 2, { pads: ints(1, 1, 1, 1), strides: ints(2, 2) });
    assert.deepEqual(inferNode(conv, [f32(1, 3, 224, 224), f32(16, 3, 3, 3)], 13)[0]!.shape, [1, 16, 112, 112]);
    assert.throws(() => inferNode(conv, [f32(1, 4, 8, 8), f32(16, 3, 3, 3)], 13), /channels/);
    const mp = node('MaxPool', 1, { kernel_shape: ints(3, 3), strides: ints(2, 2), ceil_mode: int(1) }, 2);
    assert.deepEqual(inferNode(mp, [f32(1, 8, 55, 55)], 13), [
      { dtype: 'float32', shape: [1, 8, 27, 27] }, { dtype: 'int64', shape: [1, 8, 27, 27] },
    ]);
    assert.deepEqual(inferNode(node('Gemm', 3, { transB: int(1) }), [f32(1, 784), f32(256, 784), f32(256)], 13)[0]!.shape, [1, 256]);
    assert.throws(() => inferNode(node('Gemm', 2), [f32(1, 784), f32(256, 784)], 13), /inner dimensions/);
  });

  it('refuses windows, steps and pads the kernels cannot index with, naming the node and the attribute', () => {
    const refusal = (op: string, inputs: ValueInfo[], attrs: Record<string, Attr>): string => {
      try {
        inferNode(node(op, inputs.length, attrs), inputs, 13);
      } catch (e) {
        assert.ok(e instanceof SpcError, String(e));
        return e.message;
      }
      return assert.fail('accepted');
    };
    const x = f32(1, 2, 8, 8);
    assert.equal(refusal('MaxPool', [x], { kernel_shape: ints(-1, 2), strides: ints(3, 2) }), "node 'maxpool1' (MaxPool): kernel size [-1,2] must be >= 1 on every axis");
    assert.equal(refusal('MaxPool', [x], { kernel_shape: ints(0, 0) }), "node 'maxpool1' (MaxPool): kernel size [0,0] must be >= 1 on every axis");
    assert.equal(refusal('AveragePool', [x], { kernel_shape: ints(2, 2), strides: ints(0, 1) }), "node 'averagepool1' (AveragePool): 'strides' [0,1] must be >= 1");
    assert.equal(refusal('Conv', [x, f32(4, 2, 3, 3)], { dilations: ints(1, -1) }), "node 'conv1' (Conv): 'dilations' [1,-1] must be >= 1");
    assert.equal(refusal('Conv', [x, f32(4, 2, 3, 3)], { pads: ints(-1, 0, 0, 0) }), "node 'conv1' (Conv): 'pads' [-1,0,0,0] must be >= 0");
    assert.equal(refusal('Conv', [x, f32(4, 2, 0, 3)], {}), "node 'conv1' (Conv): kernel size [0,3] must be >= 1 on every axis");
  });

  it('uses constant data for Reshape, Slice, Unsqueeze and ReduceMean, and leaves unknown data undefined', () => {
    assert.deepEqual(inferNode(node('Reshape', 2), [f32(2, 3, 4), i64const(0, -1)], 13)[0]!.shape, [2, 12]);
    assert.equal(inferNode(node('Reshape', 2), [f32(2, 3, 4), { dtype: 'int64', shape: [2] }], 13)[0]!.shape, undefined);
    assert.throws(() => inferNode(node('Reshape', 2), [f32(2, 3, 4), i64const(5, -1)], 13), /reshape/);
    assert.deepEqual(inferNode(node('Slice', 4), [f32(20, 10, 5), i64const(0, 1), i64const(3, 10), i64const(0, 1)], 13)[0]!.shape, [3, 9, 5]);
    assert.deepEqual(inferNode(node('Unsqueeze', 2), [f32(3, 4), i64const(0, -1)], 13)[0]!.shape, [1, 3, 4, 1]);
    assert.deepEqual(inferNode(node('Unsqueeze', 1, { axes: ints(1) }), [f32(3, 4)], 11)[0]!.shape, [3, 1, 4]);
    assert.deepEqual(inferNode(node('ReduceMean', 1, { axes: ints(-1) }), [f32(1, 32, 128)], 13)[0]!.shape, [1, 32, 1]);
    assert.deepEqual(inferNode(node('ReduceMean', 2, { keepdims: int(0) }), [f32(1, 32, 128), i64const(1)], 18)[0]!.shape, [1, 128]);
    assert.equal(inferNode(node('ReduceMean', 2), [f32(1, 32, 128), { dtype: 'int64', shape: [1] }], 18)[0]!.shape, undefined);
  });

  it('handles Split, Shape, Flatten, Concat, Transpose, Gather', () => {
    assert.deepEqual(inferNode(node('Split', 1, { num_outputs: int(3) }, 3), [f32(7, 2)], 18).map((o) => o.shape), [[3, 2], [3, 2], [1, 2]]);
    assert.deepEqual(inferNode(node('Split', 2, {}, 2), [f32(6), i64const(2, 4)], 13).map((o) => o.shape), [[2], [4]]);
    assert.deepEqual(inferNode(node('Shape', 1, { start: int(1) }), [f32(2, 3, 4)], 15)[0], { dtype: 'int64', shape: [2] });
    assert.deepEqual(inferNode(node('Flatten', 1), [f32(1, 64, 2, 2)], 13)[0]!.shape, [1, 256]);
    assert.deepEqual(inferNode(node('Concat', 2, { axis: int(1) }), [f32(1, 2, 5), f32(1, 3, 5)], 13)[0]!.shape, [1, 5, 5]);
    assert.throws(() => inferNode(node('Concat', 2, { axis: int(1) }), [f32(1, 2, 5), f32(1, 3, 6)], 13), /differ/);
    assert.deepEqual(inferNode(node('Transpose', 1, { perm: ints(1, 2, 0) }), [f32(2, 3, 4)], 13)[0]!.shape, [3, 4, 2]);
    assert.deepEqual(inferNode(node('Gather', 2), [f32(1000, 128), { dtype: 'int64', shape: [1, 32] }], 13)[0]!.shape, [1, 32, 128]);
  });

  it('inferShapes resolves a Shape → Gather → Unsqueeze → Concat → Reshape chain and tolerates unknown data', () => {
    const scalar = (name: string, v: number): Value => ({ name, dtype: 'int64', shape: [], constant: { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(v)) } });
    const nodes: Node[] = [
      { name: 's', op: 'Shape', inputs: ['x'], outputs: ['sh'], attrs: {} },
      { name: 'g', op: 'Gather', inputs: ['sh', 'zero'], outputs: ['n'], attrs: { axis: int(0) } },
      { name: 'u', op: 'Unsqueeze', inputs: ['n', 'axes0'], outputs: ['n1'], attrs: {} },
      { name: 'c', op: 'Concat', inputs: ['n1', 'minus1'], outputs: ['target'], attrs: { axis: int(0) } },
      { name: 'r', op: 'Reshape', inputs: ['x', 'target'], outputs: ['y'], attrs: {} },
      { name: 'r2', op: 'Reshape', inputs: ['x', 'dyn'], outputs: ['z'], attrs: {} },
    ];
    const g: Graph = makeGraph({
      name: 'chain', opset: 13, inputs: ['x', 'dyn'], outputs: ['y', 'z'], nodes,
      values: [
        { name: 'x', dtype: 'float32', shape: [2, 3, 4] }, { name: 'dyn', dtype: 'int64', shape: [2] },
        scalar('zero', 0), { ...scalar('axes0', 0), shape: [1], constant: { dtype: 'int64', shape: [1], data: BigInt64Array.of(0n) } },
        { name: 'minus1', dtype: 'int64', shape: [1], constant: { dtype: 'int64', shape: [1], data: BigInt64Array.of(-1n) } },
      ],
    });
    const out = inferShapes(g);
    assert.deepEqual(out.values.get('y')!.shape, [2, 12]);
    assert.equal(out.values.get('z')!.shape, undefined);
    assert.equal(out.values.get('z')!.dtype, 'float32');
    assert.equal(out.values.get('target')!.constant, undefined, 'propagated data is not turned into constants');
    assert.equal(inferShapes(out), out, 'unchanged graph is returned as is');
  });
});

interface CorpusEntry {
  test: string; path: string; op_type: string;
  outputs: { name: string; dtype: string; shape: number[] }[];
}

/** Imports one conformance model with its test inputs lent as constants, then infers shapes. */
function inferConformance(t: CorpusEntry): string[] {
  const dir = join(NODE_TESTS_DIR, t.path);
  const file = join(dir, 'model.onnx');
  const g = importModel(decodeModel(readFileSync(file), file), file);
  const values = new Map(g.values);
  g.inputs.forEach((name, i) => {
    const pb = onnx.TensorProto.decode(readFileSync(join(dir, 'test_data_set_0', `input_${i}.pb`)));
    const c = decodeTensor(pb, `${t.test} input ${i}`, dir);
    values.set(name, { name, dtype: c.dtype, shape: c.shape, constant: c });
  });
  let out = inferShapes(makeGraph({ ...g, values: values.values() }));
  // A size computed from the inputs through float arithmetic (a window function's length) is
  // known only once constant folding evaluates it: infer again in the folding fixpoint the
  // compile runs (infer-shapes, fold-constants, fold-if).
  if (t.outputs.some((_, k) => out.values.get(out.outputs[k]!)?.shape === undefined)) {
    out = runPipeline(out, [fixpoint('shapes-and-constants', [inferShapesPass, foldConstants, foldIf])], makePassContext(passSettings()));
  }
  const problems: string[] = [];
  t.outputs.forEach((o, k) => {
    const v = out.values.get(out.outputs[k]!)!;
    if (v.dtype !== o.dtype) problems.push(`${o.name}: dtype ${v.dtype}, expected ${o.dtype}`);
    if (JSON.stringify(v.shape) !== JSON.stringify(o.shape)) {
      problems.push(`${o.name}: shape ${JSON.stringify(v.shape)}, expected ${JSON.stringify(o.shape)}`);
    }
  });
  return problems;
}

describe('analysis/shapes: ONNX conformance corpus', () => {
  // The selections the conformance bar is gated on (all of them since issue 16).
  const all = (JSON.parse(readFileSync(join(NODE_TESTS_DIR, 'index.json'), 'utf8')) as { tests: (CorpusEntry & { selection: string })[] }).tests;
  const index = { tests: all.filter((t) => GATED_SELECTIONS.has(t.selection)) };
  // Element types spc does not represent are refused on purpose, naming the type.
  const unsupportedType = (t: CorpusEntry): boolean => {
    try {
      inferConformance(t);
      return false;
    } catch (e) {
      return /unsupported (element|target) type/.test((e as Error).message);
    }
  };
  const refusedTypes = new Set(index.tests.filter(unsupportedType).map((t) => t.test));
  const expectedUnsupported = (t: CorpusEntry): boolean => refusedTypes.has(t.test);
  const mustPass = new Set(['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'Gemm', 'MatMul', 'Reshape', 'Slice', 'Split',
    'Squeeze', 'Unsqueeze', 'Concat', 'Transpose', 'Flatten', 'ReduceMean', 'Pad', 'Resize', 'Gather', 'Shape', 'Expand',
    'LayerNormalization', 'Softmax', 'BatchNormalization', 'Dropout', 'GlobalAveragePool', 'GlobalMaxPool', 'Where', 'Add']);

  it('the gated selections are not empty (else the checks below would pass vacuously)', () => {
    assert.ok(index.tests.length >= 300, `${index.tests.length} gated tests`);
  });

  it('every op of the gated corpus selections is supported', () => {
    const ops = new Set(index.tests.flatMap((t) => (t as unknown as { op_types: string[] }).op_types));
    ops.delete('Constant');
    assert.deepEqual([...ops].filter((op) => !SUPPORTED_OPS.has(op)), []);
  });

  it('infers the stored output shapes and dtypes', () => {
    const failures: string[] = [];
    let passed = 0;
    for (const t of index.tests) {
      if (expectedUnsupported(t)) continue;
      let problems: string[];
      try {
        problems = inferConformance(t);
      } catch (e) {
        problems = [(e as Error).message];
      }
      if (problems.length === 0) passed++;
      else failures.push(`${t.test} [${t.op_type}]: ${problems.join('; ')}`);
    }
    const considered = index.tests.filter((t) => !expectedUnsupported(t)).length;
    console.log(`      conformance shape inference: ${passed}/${considered} (of ${index.tests.length}; ${refusedTypes.size} refused for their element type)`);
    const hard = failures.filter((f) => mustPass.has(/\[(\w+)\]/.exec(f)![1]!));
    assert.deepEqual(hard, [], 'ops that must pass exactly');
    assert.ok(passed >= 0.98 * considered, `too many failures:\n${failures.join('\n')}`);
  });
});
