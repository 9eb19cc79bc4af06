// quantize-activations (--quantize int8) on a small pointwise → depthwise → pointwise network:
// which layers turn int8 (a conv only the ref int8 kernel would run, the layer writing the graph
// output, and a layer whose int8 form the profile prices slower than its float kernel stay float),
// and onnxruntime (graph optimizations on) runs the emitted model to spc's outputs.

import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import { compileBytes } from '../../../compiler/compile.js';
import type { CalibrationSet } from '../../../compiler/calibrate/data.js';
import { emitOnnx } from '../../../compiler/emit/onnx.js';
import { loadModel } from '../../../runtime/index.js';
import { assertClose } from '../../helpers/compare.js';
import type { NodeSpec } from '../../helpers/onnx-build.js';
import { model, t, values } from '../../helpers/onnx-build.js';
import { int8Priced } from '../../helpers/profiles.js';

const inits = {
  w1: t('float32', [8, 4, 1, 1], values(32, -1, 1, 1, false)), b1: t('float32', [8], values(8, -0.1, 0.1, 2, false)),
  w2: t('float32', [8, 1, 3, 3], values(72, -1, 1, 3, false)),
  w3: t('float32', [4, 8, 1, 1], values(32, -1, 1, 4, false)),
};
const nodes: NodeSpec[] = [
  { op: 'Conv', name: 'pw1', inputs: ['x', 'w1', 'b1'], outputs: ['c1'] },
  { op: 'Relu', name: 'r1', inputs: ['c1'], outputs: ['a1'] },
  { op: 'Conv', name: 'dw', inputs: ['a1', 'w2'], outputs: ['c2'], attrs: { group: 8, pads: [1, 1, 1, 1] } },
  { op: 'Relu', name: 'r2', inputs: ['c2'], outputs: ['a2'] },
  { op: 'Conv', name: 'pw2', inputs: ['a2', 'w3'], outputs: ['y'] },
];
const shape = [1, 4, 6, 6];
const sample = (seed: number) => ({ x: { dtype: 'float32' as const, shape, data: Float32Array.from(values(144, -2, 2, seed, false)) } });
const calib: CalibrationSet = { samples: [10, 11, 12, 13, 14, 15, 16, 17].map(sample), source: 'synthetic' };

// int8Priced pins the int8 prices: this network's 6×6 layers are too small for the measured int8 per-call costs.
const ops = (r: ReturnType<typeof compileBytes>) => Object.fromEntries(r.graph.nodes.filter((n) => ['pw1', 'dw', 'pw2'].includes(n.name)).map((n) => [n.name, n.op]));

