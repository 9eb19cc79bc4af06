// The reductions and index ops on the forms the ONNX node tests leave out, each a one-node model
// compiled and run by spc against onnxruntime-node on the same model: the opset < 13 coerce-to-2-D
// Softmax family on a middle axis, attribute-form axes (ReduceSum opset 11), integer and bool
// dtypes, TopK's k attribute (opset 1) and ties, CumSum on int32, OneHot with values int64 and
// axis 0, NonZero folded on a constant (alone, and as a mask selecting from an input). Then hostile attributes and inputs: each a clear SpcError
// naming the node (never a crash), and NonZero on a run-time input refused naming the node and input; and
// tampered artifacts (a constant K, depth or axes, or an attribute changed after compiling)
// refused at load with a RunError naming the node.

import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { compileFile } from '../../compiler/compile.js';
import { reencodeArtifact } from '../../compiler/emit/artifact.js';
import { SpcError } from '../../compiler/errors.js';
import { loadModel, RunError } from '../../runtime/index.js';
import type { LoadedArtifact } from '../../runtime/loader/model.js';
import type { DType, TypedArray } from '../../runtime/tensor.js';
import { allocArray } from '../../runtime/tensor.js';
import { tempDir } from '../helpers/files.js';

const { onnx } = onnxProto;

const ELEM: Readonly<Record<string, number>> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float64: 11 };

interface T { readonly dtype: DType; readonly shape: readonly number[]; readonly data: readonly number[] }

function typed(t: T): TypedArray {
  const a = allocArray(t.dtype, t.data.length);
  t.data.forEach((v, i) => { a[i] = t.dtype === 'int64' ? BigInt(v) : v; });
  return a;
}

type AttrValue = number | readonly number[] | { f: number };

function attr(name: string, v: AttrValue): OnnxTypes.IAttributeProto {
  if (Array.isArray(v)) return { name, type: 7, ints: v as number[] };
  if (typeof v === 'object') return { name, type: 1, f: (v as { f: number }).f };
  return { name, type: 2, i: v as number };
}

interface OneNode {
  readonly op: string;
  readonly opset: number;
  readonly attrs?: Readonly<Record<string, AttrValue>>;
  /** Graph inputs (fed at run time), in node input order after the initializers' slots are filled. */
  readonly inputs: readonly (readonly [string, T, 'feed' | 'init'] | undefined)[];
  readonly outputs: readonly (readonly [string, DType])[];
  /** Nodes after the op (its single output named `out`) that lead to `outputs`: an exporter's pattern around it. */
  readonly then?: { readonly out: string; readonly nodes: readonly OnnxTypes.INodeProto[]; readonly inputs: readonly (readonly [string, T, 'feed' | 'init'])[] };
}

/** Every graph input and initializer: the op's, then those of the nodes after it. */
const graphInputs = (m: OneNode): (readonly [string, T, 'feed' | 'init'])[] =>
  [...m.inputs, ...(m.then?.inputs ?? [])].filter((x): x is readonly [string, T, 'feed' | 'init'] => x !== undefined);

function modelBytes(m: OneNode): Uint8Array {
  const present = graphInputs(m);
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: m.opset }],
    graph: {
      name: m.op,
      node: [{
        name: `${m.op.toLowerCase()}_node`, opType: m.op,
        input: m.inputs.map((x) => x?.[0] ?? ''), output: m.then ? [m.then.out] : m.outputs.map(([n]) => n),
        attribute: Object.entries(m.attrs ?? {}).map(([k, v]) => attr(k, v)),
      }, ...(m.then?.nodes ?? [])],
      initializer: present.filter(([, , k]) => k === 'init').map(([name, t]) => ({
        name, dims: [...t.shape], dataType: ELEM[t.dtype], rawData: new Uint8Array(typed(t).buffer),
      })),
      input: present.filter(([, , k]) => k === 'feed').map(([name, t]) => ({
        name, type: { tensorType: { elemType: ELEM[t.dtype], shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } },
      })),
      output: m.outputs.map(([name, dtype]) => ({ name, type: { tensorType: { elemType: ELEM[dtype] } } })),
    },
  }).finish();
}

