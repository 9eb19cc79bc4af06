// The frontend's entry point: reads an ONNX file, decodes and imports it, rejects unsupported
// operators that reach an output (all at once), pins dynamic input dimensions and runs shape inference.

import { READ_CAPS, readBounded } from '../io/read.js';
import { inferShapes, SUPPORTED_OPS } from '../analysis/shapes.js';
import { eliminateDeadCode } from '../passes/eliminate-dead-code.js';
import { makePassContext } from '../passes/pass.js';
import { SpcError } from '../errors.js';
import type { Constant, Dim, Graph, Value } from '../ir/graph.js';
import { withGraph } from '../ir/graph.js';
import { decodeModel } from './decode.js';
import { echoJoin, echoList } from '../echo.js';
import { importModel } from './import.js';
import { checkValueShapes, compileLimits, WeightBudget } from '../limits.js';
import type { Limits } from '../limits.js';

export interface LoadOptions {
  /** Input name → dims; overrides the shape declared in the model. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /**
   * Input name → a value fixed at compile time: the input becomes a constant (an initializer)
   * and is no longer an input of the compiled model. For inputs that set shapes (a Reshape's
   * shape, Slice starts, Pad pads), which spc needs to know when compiling.
   */
  readonly inputValues?: Readonly<Record<string, Constant>>;
  /** Resource limits (defaults: DEFAULT_LIMITS in compiler/limits.ts). */
  readonly limits?: Partial<Limits>;
  /** Read external data files that have several hard links (refused by default: io/open-inside.ts). */
  readonly allowExternalHardlinks?: boolean;
}

export interface Loaded {
  readonly graph: Graph;
  /** Things the user should know, e.g. a dynamic batch dimension pinned to 1. */
  readonly warnings: string[];
}

export function loadOnnx(path: string, opts: LoadOptions = {}): Loaded {
  return loadOnnxBytes(readBounded(path, READ_CAPS.onnxModel), path, opts);
}

/** As loadOnnx, from the model's bytes; `label` names the model in messages. */
export function loadOnnxBytes(bytes: Uint8Array, label: string, opts: LoadOptions = {}): Loaded {
  const path = label;
  const limits = compileLimits(opts.limits);
  // The decoder checks the graph's size (checkGraphSize) on the wire, before decoding a node.
  const model = decodeModel(bytes, path, limits);
  const imported = importModel(model, path, new WeightBudget(limits), { allowExternalHardlinks: opts.allowExternalHardlinks });
  const live = withoutDeadUnsupported(imported);
  checkOperators(live, path);
  const warnings: string[] = [];
  const pinned = pinInputs(bindInputs(live, opts.inputValues ?? {}, path), opts.inputShapes ?? {}, path, warnings);
  let graph: Graph;
  try {
    graph = inferShapes(pinned);
    checkValueShapes(graph, limits);
  } catch (e) {
    if (e instanceof SpcError) throw new SpcError(`${path}: ${e.message}`);
    throw e;
  }
  return { graph, warnings };
}

/**
 * Refusal waits for canonicalization's verdict: a node it would remove never blocks a model.
 * An op with a shape rule and a ref kernel folds when its inputs are constant (fold-constants),
 * so it is supported whatever its inputs; an op without one can be neither inferred nor folded,
 * and nothing downstream of it can fold either, so the one way it leaves the graph is as dead
 * code. Those dead nodes are dropped here, before the check (with the graph's other dead code,
 * which eliminate-dead-code would drop anyway); a graph of supported ops is returned unchanged.
 */
function withoutDeadUnsupported(g: Graph): Graph {
  if (g.nodes.every((n) => SUPPORTED_OPS.has(n.op))) return g;
  return eliminateDeadCode.run(g, makePassContext());
}

/** Throws one SpcError listing every unsupported op type with the nodes that use it. */
export function checkOperators(g: Graph, file: string): void {
  const bad = new Map<string, string[]>();
  for (const n of g.nodes) {
    if (SUPPORTED_OPS.has(n.op)) continue;
    const list = bad.get(n.op) ?? [];
    list.push(n.name);
    bad.set(n.op, list);
  }
  if (bad.size === 0) return;
  const parts = [...bad].map(([op, names]) => `${op} (node${names.length > 1 ? 's' : ''} ${echoJoin(names, ', ')})`);
  throw new SpcError(`${file}: unsupported operators: ${parts.join(', ')}`);
}

