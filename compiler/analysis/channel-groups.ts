// channel-groups: the graph's channel spaces ("permutation groups"). A permutation of the
// channels of a space, applied to every weight that produces, reads or scales them, leaves the
// model's function unchanged (passes/permute-channels.ts applies it).
//
// A space starts at a producer (Conv with group 1, Gemm, MatMul with a constant weight): its
// output rows and bias. Channel-wise ops carry it on: activations (and the fused epilogues
// `spc_activation`), pooling, BatchNormalization (its parameters permute), depthwise Conv
// (weight and bias permute), elementwise ops with a constant (the constant permutes along the
// channel axis when it varies there), Flatten at the channel axis (each channel then owns
// `factor` consecutive features) and Concat along the channel axis (each input a segment at an
// offset). An elementwise op on two streams (a residual Add, a squeeze-excite Mul) ties their
// spaces into one. It ends at consumers (Conv with group 1, Gemm, MatMul with a constant
// weight) whose reduction runs over the channels. Anything else that reads a space, a graph
// output that carries it, or a tie with a stream outside every space (a graph input) excludes
// the space, with the reason.

import type { Graph, Node } from '../ir/graph.js';
import { attrInt, isStatic } from '../ir/graph.js';
import { nodeWeightAxes } from '../ir/weight-matrix.js';
import { terminalLine } from '../escape.js';

/** What a permutation does to one constant input of one node. */
export interface ChannelEdit {
  readonly node: string;
  /** Input position of the constant in `node`. */
  readonly input: number;
  /** The constant's name in the graph the groups were computed on. */
  readonly constant: string;
  /** Axis of the constant that indexes the channels. */
  readonly axis: number;
  /** Channel c (of the group) owns entries (offset + c)·factor … (offset + c)·factor + factor − 1 on `axis`. */
  readonly offset: number;
  readonly factor: number;
  /** producer: output rows (weight or bias); consumer: the reduction of a Conv/Gemm/MatMul; param: a per-channel parameter. */
  readonly role: 'producer' | 'consumer' | 'param';
}

export interface ChannelGroup {
  readonly id: number;
  readonly channels: number;
  /** Producer layers (their output rows carry the channels). */
  readonly producers: readonly string[];
  /** Consumer layers with the channel offset and the features each channel owns in their input. */
  readonly consumers: readonly { readonly node: string; readonly offset: number; readonly factor: number }[];
  /** Per-channel parameters (node, constant) that permute with the channels. */
  readonly params: readonly { readonly node: string; readonly constant: string }[];
  /** Values carrying the channels. */
  readonly values: readonly string[];
  readonly edits: readonly ChannelEdit[];
  /** Why the group cannot be permuted; absent when it can. */
  readonly excluded?: string;
}

const UNARY = new Set([
  'Relu', 'Clip', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Identity', 'Elu', 'Selu', 'Softplus',
  'Softsign', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Erf', 'Gelu', 'Mish', 'Celu', 'ThresholdedRelu', 'Dropout', 'Reciprocal',
  'Floor', 'Ceil', 'Round', 'Sign', 'Cast',
]);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Pow', 'PRelu', 'Sum', 'Mean']);
const POOLS = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool', 'GlobalLpPool']);

/** A stretch of a value's channel axis: `count` channels of group `group` (undefined: of no space) from `offset`. */
interface Segment { readonly group: number | undefined; readonly offset: number; readonly count: number }
/** Where a value carries channels: the axis, features per channel, and the segments. */
interface ChannelMap { readonly axis: number; readonly factor: number; readonly segments: readonly Segment[] }

class Groups {
  readonly parent: number[] = [];
  readonly channels: number[] = [];
  readonly reasons: (string | undefined)[] = [];
  readonly edits: { group: number; edit: ChannelEdit }[] = [];
  readonly values: { group: number; value: string }[] = [];

  fresh(channels: number): number {
    this.parent.push(this.parent.length);
    this.channels.push(channels);
    this.reasons.push(undefined);
    return this.parent.length - 1;
  }
  find(g: number): number {
    while (this.parent[g] !== g) { this.parent[g] = this.parent[this.parent[g]!]!; g = this.parent[g]!; }
    return g;
  }
  exclude(g: number | undefined, reason: string): void {
    if (g === undefined) return;
    const r = this.find(g);
    this.reasons[r] ??= reason;
  }
  union(a: number, b: number, at: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    const [lo, hi] = ra < rb ? [ra, rb] : [rb, ra];
    this.parent[hi] = lo;
    if (this.channels[lo] !== this.channels[hi]) this.reasons[lo] ??= `${at} ties ${this.channels[lo]} channels to ${this.channels[hi]}`;
    this.reasons[lo] ??= this.reasons[hi];
  }
}

