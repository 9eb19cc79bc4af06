// The layer-by-layer calibration stream: runs a graph over every calibration sample one node at
// a time, hands each chosen layer its input activations before it runs (so the caller can prune
// it), and computes the layer's output with what the caller changed, so later layers calibrate
// on the already-pruned upstream network.

import type { Constant, Graph, Node } from '../ir/graph.js';
import { attrString, kernelAttrs } from '../ir/graph.js';
import type { TensorView } from '../../runtime/tensor.js';
import { allocArray, sizeOf } from '../../runtime/tensor.js';
import type { Kernel, KernelRegistry, NodeShapes } from '../../runtime/kernels/kernel.js';
import { defaultRegistry } from '../../runtime/kernels/index.js';
import { evaluateNode, nodeOutputTypes } from '../analysis/interpret.js';
import type { CalibrationSet } from './data.js';
import { SpcError } from '../errors.js';
import { describeNonFinite, firstNonFinite, requireFiniteSamples } from '../sparse/prune/finite.js';
import { calibrationWasm, runWasmNode } from './wasm-run.js';

/** A layer reached by the stream: its node and its input 0 for every sample, in sample order. */
export interface LayerVisit {
  readonly node: Node;
  readonly index: number;
  readonly inputs: readonly TensorView[];
  /** With `options.dense`: the same input in the dense network (the same array while nothing upstream changed). */
  readonly denseInputs?: readonly TensorView[];
}

/** What a visit changed before the layer runs: the node (e.g. a new bias input) and constants by value name. */
export interface LayerChange {
  readonly node?: Node;
  readonly constants?: ReadonlyMap<string, Constant>;
}

export interface StreamOptions {
  /** Called after every node: nodes done, node count. */
  readonly progress?: (done: number, total: number) => void;
  readonly registry?: KernelRegistry;
  /** Also run the dense network alongside, for layers that reconstruct the dense outputs. */
  readonly dense?: boolean;
}

let cachedRegistry: KernelRegistry | undefined;

/**
 * Ops whose wasmsimd kernels calibration runs: the heavy ones (the rest cost little on js).
 * MaxPool's window maxima are exact, so its activations are the js kernel's bit for bit.
 */
const WASM_OPS = new Set(['Conv', 'Gemm', 'MatMul', 'MaxPool']);

/** A prepared choice for a node: its kernel, and whether it is a wasmsimd one (runWasmNode). */
interface Choice { readonly kernel: Kernel; readonly wasm: boolean }

/**
 * The fastest dense kernel for `node` calibration can run: wasmsimd for Conv/Gemm/MatMul where
 * this engine has SIMD128 and the kernel supports the node, else the optimized js one (the ref
 * kernels are the spec but too slow for 64 samples of a 224×224 network); undefined sends the
 * node to the ref interpreter.
 */
function fastKernel(registry: KernelRegistry, node: Node, inputs: readonly (TensorView | undefined)[], outputs: readonly TensorView[]): Choice | undefined {
  const epilogue = attrString(node, 'spc_activation', '');
  const shapes: NodeShapes = {
    inputs: inputs.map((t) => (t ? { dtype: t.dtype, shape: t.shape } : undefined)),
    outputs: outputs.map((t) => ({ dtype: t.dtype, shape: t.shape })),
    attrs: kernelAttrs(node),
  };
  const dtype = inputs.find((t) => t !== undefined)?.dtype;
  const pick = (target: Kernel['target']): Kernel | undefined => {
    for (const k of registry.values()) {
      if (k.op !== node.op || k.target !== target || (k.format ?? 'dense') !== 'dense' || k.epilogue !== epilogue) continue;
      if (k.dtypes !== 'any' && (dtype === undefined || !(k.dtypes.includes(dtype) || (dtype === 'float32' && k.dtypes.includes('f32'))))) continue;
      if (k.supports && !k.supports(shapes)) continue;
      return k;
    }
    return undefined;
  };
  const wasm = WASM_OPS.has(node.op) && calibrationWasm() ? pick('wasmsimd') : undefined;
  if (wasm) return { kernel: wasm, wasm: true };
  const js = pick('js');
  return js ? { kernel: js, wasm: false } : undefined;
}

function runNode(registry: KernelRegistry, node: Node, inputs: readonly (TensorView | undefined)[], opset: number, cache: Map<Node, Choice | null>): TensorView[] {
  let choice = cache.get(node);
  const types = choice === null ? undefined : nodeOutputTypes(node, inputs, opset);
  const outputs = types?.map((t) => ({ dtype: t.dtype, shape: t.shape, data: allocArray(t.dtype, sizeOf(t.shape)) }));
  if (choice === undefined) {
    choice = outputs ? fastKernel(registry, node, inputs, outputs) ?? null : null;
    cache.set(node, choice);
  }
  if (choice === null || !outputs) return evaluateNode(node, inputs, opset, registry);
  const ctx = { node: node.name, inputs, outputs, attrs: kernelAttrs(node) };
  if (choice.wasm) {
    const shapes: NodeShapes = {
      inputs: inputs.map((t) => (t ? { dtype: t.dtype, shape: t.shape } : undefined)),
      outputs: outputs.map((t) => ({ dtype: t.dtype, shape: t.shape })),
      attrs: ctx.attrs,
    };
    runWasmNode(choice.kernel, shapes, ctx);
  } else choice.kernel.prepare(ctx)();
  return outputs;
}

/**
 * Where an activation first turned non-finite: the node that made NaN/±Inf from finite inputs,
 * with its non-finite constant inputs (the usual cause: a NaN weight the model carries).
 */
