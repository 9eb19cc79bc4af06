// Edge shapes for the js twins of ops real models ran on ref (issue 16 acceptance 3): copies of
// every rank change (to and from scalars, empty tensors, odd sizes).

import type { EdgeCase } from './edge-cases.js';

function copyCases(op: string): EdgeCase[] {
  const c = (x: number[], y: number[], attrs: Record<string, number> = {}): EdgeCase =>
    ({ name: `${op} [${x}] → [${y}] ${JSON.stringify(attrs)}`, inputs: [x], attrs, output: y });
  switch (op) {
    case 'Reshape': return [c([2, 3, 5], [6, 5]), c([1], []), c([], [1, 1]), c([0, 3], [3, 0]), c([7, 1, 3], [21])];
    case 'Flatten': return [c([2, 3, 5], [2, 15]), c([2, 3, 5], [1, 30], { axis: 0 }), c([2, 3, 5], [30, 1], { axis: 3 }),
      c([2, 3, 5], [6, 5], { axis: -1 }), c([4, 1], [4, 1]), c([0, 4], [0, 4])];
    case 'Squeeze': return [c([1, 3, 1, 5], [3, 5]), c([1], []), c([1, 0], [0])];
    case 'Unsqueeze': return [c([3, 5], [1, 3, 1, 5]), c([], [1]), c([0], [0, 1])];
    case 'Identity': return [c([5, 7], [5, 7]), c([], []), c([0], [0])];
    default: return [];
  }
}

export function norefEdgeCases(op: string): EdgeCase[] | undefined {
  const copies = copyCases(op);
  return copies.length > 0 ? copies : undefined;
}
