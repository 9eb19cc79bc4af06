// Shape rules of the data-movement, indexing and normalisation ops of exported models (issue 16);
// an output size set by an input's values (ConstantOfShape, Range, Tile) is known only once that
// input is constant (folding makes it so; otherwise requireStaticShapes refuses the node).

import type { Dim, DType } from '../../ir/graph.js';
import { attrInt, attrString } from '../../ir/graph.js';
import type { Out, Rule, RuleCtx, Shape } from './rule.js';
import { fmt, product, UNKNOWN } from './rule.js';
import { parseEquation, planEinsum } from '../../../runtime/kernels/common/einsum.js';

/**
 * Ops whose input 0 gives the output's size by its value (not its shape): a refusal names it.
 * NonZero's count is data-dependent the same way (its rule lives in reduce.ts).
 */
export const VALUE_SETS_SHAPE_FROM_INPUT_0: ReadonlySet<string> = new Set(['ConstantOfShape', 'Range', 'NonZero']);

const same = (c: RuleCtx): Out[] => [{ dtype: c.in(0).dtype, shape: c.shape(0) }];

const constantOfShape: Rule = (c: RuleCtx) => {
  c.in(0);
  const a = c.node.attrs['value'];
  let dtype: DType = 'float32';
  if (a !== undefined) {
    if (a.kind !== 'tensor') c.fail(`attribute 'value' must be a tensor, got ${a.kind}`);
    if (a.value.data.length !== 1) c.fail(`attribute 'value' must hold one element, it holds ${a.value.data.length}`);
    dtype = a.value.dtype;
  }
  const dims = c.ints(0);
  if (!dims) return [{ dtype }];
  if (c.shape(0)?.length !== 1) c.fail(`the shape input must be 1-D, got ${fmt(c.shape(0))}`);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) c.fail(`shape ${fmt(dims)} has a negative dimension`);
  return [{ dtype, shape: dims }];
};

const RANGE_TYPES: readonly DType[] = ['float32', 'float64', 'int16', 'int32', 'int64'];

const range: Rule = (c: RuleCtx) => {
  const dtype = c.in(0).dtype;
  for (const i of [0, 1, 2]) {
    const v = c.in(i);
    if (v.dtype !== dtype) c.fail(`input ${i} is ${v.dtype}, input 0 is ${dtype}`);
    if (v.shape && v.shape.length !== 0 && product(v.shape) !== 1) c.fail(`input ${i} must be a scalar, got ${fmt(v.shape)}`);
  }
  if (!RANGE_TYPES.includes(dtype)) c.fail(`unsupported dtype ${dtype} (${RANGE_TYPES.join(', ')})`);
  const [start, limit, delta] = [c.floats(0), c.floats(1), c.floats(2)];
  if (!start || !limit || !delta) return [{ dtype }];
  if (delta[0] === 0) c.fail('delta is 0');
  const n = Math.max(Math.ceil((limit[0]! - start[0]!) / delta[0]!), 0);
  if (!Number.isFinite(n)) c.fail(`start ${start[0]}, limit ${limit[0]}, delta ${delta[0]} give no finite length`);
  return [{ dtype, shape: [n] }];
};

const tile: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  c.in(1);
  const repeats = c.ints(1);
  const xs = x.shape;
  if (!xs || !repeats) return [{ dtype: x.dtype }];
  if (repeats.length !== xs.length) c.fail(`repeats has ${repeats.length} values for input rank ${xs.length}`);
  if (repeats.some((r) => !Number.isSafeInteger(r) || r < 0)) c.fail(`repeats ${fmt(repeats)} must be >= 0`);
  return [{ dtype: x.dtype, shape: xs.map((d, i) => (typeof d === 'number' ? d * repeats[i]! : UNKNOWN)) }];
};

function blockSize(c: RuleCtx): number {
  const b = attrInt(c.node, 'blocksize');
  if (b === undefined) c.fail(`missing attribute 'blocksize'`);
  if (!Number.isSafeInteger(b) || b < 1) c.fail(`blocksize ${b} must be >= 1`);
  return b;
}