function nonFiniteOrigin(node: Node, constants: ReadonlyMap<string, TensorView>, sample: number, output: string, data: ArrayLike<number>, at: number): string {
  const bad: string[] = [];
  for (const x of node.inputs) {
    const c = x === '' ? undefined : constants.get(x);
    const i = c ? firstNonFinite(c.data) : -1;
    // The value only: an earlier pass (channel permutation) may have moved it within the constant.
    if (i >= 0) bad.push(`'${x}', which holds ${String((c!.data as ArrayLike<number>)[i])}`);
  }
  return `node '${node.name}' (${node.op}) makes ${describeNonFinite(data, at)} of '${output}' on calibration sample ${sample}` +
    (bad.length > 0 ? `, reading ${bad.join(', ')}` : ' from finite inputs');
}

/**
 * Runs `graph` over `set`, node by node with all samples. Before a node in `layers` runs,
 * `visit` receives its input activations and may return a change (pruned weights, a corrected
 * bias); the node then runs with it. Activations are dropped after their last reader. Refuses
 * (SpcError) calibration data holding NaN/±Inf, and a layer in `layers` whose input activations
 * do, naming the node where they first turned non-finite: its statistics would be NaN. A
 * non-finite value that never reaches such a layer (an additive -Inf attention mask before a
 * Softmax) is left alone.
 */
export function streamCalibration(
  graph: Graph, set: CalibrationSet, layers: ReadonlySet<string>,
  visit: (v: LayerVisit) => LayerChange | undefined, options: StreamOptions = {},
): void {
  const registry = options.registry ?? (cachedRegistry ??= defaultRegistry());
  requireFiniteSamples(set);
  const samples = set.samples.length;
  const constants = new Map<string, TensorView>();
  for (const v of graph.values.values()) if (v.constant) constants.set(v.name, v.constant);
  const acts = new Map<string, TensorView[]>();
  for (const name of graph.inputs) {
    acts.set(name, set.samples.map((feed, s) => {
      const t = feed[name];
      if (!t) throw new Error(`calibration sample ${s} has no tensor for input '${name}'`);
      return t;
    }));
  }
  const lastUse = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.inputs.forEach((x) => { if (x !== '') lastUse.set(x, i); }));
  const cache = new Map<Node, Choice | null>();
  // The dense network's activations where they differ from the pruned one's (same name, other arrays).
  const denseActs = new Map<string, TensorView[]>();
  const changed = new Set<string>();
  /** Activations holding NaN/±Inf on some sample → where that started (nonFiniteOrigin). */
  const nonFinite = new Map<string, string>();

  const run = (node: Node, value: (x: string, s: number) => TensorView | undefined): TensorView[][] => {
    const outs: TensorView[][] = node.outputs.map(() => []);
    for (let s = 0; s < samples; s++) {
      const args = node.inputs.map((x) => {
        if (x === '') return undefined;
        const t = value(x, s);
        if (!t) throw new Error(`calibration: node '${node.name}' reads %${x} before it is defined`);
        return t;
      });
      runNode(registry, node, args, graph.opset, cache).forEach((t, k) => outs[k]?.push(t));
    }
    return outs;
  };

  graph.nodes.forEach((original, i) => {
    let node = original;
    let altered = false;
    if (layers.has(node.name)) {
      const x = node.inputs[0] ?? '';
      const inputs = acts.get(x) ?? (constants.has(x) ? new Array<TensorView>(samples).fill(constants.get(x)!) : undefined);
      if (!inputs) throw new Error(`calibration: layer '${node.name}' input %${x} is not defined`);
      const origin = nonFinite.get(x);
      if (origin !== undefined) {
        throw new SpcError(`calibration: the input '${x}' of layer '${node.name}' (${node.op}) is not finite: ${origin}; ` +
          'calibrated pruning reads its statistics, which NaN and ±Inf leave undefined; fix the model or prune by magnitude');
      }
      const change = visit({ node, index: i, inputs, denseInputs: options.dense ? denseActs.get(x) ?? inputs : undefined });
      if (change?.node) { node = change.node; altered = true; }
      for (const [name, c] of change?.constants ?? []) { constants.set(name, c); changed.add(name); altered = true; }
    }
    const outs = run(node, (x, s) => constants.get(x) ?? acts.get(x)?.[s]);
    node.outputs.forEach((o, k) => { if (o !== '' && lastUse.has(o)) acts.set(o, outs[k]!); });
    // Non-finite activations are carried from the first node that made them to every reader.
    const inherited = node.inputs.map((x) => nonFinite.get(x)).find((o) => o !== undefined);
    node.outputs.forEach((o, k) => {
      if (o === '' || !lastUse.has(o)) return;
      for (const [s, t] of outs[k]!.entries()) {
        const at = firstNonFinite(t.data);
        if (at < 0) continue;
        nonFinite.set(o, inherited ?? nonFiniteOrigin(node, constants, s, o, t.data as ArrayLike<number>, at));
        return;
      }
    });
    if (options.dense && (altered || original.inputs.some((x) => denseActs.has(x) || changed.has(x)))) {
      const dense = run(original, (x, s) => denseActs.get(x)?.[s] ?? (changed.has(x) ? graph.values.get(x)?.constant : constants.get(x)) ?? acts.get(x)?.[s]);
      original.outputs.forEach((o, k) => { if (o !== '' && lastUse.has(o)) denseActs.set(o, dense[k]!); });
    }
    for (const x of new Set([...node.inputs, ...original.inputs])) if (lastUse.get(x) === i) { acts.delete(x); denseActs.delete(x); nonFinite.delete(x); }
    options.progress?.(i + 1, graph.nodes.length);
  });
}
