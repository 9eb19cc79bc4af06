// fuse-qdq: rewrites the QDQ patterns exporters write (DequantizeLinear → Conv/MatMul [→ Relu/Clip]
// → QuantizeLinear) into QLinearConv / QLinearMatMul, which run the int8 kernels, as onnxruntime's
// QDQ transformer does; and keeps int8 between quantized ops (DQ → Q pairs and data movement).

import type { Attr, Constant, Graph, Node, Value } from '../ir/graph.js';
import { attrFloat, attrInt, makeGraph, readersOf } from '../ir/graph.js';
import { GEMV_MAX_ROWS } from '../../runtime/kernels/wasm/int8-gemv.js';
import { quantizeValue, QUANT_RANGE } from '../../runtime/kernels/common/quant.js';
import type { DType } from '../../runtime/tensor.js';
import { clipBound } from './fuse-activation.js';
import type { Pass, PassContext, RewriteRule } from './pass.js';
import { applyRules, GraphEditor } from './pass.js';
import { fromWeightMatrix } from '../../runtime/sparse/layout.js';

/** A QuantizeLinear or DequantizeLinear's parameters, when they are constants spc can fuse. */
interface QParams {
  /** The quantized tensor's dtype (int8 or uint8). */
  readonly dtype: DType;
  readonly scale: Float32Array;
  readonly zero: readonly number[];
  /** The scale input's name (reused by the fused node when it is per tensor). */
  readonly scaleName: string;
  readonly zeroName: string;
  /** The axis the scales run along (normalized), or -1 per tensor. */
  readonly axis: number;
}

const INT8: ReadonlySet<string> = new Set(['int8', 'uint8']);

/**
 * The constant parameters of Q/DQ node `n` (float32 scales, int8/uint8 data, no blocks), per
 * axis along the quantized tensor's axis; undefined where any is not a constant.
 */
function qParams(n: Node, ed: GraphEditor): QParams | undefined {
  if (attrInt(n, 'block_size', 0) !== 0) return undefined;
  const s = ed.constant(n.inputs[1] ?? '');
  if (!s || s.dtype !== 'float32' || !(s.data instanceof Float32Array) || s.data.length === 0) return undefined;
  const zName = n.inputs[2] ?? '';
  const z = ed.constant(zName);
  if (zName !== '' && !z) return undefined;
  const q = ed.value(n.op === 'QuantizeLinear' ? n.outputs[0]! : n.inputs[0]!);
  if (q === undefined || !INT8.has(q.dtype)) return undefined;
  const zero = z ? Array.from(z.data as ArrayLike<number>, Number) : [0];
  if (zero.length !== s.data.length) return undefined;
  let axis = -1;
  if (s.data.length > 1) {
    const rank = q.shape?.length ?? ed.constant(q.name)?.shape.length;
    if (rank === undefined) return undefined;
    const a = attrInt(n, 'axis', 1);
    axis = a < 0 ? a + rank : a;
  }
  return { dtype: q.dtype, scale: s.data, zero, scaleName: n.inputs[1]!, zeroName: zName, axis };
}

const perTensor = (p: QParams): boolean => p.scale.length === 1;

/** Same scale and zero point, element for element, and the same quantized type. */
function sameParams(a: QParams, b: QParams): boolean {
  return a.dtype === b.dtype && a.scale.length === b.scale.length && a.axis === b.axis
    && a.scale.every((s, i) => s === b.scale[i]) && a.zero.every((z, i) => z === b.zero[i]);
}

/** The DequantizeLinear writing `name`, if any. */
function dqOf(name: string | undefined, ed: GraphEditor): Node | undefined {
  if (!name) return undefined;
  const p = ed.producer(name);
  return p?.op === 'DequantizeLinear' ? p : undefined;
}

/**
 * Whether clamping to [min, max] before quantizing with `y` changes nothing: the bounds quantize
 * to the type's own limits, so QuantizeLinear's saturation already does the clamp (Relu before a
 * Q whose zero point is the type's minimum; onnxruntime drops exactly these).
 */
function clampImplied(min: number, max: number, y: QParams): boolean {
  const [lo, hi] = QUANT_RANGE[y.dtype]!;
  const q = (v: number): number => quantizeValue(Math.fround(v / y.scale[0]!), y.zero[0]!, lo, hi);
  return q(min) === lo && q(max) === hi;
}

interface LinearMatch {
  readonly op: Node;
  /** The Relu/Clip between the op and the Q, dropped by the fusion. */
  readonly act?: Node;
  readonly x: { readonly dq: Node; readonly p: QParams };
  readonly w: { readonly dq: Node; readonly p: QParams };
  readonly y: QParams;
}

