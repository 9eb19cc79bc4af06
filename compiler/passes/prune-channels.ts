// prune-channels: structured channel pruning. Removes whole output channels (filters) of Conv
// and Gemm layers by magnitude and shrinks everything downstream with them (biases, BN
// parameters, intermediate shapes, the consumers' input channels), so the model is really
// smaller and dense kernels do less work.

import type { Constant, Graph, Node, Value } from '../ir/graph.js';
import { attrInt, isStatic, readersOf, withGraph } from '../ir/graph.js';
import { nodeWeightAxes } from '../ir/weight-matrix.js';
import { allocArray } from '../../runtime/tensor.js';
import type { Pass, PassContext } from './pass.js';
import { requireFiniteWeight } from '../sparse/prune/finite.js';

const PASS = 'prune-channels';

/** Elementwise ops that keep every channel where it is, whatever the layout (no per-channel parameter input). */
const ELEMENTWISE = new Set([
  'Relu', 'Clip', 'HardSigmoid', 'LeakyRelu', 'Sigmoid', 'Identity', 'Elu', 'Selu', 'ThresholdedRelu', 'Softplus', 'Softsign', 'Mish',
]);
/** Spatial ops that keep the channel axis (1) of an NC... tensor. */
const POOLS = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool']);

/** Every op a channel path may go through or end at. */
const FOLLOWED = new Set([...ELEMENTWISE, ...POOLS, 'BatchNormalization', 'Flatten', 'Conv', 'Gemm', 'MatMul']);

/** A value on a layer's channel path: which axis carries the channels, and how many features each channel owns there. */
interface PathValue { readonly name: string; readonly axis: number; readonly factor: number }

/** A consumer weight to shrink along `axis` (the consumer's reduction), `factor` entries per channel. */
interface ConsumerEdit { readonly node: Node; readonly weight: string; readonly axis: number; readonly factor: number }

interface Plan {
  readonly layer: Node;
  readonly weight: string;
  /** Axis of the layer's weight that indexes its output channels. */
  readonly weightAxis: number;
  readonly bias?: { readonly name: string; readonly axis: number };
  readonly channels: number;
  readonly values: readonly PathValue[];
  /** BatchNormalization nodes on the path: inputs 1..4 shrink with the channels. */
  readonly batchnorms: readonly Node[];
  readonly consumers: readonly ConsumerEdit[];
}

type Traced = { ok: true; plan: Plan } | { ok: false; reason: string };

interface Index {
  readonly g: Graph;
  readonly consumers: ReadonlyMap<string, readonly Node[]>;
  readonly outputs: ReadonlySet<string>;
}

function buildIndex(g: Graph): Index {
  return { g, consumers: readersOf(g), outputs: new Set(g.outputs) };
}

/** True when `name` is a float32 constant read by exactly one node, once, and is not a graph output. */
function privateConstant(ix: Index, name: string | undefined, reader: Node): boolean {
  if (name === undefined || name === '') return false;
  const v = ix.g.values.get(name);
  if (!v?.constant || v.constant.dtype !== 'float32' || ix.outputs.has(name)) return false;
  const cs = ix.consumers.get(name) ?? [];
  return cs.length === 1 && cs[0] === reader && reader.inputs.filter((x) => x === name).length === 1;
}

function isScalarConstant(ix: Index, name: string | undefined): boolean {
  if (name === undefined || name === '') return true;
  const c = ix.g.values.get(name)?.constant;
  return c !== undefined && c.data.length === 1;
}

/** Output channels of a candidate layer and where they sit in its weight and bias, or why it is not a candidate. */
function layerShape(ix: Index, n: Node): { weightAxis: number; channels: number; bias?: { name: string; axis: number } } | string {
  const w = ix.g.values.get(n.inputs[1] ?? '')?.constant;
  if (!w || w.dtype !== 'float32') return 'weight is not a float32 constant';
  if (!privateConstant(ix, n.inputs[1], n)) return 'weight is shared with another node or is a graph output';
  const biasName = n.inputs[2];
  let weightAxis: number;
  if (n.op === 'Conv') {
    if (attrInt(n, 'group', 1) !== 1) return `grouped/depthwise conv (group ${attrInt(n, 'group', 1)})`;
    if (w.shape.length < 3) return `conv weight of rank ${w.shape.length}`;
    weightAxis = 0;
  } else {
    if (w.shape.length !== 2) return `Gemm weight of rank ${w.shape.length}`;
    weightAxis = nodeWeightAxes(n).out;
  }
  const channels = w.shape[weightAxis]!;
  if (biasName === undefined || biasName === '') return { weightAxis, channels };
  const b = ix.g.values.get(biasName)?.constant;
  if (!b || !privateConstant(ix, biasName, n)) return 'bias is not a private float32 constant';
  if (b.data.length === 1 && channels !== 1) return { weightAxis, channels };
  if (b.shape.length === 0 || b.shape[b.shape.length - 1] !== channels || b.data.length !== channels) {
    return `bias of shape [${b.shape.join(',')}] does not vary along the ${channels} output channels alone`;
  }
  return { weightAxis, channels, bias: { name: biasName, axis: b.shape.length - 1 } };
}