const feedsOf = (m: OneNode): [string, T][] => graphInputs(m).filter((x) => x[2] === 'feed').map(([n, t]) => [n, t]);

async function runOrt(m: OneNode, bytes: Uint8Array): Promise<Record<string, { data: TypedArray; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [n, t] of feedsOf(m)) feeds[n] = new ort.Tensor(t.dtype as 'float32', typed(t) as Float32Array, [...t.shape]);
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data as TypedArray, dims: t.dims }]));
  } finally {
    await session.release();
  }
}

let dir: string;
let seq = 0;

function writeModel(m: OneNode): string {
  const path = join(dir, `m${seq++}.onnx`);
  writeFileSync(path, modelBytes(m));
  return path;
}

/** Compiles and runs `m` in spc and in onnxruntime; outputs must agree (floats to the node tests' tolerance, the rest exactly). */
async function matchesOrt(m: OneNode): Promise<void> {
  const bytes = modelBytes(m);
  const path = writeModel(m);
  const model = await loadModel(compileFile(path).artifact);
  try {
    const got = await model.run(Object.fromEntries(feedsOf(m).map(([n, t]) => [n, { data: typed(t), shape: t.shape }])));
    const want = await runOrt(m, bytes);
    for (const [name, dtype] of m.outputs) {
      const g = got[name]!, w = want[name]!;
      assert.equal(g.dtype, dtype, `${name}: dtype`);
      assert.deepEqual([...g.shape], [...w.dims], `${name}: shape`);
      for (let i = 0; i < w.data.length; i++) {
        const gv = Number(g.data[i]), wv = Number(w.data[i]);
        const ok = dtype === 'float32' || dtype === 'float64'
          ? gv === wv || Math.abs(gv - wv) <= 1e-4 * Math.abs(wv) + 1e-6
          : gv === wv;
        assert.ok(ok, `${m.op} opset ${m.opset} ${name}[${i}] = ${gv}, onnxruntime ${wv}`);
      }
    }
  } finally {
    model.dispose();
  }
}

