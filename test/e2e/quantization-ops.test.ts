// The quantization ops through the whole of spc (compileBytes, loadModel, run) against
// onnxruntime-node on what the node tests leave out: halves and saturation, int8 per-axis and
// blocked scales, per-channel QLinearConv/ConvInteger, a QDQ model around a Conv and a MatMul
// whose int8 weights fold to float; then the refusals at compile (naming the node) and at load.

import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import { compileBytes } from '../../compiler/compile.js';
import { reencodeArtifact } from '../../compiler/emit/artifact.js';
import { SpcError } from '../../compiler/errors.js';
import { loadModel, RunError } from '../../runtime/index.js';
import type { TypedArray } from '../../runtime/tensor.js';
import type { Attr, NodeSpec, T } from '../helpers/onnx-build.js';
import { array, f16, model, t, values } from '../helpers/onnx-build.js';

type Result = Record<string, { data: TypedArray; shape: readonly number[]; dtype: string }>;

async function runOrt(bytes: Uint8Array, feeds: Record<string, T>): Promise<Result> {
  // No graph optimizations: onnxruntime would otherwise fuse Q/DQ pairs into integer kernels, not the spec's arithmetic.
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
  try {
    const f: Record<string, ort.Tensor> = {};
    for (const [n, x] of Object.entries(feeds)) f[n] = new ort.Tensor(x.dtype as 'float32', array(x) as Float32Array, [...x.shape]);
    const out = await session.run(f);
    return Object.fromEntries(Object.entries(out).map(([n, y]) => [n, { data: y.data as TypedArray, shape: y.dims, dtype: y.type }]));
  } finally {
    await session.release();
  }
}

async function runSpc(bytes: Uint8Array, feeds: Record<string, T>): Promise<Result> {
  const m = await loadModel(compileBytes(bytes, { name: 'quant' }).artifact);
  const out = await m.run(Object.fromEntries(Object.entries(feeds).map(([n, x]) => [n, { data: array(x), shape: x.shape }])));
  return Object.fromEntries(Object.entries(out).map(([n, y]) => [n, { data: y.data, shape: y.shape, dtype: y.dtype }]));
}

/** spc's outputs equal onnxruntime's: shapes and dtypes, integers exactly, floats to the node tests' tolerance. */
async function agrees(what: string, bytes: Uint8Array, feeds: Record<string, T>): Promise<Result> {
  const want = await runOrt(bytes, feeds);
  const got = await runSpc(bytes, feeds);
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    assert.ok(g, `${what}: output ${name} missing`);
    assert.equal(g.dtype, w.dtype, `${what}: ${name} dtype`);
    assert.deepEqual([...g.shape], [...w.shape], `${what}: ${name} shape`);
    const gv = Array.from(g.data as ArrayLike<number>), wv = Array.from(w.data as ArrayLike<number>);
    if (w.dtype === 'float32') {
      gv.forEach((v, i) => assert.ok(Math.abs(v - wv[i]!) <= 1e-4 * Math.abs(wv[i]!) + 1e-6, `${what}: ${name}[${i}] = ${v}, onnxruntime ${wv[i]}`));
    } else {
      assert.deepEqual(gv, wv, `${what}: ${name}`);
    }
  }
  return got;
}

const one = (op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, outputs = ['y']): NodeSpec[] => [{ op, name: 'q1', inputs, outputs, attrs }];