/** The weight's output axis as the fused op reads it: Conv [O, C/g, k…] axis 0, MatMul B [K, N] axis 1. */
const WEIGHT_OUT_AXIS: Readonly<Record<string, number>> = { Conv: 0, MatMul: 1 };

/** Matches DQ(x), DQ(w) → Conv/MatMul [→ Relu/Clip, or a fused epilogue] → Q, every parameter a constant. */
function matchLinear(q: Node, ed: GraphEditor): LinearMatch | undefined {
  const yName = q.inputs[0];
  if (!yName || !ed.hasSingleUse(yName)) return undefined;
  const y = qParams(q, ed);
  if (!y || !perTensor(y)) return undefined;
  let op = ed.producer(yName);
  let act: Node | undefined;
  let min = -Infinity, max = Infinity;
  if (op && (op.op === 'Relu' || op.op === 'Clip')) {
    act = op;
    const x = act.inputs[0];
    if (!x || !ed.hasSingleUse(x)) return undefined;
    if (act.op === 'Clip') {
      const lo = clipBound(act, ed, 1), hi = clipBound(act, ed, 2);
      if (lo === undefined || hi === undefined) return undefined;
      min = lo; max = hi;
    } else min = 0;
    op = ed.producer(x);
  }
  if (!op || WEIGHT_OUT_AXIS[op.op] === undefined || op.outputs[0] !== (act ? act.inputs[0] : yName)) return undefined;
  const epilogue = op.attrs['spc_activation'];
  if (epilogue) {
    if (act) return undefined;
    min = (op.attrs['spc_act_min'] as { value: number }).value;
    max = (op.attrs['spc_act_max'] as { value: number }).value;
  }
  if ((act || epilogue) && !clampImplied(min, max, y)) return undefined;
  const xdq = dqOf(op.inputs[0], ed), wdq = dqOf(op.inputs[1], ed);
  if (!xdq || !wdq || !ed.constant(wdq.inputs[0]!)) return undefined;
  const xp = qParams(xdq, ed);
  const wShape = ed.constant(wdq.inputs[0]!)!.shape;
  const wp = qParams(wdq, ed);
  if (!xp || !perTensor(xp) || !wp) return undefined;
  const outAxis = WEIGHT_OUT_AXIS[op.op]!;
  if (op.op === 'MatMul' && wShape.length !== 2) return undefined;
  if (op.op === 'Conv' && wShape.length < 3) return undefined;
  if (!perTensor(wp) && wp.axis !== outAxis) return undefined;
  // Integer kernels subtract one weight zero point per tensor (or per output channel for MatMul's B);
  // symmetric weights, as exporters write them, are the case that matters.
  if (op.op === 'Conv' && wp.zero.some((z) => z !== wp.zero[0])) return undefined;
  return { op, ...(act ? { act } : {}), x: { dq: xdq, p: xp }, w: { dq: wdq, p: wp }, y };
}

/** A fresh constant value in `ed`, named after `base`. */
function addConstant(ed: GraphEditor, base: string, c: Constant): string {
  const name = ed.freshName(base);
  ed.setValue({ name, dtype: c.dtype, shape: c.shape, constant: c });
  return name;
}

/**
 * The zero point input of a fused node: the Q/DQ's own, or a scalar 0 of its type where it had
 * none or all of its per-channel ones are 0 (QLinearConv/QLinearMatMul take a scalar beside
 * per-channel scales; the artifact then stores one byte, not one per channel).
 */
function zeroInput(ed: GraphEditor, p: QParams, base: string): string {
  if (p.zeroName !== '' && (p.zero.length === 1 || p.zero.some((z) => z !== 0))) return p.zeroName;
  return addConstant(ed, `${base}_zp`, { dtype: p.dtype, shape: [], data: p.dtype === 'int8' ? new Int8Array(1) : new Uint8Array(1) });
}

/**
 * The Conv's bias as QLinearConv reads it: int32 in units of x_scale · w_scale[c]. A float bias
 * (or a DequantizeLinear of one) is quantized to that grid, rounded half to even, as onnxruntime's
 * quantizer stores it; undefined when it is not a constant.
 */
