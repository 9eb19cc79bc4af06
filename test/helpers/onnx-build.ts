// Small ONNX models written from node lists and typed literal tensors, for the tests that run the
// quantization ops and QDQ models through spc and onnxruntime side by side.

import onnxProto from 'onnx-proto';
import { ONNX_DTYPES } from '../../compiler/analysis/shapes.js';
import type { DType, TypedArray } from '../../runtime/tensor.js';
import { allocArray } from '../../runtime/tensor.js';
import { toFloat16Bits } from '../../runtime/float16.js';

const { onnx } = onnxProto;

/** ONNX TensorProto data type codes by dtype: the inverse of the frontend's table. */
const ONNX_TYPE = Object.fromEntries(Object.entries(ONNX_DTYPES).map(([code, dtype]) => [dtype, Number(code)])) as Readonly<Record<DType, number>>;

export interface T { readonly dtype: DType; readonly shape: readonly number[]; readonly values: readonly number[] }
export const t = (dtype: DType, shape: readonly number[], values: readonly number[]): T => ({ dtype, shape, values });
/** A float16 tensor of the binary16 values nearest to `values` (stored as bit patterns). */
export const f16 = (shape: readonly number[], values: readonly number[]): T => t('float16', shape, values.map(toFloat16Bits));

export function array(x: T): TypedArray {
  const a = allocArray(x.dtype, x.values.length);
  x.values.forEach((v, i) => { (a as unknown as (number | bigint)[])[i] = x.dtype === 'int64' ? BigInt(v) : v; });
  return a;
}

export type Attr = number | readonly number[];
export interface NodeSpec { readonly op: string; readonly name: string; readonly inputs: readonly string[]; readonly outputs: readonly string[]; readonly attrs?: Record<string, Attr> }

const vi = (name: string, dtype: DType, shape?: readonly number[]) => ({
  name, type: { tensorType: { elemType: ONNX_TYPE[dtype], ...(shape ? { shape: { dim: shape.map((d) => ({ dimValue: d })) } } : {}) } },
});

/** A model of `nodes` over graph inputs `inputs` (fed at run time: nothing folds) and initializers `inits`. */
export function model(nodes: readonly NodeSpec[], inputs: Record<string, T>, outputs: Record<string, DType>, inits: Record<string, T> = {}, opset = 21): Uint8Array {
  const attribute = (attrs: Record<string, Attr>) => Object.entries(attrs).map(([name, v]) => (typeof v === 'number'
    ? { name, type: onnx.AttributeProto.AttributeType.INT, i: v }
    : { name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...v] }));
  const proto = onnx.ModelProto.create({
    irVersion: 10,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'quant',
      input: Object.entries(inputs).map(([n, x]) => vi(n, x.dtype, x.shape)),
      output: Object.entries(outputs).map(([n, d]) => vi(n, d)),
      initializer: Object.entries(inits).map(([name, x]) => {
        const a = array(x);
        return { name, dataType: ONNX_TYPE[x.dtype], dims: [...x.shape], rawData: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) };
      }),
      node: nodes.map((n) => ({ name: n.name, opType: n.op, input: [...n.inputs], output: [...n.outputs], attribute: attribute(n.attrs ?? {}) })),
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** Deterministic pseudo-random values in [lo, hi]. */
export function values(n: number, lo: number, hi: number, seed: number, integer = true): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    return integer ? lo + Math.floor(u * (hi - lo + 1)) : lo + u * (hi - lo);
  });
}
