// Shape rules of control flow: If, as the importer flattens it (inputs [cond, then outputs…,
// else outputs…]; compiler/frontend/import.ts).

import { echoList } from '../../echo.js';
import type { Constant, Dim, DType, Node } from '../../ir/graph.js';

// What the rules read of analysis/shapes.ts's RuleCtx, declared here so this file does not import
// shapes.ts (which imports it).
interface Info { readonly dtype: DType; readonly shape?: readonly Dim[]; readonly constant?: Constant }
interface Out { dtype: DType; shape?: readonly Dim[] }
interface RuleCtx {
  readonly node: Node;
  readonly inputs: readonly (Info | undefined)[];
  fail(msg: string): never;
  in(i: number): Info;
}
type Rule = (c: RuleCtx) => Out[];

/** Which branch a constant condition takes, or undefined when the condition is not a constant. */
export function constantBranch(c: RuleCtx): 'then' | 'else' | undefined {
  const cond = c.inputs[0]?.constant;
  if (!cond || cond.data.length !== 1) return undefined;
  return cond.data[0] ? 'then' : 'else';
}

const ifRule: Rule = (c: RuleCtx): Out[] => {
  const k = c.node.outputs.length;
  if (k === 0) c.fail('has no outputs');
  if (c.node.inputs.length !== 1 + 2 * k) c.fail(`expected the condition and ${k} outputs from each branch, got ${c.node.inputs.length} inputs`);
  const cond = c.in(0);
  if (cond.dtype !== 'bool') c.fail(`the condition is ${cond.dtype}, expected bool`);
  const cs = cond.shape;
  if (cs && cs.some((d) => typeof d === 'number' && d !== 1)) c.fail(`the condition has shape ${echoList(cs)}, expected a single element`);
  const taken = constantBranch(c);
  const outs: Out[] = [];
  for (let i = 0; i < k; i++) {
    // A constant condition: only the taken branch matters (fold-if inlines it); the other may differ.
    if (taken !== undefined) {
      const v = c.in(taken === 'then' ? 1 + i : 1 + k + i);
      outs.push(v.shape ? { dtype: v.dtype, shape: v.shape } : { dtype: v.dtype });
      continue;
    }
    const t = c.in(1 + i), e = c.in(1 + k + i);
    const ts = t.shape, es = e.shape;
    const isStatic = (s: typeof ts): boolean => s !== undefined && s.every((d) => typeof d === 'number');
    const differ = t.dtype !== e.dtype || (isStatic(ts) && isStatic(es) && (ts!.length !== es!.length || ts!.some((d, j) => d !== es![j])));
    if (differ) {
      c.fail(`output ${i} ('${c.node.outputs[i]}') is ${t.dtype}${ts ? echoList(ts) : '[?]'} in then_branch and ${e.dtype}${es ? echoList(es) : '[?]'} in else_branch; `
        + 'spc compiles an If whose condition is known only at run time when both branches give each output the same dtype and static shape');
    }
    // Not yet static on one side: unknown for now (a later round of folding may settle it).
    if (!isStatic(ts) || !isStatic(es)) { outs.push({ dtype: t.dtype }); continue; }
    outs.push({ dtype: t.dtype, shape: t.shape });
  }
  return outs;
};

export const CONTROL_RULES: Readonly<Record<string, Rule>> = { If: ifRule };
