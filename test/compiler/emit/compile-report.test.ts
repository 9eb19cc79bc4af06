// The compile report reads what the pruning passes recorded (their pass results), not the words
// of their notes: a channel-pruned layer is 'channel' because prune-channels says it removed
// channels there, whatever its note says. Oracles: the weights' output-channel counts before and
// after (the layers that really shrank), the prune pass's own rows, and its notes (a bias
// correction it skipped).

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { nodeWeightAxes } from '../../../compiler/ir/weight-matrix.js';
import type { PassContext } from '../../../compiler/passes/pass.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { canonicalizePipeline, prunePipeline, selectPipeline } from '../../../compiler/passes/pipelines.js';
import { channelPruningOf } from '../../../compiler/passes/prune-channels.js';
import { pruneResultOf } from '../../../compiler/passes/prune.js';
import { planArena } from '../../../compiler/analysis/memory-plan.js';
import { lowerGraph } from '../../../compiler/emit/lower.js';
import { compileReport, recipeOf } from '../../../compiler/emit/compile-report.js';
import { parseConfig } from '../../../compiler/sparse/settings/config.js';
import { build, int, randomF32 } from '../passes/build.js';
import { compileFile } from '../../../compiler/compile.js';
import { passSettings } from '../../../compiler/options/settings.js';
import { defaultRegistry } from '../../../runtime/kernels/index.js';
import { DIGITS_DIR, MODELS_DIR } from '../../helpers/corpus.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');

/** Canonicalize, prune, select and lower with `ctx` (what compile.ts does), returning what the report needs. */
function compileWith(ctx: PassContext) {
  const registry = defaultRegistry();
  const canonical = runPipeline(loadOnnx(CNN).graph, canonicalizePipeline, ctx);
  const graph = runPipeline(runPipeline(canonical, prunePipeline, ctx), selectPipeline, ctx);
  const lowered = lowerGraph(graph, planArena(graph), { spcVersion: 'test', sourceSha256: '', options: [] }, registry);
  return { canonical, graph, lowered };
}

/** Layers whose weight lost output channels between `before` and `after`. */
function shrunk(before: Graph, after: Graph): string[] {
  const weightOf = (g: Graph, name: string) => {
    const n = g.nodes.find((x) => x.name === name)!;
    return { n, shape: g.values.get(n.inputs[1]!)!.constant!.shape };
  };
  return after.nodes.filter((n) => n.op === 'Conv' || n.op === 'Gemm').map((n) => n.name).filter((name) => {
    const [b, a] = [weightOf(before, name), weightOf(after, name)];
    const axis = nodeWeightAxes(a.n).out;
    return a.shape[axis]! < b.shape[axis]!;
  });
}