const depthToSpace: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const b = blockSize(c);
  const mode = attrString(c.node, 'mode', 'DCR');
  if (mode !== 'DCR' && mode !== 'CRD') c.fail(`mode '${mode}' is neither DCR nor CRD`);
  const xs = x.shape;
  if (!xs) return [{ dtype: x.dtype }];
  if (xs.length !== 4) c.fail(`input must be 4-D, got ${fmt(xs)}`);
  const [n, ch, h, w] = xs as [Dim, Dim, Dim, Dim];
  if (typeof ch === 'number' && ch % (b * b) !== 0) c.fail(`channels ${ch} are not a multiple of blocksize² ${b * b}`);
  const mul = (d: Dim): Dim => (typeof d === 'number' ? d * b : UNKNOWN);
  return [{ dtype: x.dtype, shape: [n, typeof ch === 'number' ? ch / (b * b) : UNKNOWN, mul(h), mul(w)] }];
};

const spaceToDepth: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const b = blockSize(c);
  const xs = x.shape;
  if (!xs) return [{ dtype: x.dtype }];
  if (xs.length !== 4) c.fail(`input must be 4-D, got ${fmt(xs)}`);
  const [n, ch, h, w] = xs as [Dim, Dim, Dim, Dim];
  const div = (d: Dim, what: string): Dim => {
    if (typeof d !== 'number') return UNKNOWN;
    if (d % b !== 0) c.fail(`${what} ${d} is not a multiple of blocksize ${b}`);
    return d / b;
  };
  return [{ dtype: x.dtype, shape: [n, typeof ch === 'number' ? ch * b * b : UNKNOWN, div(h, 'height'), div(w, 'width')] }];
};

const INDEX_TYPES: readonly DType[] = ['int32', 'int64'];

function indices(c: RuleCtx, i: number): Shape | undefined {
  const v = c.in(i);
  if (!INDEX_TYPES.includes(v.dtype)) c.fail(`indices must be int32 or int64, got ${v.dtype}`);
  return v.shape;
}

/** Constant indices into a dim of `len` (negatives wrap) are checked here, so a bad one is refused at compile time, naming the node. */
function checkConstantIndices(c: RuleCtx, i: number, len: Dim, what: string): void {
  const values = c.ints(i);
  if (!values || typeof len !== 'number') return;
  const bad = values.find((v) => v < -len || v >= len);
  if (bad !== undefined) c.fail(`index ${bad} is out of range [${-len}, ${len}) for ${what}`);
}

const gatherElements: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const is = indices(c, 1);
  const xs = x.shape;
  if (!xs || !is) return [{ dtype: x.dtype, shape: is }];
  if (xs.length !== is.length || xs.length === 0) c.fail(`data ${fmt(xs)} and indices ${fmt(is)} must have the same rank >= 1`);
  const axis = c.axis(attrInt(c.node, 'axis', 0), xs.length);
  checkConstantIndices(c, 1, xs[axis]!, `data axis ${axis} of ${fmt(xs)}`);
  return [{ dtype: x.dtype, shape: is }];
};

/** Constant index tuples (the last indices dim, `k` wide) checked against data dims from `first` on. */
function checkConstantTuples(c: RuleCtx, xs: Shape, first: number, k: number): void {
  const values = c.ints(1);
  if (!values) return;
  values.forEach((v, j) => {
    const dim = xs[first + (j % k)]!;
    if (typeof dim === 'number' && (v < -dim || v >= dim)) c.fail(`index ${v} is out of range [${-dim}, ${dim}) for data dim ${first + (j % k)} of ${fmt(xs)}`);
  });
}

