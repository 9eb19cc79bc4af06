// Reference If (any dtype): inputs [cond, then outputs…, else outputs…], as the importer flattens
// an If's branches into the graph (compiler/frontend/import.ts); copies the taken branch's
// outputs into the node's. Skipping the branch not taken is the executor's (executor/branches.ts).

import { sizeOf } from '../../tensor.js';
import type { Kernel, NodeShapes } from '../kernel.js';
import { defineKernel } from '../common/define.js';

/** Inputs 1 + 2k for k outputs, a one-element bool condition, and each output typed and shaped as both its branch values. */
export function ifShapesAgree(node: NodeShapes): boolean {
  const k = node.outputs.length;
  const cond = node.inputs[0];
  if (k === 0 || node.inputs.length !== 1 + 2 * k || !cond || cond.dtype !== 'bool' || sizeOf(cond.shape) !== 1) return false;
  return node.outputs.every((o, i) => [node.inputs[1 + i], node.inputs[1 + k + i]].every((b) =>
    b !== undefined && b.dtype === o.dtype && b.shape.length === o.shape.length && b.shape.every((d, j) => d === o.shape[j])));
}

/** The select step on `target`: one typed-array set per output, already memory speed (js/copy.ts registers the js twin). */
export function ifKernel(target: Kernel['target']): Kernel {
  return defineKernel({
    dtype: 'any', tile: '1x1', op: 'If', target, dtypes: 'any',
    supports: ifShapesAgree,
    prepare(c) {
      const cond = c.input(0, ['bool']);
      const k = c.ctx.outputs.length;
      if (c.ctx.inputs.length !== 1 + 2 * k) c.fail(`takes 1 + 2·${k} inputs (condition, then and else outputs), got ${c.ctx.inputs.length}`);
      if (sizeOf(cond.shape) !== 1) c.fail(`the condition has ${sizeOf(cond.shape)} elements, expected 1`);
      const copies: { then: Float32Array; else: Float32Array; out: Float32Array }[] = [];
      for (let i = 0; i < k; i++) {
        const out = c.output(i), t = c.input(1 + i), e = c.input(1 + k + i);
        for (const [b, what] of [[t, 'then'], [e, 'else']] as const) {
          c.sameDType(out, b, `${what} output ${i}`);
          c.shapeIs(b, out.shape, `${what} output ${i}`);
        }
        const n = sizeOf(out.shape);
        // Same element family on every side (checked above): the casts only satisfy the compiler.
        copies.push({ then: t.data.subarray(0, n) as Float32Array, else: e.data.subarray(0, n) as Float32Array, out: out.data.subarray(0, n) as Float32Array });
      }
      const flag = cond.data as Uint8Array;
      return () => {
        const taken = flag[0] !== 0;
        for (const x of copies) x.out.set(taken ? x.then : x.else);
      };
    },
  });
}

export const ifRef = ifKernel('ref');
