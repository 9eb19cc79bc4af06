// Static shape and dtype inference: one rule per op type (the table at the bottom), plus
// `inferShapes`, which walks a graph in topological order and annotates every node output.
// Unknown shapes stay `undefined`; constant folding (elsewhere) resolves them on a later round.

import { echoJoin, echoList } from '../echo.js';
import { SpcError } from '../errors.js';
import { RECURRENT_RULES } from './shape-rules/recurrent.js';
import type { Constant, Dim, DType, Graph, Node, Value } from '../ir/graph.js';
import { attrInt, attrInts, attrString, makeGraph } from '../ir/graph.js';
import type { Out, Rule, Shape, ValueInfo } from './shape-rules/rule.js';
import { broadcast, constantInts, dimAdd, elementwise, fmt, product, RuleCtx, sameAsInput, UNKNOWN } from './shape-rules/rule.js';
import { quantizationRules } from './shape-rules/quantization.js';
import { ELEMENTWISE_RULES } from './shape-rules/elementwise.js';
import { DATA_MOVEMENT_RULES } from './shape-rules/data-movement.js';
import { REDUCE_AND_INDEX_RULES } from './shape-rules/reduce.js';
import { CONTROL_RULES } from './shape-rules/control.js';

export type { ValueInfo } from './shape-rules/rule.js';
export { constantInts } from './shape-rules/rule.js';

// ---- convolution and pooling ----------------------------------------------------------------

interface Window { kernel: readonly number[]; strides: number[]; dilations: number[]; pads: number[]; autoPad: string }

function windowAttrs(c: RuleCtx, spatial: number, kernel: readonly number[]): Window {
  const strides = [...(attrInts(c.node, 'strides') ?? new Array<number>(spatial).fill(1))];
  const dilations = [...(attrInts(c.node, 'dilations') ?? new Array<number>(spatial).fill(1))];
  const pads = [...(attrInts(c.node, 'pads') ?? new Array<number>(2 * spatial).fill(0))];
  if (kernel.length !== spatial) c.fail(`kernel has ${kernel.length} spatial dims, input has ${spatial}`);
  if (strides.length !== spatial) c.fail(`'strides' has ${strides.length} values, expected ${spatial}`);
  if (dilations.length !== spatial) c.fail(`'dilations' has ${dilations.length} values, expected ${spatial}`);
  if (pads.length !== 2 * spatial) c.fail(`'pads' has ${pads.length} values, expected ${2 * spatial}`);
  // Sizes the kernels index with (the runtime refuses them too): no empty or negative windows, steps or pads.
  if (kernel.some((k) => k < 1)) c.fail(`kernel size [${kernel.join(',')}] must be >= 1 on every axis`);
  if (strides.some((s) => s < 1)) c.fail(`'strides' [${strides.join(',')}] must be >= 1`);
  if (dilations.some((d) => d < 1)) c.fail(`'dilations' [${dilations.join(',')}] must be >= 1`);
  if (pads.some((p) => p < 0)) c.fail(`'pads' [${pads.join(',')}] must be >= 0`);
  return { kernel, strides, dilations, pads, autoPad: attrString(c.node, 'auto_pad', 'NOTSET') };
}

function windowOut(c: RuleCtx, w: Window, i: number, inDim: Dim, ceilMode: boolean): Dim {
  if (typeof inDim !== 'number') return UNKNOWN;
  const s = w.strides[i]!;
  const eff = (w.kernel[i]! - 1) * w.dilations[i]! + 1;
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return Math.ceil(inDim / s);
  const padded = w.autoPad === 'VALID' ? inDim : inDim + w.pads[i]! + w.pads[i + w.kernel.length]!;
  const span = padded - eff;
  if (span < 0) c.fail(`window ${eff} is larger than padded input ${padded} on spatial axis ${i}`);
  let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // A window may not start inside the end padding only (ONNX Runtime and PyTorch agree).
  if (ceilMode && w.autoPad !== 'VALID' && (out - 1) * s >= inDim + w.pads[i]!) out--;
  return out;
}

const conv: Rule = (c: RuleCtx) => {
  const x = c.in(0); const wt = c.in(1);
  const xs = x.shape; const ws = wt.shape;
  if (!xs || !ws) return [{ dtype: x.dtype }];
  if (xs.length < 3) c.fail(`input must have rank >= 3, got ${fmt(xs)}`);
  if (ws.length !== xs.length) c.fail(`weight ${fmt(ws)} and input ${fmt(xs)} ranks differ`);
  const group = attrInt(c.node, 'group', 1);
  const cin = xs[1]!; const wc = ws[1]!;
  if (typeof cin === 'number' && typeof wc === 'number' && cin !== wc * group) {
    c.fail(`input has ${cin} channels but weight ${fmt(ws)} with group ${group} expects ${wc * group}`);
  }
  const kernel = attrInts(c.node, 'kernel_shape') ?? ws.slice(2).map((d) => (typeof d === 'number' ? d : NaN));
  if (kernel.some((k) => Number.isNaN(k))) return [{ dtype: x.dtype }];
  const w = windowAttrs(c, xs.length - 2, kernel);
  const spatial = xs.slice(2).map((d, i) => windowOut(c, w, i, d, false));
  return [{ dtype: x.dtype, shape: [xs[0]!, ws[0]!, ...spatial] }];
};