const gatherND: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const is = indices(c, 1);
  const xs = x.shape;
  if (!xs || !is) return [{ dtype: x.dtype }];
  const b = c.opset >= 12 ? attrInt(c.node, 'batch_dims', 0) : 0;
  if (xs.length < 1 || is.length < 1) c.fail(`data ${fmt(xs)} and indices ${fmt(is)} must have rank >= 1`);
  if (!Number.isInteger(b) || b < 0 || b >= Math.min(xs.length, is.length)) c.fail(`batch_dims ${b} must be in [0, ${Math.min(xs.length, is.length)})`);
  const k = is[is.length - 1]!;
  if (typeof k !== 'number') return [{ dtype: x.dtype }];
  if (k < 1 || k > xs.length - b) c.fail(`indices ${fmt(is)} index ${k} dimensions, data ${fmt(xs)} has ${xs.length - b} after batch_dims ${b}`);
  for (let i = 0; i < b; i++) {
    if (typeof xs[i] === 'number' && typeof is[i] === 'number' && xs[i] !== is[i]) c.fail(`batch dimension ${i} differs: data ${fmt(xs)}, indices ${fmt(is)}`);
  }
  checkConstantTuples(c, xs, b, k);
  return [{ dtype: x.dtype, shape: [...is.slice(0, -1), ...xs.slice(b + k)] }];
};

function reduction(c: RuleCtx, since: Readonly<Record<string, number>>): void {
  const r = attrString(c.node, 'reduction', 'none');
  const from = since[r];
  if (from === undefined || c.opset < from) c.fail(`reduction '${r}' is not defined at opset ${c.opset}`);
}

const SCATTER_REDUCTIONS = { none: 1, add: 16, mul: 16, max: 18, min: 18 };

const scatterND: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const is = indices(c, 1);
  const u = c.in(2);
  if (u.dtype !== x.dtype) c.fail(`updates are ${u.dtype}, data is ${x.dtype}`);
  reduction(c, SCATTER_REDUCTIONS);
  const xs = x.shape, us = u.shape;
  if (xs && is && us) {
    const k = is[is.length - 1];
    if (is.length < 1 || typeof k !== 'number' || k < 1 || k > xs.length) c.fail(`indices ${fmt(is)} do not index data ${fmt(xs)}`);
    const want = [...is.slice(0, -1), ...xs.slice(k)];
    if (want.length !== us.length || want.some((d, i) => typeof d === 'number' && typeof us[i] === 'number' && d !== us[i])) {
      c.fail(`updates ${fmt(us)} should have shape ${fmt(want)}`);
    }
    checkConstantTuples(c, xs, 0, k);
  }
  return [{ dtype: x.dtype, shape: xs }];
};

const scatterElements: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  const is = indices(c, 1);
  const u = c.in(2);
  if (u.dtype !== x.dtype) c.fail(`updates are ${u.dtype}, data is ${x.dtype}`);
  reduction(c, SCATTER_REDUCTIONS);
  const xs = x.shape, us = u.shape;
  if (xs && is && us) {
    if (is.length !== xs.length || us.length !== is.length) c.fail(`data ${fmt(xs)}, indices ${fmt(is)} and updates ${fmt(us)} must have one rank`);
    if (is.some((d, i) => typeof d === 'number' && typeof us[i] === 'number' && d !== us[i])) c.fail(`indices ${fmt(is)} and updates ${fmt(us)} differ`);
    const axis = c.axis(attrInt(c.node, 'axis', 0), xs.length);
    checkConstantIndices(c, 1, xs[axis]!, `data axis ${axis} of ${fmt(xs)}`);
  }
  return [{ dtype: x.dtype, shape: xs }];
};

const EINSUM_TYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'int8', 'uint16', 'int16'];

const einsum: Rule = (c: RuleCtx) => {
  const ins = c.node.inputs.length === 0 ? [c.in(0)] : c.node.inputs.map((_, i) => c.in(i));
  const dtype = ins[0]!.dtype;
  if (!EINSUM_TYPES.includes(dtype)) c.fail(`unsupported dtype ${dtype}`);
  if (ins.some((v) => v.dtype !== dtype)) c.fail(`inputs have different dtypes`);
  const equation = attrString(c.node, 'equation', '');
  const fail = (m: string): never => c.fail(m);
  const eq = parseEquation(equation, ins.length, fail);
  const shapes = ins.map((v) => v.shape);
  if (!shapes.every((s): s is readonly number[] => s !== undefined && s.every((d) => typeof d === 'number'))) return [{ dtype }];
  return [{ dtype, shape: planEinsum(eq, shapes, fail).shape }];
};

