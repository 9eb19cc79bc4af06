// The elementwise, comparison and logic ops through the whole of spc (compileBytes, loadModel,
// run) against onnxruntime-node on what the ONNX node tests leave out: integer and float64
// forms, wrap-around at the integer limits, round-half-to-even, Mod's sign rules with broadcast,
// three-input Max/Min/Sum/Mean with a different shape each. Then the refusals: bad attributes,
// dtypes and shapes at compile (SpcError naming the node), a tampered artifact at load.

import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { compileBytes } from '../../compiler/compile.js';
import { reencodeArtifact } from '../../compiler/emit/artifact.js';
import { SpcError } from '../../compiler/errors.js';
import { loadModel, RunError } from '../../runtime/index.js';
import type { DType, TypedArray } from '../../runtime/tensor.js';
import { allocArray } from '../../runtime/tensor.js';

const { onnx } = onnxProto;

const ONNX_TYPE: Readonly<Record<DType, number>> = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9, float64: 11, float16: 10, uint32: 12, uint64: 13,
};

interface In { readonly dtype: DType; readonly shape: readonly number[]; readonly values: readonly number[] }
type AttrValue = number | { readonly f: number };

function tensor(t: In): TypedArray {
  const a = allocArray(t.dtype, t.values.length);
  t.values.forEach((v, i) => { (a as unknown as (number | bigint)[])[i] = t.dtype === 'int64' ? BigInt(v) : v; });
  return a;
}

/** One node `op` reading graph inputs x0, x1, ... (so nothing folds) into y. */
function oneNodeModel(op: string, ins: readonly In[], outType: DType, attrs: Record<string, AttrValue> = {}, opset = 18): Uint8Array {
  const vi = (name: string, dtype: DType, shape?: readonly number[]) => ({
    name, type: { tensorType: { elemType: ONNX_TYPE[dtype], ...(shape ? { shape: { dim: shape.map((d) => ({ dimValue: d })) } } : {}) } },
  });
  const attribute = Object.entries(attrs).map(([name, v]) => (typeof v === 'number'
    ? { name, type: onnx.AttributeProto.AttributeType.INT, i: v }
    : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v.f }));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: op.toLowerCase(),
      input: ins.map((t, i) => vi(`x${i}`, t.dtype, t.shape)),
      output: [vi('y', outType)],
      node: [{ name: `${op.toLowerCase()}1`, opType: op, input: ins.map((_, i) => `x${i}`), output: ['y'], attribute }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

async function runOrt(bytes: Uint8Array, ins: readonly In[]): Promise<{ data: TypedArray; shape: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    ins.forEach((t, i) => { feeds[`x${i}`] = new ort.Tensor(t.dtype as 'float32', tensor(t) as Float32Array, [...t.shape]); });
    const y = (await session.run(feeds))['y']!;
    return { data: y.data as TypedArray, shape: y.dims };
  } finally {
    await session.release();
  }
}

async function runSpc(bytes: Uint8Array, ins: readonly In[]): Promise<{ data: TypedArray; shape: readonly number[]; dtype: DType }> {
  const model = await loadModel(compileBytes(bytes, { name: 'one-node' }).artifact);
  const feeds = Object.fromEntries(ins.map((t, i) => [`x${i}`, { data: tensor(t), shape: t.shape }]));
  const y = (await model.run(feeds))['y']!;
  return { data: y.data, shape: y.shape, dtype: y.dtype };
}

