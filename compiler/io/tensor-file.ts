// A tensor from a user-named file: .npy (recognized by its magic) or a serialized ONNX
// TensorProto (.pb, what the ONNX backend tests store). Errors name the file.

import { extname } from 'node:path';
import type { DType, TypedArray } from '../../runtime/tensor.js';
import { parseNpy } from './npy.js';
import { parseTensorProto } from './tensor-proto.js';
import { READ_CAPS, readBounded } from './read.js';

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface FileTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
  /** The TensorProto's name, when a .pb carries one. */
  readonly protoName?: string;
}

export function readTensorFile(path: string): FileTensor {
  const bytes = readBounded(path, READ_CAPS.tensorFile);
  if (NPY_MAGIC.every((b, i) => bytes[i] === b) || extname(path).toLowerCase() === '.npy') {
    const a = parseNpy(bytes, path); // a bad .npy header is named by parseNpy
    return { dtype: a.dtype, shape: a.shape, data: a.data };
  }
  const t = parseTensorProto(bytes, path);
  return { dtype: t.dtype, shape: t.shape, data: t.data, ...(t.name ? { protoName: t.name } : {}) };
}