const convTranspose: Rule = (c: RuleCtx) => {
  const x = c.in(0); const wt = c.in(1);
  const xs = x.shape; const ws = wt.shape;
  if (!xs || !ws) return [{ dtype: x.dtype }];
  if (xs.length < 3 || ws.length !== xs.length) c.fail(`input ${fmt(xs)} and weight ${fmt(ws)} are incompatible`);
  const group = attrInt(c.node, 'group', 1);
  const n = xs.length - 2;
  const cout: Dim = typeof ws[1] === 'number' ? ws[1] * group : UNKNOWN;
  const kernel = attrInts(c.node, 'kernel_shape') ?? ws.slice(2).map((d) => (typeof d === 'number' ? d : NaN));
  const w = windowAttrs(c, n, kernel);
  const outPad = attrInts(c.node, 'output_padding') ?? new Array<number>(n).fill(0);
  const outShape = attrInts(c.node, 'output_shape');
  const spatial: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const d = xs[i + 2]!;
    if (outShape) { spatial.push(outShape[outShape.length - n + i]!); continue; }
    if (typeof d !== 'number' || Number.isNaN(kernel[i]!)) { spatial.push(UNKNOWN); continue; }
    const s = w.strides[i]!;
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') { spatial.push(d * s); continue; }
    const eff = (kernel[i]! - 1) * w.dilations[i]! + 1;
    const pads = w.autoPad === 'VALID' ? 0 : w.pads[i]! + w.pads[i + n]!;
    spatial.push(s * (d - 1) + outPad[i]! + eff - pads);
  }
  return [{ dtype: x.dtype, shape: [xs[0]!, cout, ...spatial] }];
};

const pool: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  const kernel = attrInts(c.node, 'kernel_shape');
  if (!kernel) c.fail(`missing attribute 'kernel_shape'`);
  const outs: Out[] = [{ dtype: x.dtype }];
  if (c.node.outputs.length > 1) outs.push({ dtype: 'int64' });
  if (!xs) return outs;
  if (xs.length !== kernel.length + 2) c.fail(`input ${fmt(xs)} does not match kernel_shape ${echoList(kernel)}`);
  const w = windowAttrs(c, kernel.length, kernel);
  const ceil = attrInt(c.node, 'ceil_mode', 0) === 1;
  const shape = [xs[0]!, xs[1]!, ...xs.slice(2).map((d, i) => windowOut(c, w, i, d, ceil))];
  return outs.map((o) => ({ ...o, shape }));
};

const globalPool: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  if (!xs) return [{ dtype: x.dtype }];
  if (xs.length < 3) c.fail(`input must have rank >= 3, got ${fmt(xs)}`);
  return [{ dtype: x.dtype, shape: [xs[0]!, xs[1]!, ...xs.slice(2).map(() => 1)] }];
};

// ---- linear algebra -------------------------------------------------------------------------

const gemm: Rule = (c: RuleCtx) => {
  const a = c.in(0); const b = c.in(1);
  const as = a.shape; const bs = b.shape;
  if (!as || !bs) return [{ dtype: a.dtype }];
  if (as.length !== 2 || bs.length !== 2) c.fail(`A ${fmt(as)} and B ${fmt(bs)} must both be 2-D`);
  const ta = attrInt(c.node, 'transA', 0); const tb = attrInt(c.node, 'transB', 0);
  const [m, ka] = ta ? [as[1]!, as[0]!] : [as[0]!, as[1]!];
  const [kb, n] = tb ? [bs[1]!, bs[0]!] : [bs[0]!, bs[1]!];
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) {
    c.fail(`inner dimensions differ: A ${fmt(as)}${ta ? 'ᵀ' : ''} × B ${fmt(bs)}${tb ? 'ᵀ' : ''}`);
  }
  const shape: Shape = [m, n];
  const cs = c.shape(2);
  if (cs) broadcast(c, [shape, cs]);
  return [{ dtype: a.dtype, shape }];
};

