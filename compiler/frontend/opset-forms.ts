// Meanings that changed with the opset while the attributes kept their names, made explicit at
// import so kernels (which never see the opset) and later passes read them from the node alone.

import type { Attr } from '../ir/graph.js';

/**
 * Before opset 13, Softmax, LogSoftmax and Hardmax coerce the input to 2-D at `axis` (default 1)
 * and normalise each row as a whole; from 13 they normalise along `axis` (default −1) alone.
 * An older node gets its axis written out and spc_coerce_2d = 1 (ref/softmax.ts reads it).
 */
const COERCE_2D_BEFORE_13: ReadonlySet<string> = new Set(['Softmax', 'LogSoftmax', 'Hardmax']);

/** Rewrites `attrs` (the node's own, freshly imported) for its op at `opset`. */
export function explicitOpsetForm(op: string, opset: number, attrs: Record<string, Attr>): void {
  if (opset < 13 && COERCE_2D_BEFORE_13.has(op)) {
    attrs['axis'] ??= { kind: 'int', value: 1 };
    attrs['spc_coerce_2d'] = { kind: 'int', value: 1 };
  }
}
