// The synthetic layers `spc tune` times every kernel on: a few sizes per shape class, and the
// weights each format is timed with (dense; csr at several sparsities from magnitude masks; 2:4
// per row and shared by 4 rows; bsr 4×1 blocks), with their cost-model statistics.

import type { AttrValue } from '../../runtime/kernels/kernel.js';
import type { PackedWeight } from '../../runtime/sparse/packed.js';
import { fromWeightMatrix } from '../../runtime/sparse/layout.js';
import type { LayerStats, SparseWork } from '../analysis/cost.js';
import type { ShapeClass } from '../analysis/profile.js';
import { sparseWork } from '../analysis/cost.js';
import { maskBlock, maskNm, maskNmShared, maskUnstructured } from '../sparse/prune/masks.js';
import { packBsr, packCsr, packNm } from '../sparse/pack/pack.js';
import type { WeightFormat } from '../../runtime/sparse/packed.js';

export interface SyntheticLayer {
  /** e.g. 'pointwise 64×32 28×28'. */
  readonly name: string;
  readonly shapeClass: ShapeClass;
  readonly op: 'Conv' | 'Gemm' | 'MatMul';
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly bias?: readonly number[];
  readonly y: readonly number[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** The weight-matrix view (rows = outputs, cols = reduction) and the P of the cost model. */
  readonly rows: number;
  readonly cols: number;
  readonly P: number;
}

export interface WeightVariant {
  /** e.g. 'dense', 'csr 0.9', 'nm 2:4', 'nm 2:4 shared 4', 'bsr 4x1 0.75'. */
  readonly name: string;
  readonly format: WeightFormat;
  /** The weight in its own layout (zeros where pruned). */
  readonly dense: Float32Array;
  readonly packed?: PackedWeight;
  readonly sparse?: SparseWork;
}

function conv(shapeClass: ShapeClass, o: number, c: number, hw: number, k: number, stride: number, group = 1): SyntheticLayer {
  const pad = Math.floor(k / 2);
  const out = Math.floor((hw + 2 * pad - k) / stride) + 1;
  const name = group > 1 ? `${shapeClass} ${c}ch ${k}×${k}/${stride} ${hw}×${hw}` : `${shapeClass} ${o}×${c} ${k}×${k}/${stride} ${hw}×${hw}`;
  return {
    name, shapeClass, op: 'Conv', x: [1, c, hw, hw], w: [o, c / group, k, k], bias: [o], y: [1, o, out, out],
    attrs: { group, kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], dilations: [1, 1] },
    rows: o, cols: (c / group) * k * k, P: out * out,
  };
}

function gemm(m: number, k: number, n: number): SyntheticLayer {
  return { name: `gemm ${m}×${k}→${n}`, shapeClass: m === 1 ? 'gemv' : 'gemm', op: 'Gemm', x: [m, k], w: [n, k], bias: [n], y: [m, n], attrs: { transB: 1, alpha: 1, beta: 1, transA: 0 }, rows: n, cols: k, P: m };
}

function matmul(m: number, k: number, n: number): SyntheticLayer {
  return { name: `matmul ${m}×${k}→${n}`, shapeClass: m === 1 ? 'gemv' : 'matmul', op: 'MatMul', x: [m, k], w: [k, n], y: [m, n], attrs: {}, rows: n, cols: k, P: m };
}

