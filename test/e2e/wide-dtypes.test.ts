// float16, uint32 and uint64 through the whole of spc (compileBytes, writeArtifact, loadModel, run)
// against onnxruntime-node on small models: Cast to and from float16 around Add and Max (float16
// computed in float32 and rounded on store), initializers stored in raw_data, int32_data (float16
// bit patterns) and uint64_data, uint32/uint64 Max/Min/Mod/Add with wrap-around and values above
// 2^63. Then hostile files: byte counts that do not match, an unknown data type.

import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { compileBytes } from '../../compiler/compile.js';
import { SpcError } from '../../compiler/errors.js';
import { loadModel } from '../../runtime/index.js';
import { parseArtifact } from '../../runtime/loader/load.js';
import type { TypedArray } from '../../runtime/tensor.js';
import { toFloat16Bits } from '../../runtime/float16.js';

const { onnx } = onnxProto;
const INT = onnx.AttributeProto.AttributeType.INT;
const T = { float32: 1, float16: 10, uint32: 12, uint64: 13 } as const;
type Elem = keyof typeof T;

interface Feed { readonly dtype: Elem; readonly shape: readonly number[]; readonly data: TypedArray }

const vi = (name: string, dtype: Elem, shape?: readonly number[]) => ({
  name, type: { tensorType: { elemType: T[dtype], ...(shape ? { shape: { dim: shape.map((d) => ({ dimValue: d })) } } : {}) } },
});

function model(graph: Record<string, unknown>): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 19 }], graph: { name: 'g', ...graph } })).finish();
}

async function both(bytes: Uint8Array, feeds: Readonly<Record<string, Feed>>): Promise<[Record<string, TypedArray>, Record<string, TypedArray>]> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const want: Record<string, TypedArray> = {};
  try {
    const ins = Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, new ort.Tensor(f.dtype, f.data as Float32Array, [...f.shape])]));
    for (const [k, v] of Object.entries(await session.run(ins))) want[k] = v.data as TypedArray;
  } finally {
    await session.release();
  }
  const { artifact } = compileBytes(bytes, { name: 'wide' });
  const m = await loadModel(artifact);
  const out = await m.run(Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, { data: f.data, shape: f.shape }])));
  return [Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data])), want];
}

/** Same typed array class and identical elements (float16 compared as bit patterns: exactly). */
function same(got: TypedArray, want: TypedArray, what: string): void {
  assert.equal(got.constructor.name, want.constructor.name, `${what}: array type`);
  assert.deepEqual(Array.from(got as ArrayLike<number | bigint>), Array.from(want as ArrayLike<number | bigint>), what);
}

const h16 = (xs: readonly number[]): Uint16Array => Uint16Array.from(xs, toFloat16Bits);

