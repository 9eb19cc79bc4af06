// The If branch regions of an artifact's step list, checked at load: each If's `spc_then_steps`
// then-steps and `spc_else_steps` else-steps end right before it (compiler/passes/
// schedule-branches.ts), regions nest strictly inside one another's branches and never cross.

import type { LoadedNode } from './model.js';

export const THEN_STEPS_ATTR = 'spc_then_steps';
export const ELSE_STEPS_ATTR = 'spc_else_steps';

/**
 * How deeply regions may nest in an artifact (the compiler nests them as deep as the model's
 * Ifs, at most 16): bounds the program builder's recursion on a hostile artifact.
 */
export const MAX_BRANCH_DEPTH = 64;

/** One If's steps: then [start, thenEnd), else [thenEnd, ifStep), the If itself at ifStep. */
export interface BranchRegion {
  readonly ifStep: number;
  readonly start: number;
  readonly thenEnd: number;
  /** Tensor index of the condition (the If's input 0). */
  readonly cond: number;
}

/**
 * The regions of every If that has them, outermost first where two start at one step; throws
 * `fail(message)` when a count is not a non-negative integer, a region starts before step 0, or
 * two regions cross (one must lie wholly outside the other, or inside one of its two branches).
 */
export function branchRegions(nodes: readonly LoadedNode[], fail: (message: string) => Error): BranchRegion[] {
  const regions: BranchRegion[] = [];
  nodes.forEach((n, i) => {
    const t = n.attrs[THEN_STEPS_ATTR], e = n.attrs[ELSE_STEPS_ATTR];
    if (t === undefined && e === undefined) return;
    const where = `node ${i} '${n.name}' (${n.op})`;
    if (n.op !== 'If') throw fail(`${where} has branch step counts, which only an If may have`);
    if (typeof t !== 'number' || typeof e !== 'number' || !Number.isSafeInteger(t) || !Number.isSafeInteger(e) || t < 0 || e < 0) {
      throw fail(`${where}: ${THEN_STEPS_ATTR} and ${ELSE_STEPS_ATTR} must both be non-negative integers`);
    }
    const start = i - t - e;
    if (start < 0) throw fail(`${where}: its ${t} then-steps and ${e} else-steps would start before the first node`);
    const cond = n.inputs[0];
    if (cond === undefined || cond < 0) throw fail(`${where} has no condition input`);
    regions.push({ ifStep: i, start, thenEnd: start + t, cond });
  });
  // By start, the wider (outer) first; a stack of the regions enclosing the current one.
  regions.sort((a, b) => a.start - b.start || b.ifStep - a.ifStep);
  const open: BranchRegion[] = [];
  for (const r of regions) {
    while (open.length > 0 && open[open.length - 1]!.ifStep < r.start) open.pop();
    const outer = open[open.length - 1];
    if (outer) {
      const inThen = r.start < outer.thenEnd;
      const limit = inThen ? outer.thenEnd : outer.ifStep;
      if (r.ifStep >= limit) {
        throw fail(`node ${r.ifStep} '${nodes[r.ifStep]!.name}' (If): its branch steps ${r.start}..${r.ifStep - 1} cross the ${inThen ? 'then' : 'else'}-steps ${inThen ? outer.start : outer.thenEnd}..${limit - 1} of node ${outer.ifStep} '${nodes[outer.ifStep]!.name}' (If)`);
      }
    }
    open.push(r);
    if (open.length > MAX_BRANCH_DEPTH) throw fail(`node ${r.ifStep} '${nodes[r.ifStep]!.name}' (If): branches nest more than ${MAX_BRANCH_DEPTH} deep`);
  }
  return regions;
}
