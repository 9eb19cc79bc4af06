// Reference Reduce* kernels (Sum, Mean, Prod, Max, Min, L1, L2, SumSquare, LogSum, LogSumExp):
// one plan (common/reduce.ts: axes from the input or the attribute, keepdims,
// noop_with_empty_axes) and one fold per op over each output element's inputs, in doubles.
// An empty set folds to the op's identity (Sum 0, Prod 1, Max −∞, LogSum −∞, Mean NaN).

import type { DType } from '../../tensor.js';
import type { Kernel } from '../kernel.js';
import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { reader, writer } from '../common/numeric-cells.js';
import { ReducePlan } from '../common/reduce.js';

/** Folds the `offsets.length` elements at base + offsets[k] (read through `x`) into one value. */
type Fold = (x: (i: number) => number, base: number, offsets: Int32Array) => number;

const sum: Fold = (x, b, o) => { let s = 0; for (let k = 0; k < o.length; k++) s += x(b + o[k]!); return s; };
const sumSquare: Fold = (x, b, o) => { let s = 0; for (let k = 0; k < o.length; k++) { const v = x(b + o[k]!); s += v * v; } return s; };
const max: Fold = (x, b, o) => { let m = -Infinity; for (let k = 0; k < o.length; k++) m = Math.max(m, x(b + o[k]!)); return m; };

const FOLDS: Readonly<Record<string, Fold>> = {
  ReduceSum: sum,
  ReduceMean: (x, b, o) => sum(x, b, o) / o.length,
  ReduceProd: (x, b, o) => { let p = 1; for (let k = 0; k < o.length; k++) p *= x(b + o[k]!); return p; },
  ReduceMax: max,
  ReduceMin: (x, b, o) => { let m = Infinity; for (let k = 0; k < o.length; k++) m = Math.min(m, x(b + o[k]!)); return m; },
  ReduceL1: (x, b, o) => { let s = 0; for (let k = 0; k < o.length; k++) s += Math.abs(x(b + o[k]!)); return s; },
  ReduceL2: (x, b, o) => Math.sqrt(sumSquare(x, b, o)),
  ReduceSumSquare: sumSquare,
  ReduceLogSum: (x, b, o) => Math.log(sum(x, b, o)),
  // The maximum is subtracted first so large inputs do not overflow exp.
  ReduceLogSumExp: (x, b, o) => {
    const m = max(x, b, o);
    if (!Number.isFinite(m)) return m; // empty (−∞), all −∞, or +∞ / NaN present
    let s = 0;
    for (let k = 0; k < o.length; k++) s += Math.exp(x(b + o[k]!) - m);
    return m + Math.log(s);
  },
};

/** The element types the ONNX spec lists for each op that spc represents (no uint32/uint64, float16, bfloat16). */
const ARITHMETIC: readonly DType[] = ['float32', 'float64', 'int32', 'int64'];
const ORDERED: readonly DType[] = [...ARITHMETIC, 'int8', 'uint8', 'bool']; // Max / Min (int8 / uint8 from opset 18, bool from 20)

function reduceRef(op: string): Kernel {
  const fold = FOLDS[op]!;
  const dtypes = op === 'ReduceMax' || op === 'ReduceMin' ? ORDERED : ARITHMETIC;
  return defineKernel({
    dtype: 'any', tile: '1x1', op, target: 'ref', dtypes,
    prepare(c) {
      const x = c.input(0, dtypes);
      const y = c.output(0, [x.dtype]);
      const plan = new ReducePlan(c, x, y);
      const read = reader(x), write = writer(y);
      const n = x.shape.reduce((p, d) => p * d, 1);
      const xd = x.data as Cells, yd = y.data as Cells;
      return () => {
        plan.refresh();
        if (!plan.reduces) { for (let i = 0; i < n; i++) yd[i] = xd[i]; return; }
        const { bases, offsets } = plan;
        for (let j = 0; j < bases.length; j++) write(j, fold(read, bases[j]!, offsets));
      };
    },
  });
}

export const REDUCE_REF_KERNELS: readonly Kernel[] = Object.keys(FOLDS).map(reduceRef);