/**
 * Follows the layer's output through channel-preserving ops to the layers that consume it.
 * Every value reached, every BN on the way and every consumer weight goes into the plan; the
 * first thing that cannot follow a channel removal makes the layer unprunable.
 */
function trace(ix: Index, layer: Node): Traced {
  const shape = layerShape(ix, layer);
  if (typeof shape === 'string') return { ok: false, reason: shape };
  const { channels } = shape;
  const values: PathValue[] = [];
  const batchnorms: Node[] = [];
  const consumers: ConsumerEdit[] = [];
  const fail = (reason: string): Traced => ({ ok: false, reason });
  const pending: PathValue[] = [{ name: layer.outputs[0]!, axis: 1, factor: 1 }];
  const more = layer.outputs.slice(1).filter((o) => o !== '');
  if (more.length > 0) return fail(`${layer.op} has extra outputs`);
  while (pending.length > 0) {
    const pv = pending.shift()!;
    const v = ix.g.values.get(pv.name);
    if (!v || !isStatic(v.shape)) return fail(`value %${pv.name} has no static shape`);
    if (v.shape[pv.axis] !== channels * pv.factor) return fail(`value %${pv.name} of shape [${v.shape.join(',')}] does not carry the ${channels} channels on axis ${pv.axis}`);
    if (ix.outputs.has(pv.name)) {
      return fail(`classifier: its channels reach graph output '${pv.name}'; default keeps it whole`);
    }
    values.push(pv);
    for (const c of ix.consumers.get(pv.name) ?? []) {
      const at = `${c.op} '${c.name}'`;
      if (!FOLLOWED.has(c.op)) return fail(`${at} reads %${pv.name}`);
      const positions = c.inputs.flatMap((x, i) => (x === pv.name ? [i] : []));
      if (positions.length !== 1 || positions[0] !== 0) return fail(`${at} reads %${pv.name} other than as its data input`);
      const next = (factor: number, axis = pv.axis): void => { pending.push({ name: c.outputs[0]!, axis, factor }); };
      if (ELEMENTWISE.has(c.op)) {
        if (c.op === 'Clip' && !(isScalarConstant(ix, c.inputs[1]) && isScalarConstant(ix, c.inputs[2]))) return fail(`${at} has non-scalar bounds`);
        next(pv.factor);
      } else if (POOLS.has(c.op)) {
        if (pv.axis !== 1 || pv.factor !== 1) return fail(`${at} reads a flattened channel axis`);
        if (c.outputs.slice(1).some((o) => o !== '' && ((ix.consumers.get(o)?.length ?? 0) > 0 || ix.outputs.has(o)))) return fail(`${at}: its indices output is used`);
        next(1);
      } else if (c.op === 'BatchNormalization') {
        if (pv.axis !== 1 || pv.factor !== 1) return fail(`${at} reads a flattened channel axis`);
        if (attrInt(c, 'training_mode', 0) !== 0) return fail(`${at} is in training mode`);
        if (c.outputs.slice(1).some((o) => o !== '' && ((ix.consumers.get(o)?.length ?? 0) > 0 || ix.outputs.has(o)))) return fail(`${at}: its running statistics are used`);
        for (const p of c.inputs.slice(1, 5)) {
          if (!privateConstant(ix, p, c) || ix.g.values.get(p)!.constant!.data.length !== channels) return fail(`${at}: parameter %${p} is not a private per-channel constant`);
        }
        batchnorms.push(c);
        next(1);
      } else if (c.op === 'Flatten') {
        const a = attrInt(c, 'axis', 1);
        const rank = v.shape.length;
        if ((a < 0 ? a + rank : a) !== pv.axis) return fail(`${at} flattens at axis ${a}, not at the channel axis ${pv.axis}`);
        const inner = v.shape.slice(pv.axis + 1).reduce((p, d) => p * d, 1);
        next(pv.factor * inner, 1);
      } else if (c.op === 'Conv') {
        if (attrInt(c, 'group', 1) !== 1) return fail(`${at} is a grouped/depthwise conv (group ${attrInt(c, 'group', 1)})`);
        if (pv.axis !== 1 || pv.factor !== 1) return fail(`${at} reads a flattened channel axis`);
        if (!privateConstant(ix, c.inputs[1], c)) return fail(`${at}: its weight is not a private float32 constant`);
        consumers.push({ node: c, weight: c.inputs[1]!, axis: 1, factor: 1 });
      } else if (c.op === 'Gemm') {
        if (attrInt(c, 'transA', 0) !== 0) return fail(`${at} has transA=1`);
        if (v.shape.length !== 2 || pv.axis !== 1) return fail(`${at} does not reduce over the channel axis`);
        if (!privateConstant(ix, c.inputs[1], c)) return fail(`${at}: its weight is not a private float32 constant`);
        consumers.push({ node: c, weight: c.inputs[1]!, axis: nodeWeightAxes(c).in, factor: pv.factor });
      } else if (c.op === 'MatMul') {
        const w = ix.g.values.get(c.inputs[1] ?? '')?.constant;
        if (pv.axis !== v.shape.length - 1) return fail(`${at} does not reduce over the channel axis`);
        if (!w || w.shape.length !== 2 || !privateConstant(ix, c.inputs[1], c)) return fail(`${at}: its weight is not a private 2-D float32 constant`);
        consumers.push({ node: c, weight: c.inputs[1]!, axis: 0, factor: pv.factor });
      } else {
        return fail(`${at} reads %${pv.name}`);
      }
    }
  }
  if (consumers.length === 0) return fail('no consumer layer reads its channels');
  return { ok: true, plan: { layer, weight: layer.inputs[1]!, weightAxis: shape.weightAxis, bias: shape.bias, channels, values, batchnorms, consumers } };
}

