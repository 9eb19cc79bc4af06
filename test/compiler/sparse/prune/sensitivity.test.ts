// Sensitivity allocation: the greedy assignment on hand-worked curves (exact total, cap,
// non-convex curves), the measured curve of a one-layer model against KL worked by hand, and
// digits_cnn at 0.9 (stem and classifier dense) with the pruned layers' sparsity exactly 0.9.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { allocateBySensitivity, measureSensitivity } from '../../../../compiler/sparse/prune/sensitivity.js';
import { allocate } from '../../../../compiler/sparse/prune/allocation.js';
import { compileFile } from '../../../../compiler/compile.js';
import { loadOnnx } from '../../../../compiler/frontend/load.js';
import { readSamples } from '../../../../compiler/calibrate/data.js';
import { artifactInputGraph, evaluateArtifact } from '../../../../compiler/eval/evaluate.js';
import { readLabels } from '../../../../compiler/eval/labels.js';
import { SpcError } from '../../../../compiler/errors.js';
import { DIGITS_DIR } from '../../../helpers/corpus.js';
import { tempDir } from '../../../helpers/files.js';
import { writeLinearModel } from '../../../helpers/onnx-models.js';

const curve = (...pts: [number, number][]) => [{ sparsity: 0, divergence: 0 }, ...pts.map(([sparsity, divergence]) => ({ sparsity, divergence }))];

