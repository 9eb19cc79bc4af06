// The step program that runs only the branch each If's condition takes, built from the
// artifact's checked branch regions (loader/check-branches.ts).

import type { BranchRegion } from '../loader/check-branches.js';
import type { RunFn } from '../kernels/kernel.js';

export { branchRegions } from '../loader/check-branches.js';

/** Program words: a step index (≥ 0) runs that step; JUMP_UNLESS cond target; JUMP target. */
export const JUMP_UNLESS = -1;
export const JUMP = -2;

/**
 * The step program over `steps` nodes with these (checked) regions: each region is
 * `JUMP_UNLESS cond else; then-steps; JUMP if; else: else-steps; if: the If step`.
 * Undefined when there is no region (the plain loop runs every step).
 */
export function branchProgram(steps: number, regions: readonly BranchRegion[]): Int32Array | undefined {
  if (regions.length === 0) return undefined;
  const startingAt = new Map<number, BranchRegion[]>();
  for (const r of regions) {
    const list = startingAt.get(r.start) ?? [];
    list.push(r);
    startingAt.set(r.start, list);
  }
  const words: number[] = [];
  // Emits steps [a, b); a region starting at s is taken when it ends inside [a, b), outermost first.
  const emit = (a: number, b: number): void => {
    for (let s = a; s < b;) {
      const r = (startingAt.get(s) ?? []).find((x) => x.ifStep < b);
      if (!r) { words.push(s++); continue; }
      words.push(JUMP_UNLESS, r.cond, -1);
      const patchElse = words.length - 1;
      emit(r.start, r.thenEnd);
      words.push(JUMP, -1);
      const patchIf = words.length - 1;
      words[patchElse] = words.length;
      emit(r.thenEnd, r.ifStep);
      words[patchIf] = words.length;
      words.push(r.ifStep);
      s = r.ifStep + 1;
    }
  };
  emit(0, steps);
  return Int32Array.from(words);
}

/** Runs the step program: every step in order, except the branch each If's condition does not take. */
export function runProgram(program: Int32Array, steps: readonly RunFn[], conds: readonly Uint8Array[]): void {
  for (let pc = 0; pc < program.length;) {
    const w = program[pc]!;
    if (w >= 0) { steps[w]!(); pc++; }
    else if (w === JUMP_UNLESS) pc = conds[program[pc + 1]!]![0] ? pc + 3 : program[pc + 2]!;
    else pc = program[pc + 1]!;
  }
}
