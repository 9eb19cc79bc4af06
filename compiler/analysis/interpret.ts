// A plain interpreter of the IR on the ref kernels: the "before" side of pass equivalence tests
// and, one node at a time, the engine fold-constants evaluates constant subgraphs with.

import type { Graph, Node } from '../ir/graph.js';
import { attrFloat, attrString, kernelAttrs } from '../ir/graph.js';
import type { DType, TensorView } from '../../runtime/tensor.js';
import { allocArray, sizeOf } from '../../runtime/tensor.js';
import type { Kernel, KernelRegistry } from '../../runtime/kernels/kernel.js';
import { defaultRegistry } from '../../runtime/kernels/index.js';
import { inferNode } from './shapes.js';

const SHORT_DTYPE: Readonly<Record<DType, string>> = {
  float32: 'f32', float64: 'f64', int64: 'i64', int32: 'i32', int16: 'i16', int8: 'i8', uint8: 'u8', uint16: 'u16', bool: 'b8',
  float16: 'f16', uint32: 'u32', uint64: 'u64',
};

let cachedDefault: KernelRegistry | undefined;
function registryOrDefault(registry: KernelRegistry | undefined): KernelRegistry {
  return registry ?? (cachedDefault ??= defaultRegistry());
}

function accepts(k: Kernel, dtype: DType | undefined): boolean {
  if (k.dtypes === 'any' || dtype === undefined) return true;
  return k.dtypes.includes(dtype) || k.dtypes.includes(SHORT_DTYPE[dtype]);
}

/**
 * The ref kernel that runs `node` on inputs whose first present input has `dtype`. Prefers a
 * kernel with the node's fused epilogue; `epilogueInKernel` says whether it was found.
 */
export function findRefKernel(
  registry: KernelRegistry, node: Node, dtype: DType | undefined,
): { kernel: Kernel; epilogueInKernel: boolean } | undefined {
  const epilogue = node.attrs['spc_activation'] ? attrString(node, 'spc_activation', '') : '';
  let plain: Kernel | undefined;
  for (const k of registry.values()) {
    if (k.op !== node.op || k.target !== 'ref' || !accepts(k, dtype)) continue;
    if (epilogue !== '' && k.epilogue === epilogue) return { kernel: k, epilogueInKernel: true };
    if (k.epilogue === '' && !plain) plain = k;
  }
  return plain ? { kernel: plain, epilogueInKernel: epilogue === '' } : undefined;
}

/** Output dtypes and static shapes of `node` for concrete inputs (data is passed so shape-dependent ops resolve). */
export function nodeOutputTypes(node: Node, inputs: readonly (TensorView | undefined)[], opset: number): { dtype: DType; shape: number[] }[] {
  const infos = inputs.map((t) => (t ? { dtype: t.dtype, shape: t.shape, constant: t } : undefined));
  return inferNode(node, infos, opset).map((o, k) => {
    const shape = o.shape;
    if (!shape || !shape.every((d): d is number => typeof d === 'number')) {
      throw new Error(`node '${node.name}' (${node.op}): output ${k} has no static shape on concrete inputs`);
    }
    return { dtype: o.dtype, shape: [...shape] };
  });
}

/** Applies a fused activation (spc_activation/spc_act_min/spc_act_max) in place; idempotent. */
function applyEpilogue(node: Node, out: TensorView): void {
  const act = attrString(node, 'spc_activation', '');
  if (act === '') return;
  const lo = act === 'relu' ? 0 : attrFloat(node, 'spc_act_min', -Infinity);
  const hi = act === 'relu' ? Infinity : attrFloat(node, 'spc_act_max', Infinity);
  const d = out.data;
  if (!(d instanceof Float32Array || d instanceof Float64Array)) throw new Error(`node '${node.name}': fused ${act} on a non-float output`);
  for (let i = 0; i < d.length; i++) d[i] = Math.min(Math.max(d[i]!, lo), hi);
}

// Inference semantics of ops that canonicalization removes and no kernel implements, so that
// an un-canonicalized graph can still be evaluated (the "before" side of pass tests).
type Builtin = (node: Node, inputs: readonly (TensorView | undefined)[]) => TensorView[];

function floatInput(node: Node, inputs: readonly (TensorView | undefined)[], i: number): Float32Array {
  const t = inputs[i];
  if (!t || !(t.data instanceof Float32Array)) throw new Error(`node '${node.name}' (${node.op}): input ${i} must be float32`);
  return t.data;
}

