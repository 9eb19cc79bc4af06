// The prune pass: default skips with their reasons on mobilenet_v2_w050 (the classifier's by sparsity), config force/skip,
// logging through the context, Gemm/MatMul weight views, and leaving its input untouched.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { Graph } from '../../../compiler/ir/graph.js';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { canonicalizePipeline } from '../../../compiler/passes/pipelines.js';
import { prune, pruneGraph, pruneResultOf, pruneSettings } from '../../../compiler/passes/prune.js';
import { parseConfig } from '../../../compiler/sparse/settings/config.js';
import { MODELS_DIR } from '../../helpers/corpus.js';
import { build, int, randomF32 } from './build.js';
import { checkNm, checkUnstructured, matrixView } from '../sparse/checker.js';
import { passSettings } from '../../../compiler/options/settings.js';

let mobilenet: Graph | undefined;
const mbv2 = (): Graph => (mobilenet ??= runPipeline(loadOnnx(join(MODELS_DIR, 'mobilenet_v2_w050.onnx')).graph, canonicalizePipeline, makePassContext()));

const STEM = '/features/features.0/features.0.0/Conv';
const DEPTHWISE = '/features/features.1/conv/conv.0/conv.0.0/Conv';
const SMALL = '/features/features.1/conv/conv.1/Conv';
const MISALIGNED = '/features/features.2/conv/conv.0/conv.0.0/Conv'; // 48 × 8: 8 columns
const CLASSIFIER = '/classifier/classifier.1/Gemm';