/** Sizes per shape class, smallest first (quick mode takes the first two of each). */
export const SYNTHETIC_LAYERS: readonly SyntheticLayer[] = [
  conv('pointwise', 16, 16, 8, 1, 1), conv('pointwise', 64, 32, 28, 1, 1), conv('pointwise', 128, 128, 14, 1, 1), conv('pointwise', 320, 160, 7, 1, 1),
  conv('kxk', 16, 16, 8, 3, 1), conv('kxk', 32, 32, 28, 3, 1), conv('kxk', 64, 64, 14, 3, 1), conv('kxk', 32, 3, 112, 7, 2),
  conv('depthwise', 16, 16, 8, 3, 1, 16), conv('depthwise', 96, 96, 28, 3, 1, 96), conv('depthwise', 144, 144, 56, 3, 2, 144),
  gemm(16, 256, 256), gemm(32, 128, 512), gemm(64, 256, 256),
  matmul(16, 64, 64), matmul(64, 256, 256), matmul(128, 128, 512),
  gemm(1, 64, 64), gemm(1, 256, 256), gemm(1, 512, 1000), matmul(1, 128, 512), matmul(1, 256, 256),
];

export function tuneLayers(quick: boolean): SyntheticLayer[] {
  if (!quick) return [...SYNTHETIC_LAYERS];
  const seen = new Map<ShapeClass, number>();
  return SYNTHETIC_LAYERS.filter((l) => {
    const n = seen.get(l.shapeClass) ?? 0;
    seen.set(l.shapeClass, n + 1);
    return n < 2;
  });
}

/** Deterministic values in (−1, 1). */
export function randomData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; d[i] = s / 2 ** 31 - 1; }
  return d;
}

export const CSR_SPARSITIES: readonly number[] = [0.5, 0.75, 0.9, 0.95];
const QUICK_CSR_SPARSITIES: readonly number[] = [0.5, 0.9];
const BSR_SPARSITIES: readonly number[] = [0.5, 0.75, 0.9];

/** The weights a kernel of `format` is timed with on `layer` (those the layer's shape admits). */
export function weightVariants(layer: SyntheticLayer, format: WeightVariant['format'], quick: boolean): WeightVariant[] {
  const { rows, cols } = layer;
  const matrix = randomData(rows * cols, 11 + rows * 7 + cols);
  const op = layer.op, transB = op === 'Gemm';
  const own = (m: Float32Array): Float32Array => fromWeightMatrix(op, layer.w, transB, m);
  if (format === 'dense') return [{ name: 'dense', format, dense: own(matrix) }];
  const out: WeightVariant[] = [];
  const add = (name: string, m: Float32Array, pack: () => PackedWeight, layout: { n?: number; m?: number; br?: number; bc?: number } = {}): void => {
    out.push({ name, format, dense: own(m), packed: pack(), sparse: sparseWork(format, rows, cols, m, layout) });
  };
  if (format === 'csr') {
    for (const s of quick ? QUICK_CSR_SPARSITIES : CSR_SPARSITIES) {
      const m = maskUnstructured(matrix, Math.round(s * matrix.length));
      add(`csr ${s}`, m, () => packCsr(rows, cols, m));
    }
  } else if (format === 'nm') {
    if (cols % 4 !== 0) return out;
    const plain = maskNm(matrix, rows, cols, 2, 4);
    add('nm 2:4', plain, () => packNm(rows, cols, plain, 2, 4), { n: 2, m: 4 });
    if (rows % 4 === 0) {
      const shared = maskNmShared(matrix, rows, cols, 2, 4, 4);
      add('nm 2:4 shared 4', shared, () => packNm(rows, cols, shared, 2, 4), { n: 2, m: 4 });
    }
  } else {
    if (rows % 4 !== 0) return out;
    const blocks = (rows / 4) * cols;
    for (const s of quick ? [0.75] : BSR_SPARSITIES) {
      const m = maskBlock(matrix, rows, cols, 4, 1, Math.round(s * blocks));
      add(`bsr 4x1 ${s}`, m, () => packBsr(rows, cols, m, 4, 1), { br: 4, bc: 1 });
    }
  }
  return out;
}

/** The cost model's view of a synthetic layer with one weight variant. */
export function syntheticStats(layer: SyntheticLayer, v: WeightVariant): LayerStats {
  return { op: layer.op, shapeClass: layer.shapeClass, P: layer.P, K: layer.cols, N: layer.rows, sparse: v.sparse };
}
