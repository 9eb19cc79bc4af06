// What a shape rule sees (RuleCtx: the node, its inputs' info, accessors that fail naming the
// node) and the small vocabulary rules share; analysis/shapes.ts and the rule families under
// shape-rules/ import it from here.

import { echoList } from '../../echo.js';
import { SpcError } from '../../errors.js';
import type { Constant, Dim, DType, Node } from '../../ir/graph.js';

export interface ValueInfo { readonly dtype: DType; readonly shape?: readonly Dim[]; readonly constant?: Constant }

export type Shape = readonly Dim[];
export interface Out { dtype: DType; shape?: Shape }

/** What a rule sees: the node, its inputs' info and a few accessors that fail with the node's name. */
export class RuleCtx {
  constructor(readonly node: Node, readonly inputs: readonly (ValueInfo | undefined)[], readonly opset: number) {}

  fail(msg: string): never {
    throw new SpcError(`node '${this.node.name}' (${this.node.op}): ${msg}`);
  }

  /** A required input. */
  in(i: number): ValueInfo {
    const v = this.inputs[i];
    if (!v) this.fail(`missing required input ${i}${this.node.inputs[i] ? ` '${this.node.inputs[i]}'` : ''}`);
    return v;
  }

  has(i: number): boolean {
    return this.inputs[i] !== undefined;
  }

  shape(i: number): Shape | undefined {
    return this.inputs[i]?.shape;
  }

  /** Integer data of a constant input, or undefined when absent or not constant. */
  ints(i: number): number[] | undefined {
    const c = this.inputs[i]?.constant;
    return c ? constantInts(c) : undefined;
  }

  floats(i: number): number[] | undefined {
    const c = this.inputs[i]?.constant;
    if (!c) return undefined;
    return Array.from(c.data as ArrayLike<number | bigint>, (x) => Number(x));
  }

  axis(a: number, rank: number, what = 'axis'): number {
    if (!Number.isInteger(a) || a < -rank || a >= rank) this.fail(`${what} ${a} is out of range for rank ${rank}`);
    return a < 0 ? a + rank : a;
  }
}

export function constantInts(c: Constant): number[] {
  const out: number[] = [];
  for (const x of c.data as Iterable<number | bigint>) out.push(Number(x));
  return out;
}

export type Rule = (c: RuleCtx) => Out[];

/** A dimension not known at compile time. */
export const UNKNOWN = '?';

export function fmt(s: Shape | undefined): string {
  return s ? `${echoList(s)}` : '[?]';
}

export const sameAsInput: Rule = (c: RuleCtx) => [{ dtype: c.in(0).dtype, shape: c.shape(0) }];