function int32Bias(name: string | undefined, m: LinearMatch, ed: GraphEditor): Int32Array | undefined | null {
  if (!name) return null;
  let values: Float32Array;
  const dq = dqOf(name, ed);
  const c = ed.constant(dq ? dq.inputs[0]! : name);
  if (!c) return undefined;
  if (dq) {
    const s = ed.constant(dq.inputs[1] ?? ''), z = ed.constant(dq.inputs[2] ?? '');
    if (!s || s.dtype !== 'float32' || attrInt(dq, 'block_size', 0) !== 0) return undefined;
    const sd = s.data as Float32Array, zd = z ? Array.from(z.data as ArrayLike<number>, Number) : [0];
    values = Float32Array.from(c.data as ArrayLike<number>, (q, i) => Math.fround((Number(q) - zd[sd.length === 1 ? 0 : i]!) * sd[sd.length === 1 ? 0 : i]!));
  } else if (c.data instanceof Float32Array) values = c.data;
  else return undefined;
  const sx = m.x.p.scale[0]!, sw = m.w.p.scale;
  return Int32Array.from(values, (b, i) => quantizeValue(b / Math.fround(sx * sw[sw.length === 1 ? 0 : i]!), 0, -(2 ** 31), 2 ** 31 - 1));
}

const CONV_ATTRS = ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'];

/** Conv/MatMul between QDQ pairs → QLinearConv/QLinearMatMul reading the int8 tensors themselves. */
const linearBetweenQdq: RewriteRule<LinearMatch & { bias: Int32Array | null }> = {
  name: 'qdq-linear',
  ops: ['QuantizeLinear'],
  match(q, ed) {
    const m = matchLinear(q, ed);
    if (!m) return undefined;
    const bias = m.op.op === 'Conv' ? int32Bias(m.op.inputs[2], m, ed) : null;
    return bias === undefined ? undefined : { ...m, bias };
  },
  rewrite(q, m, ed) {
    const base = m.op.name;
    const xq = m.x.dq.inputs[0]!, wq = m.w.dq.inputs[0]!;
    const qargs = [xq, m.x.p.scaleName, zeroInput(ed, m.x.p, `${base}_x`), wq, m.w.p.scaleName, zeroInput(ed, m.w.p, `${base}_w`), q.inputs[1]!, zeroInput(ed, m.y, `${base}_y`)];
    const attrs: Record<string, Attr> = {};
    if (m.op.op === 'Conv') for (const k of CONV_ATTRS) if (m.op.attrs[k]) attrs[k] = m.op.attrs[k]!;
    if (m.bias) qargs.push(addConstant(ed, `${base}_bias_i32`, { dtype: 'int32', shape: [m.bias.length], data: m.bias }));
    const fused: Node = { name: base, op: m.op.op === 'Conv' ? 'QLinearConv' : 'QLinearMatMul', inputs: qargs, outputs: [q.outputs[0]!], attrs };
    const dropped = [m.op.outputs[0]!, ...(m.act ? [m.act.outputs[0]!] : [])];
    if (m.act) ed.removeNode(m.act);
    ed.removeNode(m.op);
    ed.replaceNode(q, fused);
    for (const v of dropped) ed.removeValue(v);
  },
};

/** Q(DQ(a)) with the same parameters is `a` itself: exact, so the pair goes (onnxruntime's double-QDQ removal). */
const dqThenQ: RewriteRule<Node> = {
  name: 'dq-q',
  ops: ['QuantizeLinear'],
  match(q, ed) {
    const dq = dqOf(q.inputs[0], ed);
    if (!dq || ed.isGraphOutput(q.outputs[0]!)) return undefined;
    const a = qParams(dq, ed), b = qParams(q, ed);
    return a && b && sameParams(a, b) ? dq : undefined;
  },
  rewrite(q, dq, ed) {
    const out = q.outputs[0]!;
    ed.removeNode(q);
    ed.replaceUses(out, dq.inputs[0]!);
    ed.removeValue(out);
  },
};

/**
 * Ops that only move or select elements: on the int8 codes they give the codes of their float
 * result, so DQ → op → Q with one set of per-tensor parameters runs the op on int8 directly.
 * MaxPool would qualify too (onnxruntime runs it on int8), but spc's only int8 MaxPool is the ref
 * kernel: resnet10_w32's stem pool took 9.05 ms on it against 14 ms for the whole int8 network,
 * so it stays float between its DQ and Q (both wasmsimd) until an int8 kernel exists.
 */
export const DATA_MOVEMENT = ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose'];