describe('float16, uint32 and uint64 end to end against onnxruntime', () => {
  it('Cast float32 → float16, Add, Max with a float16 initializer, Add, Cast back: op by op', async () => {
    // One model per op, each stage fed the previous stage's output: onnxruntime runs a chain of
    // float16 ops it has no CPU kernel for in float32 (its InsertCastTransformer drops the casts
    // between them), while ONNX rounds every op's result to float16, as the node tests check.
    // x + y rounds on store (1 + 2^-11 ties to 1; 2048 + 1 ties to 2048; 60000 + 10000 overflows to Inf).
    const x = Float32Array.from([1, 2048, 60000, -3.3, 0.1, 1e-6]);
    const y = Float32Array.from([2 ** -11, 1, 10000, 1.7, 0.2, 1e-6]);
    const z = h16([0, 5, 0, -1, 0.25, 0]);
    const c = h16([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const cast = (to: Elem, from: Elem): Uint8Array => model({
      input: [vi('i', from, [6])], output: [vi('o', to)],
      node: [{ opType: 'Cast', input: ['i'], output: ['o'], attribute: [{ name: 'to', type: INT, i: T[to] }] }],
    });
    const add = (init?: Record<string, unknown>): Uint8Array => model({
      input: [vi('i', 'float16', [6]), ...(init ? [] : [vi('j', 'float16', [6])])], output: [vi('o', 'float16')],
      initializer: init ? [init] : [], node: [{ opType: 'Add', input: ['i', init ? 'd' : 'j'], output: ['o'] }],
    });
    // c: float16 bits in int32_data; d: float16 in raw_data.
    const max = model({
      input: [vi('i', 'float16', [6]), vi('z', 'float16', [6])], output: [vi('o', 'float16')],
      initializer: [{ name: 'c', dataType: 10, dims: [6], int32Data: Array.from(c) }],
      node: [{ opType: 'Max', input: ['i', 'z', 'c'], output: ['o'] }],
    });
    const f16 = (data: TypedArray): Feed => ({ dtype: 'float16', shape: [6], data });
    const stage = async (what: string, bytes: Uint8Array, feeds: Readonly<Record<string, Feed>>): Promise<TypedArray> => {
      const [got, want] = await both(bytes, feeds);
      same(got['o']!, want['o']!, what);
      return got['o']!;
    };
    const xh = await stage('Cast x to float16', cast('float16', 'float32'), { i: { dtype: 'float32', shape: [6], data: x } });
    const yh = await stage('Cast y to float16', cast('float16', 'float32'), { i: { dtype: 'float32', shape: [6], data: y } });
    const a = await stage('Add', add(), { i: f16(xh), j: f16(yh) });
    assert.deepEqual(Array.from((a as Uint16Array).subarray(0, 3)), [0x3c00, 0x6800, 0x7c00]);
    const m = await stage('Max', max, { i: f16(a), z: f16(z) });
    const s = await stage('Add a raw_data initializer', add({ name: 'd', dataType: 10, dims: [1], rawData: new Uint8Array(h16([-0.75]).buffer) }), { i: f16(m) });
    const t = await stage('Cast back to float32', cast('float32', 'float16'), { i: f16(s) });
    assert.equal(t[0], 0.25);
    assert.equal(t[2], Infinity);
    // The artifact names what an older runtime lacks.
    assert.deepEqual(parseArtifact(compileBytes(max, { name: 'wide' }).artifact).requiredFeatures, ['dtype-float16']);
  });

  it('uint32 Max, Min, Mod, Add (broadcast, wrap-around) and a uint64_data initializer', async () => {
    const a = Uint32Array.from([0, 1, 7, 4294967295, 2147483648, 100]);
    const b = Uint32Array.from([3, 4294967295]);
    const bytes = model({
      input: [vi('a', 'uint32', [3, 2]), vi('b', 'uint32', [2])],
      output: [vi('mx', 'uint32'), vi('mn', 'uint32'), vi('md', 'uint32'), vi('ad', 'uint32')],
      initializer: [{ name: 'k', dataType: 12, dims: [1], uint64Data: [4000000000] }],
      node: [
        { opType: 'Max', input: ['a', 'b', 'k'], output: ['mx'] },
        { opType: 'Min', input: ['a', 'b'], output: ['mn'] },
        { opType: 'Mod', input: ['a', 'b'], output: ['md'] },
        { opType: 'Add', input: ['a', 'b'], output: ['ad'] },
      ],
    });
    const [got, want] = await both(bytes, { a: { dtype: 'uint32', shape: [3, 2], data: a }, b: { dtype: 'uint32', shape: [2], data: b } });
    for (const k of ['mx', 'mn', 'md', 'ad']) same(got[k]!, want[k]!, k);
  });

  it('uint64 Max, Min, Mod, Add with values above 2^63', async () => {
    const a = BigUint64Array.from([0n, 1n, 2n ** 64n - 1n, 2n ** 63n + 5n, 12345678901234567n, 9n]);
    const b = BigUint64Array.from([2n ** 63n, 10n]);
    const bytes = model({
      input: [vi('a', 'uint64', [3, 2]), vi('b', 'uint64', [2])],
      output: [vi('mx', 'uint64'), vi('mn', 'uint64'), vi('md', 'uint64'), vi('ad', 'uint64')],
      node: [
        { opType: 'Max', input: ['a', 'b'], output: ['mx'] },
        { opType: 'Min', input: ['a', 'b'], output: ['mn'] },
        { opType: 'Mod', input: ['a', 'b'], output: ['md'] },
        { opType: 'Add', input: ['a', 'b'], output: ['ad'] },
      ],
    });
    const [got, want] = await both(bytes, { a: { dtype: 'uint64', shape: [3, 2], data: a }, b: { dtype: 'uint64', shape: [2], data: b } });
    for (const k of ['mx', 'mn', 'md', 'ad']) same(got[k]!, want[k]!, k);
  });

  it('float16-stored weights: Cast of a float16 initializer folds, MatMul runs in float32; float16 data movement copies bits', async () => {
    // As fp16 converters write weights-only models: W in float16, Cast to float32 before use.
    const w = h16(Array.from({ length: 12 }, (_, i) => (i - 5.5) / 3));
    const bytes = model({
      input: [vi('x', 'float32', [2, 4]), vi('h', 'float16', [2, 3])], output: [vi('y', 'float32'), vi('t', 'float16')],
      initializer: [{ name: 'w', dataType: 10, dims: [4, 3], rawData: new Uint8Array(w.buffer) }],
      node: [
        { opType: 'Cast', input: ['w'], output: ['wf'], attribute: [{ name: 'to', type: INT, i: 1 }] },
        { opType: 'MatMul', input: ['x', 'wf'], output: ['y'] },
        { opType: 'Transpose', input: ['h'], output: ['ht'], attribute: [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 0] }] },
        { opType: 'Concat', input: ['ht', 'ht'], output: ['t'], attribute: [{ name: 'axis', type: INT, i: 1 }] },
      ],
    });
    const x = Float32Array.from([1, -2, 0.5, 3, 0.25, 4, -1, 2]);
    const [got, want] = await both(bytes, { x: { dtype: 'float32', shape: [2, 4], data: x }, h: { dtype: 'float16', shape: [2, 3], data: h16([1, 2, 3, -4, 0.1, 65504]) } });
    same(got['t']!, want['t']!, 't');
    const g = got['y'] as Float32Array, e = want['y'] as Float32Array;
    for (let i = 0; i < e.length; i++) assert.ok(Math.abs(g[i]! - e[i]!) <= 1e-4 * Math.abs(e[i]!) + 1e-6, `y[${i}] ${g[i]} vs ${e[i]}`);
  });

  it('ConstantOfShape fills float16 and uint64 outputs with the value tensor\'s element', async () => {
    const bytes = model({
      input: [vi('n', 'uint64', [1])], output: [vi('h', 'float16'), vi('u', 'uint64'), vi('o', 'uint64')],
      initializer: [{ name: 's', dataType: 7, dims: [2], int64Data: [2, 3] }],
      node: [
        { opType: 'ConstantOfShape', input: ['s'], output: ['h'], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dataType: 10, dims: [1], int32Data: [toFloat16Bits(-1.5)] } }] },
        { opType: 'ConstantOfShape', input: ['s'], output: ['c'], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dataType: 13, dims: [1], uint64Data: [4096] } }] },
        { opType: 'Max', input: ['c', 'n'], output: ['u'] },
        { opType: 'Identity', input: ['n'], output: ['o'] },
      ],
    });
    const [got, want] = await both(bytes, { n: { dtype: 'uint64', shape: [1], data: BigUint64Array.from([2n ** 63n]) } });
    for (const k of ['h', 'u', 'o']) same(got[k]!, want[k]!, k);
    assert.equal((got['h'] as Uint16Array)[5], 0xbe00);
  });

  it('refuses a ScatterElements reduction on float16 data naming the dtype (its elements are bit patterns)', () => {
    const bytes = model({
      input: [vi('x', 'float16', [4]), vi('u', 'float16', [1])], output: [vi('y', 'float16')],
      initializer: [{ name: 'i', dataType: 7, dims: [1], int64Data: [2] }],
      node: [{ name: 'sc', opType: 'ScatterElements', input: ['x', 'i', 'u'], output: ['y'], attribute: [{ name: 'reduction', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode('add') }] }],
    });
    assert.throws(() => compileBytes(bytes, { name: 'wide' }), (e: Error) => e instanceof SpcError && /'sc'.*reduction 'add' is not supported on float16 data/.test(e.message));
  });

  it('a float16 input fed floats is refused saying how float16 is passed', async () => {
    const bytes = model({ input: [vi('h', 'float16', [2])], output: [vi('o', 'float16')], node: [{ opType: 'Identity', input: ['h'], output: ['o'] }] });
    const m = await loadModel(compileBytes(bytes, { name: 'wide' }).artifact);
    await assert.rejects(m.run({ h: new Float32Array(2) }), /^RunError: input 'h': expected float16 \(as Uint16Array bit patterns\) data of shape \[2\], got float32$/);
    const out = await m.run({ h: h16([1.5, -0]) });
    assert.deepEqual([out['o']!.dtype, Array.from(out['o']!.data as Uint16Array)], ['float16', [0x3e00, 0x8000]]);
  });

  it('refuses an op not extended to float16 with a message naming the dtype', () => {
    const bytes = model({
      input: [vi('x', 'float16', [4])], output: [vi('y', 'float16')],
      node: [{ name: 'sig', opType: 'Sigmoid', input: ['x'], output: ['y'] }],
    });
    assert.throws(() => compileBytes(bytes, { name: 'wide' }), (e: Error) => e instanceof SpcError && /Sigmoid on float16/.test(e.message));
  });
});

