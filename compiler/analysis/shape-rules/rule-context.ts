// What a shape rule works with: the rule context (accessors that fail naming the node), the rule
// type and dimension arithmetic; its own module so rule families (shape-rules/*.ts) import it
// without importing the table in analysis/shapes.ts that lists them.

import { echoJoin, echoList } from '../../echo.js';
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

// ---- dimension arithmetic -------------------------------------------------------------------

export const UNKNOWN = '?';

export function dimAdd(a: Dim, b: number): Dim {
  return typeof a === 'number' ? a + b : UNKNOWN;
}

export function product(dims: Shape): Dim {
  let p = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return UNKNOWN;
    p *= d;
  }
  return p;
}

function sameDim(a: Dim, b: Dim): boolean {
  return a === b;
}

/** Numpy broadcasting; symbolic dims propagate when they cannot be contradicted. */
export function broadcast(c: RuleCtx, shapes: readonly Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = i - (rank - s.length);
      if (k < 0) continue;
      const e = s[k]!;
      if (e === 1) continue;
      if (d === 1) { d = e; continue; }
      if (sameDim(d, e)) continue;
      if (typeof d === 'number' && typeof e === 'number') {
        c.fail(`cannot broadcast shapes ${echoJoin(shapes.map(fmt), ', ')} (dimension ${i}: ${d} vs ${e})`);
      }
      // One side numeric (not 1): the symbolic one must equal it at run time.
      if (typeof e === 'number') d = e;
      else if (typeof d !== 'number') d = UNKNOWN;
    }
    out.push(d);
  }
  return out;
}

export function fmt(s: Shape | undefined): string {
  return s ? `${echoList(s)}` : '[?]';
}

