// Shared by the sparse Conv/Gemm/MatMul kernels: reads the packed weight input, checks its
// structure on entry, and turns every format into per-row entry lists at prepare time.
//
//   W[rows][cols] (rows = output channels/features, cols = reduction)
//   entries of row r: e in [rowStart[r], rowStart[r+1]), weight = values[val[e]], column col[e]
//     csr: rowStart = rowPtr, col = colIdx, val[e] = e
//     nm:  row r, group g, slot s -> e = (r·G + g)·n + s, col = g·m + slot index (decoded once
//          from the bit stream here), val[e] = e; zero-padded slots stay (they add 0)
//     bsr: block b of block row R, (i, j) -> row R·br + i, col colIdx[b]·bc + j,
//          val = (b·br + i)·bc + j

import type { PackedWeight, SparseFormat } from '../../sparse/packed.js';
import { nmIndexBits, nmValidGroups, readNmGroup } from '../../sparse/packed.js';
import type { Checker } from '../common/define.js';

export const SPARSE_FORMATS: readonly SparseFormat[] = ['csr', 'nm', 'bsr'];

export interface RowEntries {
  readonly rowStart: Int32Array;
  readonly col: Int32Array;
  readonly val: Int32Array;
  readonly values: Float32Array;
}

/**
 * The packed weight at input `index`, checked to be `format` with `rows`×`cols` and a
 * consistent index structure (every index in range), so run() never reads out of bounds.
 */
export function packedInput(c: Checker, index: number, format: SparseFormat, rows: number, cols: number): PackedWeight {
  const v = c.ctx.inputs[index];
  if (v === undefined) c.fail(`input ${index} (the packed weight) is required`);
  if (v.dtype !== 'float32') c.fail(`input ${index} has dtype ${v.dtype}, expected float32`);
  const p = v.packed;
  if (p === undefined) c.fail(`input ${index} is a dense weight; this kernel reads a packed ${format} weight`);
  if (p.format !== format) c.fail(`input ${index} is packed as ${p.format}, this kernel reads ${format}`);
  if (p.rows !== rows || p.cols !== cols) c.fail(`packed weight is ${p.rows}x${p.cols}, expected ${rows}x${cols}`);
  const checkRowPtr = (rowPtr: Int32Array, n: number, count: number, what: string): void => {
    if (rowPtr.length !== n + 1 || rowPtr[0] !== 0 || rowPtr[n] !== count) c.fail(`${what}: rowPtr must have ${n + 1} entries from 0 to ${count}`);
    for (let r = 0; r < n; r++) if (rowPtr[r + 1]! < rowPtr[r]!) c.fail(`${what}: rowPtr decreases at row ${r}`);
  };
  switch (p.format) {
    case 'csr': {
      const nnz = p.values.length;
      if (p.colIdx.length !== nnz) c.fail(`csr: ${p.colIdx.length} column indices for ${nnz} values`);
      checkRowPtr(p.rowPtr, rows, nnz, 'csr');
      for (let e = 0; e < nnz; e++) if (p.colIdx[e]! >= cols) c.fail(`csr: column index ${p.colIdx[e]} >= ${cols} at entry ${e}`);
      break;
    }
    case 'nm': {
      if (!(p.n >= 1 && p.n <= p.m) || p.m < 1 || cols % p.m !== 0) c.fail(`nm: ${p.n}:${p.m} does not fit ${cols} columns`);
      const slots = rows * (cols / p.m) * p.n;
      if (p.values.length !== slots) c.fail(`nm: ${p.values.length} values, expected ${slots}`);
      if (p.indices.length * 8 < slots * nmIndexBits(p.m)) c.fail(`nm: index stream too short for ${slots} slots`);
      break;
    }
    case 'bsr': {
      if (p.br < 1 || p.bc < 1 || rows % p.br !== 0 || cols % p.bc !== 0) c.fail(`bsr: blocks ${p.br}x${p.bc} do not tile ${rows}x${cols}`);
      const nnzb = p.colIdx.length;
      if (p.values.length !== nnzb * p.br * p.bc) c.fail(`bsr: ${p.values.length} values for ${nnzb} blocks of ${p.br}x${p.bc}`);
      checkRowPtr(p.rowPtr, rows / p.br, nnzb, 'bsr');
      for (let e = 0; e < nnzb; e++) if (p.colIdx[e]! >= cols / p.bc) c.fail(`bsr: block column ${p.colIdx[e]} out of range at block ${e}`);
      break;
    }
  }
  return p;
}

/** Absolute column of every N:M slot, decoded once from the bit stream; fails on a bad stream. */
export function nmColumnTable(c: Checker, p: Extract<PackedWeight, { format: 'nm' }>): Int32Array {
  const groups = p.rows * (p.cols / p.m);
  const bits = nmIndexBits(p.m), mask = (1 << bits) - 1;
  const valid = nmValidGroups(p.n, p.m), width = p.n * bits;
  const table = new Int32Array(groups * p.n);
  for (let g = 0, base = 0; g < groups; g++, base = base + p.m === p.cols ? 0 : base + p.m) { // base: the group's first column
    const code = valid === undefined ? 0 : readNmGroup(p.indices, g, width);
    if (valid !== undefined && valid[code] === 1) { // one lookup per group
      for (let s = 0; s < p.n; s++) table[g * p.n + s] = base + ((code >> (s * bits)) & mask);
      continue;
    }
    let prev = -1;
    for (let s = 0; s < p.n; s++) {
      const k = g * p.n + s;
      let slot = 0;
      for (let b = 0; b < bits; b++) {
        const bit = k * bits + b;
        slot |= ((p.indices[bit >> 3]! >> (bit & 7)) & 1) << b;
      }
      if (slot >= p.m || slot <= prev) c.fail(`nm: slot index ${slot} in group ${g} is out of range or not increasing`);
      prev = slot;
      table[k] = base + slot;
    }
  }
  return table;
}

/** Per-row entry lists for any format (allocates; prepare-time only). */
export function rowEntries(c: Checker, p: PackedWeight): RowEntries {
  switch (p.format) {
    case 'csr': {
      const nnz = p.values.length;
      const val = new Int32Array(nnz);
      for (let e = 0; e < nnz; e++) val[e] = e;
      return { rowStart: p.rowPtr, col: Int32Array.from(p.colIdx), val, values: p.values };
    }
    case 'nm': {
      const per = (p.cols / p.m) * p.n;
      const rowStart = new Int32Array(p.rows + 1);
      for (let r = 0; r <= p.rows; r++) rowStart[r] = r * per;
      const val = new Int32Array(p.values.length);
      for (let e = 0; e < val.length; e++) val[e] = e;
      return { rowStart, col: nmColumnTable(c, p), val, values: p.values };
    }
    case 'bsr': {
      const { br, bc } = p;
      const rowStart = new Int32Array(p.rows + 1);
      const col = new Int32Array(p.values.length), val = new Int32Array(p.values.length);
      let e = 0;
      for (let r = 0; r < p.rows; r++) {
        const R = Math.floor(r / br), i = r % br;
        for (let b = p.rowPtr[R]!; b < p.rowPtr[R + 1]!; b++) {
          for (let j = 0; j < bc; j++, e++) { col[e] = p.colIdx[b]! * bc + j; val[e] = (b * br + i) * bc + j; }
        }
        rowStart[r + 1] = e;
      }
      return { rowStart, col, val, values: p.values };
    }
  }
}

/** `conv` + `csr` → `convcsr`: the op field of a sparse kernel id. */
export function sparseOpName(op: string, format: SparseFormat): string {
  return `${op}${format}`;
}
