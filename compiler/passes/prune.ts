// prune: one-shot magnitude pruning of Conv/Gemm/MatMul weights to an unstructured, N:M or block
// pattern, with per-layer sparsity from an allocation and a config file, and a skip reason for
// every layer it keeps dense.

import type { Graph, Node, Sparsity, Value } from '../ir/graph.js';
import { attrInt, withGraph } from '../ir/graph.js';
import { SpcError } from '../errors.js';
import type { Pass, PassContext, PassOptions } from './pass.js';
import type { Pattern } from '../sparse/pattern.js';
import { parsePattern } from '../sparse/pattern.js';
import type { Allocation, AllocLayer } from '../sparse/allocation.js';
import { allocate, parseAllocation } from '../sparse/allocation.js';
import type { SensitivityPoint } from '../sparse/sensitivity.js';
import { measureSensitivity } from '../sparse/sensitivity.js';
import type { CalibrationSet } from '../calibrate/data.js';
import type { PruneConfig } from '../sparse/config.js';
import { overrideFor, validateConfig } from '../sparse/config.js';
import { countZeros, maskBlock, maskNmShared, maskUnstructured } from '../sparse/masks.js';
import type { PruneLayerReport } from '../sparse/report.js';
import { PRUNABLE_OPS } from '../sparse/report.js';
import type { WeightOp } from '../../runtime/sparse/layout.js';
import { fromWeightMatrix, toWeightMatrix, weightMatrixShape } from '../../runtime/sparse/layout.js';

/** Layers with fewer weights stay dense by default: too small to pay for an index structure. */
export const DEFAULT_MIN_PARAMS = 4096;
/** Sparsity for unstructured/block when none is given: the level one-shot magnitude pruning tolerates. */
export const DEFAULT_SPARSITY = 0.5;

export interface PruneSettings {
  readonly pattern: Pattern;
  readonly sparsity: number;
  readonly allocation: Allocation;
  readonly config?: PruneConfig;
  readonly minParams: number;
  /** N:M only: one mask per block of this many output rows (1 = per row). */
  readonly shareRows: number;
  /** Calibration samples (the `calib` option), read by the sensitivity allocation. */
  readonly calib?: CalibrationSet;
}

/** Reads the prune options from the pass context; undefined when no pattern was asked for. */
export function pruneSettings(options: Readonly<PassOptions>): PruneSettings | undefined {
  const p = options['pattern'];
  if (p === undefined) return undefined;
  const pattern = typeof p === 'string' ? parsePattern(p) : (p as Pattern);
  const s = options['sparsity'];
  if (s !== undefined && (typeof s !== 'number' || !(s >= 0 && s < 1))) throw new SpcError(`--sparsity must be a number in [0, 1), got ${String(s)}`);
  const a = options['allocation'];
  const allocation = a === undefined ? 'uniform' : parseAllocation(String(a));
  const c = options['config'];
  let config: PruneConfig | undefined;
  if (c !== undefined) {
    const o = c as Record<string, unknown>;
    // Already validated (it carries its file name) or a raw parsed JSON object.
    config = typeof o['file'] === 'string' && Array.isArray(o['layers']) ? (c as PruneConfig) : validateConfig(c, '--config');
  }
  const mp = options['minParams'];
  if (mp !== undefined && (typeof mp !== 'number' || !Number.isInteger(mp) || mp < 0)) throw new SpcError(`minParams must be a non-negative integer, got ${String(mp)}`);
  const sr = options['shareRows'];
  if (sr !== undefined && (typeof sr !== 'number' || !Number.isInteger(sr) || sr < 1)) throw new SpcError(`shareRows must be a positive integer, got ${String(sr)}`);
  if (sr !== undefined && sr > 1 && pattern.kind !== 'nm') throw new SpcError(`share-rows applies to N:M patterns only, not ${pattern.text}`);
  const calib = options['calib'] as CalibrationSet | undefined;
  if (calib !== undefined && !Array.isArray(calib.samples)) throw new SpcError('the calib option must be read into a calibration set (calibrate/data.ts readSamples) before the prune pass');
  if (allocation === 'sensitivity' && !calib) throw new SpcError('--allocation sensitivity measures each layer on calibration data: give --calib x.npy');
  return {
    pattern, sparsity: (s as number | undefined) ?? DEFAULT_SPARSITY, allocation, config,
    minParams: (mp as number | undefined) ?? DEFAULT_MIN_PARAMS, shareRows: (sr as number | undefined) ?? 1, calib,
  };
}

