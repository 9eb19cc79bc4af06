// A small hand-built artifact for the loader tests: every dtype, every tensor kind, weights of
// odd byte lengths (and an empty one), an omitted input, and every attribute kind.

import type { LoadedArtifact, LoadedTensor } from '../../../runtime/loader/model.js';
import { crc32 } from '../../../runtime/loader/crc32.js';
import { CRC_START, HEADER_FIELDS } from '../../../runtime/loader/format.js';
import { packBsr, packCsr, packNm } from '../../../compiler/sparse/pack/pack.js';

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
      layers: [
        { node: 'gemm', pattern: '2:4', requested: 0.5, achieved: Math.fround(0.4), paramsBefore: 15, paramsAfter: 9,
          criterion: 'magnitude', note: '' },
        { node: 'cast', pattern: 'dense', requested: 0, achieved: 0, paramsBefore: 0, paramsAfter: 0, criterion: '',
          note: 'kept dense: not a Conv — ü' },
      ],
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

/**
 * An artifact holding one weight in each packed format (csr with u16 and with i32 column
 * indices, 2:4 nm, 2×4 bsr) read by Gemm, MatMul and Conv, plus a dense weight. Rows with no
 * nonzeros and all-zero N:M groups included.
 */
export function packedSampleArtifact(): LoadedArtifact {
  // Gemm transB=1: w_csr [8, 16] → 8×16.
  const csrM = new Float32Array(8 * 16);
  for (let i = 0; i < csrM.length; i++) if ((i * 7) % 5 === 0 && Math.floor(i / 16) !== 3) csrM[i] = Math.fround((i % 13) - 6.5);
  const csr = packCsr(8, 16, csrM);
  // MatMul: w_nm [12, 16] (K=12, N=16) → 16×12, 2:4; row 5 all zero, group 1 of row 2 all zero.
  const nmM = new Float32Array(16 * 12);
  for (let r = 0; r < 16; r++) {
    for (let g = 0; g < 3; g++) {
      if (r === 5 || (r === 2 && g === 1)) continue;
      nmM[r * 12 + g * 4 + ((r + g) % 4)] = Math.fround(r - g * 0.25 + 1);
      if ((r + g) % 3 === 0) nmM[r * 12 + g * 4 + ((r + g + 2) % 4)] = -1.5;
    }
  }
  const nm = packNm(16, 12, nmM, 2, 4);
  // Conv: w_bsr [4, 2, 2, 2] → 4×8, blocks 2×4.
  const bsrM = Float32Array.from({ length: 32 }, (_, i) => (i < 8 || (i >= 20 && i < 24) ? i + 1 : 0));
  const bsr = packBsr(4, 8, bsrM, 2, 4);
  // i32 column indices (as a packer would use for cols > 65536), on a Gemm transB=0 weight [16, 4] → 4×16.
  const wideM = Float32Array.from({ length: 64 }, (_, i) => (i % 5 === 1 ? i / 4 : 0));
  const wideU16 = packCsr(4, 16, wideM);
  const wide = { ...wideU16, colIdx: Int32Array.from(wideU16.colIdx) };
  const empty = new Float32Array(0);
  const tensors: LoadedTensor[] = [
    { name: 'x', dtype: 'float32', shape: [1, 16], kind: 'input', arenaOffset: 0 },
    { name: 'w_csr', dtype: 'float32', shape: [8, 16], kind: 'weight', data: empty, packed: csr,
      descriptor: { pattern: 'unstructured', sparsity: Math.fround(0.75) } },
    { name: 'h', dtype: 'float32', shape: [1, 12], kind: 'activation', arenaOffset: 64 },
    { name: 'w_nm', dtype: 'float32', shape: [12, 16], kind: 'weight', data: empty, packed: nm,
      descriptor: { pattern: '2:4', sparsity: Math.fround(0.6) } },
    { name: 'w_bsr', dtype: 'float32', shape: [4, 2, 2, 2], kind: 'weight', data: empty, packed: bsr,
      descriptor: { pattern: 'block:2x4', sparsity: 0.5 } },
    { name: 'bias', dtype: 'float32', shape: [4], kind: 'weight', data: Float32Array.from([1, 2, 3, 4]) },
    { name: 'w_wide', dtype: 'float32', shape: [16, 4], kind: 'weight', data: empty, packed: wide,
      descriptor: { pattern: 'unstructured', sparsity: Math.fround(0.8) } },
    { name: 'y', dtype: 'float32', shape: [1, 16], kind: 'output', arenaOffset: 128 },
    { name: 'c', dtype: 'float32', shape: [1, 4, 1, 1], kind: 'activation', arenaOffset: 192 },
    { name: 'z', dtype: 'float32', shape: [1, 4], kind: 'output', arenaOffset: 256 },
  ];
  return {
    formatVersion: 2,
    requiredFeatures: ['sparse-csr', 'sparse-nm', 'sparse-bsr'],
    name: 'packed',
    tensors,
    nodes: [
      { name: 'fc', op: 'Gemm', kernel: 'f32-gemm-csr-ref', kernelReason: 'csr', inputs: [0, 1], outputs: [2], attrs: { transB: 1 } },
      { name: 'mm', op: 'MatMul', kernel: 'f32-matmul-nm-ref', kernelReason: 'nm', inputs: [2, 3], outputs: [7], attrs: {} },
      { name: 'conv', op: 'Conv', kernel: 'f32-conv-bsr-ref', kernelReason: 'bsr', inputs: [7, 4, 5], outputs: [8], attrs: { group: 1 } },
      { name: 'fc2', op: 'Gemm', kernel: 'f32-gemm-csr-ref', kernelReason: 'csr', inputs: [7, 6], outputs: [9], attrs: { transB: 0 } },
    ],
    inputs: [0],
    outputs: [7, 9],
    arenaBytes: 272,
    provenance: {
      spcVersion: '0.1.0', sourceSha256: 'cd'.repeat(32), options: [['pattern', 'mixed']],
      layers: [
        { node: 'fc', pattern: 'unstructured', requested: 0.75, achieved: 0.75, paramsBefore: 128, paramsAfter: 32, criterion: 'magnitude', note: '' },
        { node: 'mm', pattern: '2:4', requested: 0.5, achieved: Math.fround(0.6), paramsBefore: 192, paramsAfter: 77, criterion: 'magnitude', note: '' },
        { node: 'conv', pattern: 'block:2x4', requested: 0.5, achieved: 0.5, paramsBefore: 32, paramsAfter: 16, criterion: 'magnitude', note: '' },
        { node: 'fc2', pattern: 'dense', requested: 0, achieved: 0, paramsBefore: 64, paramsAfter: 64, criterion: '', note: 'kept dense: classifier' },
      ],
    },
  };
}
