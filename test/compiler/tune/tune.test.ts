// spc tune's parts: the fit recovers known costs and keeps both coefficients ≥ 0; one kernel
// is timed per family; the synthetic weights have the structure their names promise; a run
// on two js kernels yields one entry per kernel and shape class it supports; the per-element
// kernels get @elements entries whose work is elementWork's unit (fitted by fitElements), and ops without a template are noted.
// A gemv is timed on separate copies called in turn (its weight read from memory, as in a model run).

import { strict as assert } from 'node:assert';
import { fitCost, fitElements } from '../../../compiler/tune/fit.js';
import { elementKernels, pointsPerSize, runTune, tunedKernels } from '../../../compiler/tune/tune.js';
import { buildElementNode, elementForms, ELEMENT_TEMPLATES } from '../../../compiler/tune/element-nodes.js';
import type { Kernel } from '../../../runtime/kernels/kernel.js';
import { SYNTHETIC_LAYERS, weightVariants } from '../../../compiler/tune/layers.js';
import { ALL_KERNELS } from '../../../runtime/kernels/index.js';
import { wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import { INT8_NM_COLUMN_WORK, INT8_OUTPUT_WORK } from '../../../compiler/analysis/cost.js';
import { unpackWeight } from '../../../compiler/sparse/pack/pack.js';

describe('spc tune', function () {
  this.timeout(120_000);

  it('fitCost recovers nsPerCall + nsPerUnit·work from exact points, and clamps at zero', () => {
    const f = fitCost([100, 1000, 10_000].map((work) => ({ work, ns: 500 + 0.25 * work })));
    assert.ok(Math.abs(f.nsPerCall - 500) < 1e-6 && Math.abs(f.nsPerUnit - 0.25) < 1e-9, JSON.stringify(f));
    // Time falling with work would need a negative slope: the fit keeps nsPerUnit at 0.
    const g = fitCost([{ work: 10, ns: 200 }, { work: 1000, ns: 100 }]);
    assert.equal(g.nsPerUnit, 0);
    assert.ok(g.nsPerCall > 100 && g.nsPerCall < 200);
    // Through the origin: a negative intercept is clamped to 0.
    const h = fitCost([{ work: 100, ns: 10 }, { work: 200, ns: 30 }]);
    assert.equal(h.nsPerCall, 0);
    assert.ok(h.nsPerUnit > 0.1 && h.nsPerUnit < 0.15);
    assert.deepEqual(fitCost([{ work: 50, ns: 100 }]), { nsPerCall: 0, nsPerUnit: 2 });
  });

  it('one kernel per family is timed, its epilogue-free variant, on the allowed targets only', () => {
    const ks = tunedKernels(ALL_KERNELS, ['wasmsimd']);
    assert.ok(ks.length > 0);
    for (const k of ks) {
      assert.equal(k.target, 'wasmsimd');
      assert.equal(k.epilogue, '', k.id);
      assert.ok(['Conv', 'Gemm', 'MatMul'].includes(k.op));
    }
    assert.equal(new Set(ks.map((k) => k.id)).size, ks.length);
  });

  it('synthetic weights: csr at the stated sparsity, 2:4 per row, 2:4 shared by 4 rows (union half the columns), bsr whole 4×1 blocks', () => {
    const layer = SYNTHETIC_LAYERS.find((l) => l.shapeClass === 'pointwise' && l.rows === 64)!;
    const csr = weightVariants(layer, 'csr', false);
    assert.deepEqual(csr.map((v) => v.name), ['csr 0.5', 'csr 0.75', 'csr 0.9', 'csr 0.95']);
    for (const v of csr) assert.equal(v.sparse!.nnz, Math.round((1 - Number(v.name.split(' ')[1])) * layer.rows * layer.cols), v.name);
    const [plain, shared] = weightVariants(layer, 'nm', false);
    assert.equal(plain!.sparse!.nnz, layer.rows * layer.cols / 2);
    assert.equal(shared!.sparse!.union4, layer.rows * layer.cols / 2, 'shared rows: each 4-row group keeps the same half of the columns');
    assert.ok(plain!.sparse!.union4 > 0.8 * layer.rows * layer.cols, 'per-row 2:4: the union of 4 rows covers most columns');
    const m = unpackWeight(shared!.packed!);
    for (let r = 0; r < layer.rows; r += 4) for (let c = 0; c < layer.cols; c++) {
      const kept = [0, 1, 2, 3].map((d) => m[(r + d) * layer.cols + c] !== 0);
      assert.ok(kept.every((x) => x === kept[0]), `rows ${r}..${r + 3} col ${c}`);
    }
    for (const v of weightVariants(layer, 'bsr', false)) assert.equal(v.sparse!.stored, v.sparse!.nnz, `${v.name}: random values, whole blocks kept`);
  });

  it('a quick run over two js kernels gives one entry per kernel and shape class it runs, with non-negative costs', async () => {
    const kernels = ALL_KERNELS.filter((k) => k.id === 'f32-gemm-4x4-js' || k.id === 'f32-convcsr-8x1-js');
    const r = await runTune({ quick: true, targets: ['js'], kernels });
    assert.deepEqual(r.entries.map((e) => e.key), ['f32-convcsr-8x1-js@depthwise', 'f32-convcsr-8x1-js@kxk', 'f32-convcsr-8x1-js@pointwise', 'f32-gemm-4x4-js@gemm', 'f32-gemm-4x4-js@gemv', 'f32-gemm-4x4-js@gemv-cached']
      .filter((k) => r.measurements.some((m) => m.key === k)));
    assert.ok(r.entries.some((e) => e.key === 'f32-gemm-4x4-js@gemm'));
    assert.ok(r.entries.some((e) => e.key === 'f32-convcsr-8x1-js@pointwise'));
    for (const e of r.entries) {
      assert.ok(e.nsPerCall >= 0 && e.nsPerUnit >= 0 && e.points >= 1, JSON.stringify(e));
      assert.equal(e.points, r.measurements.filter((m) => m.key === e.key).length);
    }
  });

  it('a gemv is timed cold (separate copies with own weight arrays filling 64 MiB of dense weight, at most 64, called in turn) and hot (one more copy, @gemv-cached); other layers once', async () => {
    const gemm = ALL_KERNELS.find((k) => k.id === 'f32-gemm-4x4-js')!;
    const prepared = new Map<string, number>(), calls = new Map<string, Set<number>>(), weights = new Map<string, Set<unknown>>();
    const spy: Kernel = {
      ...gemm,
      prepare(ctx) {
        const copy = prepared.get(ctx.node) ?? 0;
        prepared.set(ctx.node, copy + 1);
        weights.set(ctx.node, (weights.get(ctx.node) ?? new Set()).add(ctx.inputs[1]!.data));
        const run = gemm.prepare(ctx);
        return () => { calls.set(ctx.node, (calls.get(ctx.node) ?? new Set()).add(copy)); run(); };
      },
    };
    const r = await runTune({ quick: true, targets: ['js'], kernels: [spy] });
    // quick gemv layers: 1×64→64 (16 KiB: 4096 copies would fill 64 MiB, capped at 64), 1×256→256 (256 KiB: 256, capped); + 1 hot
    assert.equal(prepared.get('tune gemm 1×64→64'), 64 + 1);
    assert.equal(prepared.get('tune gemm 1×256→256'), 64 + 1);
    assert.equal(calls.get('tune gemm 1×64→64')?.size, 64 + 1, 'every copy is called');
    assert.equal(weights.get('tune gemm 1×64→64')?.size, 64, 'every cold copy reads its own weight array (the hot one reads the first)');
    assert.deepEqual(r.measurements.filter((m) => m.layer === 'gemm 1×64→64').map((m) => m.key), ['f32-gemm-4x4-js@gemv', 'f32-gemm-4x4-js@gemv-cached']);
    assert.equal(prepared.get('tune gemm 16×256→256'), 1, 'a gemm with 16 rows is timed hot, once');
  });

  it('per-element kernels: a quick run gives one @elements entry per templated kernel, work in elementWork units, untemplated ops and failures noted', async () => {
    const pick = (id: string): Kernel => ALL_KERNELS.find((k) => k.id === id)!;
    const relu = pick('f32-relu-1x1-js');
    // A kernel of an op no template covers, and one that throws something other than a KernelError.
    const unknown: Kernel = { ...relu, op: 'NoSuchOp', id: 'f32-nosuchop-1x1-js' };
    const broken: Kernel = { ...pick('f32-relu-1x1-ref'), prepare: () => { throw new Error('boom'); } };
    const kernels = [relu, pick('f32-add-bcast-js'), pick('any-transpose-1x1-js'), pick('f32-maxpool-1x1-js'), unknown, broken];
    const r = await runTune({ quick: true, targets: ['js', 'ref'], kernels });
    assert.deepEqual(r.entries.map((e) => e.key), ['any-transpose-1x1-js@elements', 'f32-add-bcast-js@elements', 'f32-maxpool-1x1-js@elements', 'f32-relu-1x1-js@elements']);
    for (const e of r.entries) {
      assert.ok(e.nsPerCall >= 0 && e.nsPerUnit >= 0, JSON.stringify(e));
      assert.equal(e.points, r.measurements.filter((m) => m.key === e.key).length);
    }
    // Work as cost.ts elementWork counts it, by hand: elements read + written, times the window for pooling.
    const work = (key: string, layer: string): number | undefined => r.measurements.find((m) => m.key === key && m.layer === layer)?.work;
    assert.equal(work('f32-relu-1x1-js@elements', 'Relu x 1×4×4×4'), 2 * 64);
    assert.equal(work('f32-relu-1x1-js@elements', 'Relu x 1×16×8×8'), 2 * 1024);
    assert.equal(work('f32-add-bcast-js@elements', 'Add per channel 1×16×8×8'), 1024 + 16 + 1024);
    assert.equal(work('f32-add-bcast-js@elements', 'Add scalar 1×16×8×8'), 1024 + 1 + 1024);
    assert.equal(work('f32-add-bcast-js@elements', 'Add last-axis bias first 1×16×8×8'), 8 + 1024 + 1024);
    assert.equal(work('f32-maxpool-1x1-js@elements', 'MaxPool 3×3/1 1×16×8×8'), 1024 + 1024 * 9);
    assert.equal(work('f32-maxpool-1x1-js@elements', 'MaxPool 2×2/2 1×16×8×8'), 1024 + 256 * 4);
    assert.equal(work('any-transpose-1x1-js@elements', 'Transpose NCHW→NHWC 1×16×8×8'), 2 * 1024);
    assert.ok(r.notes.some((n) => /no synthetic node for NoSuchOp: .*priors/.test(n)), r.notes.join('\n'));
    assert.ok(r.notes.some((n) => n.startsWith('f32-relu-1x1-ref failed on Relu x 1×4×4×4: boom')), r.notes.join('\n'));
    assert.ok(r.notes.some((n) => /no synthetic node that f32-relu-1x1-ref takes/.test(n)), r.notes.join('\n'));
  });

  it('int8 convs: the group-1 kernel is timed on pointwise and 3×3 forms, the grouped one on depthwise, work in multiply-adds and outputs, weights constant (packed once)', async function () {
    if (!wasmSimdAvailable()) this.skip();
    const pick = (id: string): Kernel => ALL_KERNELS.find((k) => k.id === id)!;
    // The group-1 kernel, spied: which inputs its contexts mark constant.
    const conv = pick('i8-qlinearconv-4x8-wasmsimd');
    const marked: (readonly boolean[] | undefined)[] = [];
    const spy: Kernel = { ...conv, prepare: (ctx) => { marked.push(ctx.constants); return conv.prepare(ctx); } };
    const r = await runTune({ quick: true, targets: ['wasmsimd'], kernels: [spy, pick('i8-qlinearconv-1x8-wasmsimd')] });
    assert.deepEqual(r.entries.map((e) => e.key), ['i8-qlinearconv-1x8-wasmsimd@elements', 'i8-qlinearconv-4x8-wasmsimd@elements']);
    const layers = (key: string) => r.measurements.filter((m) => m.key === key).map((m) => m.layer);
    assert.deepEqual(layers('i8-qlinearconv-4x8-wasmsimd@elements'), ['QLinearConv pointwise c→4c 1×16×8×8', 'QLinearConv pointwise 4c→c 1×64×8×8', 'QLinearConv 3×3 c→c 16×16×3×3',
      'QLinearConv pointwise c→4c 1×32×24×24', 'QLinearConv pointwise 4c→c 1×128×24×24', 'QLinearConv 3×3 c→c 1×32×24×24']);
    assert.ok(layers('i8-qlinearconv-1x8-wasmsimd@elements').every((l) => l.startsWith('QLinearConv depthwise')));
    // By hand: 16 → 64 channels over 8×8 (64·64 outputs, 16 each); 3×3 32 → 32 pads 1 over 24×24 (32·576 outputs, 288 each); each output INT8_OUTPUT_WORK more.
    const work = (layer: string): number | undefined => r.measurements.find((m) => m.layer === layer)?.work;
    const e = INT8_OUTPUT_WORK;
    assert.equal(work('QLinearConv pointwise c→4c 1×16×8×8'), 64 * 64 * (16 + e));
    assert.equal(work('QLinearConv 3×3 c→c 1×32×24×24'), 32 * 576 * (288 + e));
    assert.equal(work('QLinearConv depthwise 3×3/2 1×32×24×24'), 32 * 144 * (9 + e));
    assert.ok(marked.length > 0 && marked.every((c) => c !== undefined && c[3] === true && c[0] === false), JSON.stringify(marked));
  });

  it('the N:M int8 conv is timed on the group-1 forms with their weight pruned 2:4 by magnitude and packed, work its kept multiply-adds, outputs and activation rows', async function () {
    if (!wasmSimdAvailable()) this.skip();
    const nm = ALL_KERNELS.find((k) => k.id === 'i8-qlinearconvnm-16x1-wasmsimd')!;
    const seen: { kept: number; total: number; groups: boolean }[] = [];
    const spy: Kernel = { ...nm, prepare: (ctx) => {
      const p = ctx.inputs[3]!.packed!;
      assert.equal(p.format, 'nm');
      const dense = unpackWeight(p);
      let groups = true;
      for (let i = 0; i < dense.length; i += 4) groups &&= [0, 1, 2, 3].filter((j) => dense[i + j] !== 0).length <= 2;
      seen.push({ kept: dense.filter((v) => v !== 0).length, total: dense.length, groups });
      return nm.prepare(ctx);
    } };
    const r = await runTune({ quick: true, targets: ['wasmsimd'], kernels: [spy] });
    assert.deepEqual(r.entries.map((e) => e.key), ['i8-qlinearconvnm-16x1-wasmsimd@elements']);
    assert.deepEqual(r.measurements.map((m) => m.layer), ['QLinearConv pointwise c→4c 1×16×8×8 2:4', 'QLinearConv pointwise 4c→c 1×64×8×8 2:4', 'QLinearConv 3×3 c→c 16×16×3×3 2:4',
      'QLinearConv pointwise c→4c 1×32×24×24 2:4', 'QLinearConv pointwise 4c→c 1×128×24×24 2:4', 'QLinearConv 3×3 c→c 1×32×24×24 2:4']);
    assert.ok(seen.length > 0 && seen.every((w) => w.groups && w.kept <= w.total / 2), JSON.stringify(seen));
    // By hand: 3×3 32 → 32 pads 1 over 24×24: 32·576 outputs of 144 kept products, + 576 pixels · 288 columns of rows.
    const work = r.measurements.find((m) => m.layer === 'QLinearConv 3×3 c→c 1×32×24×24 2:4')?.work;
    assert.equal(work, 32 * 576 * (144 + INT8_OUTPUT_WORK) + 576 * 288 * INT8_NM_COLUMN_WORK);
  });

  it('fitCost on absolute error lets the largest sizes set the rate (per-element ops leaving the cache), relative error the smallest', () => {
    // 0.76, 2.48 and 2.40 ns per unit at 2 Ki, 37 Ki and 295 Ki units (a ref kernel measured fresh).
    const pts = [{ work: 2048, ns: 1556 }, { work: 36864, ns: 91423 }, { work: 294912, ns: 707789 }];
    const rel = fitCost(pts), abs = fitCost(pts, 'absolute');
    // Relative, through the origin: Σ(1/r)/Σ(1/r²) over the rates r = 1.03 (hand-computed).
    assert.ok(Math.abs(rel.nsPerUnit - 1.03) < 0.01 && rel.nsPerCall === 0, JSON.stringify(rel));
    assert.ok(abs.nsPerUnit > 2.35 && abs.nsPerUnit < 2.45, JSON.stringify(abs));
    const exact = fitCost([100, 1000, 10_000].map((work) => ({ work, ns: 500 + 0.25 * work })), 'absolute');
    assert.ok(Math.abs(exact.nsPerCall - 500) < 1e-6 && Math.abs(exact.nsPerUnit - 0.25) < 1e-9, JSON.stringify(exact));
  });

  it('fitElements: the line through the smallest node\'s point fitting the larger ones on absolute error', () => {
    // A kernel costing 50 ns a call and 0.25 ns a unit, exactly: recovered.
    const exact = fitElements([128, 2048, 36864, 294912].map((work) => ({ work, ns: 50 + 0.25 * work })));
    assert.ok(Math.abs(exact.nsPerCall - 50) < 1e-6 && Math.abs(exact.nsPerUnit - 0.25) < 1e-12, JSON.stringify(exact));
    // Relu as tune measured it (128 → 9 ns, 2 Ki → 137, 36 Ki → 2306, 288 Ki → 17844): a free
    // absolute-error intercept is 29 ns, three times the 9 ns the smallest node takes in all.
    const relu = [{ work: 128, ns: 9 }, { work: 2048, ns: 137 }, { work: 36864, ns: 2306 }, { work: 294912, ns: 17844 }];
    // By hand: slope Σ(x−128)(y−9)/Σ(x−128)² over the three larger points, intercept 9 − 128·slope (≥ 0).
    const dx = relu.slice(1).map((p) => p.work - 128), dy = relu.slice(1).map((p) => p.ns - 9);
    const slope = dx.reduce((s, x, i) => s + x * dy[i]!, 0) / dx.reduce((s, x) => s + x * x, 0);
    const f = fitElements(relu);
    assert.ok(Math.abs(f.nsPerUnit - slope) < 1e-12 && Math.abs(slope - 0.0605) < 0.0005, JSON.stringify(f));
    assert.ok(Math.abs(f.nsPerCall - Math.max(0, 9 - 128 * slope)) < 1e-9, JSON.stringify(f));
    assert.ok(fitCost(relu, 'absolute').nsPerCall > 3 * 9, 'the free intercept it replaces');
    // Points in any order; a slope below zero is clamped (the call's cost is then the smallest node's).
    assert.deepEqual(fitElements([{ work: 1000, ns: 100 }, { work: 10, ns: 200 }]), { nsPerCall: 200, nsPerUnit: 0 });
    // One point: the absolute fit's answer (all of it per unit).
    assert.deepEqual(fitElements([{ work: 50, ns: 100 }]), { nsPerCall: 0, nsPerUnit: 2 });
  });

  it('forms of one size are fitted as their mean: the fastest form does not set the rate', () => {
    const pts = pointsPerSize([{ size: 0, work: 100, ns: 100 }, { size: 0, work: 300, ns: 1000 }, { size: 1, work: 1000, ns: 2000 }]);
    assert.deepEqual(pts, [{ work: 200, ns: 550 }, { work: 1000, ns: 2000 }]);
  });

  it('every template of an op the registry has builds at every size, with positive elementWork', () => {
    const ops = [...new Set(elementKernels(ALL_KERNELS, ['wasmsimd', 'js', 'ref']).map((k) => k.op))].filter((op) => ELEMENT_TEMPLATES[op]);
    assert.ok(ops.length > 60, `${ops.length} templated ops`);
    for (const op of ops) {
      for (const { form } of elementForms(op, false)) {
        const n = buildElementNode(op, form);
        assert.ok(n.work > 0, n.name);
      }
    }
  });
});