const FLOATS: readonly DType[] = ['float32', 'float64'];

function floatNorm(check: (c: RuleCtx, xs: Shape) => void): Rule {
  return (c) => {
    const x = c.in(0);
    if (!FLOATS.includes(x.dtype)) c.fail(`input is ${x.dtype}, expected float32 or float64`);
    for (let i = 1; i < c.node.inputs.length; i++) if (c.has(i) && c.in(i).dtype !== x.dtype) c.fail(`input ${i} is ${c.in(i).dtype}, input 0 is ${x.dtype}`);
    if (x.shape) check(c, x.shape);
    return same(c);
  };
}

/** A per-channel parameter of `len` elements (1-D). */
function vectorOf(c: RuleCtx, i: number, len: Dim, what: string): void {
  const s = c.shape(i);
  if (!s || typeof len !== 'number') return;
  if (s.length !== 1 || (typeof s[0] === 'number' && s[0] !== len)) c.fail(`${what} ${fmt(s)} should be [${len}]`);
}

const instanceNorm = floatNorm((c: RuleCtx, xs: Shape) => {
  if (xs.length < 3) c.fail(`input must have rank >= 3, got ${fmt(xs)}`);
  c.in(1); c.in(2);
  vectorOf(c, 1, xs[1]!, 'scale'); vectorOf(c, 2, xs[1]!, 'B');
});

const groupNorm = floatNorm((c: RuleCtx, xs: Shape) => {
  if (xs.length < 3) c.fail(`input must have rank >= 3, got ${fmt(xs)}`);
  const groups = attrInt(c.node, 'num_groups');
  if (groups === undefined) c.fail(`missing attribute 'num_groups'`);
  const ch = xs[1]!;
  if (groups < 1 || (typeof ch === 'number' && ch % groups !== 0)) c.fail(`num_groups ${groups} does not divide the ${ch} channels`);
  c.in(1); c.in(2);
  // Opset 18 scales each group, opset 21 each channel.
  const len = c.opset >= 21 ? ch : groups;
  vectorOf(c, 1, len, 'scale'); vectorOf(c, 2, len, 'bias');
});

const lpNorm = floatNorm((c: RuleCtx, xs: Shape) => {
  c.axis(attrInt(c.node, 'axis', -1), Math.max(xs.length, 1));
  const p = attrInt(c.node, 'p', 2);
  if (p !== 1 && p !== 2) c.fail(`p ${p} must be 1 or 2`);
});

/** Upsample (opset 7–9): Resize's opset-10 form, scales from input 1 (opset 9) or the `scales` attribute (7–8). */
const upsample: Rule = (c: RuleCtx) => {
  const x = c.in(0);
  let scales: readonly number[] | undefined;
  if (c.has(1)) scales = c.floats(1);
  else {
    const a = c.node.attrs['scales'];
    if (!a || a.kind !== 'floats') c.fail(`missing attribute 'scales'`);
    scales = a.value;
  }
  const xs = x.shape;
  if (!xs || !scales) return [{ dtype: x.dtype }];
  if (scales.length !== xs.length) c.fail(`scales has ${scales.length} values for rank ${xs.length}`);
  if (scales.some((s) => !(s > 0) || !Number.isFinite(s))) c.fail(`scales ${fmt(scales)} must be finite and > 0`);
  return [{ dtype: x.dtype, shape: xs.map((d, i) => (typeof d === 'number' ? Math.floor(d * scales[i]!) : UNKNOWN)) }];
};

export const DATA_MOVEMENT_RULES: Readonly<Record<string, Rule>> = {
  ConstantOfShape: constantOfShape, Range: range, Tile: tile,
  DepthToSpace: depthToSpace, SpaceToDepth: spaceToDepth,
  GatherElements: gatherElements, GatherND: gatherND, ScatterND: scatterND, ScatterElements: scatterElements,
  Scatter: scatterElements, // opset 9–10, renamed ScatterElements in 11
  Einsum: einsum,
  InstanceNormalization: instanceNorm, GroupNormalization: groupNorm, LpNormalization: lpNorm,
  Upsample: upsample,
};