/** Turns the inputs named in `given` into constants, after checking dtype and declared shape. */
function bindInputs(g: Graph, given: Readonly<Record<string, Constant>>, file: string): Graph {
  const names = Object.keys(given).sort();
  if (names.length === 0) return g;
  const values = new Map(g.values);
  for (const name of names) {
    if (!g.inputs.includes(name)) {
      throw new SpcError(`${file}: a fixed input value names '${name}', which is not a graph input (inputs: ${g.inputs.join(', ') || 'none'})`);
    }
    const v = g.values.get(name)!, c = given[name]!;
    if (c.dtype !== v.dtype) throw new SpcError(`${file}: input '${name}' is ${v.dtype}, its fixed value is ${c.dtype}`);
    if (v.shape && (v.shape.length !== c.shape.length || v.shape.some((d, i) => typeof d === 'number' && d !== c.shape[i]))) {
      throw new SpcError(`${file}: input '${name}' has shape ${echoList(v.shape)}, its fixed value ${echoList(c.shape)}`);
    }
    values.set(name, { name, dtype: c.dtype, shape: [...c.shape], constant: c });
  }
  return withGraph(g, { inputs: g.inputs.filter((i) => !(i in given)), values: values.values() });
}

function pinInputs(g: Graph, overrides: Readonly<Record<string, readonly number[]>>, file: string, warnings: string[]): Graph {
  for (const name of Object.keys(overrides)) {
    if (!g.inputs.includes(name)) {
      throw new SpcError(`${file}: --input-shape names '${name}', which is not a graph input (inputs: ${g.inputs.join(', ') || 'none'})`);
    }
  }
  const replaced = new Map<string, Value>();
  for (const name of g.inputs) {
    const v = g.values.get(name)!;
    const given = overrides[name];
    const hint = `--input-shape ${name}=${(v.shape ?? ['...']).map((d) => (typeof d === 'number' ? d : 'N')).join('x')}`;
    if (given) {
      if (given.some((d) => !Number.isInteger(d) || d < 0)) {
        throw new SpcError(`${file}: input '${name}': shape ${echoList(given)} must have non-negative integer dims`);
      }
      if (v.shape) {
        if (v.shape.length !== given.length) {
          throw new SpcError(`${file}: input '${name}' has rank ${v.shape.length} (${echoList(v.shape)}), --input-shape gives ${echoList(given)}`);
        }
        v.shape.forEach((d, i) => {
          if (typeof d === 'number' && d !== given[i]) {
            throw new SpcError(`${file}: input '${name}' dimension ${i} is fixed at ${d}, --input-shape gives ${given[i]}`);
          }
        });
      }
      replaced.set(name, { ...v, shape: [...given] });
      continue;
    }
    if (!v.shape) throw new SpcError(`${file}: input '${name}' has no declared shape; pass ${hint}`);
    if (v.shape.every((d) => typeof d === 'number')) continue;
    const shape: Dim[] = [...v.shape];
    if (typeof shape[0] === 'string') {
      shape[0] = 1;
      // The suggestion is an option spc accepts as printed (a concrete size, not a placeholder).
      const example = `--input-shape ${name}=${['8', ...shape.slice(1).map((d) => (typeof d === 'number' ? d : 'N'))].join('x')}`;
      warnings.push(`input '${name}': dynamic batch dimension '${v.shape[0]}' pinned to 1 (for another batch size, e.g. 8: ${example})`);
    }
    const dynamic = shape.findIndex((d) => typeof d !== 'number');
    if (dynamic >= 0) {
      throw new SpcError(`${file}: input '${name}' dimension ${dynamic} ('${shape[dynamic]}') is dynamic; pass ${hint}`);
    }
    replaced.set(name, { ...v, shape });
  }
  if (replaced.size === 0) return g;
  return withGraph(g, { values: [...g.values.values()].map((v) => replaced.get(v.name) ?? v) });
}
