// The cost model's layer statistics and work counts on tiny hand-built graphs, against values
// computed by hand from the weight matrices written out below.

import { strict as assert } from 'node:assert';
import type { Graph, Sparsity } from '../../../compiler/ir/graph.js';
import { withGraph } from '../../../compiler/ir/graph.js';
import { CACHED_MODEL_BYTES, ELEMENT_PRIORS, elementWork, INT8_NM_COLUMN_WORK, INT8_OUTPUT_WORK, estimate, estimateElements, isRowBlock, kernelElementWork, kernelFamily, kernelWork, layerStats, profileKey, PRIOR_FACTORS, PRIORS, ROW_BLOCK } from '../../../compiler/analysis/cost.js';
import { ALL_KERNELS } from '../../../runtime/kernels/index.js';
import { makeProfile } from '../../../compiler/analysis/profile.js';
import type { Kernel } from '../../../runtime/kernels/kernel.js';
import { kernelId } from '../../../runtime/kernels/kernel.js';
import { build, f32, i64, int, ints, randomF32 } from '../passes/build.js';

/** Marks the constant `name` as pruned with `s` (the zeros are already in its data). */
function pruned(g: Graph, name: string, s: Partial<Sparsity> & Pick<Sparsity, 'kind'>): Graph {
  const v = g.values.get(name)!;
  const sparsity: Sparsity = { pattern: s.kind, requested: 0.5, achieved: 0.5, ...s };
  return withGraph(g, { values: [...g.values.values()].map((x) => (x === v ? { ...v, sparsity } : x)) });
}

// The pointwise weight [8, 4, 1, 1] as its matrix (rows = O, cols = Cin); 1 marks a nonzero.
//   rows 0–3: {0,1} {0,1} {2,3} {0}   → union {0,1,2,3} = 4 columns → 16 slots
//   rows 4–7: {1}   {1}   {}    {1,3} → union {1,3}     = 2 columns →  8 slots
// nnz = 11, union4 = 24; as 2:4 the format stores 8 rows · 1 group · 2 = 16 slots.
const MASK = [
  [1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 0, 0],
  [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 1, 0, 1],
];

/** The Gemm weight 'w' marked unstructured-pruned (its random data has no zeros: nnz is all 32). */
const pruned2 = (g: Graph): Graph => pruned(g, 'w', { kind: 'unstructured' });

function pointwise(kind: Sparsity['kind']): Graph {
  const w = f32([8, 4, 1, 1], MASK.flat().map((b, i) => b * (1 + (i % 3))));
  const g = build({
    inputs: { x: ['float32', [1, 4, 2, 3]] },
    consts: { w, b: randomF32([8], 2) },
    nodes: [['Conv', ['x', 'w', 'b'], ['y'], { kernel_shape: ints([1, 1]) }]],
    outputs: ['y'],
  });
  return pruned(g, 'w', kind === 'nm' ? { kind, n: 2, m: 4 } : kind === 'block' ? { kind, br: 4, bc: 1 } : { kind });
}

/** A stand-in f32 Conv kernel from its declared fields (row-block: the nm/bsr 4-row tile). */
const kernel = (format: Kernel['format'], tile: string, target: Kernel['target'], epilogue: Kernel['epilogue'] = '', rowBlock?: number): Kernel => {
  const fields = { dtype: 'f32', op: 'Conv', target, epilogue, format, tile, ...(rowBlock ? { rowBlock } : {}) } as const;
  return { ...fields, id: kernelId(fields), dtypes: ['float32'], prepare: () => () => {} };
};