const matmul: Rule = (c: RuleCtx) => {
  const a = c.in(0); const b = c.in(1);
  let as = a.shape; let bs = b.shape;
  if (!as || !bs) return [{ dtype: a.dtype }];
  if (as.length === 0 || bs.length === 0) c.fail(`operands must not be scalars`);
  const aVec = as.length === 1; const bVec = bs.length === 1;
  if (aVec) as = [1, as[0]!];
  if (bVec) bs = [bs[0]!, 1];
  const ka = as[as.length - 1]!; const kb = bs[bs.length - 2]!;
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) c.fail(`inner dimensions differ: ${fmt(a.shape)} × ${fmt(b.shape)}`);
  const batch = broadcast(c, [as.slice(0, -2), bs.slice(0, -2)]);
  const shape: Dim[] = [...batch];
  if (!aVec) shape.push(as[as.length - 2]!);
  if (!bVec) shape.push(bs[bs.length - 1]!);
  return [{ dtype: a.dtype, shape }];
};

// ---- reductions and normalisation -----------------------------------------------------------

const batchNorm: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const outs: Out[] = [{ dtype: x.dtype, shape: x.shape }];
  const cs = x.shape && x.shape.length > 1 ? [x.shape[1]!] : undefined;
  for (let i = 1; i < c.node.outputs.length; i++) outs.push({ dtype: x.dtype, shape: cs });
  return outs;
};

const layerNorm: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  const outs: Out[] = [{ dtype: x.dtype, shape: xs }];
  let statShape: Shape | undefined;
  if (xs) {
    const axis = c.axis(attrInt(c.node, 'axis', -1), xs.length);
    statShape = xs.map((d, i) => (i < axis ? d : 1));
  }
  // Mean and InvStdDev are computed in stash_type (float32 unless stated).
  const stash = attrInt(c.node, 'stash_type', 1) === 11 ? 'float64' : 'float32';
  for (let i = 1; i < c.node.outputs.length; i++) outs.push({ dtype: stash, shape: statShape });
  return outs;
};

// ---- shape manipulation ---------------------------------------------------------------------

const transpose: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  if (!xs) return [{ dtype: x.dtype }];
  const perm = attrInts(c.node, 'perm') ?? xs.map((_, i) => xs.length - 1 - i);
  if (perm.length !== xs.length || new Set(perm).size !== perm.length || perm.some((p) => p < 0 || p >= xs.length)) {
    c.fail(`perm ${echoList(perm)} is not a permutation of rank ${xs.length}`);
  }
  return [{ dtype: x.dtype, shape: perm.map((p) => xs[p]!) }];
};

const reshape: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  c.in(1);
  const target = c.opset < 5 ? attrInts(c.node, 'shape') : c.ints(1);
  const xs = x.shape;
  if (!target) return [{ dtype: x.dtype }];
  const allowZero = attrInt(c.node, 'allowzero', 0) === 1;
  const shape: Dim[] = [];
  let inferAt = -1;
  target.forEach((t, i) => {
    if (t === -1) {
      if (inferAt >= 0) c.fail(`shape ${echoList(target)} has more than one -1`);
      inferAt = i;
      shape.push(UNKNOWN);
    } else if (t === 0 && !allowZero) {
      if (!xs) shape.push(UNKNOWN);
      else if (i >= xs.length) c.fail(`shape ${echoList(target)} copies dimension ${i} of input ${fmt(xs)}, which has none`);
      else shape.push(xs[i]!);
    } else if (t < -1) c.fail(`shape ${echoList(target)} has negative dimension ${t}`);
    else shape.push(t);
  });
  const inTotal = xs ? product(xs) : UNKNOWN;
  if (inferAt >= 0) {
    const rest = product(shape.filter((_, i) => i !== inferAt));
    if (typeof inTotal === 'number' && typeof rest === 'number') {
      if (rest === 0 || inTotal % rest !== 0) c.fail(`cannot reshape ${fmt(xs)} to ${echoList(target)}`);
      shape[inferAt] = inTotal / rest;
    }
  } else {
    const outTotal = product(shape);
    if (typeof inTotal === 'number' && typeof outTotal === 'number' && inTotal !== outTotal) {
      c.fail(`cannot reshape ${fmt(xs)} (${inTotal} elements) to ${echoList(target)} (${outTotal} elements)`);
    }
  }
  return [{ dtype: x.dtype, shape }];
};

const flatten: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  if (!xs) return [{ dtype: x.dtype }];
  let axis = attrInt(c.node, 'axis', 1);
  if (axis < -xs.length || axis > xs.length) c.fail(`axis ${axis} is out of range for rank ${xs.length}`);
  if (axis < 0) axis += xs.length;
  return [{ dtype: x.dtype, shape: [product(xs.slice(0, axis)), product(xs.slice(axis))] }];
};