interface Candidate {
  readonly node: Node;
  readonly op: WeightOp;
  readonly weight: Value;
  readonly data: Float32Array;
  readonly shape: readonly number[];
  readonly transB: boolean;
  readonly rows: number;
  readonly cols: number;
  readonly pattern: Pattern;
  /** Set by the config; otherwise the allocation decides (unstructured/block). */
  readonly fixedSparsity?: number;
}

/** The final prunable layer on each path back from every graph output (the classifier). */
function finalLayers(graph: Graph): Map<string, string> {
  const producer = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const out = new Map<string, string>();
  for (const y of graph.outputs) {
    let best = -1;
    const seen = new Set<number>();
    const stack = [y];
    while (stack.length > 0) {
      const i = producer.get(stack.pop()!);
      if (i === undefined || seen.has(i)) continue;
      seen.add(i);
      const n = graph.nodes[i]!;
      if (PRUNABLE_OPS.includes(n.op)) { best = Math.max(best, i); continue; }
      for (const x of n.inputs) if (x !== '') stack.push(x);
    }
    if (best >= 0 && !out.has(graph.nodes[best]!.name)) out.set(graph.nodes[best]!.name, y);
  }
  return out;
}

function misalignment(p: Pattern, rows: number, cols: number, shareRows: number): string | undefined {
  if (p.kind === 'nm' && cols % p.m !== 0) return `reduction size ${cols} is not a multiple of M=${p.m} (${p.text})`;
  if (p.kind === 'nm' && rows % shareRows !== 0) return `${rows} output rows are not a multiple of share-rows ${shareRows}`;
  if (p.kind === 'block' && (rows % p.br !== 0 || cols % p.bc !== 0)) return `the ${rows}×${cols} weight matrix does not tile into ${p.br}×${p.bc} blocks`;
  return undefined;
}

/** `k`'s weight with the smallest-magnitude weights (blocks, for a block pattern) zeroed to `sparsity`, in its own layout. */
function magnitudePrune(k: Candidate, sparsity: number): Float32Array {
  const matrix = toWeightMatrix(k.op, k.shape, k.transB, k.data);
  const p = k.pattern;
  const pruned = p.kind === 'block'
    ? maskBlock(matrix, k.rows, k.cols, p.br, p.bc, Math.round(sparsity * k.data.length / (p.br * p.bc)))
    : maskUnstructured(matrix, Math.round(sparsity * k.data.length));
  return fromWeightMatrix(k.op, k.shape, k.transB, pruned);
}

export interface PruneResult {
  readonly graph: Graph;
  readonly report: PruneLayerReport[];
}