describe('hostile float16 / unknown-type initializers', () => {
  const withInit = (init: Record<string, unknown>): Uint8Array => model({
    input: [vi('x', 'float16', [3])], output: [vi('y', 'float16')], initializer: [init],
    node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
  });
  const refused = (bytes: Uint8Array, message: RegExp): void => {
    assert.throws(() => compileBytes(bytes, { name: 'wide' }), (e: Error) => {
      assert.ok(e instanceof SpcError, `${e.constructor.name}: ${e.message}`);
      assert.match(e.message, message);
      return true;
    });
  };

  it('refuses a float16 raw_data whose byte length does not match, naming the initializer', () => {
    refused(withInit({ name: 'w', dataType: 10, dims: [3], rawData: new Uint8Array(5) }),
      /initializer 'w': raw_data has 5 bytes, shape \[3\] of float16 needs 6$/);
  });

  it('refuses a float16 int32_data with the wrong count, naming the initializer', () => {
    refused(withInit({ name: 'w', dataType: 10, dims: [3], int32Data: [1, 2] }),
      /initializer 'w': int32_data has 2 values, shape \[3\] needs 3$/);
  });

  it('refuses an unknown data type, naming the initializer', () => {
    refused(withInit({ name: 'w', dataType: 99, dims: [3], rawData: new Uint8Array(6) }),
      /initializer 'w': unsupported element type 99$/);
  });
});