const concat: Rule = (c: RuleCtx) => {
  const ins = c.node.inputs.length === 0 ? [c.in(0)] : c.node.inputs.map((_, i) => c.in(i)); // none at all: 'missing required input 0'
  const dtype = ins[0]!.dtype;
  const shapes = ins.map((v) => v.shape);
  if (shapes.some((s) => s === undefined)) return [{ dtype }];
  const ss = shapes as Shape[];
  const rank = ss[0]!.length;
  const axis = c.axis(attrInt(c.node, 'axis', 0), rank);
  const shape: Dim[] = [...ss[0]!];
  for (let k = 1; k < ss.length; k++) {
    const s = ss[k]!;
    if (s.length !== rank) c.fail(`inputs have ranks ${rank} and ${s.length}`);
    for (let i = 0; i < rank; i++) {
      if (i === axis) {
        const a = shape[i]!; const b = s[i]!;
        shape[i] = typeof a === 'number' && typeof b === 'number' ? a + b : UNKNOWN;
      } else if (typeof shape[i] === 'number' && typeof s[i] === 'number' && shape[i] !== s[i]) {
        c.fail(`input shapes ${echoJoin(ss.map(fmt), ', ')} differ outside axis ${axis}`);
      } else if (typeof shape[i] !== 'number') shape[i] = s[i]!;
    }
  }
  return [{ dtype, shape }];
};

/** Number of elements ONNX Slice selects from a dim of size `d`. */
function sliceCount(d: number, start: number, end: number, step: number): number {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  if (start < 0) start += d;
  if (end < 0) end += d;
  if (step > 0) {
    start = clamp(start, 0, d); end = clamp(end, 0, d);
    return Math.max(0, Math.ceil((end - start) / step));
  }
  start = clamp(start, 0, d - 1); end = clamp(end, -1, d - 1);
  return Math.max(0, Math.ceil((end - start) / step));
}

const slice: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  let starts: readonly number[] | undefined; let ends: readonly number[] | undefined;
  let axes: readonly number[] | undefined; let steps: readonly number[] | undefined;
  if (c.opset < 10) {
    starts = attrInts(c.node, 'starts'); ends = attrInts(c.node, 'ends'); axes = attrInts(c.node, 'axes');
    if (!starts || !ends) c.fail(`missing 'starts' or 'ends' attribute`);
  } else {
    c.in(1); c.in(2);
    starts = c.ints(1); ends = c.ints(2);
    if (c.has(3)) { axes = c.ints(3); if (!axes) return [{ dtype: x.dtype }]; }
    if (c.has(4)) { steps = c.ints(4); if (!steps) return [{ dtype: x.dtype }]; }
  }
  if (!xs || !starts || !ends) return [{ dtype: x.dtype }];
  const n = starts.length;
  if (ends.length !== n || (axes && axes.length !== n) || (steps && steps.length !== n)) {
    c.fail(`starts/ends/axes/steps have different lengths`);
  }
  const shape: Dim[] = [...xs];
  for (let k = 0; k < n; k++) {
    const ax = c.axis(axes ? axes[k]! : k, xs.length, 'axes value');
    const step = steps ? steps[k]! : 1;
    if (step === 0) c.fail(`step 0 on axis ${ax}`);
    const d = xs[ax]!;
    shape[ax] = typeof d === 'number' ? sliceCount(d, starts[k]!, ends[k]!, step) : UNKNOWN;
  }
  return [{ dtype: x.dtype, shape }];
};

const gather: Rule = (c: RuleCtx) => {
  const x = c.in(0); const idx = c.in(1);
  const xs = x.shape; const is = idx.shape;
  if (!xs || !is) return [{ dtype: x.dtype }];
  const axis = c.axis(attrInt(c.node, 'axis', 0), xs.length);
  const d = xs[axis]!;
  const values = c.ints(1);
  if (values && typeof d === 'number') {
    for (const v of values) if (v < -d || v >= d) c.fail(`index ${v} is out of range for dimension ${d}`);
  }
  return [{ dtype: x.dtype, shape: [...xs.slice(0, axis), ...is, ...xs.slice(axis + 1)] }];
};

const shapeOp: Rule = (c: RuleCtx) => {
  const xs = c.in(0).shape;
  if (!xs) return [{ dtype: 'int64' }];
  const r = xs.length;
  const norm = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = c.opset >= 15 ? norm(attrInt(c.node, 'start', 0)) : 0;
  const end = c.opset >= 15 ? norm(attrInt(c.node, 'end', r)) : r;
  return [{ dtype: 'int64', shape: [Math.max(0, end - start)] }];
};

function axesFrom(c: RuleCtx, firstInputOpset: number): readonly number[] | undefined | 'unknown' {
  if (c.opset >= firstInputOpset) {
    if (!c.has(1)) return undefined;
    return c.ints(1) ?? 'unknown';
  }
  return attrInts(c.node, 'axes');
}

const squeeze: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  const axes = axesFrom(c, 13);
  if (!xs || axes === 'unknown') return [{ dtype: x.dtype }];
  if (!axes) {
    if (xs.some((d) => typeof d !== 'number')) return [{ dtype: x.dtype }];
    return [{ dtype: x.dtype, shape: xs.filter((d) => d !== 1) }];
  }
  const drop = new Set(axes.map((a) => c.axis(a, xs.length, 'axes value')));
  for (const a of drop) {
    if (typeof xs[a] === 'number' && xs[a] !== 1) c.fail(`cannot squeeze axis ${a} of shape ${fmt(xs)}`);
  }
  return [{ dtype: x.dtype, shape: xs.filter((_, i) => !drop.has(i)) }];
};