const movementBetweenQdq: RewriteRule<{ op: Node; dq: Node }> = {
  name: 'qdq-data-movement',
  ops: ['QuantizeLinear'],
  match(q, ed) {
    const y = q.inputs[0];
    if (!y || !ed.hasSingleUse(y)) return undefined;
    const op = ed.producer(y);
    if (!op || !DATA_MOVEMENT.includes(op.op) || op.outputs.length !== 1 && op.outputs.slice(1).some((o) => o !== '' && !ed.isUnused(o))) return undefined;
    const dq = dqOf(op.inputs[0], ed);
    if (!dq || ed.value(y)?.shape === undefined) return undefined;
    const a = qParams(dq, ed), b = qParams(q, ed);
    return a && b && perTensor(a) && sameParams(a, b) ? { op, dq } : undefined;
  },
  rewrite(q, m, ed) {
    const out = q.outputs[0]!, oldOut = m.op.outputs[0]!;
    ed.removeNode(q);
    ed.replaceNode(m.op, { ...m.op, inputs: [m.dq.inputs[0]!, ...m.op.inputs.slice(1)], outputs: [out] });
    ed.removeValue(oldOut);
  },
};

/** ONNX's TensorProto.FLOAT (Cast's `to`). */
const ONNX_FLOAT = 1;

/**
 * DQ(x), DQ(w) → Gemm/MatMul with a float output no QuantizeLinear reads (the layer writing the
 * logits), at most GEMV_MAX_ROWS rows of x: MatMulInteger(x, w [K, N]) → Cast → Mul by
 * fround(x_scale · w_scale[j]) [→ Add bias], onnxruntime's MatMulIntegerToFloat arithmetic in
 * standard ops (its DynamicQuantizeMatMul fusion reads this chain), so the int8 gemv runs the
 * product and the output stays float. x per tensor; w per tensor or per output column; a Gemm with
 * transA 0, alpha = beta = 1 and a constant float bias [N] (or none), transB's weight transposed to [K, N].
 * Returns the nodes to write in `n`'s place, or undefined.
 */
function floatOutputLinear(n: Node, g: Graph, ed: GraphEditor, consumers: ReadonlyMap<string, readonly Node[]>, add: (v: Value) => string): Node[] | undefined {
  if (n.op !== 'Gemm' && n.op !== 'MatMul') return undefined;
  const y = n.outputs[0]!, yv = g.values.get(y);
  if (yv?.dtype !== 'float32' || (consumers.get(y) ?? []).some((r) => r.op === 'QuantizeLinear') || n.attrs['spc_activation']) return undefined;
  const xdq = dqOf(n.inputs[0], ed), wdq = dqOf(n.inputs[1], ed);
  if (!xdq || !wdq) return undefined;
  const xp = qParams(xdq, ed), wp = qParams(wdq, ed), wc = ed.constant(wdq.inputs[0]!);
  const xs = g.values.get(n.inputs[0]!)?.shape;
  if (!xp || !wp || !wc || !perTensor(xp) || wp.dtype !== 'int8' || wc.shape.length !== 2 || !xs || xs.length !== 2 || typeof xs[0] !== 'number' || xs[0] > GEMV_MAX_ROWS) return undefined;
  const transB = n.op === 'Gemm' && attrInt(n, 'transB', 0) !== 0;
  let bias: Float32Array | undefined;
  if (n.op === 'Gemm') {
    if (attrInt(n, 'transA', 0) !== 0 || attrFloat(n, 'alpha', 1) !== 1 || attrFloat(n, 'beta', 1) !== 1) return undefined;
    if (n.inputs[2]) {
      const c = ed.constant(n.inputs[2]);
      if (!c || !(c.data instanceof Float32Array) || c.shape.length !== 1) return undefined;
      bias = c.data;
    }
  }
  const [k, cols] = transB ? [wc.shape[1]!, wc.shape[0]!] : [wc.shape[0]!, wc.shape[1]!];
  if (!perTensor(wp) && wp.axis !== (transB ? 0 : 1)) return undefined;
  if (bias && bias.length !== cols) return undefined;
  const codes = wc.data as Int8Array;
  // transB's [N, K] back to Gemm's [K, N]
  const kn = transB ? fromWeightMatrix('Gemm', [k, cols], false, codes) : codes;
  const base = n.name, m = xs[0];
  const w = add({ name: `${base}_wq`, dtype: 'int8', shape: [k, cols], constant: { dtype: 'int8', shape: [k, cols], data: kn } });
  const wz = perTensor(wp) || wp.zero.every((z) => z === 0)
    ? add({ name: `${base}_wq_zp`, dtype: 'int8', shape: [], constant: { dtype: 'int8', shape: [], data: Int8Array.of(wp.zero[0]!) } })
    : add({ name: `${base}_wq_zp`, dtype: 'int8', shape: [cols], constant: { dtype: 'int8', shape: [cols], data: Int8Array.from(wp.zero) } });
  const xs0 = xp.scale[0]!;
  const scale = add({ name: `${base}_scale`, dtype: 'float32', shape: [cols], constant: { dtype: 'float32', shape: [cols], data: Float32Array.from({ length: cols }, (_, j) => Math.fround(xs0 * wp.scale[perTensor(wp) ? 0 : j]!)) } });
  const acc = add({ name: `${base}_acc`, dtype: 'int32', shape: [m, cols] });
  const accF = add({ name: `${base}_acc_f`, dtype: 'float32', shape: [m, cols] });
  const scaled = bias ? add({ name: `${base}_scaled`, dtype: 'float32', shape: [m, cols] }) : y;
  const nodes: Node[] = [
    { name: base, op: 'MatMulInteger', inputs: [xdq.inputs[0]!, w, zeroInputOf(xdq, xp, ed, add, base), wz], outputs: [acc], attrs: {} },
    { name: `${base}_Cast`, op: 'Cast', inputs: [acc], outputs: [accF], attrs: { to: { kind: 'int', value: ONNX_FLOAT } } },
    { name: `${base}_Mul`, op: 'Mul', inputs: [accF, scale], outputs: [scaled], attrs: {} },
  ];
  if (bias) nodes.push({ name: `${base}_Add`, op: 'Add', inputs: [scaled, n.inputs[2]!], outputs: [y], attrs: {} });
  return nodes;
}

