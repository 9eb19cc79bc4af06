// Every opset form of the data-movement ops and the shape/indexing ops of exported models, and
// refusal after canonicalization: small models built here, compiled, run and compared with
// onnxruntime-node; hostile sizes, indices, attributes and tampered artifacts refused by name.

import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { compileBytes } from '../../../compiler/compile.js';
import { SpcError } from '../../../compiler/errors.js';
import { reencodeArtifact } from '../../../compiler/emit/artifact.js';
import { loadModel, RunError } from '../../../runtime/index.js';

const { onnx } = onnxProto;
ort.env.logLevel = 'error'; // opset 2 and 6 models draw legacy-opset warnings the test does not need
const FLOAT = 1, INT64 = 7;
/** INT64_MAX, as opset-9 exporters write "to the end" (a string: protobufjs encodes it as int64 exactly). */
const INT64_MAX = '9223372036854775807' as unknown as number;

interface Spec {
  readonly opset: number;
  readonly nodes: OnnxTypes.INodeProto[];
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  readonly outputs: readonly string[];
  readonly initializers?: OnnxTypes.ITensorProto[];
  /** Input data by name (default: ramp). */
  readonly data?: Readonly<Record<string, readonly number[]>>;
}

function modelBytes(s: Spec): Uint8Array {
  const vi = (name: string, dims?: readonly number[]): OnnxTypes.IValueInfoProto =>
    ({ name, type: { tensorType: { elemType: FLOAT, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } } });
  return onnx.ModelProto.encode({
    irVersion: s.opset < 9 ? 3 : 7,
    opsetImport: [{ domain: '', version: s.opset }],
    graph: {
      name: 'forms', node: s.nodes, initializer: s.initializers ?? [],
      input: Object.entries(s.inputs).map(([n, d]) => vi(n, d)),
      output: s.outputs.map((n) => vi(n)),
    },
  }).finish();
}

const ints = (name: string, v: number[]): OnnxTypes.IAttributeProto => ({ name, type: 7, ints: v });
const int = (name: string, v: number): OnnxTypes.IAttributeProto => ({ name, type: 2, i: v });
const floats = (name: string, v: number[]): OnnxTypes.IAttributeProto => ({ name, type: 6, floats: v });
const float = (name: string, v: number): OnnxTypes.IAttributeProto => ({ name, type: 1, f: v });
const str = (name: string, v: string): OnnxTypes.IAttributeProto => ({ name, type: 3, s: new TextEncoder().encode(v) });
const i64 = (name: string, v: number[], dims = [v.length]): OnnxTypes.ITensorProto => ({ name, dataType: INT64, dims, int64Data: v });

/** Deterministic inputs: a fixed, non-symmetric ramp (every element distinct). */
function ramp(dims: readonly number[], k: number): Float32Array {
  const n = dims.reduce((p, d) => p * d, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + k) * 3 + (i % 5) * 0.25);
}

/** Compiles and runs the model with spc and onnxruntime-node; asserts each output matches (1e-5 relative). */
async function agree(s: Spec): Promise<void> {
  const bytes = modelBytes(s);
  const feeds = Object.fromEntries(Object.entries(s.inputs).map(([n, d], k) => [n, { data: s.data?.[n] ? Float32Array.from(s.data[n]!) : ramp(d, k), shape: [...d] }]));
  const session = await ort.InferenceSession.create(bytes);
  const expected = await session.run(Object.fromEntries(Object.entries(feeds).map(([n, f]) => [n, new ort.Tensor('float32', f.data, f.shape)])));
  const model = await loadModel(compileBytes(bytes, { name: 'forms' }).artifact);
  try {
    const got = await model.run(feeds);
    for (const name of s.outputs) {
      const e = expected[name]!, g = got[name]!;
      assert.deepEqual([...g.shape], [...e.dims], `${name}: shape`);
      const ed = e.data as Float32Array, gd = g.data as Float32Array;
      for (let i = 0; i < ed.length; i++) {
        assert.ok(Math.abs(gd[i]! - ed[i]!) <= 1e-5 * Math.abs(ed[i]!) + 1e-6, `${name}[${i}]: spc ${gd[i]}, onnxruntime ${ed[i]}`);
      }
    }
  } finally {
    model.dispose();
  }
}

