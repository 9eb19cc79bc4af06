// Stages a packed nm or bsr weight for the row-block kernels of asm/rowblock.as: output rows in
// groups of 4, each group with the union of its rows' kept columns.
//
//   scratch: wts[E][4] f32 | offs[E] u32 | cnt[G] u32      G = ⌈rows / 4⌉, E = Σ_g cnt[g]
//
//   group g = rows 4g..4g+3 (the last one zero-padded past `rows`); its entries, in column order:
//   every column some row of the group keeps with a nonzero weight, wts = the 4 rows' weights
//   there (0 where a row lacks it), offs = the byte offset of that column's X row (the caller's map).
//
// Exact (no added multiply-adds) for shared-rows N:M (the 4 rows keep the same columns) and for
// bsr with br % 4 == 0; any other nm/bsr weight stays correct, with up to 4× the entries.

import type { WasmEnv } from '../kernel.js';
import type { PackedWeight } from '../../sparse/packed.js';
import { Checker } from '../common/define.js';
import { rowEntries } from '../ref/weight-sparse.js';
import { f32Bytes } from './common.js';

/** Row groups of 4 with their union columns (prepare-time arrays, before staging). */
export interface RowBlocks {
  readonly groups: number;
  /** Kept columns per group. */
  readonly counts: Int32Array;
  /** Column of every entry, groups in order. */
  readonly cols: Int32Array;
  /** [entries][4] weights. */
  readonly weights: Float32Array;
}

const built = new WeakMap<PackedWeight, RowBlocks>();

/**
 * The row groups of a packed weight (cached per weight: scratchBytes and prepare both ask).
 * Fails through `c` on a malformed index structure; the caller checks the format and shape first.
 */
export function rowBlocks(c: Checker, p: PackedWeight): RowBlocks {
  const hit = built.get(p);
  if (hit) return hit;
  const { rowStart, col, val, values } = rowEntries(c, p);
  const { rows, cols } = p;
  const groups = Math.ceil(rows / 4);
  const counts = new Int32Array(groups);
  const acc = new Float32Array(cols * 4), stamp = new Int32Array(cols);
  const outCols: number[] = [], outW: number[] = [];
  const list: number[] = [];
  for (let g = 0; g < groups; g++) {
    list.length = 0;
    for (let r = 4 * g; r < Math.min(rows, 4 * g + 4); r++) {
      for (let e = rowStart[r]!; e < rowStart[r + 1]!; e++) {
        const k = col[e]!;
        if (k < 0 || k >= cols) continue; // unreachable for a checked weight
        if (stamp[k] !== g + 1) { stamp[k] = g + 1; acc.fill(0, 4 * k, 4 * k + 4); list.push(k); }
        acc[4 * k + (r - 4 * g)] = values[val[e]!]!;
      }
    }
    list.sort((a, b) => a - b);
    for (const k of list) {
      const w = acc.subarray(4 * k, 4 * k + 4);
      if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0) continue; // N:M padding, zero blocks
      outCols.push(k);
      outW.push(w[0]!, w[1]!, w[2]!, w[3]!);
      counts[g]!++;
    }
  }
  const rb = { groups, counts, cols: Int32Array.from(outCols), weights: Float32Array.from(outW) };
  built.set(p, rb);
  return rb;
}

const quiet = new Checker({ node: '', inputs: [], outputs: [], attrs: {} }, '');

/** Scratch bytes of the staged weight (0 when there is no packed weight or it is malformed: prepare then fails). */
export function rowBlockBytes(p: PackedWeight | undefined): number {
  if (p === undefined || (p.format !== 'nm' && p.format !== 'bsr')) return 0;
  let rb: RowBlocks;
  try {
    rb = rowBlocks(quiet, p);
  } catch {
    return 0;
  }
  const e = rb.cols.length;
  return f32Bytes(4 * e) + f32Bytes(e) + f32Bytes(rb.groups);
}

/**
 * Multiply-adds the row-block kernel does relative to the dense kernel on the same weight
 * (staged entries · 4 / (rows padded to 4 · cols)): ~n/m for shared-rows N:M, ~1 − s for bsr
 * 4×1 at sparsity s, near 1 for per-row 2:4 (the union of 4 random masks); a cost model input.
 */
export function rowBlockFill(c: Checker, p: PackedWeight): number {
  const rb = rowBlocks(c, p);
  return p.cols === 0 ? 0 : rb.cols.length / (rb.groups * p.cols);
}

/** Byte offsets of the staged arrays in wasm memory, as spmm4x8/convRowblock take them. */
export interface StagedRowBlocks { readonly wts: number; readonly offs: number; readonly cnt: number }

/** Copies the row groups into scratch, column k's X row at byte offset `offset(k)`. */
export function stageRowBlocks(env: WasmEnv, rb: RowBlocks, offset: (col: number) => number): StagedRowBlocks {
  const e = rb.cols.length;
  const wts = env.scratch(16 * e), offs = env.scratch(4 * e), cnt = env.scratch(4 * rb.groups);
  new Float32Array(env.memory.buffer, wts, 4 * e).set(rb.weights);
  const o = new Uint32Array(env.memory.buffer, offs, e);
  for (let i = 0; i < e; i++) o[i] = offset(rb.cols[i]!);
  new Uint32Array(env.memory.buffer, cnt, rb.groups).set(rb.counts);
  return { wts, offs, cnt };
}

export type Spmm4x8 = (wts: number, offs: number, cnt: number, x: number, y: number, b: number, n: number, k: number, p: number, lo: number, hi: number) => void;

/** dst[c][r] = src[r][c], rows × cols f32 (asm/rowblock.as transposeF32). */
export type TransposeF32 = (src: number, dst: number, rows: number, cols: number) => void;
