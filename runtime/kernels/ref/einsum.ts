// Reference Einsum (opset 12+; float32/64, int8–64, uint8/16): one loop over every label (the
// output's first, then the summed ones), summing the product of the operands; repeated labels
// in a term read a diagonal, '...' dims broadcast. Accumulates in float64 (bigint for int64).

import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { parseEquation, planEinsum } from '../common/einsum.js';

export const einsumRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Einsum', target: 'ref', dtypes: ['float32', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8', 'uint16'],
  prepare(c) {
    const ins = c.ctx.inputs.map((_, i) => c.input(i));
    if (ins.length === 0) c.fail('Einsum needs at least one input');
    const dtype = ins[0]!.dtype;
    ins.forEach((v, i) => c.sameDType(ins[0]!, v, `input ${i}`));
    const y = c.output(0, [dtype]);
    const fail = (m: string): never => c.fail(m);
    const plan = planEinsum(parseEquation(c.string('equation', ''), ins.length, fail), ins.map((v) => v.shape), fail);
    c.shapeIs(y, plan.shape, 'output');
    const { sizes, strides } = plan;
    const outRank = plan.shape.length;
    const loops = sizes.length;
    const outCount = plan.shape.reduce((p, d) => p * d, 1);
    const sumCount = sizes.slice(outRank).reduce((p, d) => p * d, 1);
    const counter = new Int32Array(loops);
    const offs = new Float64Array(ins.length);
    const datas = ins.map((v) => v.data as Cells);
    const yd = y.data as Cells;
    const big = dtype === 'int64';
    /** Odometer step over loop axes [from, to), innermost last, keeping each operand's offset. */
    const advance = (from: number, to: number): void => {
      for (let d = to - 1; d >= from; d--) {
        for (let k = 0; k < datas.length; k++) offs[k] += strides[k]![d]!;
        if (++counter[d]! < sizes[d]!) return;
        for (let k = 0; k < datas.length; k++) offs[k] -= strides[k]![d]! * sizes[d]!;
        counter[d] = 0;
      }
    };
    return () => {
      counter.fill(0);
      offs.fill(0);
      for (let o = 0; o < outCount; o++) {
        let acc: number | bigint = big ? 0n : 0;
        for (let s = 0; s < sumCount; s++) {
          let p: number | bigint = big ? 1n : 1;
          for (let k = 0; k < datas.length; k++) {
            const v = datas[k]![offs[k]!];
            p = big ? (p as bigint) * (v as bigint) : (p as number) * (v as number);
          }
          acc = big ? (acc as bigint) + (p as bigint) : (acc as number) + (p as number);
          advance(outRank, loops);
        }
        yd[o] = big ? BigInt.asIntN(64, acc as bigint) : acc;
        // The summed axes wrapped back to 0 (or never ran): step the output axes.
        advance(0, outRank);
      }
    };
  },
});