describe('opset forms of the data-movement ops, against onnxruntime', () => {
  it('Slice-9 (attributes, ends INT64_MAX) on a Shape folds into a Reshape target, and runs on data', async () => {
    await agree({
      opset: 9, inputs: { x: [2, 3, 4] }, outputs: ['y', 'z'],
      initializers: [i64('minus1', [-1])],
      nodes: [
        { opType: 'Shape', input: ['x'], output: ['s'] },
        { opType: 'Slice', input: ['s'], output: ['tail'], attribute: [ints('starts', [2]), ints('ends', [INT64_MAX]), ints('axes', [0])] },
        { opType: 'Concat', input: ['minus1', 'tail'], output: ['target'], attribute: [int('axis', 0)] },
        { opType: 'Reshape', input: ['x', 'target'], output: ['y'] },
        { name: 'window', opType: 'Slice', input: ['x'], output: ['z'], attribute: [ints('starts', [1, -3]), ints('ends', [INT64_MAX, -1]), ints('axes', [1, 2])] },
      ],
    });
  });

  it('ConstantOfShape on a foldable shape (Shape of a static input) feeding an Add', async () => {
    await agree({
      opset: 13, inputs: { x: [2, 3] }, outputs: ['y'],
      nodes: [
        { opType: 'Shape', input: ['x'], output: ['s'] },
        { opType: 'ConstantOfShape', input: ['s'], output: ['half'], attribute: [{ name: 'value', type: 4, t: { dataType: FLOAT, dims: [1], floatData: [0.5] } }] },
        { opType: 'Add', input: ['x', 'half'], output: ['y'] },
      ],
    });
  });

  it('Pad-2, Split-11, Squeeze-11, Unsqueeze-11 and Clip-6: their attribute forms', async () => {
    await agree({
      opset: 2, inputs: { x: [1, 2, 3] }, outputs: ['p', 'r'],
      nodes: [
        { opType: 'Pad', input: ['x'], output: ['p'], attribute: [ints('pads', [0, 1, 2, 0, 0, 1]), float('value', 1.5)] },
        { opType: 'Pad', input: ['x'], output: ['r'], attribute: [ints('pads', [0, 0, 2, 0, 0, 2]), str('mode', 'reflect')] },
      ],
    });
    await agree({
      opset: 11, inputs: { x: [1, 6, 2] }, outputs: ['a', 'b', 'u', 'c'],
      nodes: [
        { opType: 'Split', input: ['x'], output: ['a', 'b0'], attribute: [int('axis', 1), ints('split', [2, 4])] },
        { opType: 'Squeeze', input: ['b0'], output: ['b'], attribute: [ints('axes', [0])] },
        { opType: 'Unsqueeze', input: ['b'], output: ['u'], attribute: [ints('axes', [0, 3])] },
        { opType: 'Clip', input: ['x'], output: ['c'] },
      ],
    });
    await agree({
      opset: 6, inputs: { x: [2, 5] }, outputs: ['c'],
      nodes: [{ opType: 'Clip', input: ['x'], output: ['c'], attribute: [float('min', -1), float('max', 0.75)] }],
    });
  });

  for (const mode of ['nearest', 'linear']) {
    it(`Upsample-7 (scales attribute) and Upsample-9 (scales input), ${mode}`, async () => {
      await agree({
        opset: 7, inputs: { x: [1, 2, 3, 2] }, outputs: ['y'],
        nodes: [{ opType: 'Upsample', input: ['x'], output: ['y'], attribute: [str('mode', mode), floats('scales', [1, 1, 2, 3])] }],
      });
      await agree({
        opset: 9, inputs: { x: [1, 2, 3, 2] }, outputs: ['y'],
        initializers: [{ name: 'scales', dataType: FLOAT, dims: [4], floatData: [1, 1, 2, 1.5] }],
        nodes: [{ opType: 'Upsample', input: ['x', 'scales'], output: ['y'], attribute: [str('mode', mode)] }],
      });
    });
  }
});