describe('cost model', () => {
  it('pointwise conv: P, K, N, nonzeros, stored slots and 4-row-union work as counted by hand', () => {
    const g = pointwise('nm');
    const s = layerStats(g, g.nodes[0]!)!;
    assert.deepEqual({ cls: s.shapeClass, P: s.P, K: s.K, N: s.N }, { cls: 'pointwise', P: 6, K: 4, N: 8 });
    assert.deepEqual(s.sparse, { format: 'nm', nnz: 11, stored: 16, union4: 24 });
    assert.equal(kernelWork(kernel('dense', '4x8', 'wasmsimd'), s), 8 * 4 * 6);
    assert.equal(kernelWork(kernel('nm', '4x8', 'wasmsimd', '', 4), s), 24 * 6, 'row-block tile: union work');
    assert.equal(kernelWork(kernel('nm', '8x1', 'js'), s), 16 * 6, 'other nm kernels: stored slots');
    assert.equal(kernelWork(kernel('csr', '24x1', 'wasmsimd'), s), undefined, 'a csr kernel cannot read a 2:4 weight');
  });

  it('csr work is nnz·P; bsr 4×1 stores whole blocks', () => {
    const u = pointwise('unstructured');
    assert.equal(kernelWork(kernel('csr', '24x1', 'wasmsimd'), layerStats(u, u.nodes[0]!)!), 11 * 6);
    const b = pointwise('block');
    const s = layerStats(b, b.nodes[0]!)!;
    // 4×1 blocks with a nonzero: rows 0–3 cols {0,1,2,3} = 4, rows 4–7 cols {1,3} = 2 → 6 blocks · 4.
    assert.equal(s.sparse!.stored, 24);
    assert.equal(kernelWork(kernel('bsr', '8x1', 'js'), s), 24 * 6);
  });

  it('shape classes and sizes: k×k, strided 1×1, depthwise, Gemm (transB), batched MatMul, and one-row Gemm/MatMul as gemv (cached in a model this small)', () => {
    const g = build({
      inputs: { x: ['float32', [2, 4, 6, 6]], a: ['float32', [3, 5]], m: ['float32', [2, 3, 5]], v: ['float32', [1, 5]] },
      consts: { w3: randomF32([8, 4, 3, 3], 1), w1: randomF32([8, 4, 1, 1], 2), dw: randomF32([4, 1, 3, 3], 3), gb: randomF32([7, 5], 4), mb: randomF32([5, 7], 5) },
      nodes: [
        ['Conv', ['x', 'w3'], ['y3'], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) }],
        ['Conv', ['x', 'w1'], ['y1'], { kernel_shape: ints([1, 1]), strides: ints([2, 2]) }],
        ['Conv', ['x', 'dw'], ['yd'], { kernel_shape: ints([3, 3]), group: int(4) }],
        ['Gemm', ['a', 'gb'], ['yg'], { transB: int(1) }],
        ['MatMul', ['m', 'mb'], ['ym']],
        ['Gemm', ['v', 'gb'], ['vg'], { transB: int(1) }],
        ['MatMul', ['v', 'mb'], ['vm']],
      ],
      outputs: ['y3', 'y1', 'yd', 'yg', 'ym', 'vg', 'vm'],
    });
    const stats = g.nodes.map((n) => { const s = layerStats(g, n)!; return [s.shapeClass, s.P, s.K, s.N]; });
    assert.deepEqual(stats, [
      ['kxk', 2 * 36, 36, 8],
      ['kxk', 2 * 9, 4, 8],
      ['depthwise', 2 * 16, 9, 4],
      ['gemm', 3, 5, 7],
      ['matmul', 6, 5, 7],
      ['gemv-cached', 1, 5, 7],
      ['gemv-cached', 1, 5, 7],
    ]);
  });

  it('a one-row Gemm is gemv-cached up to CACHED_MODEL_BYTES of model constants, gemv beyond; a cached gemv without its own entry is priced from the gemv one', () => {
    // A classifier 4→8 beside a constant filling the rest of the budget: bytes = 4·(32 + 8 + filler).
    const head = (filler: number): Graph => build({
      inputs: { v: ['float32', [1, 4]] },
      consts: { w: randomF32([8, 4], 1), b: randomF32([8], 2), big: randomF32([filler], 3) },
      nodes: [['Gemm', ['v', 'w', 'b'], ['y'], { transB: int(1) }], ['ReduceSum', ['big'], ['s'], {}]],
      outputs: ['y', 's'],
    });
    const atLimit = CACHED_MODEL_BYTES / 4 - 40;
    const cls = (g: Graph): string => layerStats(g, g.nodes[0]!)!.shapeClass;
    assert.equal(cls(head(atLimit)), 'gemv-cached');
    assert.equal(cls(head(atLimit + 1)), 'gemv');
    const g = head(16);
    const s = layerStats(g, g.nodes[0]!)!;
    const gemm = { ...kernel('dense', '4x8', 'wasmsimd'), op: 'Gemm' } as Kernel;
    const cold = { key: 'f32-gemm-4x8-wasmsimd@gemv', nsPerCall: 10, nsPerUnit: 2, points: 3 };
    const hot = { key: 'f32-gemm-4x8-wasmsimd@gemv-cached', nsPerCall: 5, nsPerUnit: 0.5, points: 3 };
    assert.deepEqual([estimate(gemm, s, makeProfile([cold]))!.ns, estimate(gemm, s, makeProfile([cold]))!.from], [10 + 2 * 32, 'profile']);
    assert.equal(estimate(gemm, s, makeProfile([cold, hot]))!.ns, 5 + 0.5 * 32);
    // no entry for the kernel: the prior is relative to the measured dense gemv (cached first, then cold)
    const csr = { ...kernel('csr', '24x1', 'wasmsimd'), op: 'Gemm' } as Kernel;
    const pruned = layerStats(pruned2(g), g.nodes[0]!)!;
    assert.equal(estimate(csr, pruned, makeProfile([cold]))!.ns, 10 + 2 * PRIOR_FACTORS.csr * pruned.sparse!.nnz);
    assert.equal(estimate(csr, pruned, makeProfile([cold, hot]))!.ns, 5 + 0.5 * PRIOR_FACTORS.csr * pruned.sparse!.nnz);
  });

  it('profile keys drop the epilogue; only nm/bsr 4x8 tiles are row-block kernels', () => {
    assert.equal(kernelFamily(kernel('dense', '4x8', 'wasmsimd', 'relu')), 'f32-conv-4x8-wasmsimd');
    assert.equal(profileKey(kernel('csr', '24x1', 'wasmsimd', 'clip'), 'pointwise'), 'f32-convcsr-24x1-wasmsimd@pointwise');
    assert.ok(isRowBlock(kernel('bsr', '4x8', 'wasmsimd', 'relu', 4)));
    assert.ok(!isRowBlock(kernel('csr', '4x8', 'wasmsimd')));
    assert.ok(!isRowBlock(kernel('nm', '8x1', 'js')));
    for (const k of ALL_KERNELS.filter((x) => x.rowBlock !== undefined)) assert.equal(k.rowBlock, ROW_BLOCK, `${k.id}: union work is counted for ROW_BLOCK rows`);
    assert.deepEqual(ALL_KERNELS.filter(isRowBlock).map((k) => k.id).sort(), ALL_KERNELS.filter((k) => k.target === 'wasmsimd' && (k.format === 'nm' || k.format === 'bsr') && k.tile === '4x8').map((k) => k.id).sort(), 'the row-block kernels are the wasmsimd nm/bsr 4x8 ones');
    assert.ok(!isRowBlock(kernel('nm', '24x1', 'wasmsimd')), 'the standard N:M kernel (convnm 24x1) is priced by its stored slots');
  });

  it('estimates come from the profile entry, else from a prior relative to the measured dense kernel, else from the absolute prior', () => {
    const g = pointwise('nm');
    const s = layerStats(g, g.nodes[0]!)!;
    const k = kernel('dense', '4x8', 'wasmsimd');
    const p = makeProfile([
      { key: 'f32-conv-4x8-wasmsimd@pointwise', nsPerCall: 100, nsPerUnit: 2, points: 3 },
      { key: 'f32-conv-4x8-wasmsimd@kxk', nsPerCall: 7, nsPerUnit: 0.5, points: 3 },
      { key: 'f32-conv-4x1-js@pointwise', nsPerCall: 9, nsPerUnit: 0.1, points: 3 },
    ]);
    assert.deepEqual([estimate(k, s, p)!.ns, estimate(k, s, p)!.from], [100 + 2 * 192, 'profile']);
    // The reference is the wasmsimd dense conv on the same shape class (not kxk, not js).
    const nm = kernel('nm', '4x8', 'wasmsimd', '', 4);
    assert.deepEqual([estimate(nm, s, p)!.ns, estimate(nm, s, p)!.from], [100 + 2 * PRIOR_FACTORS.rowBlock * 144, 'prior']);
    const newDense = kernel('dense', '8x8', 'wasmsimd');
    assert.equal(estimate(newDense, s, p)!.ns, 100 + 2 * PRIOR_FACTORS.dense * 192);
    const abs = PRIORS.wasmsimd.nm;
    assert.equal(estimate(nm, s, makeProfile([]))!.ns, abs.nsPerCall + abs.nsPerUnit * 144);
  });
});