const unsqueeze: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  const axes = axesFrom(c, 13);
  if (axes === undefined) c.fail(`missing axes`);
  if (!xs || axes === 'unknown') return [{ dtype: x.dtype }];
  const rank = xs.length + axes.length;
  const ins = new Set(axes.map((a) => c.axis(a, rank, 'axes value')));
  if (ins.size !== axes.length) c.fail(`duplicate axes ${echoList(axes)}`);
  const shape: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(ins.has(i) ? 1 : xs[k++]!);
  return [{ dtype: x.dtype, shape }];
};

const expand: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  c.in(1);
  const target = c.ints(1);
  if (!x.shape || !target) return [{ dtype: x.dtype }];
  return [{ dtype: x.dtype, shape: broadcast(c, [x.shape, target]) }];
};

const split: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  const n = c.node.outputs.length;
  const unknown = c.node.outputs.map(() => ({ dtype: x.dtype }));
  let sizes: readonly number[] | undefined;
  if (c.opset >= 13 && c.has(1)) {
    sizes = c.ints(1);
    if (!sizes) return unknown;
  } else if (c.opset < 13) sizes = attrInts(c.node, 'split');
  if (!xs) return unknown;
  const axis = c.axis(attrInt(c.node, 'axis', 0), xs.length);
  const d = xs[axis]!;
  if (!sizes) {
    if (typeof d !== 'number') return c.node.outputs.map(() => ({ dtype: x.dtype, shape: xs.map((e, i) => (i === axis ? UNKNOWN : e)) }));
    const parts = c.opset >= 18 ? attrInt(c.node, 'num_outputs', n) : n;
    if (parts !== n) c.fail(`num_outputs ${parts} but the node has ${n} outputs`);
    if (c.opset >= 18) {
      const chunk = Math.ceil(d / n);
      sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, d - i * chunk)));
    } else {
      if (d % n !== 0) c.fail(`dimension ${d} cannot be split evenly into ${n} outputs`);
      sizes = new Array<number>(n).fill(d / n);
    }
  }
  if (sizes.length !== n) c.fail(`split has ${sizes.length} sizes for ${n} outputs`);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (typeof d === 'number' && total !== d) c.fail(`split sizes ${echoList(sizes)} sum to ${total}, dimension is ${d}`);
  return sizes.map((s) => ({ dtype: x.dtype, shape: xs.map((e, i) => (i === axis ? s : e)) }));
};

const pad: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  const value = c.node.attrs['value'];
  if (value && value.kind !== 'float' && value.kind !== 'int') c.fail(`attribute 'value' must be a number, got ${value.kind}`);
  let pads: readonly number[] | undefined;
  if (c.opset < 11) pads = attrInts(c.node, 'pads') ?? attrInts(c.node, 'paddings');
  else { c.in(1); pads = c.ints(1); }
  if (!xs || !pads) return [{ dtype: x.dtype }];
  let axes: number[] = xs.map((_, i) => i);
  if (c.opset >= 18 && c.has(3)) {
    const a = c.ints(3);
    if (!a) return [{ dtype: x.dtype }];
    axes = a.map((v) => c.axis(v, xs.length, 'axes value'));
  }
  if (pads.length !== 2 * axes.length) c.fail(`pads has ${pads.length} values, expected ${2 * axes.length}`);
  const shape: Dim[] = [...xs];
  axes.forEach((ax, k) => {
    const d = dimAdd(shape[ax]!, pads[k]! + pads[k + axes.length]!);
    if (typeof d === 'number' && d < 0) c.fail(`pads make axis ${ax} negative`);
    shape[ax] = d;
  });
  return [{ dtype: x.dtype, shape }];
};

const cast: Rule = (c: RuleCtx) => {
  const to = attrInt(c.node, 'to');
  if (to === undefined) c.fail(`missing attribute 'to'`);
  const dtype = ONNX_DTYPES[to];
  if (!dtype) {
    const name = ({ 8: 'string', 16: 'bfloat16' } as Readonly<Record<number, string>>)[to];
    c.fail(`unsupported target type ${name ? `${name} (${to})` : to}`);
  }
  return [{ dtype, shape: c.in(0).shape }];
};

const where: Rule = (c: RuleCtx) => {
  const ins = [c.in(0), c.in(1), c.in(2)];
  if (ins.some((v) => !v.shape)) return [{ dtype: ins[1]!.dtype }];
  return [{ dtype: ins[1]!.dtype, shape: broadcast(c, ins.map((v) => v.shape!)) }];
};

const dropout: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const outs: Out[] = [{ dtype: x.dtype, shape: x.shape }];
  if (c.node.outputs.length > 1) outs.push({ dtype: 'bool', shape: x.shape });
  return outs;
};