/** Prunes `graph` as `settings` say; `log` receives every skip with its reason. */
export function pruneGraph(graph: Graph, settings: PruneSettings, log: (node: string, message: string) => void = () => {}): PruneResult {
  const report: PruneLayerReport[] = [];
  const skip = (node: Node, weight: string, pattern: string, params: number, nonzeros: number, reason: string): void => {
    log(node.name, `kept dense: ${reason}`);
    report.push({ node: node.name, op: node.op, weight, pattern, requested: 0, achieved: params === 0 ? 0 : 1 - nonzeros / params, params, nonzeros, skipped: true, reason });
  };

  const users = new Map<string, string[]>();
  for (const n of graph.nodes) for (const x of n.inputs) if (x !== '') users.set(x, [...(users.get(x) ?? []), n.name]);
  const finals = finalLayers(graph);
  const inputs = new Set(graph.inputs);
  const candidates: Candidate[] = [];

  for (const node of graph.nodes) {
    if (!PRUNABLE_OPS.includes(node.op)) continue;
    const op = node.op as WeightOp;
    const wName = node.inputs[1] ?? '';
    const v = wName === '' ? undefined : graph.values.get(wName);
    const c = v?.constant;
    const o = overrideFor(settings.config, node.name, node.op);
    const pattern = o.pattern ?? settings.pattern;
    if (!v || !c || c.dtype !== 'float32' || !(c.data instanceof Float32Array)) {
      skip(node, wName, pattern.text, 0, 0, 'input 1 is not a constant float32 weight');
      continue;
    }
    const data = c.data;
    const nz = data.length - countZeros(data);
    if (op !== 'Conv' && c.shape.length !== 2) { skip(node, wName, pattern.text, data.length, nz, `${op} weight has rank ${c.shape.length}, not a 2-D matrix`); continue; }
    if (op === 'Conv' && c.shape.length < 3) { skip(node, wName, pattern.text, data.length, nz, `Conv weight has rank ${c.shape.length}`); continue; }
    if (pattern.kind === 'channel') { skip(node, wName, pattern.text, data.length, nz, 'channel pruning is done by prune-channels'); continue; }
    const transB = op === 'Gemm' && attrInt(node, 'transB', 0) !== 0;
    const { rows, cols } = weightMatrixShape(op, c.shape, transB);
    const forced = o.force === true;
    const cfgNote = o.rules.length > 0 ? ` (config ${settings.config?.file} layers[${o.rules.join(',')}])` : '';

    let reason: string | undefined;
    if (o.skip) reason = `the config asks to skip it${cfgNote}`;
    else if ((users.get(wName) ?? []).length > 1 || graph.outputs.includes(wName)) {
      // Shared weights are pruned at most once (by their first user, when forced).
      const us = users.get(wName) ?? [];
      if (!forced || us[0] !== node.name) reason = `weight '${wName}' is shared by ${us.join(', ')}`;
    }
    if (reason === undefined && !forced) {
      const group = op === 'Conv' ? attrInt(node, 'group', 1) : 1;
      if (group > 1) reason = `${group === c.shape[0] ? 'depthwise' : 'grouped'} conv (group=${group}); default keeps it dense`;
      else if (op === 'Conv' && inputs.has(node.inputs[0] ?? '')) reason = `stem conv (reads graph input '${node.inputs[0]}'); default keeps it dense`;
      else if (finals.has(node.name)) reason = `classifier (final layer before output '${finals.get(node.name)}'); default keeps it dense`;
      else if (data.length < settings.minParams) reason = `${data.length} weights, fewer than minParams=${settings.minParams}`;
    }
    // A pattern cannot be forced onto a matrix it does not tile.
    reason ??= misalignment(pattern, rows, cols, settings.shareRows);
    if (reason !== undefined) { skip(node, wName, pattern.text, data.length, nz, reason); continue; }
    const fixedSparsity = o.sparsity;
    candidates.push({ node, op, weight: v, data, shape: c.shape, transB, rows, cols, pattern, fixedSparsity });
  }

  // Unstructured/block layers without a fixed sparsity share the allocation.
  const allocated = candidates.filter((k) => k.pattern.kind !== 'nm' && k.fixedSparsity === undefined);
  // Sensitivity: each layer's curve, measured with the run's pattern (by magnitude).
  // TODO(issue 5): measure with the compile options' method (wanda, sparsegpt) once it exists.
  const curves = settings.allocation === 'sensitivity' && allocated.length > 0
    ? measureSensitivity(graph, allocated.map((k) => ({
      nodeIndex: graph.nodes.indexOf(k.node), weight: k.weight.name, prune: (s: number) => magnitudePrune(k, s),
    })), settings.calib!)
    : undefined;
  const curveOf = new Map<Candidate, readonly SensitivityPoint[]>(curves ? allocated.map((k, i) => [k, curves[i]!]) : []);
  const allocLayers: AllocLayer[] = allocated.map((k) => ({ shape: k.shape, data: k.data, curve: curveOf.get(k) }));
  const shares = allocate(settings.allocation, allocLayers, settings.sparsity);
  const pruneCount = new Map<Candidate, number>();
  const allocRequested = new Map<Candidate, number>();
  allocated.forEach((k, i) => { pruneCount.set(k, shares[i]!.prune); allocRequested.set(k, shares[i]!.requested); });

  const values = new Map(graph.values);
  const done = new Map<string, PruneLayerReport>();
  for (const k of candidates) {
    if (done.has(k.weight.name)) continue;
    const matrix = toWeightMatrix(k.op, k.shape, k.transB, k.data);
    const params = k.data.length;
    let pruned: Float32Array;
    let requested: number;
    let sparsity: Omit<Sparsity, 'requested' | 'achieved'>;
    const p = k.pattern;
    if (p.kind === 'nm') {
      pruned = maskNmShared(matrix, k.rows, k.cols, p.n, p.m, settings.shareRows);
      requested = (p.m - p.n) / p.m;
      sparsity = { kind: 'nm', pattern: p.text, n: p.n, m: p.m, ...(settings.shareRows > 1 ? { shareRows: settings.shareRows } : {}) };
    } else if (p.kind === 'block') {
      const area = p.br * p.bc;
      const nBlocks = params / area;
      requested = k.fixedSparsity ?? allocRequested.get(k)!;
      const blocks = Math.round(requested * nBlocks);
      pruned = maskBlock(matrix, k.rows, k.cols, p.br, p.bc, blocks);
      sparsity = { kind: 'block', pattern: p.text, br: p.br, bc: p.bc };
    } else if (p.kind === 'unstructured') {
      const count = k.fixedSparsity !== undefined ? Math.round(k.fixedSparsity * params) : pruneCount.get(k)!;
      requested = k.fixedSparsity ?? allocRequested.get(k)!;
      pruned = maskUnstructured(matrix, count);
      sparsity = { kind: 'unstructured', pattern: p.text };
    } else {
      continue;
    }
    const zeros = countZeros(pruned);
    const achieved = zeros / params;
    const data = fromWeightMatrix(k.op, k.shape, k.transB, pruned);
    const curve = curveOf.get(k);
    values.set(k.weight.name, { ...k.weight, constant: { ...k.weight.constant!, data }, sparsity: { ...sparsity, requested, achieved, ...(curve ? { sensitivity: curve } : {}) } });
    const row: PruneLayerReport = { node: k.node.name, op: k.node.op, weight: k.weight.name, pattern: p.text, requested, achieved, params, nonzeros: params - zeros, skipped: false };
    done.set(k.weight.name, row);
  }
  for (const k of candidates) {
    const row = done.get(k.weight.name);
    if (row) report.push(row.node === k.node.name ? row : { ...row, node: k.node.name, op: k.node.op });
  }
  // Report rows in graph order.
  const order = new Map(graph.nodes.map((n, i) => [n.name, i]));
  report.sort((a, b) => order.get(a.node)! - order.get(b.node)!);
  if (done.size === 0) return { graph, report };
  return { graph: withGraph(graph, { values: values.values() }), report };
}