function excludeMap(gs: Groups, m: ChannelMap | undefined, reason: string): void {
  for (const s of m?.segments ?? []) gs.exclude(s.group, reason);
}

function totalChannels(m: ChannelMap): number {
  return m.segments.reduce((a, s) => a + s.count, 0);
}

/** The channel spaces of `graph` (static shapes needed; values without one stop the spaces that reach them). */
export function channelGroups(graph: Graph): ChannelGroup[] {
  const gs = new Groups();
  const maps = new Map<string, ChannelMap>();
  const outputs = new Set(graph.outputs);
  const constant = (name: string | undefined) => (name === undefined || name === '' ? undefined : graph.values.get(name)?.constant);
  const shapeOf = (name: string): readonly number[] | undefined => {
    const s = graph.values.get(name)?.shape;
    return isStatic(s) ? s : undefined;
  };
  const users = new Map<string, number>();
  for (const n of graph.nodes) for (const x of n.inputs) if (x !== '') users.set(x, (users.get(x) ?? 0) + 1);

  const edit = (m: ChannelMap, node: Node, input: number, axis: number, factor: number, role: ChannelEdit['role']): void => {
    for (const s of m.segments) {
      if (s.group === undefined) continue;
      gs.edits.push({ group: s.group, edit: { node: node.name, input, constant: node.inputs[input]!, axis, offset: s.offset, factor, role } });
    }
  };
  /** A constant operand of an elementwise op on a value of rank `rank` carrying `m`: permute it where it varies along the channel axis. */
  const paramEdit = (m: ChannelMap, node: Node, input: number, rank: number): string | undefined => {
    const c = constant(node.inputs[input]);
    if (!c) return `input ${input} is not a constant`;
    const axis = m.axis - (rank - c.shape.length);
    if (axis < 0 || c.shape[axis] === 1) return undefined;
    if (c.shape[axis] !== totalChannels(m) * m.factor) return `constant %${node.inputs[input]} of shape [${c.shape.join(',')}] does not broadcast along the channels`;
    edit(m, node, input, axis, m.factor, 'param');
    return undefined;
  };

  for (const node of graph.nodes) {
    const at = `${node.op} '${node.name}'`;
    const ins = node.inputs.map((x) => (x === '' ? undefined : maps.get(x)));
    const y = node.outputs[0] ?? '';
    const yShape = shapeOf(y);
    const data = ins[0];
    /** Excludes every space this node reads. */
    const stop = (reason: string): void => { for (const m of ins) excludeMap(gs, m, reason); };
    const extraUsed = node.outputs.slice(1).some((o) => o !== '' && ((users.get(o) ?? 0) > 0 || outputs.has(o)));
    const others = ins.some((m, i) => m !== undefined && i !== 0);
    let out: ChannelMap | undefined;

    const isLinear = node.op === 'Conv' || node.op === 'Gemm' || node.op === 'MatMul';
    if (isLinear) {
      const w = constant(node.inputs[1]);
      const group = node.op === 'Conv' ? attrInt(node, 'group', 1) : 1;
      const xShape = data !== undefined ? shapeOf(node.inputs[0]!) : undefined;
      if (others) { stop(`${at} reads a channel stream other than as its data input`); }
      else if (!w || w.dtype !== 'float32') { stop(`${at} has no constant float32 weight`); }
      else if (node.op === 'Conv' && group > 1) {
        // Depthwise (one filter per input channel) passes the channels through.
        const cin = xShape?.[1];
        if (data && group === cin && w.shape[0] === cin && w.shape[1] === 1 && data.axis === 1 && data.factor === 1) {
          edit(data, node, 1, 0, 1, 'param');
          if (node.inputs[2]) {
            if (constant(node.inputs[2])) edit(data, node, 2, 0, 1, 'param');
            else stop(`${at}: bias is not a constant`);
          }
          out = data;
        } else if (data) {
          stop(`${at} is a grouped conv (group ${group})`);
        }
      } else {
        // A consumer of its input's channels.
        if (data) {
          const rank = xShape?.length;
          if (node.op === 'Conv') {
            if (data.axis !== 1 || data.factor !== 1) stop(`${at} reads a flattened channel axis`);
            else edit(data, node, 1, 1, 1, 'consumer');
          } else if (node.op === 'Gemm') {
            if (attrInt(node, 'transA', 0) !== 0) stop(`${at} has transA=1`);
            else if (rank !== 2 || data.axis !== 1) stop(`${at} does not reduce over the channel axis`);
            else edit(data, node, 1, nodeWeightAxes(node).in, data.factor, 'consumer');
          } else {
            if (w.shape.length !== 2) stop(`${at}: weight of rank ${w.shape.length}`);
            else if (rank === undefined || data.axis !== rank - 1) stop(`${at} does not reduce over the channel axis`);
            else edit(data, node, 1, 0, data.factor, 'consumer');
          }
        }
        // A producer of a new space.
        const rows = node.op === 'MatMul' && w.shape.length !== 2 ? undefined : w.shape[nodeWeightAxes(node).out];
        if (rows !== undefined && yShape && yShape.length >= 2 && !extraUsed && (node.op !== 'Conv' || w.shape.length >= 3)) {
          const axis = node.op === 'MatMul' ? yShape.length - 1 : 1;
          if (yShape[axis] === rows) {
            const g = gs.fresh(rows);
            const m: ChannelMap = { axis, factor: 1, segments: [{ group: g, offset: 0, count: rows }] };
            edit(m, node, 1, nodeWeightAxes(node).out, 1, 'producer');
            if (node.inputs[2]) {
              const b = constant(node.inputs[2]);
              if (!b) gs.exclude(g, `${at}: bias is not a constant`);
              else {
                const bAxis = node.op === 'Conv' ? 0 : b.shape.length - 1;
                if (node.op === 'Conv' || (b.shape.length >= 1 && b.shape[bAxis] === rows && b.shape.slice(0, bAxis).every((d) => d === 1))) edit(m, node, 2, bAxis, 1, 'producer');
                else if (b.data.length !== 1) gs.exclude(g, `${at}: bias of shape [${b.shape.join(',')}] is not per output channel`);
              }
            }
            out = m;
          }
        }
      }
    } else if (!ins.some((m) => m !== undefined)) {
      out = undefined;
    } else if (UNARY.has(node.op) && !others) {
      if (node.op === 'Clip' && [1, 2].some((i) => node.inputs[i] && (constant(node.inputs[i])?.data.length ?? 2) !== 1)) stop(`${at} has non-scalar bounds`);
      else if (extraUsed) stop(`${at}: its extra output is used`);
      else out = data;
    } else if (POOLS.has(node.op) && !others) {
      if (data!.axis !== 1 || data!.factor !== 1) stop(`${at} pools a flattened channel axis`);
      else if (extraUsed) stop(`${at}: its indices output is used`);
      else out = data;
    } else if (node.op === 'BatchNormalization' && !others) {
      if (data!.axis !== 1 || data!.factor !== 1) stop(`${at} reads a flattened channel axis`);
      else if (attrInt(node, 'training_mode', 0) !== 0 || extraUsed) stop(`${at} is in training mode`);
      else {
        const bad = [1, 2, 3, 4].find((i) => !constant(node.inputs[i]));
        if (bad !== undefined) stop(`${at}: parameter ${bad} is not a constant`);
        else { for (const i of [1, 2, 3, 4]) edit(data!, node, i, 0, 1, 'param'); out = data; }
      }
    } else if (node.op === 'Flatten' && !others) {
      const xShape = shapeOf(node.inputs[0]!);
      const a = attrInt(node, 'axis', 1);
      const axis = xShape && a < 0 ? a + xShape.length : a;
      if (!xShape) stop(`${at}: input has no static shape`);
      else if (axis !== data!.axis) stop(`${at} flattens at axis ${a}, not at the channel axis ${data!.axis}`);
      else {
        const inner = xShape.slice(axis + 1).reduce((p, d) => p * d, 1);
        out = { axis: 1, factor: data!.factor * inner, segments: data!.segments };
      }
    } else if (node.op === 'Concat') {
      const a = attrInt(node, 'axis', 0);
      const rank = yShape?.length;
      const axis = rank !== undefined && a < 0 ? a + rank : a;
      const first = ins.find((m) => m !== undefined)!;
      if (rank === undefined) stop(`${at}: output has no static shape`);
      else if (axis !== first.axis || ins.some((m) => m !== undefined && (m.axis !== axis || m.factor !== 1))) stop(`${at} concatenates along axis ${a}, not the channel axis`);
      else {
        const segments: Segment[] = [];
        let offset = 0;
        let ok = true;
        node.inputs.forEach((x, i) => {
          const m = ins[i];
          const s = shapeOf(x);
          if (m) for (const seg of m.segments) segments.push({ ...seg, offset: offset + seg.offset });
          else if (s) segments.push({ group: undefined, offset, count: s[axis]! });
          else ok = false;
          offset += s?.[axis] ?? 0;
        });
        if (!ok) stop(`${at}: an input has no static shape`);
        else out = { axis, factor: 1, segments };
      }
    } else if (BINARY.has(node.op)) {
      // Elementwise (broadcasting): constants permute along the channel axis; streams tie.
      const rank = yShape?.length;
      const streams = node.inputs.map((x, i) => ({ x, i, m: ins[i] })).filter((s) => s.m !== undefined);
      if (rank === undefined) stop(`${at}: output has no static shape`);
      else {
        // Each stream's map in output coordinates.
        const aligned = streams.map((s) => ({ ...s, m: { ...s.m!, axis: s.m!.axis + rank - (shapeOf(s.x)?.length ?? rank) } }));
        const ref = aligned[0]!.m;
        let reason: string | undefined;
        for (const s of aligned.slice(1)) {
          if (s.m.axis !== ref.axis || s.m.factor !== ref.factor || s.m.segments.length !== ref.segments.length) { reason = `${at} combines streams whose channels do not line up`; break; }
          s.m.segments.forEach((seg, k) => {
            const r = ref.segments[k]!;
            if (seg.offset !== r.offset || seg.count !== r.count) reason ??= `${at} combines streams whose channels do not line up`;
            else if (seg.group === undefined || r.group === undefined) { gs.exclude(seg.group ?? r.group, `${at} ties the channels to a stream outside every space`); }
            else gs.union(seg.group, r.group, at);
          });
        }
        if (reason) stop(reason);
        else {
          for (let i = 0; i < node.inputs.length; i++) {
            if (ins[i] !== undefined || node.inputs[i] === '') continue;
            const c = constant(node.inputs[i]);
            const s = shapeOf(node.inputs[i]!);
            const ax = ref.axis - (rank - (s?.length ?? 0));
            if (!c) {
              // A non-constant operand outside every space: fine only if it is constant along the channels.
              if (!s || (ax >= 0 && s[ax] !== 1)) { reason = `${at} ties the channels to %${node.inputs[i]}, outside every space`; break; }
            } else {
              reason = paramEdit(ref, node, i, rank);
              if (reason) { reason = `${at}: ${reason}`; break; }
            }
          }
          if (reason) stop(reason);
          else out = ref;
        }
      }
    } else {
      stop(`${at} reads the channels`);
    }

    if (out !== undefined) {
      if (!yShape || yShape[out.axis] !== totalChannels(out) * out.factor) {
        excludeMap(gs, out, `value %${y} does not carry the channels on axis ${out.axis}`);
        out = undefined;
      } else {
        maps.set(y, out);
        for (const s of out.segments) if (s.group !== undefined) gs.values.push({ group: s.group, value: y });
        if (outputs.has(y)) excludeMap(gs, out, `reaches graph output '${y}'`);
      }
    }
  }

  // Collect by root, numbered in order of their first producer.
  const roots: number[] = [];
  const idOf = new Map<number, number>();
  for (let g = 0; g < gs.parent.length; g++) {
    const r = gs.find(g);
    if (!idOf.has(r)) { idOf.set(r, roots.length); roots.push(r); }
  }
  const result = roots.map((r, id) => ({
    id, channels: gs.channels[r]!, producers: [] as string[], consumers: [] as { node: string; offset: number; factor: number }[],
    params: [] as { node: string; constant: string }[], values: [] as string[], edits: [] as ChannelEdit[], excluded: gs.reasons[r],
  }));
  for (const { group, edit: e } of gs.edits) {
    const g = result[idOf.get(gs.find(group))!]!;
    g.edits.push(e);
    if (e.role === 'producer' && e.input === 1) g.producers.push(e.node);
    else if (e.role === 'consumer') g.consumers.push({ node: e.node, offset: e.offset, factor: e.factor });
    else if (e.role === 'param') g.params.push({ node: e.node, constant: e.constant });
  }
  for (const { group, value } of gs.values) {
    const g = result[idOf.get(gs.find(group))!]!;
    if (!g.values.includes(value)) g.values.push(value);
  }
  return result.map((g) => (g.excluded === undefined ? (({ excluded: _, ...rest }) => rest)(g) : g));
}

/** One line per group: id, channels, producers, consumers, and why it is excluded. */
export function formatChannelGroups(groups: readonly Omit<ChannelGroup, 'edits'>[]): string {
  const lines: string[] = [];
  const permutable = groups.filter((g) => g.excluded === undefined).length;
  lines.push(`${groups.length} channel groups, ${permutable} permutable`);
  for (const g of groups) {
    const cons = g.consumers.map((c) => `${c.node}${c.offset ? `@${c.offset}` : ''}${c.factor > 1 ? `×${c.factor}` : ''}`);
    lines.push(`  g${g.id}  ${g.channels} ch  producers: ${g.producers.join(', ') || '-'}  consumers: ${cons.join(', ') || '-'}` +
      `${g.params.length ? `  params: ${g.params.length}` : ''}  ${g.excluded === undefined ? 'permutable' : `excluded: ${g.excluded}`}`);
  }
  return lines.map(terminalLine).join('\n'); // node names: one line each, whatever they hold
}