describe('passes/prune', function () {
  this.timeout(60000);

  it('mobilenet_v2_w050 at 2:4: stem, depthwise and small layers stay dense, each with its reason, logged and reported; the classifier is pruned', () => {
    const g = mbv2();
    const ctx = makePassContext(passSettings({ pattern: '2:4' }));
    const out = prune.run(g, ctx);
    const rows = pruneResultOf(ctx)!;
    const reason = (node: string): string => {
      const r = rows.find((x) => x.node === node)!;
      assert.ok(r.skipped, `${node} should be skipped`);
      return r.reason!;
    };
    assert.match(reason(STEM), /stem conv/);
    assert.match(reason(DEPTHWISE), /depthwise conv \(group=16\)/);
    assert.match(reason(SMALL), /fewer than minParams=4096/);
    for (const n of [STEM, DEPTHWISE, SMALL]) assert.ok(ctx.notes.some((x) => x.pass === 'prune' && x.node === n), `${n} not logged`);
    // The 1280→1000 classifier holds 66% of the weights: pruned at 50% (docs/accuracy.md, "Which layers are pruned by default").
    const classifier = rows.find((x) => x.node === CLASSIFIER)!;
    assert.deepEqual([classifier.skipped, classifier.pattern, classifier.achieved], [false, '2:4', 0.5]);
    // What stays dense: 17 depthwise convs, 13 small ones and the stem, exactly.
    const skipped = rows.filter((r) => r.skipped);
    assert.equal(skipped.filter((r) => /^depthwise conv/.test(r.reason!)).length, 17);
    assert.equal(skipped.filter((r) => /fewer than minParams=4096$/.test(r.reason!)).length, 13);
    assert.deepEqual(skipped.filter((r) => /stem conv/.test(r.reason!)).map((r) => r.node), [STEM]);
    assert.equal(skipped.length, 31);
    const pruned = rows.filter((r) => !r.skipped);
    assert.equal(pruned.length, 22);
    for (const r of pruned) assert.equal(r.achieved, 0.5);
    // Every Conv/Gemm/MatMul is either pruned or has a reason.
    assert.equal(rows.length, out.nodes.filter((n) => ['Conv', 'Gemm', 'MatMul'].includes(n.op)).length);
    // The pass records the rows pruneGraph returns, and its graph agrees with them: pruned rows annotated, skipped ones not.
    assert.deepEqual(rows, pruneGraph(g, pruneSettings(passSettings({ pattern: '2:4' }))!).report);
    for (const r of rows) {
      const v = out.values.get(r.weight);
      assert.equal(v?.sparsity?.pattern, r.skipped ? undefined : r.pattern, r.node);
      if (!r.skipped) assert.equal(r.nonzeros, v!.constant!.data.length - (v!.constant!.data as Float32Array).filter((x) => x === 0).length, r.node);
    }
  });

  it('mobilenet_v2_w050: the classifier stays dense above 50% sparsity (1:4, 75%), with the sparsity in its reason, and is pruned at 50%', () => {
    const reasonAt = (opts: Parameters<typeof passSettings>[0]): string | undefined =>
      pruneGraph(mbv2(), pruneSettings(passSettings(opts))!).report.find((x) => x.node === CLASSIFIER)!.reason;
    const dense = /^classifier \(final layer before output 'output'\) at 75\.0% sparsity; default keeps it dense above 50\.0%$/;
    assert.match(reasonAt({ pattern: '1:4' })!, dense);
    assert.match(reasonAt({ pattern: 'unstructured', sparsity: 0.75 })!, dense);
    assert.equal(reasonAt({ pattern: 'unstructured', sparsity: 0.5 }), undefined);
    // A config sparsity is the one that counts, and force still prunes it above 50%.
    const cfg = (rule: object) => parseConfig(JSON.stringify({ layers: [{ match: CLASSIFIER, ...rule }] }), 'spc.json');
    assert.equal(reasonAt({ pattern: 'unstructured', sparsity: 0.75, config: cfg({ sparsity: 0.5 }) }), undefined);
    assert.match(reasonAt({ pattern: 'unstructured', sparsity: 0.5, config: cfg({ sparsity: 0.6 }) })!, /at 60\.0% sparsity/);
    assert.equal(reasonAt({ pattern: '1:4', config: cfg({ force: true }) }), undefined);
    // And skip keeps it dense at 2:4.
    assert.match(reasonAt({ pattern: '2:4', config: cfg({ skip: true }) })!, /the config asks to skip it/);
  });

  it('mobilenet_v2_w050 at 0.5 global and erk: the classifier is pruned at 0.5 exactly, the others share the rest of the target', () => {
    for (const allocation of ['global', 'erk'] as const) {
      const { report } = pruneGraph(mbv2(), pruneSettings(passSettings({ pattern: 'unstructured', sparsity: 0.5, allocation }))!);
      const c = report.find((x) => x.node === CLASSIFIER)!;
      // Spread by the allocation, global gave it 69.5% (its weights are the smallest), past the 50% its skip rule allows.
      assert.deepEqual([c.skipped, c.requested, c.achieved], [false, 0.5, 0.5], allocation);
      const pruned = report.filter((r) => !r.skipped);
      const params = pruned.reduce((t, r) => t + r.params, 0), zeros = pruned.reduce((t, r) => t + r.params - r.nonzeros, 0);
      assert.ok(Math.abs(zeros - 0.5 * params) <= pruned.length, `${allocation}: ${zeros} zeros of ${params}`);
      assert.ok(pruned.some((r) => r.node !== CLASSIFIER && r.achieved !== 0.5), `${allocation} spreads the other layers`);
    }
  });

  it('mobilenet_v2_w050: a reduction that is not a multiple of M is skipped, even when forced', () => {
    const config = parseConfig(JSON.stringify({ layers: [{ match: '*', force: true }] }), 'spc.json');
    const { report } = pruneGraph(mbv2(), pruneSettings(passSettings({ pattern: '1:16', minParams: 0, config }))!);
    const r = report.find((x) => x.node === MISALIGNED)!;
    assert.ok(r.skipped);
    assert.match(r.reason!, /reduction size 8 is not a multiple of M=16/);
    // Forced: stem (27 columns) is misaligned too; the classifier (1280 columns) is pruned.
    assert.ok(!report.find((x) => x.node === CLASSIFIER)!.skipped);
    assert.match(report.find((x) => x.node === STEM)!.reason!, /not a multiple of M=16/);
  });

  it('config: force prunes the stem and the classifier, skip keeps a layer dense, later entries win', () => {
    const config = parseConfig(JSON.stringify({ layers: [
      { match: '/features/features.0/*', force: true, pattern: 'unstructured', sparsity: 0.3 },
      { op: 'Gemm', force: true, pattern: '4:8' },
      { match: '/features/features.18/*', skip: true },
      { match: '/features/features.17/conv/conv.2/Conv', pattern: 'unstructured', sparsity: 0.8 },
      { match: '/features/features.17/conv/conv.2/Conv', sparsity: 0.6 },
    ] }), 'spc.json');
    const { graph, report } = pruneGraph(mbv2(), pruneSettings(passSettings({ pattern: '2:4', config }))!);
    const row = (n: string) => report.find((x) => x.node === n)!;
    assert.ok(!row(STEM).skipped);
    assert.equal(row(STEM).pattern, 'unstructured');
    assert.equal(row(STEM).requested, 0.3);
    assert.equal(row(CLASSIFIER).pattern, '4:8');
    assert.equal(row(CLASSIFIER).achieved, 0.5);
    assert.match(row('/features/features.18/features.18.0/Conv').reason!, /config asks to skip it \(config spc\.json layers\[2\]\)/);
    assert.equal(row('/features/features.17/conv/conv.2/Conv').requested, 0.6);
    assert.equal(row('/features/features.17/conv/conv.2/Conv').pattern, 'unstructured');
    assert.equal(graph.values.get(graph.nodes.find((n) => n.name === STEM)!.inputs[1]!)!.sparsity?.kind, 'unstructured');
  });

  it('channel, or no pattern, leaves the graph unchanged', () => {
    const g = mbv2();
    assert.equal(prune.run(g, makePassContext(passSettings({ pattern: 'channel', sparsity: 0.25 }))), g);
    assert.equal(prune.run(g, makePassContext(passSettings({}))), g);
  });

  it('rejects bad options with a clear message', () => {
    assert.throws(() => prune.run(mbv2(), makePassContext(passSettings({ pattern: '4:2' }))), /keep N of every M/);
    assert.throws(() => prune.run(mbv2(), makePassContext(passSettings({ pattern: 'unstructured', sparsity: 1 }))), /--sparsity '1': expected a fraction in \[0, 1\)/);
    assert.throws(() => prune.run(mbv2(), makePassContext(passSettings({ pattern: 'unstructured', allocation: 'greedy' as 'global' }))), /uniform, global, erk/);
  });

  describe('Gemm and MatMul weight views', () => {
    // x → Gemm(B[64,128]) → Gemm(transB, B[64,128]) → MatMul(B[64,64]) → MatMul×2(shared B) → MatMul(graph input) → Gemm (classifier)
    const g = build({
      inputs: { x: ['float32', [2, 64]], z: ['float32', [64, 64]] },
      consts: {
        b0: randomF32([64, 128], 1), b1: randomF32([64, 128], 2), b2: randomF32([64, 64], 3), shared: randomF32([64, 64], 4),
        wc: randomF32([10, 64], 5),
      },
      nodes: [
        ['Gemm', ['x', 'b0'], ['h0']],
        ['Gemm', ['h0', 'b1'], ['h1'], { transB: int(1) }],
        ['MatMul', ['h1', 'b2'], ['h2']],
        ['MatMul', ['h2', 'shared'], ['h3']],
        ['MatMul', ['h3', 'shared'], ['h4']],
        ['MatMul', ['h4', 'z'], ['h5']],
        ['Gemm', ['h5', 'wc'], ['y'], { transB: int(1) }],
      ],
      outputs: ['y'],
    });
    it('prunes along the reduction for each layout; skips shared, non-constant and final weights', () => {
      const ctx = makePassContext(passSettings({ pattern: '2:4' }));
      const out = prune.run(g, ctx);
      const rows = pruneResultOf(ctx)!;
      const byNode = new Map(rows.map((r) => [r.node, r]));
      for (const [n, w, op, transB] of [['n0', 'b0', 'Gemm', false], ['n1', 'b1', 'Gemm', true], ['n2', 'b2', 'MatMul', false]] as const) {
        assert.ok(!byNode.get(n)!.skipped, `${n} pruned`);
        const c0 = g.values.get(w)!.constant!;
        const c1 = out.values.get(w)!.constant!;
        assert.deepEqual(checkNm(matrixView(op, c0.shape, transB, c0.data as Float32Array), matrixView(op, c1.shape, transB, c1.data as Float32Array), 2, 4, n), []);
      }
      assert.match(byNode.get('n3')!.reason!, /weight 'shared' is shared by n3, n4/);
      assert.match(byNode.get('n5')!.reason!, /not a constant/);
      // The classifier rule lets the classifier be pruned at 2:4; its 640 weights are below minParams.
      assert.match(byNode.get('n6')!.reason!, /^640 weights, fewer than minParams=4096$/);
      // The input graph still holds the dense weights.
      assert.ok(!(g.values.get('b0')!.constant!.data as Float32Array).includes(0));
      assert.equal(g.values.get('b0')!.sparsity, undefined);
    });
    it('global unstructured over these layers hits the target to one weight', () => {
      const { graph, report } = pruneGraph(g, pruneSettings(passSettings({ pattern: 'unstructured', sparsity: 0.77, allocation: 'global', minParams: 0 }))!);
      const pruned = report.filter((r) => !r.skipped);
      const params = pruned.reduce((a, r) => a + r.params, 0);
      const zeros = pruned.reduce((a, r) => a + r.params - r.nonzeros, 0);
      assert.ok(Math.abs(zeros - 0.77 * params) <= 1);
      for (const r of pruned) {
        const node = g.nodes.find((n) => n.name === r.node)!;
        const transB = node.attrs['transB']?.value === 1;
        const c0 = g.values.get(r.weight)!.constant!;
        const c1 = graph.values.get(r.weight)!.constant!;
        assert.deepEqual(checkUnstructured(matrixView(node.op, c0.shape, transB, c0.data as Float32Array), matrixView(node.op, c1.shape, transB, c1.data as Float32Array), r.requested, r.node), []);
      }
    });
  });
});