describe('operators are refused after canonicalization', () => {
  it('an op spc does not support on a dead path does not block the model (onnxruntime runs it)', async () => {
    await agree({
      opset: 13, inputs: { x: [2, 2] }, outputs: ['y'],
      nodes: [
        { name: 'unused_det', opType: 'Det', input: ['x'], output: ['d'] },
        { opType: 'Relu', input: ['x'], output: ['y'] },
      ],
    });
  });

  it('a live unsupported op is still refused, naming the node and the op', () => {
    const bytes = modelBytes({
      opset: 13, inputs: { x: [2, 2] }, outputs: ['y'],
      nodes: [
        { name: 'unused_det', opType: 'Det', input: ['x'], output: ['d'] },
        { name: 'live_det', opType: 'Det', input: ['x'], output: ['y'] },
      ],
    });
    assert.throws(() => compileBytes(bytes, { name: 'dead' }), (e: unknown) => e instanceof SpcError && /^dead: unsupported operators: Det \(node live_det\)$/.test(e.message));
  });
});

describe('hostile sizes from shape-setting inputs', () => {
  const refused = (nodes: OnnxTypes.INodeProto[], initializers: OnnxTypes.ITensorProto[], pattern: RegExp): void => {
    const bytes = modelBytes({ opset: 13, inputs: { x: [2, 3] }, outputs: ['y'], nodes, initializers });
    assert.throws(() => compileBytes(bytes, { name: 'huge' }), (e: unknown) => {
      assert.ok(e instanceof SpcError, `expected SpcError, got ${String(e)}`);
      assert.match(e.message, pattern);
      return true;
    });
  };

  it('Tile with repeats of 2^40 is refused by the tensor-element limit, before any allocation', () => {
    refused([{ name: 'big_tile', opType: 'Tile', input: ['x', 'reps'], output: ['y'] }], [i64('reps', [2 ** 40, 2 ** 40])],
      /^huge: value 'y' \(output of node 'big_tile' \(Tile\)\): shape \[2199023255552,3298534883328\] has \d+ elements, which exceeds the limit of 268435456 \(maxTensorElements/);
  });

  it('ConstantOfShape of [2^31, 2^31] is refused by the tensor-element limit', () => {
    refused([
      { name: 'big_fill', opType: 'ConstantOfShape', input: ['shape'], output: ['y'] },
      { opType: 'Relu', input: ['x'], output: ['unused'] },
    ], [i64('shape', [2 ** 31, 2 ** 31])], /^huge: value 'y' \(output of node 'big_fill' \(ConstantOfShape\)\): shape \[2147483648,2147483648\] has \d+ elements, which exceeds the limit of 268435456 \(maxTensorElements/);
  });

  it('a Range whose start is a graph input (not a constant) is refused naming the node and that input', () => {
    const bytes = modelBytes({
      opset: 13, inputs: { x: [] }, outputs: ['y'],
      initializers: [{ name: 'limit', dataType: FLOAT, dims: [], floatData: [10] }, { name: 'delta', dataType: FLOAT, dims: [], floatData: [1] }],
      nodes: [{ name: 'rng', opType: 'Range', input: ['x', 'limit', 'delta'], output: ['y'] }],
    });
    assert.throws(() => compileBytes(bytes, { name: 'dyn' }), (e: unknown) => e instanceof SpcError
      && e.message === `dyn: node 'rng' (Range): output 'y' has no static shape: it depends on the value of 'x', which is not a constant; spc compiles static shapes only`);
  });

  it('Tile with a negative repeat is refused naming the node', () => {
    refused([{ name: 'neg_tile', opType: 'Tile', input: ['x', 'reps'], output: ['y'] }], [i64('reps', [1, -2])],
      /^huge: node 'neg_tile' \(Tile\): repeats \[1,-2\] must be >= 0$/);
  });
});

describe('indexing and Einsum forms the node tests leave out, against onnxruntime', () => {
  const einsum = (equation: string, inputs: Record<string, number[]>): Spec => ({
    opset: 13, inputs, outputs: ['y'],
    nodes: [{ opType: 'Einsum', input: Object.keys(inputs), output: ['y'], attribute: [str('equation', equation)] }],
  });

  it('Einsum: broadcast ellipsis with size-1 dims, diagonals, implicit output, a full sum', async () => {
    await agree(einsum('...ij,...jk->...ik', { a: [2, 1, 3, 4], b: [1, 5, 4, 2] }));
    await agree(einsum('bii->bi', { a: [2, 3, 3] }));
    await agree(einsum('ij,jk', { a: [3, 4], b: [4, 2] }));
    await agree(einsum('i j , j -> ', { a: [3, 4], b: [4] }));
    await agree(einsum('...ii->...', { a: [2, 3, 3] }));
  });

  it('LpNormalization p 1 and 2 along each axis, a zero row giving zeros (no node test covers it)', async () => {
    for (const p of [1, 2]) {
      for (const axis of [0, -1]) {
        await agree({
          opset: 13, inputs: { x: [2, 3] }, outputs: ['y'], data: { x: [0, 0, 0, 1, -2, 3] },
          nodes: [{ opType: 'LpNormalization', input: ['x'], output: ['y'], attribute: [int('p', p), int('axis', axis)] }],
        });
      }
    }
  });

  it('GatherND with batch_dims 1, Scatter-10 (ScatterElements\' old name) and ScatterND mul/max on repeated indices', async () => {
    await agree({
      opset: 13, inputs: { x: [2, 3, 4] }, outputs: ['y'],
      initializers: [i64('idx', [2, 0, -1, 1], [2, 2, 1])],
      nodes: [{ opType: 'GatherND', input: ['x', 'idx'], output: ['y'], attribute: [int('batch_dims', 1)] }],
    });
    await agree({
      opset: 10, inputs: { x: [3, 4], u: [2, 4] }, outputs: ['y'],
      initializers: [i64('idx', [2, 0, 1, -1, 0, 1, 2, 0], [2, 4])],
      nodes: [{ opType: 'Scatter', input: ['x', 'idx', 'u'], output: ['y'], attribute: [int('axis', 0)] }],
    });
    for (const reduction of ['mul', 'max']) {
      await agree({
        opset: 18, inputs: { x: [3, 4], u: [3, 4] }, outputs: ['y'],
        initializers: [i64('idx', [1, -2, 0], [3, 1])],
        nodes: [{ opType: 'ScatterND', input: ['x', 'idx', 'u'], output: ['y'], attribute: [str('reduction', reduction)] }],
      });
    }
  });
});

describe('hostile attributes and indices are refused at compile time, naming the node', () => {
  const refusedWith = (nodes: OnnxTypes.INodeProto[], initializers: OnnxTypes.ITensorProto[], message: string, dims = [1, 8, 2, 2]): void => {
    const bytes = modelBytes({ opset: 18, inputs: { x: dims }, outputs: ['y'], nodes, initializers });
    assert.throws(() => compileBytes(bytes, { name: 'bad' }), (e: unknown) => {
      assert.ok(e instanceof SpcError, `expected SpcError, got ${String(e)}`);
      assert.equal(e.message, `bad: ${message}`);
      return true;
    });
  };

  it('DepthToSpace blocksize 0, and one whose square does not divide the channels', () => {
    refusedWith([{ name: 'd2s', opType: 'DepthToSpace', input: ['x'], output: ['y'], attribute: [int('blocksize', 0)] }], [],
      `node 'd2s' (DepthToSpace): blocksize 0 must be >= 1`);
    refusedWith([{ name: 'd2s', opType: 'DepthToSpace', input: ['x'], output: ['y'], attribute: [int('blocksize', 3)] }], [],
      `node 'd2s' (DepthToSpace): channels 8 are not a multiple of blocksize² 9`);
  });

  it('a constant GatherElements index and a GatherND tuple out of range', () => {
    refusedWith([{ name: 'ge', opType: 'GatherElements', input: ['x', 'idx'], output: ['y'], attribute: [int('axis', 1)] }],
      [i64('idx', [0, 7, 8, -9], [1, 1, 2, 2])], `node 'ge' (GatherElements): index 8 is out of range [-8, 8) for data axis 1 of [1,8,2,2]`);
    refusedWith([{ name: 'gnd', opType: 'GatherND', input: ['x', 'idx'], output: ['y'] }],
      [i64('idx', [0, 3, 1, 1], [2, 2])], `node 'gnd' (GatherND): index 1 is out of range [-1, 1) for data dim 0 of [1,8,2,2]`);
  });

  it('an Einsum equation that does not fit its operands, and GroupNormalization groups that do not divide the channels', () => {
    refusedWith([{ name: 'es', opType: 'Einsum', input: ['x'], output: ['y'], attribute: [str('equation', 'ij->i')] }], [],
      `node 'es' (Einsum): operand 0 has rank 4, its term has 2 labels`);
    refusedWith([{ name: 'es', opType: 'Einsum', input: ['x'], output: ['y'], attribute: [str('equation', 'abcd->e')] }], [],
      `node 'es' (Einsum): equation 'abcd->e': output label 'e' is in no operand`);
    refusedWith([{ name: 'gn', opType: 'GroupNormalization', input: ['x', 's', 'b'], output: ['y'], attribute: [int('num_groups', 3)] }],
      [{ name: 's', dataType: FLOAT, dims: [3], floatData: [1, 1, 1] }, { name: 'b', dataType: FLOAT, dims: [3], floatData: [0, 0, 0] }],
      `node 'gn' (GroupNormalization): num_groups 3 does not divide the 8 channels`);
  });
});

describe('a tampered artifact of these ops is refused at load, naming the node', () => {
  it('DepthToSpace blocksize / mode and an Einsum equation edited after compiling', async () => {
    const bytes = modelBytes({
      opset: 13, inputs: { x: [1, 8, 2, 2] }, outputs: ['z'],
      nodes: [
        { name: 'd2s', opType: 'DepthToSpace', input: ['x'], output: ['y'], attribute: [int('blocksize', 2)] },
        { name: 'es', opType: 'Einsum', input: ['y'], output: ['z'], attribute: [str('equation', 'nchw->nhwc')] },
      ],
    });
    const artifact = compileBytes(bytes, { name: 'tamper' }).artifact;
    const cases: [number, Record<string, number | string>, string][] = [
      [0, { blocksize: 4 }, `node 'd2s' (kernel any-depthtospace-1x1-ref): channels 8 are not a multiple of blocksize² 16`],
      [0, { blocksize: 2, mode: 'XYZ' }, `node 'd2s' (kernel any-depthtospace-1x1-ref): mode 'XYZ' is neither DCR nor CRD`],
      [1, { equation: 'nchw->nhwcc' }, `node 'es' (kernel any-einsum-1x1-ref): equation 'nchw->nhwcc': the output repeats a label`],
      [1, { equation: 'nchw->nh' }, `node 'es' (kernel any-einsum-1x1-ref): output has shape [1,4,4,2], expected [1,4]`],
    ];
    for (const [i, attrs, message] of cases) {
      const tampered = reencodeArtifact(artifact, (a) => ({ ...a, nodes: a.nodes.map((n, k) => (k === i ? { ...n, attrs } : n)) }));
      await assert.rejects(loadModel(tampered), (e: unknown) => e instanceof RunError && e.message === message);
    }
  });
});
