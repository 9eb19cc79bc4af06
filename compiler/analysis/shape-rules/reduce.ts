// Shape and dtype rules of the reductions and index ops: Reduce*, ArgMax/ArgMin, TopK, the
// Softmax family, CumSum, Trilu, NonZero and OneHot (spread into analysis/shapes.ts's RULES).

import type { Dim } from '../../ir/graph.js';
import { attrInt, attrInts } from '../../ir/graph.js';
import type { Out, Rule, RuleCtx } from './rule.js';
import { fmt, sameAsInput, UNKNOWN } from './rule.js';

/** The axes input replaced the attribute at this opset (ReduceSum 13, the other reductions 18). */
const AXES_INPUT_SINCE: Readonly<Record<string, number>> = {
  ReduceSum: 13, ReduceMean: 18, ReduceMax: 18, ReduceMin: 18, ReduceProd: 18, ReduceL1: 18, ReduceL2: 18,
  ReduceSumSquare: 18, ReduceLogSum: 18, ReduceLogSumExp: 18,
};

const reduce: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  const keep = attrInt(c.node, 'keepdims', 1) === 1;
  let axes: readonly number[] | undefined;
  // The kernels read whichever form the node carries, so a form its opset does not define is refused here.
  const since = AXES_INPUT_SINCE[c.node.op]!;
  if (c.opset >= since && c.node.attrs['axes']) c.fail(`attribute 'axes' is not part of ${c.node.op} at opset ${c.opset} (axes are the second input from opset ${since})`);
  if (c.opset < since && c.node.inputs.length > 1 && c.node.inputs[1] !== '') c.fail(`takes axes as an input only from opset ${since} (opset ${c.opset} has the 'axes' attribute)`);
  if (c.opset >= since) {
    if (c.has(1)) {
      axes = c.ints(1);
      if (!axes) return [{ dtype: x.dtype }];
    } else axes = [];
    if (axes.length === 0 && attrInt(c.node, 'noop_with_empty_axes', 0) === 1) return [{ dtype: x.dtype, shape: xs }];
  } else axes = attrInts(c.node, 'axes') ?? [];
  if (!xs) return [{ dtype: x.dtype }];
  const reduced = new Set(axes.length === 0 ? xs.map((_, i) => i) : axes.map((a) => c.axis(a, xs.length, 'axes value')));
  const shape: Dim[] = [];
  xs.forEach((d, i) => {
    if (!reduced.has(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ dtype: x.dtype, shape }];
};

const argExtreme: Rule = (c: RuleCtx) => {
  const xs = c.in(0).shape;
  if (!xs) return [{ dtype: 'int64' }];
  const axis = c.axis(attrInt(c.node, 'axis', 0), xs.length);
  if (xs[axis] === 0) c.fail(`axis ${axis} of ${fmt(xs)} is empty: there is no extreme to index`);
  const keep = attrInt(c.node, 'keepdims', 1) === 1;
  return [{ dtype: 'int64', shape: keep ? xs.map((d, i) => (i === axis ? 1 : d)) : xs.filter((_, i) => i !== axis) }];
};

const topK: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const xs = x.shape;
  let k: number | undefined;
  if (c.opset < 10) {
    k = attrInt(c.node, 'k');
    if (k === undefined) c.fail(`missing attribute 'k'`);
  } else {
    c.in(1);
    const ks = c.ints(1);
    if (ks && ks.length !== 1) c.fail(`K must hold one value, got ${ks.length}`);
    k = ks?.[0];
  }
  const unknown: Out[] = [{ dtype: x.dtype }, { dtype: 'int64' }];
  if (!xs) return unknown;
  const axis = c.axis(attrInt(c.node, 'axis', -1), xs.length);
  if (k === undefined) return unknown;
  const d = xs[axis]!;
  if (k < 0 || (typeof d === 'number' && k > d)) c.fail(`k ${k} is out of range for axis ${axis} of ${fmt(xs)}`);
  const shape = xs.map((e, i) => (i === axis ? k! : e));
  return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape }];
};

/**
 * Softmax, LogSoftmax, Hardmax: the axis is checked; the importer makes an opset < 13 node's
 * axis explicit and marks its coerce-to-2-D meaning (frontend/opset-forms.ts).
 */
const softmaxLike: Rule = (c: RuleCtx) => {
  const s = c.shape(0);
  if (s) c.axis(attrInt(c.node, 'axis', c.opset >= 13 ? -1 : 1), Math.max(s.length, 1));
  return sameAsInput(c);
};

const cumSum: Rule = (c: RuleCtx) => {
  const xs = c.in(0).shape;
  c.in(1);
  const axis = c.ints(1);
  if (axis && axis.length !== 1) c.fail(`axis must be a scalar, got ${axis.length} values`);
  if (xs && axis) c.axis(axis[0]!, xs.length);
  return sameAsInput(c);
};

const trilu: Rule = (c: RuleCtx) => {
  const xs = c.in(0).shape;
  if (xs && xs.length < 2) c.fail(`input ${fmt(xs)} must have rank >= 2`);
  const k = c.ints(1);
  if (k && k.length !== 1) c.fail(`k must be a scalar, got ${k.length} values`);
  return sameAsInput(c);
};

/** NonZero's output [rank, count] has a count only when the input is a constant (it then folds). */
const nonZero: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const rank = x.shape ? Math.max(x.shape.length, 1) : UNKNOWN;
  const data = x.constant?.data as ArrayLike<number | bigint> | undefined;
  if (!data) return [{ dtype: 'int64', shape: [rank, UNKNOWN] }];
  let count = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0 && data[i] !== 0n) count++;
  return [{ dtype: 'int64', shape: [rank, count] }];
};

const oneHot: Rule = (c: RuleCtx) => {
  const is = c.in(0).shape;
  c.in(1);
  const values = c.in(2);
  const depths = c.floats(1);
  if (depths && depths.length !== 1) c.fail(`depth must hold one value, got ${depths.length}`);
  const depth = depths ? Math.trunc(depths[0]!) : undefined;
  if (depth !== undefined && !(depth >= 1)) c.fail(`depth ${depths![0]} must be at least 1`);
  if (!is) return [{ dtype: values.dtype }];
  const axis = c.axis(attrInt(c.node, 'axis', -1), is.length + 1);
  return [{ dtype: values.dtype, shape: [...is.slice(0, axis), depth ?? UNKNOWN, ...is.slice(axis)] }];
};

export const REDUCE_AND_INDEX_RULES: Readonly<Record<string, Rule>> = {
  ...Object.fromEntries(Object.keys(AXES_INPUT_SINCE).map((op) => [op, reduce])),
  ArgMax: argExtreme, ArgMin: argExtreme, TopK: topK,
  Softmax: softmaxLike, LogSoftmax: softmaxLike, Hardmax: softmaxLike,
  CumSum: cumSum, Trilu: trilu, NonZero: nonZero, OneHot: oneHot,
};