describe('sensitivity allocation', function () {
  this.timeout(120_000);

  it('greedy by added divergence per weight; the move that passes the target stops at it', () => {
    // A (100 weights): 50 → 0.1, 90 → 2.0; B (300): 150 → 0.05, 270 → 0.3; target 240 weights.
    // Cheapest per weight: B→150 (0.00033), then A→50 (0.002) against B→270 (0.25/120 = 0.00208),
    // then B→270 (0.00208) against A→90 (1.9/40): taken for 40 of its 120 weights.
    const counts = allocateBySensitivity([100, 300], [curve([0.5, 0.1], [0.9, 2.0]), curve([0.5, 0.05], [0.9, 0.3])], 0.6);
    assert.deepEqual(counts, [50, 190]);
  });

  it('jumps over an expensive level to a cheaper one beyond it (non-convex curve)', () => {
    // A: 0.5 costs 1.0 but 0.9 costs 1.0 too (1/90 per weight), B: 0.5 costs 0.5 (0.01 per weight), 0.9 costs 5.
    const counts = allocateBySensitivity([100, 100], [curve([0.5, 1.0], [0.9, 1.0]), curve([0.5, 0.5], [0.9, 5])], 0.7);
    // B→50 (0.01/weight) first, then A→90 (0.0111) for the remaining 90: total 140.
    assert.deepEqual(counts, [90, 50]);
  });

  it('never exceeds the cap, and says so when the target needs more', () => {
    const c = curve([0.5, 0.1], [0.9, 0.2], [0.98, 0.3], [0.99, 0.31]);
    const counts = allocateBySensitivity([100, 100], [c, c], 0.97, 0.98);
    assert.ok(counts.every((k) => k <= 98));
    assert.equal(counts[0]! + counts[1]!, 194);
    assert.throws(() => allocateBySensitivity([100, 100], [c, c], 0.985, 0.98), (e: Error) => e instanceof SpcError && /cap 0.98 allows 196/.test(e.message));
    assert.throws(() => allocate('sensitivity', [{ shape: [2, 2], data: new Float32Array(4) }], 0.5), /measured curve/);
  });

  it('measures KL(dense ‖ pruned) of the outputs by hand on a one-layer model', () => {
    const dir = tempDir('spc-sens-');
    const g = loadOnnx(writeLinearModel(dir, 'lin', [[1, 0.5], [-0.25, 1]])).graph;
    const pruned = new Float32Array([1, 0, 0, 1]);
    const xs = [[1, 2], [3, -1]];
    const calib = { source: 'hand', samples: xs.map((x) => ({ x: { dtype: 'float32' as const, shape: [1, 2], data: new Float32Array(x) } })) };
    const [c] = measureSensitivity(g, [{ nodeIndex: 0, weight: 'W', prune: () => pruned }], calib, [0.5]);
    // Two classes: p = σ(a0 − a1); KL = p ln(p/q) + (1−p) ln((1−p)/(1−q)).
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const kl2 = (d: number[], q: number[]) => {
      const p = sig(d[0]! - d[1]!), r = sig(q[0]! - q[1]!);
      return p * Math.log(p / r) + (1 - p) * Math.log((1 - p) / (1 - r));
    };
    const dense = xs.map(([a, b]) => [a! * 1 + b! * -0.25, a! * 0.5 + b! * 1]);
    const expected = (kl2(dense[0]!, xs[0]!) + kl2(dense[1]!, xs[1]!)) / 2;
    assert.deepEqual(c!.map((p) => p.sparsity), [0, 0.5]);
    assert.equal(c![0]!.divergence, 0);
    assert.ok(Math.abs(c![1]!.divergence - expected) < 1e-6, `${c![1]!.divergence} vs ${expected}`);
  });

  it('without calibration data: an error that names --calib', () => {
    assert.throws(() => compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { pattern: 'unstructured', sparsity: 0.9, allocation: 'sensitivity' }),
      (e: Error) => e instanceof SpcError && /--calib/.test(e.message));
  });

  describe('digits_cnn at 0.9 unstructured (stem and classifier dense), calibrated on digits-calib-x.npy', () => {
    const calib = join(DIGITS_DIR, 'digits-calib-x.npy');
    const model = join(DIGITS_DIR, 'digits_cnn.onnx');
    const accuracyOf = async (art: Uint8Array) => {
      const data = readSamples(join(DIGITS_DIR, 'digits-test-x.npy'), artifactInputGraph(art), { flag: '--data' });
      return (await evaluateArtifact(art, data, readLabels(join(DIGITS_DIR, 'digits-test-y.npy')))).top1!;
    };

    it('prunes exactly round(0.9 · pruned weights), reports each layer\'s curve, and beats uniform on the test set', async () => {
      const r = compileFile(model, { pattern: 'unstructured', sparsity: 0.9, allocation: 'sensitivity', calib });
      const pruned = r.report.filter((l) => l.pattern !== 'dense');
      assert.deepEqual(pruned.map((l) => l.node), ['/conv2/Conv', '/fc1/Gemm']);
      const total = pruned.reduce((a, l) => a + l.paramsBefore, 0);
      const zeros = pruned.reduce((a, l) => a + l.paramsBefore - l.paramsAfter, 0);
      assert.equal(zeros, Math.round(0.9 * total));
      for (const l of pruned) {
        assert.deepEqual(l.sensitivity!.map((p) => p.sparsity), [0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98]);
        assert.ok(l.achieved <= 0.98);
      }
      // The less sensitive fc1 (smaller divergence at 0.9) takes more than the target.
      const [conv2, fc1] = pruned;
      assert.ok(fc1!.sensitivity![4]!.divergence < conv2!.sensitivity![4]!.divergence);
      assert.ok(fc1!.achieved > 0.9 && conv2!.achieved < 0.9);
      const uniform = compileFile(model, { pattern: 'unstructured', sparsity: 0.9 });
      const [a, u] = [await accuracyOf(r.artifact), await accuracyOf(uniform.artifact)];
      assert.ok(a > u, `sensitivity ${a} vs uniform ${u}`);
    });

    it('acceptance 3: ≥ 95% on the test set with sparsegpt, the pruned layers exactly at 0.9 overall', async () => {
      const r = compileFile(model, { pattern: 'unstructured', sparsity: 0.9, allocation: 'sensitivity', calib, method: 'sparsegpt' });
      assert.ok(r.contents.provenance.options.some(([k, v]) => k === 'method' && v === 'sparsegpt'), 'method recorded');
      const pruned = r.report.filter((l) => l.pattern !== 'dense');
      const total = pruned.reduce((a, l) => a + l.paramsBefore, 0);
      assert.ok(Math.abs(pruned.reduce((a, l) => a + l.paramsBefore - l.paramsAfter, 0) - 0.9 * total) <= 1);
      assert.ok(await accuracyOf(r.artifact) >= 0.95);
    });
  });
});
