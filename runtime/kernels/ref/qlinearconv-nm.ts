// Reference QLinearConv on an N:M int8 weight (input 3 stored packed, zero point 0): the weight
// expanded at prepare (runtime/sparse/expand.ts), then the dense reference QLinearConv, which also
// validates the node on that expansion. The readable spec of i8-qlinearconvnm-16x1-wasmsimd, which
// runs it where there is no WebAssembly.

import type { Kernel, KernelContext, NodeShapes } from '../kernel.js';
import type { TensorView } from '../../tensor.js';
import { expandWeight } from '../../sparse/expand.js';
import { qLinearConvRef } from './qlinearconv.js';

/** QLinearConv's weight input. */
const W = 3;

/** An int8 weight stored N:M. */
function supports(node: NodeShapes): boolean {
  const w = node.inputs[W];
  return w?.packed?.format === 'nm' && w.dtype === 'int8';
}

export const qLinearConvNmRef: Kernel = {
  ...qLinearConvRef,
  id: 'any-qlinearconvnm-1x1-ref',
  format: 'nm',
  supports,
  prepare(ctx: KernelContext) {
    const w = ctx.inputs[W];
    if (!w?.packed) return qLinearConvRef.prepare(ctx);
    const data = new Int8Array(w.shape.reduce((a, d) => a * d, 1));
    expandWeight(w.packed, 'Conv', w.shape, false, data);
    const dense: TensorView = { dtype: w.dtype, shape: w.shape, data };
    return qLinearConvRef.prepare({ ...ctx, inputs: ctx.inputs.map((v, i) => (i === W ? dense : v)) });
  },
};
