// A small hand-built artifact for the loader tests: every dtype, every tensor kind, weights of
// odd byte lengths (and an empty one), an omitted input, and every attribute kind.

import type { LoadedArtifact, LoadedTensor } from '../../../runtime/loader/model.js';
import { crc32 } from '../../../runtime/loader/crc32.js';
import { CRC_START, HEADER_FIELDS } from '../../../runtime/loader/format.js';

export function sampleArtifact(): LoadedArtifact {
  const tensors: LoadedTensor[] = [
    { name: 'x', dtype: 'float32', shape: [1, 3], kind: 'input', arenaOffset: 0 },
    { name: 'w', dtype: 'float32', shape: [3, 5], kind: 'weight', data: Float32Array.from({ length: 15 }, (_, i) => i * 0.5 - 3) },
    { name: 'b', dtype: 'int64', shape: [5], kind: 'weight', data: BigInt64Array.from([1n, -2n, 2n ** 62n, -(2n ** 63n), 0n]) },
    { name: 'idx', dtype: 'uint16', shape: [3], kind: 'weight', data: Uint16Array.from([1, 65535, 7]) },
    { name: 'mask', dtype: 'bool', shape: [7], kind: 'weight', data: Uint8Array.from([1, 0, 1, 1, 0, 0, 1]) },
    { name: 'h', dtype: 'float32', shape: [1, 5], kind: 'activation', arenaOffset: 64 },
    { name: 'empty', dtype: 'int8', shape: [0, 4], kind: 'weight', data: new Int8Array(0) },
    { name: 'y', dtype: 'float64', shape: [1, 5], kind: 'output', arenaOffset: 128 },
    { name: 'scale', dtype: 'float64', shape: [2], kind: 'weight', data: Float64Array.from([Math.PI, -0]) },
    { name: 'k', dtype: 'int32', shape: [], kind: 'weight', data: Int32Array.from([-123456]) },
    { name: 'q', dtype: 'int16', shape: [1, 1, 3], kind: 'weight', data: Int16Array.from([-32768, 0, 32767]) },
    { name: 'u', dtype: 'uint8', shape: [5], kind: 'weight', data: Uint8Array.from([0, 1, 2, 254, 255]) },
    { name: 's', dtype: 'int8', shape: [3], kind: 'weight', data: Int8Array.from([-128, 0, 127]) },
  ];
  return {
    formatVersion: 1,
    requiredFeatures: [],
    name: 'sample',
    tensors,
    nodes: [
      {
        name: 'gemm',
        op: 'Gemm',
        kernel: 'f32-gemm-1x1-ref',
        kernelReason: 'dense: only candidate',
        inputs: [0, 1, -1],
        outputs: [5],
        attrs: {
          alpha: 1.5, transB: 1, neg: -0, perm: [0, 2, 1], auto_pad: 'SAME_UPPER', modes: ['a', '', 'ü'], none: [],
          big: Number.MAX_VALUE, inf: -Infinity, nan: NaN,
        },
      },
      {
        name: 'cast',
        op: 'Cast',
        kernel: 'f64-cast-1x1-ref',
        kernelReason: '',
        inputs: [5, 2, 3, 4, 6, 8, 9, 10, 11, 12],
        outputs: [7],
        attrs: { to: 11 },
      },
    ],
    inputs: [0],
    outputs: [7],
    arenaBytes: 168,
    provenance: {
      spcVersion: '0.1.0',
      sourceSha256: 'ab'.repeat(32),
      options: [['input-shape:x', '1x3'], ['pattern', '2:4'], ['targets', 'ref,js']],
    },
  };
}

/** Recomputes the header checksum after a test has tampered with the bytes. */
export function fixChecksum(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(HEADER_FIELDS.crc, crc32(bytes, CRC_START), true);
  return bytes;
}

/** A copy of `a` with some fields replaced. */
export function withChanges(a: LoadedArtifact, changes: Partial<LoadedArtifact>): LoadedArtifact {
  return { ...a, ...changes };
}

/** A copy of `a` with tensor `i` replaced by `f(tensor)`. */
export function withTensor(a: LoadedArtifact, i: number, f: (t: LoadedTensor) => LoadedTensor): LoadedArtifact {
  return { ...a, tensors: a.tensors.map((t, k) => (k === i ? f(t) : t)) };
}