describe('cost: nodes priced per element (elementWork)', () => {
  const one = (op: string, inputs: Record<string, ['float32', number[]]>, consts: Record<string, ReturnType<typeof f32>>, ins: string[], attrs: Record<string, ReturnType<typeof int>> = {}): number | undefined => {
    const g = build({ inputs, consts, nodes: [[op, ins, ['y'], attrs]], outputs: ['y'] });
    return elementWork(g, g.nodes[0]!);
  };

  it('counts elements read and written, with taps, windows and multiply-adds where an op has them (by hand)', () => {
    // Add [1,8,4,4] + [1,8,1,1]: reads 128 + 8, writes 128.
    assert.equal(one('Add', { x: ['float32', [1, 8, 4, 4]] }, { b: randomF32([1, 8, 1, 1], 1) }, ['x', 'b']), 128 + 8 + 128);
    // MaxPool 3×3 stride 1 on [1,2,5,5] → [1,2,3,3]: reads 50, each of 18 outputs reads a 9-window.
    assert.equal(one('MaxPool', { x: ['float32', [1, 2, 5, 5]] }, {}, ['x'], { kernel_shape: ints([3, 3]) }), 50 + 18 * 9);
    // ConvTranspose x [1,2,3,3], w [2,3,2,2]: each of 18 input elements scatters through 3·2·2 weights.
    // LSTM X [5,1,3], W [1,16,3], R [1,16,4] (hidden 4, 4 gates): 5 steps · 16 rows · (3 + 4).
    assert.equal(one('LSTM', { x: ['float32', [5, 1, 3]] }, { w: randomF32([1, 16, 3], 3), r: randomF32([1, 16, 4], 4) }, ['x', 'w', 'r'], { hidden_size: int(4) }), 5 * 16 * 7);
    assert.equal(one('ConvTranspose', { x: ['float32', [1, 2, 3, 3]] }, { w: randomF32([2, 3, 2, 2], 2) }, ['x', 'w']), 18 * 3 * 4);
  });

  it('QLinearConv and QLinearMatMul count their multiply-adds and outputs (INT8_OUTPUT_WORK each), not the elements they touch (by hand)', () => {
    const i8 = (shape: number[]) => ({ dtype: 'int8' as const, shape, data: new Int8Array(shape.reduce((a, d) => a * d, 1)) });
    const u8 = (shape: number[]) => ({ dtype: 'uint8' as const, shape, data: new Uint8Array(shape.reduce((a, d) => a * d, 1)) });
    const params = { xs: f32([], [0.1]), xz: u8([]), ws: f32([], [0.1]), wz: i8([]), ys: f32([], [0.1]), yz: u8([]) };
    const qconv = (w: number[], attrs: Record<string, ReturnType<typeof int>>): number | undefined => {
      const g = build({ inputs: { x: ['uint8', [1, 8, 6, 6]] }, consts: { ...params, w: i8(w) }, nodes: [['QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'], ['y'], attrs]], outputs: ['y'] });
      return elementWork(g, g.nodes[0]!);
    };
    // 1×1, 8 → 5 channels over 6×6: 5·36 outputs, 8 each; 3×3 pads 1, 8 → 4: 4·36 outputs, 8·9 each.
    const e = INT8_OUTPUT_WORK;
    assert.equal(qconv([5, 8, 1, 1], {}), 5 * 36 * (8 + e));
    assert.equal(qconv([4, 8, 3, 3], { pads: ints([1, 1, 1, 1]) }), 4 * 36 * (72 + e));
    // depthwise 3×3 stride 2, pads 1: 8·3·3 outputs, 9 each.
    assert.equal(qconv([8, 1, 3, 3], { group: int(8), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }), 8 * 9 * (9 + e));
    // QLinearMatMul [2, 5, 12] × [12, 7]: 70 outputs, 12 each.
    const mm = build({ inputs: { a: ['uint8', [2, 5, 12]] }, consts: { ...params, b: i8([12, 7]) }, nodes: [['QLinearMatMul', ['a', 'xs', 'xz', 'b', 'ws', 'wz', 'ys', 'yz'], ['y'], {}]], outputs: ['y'] });
    assert.equal(elementWork(mm, mm.nodes[0]!), 70 * (12 + e));
  });

  it('the N:M int8 conv counts its kept multiply-adds, the outputs, and INT8_NM_COLUMN_WORK per pixel and column; a dense kernel the node\'s elementWork (by hand)', () => {
    const i8 = (shape: number[]) => ({ dtype: 'int8' as const, shape, data: new Int8Array(shape.reduce((a, d) => a * d, 1)) });
    const u8 = (shape: number[]) => ({ dtype: 'uint8' as const, shape, data: new Uint8Array(shape.reduce((a, d) => a * d, 1)) });
    const g = build({ inputs: { x: ['uint8', [1, 8, 6, 6]] }, consts: { xs: f32([], [0.1]), xz: u8([]), w: i8([4, 8, 3, 3]), ws: f32([], [0.1]), wz: i8([]), ys: f32([], [0.1]), yz: u8([]) },
      nodes: [['QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'], ['y'], { pads: ints([1, 1, 1, 1]) }]], outputs: ['y'] });
    const n = g.nodes[0]!, nm = ALL_KERNELS.find((k) => k.id === 'i8-qlinearconvnm-16x1-wasmsimd')!, dense = ALL_KERNELS.find((k) => k.id === 'i8-qlinearconv-4x8-wasmsimd')!;
    const packed = { format: 'nm', n: 2, m: 4 };
    // 4·36 outputs, 72 columns of which 36 kept, + 36 pixels · 72 columns of activation rows
    assert.equal(kernelElementWork(nm, g, n, packed), 4 * 36 * (36 + INT8_OUTPUT_WORK) + 36 * 72 * INT8_NM_COLUMN_WORK);
    assert.equal(kernelElementWork(dense, g, n, packed), elementWork(g, n));
    assert.equal(kernelElementWork(nm, g, n, undefined), elementWork(g, n), 'no packing recorded: the node\'s work');
  });

  it('Gather and Slice read as many data elements as they write, not their whole input', () => {
    // An embedding table [1000, 16] gathered at 3 indices: reads 3 indices + 48 elements, writes 48.
    const gather = build({
      inputs: { ids: ['int64', [3]] },
      consts: { table: randomF32([1000, 16], 1) },
      nodes: [['Gather', ['table', 'ids'], ['y'], {}]],
      outputs: ['y'],
    });
    assert.equal(elementWork(gather, gather.nodes[0]!), 3 + 48 + 48);
    // Slice [1, 8, 6] → [1, 8, 2] on the last axis: starts/ends/axes 1 element each, 16 read, 16 written.
    const slice = build({
      inputs: { x: ['float32', [1, 8, 6]] },
      consts: { st: i64([2]), en: i64([4]), ax: i64([2]) },
      nodes: [['Slice', ['x', 'st', 'en', 'ax'], ['y'], {}]],
      outputs: ['y'],
    });
    assert.equal(elementWork(slice, slice.nodes[0]!), 3 + 16 + 16);
  });

  it('Resize: linear reads 2 taps per resized axis, nearest one', () => {
    const resize = (mode: string): number | undefined => {
      const g = build({
        inputs: { x: ['float32', [1, 1, 2, 2]] },
        consts: { roi: f32([0], []), scales: f32([4], [1, 1, 2, 2]) },
        nodes: [['Resize', ['x', 'roi', 'scales'], ['y'], { mode: { kind: 'string', value: mode } }]],
        outputs: ['y'],
      });
      return elementWork(g, g.nodes[0]!);
    };
    // Reads 4 + 0 (an empty roi) + 4 (scales); 16 outputs × 4 taps (two axes resized) or × 1.
    assert.equal(resize('linear'), 8 + 16 * 4);
    assert.equal(resize('nearest'), 8 + 16);
  });

  it('a prior prices a kernel the profile has not measured; a profile entry replaces it', () => {
    const relu = ALL_KERNELS.find((k) => k.op === 'Relu' && k.target === 'js')!;
    assert.deepEqual(estimateElements(relu, 1000, makeProfile([])), { kernel: relu, ns: ELEMENT_PRIORS.js.nsPerCall + ELEMENT_PRIORS.js.nsPerUnit * 1000, from: 'prior' });
    const key = profileKey(relu, 'elements');
    assert.deepEqual(estimateElements(relu, 1000, makeProfile([{ key, nsPerCall: 50, nsPerUnit: 0.5, points: 3 }])), { kernel: relu, ns: 550, from: 'profile' });
  });

  it('an untimed family is priced as the op\'s cheapest timed family on its target (a prior), before ELEMENT_PRIORS', () => {
    const group1 = ALL_KERNELS.find((k) => k.id === 'i8-qlinearconv-4x8-wasmsimd')!;
    // The grouped 1x8 family timed, two figures for 1000 units: 100 + 1.5·1000 = 1600; the ref family on another target does not count.
    const timed = makeProfile([
      { key: 'i8-qlinearconv-1x8-wasmsimd@elements', nsPerCall: 100, nsPerUnit: 1.5, points: 6 },
      { key: 'any-qlinearconv-1x1-ref@elements', nsPerCall: 0, nsPerUnit: 0.1, points: 6 },
      { key: 'i8-convinteger-1x8-wasmsimd@elements', nsPerCall: 0, nsPerUnit: 0.1, points: 6 },
    ]);
    assert.deepEqual(estimateElements(group1, 1000, timed), { kernel: group1, ns: 1600, from: 'prior' });
    // Two timed siblings (a bcast tile among them): the cheaper at this work, 2000 + 0.2·1000 = 2200 < 100 + 3·1000.
    const add = ALL_KERNELS.find((k) => k.id === 'f32-add-1x4-wasmsimd')!;
    const two = makeProfile([
      { key: 'f32-add-bcast-wasmsimd@elements', nsPerCall: 2000, nsPerUnit: 0.2, points: 12 },
      { key: 'f32-add-8x8-wasmsimd@elements', nsPerCall: 100, nsPerUnit: 3, points: 12 },
    ]);
    assert.deepEqual(estimateElements(add, 1000, two), { kernel: add, ns: 2200, from: 'prior' });
    // None on its target: the target's prior.
    assert.deepEqual(estimateElements(group1, 1000, makeProfile([{ key: 'any-qlinearconv-1x1-ref@elements', nsPerCall: 0, nsPerUnit: 0.1, points: 6 }])),
      { kernel: group1, ns: ELEMENT_PRIORS.wasmsimd.nsPerCall + ELEMENT_PRIORS.wasmsimd.nsPerUnit * 1000, from: 'prior' });
  });
});