/** spc's output equals onnxruntime's: same shape and dtype, integers and bools exactly, floats to the node tests' tolerance. */
async function agrees(op: string, ins: readonly In[], outType: DType, attrs: Record<string, AttrValue> = {}, opset = 18): Promise<void> {
  const bytes = oneNodeModel(op, ins, outType, attrs, opset);
  const want = await runOrt(bytes, ins);
  const got = await runSpc(bytes, ins);
  const what = `${op} ${ins.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(', ')}`;
  assert.equal(got.dtype, outType, `${what}: dtype`);
  assert.deepEqual([...got.shape], [...want.shape], `${what}: shape`);
  const g = Array.from(got.data as ArrayLike<number | bigint>, Number), w = Array.from(want.data as ArrayLike<number | bigint>, Number);
  assert.equal(g.length, w.length, `${what}: length`);
  const float = outType === 'float32' || outType === 'float64';
  g.forEach((v, i) => {
    const e = w[i]!;
    const ok = float ? (Number.isNaN(e) ? Number.isNaN(v) : v === e || Math.abs(v - e) <= 1e-4 * Math.abs(e) + 1e-6) : v === e;
    assert.ok(ok, `${what}: [${i}] = ${v}, onnxruntime ${e}`);
  });
}

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describe('elementwise ops vs onnxruntime: integer and float64 forms, broadcasting', function () {
  this.timeout(120_000);

  it('Abs, Neg and Sign on the signed integers wrap at the limits as onnxruntime does', async () => {
    const i8: In = { dtype: 'int8', shape: [6], values: [-128, -127, -1, 0, 1, 127] };
    const i32: In = { dtype: 'int32', shape: [5], values: [-2147483648, -7, 0, 7, 2147483647] };
    const i64: In = { dtype: 'int64', shape: [5], values: [-(2 ** 53), -3, 0, 3, 2 ** 53] };
    for (const t of [i8, i32, i64, { dtype: 'int16', shape: [3], values: [-32768, -5, 32767] } as In]) {
      await agrees('Abs', [t], t.dtype);
      await agrees('Neg', [t], t.dtype);
      await agrees('Sign', [t], t.dtype);
    }
    await agrees('Abs', [{ dtype: 'uint8', shape: [3], values: [0, 7, 255] }], 'uint8');
    await agrees('Sign', [{ dtype: 'float64', shape: [4], values: [-0.5, 0, 3, -1e300] }], 'float64');
  });

  it('Round takes halves to the even integer (float32 and float64)', async () => {
    const values = [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49999997, -2.51, 2.49, 1e7 + 0.5, 8388609];
    await agrees('Round', [{ dtype: 'float32', shape: [values.length], values }], 'float32');
    await agrees('Round', [{ dtype: 'float64', shape: [values.length], values }], 'float64');
  });

  it('float64 forms of the float-only unary ops', async () => {
    const values = [-30, -2.5, -1, -0.25, 0, 0.3, 1, 2, 40];
    const x: In = { dtype: 'float64', shape: [3, 3], values };
    for (const op of ['Floor', 'Ceil', 'Reciprocal', 'Sin', 'Cos', 'Softplus', 'Softsign', 'Elu', 'Selu', 'ThresholdedRelu', 'Mish']) {
      await agrees(op, [x], 'float64');
    }
    await agrees('Log', [{ dtype: 'float64', shape: [4], values: [1e-300, 0.5, 1, 1e300] }], 'float64');
    await agrees('Elu', [x], 'float64', { alpha: { f: 0.5 } });
    await agrees('ThresholdedRelu', [x], 'float64', { alpha: { f: -1 } });
  });

  it('comparisons on int64, int32 and uint8 broadcast both ways and give bool', async () => {
    const a = (dtype: DType): In => ({ dtype, shape: [2, 3, 1], values: [0, 1, 2, 3, 4, 200] });
    const b = (dtype: DType): In => ({ dtype, shape: [4], values: [1, 2, 3, 200] });
    for (const dtype of ['int64', 'int32', 'uint8', 'int8', 'uint16', 'float64'] as DType[]) {
      if (dtype === 'int8') { await agrees('Less', [{ dtype, shape: [3], values: [-128, 0, 127] }, { dtype, shape: [1], values: [0] }], 'bool'); continue; }
      for (const op of ['Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual']) await agrees(op, [a(dtype), b(dtype)], 'bool');
    }
  });

  it('Mod: fmod 0 takes the divisor\'s sign, fmod 1 the dividend\'s, broadcast [2,3] by [3]', async () => {
    const x = (dtype: DType): In => ({ dtype, shape: [2, 3], values: [-7, 7, -8, 5, -5, 100] });
    const y = (dtype: DType): In => ({ dtype, shape: [3], values: [3, -3, -5] });
    for (const dtype of ['int8', 'int16', 'int32', 'int64'] as DType[]) {
      await agrees('Mod', [x(dtype), y(dtype)], dtype);
      await agrees('Mod', [x(dtype), y(dtype)], dtype, { fmod: 1 });
    }
    await agrees('Mod', [{ dtype: 'uint16', shape: [3], values: [65535, 10, 3] }, { dtype: 'uint16', shape: [1], values: [7] }], 'uint16');
    await agrees('Mod', [{ dtype: 'float32', shape: [2, 3], values: [-7.5, 7.5, -8, 5.25, -5, 1e6] }, y('float32')], 'float32', { fmod: 1 });
  });

  it('Max, Min, Sum and Mean of three inputs of three shapes (multidirectional broadcast)', async () => {
    const three = (dtype: DType, scale = 1): In[] => [
      { dtype, shape: [2, 1, 3], values: range(6, (i) => ((i * 37) % 11) * scale - 5) },
      { dtype, shape: [4, 1], values: range(4, (i) => ((i * 5) % 7) * scale - 3) },
      { dtype, shape: [3], values: [2 * scale, -4, 9] },
    ];
    for (const dtype of ['int64', 'int32', 'int8', 'float32', 'float64'] as DType[]) {
      await agrees('Max', three(dtype), dtype);
      await agrees('Min', three(dtype), dtype);
    }
    const u8 = three('uint8').map((t) => ({ ...t, values: t.values.map((v) => v + 5) }));
    await agrees('Max', u8, 'uint8');
    await agrees('Sum', three('float32', 0.25), 'float32');
    await agrees('Sum', three('float64', 0.25), 'float64');
    await agrees('Mean', three('float32', 0.25), 'float32'); // onnxruntime has no float64 Mean
  });

  it('PRelu broadcasts a per-channel slope [C,1,1] (float) and a scalar slope (int32, opset 16)', async () => {
    const x: In = { dtype: 'float32', shape: [2, 3, 2, 2], values: range(24, (i) => i - 12) };
    await agrees('PRelu', [x, { dtype: 'float32', shape: [3, 1, 1], values: [0.1, -2, 0] }], 'float32');
    await agrees('PRelu', [{ ...x, dtype: 'float64' }, { dtype: 'float64', shape: [2], values: [0.5, 3] }], 'float64');
    await agrees('PRelu', [{ ...x, dtype: 'int32' }, { dtype: 'int32', shape: [1], values: [3] }], 'int32', {}, 16);
    await agrees('PRelu', [{ ...x, dtype: 'int64' }, { dtype: 'int64', shape: [3, 1, 1], values: [2, -1, 0] }], 'int64', {}, 16);
  });
});

