// The reductions ScatterND and ScatterElements combine updates with (opset 16: add, mul;
// 18: max, min), on numbers or on bigints (int64, uint64).

import type { TensorView } from '../../tensor.js';
import type { Checker } from './define.js';

export type Combine = (old: unknown, update: unknown) => unknown;

const NUMBER: Readonly<Record<string, Combine>> = {
  none: (_o, u) => u,
  add: (o, u) => (o as number) + (u as number),
  mul: (o, u) => (o as number) * (u as number),
  max: (o, u) => Math.max(o as number, u as number),
  min: (o, u) => Math.min(o as number, u as number),
};

const BIGINT: Readonly<Record<string, Combine>> = {
  none: (_o, u) => u,
  add: (o, u) => BigInt.asIntN(64, (o as bigint) + (u as bigint)),
  mul: (o, u) => BigInt.asIntN(64, (o as bigint) * (u as bigint)),
  max: (o, u) => ((o as bigint) > (u as bigint) ? o : u),
  min: (o, u) => ((o as bigint) < (u as bigint) ? o : u),
};

/** The node's `reduction` attribute as a combining function for data of this element kind. */
export function scatterCombine(c: Checker, data: TensorView): Combine {
  const r = c.string('reduction', 'none');
  const bigint = data.data instanceof BigInt64Array || data.data instanceof BigUint64Array, bool = data.dtype === 'bool';
  const f = (bigint ? BIGINT : NUMBER)[r];
  if (!f) c.fail(`reduction '${r}' is not one of none, add, mul, max, min`);
  // float16 elements are bit patterns: only 'none' copies them as they are.
  if (data.dtype === 'float16' && r !== 'none') c.fail(`reduction '${r}' is not supported on float16 data`);
  // Booleans stored as bytes: add is "or", mul "and", as numpy's bool arithmetic gives.
  if (bool && r !== 'none') return (o, u) => Number(Boolean(f(o, u)));
  return f;
}