const resize: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  // Opset 10: (X, scales); opset 11+: (X, roi, scales, sizes).
  const scalesAt = c.opset >= 11 ? 2 : 1;
  const sizes = c.opset >= 11 && c.has(3) ? c.ints(3) : undefined;
  const scales = c.has(scalesAt) ? c.floats(scalesAt) : undefined;
  if (!xs) return [{ dtype: x.dtype }];
  if (sizes && sizes.length > 0) {
    if (sizes.length !== xs.length) c.fail(`sizes has ${sizes.length} values for rank ${xs.length}`);
    return [{ dtype: x.dtype, shape: sizes }];
  }
  if (scales && scales.length > 0) {
    if (scales.length !== xs.length) c.fail(`scales has ${scales.length} values for rank ${xs.length}`);
    return [{ dtype: x.dtype, shape: xs.map((d, i) => (typeof d === 'number' ? Math.floor(d * scales[i]!) : UNKNOWN)) }];
  }
  return [{ dtype: x.dtype }];
};

const constantOp: Rule = (c: RuleCtx) => {
  const a = c.node.attrs['value'];
  if (a?.kind === 'tensor') return [{ dtype: a.value.dtype, shape: a.value.shape }];
  if (c.node.attrs['value_float'] || c.node.attrs['value_int']) return [{ dtype: c.node.attrs['value_int'] ? 'int64' : 'float32', shape: [] }];
  const list = c.node.attrs['value_floats'] ?? c.node.attrs['value_ints'];
  if (list && (list.kind === 'floats' || list.kind === 'ints')) return [{ dtype: list.kind === 'ints' ? 'int64' : 'float32', shape: [list.value.length] }];
  c.fail(`unsupported Constant attribute`);
};


/** ONNX TensorProto.DataType codes spc represents. */
export const ONNX_DTYPES: Readonly<Record<number, DType>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64',
  12: 'uint32', 13: 'uint64',
};

const RULES: Readonly<Record<string, Rule>> = {
  Conv: conv, ConvTranspose: convTranspose, Gemm: gemm, MatMul: matmul,
  Relu: sameAsInput, Clip: sameAsInput, HardSigmoid: sameAsInput, Sigmoid: sameAsInput, Tanh: sameAsInput,
  Exp: sameAsInput, LeakyRelu: sameAsInput, Erf: sameAsInput, HardSwish: sameAsInput, Gelu: sameAsInput,
  Sqrt: sameAsInput, Identity: sameAsInput,
  Mul: elementwise(), Add: elementwise(), Sub: elementwise(), Div: elementwise(), Pow: elementwise(),
  Equal: elementwise('bool'), Where: where,
  BatchNormalization: batchNorm, LayerNormalization: layerNorm,
  Transpose: transpose, Reshape: reshape, Flatten: flatten, Concat: concat, Slice: slice, Gather: gather,
  Shape: shapeOp, Squeeze: squeeze, Unsqueeze: unsqueeze, Expand: expand, Split: split, Pad: pad, Cast: cast,
  GlobalAveragePool: globalPool, GlobalMaxPool: globalPool, MaxPool: pool, AveragePool: pool,
  Dropout: dropout, Resize: resize, Constant: constantOp,
  ...quantizationRules({ conv, matmul }),
  ...ELEMENTWISE_RULES,
  ...DATA_MOVEMENT_RULES,
  ...REDUCE_AND_INDEX_RULES,
  ...RECURRENT_RULES,
  ...CONTROL_RULES,
};

/** Op types spc can import (Constant is folded away by the importer and not listed). */
export const SUPPORTED_OPS: ReadonlySet<string> = new Set(Object.keys(RULES).filter((op) => op !== 'Constant'));