describe('quantize-activations: which layers run int8', function () {
  this.timeout(120_000);

  it('the pointwise and depthwise convs run QLinearConv (wasmsimd int8 kernels for both); the conv writing the graph output stays float; onnxruntime agrees', async () => {
    const bytes = model(nodes, { x: t('float32', shape, new Array(144).fill(0)) }, { y: 'float32' }, inits, 13);
    const r = compileBytes(bytes, { name: 'pdp', quantize: 'int8', calib, verify: true, profile: int8Priced(1e-4, 1e-4) });
    assert.deepEqual(ops(r), { pw1: 'QLinearConv', dw: 'QLinearConv', pw2: 'Conv' });
    const x = sample(99).x;
    const m = await loadModel(r.artifact);
    const got = (await m.run({ x: { data: x.data, shape } }))['y']!.data as Float32Array;
    m.dispose();
    const session = await ort.InferenceSession.create(emitOnnx(r.graph), { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
    try {
      const want = (await session.run({ x: new ort.Tensor('float32', x.data, shape) }))['y']!.data as Float32Array;
      assertClose(got, want, 1e-4, 1e-4, 'pointwise-depthwise-pointwise int8');
    } finally {
      await session.release();
    }
  });

  it('a conv only the ref int8 kernel would run stays float: with --targets js,ref every conv does', () => {
    const bytes = model(nodes, { x: t('float32', shape, new Array(144).fill(0)) }, { y: 'float32' }, inits, 13);
    const r = compileBytes(bytes, { name: 'pdp', quantize: 'int8', calib, targets: ['js', 'ref'], profile: int8Priced(1e-4, 1e-4) });
    assert.deepEqual(ops(r), { pw1: 'Conv', dw: 'Conv', pw2: 'Conv' });
  });

  it('a layer whose int8 kernel the profile prices slower than its float kernel stays float, with a note naming it; its int8 neighbour stays int8', () => {
    const bytes = model(nodes, { x: t('float32', shape, new Array(144).fill(0)) }, { y: 'float32' }, inits, 13);
    // 1 µs per unit of work: pw1's QLinearConv (1152 multiply-adds, 288 outputs) > 1.2 ms, far above any float estimate of the same 1152.
    const r = compileBytes(bytes, { name: 'pdp', quantize: 'int8', calib, profile: int8Priced(1000, 1e-4) });
    assert.deepEqual(ops(r), { pw1: 'Conv', dw: 'QLinearConv', pw2: 'Conv' });
    const notes = r.notes.filter((n) => n.pass === 'quantize-activations' && n.node !== undefined);
    assert.deepEqual(notes.map((n) => n.node), ['pw1']);
    assert.match(notes[0]!.message, /^stays float: int8 estimated slower/);
    // The 4x8 family untimed: priced as the op's timed sibling (1x8, free here), not by the per-element prior
    // of a copy (100 ns a call: pw1 would stay float at the prior).
    const sibling = compileBytes(bytes, { name: 'pdp', quantize: 'int8', calib, profile: int8Priced(undefined, 1e-4) });
    assert.equal(ops(sibling).pw1, 'QLinearConv');
    // Every int8 layer slower: the pass leaves the graph as it was, float layers on their int8-grid weights.
    const none = compileBytes(bytes, { name: 'pdp', quantize: 'int8', calib, profile: int8Priced(1000, 1000) });
    assert.deepEqual(ops(none), { pw1: 'Conv', dw: 'Conv', pw2: 'Conv' });
    assert.ok(!none.graph.nodes.some((n) => n.op === 'QuantizeLinear' || n.op === 'DequantizeLinear'));
  });

  it('Q/DQ run only at an island\'s edges: pw1 → dw gains as a chain where pw1 alone loses to its Quantize and Dequantize', () => {
    const bytes = model(nodes, { x: t('float32', shape, new Array(144).fill(0)) }, { y: 'float32' }, inits, 13);
    // Float pw1 and dw 1 µs each; the int8 kernels free; Q and DQ 0.6 µs each. In the chain pw1 pays its input's Q
    // (0.6 < 1 µs: int8), dw its output's DQ; alone (dw slow as int8), pw1 pays both (1.2 > 1 µs: float).
    const entry = (key: string, nsPerCall: number) => ({ key, nsPerCall, nsPerUnit: 0, points: 1 });
    const qdq = [entry('f32-conv-4x8-wasmsimd@pointwise', 1000), entry('f32-conv-1x8-wasmsimd@depthwise', 1000),
      entry('f32-quantizelinear-1x16-wasmsimd@elements', 600), entry('i8-dequantizelinear-1x16-wasmsimd@elements', 600)];
    const chain = compileBytes(bytes, { name: 'pdp', quantize: 'int8', calib, profile: int8Priced(1e-4, 1e-4, qdq) });
    assert.deepEqual(ops(chain), { pw1: 'QLinearConv', dw: 'QLinearConv', pw2: 'Conv' });
    const alone = compileBytes(bytes, { name: 'pdp', quantize: 'int8', calib, profile: int8Priced(1e-4, 1000, qdq) });
    assert.deepEqual(ops(alone), { pw1: 'Conv', dw: 'Conv', pw2: 'Conv' });
  });
});
