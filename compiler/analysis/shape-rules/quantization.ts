// Shape and dtype rules of the quantization ops (QuantizeLinear, DequantizeLinear,
// DynamicQuantizeLinear, QLinearMatMul, QLinearConv, MatMulInteger, ConvInteger): the operands'
// integer types, and scales / zero points per tensor, per axis, per block, per row or per channel.

import type { DType } from '../../ir/graph.js';
import { attrInt } from '../../ir/graph.js';
import type { Rule, Shape } from './rule.js';
import { fmt, RuleCtx } from './rule.js';

const QUANT: readonly DType[] = ['int8', 'uint8', 'int16', 'uint16'];
const INT8: readonly DType[] = ['int8', 'uint8'];
/** QuantizeLinear-21's output_dtype codes (TensorProto.DataType) spc represents. */
const OUTPUT_DTYPE: Readonly<Record<number, DType>> = { 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16' };

function dtypeIn(c: RuleCtx, i: number, allowed: readonly DType[], what: string): DType {
  const t = c.in(i).dtype;
  if (!allowed.includes(t)) c.fail(`${what} (input ${i}) has dtype ${t}, expected ${allowed.join(', ')}`);
  return t;
}

/** An optional zero point has the dtype of the tensor it belongs to. */
function zeroPointOf(c: RuleCtx, i: number, t: DType, what: string): void {
  if (c.has(i) && c.in(i).dtype !== t) c.fail(`${what} (input ${i}) has dtype ${c.in(i).dtype}, its tensor has ${t}`);
}

const known = (s: Shape | undefined): s is readonly number[] => s !== undefined && s.every((d) => typeof d === 'number');
const isOne = (s: readonly number[]): boolean => s.length <= 1 && s.every((d) => d === 1);

/** The scale (input `si`) and zero point (`zi`) of tensor `xi` of a QuantizeLinear / DequantizeLinear: per tensor, per axis or per block. */
function checkLinearParams(c: RuleCtx, xi: number, si: number, zi: number): void {
  dtypeIn(c, si, ['float32'], 'the scale');
  const xs = c.shape(xi), ss = c.shape(si), zs = c.shape(zi);
  if (c.has(zi) && ss && zs && !(known(ss) && known(zs) && isOne(ss) && isOne(zs)) && (ss.length !== zs.length || ss.some((d, k) => typeof d === 'number' && typeof zs[k] === 'number' && d !== zs[k]))) {
    c.fail(`zero point shape ${fmt(zs)} differs from scale shape ${fmt(ss)}`);
  }
  // The kernels read block_size whatever the opset: an older model may not carry one.
  if (c.opset < 21 && c.node.attrs['block_size'] !== undefined) c.fail(`attribute 'block_size' needs opset 21, the model has opset ${c.opset}`);
  const blockSize = attrInt(c.node, 'block_size', 0);
  if (blockSize < 0) c.fail(`attribute 'block_size' ${blockSize} must be >= 0`);
  if (!known(xs) || !known(ss)) return;
  if (blockSize === 0 && isOne(ss)) return; // per tensor
  if (c.opset < 13) c.fail(`before opset 13 the scale must be a scalar, got ${fmt(ss)}`);
  const axis = c.axis(attrInt(c.node, 'axis', 1), xs.length);
  if (blockSize === 0) {
    if (ss.length !== 1 || ss[0] !== xs[axis]) c.fail(`per-axis scale must have shape [${xs[axis]}] (axis ${axis} of ${fmt(xs)}), got ${fmt(ss)}`);
    return;
  }
  const want = xs.map((d, k) => (k === axis ? Math.ceil(d / blockSize) : d));
  if (ss.length !== want.length || ss.some((d, k) => d !== want[k])) {
    c.fail(`blocked scale (block_size ${blockSize}, axis ${axis} of ${fmt(xs)}) must have shape ${fmt(want)}, got ${fmt(ss)}`);
  }
}

const quantizeLinear: Rule = (c) => {
  const x = c.in(0);
  dtypeIn(c, 0, ['float32'], 'x');
  checkLinearParams(c, 0, 1, 2);
  const code = c.opset >= 21 ? attrInt(c.node, 'output_dtype', 0) : 0;
  const attrType = code === 0 ? undefined : OUTPUT_DTYPE[code];
  if (code !== 0 && attrType === undefined) c.fail(`output_dtype ${code} is not supported (int8, uint8, int16 or uint16 only)`);
  let dtype: DType = attrType ?? 'uint8';
  if (c.has(2)) {
    dtype = dtypeIn(c, 2, QUANT, 'the zero point');
    if (attrType !== undefined && attrType !== dtype) c.fail(`output_dtype ${attrType} differs from the zero point's dtype ${dtype}`);
  }
  return [{ dtype, shape: x.shape }];
};

const dequantizeLinear: Rule = (c) => {
  const t = dtypeIn(c, 0, [...QUANT, 'int32'], 'x');
  zeroPointOf(c, 2, t, 'the zero point');
  checkLinearParams(c, 0, 1, 2);
  return [{ dtype: 'float32', shape: c.shape(0) }];
};

const dynamicQuantizeLinear: Rule = (c) => {
  dtypeIn(c, 0, ['float32'], 'x');
  return [{ dtype: 'uint8', shape: c.shape(0) }, { dtype: 'float32', shape: [] }, { dtype: 'uint8', shape: [] }];
};

/** Inputs `is` have one element, or (when `len` is given and known) one per `len`. */
function scalarOrVector(c: RuleCtx, is: readonly number[], len: number | string | undefined, per: string): void {
  for (const i of is) {
    const s = c.shape(i);
    if (!c.has(i) || !known(s) || isOne(s)) continue;
    if (len !== undefined && s.length === 1 && s[0] === len) continue;
    c.fail(`input ${i} '${c.node.inputs[i]}' must have one element${len === undefined ? '' : ` or ${len} (${per})`}, got ${fmt(s)}`);
  }
}

/** The rules, given the float Conv and MatMul rules of analysis/shapes.ts that the integer forms share their geometry with. */
export function quantizationRules(base: { readonly conv: Rule; readonly matmul: Rule }): Readonly<Record<string, Rule>> {
  /** `base` applied to inputs `xi`, `wi` alone (the operands); the result with dtype `dtype`. */
  const over = (c: RuleCtx, rule: Rule, xi: number, wi: number, dtype: DType) => {
    c.in(xi); c.in(wi);
    const [out] = rule(new RuleCtx(c.node, [c.inputs[xi], c.inputs[wi]], c.opset));
    return [{ dtype, shape: out!.shape }];
  };
  const lastDims = (c: RuleCtx, ai: number, bi: number) => {
    const as = c.shape(ai), bs = c.shape(bi);
    return { m: as && as.length >= 2 ? as[as.length - 2] : 1, n: bs && bs.length >= 2 ? bs[bs.length - 1] : 1 };
  };
  const outChannels = (c: RuleCtx, wi: number) => c.shape(wi)?.[0];

  const matMulInteger: Rule = (c) => {
    zeroPointOf(c, 2, dtypeIn(c, 0, INT8, 'A'), "A's zero point");
    zeroPointOf(c, 3, dtypeIn(c, 1, INT8, 'B'), "B's zero point");
    const { m, n } = lastDims(c, 0, 1);
    scalarOrVector(c, [2], m, 'one per row of A');
    scalarOrVector(c, [3], n, 'one per column of B');
    return over(c, base.matmul, 0, 1, 'int32');
  };

  const qLinearMatMul: Rule = (c) => {
    zeroPointOf(c, 2, dtypeIn(c, 0, INT8, 'a'), "a's zero point");
    zeroPointOf(c, 5, dtypeIn(c, 3, INT8, 'b'), "b's zero point");
    // Opset 21 adds float16 scales; the three share one type.
    const scale = dtypeIn(c, 1, c.opset >= 21 ? ['float32', 'float16'] : ['float32'], 'the scale');
    for (const i of [4, 6]) dtypeIn(c, i, [scale], 'the scale');
    const y = dtypeIn(c, 7, INT8, 'y_zero_point');
    const { m, n } = lastDims(c, 0, 3);
    scalarOrVector(c, [1, 2], m, 'one per row of a');
    scalarOrVector(c, [4, 5, 6, 7], n, 'one per column of b');
    return over(c, base.matmul, 0, 3, y);
  };

  const convInteger: Rule = (c) => {
    zeroPointOf(c, 2, dtypeIn(c, 0, INT8, 'x'), "x's zero point");
    zeroPointOf(c, 3, dtypeIn(c, 1, INT8, 'w'), "w's zero point");
    scalarOrVector(c, [2], undefined, '');
    scalarOrVector(c, [3], outChannels(c, 1), 'one per output channel');
    return over(c, base.conv, 0, 1, 'int32');
  };

  const qLinearConv: Rule = (c) => {
    zeroPointOf(c, 2, dtypeIn(c, 0, INT8, 'x'), "x's zero point");
    zeroPointOf(c, 5, dtypeIn(c, 3, INT8, 'w'), "w's zero point");
    for (const i of [1, 4, 6]) dtypeIn(c, i, ['float32'], 'the scale');
    const y = dtypeIn(c, 7, INT8, 'y_zero_point');
    scalarOrVector(c, [1, 2, 6, 7], undefined, '');
    scalarOrVector(c, [4, 5], outChannels(c, 3), 'one per output channel');
    if (c.has(8)) {
      dtypeIn(c, 8, ['int32'], 'the bias');
      const bs = c.shape(8), m = outChannels(c, 3);
      if (known(bs) && typeof m === 'number' && (bs.length !== 1 || bs[0] !== m)) c.fail(`bias (input 8) must have shape [${m}], got ${fmt(bs)}`);
    }
    return over(c, base.conv, 0, 3, y);
  };

  return {
    QuantizeLinear: quantizeLinear, DequantizeLinear: dequantizeLinear, DynamicQuantizeLinear: dynamicQuantizeLinear,
    MatMulInteger: matMulInteger, QLinearMatMul: qLinearMatMul, ConvInteger: convInteger, QLinearConv: qLinearConv,
  };
}