/** The output channels to keep: the `keep` largest by L1 norm (ties to the lower index), ascending. */
function channelsToKeep(w: Constant, axis: number, keep: number): number[] {
  const channels = w.shape[axis]!;
  const inner = w.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const norms = new Float64Array(channels);
  for (let i = 0; i < w.data.length; i++) norms[Math.floor(i / inner) % channels] += Math.abs(Number(w.data[i]));
  const order = [...norms.keys()].sort((a, b) => norms[b]! - norms[a]! || a - b);
  return order.slice(0, keep).sort((a, b) => a - b);
}

/** Gathers `keep` along `axis`, each kept channel owning `factor` consecutive entries there. */
function gather(c: Constant, axis: number, keep: readonly number[], factor: number): Constant {
  const outer = c.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = c.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const len = c.shape[axis]!;
  const newLen = keep.length * factor;
  const shape = c.shape.map((d, i) => (i === axis ? newLen : d));
  const data = allocArray(c.dtype, outer * newLen * inner) as Float32Array;
  const src = c.data as Float32Array;
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const k of keep) {
      const start = (a * len + k * factor) * inner;
      data.set(src.subarray(start, start + factor * inner), o);
      o += factor * inner;
    }
  }
  return { dtype: c.dtype, shape, data };
}

function setConstant(vals: Map<string, Value>, name: string, c: Constant): void {
  const v = vals.get(name)!;
  vals.set(name, { ...v, shape: c.shape, constant: c });
}

/**
 * What prune-channels decided for one Conv/Gemm layer (graph order): its output channels before
 * and after (equal when the sparsity removes none), or why it kept them all without being
 * considered. The pass records these (channelPruningOf); the compile report reads them.
 */
export type ChannelPruning =
  | { readonly node: string; readonly channels: { readonly before: number; readonly after: number } }
  | { readonly node: string; readonly skipped: string };

/** The criterion recorded for a channel-pruned layer: filters ranked by their L1 norm. */
export const CHANNEL_CRITERION = 'magnitude';

/** Number of output channels to remove from a layer of `channels` at sparsity `s`: rounded, at least one kept. */
export function channelsRemoved(channels: number, s: number): number {
  return Math.min(Math.round(s * channels), channels - 1);
}

