// float16, uint32 and uint64 through the tensor files spc reads and writes: .npy (descr '<f2',
// '<u4', '<u8', as numpy writes them) and ONNX TensorProto .pb (raw_data written; raw_data,
// int32_data for float16 bit patterns and uint64_data read).

import { strict as assert } from 'node:assert';
import onnxProto from 'onnx-proto';
import { formatNpy, parseNpy } from '../../../compiler/io/npy.js';
import { formatTensorProto, parseTensorProto } from '../../../compiler/io/tensor-proto.js';
import type { DType, TypedArray } from '../../../runtime/tensor.js';

const { onnx } = onnxProto;

const CASES: readonly [DType, string, TypedArray][] = [
  ['float16', '<f2', Uint16Array.from([0x3c00, 0xfc00, 0x0001])],
  ['uint32', '<u4', Uint32Array.from([0, 4294967295, 7])],
  ['uint64', '<u8', BigUint64Array.from([0n, 2n ** 64n - 1n, 2n ** 63n])],
];

/** A .npy file as numpy 1.x writes it (format 1.0, header padded to 64 bytes). */
function numpyFile(descr: string, shape: string, data: TypedArray): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

describe('float16, uint32, uint64 tensor files', () => {
  it('reads numpy-style .npy files and writes them back identically', () => {
    for (const [dtype, descr, data] of CASES) {
      const file = numpyFile(descr, '(3,)', data);
      const a = parseNpy(file, `${dtype}.npy`);
      assert.deepEqual([a.dtype, a.shape, Array.from(a.data as ArrayLike<unknown>)], [dtype, [3], Array.from(data as ArrayLike<unknown>)]);
      assert.deepEqual(formatNpy(a), file, dtype);
    }
  });

  it('writes .pb with raw_data and reads it back; reads float16 from int32_data and uint32/uint64 from uint64_data', () => {
    for (const [dtype, , data] of CASES) {
      const t = parseTensorProto(formatTensorProto({ dtype, shape: [3], data }, 'v'), 'mem');
      assert.deepEqual([t.dtype, t.shape, t.name, Array.from(t.data as ArrayLike<unknown>)], [dtype, [3], 'v', Array.from(data as ArrayLike<unknown>)]);
    }
    const typed = (fields: Record<string, unknown>): Uint8Array => onnx.TensorProto.encode(onnx.TensorProto.create({ dims: [3], ...fields })).finish();
    const half = parseTensorProto(typed({ dataType: 10, int32Data: [0x3c00, 0xfc00, 1] }), 'half.pb');
    assert.deepEqual([half.dtype, Array.from(half.data as Uint16Array)], ['float16', [0x3c00, 0xfc00, 1]]);
    const u32 = parseTensorProto(typed({ dataType: 12, uint64Data: [0, 4294967295, 7] }), 'u32.pb');
    assert.deepEqual([u32.dtype, Array.from(u32.data as Uint32Array)], ['uint32', [0, 4294967295, 7]]);
    const u64 = parseTensorProto(typed({ dataType: 13, uint64Data: ['0', '18446744073709551615', '9223372036854775808'] }), 'u64.pb');
    assert.deepEqual([u64.dtype, Array.from(u64.data as BigUint64Array)], ['uint64', [0n, 2n ** 64n - 1n, 2n ** 63n]]);
  });

  it('refuses a float16 .pb whose raw_data does not match its shape, naming the file', () => {
    const bad = onnx.TensorProto.encode(onnx.TensorProto.create({ dims: [3], dataType: 10, rawData: new Uint8Array(5) })).finish();
    assert.throws(() => parseTensorProto(bad, 'bad.pb'), /^SpcError: bad\.pb: raw_data has 5 bytes, shape \[3\] of float16 needs 6$/);
  });
});