describe('quantization ops vs onnxruntime', function () {
  this.timeout(60000);

  it('QuantizeLinear: halves go to the even integer and out-of-range values saturate (uint8, int8, int16; per tensor)', async () => {
    const x = t('float32', [12], [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.49, 1000, -1000, 127.5, -128.5, 0]);
    // A zero point of shape [1] beside a scalar scale is per tensor too.
    for (const zp of [t('uint8', [], [3]), t('int8', [1], [-2]), t('int16', [], [100])]) {
      const bytes = model(one('QuantizeLinear', ['x', 's', 'z']), { x, s: t('float32', [], [0.5]), z: zp }, { y: zp.dtype });
      await agrees(`QuantizeLinear ${zp.dtype}`, bytes, { x, s: t('float32', [], [0.5]), z: zp });
    }
  });

  it('QuantizeLinear / DequantizeLinear int8 per axis (axis 0 and -1) and blocked along axis 1 (block_size 3 over 7 columns)', async () => {
    const x = t('float32', [4, 7], values(28, -40, 40, 1, false));
    const perRow = { s: t('float32', [4], [0.1, 0.25, 0.5, 1]), z: t('int8', [4], [0, -3, 5, 127]) };
    await agrees('per axis 0', model(one('QuantizeLinear', ['x', 's', 'z'], { axis: 0 }), { x, ...perRow }, { y: 'int8' }), { x, ...perRow });
    const perCol = { s: t('float32', [7], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]), z: t('int8', [7], [0, 1, 2, 3, -1, -2, -3]) };
    await agrees('per axis -1', model(one('QuantizeLinear', ['x', 's', 'z'], { axis: -1 }), { x, ...perCol }, { y: 'int8' }), { x, ...perCol });
    const blocked = { s: t('float32', [4, 3], values(12, 1, 9, 2).map((v) => v / 8)), z: t('int8', [4, 3], values(12, -4, 4, 3)) };
    await agrees('blocked', model(one('QuantizeLinear', ['x', 's', 'z'], { axis: 1, block_size: 3 }), { x, ...blocked }, { y: 'int8' }), { x, ...blocked });
    const q = t('int8', [4, 7], values(28, -128, 127, 4));
    await agrees('dequantize per axis 0', model(one('DequantizeLinear', ['x', 's', 'z'], { axis: 0 }), { x: q, ...perRow }, { y: 'float32' }), { x: q, ...perRow });
    await agrees('dequantize blocked', model(one('DequantizeLinear', ['x', 's', 'z'], { axis: 1, block_size: 3 }), { x: q, ...blocked }, { y: 'float32' }), { x: q, ...blocked });
    const big = t('int32', [4], [2 ** 31 - 1, -(2 ** 31), 123456789, -7]);
    await agrees('dequantize int32', model(one('DequantizeLinear', ['x', 's']), { x: big, s: t('float32', [], [0.001]) }, { y: 'float32' }), { x: big, s: t('float32', [], [0.001]) });
  });

  it('DynamicQuantizeLinear: all negative, all positive, all zero and mixed inputs (scale, zero point and values)', async () => {
    for (const v of [[-3, -1.5, -0.25, -7], [0.5, 2, 9.75, 1e-3], [0, 0, 0, 0], [-2.55, 0, 1.275, 2.55]]) {
      const x = t('float32', [2, 2], v);
      await agrees(`DynamicQuantizeLinear [${v.join(',')}]`, model(one('DynamicQuantizeLinear', ['x'], {}, ['y', 's', 'z']), { x }, { y: 'uint8', s: 'float32', z: 'uint8' }, {}, 11), { x });
    }
  });

  it('MatMulInteger: uint8 × int8 with a per-column zero point of B and a batch of 2 (int32)', async () => {
    const feeds = {
      a: t('uint8', [2, 3, 5], values(30, 0, 255, 5)), b: t('int8', [5, 4], values(20, -128, 127, 6)),
      za: t('uint8', [], [128]), zb: t('int8', [4], [0, -1, 3, 127]),
    };
    await agrees('MatMulInteger', model(one('MatMulInteger', ['a', 'b', 'za', 'zb']), feeds, { y: 'int32' }, {}, 10), feeds);
  });

  it('QLinearMatMul: int8 with per-tensor scales and with a per-column scale of b, requantized with saturation', async () => {
    const feeds = {
      a: t('int8', [3, 6], values(18, -128, 127, 7)), as: t('float32', [], [0.02]), az: t('int8', [], [-4]),
      b: t('int8', [6, 5], values(30, -128, 127, 8)), bs: t('float32', [], [0.015]), bz: t('int8', [], [0]),
      ys: t('float32', [], [0.05]), yz: t('int8', [], [10]),
    };
    await agrees('QLinearMatMul int8', model(one('QLinearMatMul', ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz']), feeds, { y: 'int8' }, {}, 10), feeds);
    const perColumn = { ...feeds, bs: t('float32', [5], [0.01, 0.02, 0.015, 0.03, 0.005]), bz: t('int8', [5], [0, 0, 0, 0, 0]) };
    await agrees('QLinearMatMul int8, b per column', model(one('QLinearMatMul', ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz']), perColumn, { y: 'int8' }, {}, 10), perColumn);
  });

  it('QLinearMatMul opset 21: float16 scales (per tensor, and per column of b), the multiplier rounded to float16', async () => {
    // Scales whose product and quotient round differently in float16 and float32, over accumulators up to ~10^5.
    const feeds = {
      a: t('uint8', [2, 3, 7], values(42, 0, 255, 21)), as: f16([], [0.0123]), az: t('uint8', [], [131]),
      b: t('uint8', [7, 4], values(28, 0, 255, 22)), bs: f16([], [0.0771]), bz: t('uint8', [], [97]),
      ys: f16([], [0.7333]), yz: t('uint8', [], [120]),
    };
    const node = one('QLinearMatMul', ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz']);
    await agrees('QLinearMatMul float16 scales', model(node, feeds, { y: 'uint8' }, {}, 21), feeds);
    const perColumn = { ...feeds, bs: f16([4], [0.0771, 0.0031, 0.0412, 0.0197]), bz: t('uint8', [4], [97, 128, 0, 255]) };
    await agrees('QLinearMatMul float16 scales, b per column', model(node, perColumn, { y: 'uint8' }, {}, 21), perColumn);
  });

  it('QLinearConv: uint8 x, int8 weights with a per-channel scale, int32 bias, stride 2, pads 1, group 2', async () => {
    const feeds = {
      x: t('uint8', [1, 4, 7, 6], values(168, 0, 255, 9)), xs: t('float32', [], [0.03]), xz: t('uint8', [], [120]),
      w: t('int8', [6, 2, 3, 3], values(108, -127, 127, 10)), ws: t('float32', [6], [0.01, 0.02, 0.005, 0.03, 0.015, 0.007]), wz: t('int8', [6], [0, 0, 0, 0, 0, 0]),
      ys: t('float32', [], [0.2]), yz: t('uint8', [], [100]), b: t('int32', [6], [100, -2000, 0, 5000, -70, 3]),
    };
    const bytes = model(one('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'b'], { strides: [2, 2], pads: [1, 1, 1, 1], group: 2 }), feeds, { y: 'uint8' }, {}, 10);
    await agrees('QLinearConv', bytes, feeds);
  });

  it('ConvInteger: uint8 x and weights with zero points, stride 2 and asymmetric pads', async () => {
    const feeds = {
      x: t('uint8', [2, 3, 5, 5], values(150, 0, 255, 11)), w: t('uint8', [4, 3, 2, 2], values(48, 0, 255, 12)),
      xz: t('uint8', [], [17]), wz: t('uint8', [], [128]),
    };
    await agrees('ConvInteger', model(one('ConvInteger', ['x', 'w', 'xz', 'wz'], { strides: [2, 2], pads: [0, 1, 1, 0] }), feeds, { y: 'int32' }, {}, 10), feeds);
  });

  it('ConvInteger with a weight zero point per output channel (onnxruntime refuses it; hand-computed)', async () => {
    // x [1,1,2,2] = 1..4, w [2,1,1,1] = [5, 9], w_zero_point [1, 3]: channel 0 is 4·x, channel 1 is 6·x.
    const feeds = { x: t('uint8', [1, 1, 2, 2], [1, 2, 3, 4]), w: t('uint8', [2, 1, 1, 1], [5, 9]), wz: t('uint8', [2], [1, 3]) };
    const got = await runSpc(model(one('ConvInteger', ['x', 'w', '', 'wz']), feeds, { y: 'int32' }, {}, 10), feeds);
    assert.deepEqual([...got['y']!.shape], [1, 2, 2, 2]);
    assert.deepEqual(Array.from(got['y']!.data as Int32Array), [4, 8, 12, 16, 6, 12, 18, 24]);
  });
});

describe('a QDQ model: QuantizeLinear → DequantizeLinear around a Conv and a MatMul with per-axis int8 weights', function () {
  this.timeout(60000);

  // x [1,3,6,6] → QDQ (uint8) → Conv(DQ(int8 W [4,3,3,3], per output channel, axis 0), bias) → Relu → QDQ
  // → Reshape [1,144] → MatMul(DQ(int8 W [144,5], per column, axis 1)) → y [1,5].
  const inits = {
    s_in: t('float32', [], [0.0213]), z_in: t('uint8', [], [128]),
    wq: t('int8', [4, 3, 3, 3], values(108, -127, 127, 21)), ws: t('float32', [4], [0.0041, 0.0023, 0.0067, 0.0031]), wz: t('int8', [4], [0, 0, 0, 0]),
    bias: t('float32', [4], [0.1, -0.2, 0.05, 0]),
    s_act: t('float32', [], [0.0107]), z_act: t('uint8', [], [0]),
    shape: t('int64', [2], [1, 144]),
    mq: t('int8', [144, 5], values(720, -127, 127, 22)), ms: t('float32', [5], [0.001, 0.002, 0.0015, 0.003, 0.0025]), mz: t('int8', [5], [0, 0, 0, 0, 0]),
  };
  const nodes: NodeSpec[] = [
    { op: 'QuantizeLinear', name: 'q_in', inputs: ['x', 's_in', 'z_in'], outputs: ['xq'] },
    { op: 'DequantizeLinear', name: 'dq_in', inputs: ['xq', 's_in', 'z_in'], outputs: ['xd'] },
    { op: 'DequantizeLinear', name: 'dq_w', inputs: ['wq', 'ws', 'wz'], outputs: ['w'], attrs: { axis: 0 } },
    { op: 'Conv', name: 'conv', inputs: ['xd', 'w', 'bias'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
    { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] },
    { op: 'QuantizeLinear', name: 'q_act', inputs: ['r', 's_act', 'z_act'], outputs: ['rq'] },
    { op: 'DequantizeLinear', name: 'dq_act', inputs: ['rq', 's_act', 'z_act'], outputs: ['rd'] },
    { op: 'Reshape', name: 'flat', inputs: ['rd', 'shape'], outputs: ['f'] },
    { op: 'DequantizeLinear', name: 'dq_m', inputs: ['mq', 'ms', 'mz'], outputs: ['m'], attrs: { axis: 1 } },
    { op: 'MatMul', name: 'mm', inputs: ['f', 'm'], outputs: ['y'] },
  ];
  const x = t('float32', [1, 3, 6, 6], values(108, -2, 2, 23, false));
  // Scales off the decimal grid: on it, a Conv of quantized operands lands exactly on a rounding tie
  // of the next QuantizeLinear, which then depends on the summation order (not on the spec).
  const bytes = model(nodes, { x }, { xq: 'uint8', rq: 'uint8', y: 'float32' }, inits, 13);

  it('matches onnxruntime (no graph optimizations: the spec\'s QDQ arithmetic; no rounding tie differs from the fused int8 Conv\'s)', async () => {
    await agrees('QDQ model', bytes, { x });
  });

  it('the Conv between QDQ pairs runs as a QLinearConv on the int8 kernel; the MatMul, with no Q after it, reads its weight folded to float', () => {
    const r = compileBytes(bytes, { name: 'qdq' });
    const dq = r.graph.nodes.filter((n) => n.op === 'DequantizeLinear').map((n) => n.name);
    assert.deepEqual(dq.sort(), ['dq_act'], 'only the DequantizeLinear the float MatMul reads remains');
    const byOp = (op: string) => r.contents.nodes.find((n) => n.op === op);
    assert.match(byOp('QLinearConv')?.kernel ?? '', /^i8-qlinearconv-/);
    const mm = byOp('MatMul');
    assert.ok(mm, 'MatMul kept');
    assert.match(mm.kernel, /^f32-/, 'MatMul runs a float32 kernel');
    assert.equal(r.contents.tensors[mm.inputs[1]!]!.dtype, 'float32', 'MatMul\'s weight is a float constant');
  });
});

describe('quantization ops: refusals', function () {
  this.timeout(60000);

  /** compileBytes refuses `bytes` with an SpcError whose message matches `re`. */
  function refuses(bytes: Uint8Array, re: RegExp): void {
    assert.throws(() => compileBytes(bytes, { name: 'bad' }), (e: Error) => {
      assert.ok(e instanceof SpcError, `not an SpcError: ${(e as Error).stack}`);
      assert.match(e.message, re);
      return true;
    });
  }
  const x = t('float32', [4, 7], values(28, -4, 4, 31, false));

  it('axis out of range, scale and zero-point shapes that do not fit, bad block_size and output_dtype: SpcErrors naming the node', () => {
    const q = (attrs: Record<string, Attr>, s: T, z?: T, xin = x) =>
      model(one('QuantizeLinear', ['x', 's', ...(z ? ['z'] : [])], attrs), { x: xin, s, ...(z ? { z } : {}) }, { y: z?.dtype ?? 'uint8' });
    refuses(q({ axis: 2 }, t('float32', [4], [1, 1, 1, 1])), /^bad: node 'q1' \(QuantizeLinear\): axis 2 is out of range for rank 2$/);
    refuses(q({ axis: -3 }, t('float32', [7], [1, 1, 1, 1, 1, 1, 1])), /^bad: node 'q1' \(QuantizeLinear\): axis -3 is out of range for rank 2$/);
    refuses(q({ axis: 0 }, t('float32', [7], [1, 1, 1, 1, 1, 1, 1])), /^bad: node 'q1' \(QuantizeLinear\): per-axis scale must have shape \[4\] \(axis 0 of \[4,7\]\), got \[7\]$/);
    refuses(q({ axis: 0 }, t('float32', [4], [1, 1, 1, 1]), t('int8', [2], [0, 0])), /^bad: node 'q1' \(QuantizeLinear\): zero point shape \[2\] differs from scale shape \[4\]$/);
    refuses(q({ axis: 1, block_size: 2 }, t('float32', [4, 3], new Array(12).fill(1))), /^bad: node 'q1' \(QuantizeLinear\): blocked scale \(block_size 2, axis 1 of \[4,7\]\) must have shape \[4,4\], got \[4,3\]$/);
    refuses(q({ block_size: -1 }, t('float32', [], [1])), /^bad: node 'q1' \(QuantizeLinear\): attribute 'block_size' -1 must be >= 0$/);
    refuses(q({ output_dtype: 6 }, t('float32', [], [1])), /^bad: node 'q1' \(QuantizeLinear\): output_dtype 6 is not supported/);
    refuses(q({ output_dtype: 3 }, t('float32', [], [1]), t('uint8', [], [0])), /^bad: node 'q1' \(QuantizeLinear\): output_dtype int8 differs from the zero point's dtype uint8$/);
    const dq = model(one('DequantizeLinear', ['x', 's', 'z'], { axis: 5 }), { x: t('int8', [4, 7], new Array(28).fill(0)), s: t('float32', [4], [1, 1, 1, 1]), z: t('uint8', [4], [0, 0, 0, 0]) }, { y: 'float32' });
    refuses(dq, /^bad: node 'q1' \(DequantizeLinear\): the zero point \(input 2\) has dtype uint8, its tensor has int8$/);
    const dqAxis = model(one('DequantizeLinear', ['x', 's'], { axis: 5 }), { x: t('int8', [4, 7], new Array(28).fill(0)), s: t('float32', [4], [1, 1, 1, 1]) }, { y: 'float32' });
    refuses(dqAxis, /^bad: node 'q1' \(DequantizeLinear\): axis 5 is out of range for rank 2$/);
    refuses(model(one('QuantizeLinear', ['x', 's'], { axis: 1, block_size: 7 }), { x, s: t('float32', [4, 1], [1, 1, 1, 1]) }, { y: 'uint8' }, {}, 19),
      /^bad: node 'q1' \(QuantizeLinear\): attribute 'block_size' needs opset 21, the model has opset 19$/);
    // Opset 10 has no axis: a 1-D scale is not its form.
    refuses(model(one('QuantizeLinear', ['x', 's']), { x, s: t('float32', [4], [1, 1, 1, 1]) }, { y: 'uint8' }, {}, 10), /^bad: node 'q1' \(QuantizeLinear\): before opset 13 the scale must be a scalar, got \[4\]$/);
  });

  it('QLinearConv / QLinearMatMul / MatMulInteger with per-channel parameters of the wrong length: SpcErrors naming the node', () => {
    const conv = (ws: T, b?: T) => {
      const feeds = {
        x: t('uint8', [1, 2, 4, 4], new Array(32).fill(1)), xs: t('float32', [], [1]), xz: t('uint8', [], [0]),
        w: t('int8', [3, 2, 1, 1], new Array(6).fill(1)), ws, wz: t('int8', [], [0]), ys: t('float32', [], [1]), yz: t('uint8', [], [0]), ...(b ? { b } : {}),
      };
      return model(one('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', ...(b ? ['b'] : [])]), feeds, { y: 'uint8' }, {}, 10);
    };
    refuses(conv(t('float32', [2], [1, 1])), /^bad: node 'q1' \(QLinearConv\): input 4 'ws' must have one element or 3 \(one per output channel\), got \[2\]$/);
    refuses(conv(t('float32', [], [1]), t('int32', [2], [0, 0])), /^bad: node 'q1' \(QLinearConv\): bias \(input 8\) must have shape \[3\], got \[2\]$/);
    const mm = model(one('QLinearMatMul', ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz']), {
      a: t('uint8', [2, 3], new Array(6).fill(1)), as: t('float32', [3], [1, 1, 1]), az: t('uint8', [], [0]),
      b: t('uint8', [3, 4], new Array(12).fill(1)), bs: t('float32', [], [1]), bz: t('uint8', [], [0]), ys: t('float32', [], [1]), yz: t('uint8', [], [0]),
    }, { y: 'uint8' }, {}, 10);
    refuses(mm, /^bad: node 'q1' \(QLinearMatMul\): input 1 'as' must have one element or 2 \(one per row of a\), got \[3\]$/);
    // float16 scales are opset 21's, and the three scales share one type.
    const mm16 = (opset: number, ys: T) => model(one('QLinearMatMul', ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz']), {
      a: t('uint8', [2, 3], new Array(6).fill(1)), as: f16([], [1]), az: t('uint8', [], [0]),
      b: t('uint8', [3, 4], new Array(12).fill(1)), bs: f16([], [1]), bz: t('uint8', [], [0]), ys, yz: t('uint8', [], [0]),
    }, { y: 'uint8' }, {}, opset);
    refuses(mm16(10, f16([], [1])), /^bad: node 'q1' \(QLinearMatMul\): the scale \(input 1\) has dtype float16, expected float32$/);
    refuses(mm16(21, t('float32', [], [1])), /^bad: node 'q1' \(QLinearMatMul\): the scale \(input 6\) has dtype float32, expected float16$/);
    const mi = model(one('MatMulInteger', ['a', 'b', 'za', 'zb']), {
      a: t('uint8', [2, 3], new Array(6).fill(1)), b: t('int8', [3, 4], new Array(12).fill(1)), za: t('uint8', [], [0]), zb: t('int8', [3], [0, 0, 0]),
    }, { y: 'int32' }, {}, 10);
    refuses(mi, /^bad: node 'q1' \(MatMulInteger\): input 3 'zb' must have one element or 4 \(one per column of B\), got \[3\]$/);
  });

  // The wasmsimd QuantizeLinear kernel runs the node; its ref kernel's checks refuse it, both named.
  it('a tampered artifact (QuantizeLinear axis 9, its per-axis scale cut to 2 elements) is refused at load naming the node', async () => {
    const s = t('float32', [4], [1, 2, 3, 4]);
    const q = compileBytes(model(one('QuantizeLinear', ['x', 's'], { axis: 0 }), { x, s }, { y: 'uint8' }), { name: 'q' }).artifact;
    const badAxis = reencodeArtifact(q, (a) => ({ ...a, nodes: a.nodes.map((n) => ({ ...n, attrs: { ...n.attrs, axis: 9 } })) }));
    await assert.rejects(loadModel(badAxis), (e: Error) => e instanceof RunError && /^node 'q1' \(kernel f32-quantizelinear-1x16-wasmsimd as f32-quantizelinear-1x1-ref\): axis 9 out of range for rank 2$/.test(e.message));
    const badScale = reencodeArtifact(q, (a) => ({ ...a, tensors: a.tensors.map((x, i) => (i === a.nodes[0]!.inputs[1] ? { ...x, shape: [2] } : x)) }));
    await assert.rejects(loadModel(badScale), (e: Error) => e instanceof RunError && /^node 'q1' \(kernel f32-quantizelinear-1x16-wasmsimd as f32-quantizelinear-1x1-ref\): per-axis scale must have shape \[4\] \(axis 0\), got \[2\]$/.test(e.message));
  });
});
