// permuteForNm (the --permute step before N:M pruning): on the digits CNN it raises the N:M
// kept magnitude on the groups it searches without changing the model's outputs, the compile
// report carries the per-layer kept fractions and groups, and the artifact is byte-identical
// from run to run.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { canonicalizePipeline } from '../../../compiler/passes/pipelines.js';
import { permuteForNm } from '../../../compiler/passes/permute-channels.js';
import { passSettings } from '../../../compiler/options/settings.js';
import { evaluateGraph } from '../../../compiler/analysis/interpret.js';
import { compileFile } from '../../../compiler/compile.js';
import { keptNm } from '../../../compiler/sparse/rearrange/permute-search.js';
import { loadModel } from '../../../runtime/index.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { readNpy } from '../../helpers/files.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');
const SHAPE = [32, 1, 8, 8];

function canonical(): Graph {
  return runPipeline(loadOnnx(CNN, { inputShapes: { input: SHAPE } }).graph, canonicalizePipeline, makePassContext());
}

function maxDev(a: ArrayLike<number>, b: ArrayLike<number>): { dev: number; scale: number } {
  let dev = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) { dev = Math.max(dev, Math.abs(a[i]! - b[i]!)); scale = Math.max(scale, Math.abs(b[i]!)); }
  return { dev, scale };
}

describe('permute-channels: permuteForNm before N:M pruning', function () {
  this.timeout(120_000);
  const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
  const input = { dtype: 'float32' as const, shape: SHAPE, data: (x.data as Float32Array).slice(0, 32 * 64) };

  it('is on by default for N:M patterns only, and follows an explicit --permute/--no-permute', () => {
    const permuteEnabled = (o: Parameters<typeof passSettings>[0]) => passSettings(o).permute;
    assert.equal(permuteEnabled({ pattern: '2:4' }), true);
    assert.equal(permuteEnabled({ pattern: '2:4', shareRows: 4 }), true);
    assert.equal(permuteEnabled({ pattern: 'unstructured', sparsity: 0.5 }), false);
    assert.equal(permuteEnabled({}), false);
    assert.equal(permuteEnabled({ pattern: '2:4', permute: false }), false);
    assert.equal(permuteEnabled({ pattern: 'unstructured', sparsity: 0.5, permute: true }), true);
  });

  for (const options of [{ pattern: '2:4' }, { pattern: '2:4', shareRows: 4 }, { pattern: '1:4' }]) {
    it(`${JSON.stringify(options)}: kept score rises, never falls, and the outputs are unchanged`, () => {
      const g = canonical();
      const r = permuteForNm(g, passSettings(options), { timeMs: 600_000 });
      assert.ok(r.groups.length >= 1, 'some group searched');
      assert.ok(!r.timedOut);
      for (const grp of r.groups) assert.ok(grp.after >= grp.before, `g${grp.group}: ${grp.before} → ${grp.after}`);
      assert.ok(r.groups.some((grp) => grp.applied && grp.after > grp.before * 1.001), 'some group gains');
      const ref = evaluateGraph(g, { input });
      const got = evaluateGraph(r.graph, { input });
      for (const k of g.outputs) {
        const { dev, scale } = maxDev(got[k]!.data as Float32Array, ref[k]!.data as Float32Array);
        assert.ok(dev <= 1e-5 * scale, `${k}: deviation ${dev}`);
      }
      // Independent check of a 2:4/1:4 consumer's gain: keptNm on |W| of conv2 (rows O·taps over C=16 channels at each tap).
      if (options.shareRows === undefined) {
        const n = Number(options.pattern[0]);
        const kept = (graph: Graph): number => {
          const w = graph.values.get(graph.nodes.find((nd) => nd.name === '/conv2/Conv')!.inputs[1]!)!.constant!;
          const [o, c, kh, kw] = w.shape as [number, number, number, number];
          const s = new Float64Array(o * kh * kw * c);
          for (let oo = 0; oo < o; oo++) for (let t = 0; t < kh * kw; t++) for (let cc = 0; cc < c; cc++) s[(oo * kh * kw + t) * c + cc] = Math.abs((w.data as Float32Array)[(oo * c + cc) * kh * kw + t]!);
          return keptNm(s, o * kh * kw, c, n, 4);
        };
        const g0 = r.groups.find((grp) => grp.layers.includes('/conv2/Conv'))!;
        assert.ok(Math.abs(kept(g) - g0.before) < 1e-6 * g0.before, 'before = keptNm of the original conv2');
        assert.ok(Math.abs(kept(r.graph) - (g0.applied ? g0.after : g0.before)) < 1e-6 * g0.before, 'after = keptNm of the permuted conv2');
      }
    });
  }

  it('compileFile: per-layer keptBefore ≤ keptAfter with the group id, the groups, and the same bytes twice; --no-permute differs', () => {
    const progress: [number, number][] = [];
    const a = compileFile(CNN, { pattern: '2:4', shareRows: 4, permute: true, permuteTime: 600, onPermuteProgress: (done, total) => progress.push([done, total]) });
    // The search reports every channel group as it reaches it, then the end.
    const total = progress[0]![1];
    assert.deepEqual(progress, Array.from({ length: total + 1 }, (_, i) => [i, total]));
    assert.ok(total >= a.groups.length && a.groups.length >= 1);
    const b = compileFile(CNN, { pattern: '2:4', shareRows: 4, permute: true, permuteTime: 600 });
    assert.deepEqual(a.artifact, b.artifact, 'byte-identical artifact');
    assert.equal(a.dispatch, b.dispatch);
    const off = compileFile(CNN, { pattern: '2:4', shareRows: 4, permute: false });
    assert.notDeepEqual(off.artifact, a.artifact);
    assert.equal(off.groups.length, 0);
    assert.ok(a.groups.length >= 1);
    const rows = a.report.filter((r) => r.keptAfter !== undefined);
    assert.ok(rows.length >= 1);
    for (const r of rows) assert.ok(r.keptAfter! >= r.keptBefore! - 1e-9 || r.group === undefined, `${r.node}: ${r.keptBefore} → ${r.keptAfter}`);
    assert.ok(rows.some((r) => r.group !== undefined && r.keptAfter! > r.keptBefore!));
    assert.ok(off.report.every((r) => r.keptAfter === undefined));
  });

  it('row reordering (unstructured 0.8): raises 4-row block fill on some group, and the artifact computes the same outputs', async () => {
    const on = compileFile(CNN, { pattern: 'unstructured', sparsity: 0.8, inputShapes: { input: SHAPE } });
    const off = compileFile(CNN, { pattern: 'unstructured', sparsity: 0.8, inputShapes: { input: SHAPE }, permute: false });
    assert.equal(off.rowOrder.length, 0);
    assert.ok(on.rowOrder.some((r) => r.applied && r.fillAfter > r.fillBefore), JSON.stringify(on.rowOrder));
    for (const r of on.rowOrder) assert.ok(r.fillAfter >= r.fillBefore || !r.applied);
    assert.notDeepEqual(on.artifact, off.artifact, 'the rows moved');
    const run = async (bytes: Uint8Array) => {
      const m = await loadModel(bytes);
      try { return Object.values(await m.run({ input: input.data }))[0]!.data as Float32Array; } finally { m.dispose(); }
    };
    const a = await run(on.artifact);
    const b = await run(off.artifact);
    const { dev, scale } = maxDev(a, b);
    assert.ok(dev <= 1e-5 * scale, `deviation ${dev} of ${scale}`);
  });
});