describe('compile report: read from the pruning passes\' record', function () {
  this.timeout(120_000);

  it('channel pruning: the layers prune-channels shrank are \'channel\' even when their notes are worded differently', () => {
    const base = makePassContext(passSettings({ pattern: 'channel', sparsity: 0.5 }), defaultRegistry());
    // The same passes, their notes reworded on the way to the log ("channels 32 → 16" becomes "filters kept: 16 of 32").
    const reword = (m: string): string => m.replace(/^channels (\d+) → (\d+)/, 'filters kept: $2 of $1');
    const ctx: PassContext = { ...base, log: (n) => base.log(n.pass === 'prune-channels' ? { ...n, message: reword(n.message) } : n) };
    const { canonical, graph, lowered } = compileWith(ctx);
    const rows = compileReport(canonical, graph, lowered, base.notes, { channels: channelPruningOf(ctx) });
    const expected = shrunk(canonical, graph);
    assert.deepEqual(expected, ['/conv2/Conv', '/fc1/Gemm']);
    assert.deepEqual(rows.filter((r) => r.pattern === 'channel').map((r) => r.node), expected);
    for (const r of rows.filter((x) => x.pattern === 'channel')) assert.match(r.note!, /^filters kept: \d+ of \d+$/, r.node);
    // The stem and the classifier were skipped, and said why.
    for (const r of rows.filter((x) => x.pattern !== 'channel')) assert.match(r.note!, /^skipped: (stem conv|classifier)/, r.node);
  });

  it('spc compile --pattern channel: the report and the artifact\'s recipe name the layers that shrank', () => {
    const r = compileFile(CNN, { pattern: 'channel', sparsity: 0.5 });
    const expected = shrunk(r.canonical, r.graph);
    assert.deepEqual(r.report.filter((l) => l.pattern === 'channel').map((l) => l.node), expected);
    assert.deepEqual(r.contents.provenance.layers.filter((l) => l.pattern === 'channel').map((l) => l.node), expected);
  });

  it('prune: each row\'s pattern and requested sparsity are the pass\'s record; a layer it skipped is dense, noted with its reason', () => {
    const ctx = makePassContext(passSettings({ pattern: 'unstructured', sparsity: 0.8, allocation: 'erk' }), defaultRegistry());
    const { canonical, graph, lowered } = compileWith(ctx);
    const record = pruneResultOf(ctx)!;
    const rows = compileReport(canonical, graph, lowered, ctx.notes, { layers: record });
    assert.deepEqual(rows.map((r) => r.node), record.map((r) => r.node));
    assert.deepEqual(record.filter((r) => !r.skipped).map((r) => r.node), ['/conv2/Conv', '/fc1/Gemm']);
    for (const [i, rec] of record.entries()) {
      const row = rows[i]!;
      assert.equal(row.pattern, rec.skipped ? 'dense' : rec.pattern, rec.node);
      assert.equal(row.requested, rec.skipped ? 0 : rec.requested, rec.node);
      if (rec.skipped) assert.equal(row.note, `kept dense: ${rec.reason}`, rec.node);
      else assert.equal(row.paramsAfter, rec.nonzeros, rec.node);
    }
  });

  it('the artifact\'s recipe records the criterion applied to each layer: --bias-correction skipped on a MatMul (no bias input) is not claimed', () => {
    const r = compileFile(join(MODELS_DIR, 'transformer_enc2.onnx'), {
      pattern: 'unstructured', sparsity: 0.5, minParams: 0, biasCorrection: true, calib: join(MODELS_DIR, 'transformer_enc2.input.npy'),
    });
    const skipped = new Set(r.notes.filter((n) => n.pass === 'prune' && /^bias correction skipped/.test(n.message)).map((n) => n.node));
    const pruned = r.contents.provenance.layers.filter((l) => l.pattern !== 'dense');
    assert.ok(pruned.some((l) => skipped.has(l.node)) && pruned.some((l) => !skipped.has(l.node)), 'both kinds of layer');
    for (const l of pruned) {
      assert.equal(l.criterion, skipped.has(l.node) ? 'magnitude' : 'magnitude+bias-correction', l.node);
      assert.equal(skipped.has(l.node), r.graph.nodes.find((n) => n.name === l.node)!.op === 'MatMul', l.node);
    }
  });

  it('a weight shared by two layers and forced by --config: both rows give its mask, and the recipe the criterion of the layer that pruned it', () => {
    const g = build({
      inputs: { x: ['float32', [2, 64]] },
      consts: { b0: randomF32([64, 64], 1), shared: randomF32([64, 64], 4), wc: randomF32([10, 64], 5) },
      nodes: [['Gemm', ['x', 'b0'], ['h0']], ['MatMul', ['h0', 'shared'], ['h1']], ['MatMul', ['h1', 'shared'], ['h2']], ['Gemm', ['h2', 'wc'], ['y'], { transB: int(1) }]],
      outputs: ['y'],
    });
    const config = parseConfig(JSON.stringify({ layers: [{ match: '*', force: true }] }), 'spc.json');
    const registry = defaultRegistry();
    const ctx = makePassContext(passSettings({ pattern: 'unstructured', sparsity: 0.75, config, minParams: 0, prefer: 'size' }), registry);
    const graph = runPipeline(runPipeline(g, prunePipeline, ctx), selectPipeline, ctx);
    const lowered = lowerGraph(graph, planArena(graph), { spcVersion: 'test', sourceSha256: '', options: [] }, registry);
    const record = pruneResultOf(ctx)!;
    // prune pruned the shared weight for its first user (n1) and skipped the second (n2).
    assert.deepEqual(record.map((r) => [r.node, r.skipped]), [['n0', false], ['n1', false], ['n2', true], ['n3', false]]);
    const rows = compileReport(g, graph, lowered, ctx.notes, { layers: record });
    const n2 = rows.find((r) => r.node === 'n2')!;
    assert.equal(n2.pattern, 'unstructured');
    assert.equal(n2.achieved, 0.75);
    assert.match(n2.note!, /^kept dense: weight 'shared' is shared by n1, n2/);
    const recipe = recipeOf(rows, graph, { layers: record });
    assert.deepEqual(recipe.map((r) => r.criterion), ['magnitude', 'magnitude', 'magnitude', 'magnitude']);
  });
});
