// The independent checker on every layer the prune pass prunes in the corpus models, for the
// acceptance grid of patterns, sparsities and allocations.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { Graph } from '../../../compiler/ir/graph.js';
import { attrInt } from '../../../compiler/ir/graph.js';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import { makePassContext } from '../../../compiler/passes/pass.js';
import { runPipeline } from '../../../compiler/passes/manager.js';
import { canonicalizePipeline } from '../../../compiler/passes/pipelines.js';
import { pruneGraph, pruneSettings } from '../../../compiler/passes/prune.js';
import { MODELS_DIR } from '../../helpers/corpus.js';
import { checkBlock, checkNm, checkUnstructured, matrixView } from './checker.js';
import { passSettings } from '../../../compiler/options/settings.js';

const MODELS = ['mlp3', 'mobilenet_v2_w050', 'resnet10_w32', 'squeezenet1_1', 'mobilenet_v3_small_w075', 'transformer_enc2'];

const GRID: readonly { pattern: string; sparsity?: number; allocation?: 'global' | 'erk' }[] = [
  { pattern: '2:4' }, { pattern: '4:8' }, { pattern: '1:4' },
  { pattern: 'unstructured', sparsity: 0.5 }, { pattern: 'unstructured', sparsity: 0.9 },
  { pattern: 'unstructured', sparsity: 0.5, allocation: 'global' }, { pattern: 'unstructured', sparsity: 0.9, allocation: 'global' },
  { pattern: 'unstructured', sparsity: 0.5, allocation: 'erk' }, { pattern: 'unstructured', sparsity: 0.9, allocation: 'erk' },
  { pattern: 'block:4x1', sparsity: 0.75 },
];

const cache = new Map<string, Graph>();
export function canonicalModel(model: string): Graph {
  if (!cache.has(model)) cache.set(model, runPipeline(loadOnnx(join(MODELS_DIR, `${model}.onnx`)).graph, canonicalizePipeline, makePassContext()));
  return cache.get(model)!;
}

describe('sparse: independent checker on the corpus', function () {
  this.timeout(120000);
  for (const g of GRID) {
    const label = `${g.pattern}${g.sparsity !== undefined ? ` ${g.sparsity}` : ''}${g.allocation ? ` ${g.allocation}` : ''}`;
    it(label, () => {
      let prunedLayers = 0;
      for (const model of MODELS) {
        const before = canonicalModel(model);
        const settings = pruneSettings(passSettings({ pattern: g.pattern, sparsity: g.sparsity, allocation: g.allocation }))!;
        const { graph: after, report } = pruneGraph(before, settings);
        let zeros = 0;
        let params = 0;
        for (const row of report.filter((r) => !r.skipped)) {
          prunedLayers++;
          const node = after.nodes.find((n) => n.name === row.node)!;
          const w0 = before.values.get(row.weight)!.constant!;
          const w1 = after.values.get(row.weight)!;
          assert.ok(w1.sparsity, `${model}/${row.node}: no sparsity annotation`);
          assert.notEqual(w1.constant!.data, w0.data, 'the input weight must not be reused');
          const transB = node.op === 'Gemm' && attrInt(node, 'transB', 0) !== 0;
          const o = matrixView(node.op, w0.shape, transB, w0.data as Float32Array);
          const p = matrixView(node.op, w1.constant!.shape, transB, w1.constant!.data as Float32Array);
          const where = `${model}/${row.node}`;
          const s = w1.sparsity!;
          const bad = s.kind === 'nm' ? checkNm(o, p, s.n!, s.m!, where)
            : s.kind === 'block' ? checkBlock(o, p, s.br!, s.bc!, row.requested, where)
            : checkUnstructured(o, p, row.requested, where);
          assert.deepEqual(bad, []);
          assert.equal(s.achieved, row.achieved);
          if (g.sparsity !== undefined && (g.allocation ?? 'uniform') === 'uniform') assert.equal(row.requested, g.sparsity);
          for (const x of p.data) if (x === 0) zeros++;
          params += p.data.length;
        }
        if (g.allocation === 'global' && params > 0) {
          assert.ok(Math.abs(zeros - g.sparsity! * params) <= 1, `${model}: global ${zeros} zeros of ${params}, target ${g.sparsity}`);
        }
        // Pruning leaves its input alone.
        assert.equal(before, canonicalModel(model));
      }
      assert.ok(prunedLayers >= 10, `only ${prunedLayers} layers pruned across the corpus`);
    });
  }
});