describe('logic ops on bool bytes other than 0 and 1', () => {
  it('any nonzero byte of a bool feed reads as true; the outputs are 0/1 (hand-computed)', async () => {
    const a: In = { dtype: 'bool', shape: [4], values: [2, 2, 0, 255] };
    const b: In = { dtype: 'bool', shape: [4], values: [1, 0, 0, 4] };
    const want: Record<string, number[]> = { And: [1, 0, 0, 1], Or: [1, 1, 0, 1], Xor: [0, 1, 0, 0] };
    for (const [op, expected] of Object.entries(want)) {
      const got = await runSpc(oneNodeModel(op, [a, b], 'bool'), [a, b]);
      assert.deepEqual(Array.from(got.data as Uint8Array), expected, op);
    }
    assert.deepEqual(Array.from((await runSpc(oneNodeModel('Not', [a], 'bool'), [a])).data as Uint8Array), [0, 0, 1, 0], 'Not');
  });
});

describe('elementwise ops: refusals', function () {
  this.timeout(60_000);

  const refusal = (bytes: Uint8Array): string => {
    try {
      compileBytes(bytes, { name: 'bad' });
    } catch (e) {
      assert.ok(e instanceof SpcError, `not an SpcError: ${(e as Error).stack}`);
      return e.message;
    }
    return assert.fail('compiled');
  };
  const f32 = (shape: number[]): In => ({ dtype: 'float32', shape, values: [] });
  const i32 = (shape: number[]): In => ({ dtype: 'int32', shape, values: [] });

  it('bad attributes, dtypes and shapes are SpcErrors naming the node', () => {
    assert.match(refusal(oneNodeModel('Mod', [i32([3]), i32([3])], 'int32', { fmod: 2 })), /node 'mod1' \(Mod\): attribute 'fmod' must be 0 or 1, got 2/);
    assert.match(refusal(oneNodeModel('Mod', [f32([3]), f32([3])], 'float32')), /node 'mod1' \(Mod\): fmod must be 1 for float32 inputs/);
    assert.match(refusal(oneNodeModel('PRelu', [f32([3]), f32([4, 3])], 'float32')), /node 'prelu1' \(PRelu\): slope shape \[4,3\] does not broadcast to X's shape \[3\]/);
    assert.match(refusal(oneNodeModel('Log', [i32([3])], 'int32')), /node 'log1' \(Log\): input dtype int32 is not supported \(expected float32, float64\)/);
    assert.match(refusal(oneNodeModel('And', [f32([3]), f32([3])], 'bool')), /node 'and1' \(And\): input dtype float32 is not supported \(expected bool\)/);
    assert.match(refusal(oneNodeModel('Greater', [i32([3]), f32([3])], 'bool')), /node 'greater1' \(Greater\): input 1 has dtype float32, input 0 has int32; they must match/);
    assert.match(refusal(oneNodeModel('Max', [f32([2, 3]), f32([4]), f32([3])], 'float32')), /node 'max1' \(Max\): cannot broadcast shapes/);
    assert.match(refusal(oneNodeModel('Sum', [], 'float32')), /node 'sum1' \(Sum\): missing required input 0/);
  });

  it('a tampered artifact (Mod fmod 7, a Max output of the wrong shape) is refused at load naming the node', async () => {
    const ins = [i32([2, 3]), i32([3])];
    const mod = compileBytes(oneNodeModel('Mod', ins, 'int32'), { name: 'mod' }).artifact;
    const badFmod = reencodeArtifact(mod, (a) => ({ ...a, nodes: a.nodes.map((n) => ({ ...n, attrs: { ...n.attrs, fmod: 7 } })) }));
    await assert.rejects(loadModel(badFmod), (e: Error) => e instanceof RunError && /^node 'mod1' \(kernel any-mod-1x1-ref\): attribute fmod must be 0 or 1, got 7$/.test(e.message));
    const max = compileBytes(oneNodeModel('Max', ins, 'int32'), { name: 'max' }).artifact;
    const y = (a: Parameters<Parameters<typeof reencodeArtifact>[1]>[0]): number => a.nodes[0]!.outputs[0]!;
    const badShape = reencodeArtifact(max, (a) => ({ ...a, tensors: a.tensors.map((t, i) => (i === y(a) ? { ...t, shape: [3, 2] } : t)) }));
    await assert.rejects(loadModel(badShape), (e: Error) => e instanceof RunError && /^node 'max1' \(kernel any-max-1x1-ref\): output has shape \[3,2\], expected \[2,3\]$/.test(e.message));
  });
});
