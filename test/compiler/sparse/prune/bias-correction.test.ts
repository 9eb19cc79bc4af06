// Bias correction: after pruning, each layer's mean (linear) output over the calibration inputs
// equals the dense layer's, for a Conv with pads/strides and no bias (one is added) and a Gemm
// with alpha, beta and a bias C.

import { strict as assert } from 'node:assert';
import type { Graph } from '../../../../compiler/ir/graph.js';
import { pruneGraph, pruneSettings } from '../../../../compiler/passes/prune.js';
import { parseConfig } from '../../../../compiler/sparse/settings/config.js';
import { evaluateGraph } from '../../../../compiler/analysis/interpret.js';
import type { TensorView } from '../../../../runtime/tensor.js';
import { build, float, int, ints, randomF32 } from '../../passes/build.js';
import { passSettings } from '../../../../compiler/options/settings.js';

/** Per-channel mean of `out` (axis 1 for [N,C,…], last axis for [M,N]) over all samples. */
function channelMeans(g: Graph, out: string, samples: Record<string, TensorView>[], channels: number, channelAxisLast: boolean): Float64Array {
  const mean = new Float64Array(channels);
  let count = 0;
  for (const s of samples) {
    const t = evaluateGraph({ ...g, outputs: [out] }, s)[out]!;
    const d = t.data as Float32Array;
    const inner = channelAxisLast ? 1 : t.shape.slice(2).reduce((a, b) => a * b, 1);
    for (let i = 0; i < d.length; i++) mean[channelAxisLast ? i % channels : Math.floor(i / inner) % channels] += d[i]!;
    count += d.length / channels;
  }
  return mean.map((v) => v / count);
}

const FORCE = parseConfig(JSON.stringify({ layers: [{ match: '*', force: true }] }), 'spc.json');

describe('sparse/bias-correction', () => {
  const samples = Array.from({ length: 6 }, (_, s) => ({ x: randomF32([1, 3, 7, 7], 10 + s, 0, 1) as TensorView }));
  const conv = build({
    inputs: { x: ['float32', [1, 3, 7, 7]] },
    consts: { w: randomF32([8, 3, 3, 3], 1), w2: randomF32([6, 8, 1, 1], 2), b2: randomF32([6], 3) },
    nodes: [
      ['Conv', ['x', 'w'], ['y'], { pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) }],
      ['Conv', ['y', 'w2', 'b2'], ['z']],
    ],
    outputs: ['z'],
  });

  for (const method of ['magnitude', 'wanda', 'sparsegpt'] as const) {
    it(`${method} 75%: each pruned conv's mean output equals the dense layer's on the same inputs (within 1e-5)`, () => {
      const calib = { samples, source: 'test' };
      const settings = pruneSettings(passSettings({ pattern: 'unstructured', sparsity: 0.75, minParams: 0, config: FORCE, method, biasCorrection: true, calib }))!;
      const { graph } = pruneGraph(conv, settings);
      assert.notEqual(graph.nodes[0]!.inputs[2], undefined, 'a bias was added to the first conv');
      // Layer 1 reads the graph input: dense and pruned means compare directly.
      const dense1 = channelMeans(conv, 'y', samples, 8, false);
      const pruned1 = channelMeans(graph, 'y', samples, 8, false);
      dense1.forEach((v, c) => assert.ok(Math.abs(pruned1[c]! - v) < 1e-5, `conv 1 channel ${c}: ${pruned1[c]} vs ${v}`));
      // Layer 2: the dense layer on the pruned network's activations (its own weights, dense).
      const layer2Dense = { ...graph, values: new Map([...graph.values, ['w2', conv.values.get('w2')!], ['b2', conv.values.get('b2')!]]), nodes: [graph.nodes[0]!, conv.nodes[1]!] };
      if (method !== 'sparsegpt') {
        const want = channelMeans(layer2Dense, 'z', samples, 6, false);
        const got = channelMeans(graph, 'z', samples, 6, false);
        want.forEach((v, c) => assert.ok(Math.abs(got[c]! - v) < 1e-5, `conv 2 channel ${c}: ${got[c]} vs ${v}`));
      }
    });
  }

  it('Gemm with alpha, beta and C: the corrected C keeps the mean output', () => {
    const g = build({
      inputs: { x: ['float32', [1, 16]] },
      consts: { b: randomF32([8, 16], 4), c: randomF32([8], 5) },
      nodes: [['Gemm', ['x', 'b', 'c'], ['y'], { transB: int(1), alpha: float(0.5), beta: float(2) }]],
      outputs: ['y'],
    });
    const xs = Array.from({ length: 5 }, (_, s) => ({ x: randomF32([1, 16], 20 + s, 0, 1) as TensorView }));
    const settings = pruneSettings(passSettings({ pattern: '1:4', minParams: 0, config: FORCE, method: 'wanda', biasCorrection: true, calib: { samples: xs, source: 't' } }))!;
    const { graph } = pruneGraph(g, settings);
    const want = channelMeans(g, 'y', xs, 8, true);
    const got = channelMeans(graph, 'y', xs, 8, true);
    want.forEach((v, c) => assert.ok(Math.abs(got[c]! - v) < 1e-5, `channel ${c}: ${got[c]} vs ${v}`));
  });

  it('wanda, sparsegpt and bias correction without calibration data are errors that say so', () => {
    assert.throws(() => pruneSettings(passSettings({ pattern: '2:4', method: 'wanda' })), /needs calibration data/);
    assert.throws(() => pruneSettings(passSettings({ pattern: '2:4', biasCorrection: true })), /needs calibration data/);
    assert.throws(() => pruneSettings(passSettings({ pattern: '2:4', method: 'obs' as 'wanda' })), /--method 'obs': choose magnitude, wanda, sparsegpt/);
  });
});
