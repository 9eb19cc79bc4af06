// fuse-qdq against onnxruntime-node with its graph optimizations on (its QDQ transformer does the
// same fusions): fused QDQ Conv/MatMul chains give onnxruntime's int8 outputs, and the patterns
// that must not fuse (mismatched scales, an op output read elsewhere, per-axis activations, a
// Relu the Q does not imply) stay float and still match.

import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import { compileBytes } from '../../../compiler/compile.js';
import { loadModel } from '../../../runtime/index.js';
import type { TypedArray } from '../../../runtime/tensor.js';
import type { NodeSpec, T } from '../../helpers/onnx-build.js';
import { array, model, t, values } from '../../helpers/onnx-build.js';

async function runOrt(bytes: Uint8Array, x: T): Promise<Record<string, TypedArray>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', array(x) as Float32Array, [...x.shape]) });
    return Object.fromEntries(Object.entries(out).map(([n, y]) => [n, y.data as TypedArray]));
  } finally {
    await session.release();
  }
}

async function compileAndRun(bytes: Uint8Array, x: T) {
  const r = compileBytes(bytes, { name: 'qdq' });
  const m = await loadModel(r.artifact);
  const out = await m.run({ x: { data: array(x), shape: x.shape } });
  return { ops: r.graph.nodes.map((n) => n.op), out: Object.fromEntries(Object.entries(out).map(([n, y]) => [n, y.data])) };
}

/** Every output of spc equals onnxruntime's, integers exactly. */
async function matchesOrt(bytes: Uint8Array, x: T): Promise<string[]> {
  const want = await runOrt(bytes, x);
  const got = await compileAndRun(bytes, x);
  for (const [name, w] of Object.entries(want)) {
    const g = got.out[name];
    assert.ok(g, `output ${name} missing`);
    const gv = Array.from(g as ArrayLike<number>), wv = Array.from(w as ArrayLike<number>);
    if (w instanceof Float32Array) gv.forEach((v, i) => assert.ok(Math.abs(v - wv[i]!) <= 1e-4 * Math.abs(wv[i]!) + 1e-6, `${name}[${i}] = ${v}, onnxruntime ${wv[i]}`));
    else assert.deepEqual(gv, wv, name);
  }
  return got.ops;
}

const q = (name: string, x: string, s: string, z: string, y: string): NodeSpec => ({ op: 'QuantizeLinear', name, inputs: [x, s, z], outputs: [y] });
const dq = (name: string, x: string, s: string, z: string, y: string, axis?: number): NodeSpec =>
  ({ op: 'DequantizeLinear', name, inputs: [x, s, z], outputs: [y], ...(axis === undefined ? {} : { attrs: { axis } }) });