/** x's zero point input of MatMulInteger: the DQ's own, or a scalar 0 of its type. */
function zeroInputOf(dq: Node, p: QParams, ed: GraphEditor, add: (v: Value) => string, base: string): string {
  if (dq.inputs[2] && ed.constant(dq.inputs[2])) return dq.inputs[2];
  return add({ name: `${base}_x_zp`, dtype: p.dtype, shape: [], constant: { dtype: p.dtype, shape: [], data: p.dtype === 'int8' ? new Int8Array(1) : new Uint8Array(1) } });
}

/** Writes floatOutputLinear's chains in place of their Gemm/MatMul (several nodes for one: not a slot rewrite). */
function fuseFloatOutputs(g: Graph): Graph {
  if (!g.nodes.some((n) => n.op === 'Gemm' || n.op === 'MatMul')) return g;
  const ed = new GraphEditor(g);
  const consumers = readersOf(g);
  const values = new Map(g.values);
  const add = (v: Value): string => {
    let name = v.name;
    for (let i = 1; values.has(name); i++) name = `${v.name}_${i}`;
    values.set(name, { ...v, name });
    return name;
  };
  let changed = false;
  const nodes = g.nodes.flatMap((n) => {
    const chain = floatOutputLinear(n, g, ed, consumers, add);
    if (!chain) return [n];
    changed = true;
    return chain;
  });
  return changed ? makeGraph({ ...g, nodes, values: values.values() }) : g;
}

/**
 * Fuses QDQ patterns into the int8 ops, as onnxruntime's QDQ transformer does:
 * - DQ(x), DQ(w) [, bias] → Conv/MatMul [→ Relu/Clip the Q's saturation implies] → Q becomes a
 *   QLinearConv (bias quantized to int32 at x_scale · w_scale) or QLinearMatMul reading x's and w's
 *   int8 tensors; a DQ whose output other nodes also read stays for them.
 * - Q(DQ(a)) with equal parameters becomes a; DQ → Reshape/Flatten/… → Q with equal per-tensor
 *   parameters runs the op on the int8 tensor.
 * - DQ(x), DQ(w) → Gemm/MatMul with a float output no Q reads and at most 4 rows of x becomes
 *   MatMulInteger → Cast → Mul [→ Add]: the int8 gemv, float logits (floatOutputLinear).
 * Not fused: per-axis activations, an op output read elsewhere, non-constant parameters, weights
 * per axis along another axis than the output channel, a Relu/Clip the Q does not imply.
 *
 * Preconditions: none (runs before folding, while the weights' DequantizeLinear are still there).
 * Postconditions: the graph computes what onnxruntime's fused graph computes.
 */
export const fuseQdq: Pass = {
  name: 'fuse-qdq',
  summary: 'fuse DequantizeLinear → Conv/MatMul → QuantizeLinear into QLinearConv/QLinearMatMul',
  run(graph: Graph, ctx: PassContext): Graph {
    return fuseFloatOutputs(applyRules(graph, [linearBetweenQdq, movementBetweenQdq, dqThenQ], ctx));
  },
};
