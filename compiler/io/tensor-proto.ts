// ONNX TensorProto files (.pb): what the ONNX backend tests store their inputs and outputs in.
// Reading goes through the frontend's decoder and decodeTensor (the same checks as an initializer); writing
// stores raw little-endian bytes with dims and data_type, and the tensor's name when given.

import onnxProto from 'onnx-proto';
import { decodeTensor } from '../frontend/import.js';
import { decodeTensorWire, WireError } from '../frontend/wire.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { Limits } from '../limits.js';
import { SpcError } from '../errors.js';
import type { DType, TypedArray } from '../../runtime/tensor.js';
import { ONNX_DTYPES } from '../analysis/shapes.js';

const { onnx } = onnxProto;

export interface ProtoTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
  /** The TensorProto's name field ('' when absent). */
  readonly name: string;
}

/** Decodes a serialized onnx.TensorProto; errors name `source`. */
export function parseTensorProto(bytes: Uint8Array, source: string, limits: Limits = DEFAULT_LIMITS): ProtoTensor {
  let t;
  try {
    t = decodeTensorWire(bytes, source, limits);
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    throw new SpcError(`${source}: not an ONNX TensorProto (${e.message})`);
  }
  const c = decodeTensor(t, source, '');
  return { dtype: c.dtype, shape: c.shape, data: c.data, name: t.name ?? '' };
}

const CODES: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(ONNX_DTYPES).map(([code, dt]) => [dt, Number(code)]));

/** Serializes a tensor as an onnx.TensorProto with raw_data (little-endian, as every supported engine is). */
export function formatTensorProto(t: { readonly dtype: DType; readonly shape: readonly number[]; readonly data: TypedArray }, name = ''): Uint8Array {
  const raw = new Uint8Array(t.data.byteLength);
  raw.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  const msg = onnx.TensorProto.create({ dims: [...t.shape], dataType: CODES[t.dtype], rawData: raw, ...(name ? { name } : {}) });
  return onnx.TensorProto.encode(msg).finish();
}
