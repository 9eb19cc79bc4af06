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

/** Runs one node on concrete inputs with its ref kernel and returns freshly allocated outputs. */
export function evaluateNode(
  node: Node, inputs: readonly (TensorView | undefined)[], opset: number, registry?: KernelRegistry,
): TensorView[] {
  const reg = registryOrDefault(registry);
  const firstDtype = inputs.find((t) => t !== undefined)?.dtype;
  const found = findRefKernel(reg, node, firstDtype);
  if (!found) throw new Error(`node '${node.name}' (${node.op}): no ref kernel for ${node.op} on ${firstDtype ?? 'no inputs'}`);
  const types = nodeOutputTypes(node, inputs, opset);
  const outputs: TensorView[] = types.map((t) => ({ dtype: t.dtype, shape: t.shape, data: allocArray(t.dtype, sizeOf(t.shape)) }));
  const run = found.kernel.prepare({ node: node.name, inputs, outputs, attrs: kernelAttrs(node) });
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