// x [1,3,8,8] → Q/DQ → Conv 3×3 (int8 per channel, float bias) → Relu → Q/DQ → MaxPool 2 → Q/DQ
// → Conv 3×3 stride 2 → Q/DQ → Reshape [1,32] → Q/DQ → MatMul (int8 per column) → Q → DQ → y.
// Scales off any decimal grid, so no accumulator lands on a rounding tie.
const inits: Record<string, T> = {
  s_in: t('float32', [], [0.0213]), z_in: t('int8', [], [-3]),
  w1: t('int8', [6, 3, 3, 3], values(162, -127, 127, 1)), w1s: t('float32', [6], [0.0041, 0.0023, 0.0067, 0.0031, 0.0052, 0.0019]), w1z: t('int8', [6], [0, 0, 0, 0, 0, 0]),
  b1: t('float32', [6], [0.1, -0.2, 0.05, 0, 0.31, -0.07]),
  s1: t('float32', [], [0.0107]), z1: t('int8', [], [-128]),
  w2: t('int8', [8, 6, 3, 3], values(432, -127, 127, 2)), w2s: t('float32', [8], [0.0033, 0.0021, 0.0047, 0.0029, 0.0038, 0.0017, 0.0026, 0.0044]), w2z: t('int8', [8], new Array(8).fill(0)),
  s2: t('float32', [], [0.0131]), z2: t('int8', [], [5]),
  shape: t('int64', [2], [1, 32]),
  m: t('int8', [32, 5], values(160, -127, 127, 3)), ms: t('float32', [5], [0.0011, 0.0023, 0.0017, 0.0031, 0.0027]), mz: t('int8', [5], [0, 0, 0, 0, 0]),
  s3: t('float32', [], [0.0193]), z3: t('int8', [], [0]),
};
const chain: NodeSpec[] = [
  q('q_in', 'x', 's_in', 'z_in', 'xq'), dq('dq_in', 'xq', 's_in', 'z_in', 'xd'),
  dq('dq_w1', 'w1', 'w1s', 'w1z', 'w1d', 0),
  { op: 'Conv', name: 'conv1', inputs: ['xd', 'w1d', 'b1'], outputs: ['c1'], attrs: { pads: [1, 1, 1, 1] } },
  { op: 'Relu', name: 'relu1', inputs: ['c1'], outputs: ['r1'] },
  q('q1', 'r1', 's1', 'z1', 'r1q'), dq('dq1', 'r1q', 's1', 'z1', 'r1d'),
  { op: 'MaxPool', name: 'pool', inputs: ['r1d'], outputs: ['p'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
  q('qp', 'p', 's1', 'z1', 'pq'), dq('dqp', 'pq', 's1', 'z1', 'pd'),
  dq('dq_w2', 'w2', 'w2s', 'w2z', 'w2d', 0),
  { op: 'Conv', name: 'conv2', inputs: ['pd', 'w2d'], outputs: ['c2'], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] } },
  q('q2', 'c2', 's2', 'z2', 'c2q'), dq('dq2', 'c2q', 's2', 'z2', 'c2d'),
  { op: 'Reshape', name: 'flat', inputs: ['c2d', 'shape'], outputs: ['f'] },
  q('qf', 'f', 's2', 'z2', 'fq'), dq('dqf', 'fq', 's2', 'z2', 'fd'),
  dq('dq_m', 'm', 'ms', 'mz', 'md', 1),
  { op: 'MatMul', name: 'mm', inputs: ['fd', 'md'], outputs: ['o'] },
  q('q3', 'o', 's3', 'z3', 'oq'), dq('dq3', 'oq', 's3', 'z3', 'y'),
];
const x = t('float32', [1, 3, 8, 8], values(192, -2, 2, 4, false));