/** Deterministic values in [−2, 2) with ties (quantized to quarters). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * 16) / 4 - 2;
  });
}

const f32 = (shape: number[], seed = 1): T => ({ dtype: 'float32', shape, data: values(shape.reduce((p, d) => p * d, 1), seed) });
const ints = (dtype: DType, shape: number[], data: number[]): T => ({ dtype, shape, data });

function refused(m: OneNode, pattern: RegExp): void {
  const path = writeModel(m);
  assert.throws(() => compileFile(path), (e: unknown) => {
    assert.ok(e instanceof SpcError, `an SpcError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('e2e: reductions and index ops against onnxruntime', function () {
  this.timeout(60_000);
  before(() => { dir = tempDir('spc-reduce-'); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  for (const op of ['Softmax', 'LogSoftmax', 'Hardmax']) {
    it(`${op} opset 11 coerces to 2-D at a middle axis (and at its default axis 1); opset 13 normalises one axis`, async () => {
      const x = f32([2, 3, 4], 7);
      await matchesOrt({ op, opset: 11, attrs: { axis: 1 }, inputs: [['x', x, 'feed']], outputs: [['y', 'float32']] });
      await matchesOrt({ op, opset: 11, inputs: [['x', f32([2, 3, 2, 2], 8), 'feed']], outputs: [['y', 'float32']] });
      await matchesOrt({ op, opset: 13, attrs: { axis: 1 }, inputs: [['x', x, 'feed']], outputs: [['y', 'float32']] });
    });
  }

  it('ReduceSum opset 11 (axes attribute) and opset 13 (empty constant axes with noop_with_empty_axes)', async () => {
    const x = f32([2, 3, 4], 3);
    await matchesOrt({ op: 'ReduceSum', opset: 11, attrs: { axes: [0, 2], keepdims: 0 }, inputs: [['x', x, 'feed']], outputs: [['y', 'float32']] });
    await matchesOrt({ op: 'ReduceSum', opset: 13, attrs: { noop_with_empty_axes: 1 },
      inputs: [['x', x, 'feed'], ['axes', ints('int64', [0], []), 'init']], outputs: [['y', 'float32']] });
  });

  for (const op of ['ReduceL1', 'ReduceLogSum', 'ReduceSumSquare', 'ReduceProd', 'ReduceLogSumExp', 'ReduceMean']) {
    it(`${op}: opset 13 axes attribute and opset 18 axes input, keepdims 0 and 1`, async () => {
      const x = { ...f32([3, 2, 4], 5) };
      const pos: T = op === 'ReduceLogSum' ? { ...x, data: x.data.map((v) => Math.abs(v) + 0.5) } : x;
      await matchesOrt({ op, opset: 13, attrs: { axes: [-1], keepdims: 0 }, inputs: [['x', pos, 'feed']], outputs: [['y', 'float32']] });
      await matchesOrt({ op, opset: 18, inputs: [['x', pos, 'feed'], ['axes', ints('int64', [2], [0, 2]), 'init']], outputs: [['y', 'float32']] });
    });
  }

  it('ReduceLogSumExp stays finite on inputs near 1000 (the maximum is subtracted first)', async () => {
    const x: T = { dtype: 'float32', shape: [2, 3], data: [1000, 999, 998, -1000, 0, 1000] };
    await matchesOrt({ op: 'ReduceLogSumExp', opset: 13, attrs: { axes: [1] }, inputs: [['x', x, 'feed']], outputs: [['y', 'float32']] });
  });

  it('integer and bool reductions: ReduceMax int32 / int8, ReduceMin bool (opset 20), ReduceSum and ReduceProd int64', async () => {
    await matchesOrt({ op: 'ReduceMax', opset: 18, inputs: [['x', ints('int32', [2, 3], [5, -7, 9, -1, -2, -3]), 'feed'], ['axes', ints('int64', [1], [1]), 'init']], outputs: [['y', 'int32']] });
    await matchesOrt({ op: 'ReduceMax', opset: 18, attrs: { keepdims: 0 }, inputs: [['x', ints('int8', [2, 3], [5, -7, 9, -1, -2, -128]), 'feed'], ['axes', ints('int64', [1], [0]), 'init']], outputs: [['y', 'int8']] });
    await matchesOrt({ op: 'ReduceMin', opset: 20, inputs: [['x', ints('bool', [2, 3], [1, 0, 1, 1, 1, 1]), 'feed'], ['axes', ints('int64', [1], [1]), 'init']], outputs: [['y', 'bool']] });
    await matchesOrt({ op: 'ReduceSum', opset: 13, inputs: [['x', ints('int64', [2, 3], [5, -7, 9, -1, 2, 3]), 'feed'], ['axes', ints('int64', [1], [0]), 'init']], outputs: [['y', 'int64']] });
    await matchesOrt({ op: 'ReduceProd', opset: 13, attrs: { axes: [1], keepdims: 0 }, inputs: [['x', ints('int64', [2, 3], [5, -7, 9, -1, 2, 3]), 'feed']], outputs: [['y', 'int64']] });
  });

  it('ArgMax / ArgMin on int32 with ties, first and last index', async () => {
    const x = ints('int32', [2, 4], [3, 1, 3, 0, -2, -2, 5, 5]);
    for (const op of ['ArgMax', 'ArgMin']) {
      for (const last of [0, 1]) {
        await matchesOrt({ op, opset: 13, attrs: { axis: 1, keepdims: 0, select_last_index: last }, inputs: [['x', x, 'feed']], outputs: [['y', 'int64']] });
      }
    }
  });

  it('TopK: k attribute (opset 1), smallest with ties by lower index (opset 11), int64 data on axis 0', async () => {
    const x = f32([3, 5], 11);
    await matchesOrt({ op: 'TopK', opset: 1, attrs: { k: 2 }, inputs: [['x', x, 'feed']], outputs: [['v', 'float32'], ['i', 'int64']] });
    await matchesOrt({ op: 'TopK', opset: 11, attrs: { largest: 0 }, inputs: [['x', x, 'feed'], ['k', ints('int64', [1], [3]), 'init']], outputs: [['v', 'float32'], ['i', 'int64']] });
    await matchesOrt({ op: 'TopK', opset: 11, attrs: { axis: 0 },
      inputs: [['x', ints('int64', [4, 2], [4, 1, 4, 9, -3, 9, 0, 2]), 'feed'], ['k', ints('int64', [1], [2]), 'init']], outputs: [['v', 'int64'], ['i', 'int64']] });
  });

  it('CumSum on int32 and float32: exclusive, reverse, both, a negative axis', async () => {
    const x = ints('int32', [2, 3], [1, 2, 3, 4, 5, 6]);
    for (const [exclusive, reverse] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
      await matchesOrt({ op: 'CumSum', opset: 14, attrs: { exclusive, reverse }, inputs: [['x', x, 'feed'], ['axis', ints('int64', [], [-1]), 'init']], outputs: [['y', 'int32']] });
    }
    await matchesOrt({ op: 'CumSum', opset: 11, attrs: { reverse: 1 }, inputs: [['x', f32([3, 4], 2), 'feed'], ['axis', ints('int32', [], [0]), 'init']], outputs: [['y', 'float32']] });
  });

  it('Trilu lower and upper on float32 with a constant k, and on a batch of matrices', async () => {
    await matchesOrt({ op: 'Trilu', opset: 14, attrs: { upper: 0 }, inputs: [['x', f32([3, 4], 4), 'feed'], ['k', ints('int64', [], [1]), 'init']], outputs: [['y', 'float32']] });
    await matchesOrt({ op: 'Trilu', opset: 14, inputs: [['x', f32([2, 3, 3], 4), 'feed']], outputs: [['y', 'float32']] });
  });

  it('OneHot: indices with negatives and out-of-range ones, a float depth, int32 values, axis 0', async () => {
    await matchesOrt({ op: 'OneHot', opset: 11, attrs: { axis: 0 },
      inputs: [['i', ints('int64', [2, 3], [0, -1, 2, 5, -4, 1]), 'feed'], ['depth', { dtype: 'float32', shape: [], data: [4] }, 'init'], ['values', ints('int32', [2], [-3, 7]), 'init']],
      outputs: [['y', 'int32']] });
  });

  it('NonZero on a constant folds (the artifact holds no NonZero node)', async () => {
    const m: OneNode = { op: 'NonZero', opset: 13, inputs: [['c', { dtype: 'float32', shape: [2, 3], data: [0, 1.5, 0, -2, 0, 3] }, 'init']], outputs: [['y', 'int64']] };
    await matchesOrt(m);
    const compiled = compileFile(writeModel(m));
    assert.deepEqual(compiled.contents.nodes.map((n) => n.op).filter((op) => op === 'NonZero'), []);
  });

  it('NonZero on a constant mask selecting from a run-time input (x[mask] as exported: NonZero, Transpose, GatherND) folds', async () => {
    const mask = ints('bool', [2, 3], [1, 0, 1, 0, 0, 1]);
    const m: OneNode = { op: 'NonZero', opset: 13, inputs: [['mask', mask, 'init']], outputs: [['y', 'float32']],
      then: { out: 'nz', nodes: [
        { name: 't', opType: 'Transpose', input: ['nz'], output: ['idx'], attribute: [attr('perm', [1, 0])] },
        { name: 'g', opType: 'GatherND', input: ['x', 'idx'], output: ['y'] },
      ], inputs: [['x', f32([2, 3], 4), 'feed']] } };
    await matchesOrt(m);
    assert.deepEqual(compileFile(writeModel(m)).contents.nodes.map((n) => n.op), ['GatherND']);
  });

  describe('refusals, each naming the node', () => {
    const x: T = f32([2, 3, 4]);
    it('NonZero on a run-time input: its output shape depends on the values', () => {
      refused({ op: 'NonZero', opset: 13, inputs: [['x', x, 'feed']], outputs: [['y', 'int64']] }, /node 'nonzero_node' \(NonZero\): output 'y' has no static shape \(\[3,\?\]\): it depends on the value of 'x', which is not a constant; spc compiles static shapes only/);
    });
    it('Reduce axes out of range (attribute and input form)', () => {
      refused({ op: 'ReduceMax', opset: 13, attrs: { axes: [3] }, inputs: [['x', x, 'feed']], outputs: [['y', 'float32']] }, /node 'reducemax_node' \(ReduceMax\): axes value 3 is out of range for rank 3/);
      refused({ op: 'ReduceSum', opset: 13, inputs: [['x', x, 'feed'], ['a', ints('int64', [1], [-9]), 'init']], outputs: [['y', 'float32']] }, /node 'reducesum_node' \(ReduceSum\): axes value -9 is out of range for rank 3/);
    });
    it('ArgMax axis out of range, and over an empty axis', () => {
      refused({ op: 'ArgMax', opset: 13, attrs: { axis: 3 }, inputs: [['x', x, 'feed']], outputs: [['y', 'int64']] }, /node 'argmax_node' \(ArgMax\): axis 3 is out of range for rank 3/);
      refused({ op: 'ArgMin', opset: 13, attrs: { axis: 1 }, inputs: [['x', f32([2, 0]), 'feed']], outputs: [['y', 'int64']] }, /node 'argmin_node' \(ArgMin\): axis 1 of \[2,0\] is empty/);
    });
    it('TopK k larger than its axis, or negative', () => {
      refused({ op: 'TopK', opset: 11, inputs: [['x', x, 'feed'], ['k', ints('int64', [1], [5]), 'init']], outputs: [['v', 'float32'], ['i', 'int64']] }, /node 'topk_node' \(TopK\): k 5 is out of range for axis 2 of \[2,3,4\]/);
      refused({ op: 'TopK', opset: 1, attrs: { k: -1 }, inputs: [['x', x, 'feed']], outputs: [['v', 'float32'], ['i', 'int64']] }, /node 'topk_node' \(TopK\): k -1 is out of range/);
    });
    it('OneHot with depth 0 or a depth past the tensor limit (no allocation)', () => {
      const oneHot = (depth: number): OneNode => ({ op: 'OneHot', opset: 11,
        inputs: [['i', ints('int64', [3], [0, 1, 2]), 'feed'], ['d', ints('int64', [], [depth]), 'init'], ['v', { dtype: 'float32', shape: [2], data: [0, 1] }, 'init']], outputs: [['y', 'float32']] });
      refused(oneHot(0), /node 'onehot_node' \(OneHot\): depth 0 must be at least 1/);
      refused(oneHot(1e12), /onehot_node[^]*(maxTensorElements|elements)/);
    });
    it('axes in the form the opset does not define (an attribute at ReduceMax-18, an input at ReduceSum-11)', () => {
      refused({ op: 'ReduceMax', opset: 18, attrs: { axes: [1] }, inputs: [['x', x, 'feed']], outputs: [['y', 'float32']] },
        /node 'reducemax_node' \(ReduceMax\): attribute 'axes' is not part of ReduceMax at opset 18 \(axes are the second input from opset 18\)/);
      refused({ op: 'ReduceSum', opset: 11, inputs: [['x', x, 'feed'], ['a', ints('int64', [1], [1]), 'init']], outputs: [['y', 'float32']] },
        /node 'reducesum_node' \(ReduceSum\): takes axes as an input only from opset 13/);
    });
    it('Trilu on a rank-1 input, CumSum on a constant axis out of range', () => {
      refused({ op: 'Trilu', opset: 14, inputs: [['x', f32([5]), 'feed']], outputs: [['y', 'float32']] }, /node 'trilu_node' \(Trilu\): input \[5\] must have rank >= 2/);
      refused({ op: 'CumSum', opset: 14, inputs: [['x', x, 'feed'], ['a', ints('int64', [], [4]), 'init']], outputs: [['y', 'float32']] }, /node 'cumsum_node' \(CumSum\): axis 4 is out of range for rank 3/);
    });
  });

  describe('tampered artifacts, refused at load naming the node', () => {
    /** Compiles `m`, applies `edit` to the decoded artifact, re-encodes it, and returns loadModel's error. */
    async function loadError(m: OneNode, edit: (a: LoadedArtifact) => LoadedArtifact): Promise<Error> {
      const bytes = reencodeArtifact(compileFile(writeModel(m)).artifact, edit);
      try {
        (await loadModel(bytes)).dispose();
      } catch (e) {
        return e as Error;
      }
      return assert.fail('the tampered artifact loaded');
    }
    const weight = (a: LoadedArtifact, name: string, data: TypedArray): LoadedArtifact =>
      ({ ...a, tensors: a.tensors.map((t) => (t.name === name ? { ...t, data } : t)) });
    const attrs = (a: LoadedArtifact, change: Record<string, number>): LoadedArtifact =>
      ({ ...a, nodes: a.nodes.map((n) => ({ ...n, attrs: { ...n.attrs, ...change } })) });
    const x: T = f32([2, 3, 4]);

    it('TopK whose constant K no longer matches its outputs', async () => {
      const e = await loadError({ op: 'TopK', opset: 11, inputs: [['x', x, 'feed'], ['k', ints('int64', [1], [2]), 'init']], outputs: [['v', 'float32'], ['i', 'int64']] },
        (a) => weight(a, 'k', BigInt64Array.of(3n)));
      assert.ok(e instanceof RunError, String(e));
      assert.match(e.message, /node 'topk_node' \(kernel any-topk-1x1-ref\): K 3 disagrees with the outputs' extent 2/);
    });
    it('OneHot whose constant depth no longer matches its output', async () => {
      const e = await loadError({ op: 'OneHot', opset: 11,
        inputs: [['i', ints('int64', [3], [0, 1, 2]), 'feed'], ['d', ints('int64', [], [4]), 'init'], ['v', { dtype: 'float32', shape: [2], data: [0, 1] }, 'init']], outputs: [['y', 'float32']] },
      (a) => weight(a, 'd', BigInt64Array.of(1000000n)));
      assert.ok(e instanceof RunError, String(e));
      assert.match(e.message, /node 'onehot_node' \(kernel any-onehot-1x1-ref\): depth 1000000 disagrees with the output's extent 4 along axis 1/);
    });
    it('ReduceSum whose constant axes point outside the input, or at another axis', async () => {
      const m: OneNode = { op: 'ReduceSum', opset: 13, inputs: [['x', x, 'feed'], ['a', ints('int64', [1], [1]), 'init']], outputs: [['y', 'float32']] };
      const outside = await loadError(m, (a) => weight(a, 'a', BigInt64Array.of(7n)));
      assert.ok(outside instanceof RunError, String(outside));
      assert.match(outside.message, /node 'reducesum_node' \(kernel f32-reducesum-1x1-js\): axes input \[7\] disagrees with the input and output shapes/);
      const other = await loadError(m, (a) => weight(a, 'a', BigInt64Array.of(2n)));
      assert.match(other.message, /node 'reducesum_node' \(kernel f32-reducesum-1x1-js\): axes input \[2\] disagrees with the input and output shapes/);
      // The ref kernel, on a dtype the js one does not take, refuses them too.
      const onInts = await loadError({ ...m, inputs: [['x', { ...x, dtype: 'int32', data: x.data.map(Math.round) }, 'feed'], m.inputs[1]] },
        (a) => weight(a, 'a', BigInt64Array.of(7n)));
      assert.match(onInts.message, /node 'reducesum_node' \(kernel any-reducesum-1x1-ref\): axes entry 7 out of range for rank 3/);
    });
    it('ArgMax and an opset-11 Softmax (coerce-to-2-D) with their axis moved out of range', async () => {
      const arg = await loadError({ op: 'ArgMax', opset: 13, attrs: { axis: 1 }, inputs: [['x', x, 'feed']], outputs: [['y', 'int64']] }, (a) => attrs(a, { axis: 9 }));
      assert.ok(arg instanceof RunError, String(arg));
      assert.match(arg.message, /node 'argmax_node' \(kernel f32-argmax-1x1-js\): axis 9 out of range for rank 3/);
      const soft = await loadError({ op: 'Softmax', opset: 11, inputs: [['x', x, 'feed']], outputs: [['y', 'float32']] }, (a) => attrs(a, { axis: 1e9 }));
      assert.ok(soft instanceof RunError, String(soft));
      assert.match(soft.message, /node 'softmax_node' \(kernel any-softmax-1x1-ref\): axis 1000000000 out of range for rank 3/);
    });
  });
});
