// Shape and dtype rules of the elementwise, comparison and logic ops (unary math, And/Or/Xor/Not,
// Greater/Less…, Mod, PRelu, variadic Max/Min/Sum/Mean): numpy broadcasting plus the dtypes the
// ONNX spec allows each op that spc represents, refused here with the node's name.

import type { DType } from '../../ir/graph.js';
import { attrInt } from '../../ir/graph.js';
import type { Rule, RuleCtx } from './rule.js';
import { broadcast, elementwise, fmt } from './rule.js';

const FLOAT: readonly DType[] = ['float32', 'float64'];
const SIGNED: readonly DType[] = ['float32', 'float64', 'int64', 'int32', 'int16', 'int8'];
const NUMERIC: readonly DType[] = [...SIGNED, 'uint8', 'uint16'];
const BOOL: readonly DType[] = ['bool'];
/** NUMERIC plus the element types only Max, Min and Mod (and Add, Sub, Mul, Div) take so far. */
const WIDE: readonly DType[] = [...NUMERIC, 'float16', 'uint32', 'uint64'];

/** Every input has one dtype, one of `allowed`. */
function checkDTypes(c: RuleCtx, allowed: readonly DType[]): void {
  const first = c.in(0).dtype;
  c.node.inputs.forEach((_, i) => {
    const t = c.in(i).dtype;
    if (t !== first) c.fail(`input ${i} has dtype ${t}, input 0 has ${first}; they must match`);
  });
  if (!allowed.includes(first)) c.fail(`input dtype ${first} is not supported (expected ${allowed.join(', ')})`);
}

/** Broadcasting elementwise over inputs of one dtype from `allowed`; the result has `out`, or the inputs' dtype. */
function typed(allowed: readonly DType[], out?: DType): Rule {
  const rule = elementwise(out);
  return (c) => { checkDTypes(c, allowed); return rule(c); };
}

const mod: Rule = (c) => {
  const fmod = attrInt(c.node, 'fmod', 0);
  if (fmod !== 0 && fmod !== 1) c.fail(`attribute 'fmod' must be 0 or 1, got ${fmod}`);
  checkDTypes(c, WIDE);
  const t = c.in(0).dtype;
  if (fmod === 0 && (FLOAT.includes(t) || t === 'float16')) c.fail(`fmod must be 1 for ${t} inputs (the remainder of floats is C fmod)`);
  return elementwise()(c);
};

/** PRelu (opset 7+): the slope broadcasts to X's shape, which the output keeps. */
const prelu: Rule = (c) => {
  checkDTypes(c, ['float32', 'float64', 'int64', 'int32']);
  const x = c.in(0), s = c.shape(1);
  const xs = x.shape;
  if (xs && s) {
    // A symbolic dim of X may turn out to match the slope's; only known sizes can contradict.
    const b = broadcast(c, [xs, s]);
    if (b.length !== xs.length || b.some((d, i) => typeof d === 'number' && typeof xs[i] === 'number' && d !== xs[i])) {
      c.fail(`slope shape ${fmt(s)} does not broadcast to X's shape ${fmt(xs)}`);
    }
  }
  return [{ dtype: x.dtype, shape: xs }];
};

export const ELEMENTWISE_RULES: Readonly<Record<string, Rule>> = {
  Abs: typed(NUMERIC), Sign: typed(NUMERIC), Neg: typed(SIGNED),
  Reciprocal: typed(FLOAT), Floor: typed(FLOAT), Ceil: typed(FLOAT), Round: typed(FLOAT), Sin: typed(FLOAT), Cos: typed(FLOAT),
  Log: typed(FLOAT), Softplus: typed(FLOAT), Softsign: typed(FLOAT), Elu: typed(FLOAT), Selu: typed(FLOAT),
  ThresholdedRelu: typed(FLOAT), Mish: typed(FLOAT),
  Not: typed(BOOL), And: typed(BOOL), Or: typed(BOOL), Xor: typed(BOOL),
  Greater: typed(NUMERIC, 'bool'), GreaterOrEqual: typed(NUMERIC, 'bool'), Less: typed(NUMERIC, 'bool'), LessOrEqual: typed(NUMERIC, 'bool'),
  Mod: mod, PRelu: prelu,
  Max: typed(WIDE), Min: typed(WIDE), Sum: typed(FLOAT), Mean: typed(FLOAT),
};