const BUILTIN: Readonly<Record<string, Builtin>> = {
  BatchNormalization(node, inputs) {
    const x = inputs[0]!;
    const [xs, scale, bias, mean, variance] = [0, 1, 2, 3, 4].map((i) => floatInput(node, inputs, i)) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
    const eps = attrFloat(node, 'epsilon', 1e-5);
    const c = x.shape[1] ?? 1;
    const inner = x.shape.slice(2).reduce((a, b) => a * b, 1);
    const out = new Float32Array(xs.length);
    for (let i = 0; i < xs.length; i++) {
      const ch = Math.floor(i / inner) % c;
      out[i] = (xs[i]! - mean[ch]!) / Math.sqrt(variance[ch]! + eps) * scale[ch]! + bias[ch]!;
    }
    return [{ dtype: 'float32', shape: x.shape, data: out }];
  },
  Dropout(node, inputs) {
    const x = inputs[0]!;
    if (inputs[2]?.data[0]) throw new Error(`node '${node.name}' (Dropout): training mode cannot be evaluated`);
    const outs: TensorView[] = [
      { dtype: x.dtype, shape: x.shape, data: x.data.slice() },
      { dtype: 'bool', shape: x.shape, data: new Uint8Array(x.data.length).fill(1) },
    ];
    return outs.slice(0, node.outputs.length);
  },
};

/** Runs one node on concrete inputs with its ref kernel and returns freshly allocated outputs. */
export function evaluateNode(
  node: Node, inputs: readonly (TensorView | undefined)[], opset: number, registry?: KernelRegistry,
): TensorView[] {
  const reg = registryOrDefault(registry);
  const firstDtype = inputs.find((t) => t !== undefined)?.dtype;
  const found = findRefKernel(reg, node, firstDtype);
  const builtin = BUILTIN[node.op];
  if (!found && builtin) return builtin(node, inputs);
  if (!found) throw new Error(`node '${node.name}' (${node.op}): no ref kernel for ${node.op} on ${firstDtype ?? 'no inputs'}`);
  const types = nodeOutputTypes(node, inputs, opset);
  const outputs: TensorView[] = types.map((t) => ({ dtype: t.dtype, shape: t.shape, data: allocArray(t.dtype, sizeOf(t.shape)) }));
  // A plain kernel standing in for a missing epilogue kernel must not see the epilogue attributes.
  const attrs = kernelAttrs(node);
  if (!found.epilogueInKernel) for (const k of ['spc_activation', 'spc_act_min', 'spc_act_max']) delete attrs[k];
  const run = found.kernel.prepare({ node: node.name, inputs, outputs, attrs });
  run();
  if (!found.epilogueInKernel) for (const o of outputs.slice(0, 1)) applyEpilogue(node, o);
  return outputs;
}

/**
 * Evaluates the whole graph on the given inputs (by graph input name) and returns its outputs
 * by name. Constants are passed to kernels as views of their data, never copied.
 */
export function evaluateGraph(
  g: Graph, inputs: Readonly<Record<string, TensorView>>, registry?: KernelRegistry,
): Record<string, TensorView> {
  const env = new Map<string, TensorView>();
  for (const v of g.values.values()) if (v.constant) env.set(v.name, v.constant);
  for (const name of g.inputs) {
    const t = inputs[name];
    if (!t) throw new Error(`evaluateGraph '${g.name}': missing input '${name}'`);
    const v = g.values.get(name);
    if (v && v.dtype !== t.dtype) throw new Error(`evaluateGraph '${g.name}': input '${name}' is ${t.dtype}, the graph wants ${v.dtype}`);
    if (v?.shape && (v.shape.length !== t.shape.length || v.shape.some((d, i) => typeof d === 'number' && d !== t.shape[i]))) {
      throw new Error(`evaluateGraph '${g.name}': input '${name}' has shape [${t.shape.join(',')}], the graph wants [${v.shape.join(',')}]`);
    }
    env.set(name, t);
  }
  for (const n of g.nodes) {
    const args = n.inputs.map((x) => {
      if (x === '') return undefined;
      const t = env.get(x);
      if (!t) throw new Error(`evaluateGraph '${g.name}': node '${n.name}' reads %${x} before it is defined`);
      return t;
    });
    const outs = evaluateNode(n, args, g.opset, registry);
    n.outputs.forEach((o, k) => { if (o !== '' && outs[k]) env.set(o, outs[k]!); });
  }
  const result: Record<string, TensorView> = {};
  for (const o of g.outputs) {
    const t = env.get(o);
    if (!t) throw new Error(`evaluateGraph '${g.name}': output %${o} was never computed`);
    result[o] = t;
  }
  return result;
}
