// Which graph input is an attention mask that makes zero padding exact: a bucketed input whose
// every use, through elementwise and shape ops only, ends in the scores a Softmax normalizes, so
// a zero there removes a position from every attention and touches nothing else.

import type { Graph } from '../ir/graph.js';
import { readersOf } from '../ir/graph.js';

/** Ops a mask passes through on its way to the scores: they act position by position. */
const MASK_PATH = new Set([
  'Cast', 'Unsqueeze', 'Squeeze', 'Reshape', 'Expand', 'Flatten', 'Identity', 'Not', 'Neg',
  'Sub', 'Mul', 'Add', 'Div', 'Equal', 'Less', 'Greater', 'Where', 'Min', 'Max', 'Clip',
]);

/**
 * The first of `candidates` (bucketed graph inputs) that is used only as an attention mask: its
 * uses reach at least one Softmax, and every node on the way is in MASK_PATH. Undefined when none.
 */
export function attentionMaskInput(g: Graph, candidates: readonly string[]): string | undefined {
  const readers = readersOf(g);
  return candidates.find((input) => {
    const seen = new Set<string>([input]);
    const todo = [input];
    let softmax = false;
    while (todo.length > 0) {
      for (const n of readers.get(todo.pop()!) ?? []) {
        if (n.op === 'Softmax') { softmax = true; continue; }
        if (!MASK_PATH.has(n.op)) return false;
        for (const o of n.outputs) {
          if (g.outputs.includes(o)) return false;
          if (o !== '' && !seen.has(o)) { seen.add(o); todo.push(o); }
        }
      }
    }
    return softmax;
  });
}
