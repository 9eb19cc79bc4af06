// fold-constants: evaluates at compile time every node whose inputs are all known, including the
// Shape → Gather/Slice/Concat/Unsqueeze → Reshape chains exporters emit for dynamic sizes.

import type { Constant, Graph, Node, Value } from '../ir/graph.js';
import { attrInt, isStatic } from '../ir/graph.js';
import type { TensorView } from '../../runtime/tensor.js';
import { sizeOf } from '../../runtime/tensor.js';
import { evaluateNode, nodeOutputTypes } from '../analysis/interpret.js';
import type { GraphEditor, PassContext, Pass, RewriteRule } from './pass.js';
import { applyRules } from './pass.js';

const DEFAULT_MAX_ELEMENTS = 16 * 1024 * 1024;

/** Ops whose result is not a function of their inputs: folding them would change the model. */
const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);

function toConstantValue(old: Value | undefined, name: string, t: TensorView): Value {
  const c: Constant = { dtype: t.dtype, shape: t.shape, data: t.data };
  return { ...(old ?? {}), name, dtype: t.dtype, shape: t.shape, constant: c };
}

function replaceByConstants(node: Node, outs: readonly TensorView[], ed: GraphEditor): void {
  ed.removeNode(node);
  node.outputs.forEach((o, k) => {
    if (o === '') return;
    if (outs[k]) ed.setValue(toConstantValue(ed.value(o), o, outs[k]!));
    else ed.removeValue(o);
  });
}

/** Shape(x) of a non-constant x whose shape is static: the shape itself, as an int64 constant. */
const foldStaticShape: RewriteRule<number[]> = {
  name: 'static-shape',
  ops: ['Shape'],
  match(node, ed) {
    const x = node.inputs[0];
    if (x === undefined || x === '' || ed.constant(x)) return undefined;
    const shape = ed.value(x)?.shape;
    if (!isStatic(shape)) return undefined;
    // Shape-15 takes start/end attributes (negative counts from the back, clamped).
    const r = shape.length;
    const clamp = (i: number): number => Math.min(Math.max(i < 0 ? i + r : i, 0), r);
    return shape.slice(clamp(attrInt(node, 'start', 0)), clamp(attrInt(node, 'end', r)));
  },
  rewrite(node, dims, ed) {
    const data = BigInt64Array.from(dims, (d) => BigInt(d));
    replaceByConstants(node, [{ dtype: 'int64', shape: [dims.length], data }], ed);
  },
};

/** Any other node whose present inputs are all constant: run its ref kernel. */
const foldAllConstant: RewriteRule<TensorView[]> = {
  name: 'all-constant-inputs',
  ops: [],
  match(node, ed, ctx) {
    if (NONDETERMINISTIC.has(node.op) || node.inputs.every((x) => x === '')) return undefined;
    const args: (TensorView | undefined)[] = [];
    for (const x of node.inputs) {
      if (x === '') { args.push(undefined); continue; }
      const c = ed.constant(x);
      if (!c) return undefined;
      args.push(c);
    }
    const limit = ctx.options.foldMaxElements ?? DEFAULT_MAX_ELEMENTS;
    let types;
    try {
      types = nodeOutputTypes(node, args, ed.opset);
    } catch (e) {
      ctx.log({ pass: 'fold-constants', node: node.name, message: `not folded: ${(e as Error).message}` });
      return undefined;
    }
    const big = types.find((t) => sizeOf(t.shape) > limit);
    if (big) {
      ctx.log({ pass: 'fold-constants', node: node.name, message: `not folded: output of ${sizeOf(big.shape)} elements exceeds ${limit}` });
      return undefined;
    }
    try {
      return evaluateNode(node, args, ed.opset, ctx.registry);
    } catch (e) {
      ctx.log({ pass: 'fold-constants', node: node.name, message: `not folded: ${(e as Error).message}` });
      return undefined;
    }
  },
  rewrite(node, outs, ed) {
    replaceByConstants(node, outs, ed);
  },
};

/**
 * Replaces nodes computable at compile time by constant values.
 *
 * Preconditions: nodes in topological order; shapes inferred (a Shape node folds only when its
 * input's shape is static). Runs to a local fixpoint in one sweep, since a folded output is
 * constant for the nodes after it; pair it with infer-shapes in a fixpoint group so shapes
 * unblocked by a fold (a Reshape whose target became constant) are inferred and folded in turn.
 * Postconditions: no node has only constant inputs, unless it is nondeterministic, has no ref
 * kernel, or its output would exceed `ctx.options.foldMaxElements` (each skip is logged).
 * Inputs of folded nodes are left in place for eliminate-dead-code.
 */
export const foldConstants: Pass = {
  name: 'fold-constants',
  summary: 'evaluate nodes with constant inputs (and Shape of static shapes) at compile time',
  requires: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    // The generic rule matches every op: register it under each op present.
    const ops = [...new Set(graph.nodes.map((n) => n.op))];
    return applyRules(graph, [foldStaticShape, { ...foldAllConstant, ops }], ctx);
  },
};