describe('fuse-qdq: QDQ Conv/MatMul chains as int8 ops, against onnxruntime with graph optimizations on', function () {
  this.timeout(120000);

  it('a Conv → Relu → MaxPool → Conv → Reshape → MatMul QDQ chain runs int8 end to end and gives onnxruntime\'s outputs exactly', async () => {
    const ops = await matchesOrt(model(chain, { x }, { y: 'float32', oq: 'int8' }, inits, 13), x);
    // int8 flows between the ops; MaxPool alone runs float between a DQ and a Q (spc's int8 MaxPool is the slow ref kernel).
    assert.deepEqual(ops, ['QuantizeLinear', 'QLinearConv', 'DequantizeLinear', 'MaxPool', 'QuantizeLinear', 'QLinearConv', 'Reshape', 'QLinearMatMul', 'DequantizeLinear']);
  });

  it('a uint8 chain with the Conv\'s bias as DequantizeLinear of int32 (onnxruntime\'s quantizer\'s form) fuses the same way', async () => {
    const u: Record<string, T> = { ...inits, z_in: t('uint8', [], [131]), z1: t('uint8', [], [0]), z2: t('uint8', [], [120]), z3: t('uint8', [], [128]) };
    const bq = Array.from(inits['b1']!.values, (b, c) => Math.round(b / Math.fround(0.0213 * inits['w1s']!.values[c]!)));
    delete u['b1'];
    u['b1q'] = t('int32', [6], bq);
    u['b1s'] = t('float32', [6], Array.from(inits['w1s']!.values, (s) => Math.fround(0.0213 * s)));
    u['b1z'] = t('int32', [6], new Array(6).fill(0));
    const nodes = [dq('dq_b1', 'b1q', 'b1s', 'b1z', 'b1d', 0), ...chain.map((n) => (n.name === 'conv1' ? { ...n, inputs: ['xd', 'w1d', 'b1d'] } : n))];
    const ops = await matchesOrt(model(nodes, { x }, { y: 'float32', oq: 'uint8' }, u, 13), x);
    assert.equal(ops.filter((o) => o.startsWith('QLinear')).length, 3);
  });

  it('does not fuse where onnxruntime\'s arithmetic would change: mismatched Q/DQ scales, a Conv output read elsewhere, per-axis activations, a Relu above the Q\'s minimum', async () => {
    // The Reshape's Q with another scale than its DQ: the Reshape stays float between a DQ and a Q.
    const mismatched = chain.map((n) => (n.name === 'qf' ? q('qf', 'f', 's1', 'z2', 'fq') : n.name === 'dqf' ? dq('dqf', 'fq', 's1', 'z2', 'fd') : n));
    let ops = await matchesOrt(model(mismatched, { x }, { y: 'float32' }, inits, 13), x);
    assert.ok(ops.includes('Reshape') && ops.filter((o) => o === 'DequantizeLinear').length >= 3, `Reshape between DQ and Q: ${ops.join(' ')}`);
    assert.equal(ops.filter((o) => o.startsWith('QLinear')).length, 3, 'the linear ops still fuse');
    // conv2's float output is also a graph output: conv2 stays a float Conv.
    ops = await matchesOrt(model(chain, { x }, { y: 'float32', c2: 'float32' }, inits, 13), x);
    assert.ok(ops.includes('Conv') && ops.filter((o) => o === 'QLinearConv').length === 1, ops.join(' '));
    // The first Conv's activation DQ per channel (axis 1): conv1 stays float.
    const perAxis = { ...inits, s_ax: t('float32', [3], [0.0213, 0.0197, 0.0229]), z_ax: t('int8', [3], [0, 0, 0]) };
    const axisChain = chain.map((n) => (n.name === 'q_in' ? { ...q('q_in', 'x', 's_ax', 'z_ax', 'xq'), attrs: { axis: 1 } } : n.name === 'dq_in' ? dq('dq_in', 'xq', 's_ax', 'z_ax', 'xd', 1) : n));
    ops = await matchesOrt(model(axisChain, { x }, { y: 'float32' }, perAxis, 13), x);
    assert.ok(ops.includes('Conv') && ops.filter((o) => o === 'QLinearConv').length === 1, ops.join(' '));
    // z1 = 5 (not int8's minimum): the Relu clamps values the Q would keep, so conv1 stays float.
    ops = await matchesOrt(model(chain, { x }, { y: 'float32' }, { ...inits, z1: t('int8', [], [5]) }, 13), x);
    assert.ok(ops.includes('Conv') && ops.filter((o) => o === 'QLinearConv').length === 1, ops.join(' '));
  });

  // The logits layer: DQ(x), DQ(w) → Gemm/MatMul with a float output no Q reads becomes
  // MatMulInteger → Cast → Mul [→ Add] (the int8 gemv for ≤ 4 rows); onnxruntime runs the QDQ graph in float.
  it('a Gemm (transB, bias) or MatMul on DQ inputs writing a float graph output of ≤ 4 rows runs MatMulInteger → Cast → Mul [→ Add], within float rounding of onnxruntime', async () => {
    const gi: Record<string, T> = {
      s_in: t('float32', [], [0.0213]), z_in: t('int8', [], [-3]),
      wt: t('int8', [7, 37], values(259, -127, 127, 5)), wts: t('float32', [7], [0.0041, 0.0023, 0.0067, 0.0031, 0.0052, 0.0019, 0.0044]), wtz: t('int8', [7], new Array(7).fill(0)),
      bias: t('float32', [7], [0.1, -0.2, 0.05, 0, 0.31, -0.07, 0.2]),
      wk: t('int8', [37, 7], values(259, -127, 127, 6)), wks: t('float32', [], [0.0037]), wkz: t('int8', [], [2]),
    };
    const x2 = t('float32', [3, 37], values(111, -2, 2, 7, false));
    const gemm: NodeSpec[] = [
      q('q_in', 'x', 's_in', 'z_in', 'xq'), dq('dq_in', 'xq', 's_in', 'z_in', 'xd'),
      dq('dq_w', 'wt', 'wts', 'wtz', 'wd', 0),
      { op: 'Gemm', name: 'fc', inputs: ['xd', 'wd', 'bias'], outputs: ['y'], attrs: { transB: 1 } },
      dq('dq_k', 'wk', 'wks', 'wkz', 'kd'),
      { op: 'MatMul', name: 'mm', inputs: ['xd', 'kd'], outputs: ['y2'] },
    ];
    const ops = await matchesOrt(model(gemm, { x: x2 }, { y: 'float32', y2: 'float32' }, gi, 13), x2);
    assert.deepEqual(ops.filter((o) => o !== 'Cast' && o !== 'Mul' && o !== 'Add'), ['QuantizeLinear', 'MatMulInteger', 'MatMulInteger']);
    assert.deepEqual(ops.filter((o) => o === 'Add').length, 1, 'the Gemm\'s bias only');
  });
});