/** Output dtype/shape of one node; shape undefined when it depends on a value not known at compile time. Throws SpcError naming the node on inconsistent inputs. */
export function inferNode(node: Node, inputs: readonly (ValueInfo | undefined)[], opset: number): { dtype: DType; shape?: readonly Dim[] }[] {
  const rule = RULES[node.op];
  if (!rule) throw new SpcError(`node '${node.name}': unsupported operator ${node.op}`);
  let outs: Out[];
  try {
    outs = rule(new RuleCtx(node, inputs, opset));
  } catch (e) {
    // The IR's attribute accessors throw plain Errors naming the node; a wrongly typed attribute is bad input.
    if (e instanceof Error && !(e instanceof SpcError) && /attribute '/.test(e.message)) throw new SpcError(e.message);
    throw e;
  }
  if (outs.length < node.outputs.length) {
    throw new SpcError(`node '${node.name}' (${node.op}): has ${node.outputs.length} outputs, at most ${outs.length} supported`);
  }
  return outs.slice(0, node.outputs.length);
}

// ---- graph walk with shape-data propagation -------------------------------------------------

/**
 * Small integer tensors derived from shapes (Shape → Gather → Add → Concat ...), evaluated here so
 * that a Reshape or Slice fed by such a chain gets a shape before constant folding has run.
 * They are only lent to inferNode as constants; the graph keeps them as computed values.
 */
interface Known { shape: readonly number[]; data: number[] }

const MAX_KNOWN = 64;

function propagate(n: Node, ins: readonly (ValueInfo | undefined)[], known: readonly (Known | undefined)[], opset: number): Known | undefined {
  const k0 = known[0];
  switch (n.op) {
    case 'Shape': {
      const s = ins[0]?.shape;
      if (!s) return undefined;
      const r = s.length;
      const norm = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
      const start = opset >= 15 ? norm(attrInt(n, 'start', 0)) : 0;
      const end = opset >= 15 ? norm(attrInt(n, 'end', r)) : r;
      const dims = s.slice(start, end);
      if (!dims.every((d): d is number => typeof d === 'number')) return undefined;
      return { shape: [dims.length], data: dims };
    }
    case 'Identity': case 'Cast':
      if (n.op === 'Cast' && !['int64', 'int32'].includes(ONNX_DTYPES[attrInt(n, 'to', 0)] ?? '')) return undefined;
      return k0;
    case 'Gather': {
      const idx = known[1];
      if (!k0 || !idx || k0.shape.length !== 1) return undefined;
      const d = k0.data.length;
      const data = idx.data.map((i) => k0.data[i < 0 ? i + d : i]);
      if (data.some((v) => v === undefined)) return undefined;
      return { shape: idx.shape, data: data as number[] };
    }
    case 'Concat': {
      if (known.some((k) => !k || k.shape.length !== 1) || known.length === 0) return undefined;
      const data = known.flatMap((k) => k!.data);
      return { shape: [data.length], data };
    }
    case 'Add': case 'Sub': case 'Mul': case 'Div': {
      const a = known[0]; const b = known[1];
      if (!a || !b) return undefined;
      const len = Math.max(a.data.length, b.data.length);
      if ((a.data.length !== len && a.data.length !== 1) || (b.data.length !== len && b.data.length !== 1)) return undefined;
      const shape = a.data.length >= b.data.length ? a.shape : b.shape;
      const data: number[] = [];
      for (let i = 0; i < len; i++) {
        const x = a.data[a.data.length === 1 ? 0 : i]!; const y = b.data[b.data.length === 1 ? 0 : i]!;
        if (n.op === 'Div' && y === 0) return undefined;
        data.push(n.op === 'Add' ? x + y : n.op === 'Sub' ? x - y : n.op === 'Mul' ? x * y : Math.trunc(x / y));
      }
      return { shape, data };
    }
    case 'Slice': {
      if (!k0 || k0.shape.length !== 1 || opset < 10) return undefined;
      const st = known[1]; const en = known[2];
      if (!st || !en || st.data.length !== 1 || en.data.length !== 1) return undefined;
      if (n.inputs[3] && (!known[3] || known[3].data[0] !== 0 && known[3].data[0] !== -1)) return undefined;
      const step = n.inputs[4] ? known[4]?.data[0] : 1;
      if (step !== 1) return undefined;
      const d = k0.data.length;
      const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
      const data = k0.data.slice(clamp(st.data[0]!), clamp(en.data[0]!));
      return { shape: [data.length], data };
    }
    default:
      return undefined;
  }
}

function knownFromConstant(c: Constant): Known | undefined {
  if ((c.dtype !== 'int64' && c.dtype !== 'int32') || c.data.length > MAX_KNOWN) return undefined;
  return { shape: c.shape, data: constantInts(c) };
}

function knownAsConstant(dtype: DType, k: Known): Constant {
  const data = dtype === 'int64' ? BigInt64Array.from(k.data, (v) => BigInt(v)) : Int32Array.from(k.data);
  return { dtype, shape: k.shape, data };
}

function sameShape(a: readonly Dim[] | undefined, b: readonly Dim[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((d, i) => d === b[i]);
}

/** The error an If must raise for its poisoned inputs: none when its condition is a constant that takes the clean branch. */
function poisonedIf(node: Node, poisoned: ReadonlyMap<string, SpcError>, info: ReadonlyMap<string, ValueInfo>): SpcError | undefined {
  const k = node.outputs.length;
  const cond = info.get(node.inputs[0] ?? '')?.constant;
  const sides = [node.inputs.slice(1, 1 + k), node.inputs.slice(1 + k)];
  const mayRun = cond && cond.data.length === 1 ? [sides[cond.data[0] ? 0 : 1]!] : sides;
  for (const name of [node.inputs[0] ?? '', ...mayRun.flat()]) {
    const e = poisoned.get(name);
    if (e) return e;
  }
  return undefined;
}

/**
 * Returns a graph whose every node output has dtype and (where derivable) shape.
 * `strict`: raise an If's or its branches' inference errors at once. Otherwise (while folding
 * may still make an If's condition constant, e.g. a shape test inside a branch) they are deferred:
 * the values stay shape-less, and the compile driver's strict run after canonicalization raises
 * what remains (compile.ts).
 */
export function inferShapes(g: Graph, options: { readonly strict?: boolean } = {}): Graph {
  const defer = (node: Node): boolean => !options.strict && (node.op === 'If' || (node.branch?.length ?? 0) > 0);
  const info = new Map<string, ValueInfo>(g.values);
  const known = new Map<string, Known>();
  const inferred = new Map<string, Value>();
  for (const v of g.values.values()) {
    if (v.constant) {
      const k = knownFromConstant(v.constant);
      if (k) known.set(v.name, k);
    }
  }
  // A node of an If branch that cannot be inferred (a branch written for other input shapes) is
  // not an error yet: its outputs stay unknown ("poisoned"), and its error is raised by the first
  // node outside any branch that reads it (an If only if it may take that branch: its condition
  // not constant, or constant and taking it); when not strict, by no node: see `strict`.
  const poisoned = new Map<string, SpcError>();
  const poison = (node: Node, e: SpcError): void => {
    // An entry without a shape (so the graph stays well formed); its dtype is never read: every
    // reader is poisoned too, or an If that raises the error unless it never takes this branch.
    const dtype = node.inputs.map((x) => info.get(x)?.dtype).find((d) => d !== undefined) ?? 'float32';
    for (const o of node.outputs) {
      if (o === '') continue;
      poisoned.set(o, e);
      if (!g.values.has(o)) inferred.set(o, { name: o, dtype });
    }
  };
  for (const node of g.nodes) {
    const bad = node.inputs.find((name) => poisoned.has(name));
    if (bad !== undefined) {
      const e = node.op === 'If' ? poisonedIf(node, poisoned, info) : poisoned.get(bad);
      if (e) {
        // Any reader, not only a branch's: an If inlined by fold-if leaves Identity nodes outside
        // every branch reading values whose own If may fold only in a later round.
        if (options.strict) throw e;
        poison(node, e);
        continue;
      }
    }
    const ins = node.inputs.map((name) => {
      if (name === '' || poisoned.has(name)) return undefined;
      const v = info.get(name);
      if (!v) throw new SpcError(`node '${node.name}' (${node.op}): input '${name}' is not produced by any node, input or initializer`);
      const k = known.get(name);
      if (!v.constant && k && (v.dtype === 'int64' || v.dtype === 'int32')) return { ...v, constant: knownAsConstant(v.dtype, k) };
      return v;
    });
    let outs;
    try {
      outs = inferNode(node, ins, g.opset);
    } catch (e) {
      if (!(e instanceof SpcError) || !defer(node)) throw e;
      poison(node, e);
      continue;
    }
    const k = node.outputs.length === 1 ? propagateSafe(node, ins, g.opset, known) : undefined;
    node.outputs.forEach((name, i) => {
      if (name === '') return;
      const o = outs[i]!;
      const old = g.values.get(name);
      // A folded constant's own shape is authoritative.
      const v: Value = old?.constant ? old : o.shape ? { name, dtype: o.dtype, shape: o.shape } : { name, dtype: o.dtype };
      info.set(name, v);
      inferred.set(name, v);
      if (k && i === 0) known.set(name, k);
      else if (old?.constant) {
        const kc = knownFromConstant(old.constant);
        if (kc) known.set(name, kc);
      }
    });
  }
  let changed = false;
  for (const [name, v] of inferred) {
    const old = g.values.get(name);
    if (!old || old.dtype !== v.dtype || !sameShape(old.shape, v.shape)) { changed = true; break; }
  }
  if (!changed) return g;
  const values: Value[] = [];
  for (const v of g.values.values()) values.push(inferred.get(v.name) ?? v);
  for (const [name, v] of inferred) if (!g.values.has(name)) values.push(v);
  return makeGraph({ name: g.name, opset: g.opset, inputs: g.inputs, outputs: g.outputs, values, nodes: g.nodes });
}

function propagateSafe(node: Node, ins: readonly (ValueInfo | undefined)[], opset: number, known: Map<string, Known>): Known | undefined {
  const ks = node.inputs.map((name) => (name === '' ? undefined : known.get(name)));
  if (node.op === 'Unsqueeze' || node.op === 'Squeeze') {
    // Reshaping a known vector keeps its data; only the shape changes.
    const k0 = ks[0];
    if (!k0) return undefined;
    try {
      const out = inferNode(node, ins, opset)[0]!;
      if (!out.shape || !out.shape.every((d): d is number => typeof d === 'number')) return undefined;
      return { shape: out.shape, data: k0.data };
    } catch {
      return undefined;
    }
  }
  const k = propagate(node, ins, ks, opset);
  if (k && k.data.length > MAX_KNOWN) return undefined;
  return k;
}