/**
 * Magnitude pruning of Conv/Gemm/MatMul weights (input 1) to `options.pattern` ('unstructured',
 * 'N:M' = keep N of every M input channels at a fixed kernel position, 'block:RxC'), with
 * `options.sparsity` (unstructured/block, default 0.5) spread by `options.allocation`
 * (uniform | global | erk | sensitivity, which measures each layer on `options.calib`), per-layer
 * overrides from `options.config`, and `options.minParams`.
 * The stem conv, the classifier, depthwise/grouped convs, small, misaligned and shared weights
 * stay dense unless the config forces them; every skip is logged with its reason.
 *
 * Preconditions: canonicalized graph (BN folded), float32 constant weights.
 * Postconditions: each pruned weight is a new constant holding the zeros, annotated with
 * `sparsity`; nodes and shapes unchanged. Without a pattern, or with 'channel', the graph is returned as is.
 */
export const prune: Pass = {
  name: 'prune',
  summary: 'magnitude pruning of Conv/Gemm/MatMul weights to unstructured, N:M or block patterns',
  preserves: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    const settings = pruneSettings(ctx.options);
    if (!settings || settings.pattern.kind === 'channel') return graph;
    return pruneGraph(graph, settings, (node, message) => ctx.log({ pass: 'prune', node, message })).graph;
  },
  postcondition(graph: Graph): readonly string[] {
    const bad: string[] = [];
    for (const v of graph.values.values()) {
      const s = v.sparsity;
      if (!s) continue;
      if (!v.constant) { bad.push(`value '${v.name}' has a sparsity annotation but no constant data`); continue; }
      const zeros = countZeros(v.constant.data as Float32Array);
      if (Math.abs(zeros / v.constant.data.length - s.achieved) > 1e-9) bad.push(`value '${v.name}': achieved sparsity ${s.achieved} but ${zeros} of ${v.constant.data.length} weights are zero`);
    }
    return bad;
  },
};
