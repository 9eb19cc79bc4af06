// fold-constants: evaluates at compile time every node whose inputs are all known, including the
// Shape → Gather/Slice/Concat/Unsqueeze → Reshape chains exporters emit for dynamic sizes.

import type { Constant, Graph, Node, Value } from '../ir/graph.js';
import { attrInt, isStatic } from '../ir/graph.js';
import type { TensorView } from '../../runtime/tensor.js';
import { DTYPE_BYTES, sizeOf } from '../../runtime/tensor.js';
import { overLimit } from '../../runtime/loader/limits.js';
import { SpcError } from '../errors.js';
import { evaluateNode, nodeOutputTypes } from '../analysis/interpret.js';
import type { GraphEditor, PassContext, Pass, RewriteRule } from './pass.js';
import { applyRules } from './pass.js';

const DEFAULT_MAX_ELEMENTS = 16 * 1024 * 1024;
/**
 * Folding turns a few bytes of model into as many bytes of constants as its shapes say (an
 * Expand to [4096, 4096] is 64 MiB). By default it may make this much, or as much as the
 * model's own constants if more (a transformer's transposed weights fold): past that, nodes
 * are left to run at run time, where they cost arena, not weights, and the limits on both apply.
 */
const DEFAULT_MAX_FOLDED_BYTES = 128 * 1024 * 1024;

/** Ops whose result is not a function of their inputs: folding them would change the model. */
const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);

/**
 * Ops that decode a constant weight into the float form the layers read (a QDQ model's
 * DequantizeLinear of an int8 initializer). Their output has as many elements as their first
 * input, so what they add is bounded by the model's own weights (4× an int8 one), and a weight
 * left encoded would keep its Conv/Gemm/MatMul off the float kernels: they fold past the folding
 * budget and the fold element limit, and their outputs count as the model's weights, not as
 * folded constants. maxWeightBytes and maxTensorElements still bound them.
 */
const WEIGHT_DECODERS: ReadonlySet<string> = new Set(['DequantizeLinear']);

function toConstantValue(old: Value | undefined, name: string, t: TensorView, folded: boolean): Value {
  const c: Constant = { dtype: t.dtype, shape: t.shape, data: t.data, ...(folded ? { folded: true as const } : {}) };
  return { ...(old ?? {}), name, dtype: t.dtype, shape: t.shape, constant: c };
}

function replaceByConstants(node: Node, outs: readonly TensorView[], ed: GraphEditor): void {
  ed.removeNode(node);
  const folded = !WEIGHT_DECODERS.has(node.op);
  node.outputs.forEach((o, k) => {
    if (o === '') return;
    if (outs[k]) ed.setValue(toConstantValue(ed.value(o), o, outs[k]!, folded));
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

/**
 * Bytes of constants the graph holds (every constant value, dead ones included until
 * eliminate-dead-code drops them) and how many of them folding made: what a fold is charged against.
 */
interface FoldBudget { held: number; folded: number; readonly maxFolded: number }

function foldBudget(g: Graph, settings: PassContext['settings']): FoldBudget {
  let held = 0, folded = 0;
  for (const v of g.values.values()) {
    if (!v.constant) continue;
    held += v.constant.data.byteLength;
    if (v.constant.folded) folded += v.constant.data.byteLength;
  }
  return { held, folded, maxFolded: settings.foldMaxBytes ?? Math.max(DEFAULT_MAX_FOLDED_BYTES, held - folded) };
}

/** Any other node whose present inputs are all constant: run its ref kernel, within `budget`. */
const foldAllConstant = (budget: FoldBudget): RewriteRule<TensorView[]> => ({
  name: 'all-constant-inputs',
  ops: [],
  match(node, ed, ctx) {
    if (NONDETERMINISTIC.has(node.op) || node.inputs.every((x) => x === '')) return undefined;
    const decodes = WEIGHT_DECODERS.has(node.op);
    const args: (TensorView | undefined)[] = [];
    for (const x of node.inputs) {
      if (x === '') { args.push(undefined); continue; }
      const c = ed.constant(x);
      if (!c) return undefined;
      args.push(c);
    }
    const limits = ctx.settings.limits;
    const limit = Math.min(ctx.settings.foldMaxElements ?? DEFAULT_MAX_ELEMENTS, limits.maxTensorElements);
    let types;
    try {
      types = nodeOutputTypes(node, args, ed.opset);
    } catch (e) {
      ctx.log({ pass: 'fold-constants', node: node.name, message: `not folded: ${(e as Error).message}` });
      return undefined;
    }
    const elementLimit = decodes ? limits.maxTensorElements : limit;
    const big = types.find((t) => sizeOf(t.shape) > elementLimit);
    if (big) {
      ctx.log({ pass: 'fold-constants', node: node.name, message: `not folded: output of ${sizeOf(big.shape)} elements exceeds ${elementLimit}` });
      return undefined;
    }
    // Charged before the outputs are allocated: first the folding budget (past it the node runs
    // at run time), then the weight limit, which folded constants count against as initializers do.
    const bytes = types.reduce((sum, t) => sum + sizeOf(t.shape) * DTYPE_BYTES[t.dtype], 0);
    const maxFolded = budget.maxFolded;
    if (!decodes && budget.folded + bytes > maxFolded) {
      ctx.log({ pass: 'fold-constants', node: node.name,
        message: `not folded: its output (${bytes} bytes) would bring the folded constants to ${budget.folded + bytes} bytes, over the ${maxFolded}-byte folding budget` });
      return undefined;
    }
    if (budget.held + bytes > limits.maxWeightBytes) {
      throw new SpcError(`node '${node.name}' (${node.op}): ${overLimit('folding its output brings the constants to', `${budget.held + bytes} bytes, which`, limits, 'maxWeightBytes', 'compile')}`);
    }
    let outs;
    try {
      outs = evaluateNode(node, args, ed.opset, ctx.registry);
    } catch (e) {
      ctx.log({ pass: 'fold-constants', node: node.name, message: `not folded: ${(e as Error).message}` });
      return undefined;
    }
    budget.held += bytes;
    if (!decodes) budget.folded += bytes;
    return outs;
  },
  rewrite(node, outs, ed) {
    replaceByConstants(node, outs, ed);
  },
});

/**
 * Replaces nodes computable at compile time by constant values.
 *
 * Preconditions: nodes in topological order; shapes inferred (a Shape node folds only when its
 * input's shape is static). Runs to a local fixpoint in one sweep, since a folded output is
 * constant for the nodes after it; pair it with infer-shapes in a fixpoint group so shapes
 * unblocked by a fold (a Reshape whose target became constant) are inferred and folded in turn.
 * Postconditions: no node has only constant inputs, unless it is nondeterministic, has no ref
 * kernel, its output would exceed `ctx.settings.foldMaxElements` or the folding budget
 * (`settings.foldMaxBytes`, spc compile --fold-max-bytes) (each skip is logged). Every fold is charged, before its output is allocated,
 * to the weight limit (`limits.maxWeightBytes`, with the constants the graph holds): over it, an SpcError.
 * Inputs of folded nodes are left in place for eliminate-dead-code.
 */
export const foldConstants: Pass = {
  name: 'fold-constants',
  summary: 'evaluate nodes with constant inputs (and Shape of static shapes) at compile time',
  requires: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    // The generic rule matches every op: register it under each op present.
    const ops = [...new Set(graph.nodes.map((n) => n.op))];
    return applyRules(graph, [foldStaticShape, { ...foldAllConstant(foldBudget(graph, ctx.settings)), ops }], ctx);
  },
};