/**
 * Structured channel pruning, active when the pattern is 'channel'; removes
 * round(sparsity · channels) output channels (at least one kept) from every prunable Conv
 * (group 1) and Gemm, choosing the channels with the smallest L1 weight norm.
 *
 * A layer is prunable when its output reaches, through Relu, Clip, HardSigmoid, LeakyRelu,
 * Sigmoid, Identity, Elu, Selu, ThresholdedRelu, Softplus, Softsign, Mish, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization and Flatten
 * (each channel then owns its H·W consecutive features), only Conv (group 1), Gemm and
 * MatMul layers whose weights it can shrink. Anything else on the path (Add, Concat, Reshape,
 * a depthwise conv, a graph output, shared weights) keeps the layer whole, logged with the
 * reason; so does the classifier (its output reaches a graph output) and, unless
 * `settings.pruneStem` is true, the stem conv (reads a graph input).
 *
 * Preconditions: static shapes; weights, biases and BN parameters are float32 constants.
 * Postconditions: a new graph (the input is untouched) whose shapes are exactly what shape
 * inference derives; per layer, channels before → after (or why it was skipped) are logged and
 * recorded in `ctx.results` (channelPruningOf). Returns the input graph
 * itself when the pattern is not 'channel' or nothing was removed.
 */
export const pruneChannels: Pass = {
  name: PASS,
  summary: 'structured pruning: remove whole output channels and shrink their consumers',
  requires: ['shapes'],
  preserves: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    if (ctx.settings.pattern?.kind !== 'channel') return graph;
    const { sparsity, pruneStem } = ctx.settings;
    const ix = buildIndex(graph);
    const inputs = new Set(graph.inputs);
    const vals = new Map(graph.values);
    let changed = false;
    const record: ChannelPruning[] = [];
    for (const layer of graph.nodes) {
      if (layer.op !== 'Conv' && layer.op !== 'Gemm') continue;
      const log = (message: string): void => ctx.log({ pass: PASS, node: layer.name, message });
      const skip = (reason: string): void => { record.push({ node: layer.name, skipped: reason }); log(`skipped: ${reason}`); };
      const isStem = layer.op === 'Conv' && inputs.has(layer.inputs[0] ?? '');
      if (isStem && !pruneStem) { skip(`stem conv (reads graph input '${layer.inputs[0]}'); default keeps it whole`); continue; }
      const t = trace(ix, layer);
      if (!t.ok) { skip(t.reason); continue; }
      const p = t.plan;
      const keepCount = p.channels - channelsRemoved(p.channels, sparsity);
      record.push({ node: layer.name, channels: { before: p.channels, after: keepCount } });
      if (keepCount === p.channels) { log(`channels ${p.channels} → ${p.channels} (nothing to remove at sparsity ${sparsity})`); continue; }
      // Consumers earlier in this loop may already have shrunk this layer's input channels; rank on the current weight.
      const w = vals.get(p.weight)!.constant!;
      requireFiniteWeight(w.data, { weight: p.weight, node: layer.name, op: layer.op, reader: 'channel pruning (L1 norm of each filter)', configurable: false });
      const keep = channelsToKeep(w, p.weightAxis, keepCount);
      setConstant(vals, p.weight, gather(w, p.weightAxis, keep, 1));
      if (p.bias) setConstant(vals, p.bias.name, gather(vals.get(p.bias.name)!.constant!, p.bias.axis, keep, 1));
      for (const bn of p.batchnorms) for (const x of bn.inputs.slice(1, 5)) setConstant(vals, x, gather(vals.get(x)!.constant!, 0, keep, 1));
      for (const c of p.consumers) setConstant(vals, c.weight, gather(vals.get(c.weight)!.constant!, c.axis, keep, c.factor));
      for (const pv of p.values) {
        const v = vals.get(pv.name)!;
        vals.set(pv.name, { ...v, shape: v.shape!.map((d, i) => (i === pv.axis ? keepCount * pv.factor : d)) });
      }
      changed = true;
      log(`channels ${p.channels} → ${keepCount}`);
    }
    ctx.results?.set(PASS, record);
    if (!changed) return graph;
    return withGraph(graph, { values: [...graph.values.keys()].map((k) => vals.get(k)!) });
  },
};

/** What prune-channels recorded in `ctx.results`, per Conv/Gemm layer (undefined when it did not prune there). */
export function channelPruningOf(ctx: PassContext): readonly ChannelPruning[] | undefined {
  return ctx.results?.get(PASS) as readonly ChannelPruning[] | undefined;
}
