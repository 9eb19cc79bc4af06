// prune: one-shot pruning of Conv/Gemm/MatMul weights to an unstructured, N:M or block pattern,
// by magnitude or, with calibration data, by Wanda or SparseGPT (optionally with bias correction),
// with per-layer sparsity from an allocation and a config file, and a skip reason for every layer
// it keeps dense.

import { basename } from 'node:path';
import type { Constant, Graph, Node, Sparsity, Value, WeightQuantization } from '../ir/graph.js';
import { attrInt, isStatic, makeGraph } from '../ir/graph.js';
import { isWeightOp, nodeWeightAxes, weightView } from '../ir/weight-matrix.js';
import { SpcError } from '../errors.js';
import type { Pass, PassContext } from './pass.js';
import type { PassSettings } from '../options/settings.js';
import type { PruneMethod } from '../options/table.js';
import type { Pattern } from '../sparse/settings/pattern.js';
import { nmSparsity } from '../sparse/settings/pattern.js';
import type { AllocLayer } from '../sparse/prune/allocation.js';
import { allocate } from '../sparse/prune/allocation.js';
import type { SensitivityLayer, SensitivityPoint } from '../sparse/prune/sensitivity.js';
import { SENSITIVITY_LEVELS, measureSensitivity } from '../sparse/prune/sensitivity.js';
import { overrideFor } from '../sparse/settings/config.js';
import { defaultSkip } from '../sparse/settings/skips.js';
import { countZeros, maskBlock, maskNmShared, maskUnstructured } from '../sparse/prune/masks.js';
import type { MaskRule } from '../sparse/prune/mask-rule.js';
import { splitCount } from '../sparse/prune/mask-rule.js';
import { pruneWanda } from '../sparse/prune/wanda.js';
import { chooseDampening, pruneSparseGpt, type Int8Sweep, type SparseGptOptions } from '../sparse/prune/sparsegpt.js';
import { int8RowScales, int8Weights, sqnrDb } from '../quantize/grid.js';
import { biasShift, shiftBias } from '../sparse/prune/bias-correction.js';
import type { LayerChange } from '../calibrate/stream.js';
import { streamCalibration } from '../calibrate/stream.js';
import type { InputStats } from '../calibrate/stats.js';
import { DEFAULT_MAX_ROWS, inputStats } from '../calibrate/stats.js';
import type { WeightOp } from '../../runtime/sparse/layout.js';
import { fromWeightMatrix, toWeightMatrix, weightMatrixShape } from '../../runtime/sparse/layout.js';
import { requireFiniteWeight } from '../sparse/prune/finite.js';

/** What pruneGraph reads of the settings (options/settings.ts): the pruning options, a pattern given. */
export type PruneSettings = Pick<PassSettings, 'method' | 'biasCorrection' | 'calib' | 'sparsity' | 'allocation' | 'config' | 'minParams' | 'shareRows' | 'onPruneProgress'>
  & Partial<Pick<PassSettings, 'quantize'>>
  & { readonly pattern: Pattern };

/** The settings as PruneSettings; undefined when no pattern was asked for. */
export function pruneSettings(settings: PassSettings): PruneSettings | undefined {
  const pattern = settings.pattern;
  return pattern === undefined ? undefined : { ...settings, pattern };
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
      if (isWeightOp(n.op)) { best = Math.max(best, i); continue; }
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

/**
 * The layers `measureSensitivity` prunes, each at a level by the run's method: magnitude directly;
 * wanda and sparsegpt from the layer's input statistics in the dense network (one calibration
 * pass for all layers), every level pruned up front.
 */
function sensitivityLayers(graph: Graph, layers: readonly Candidate[], settings: PruneSettings): SensitivityLayer[] {
  const index = (k: Candidate): number => graph.nodes.indexOf(k.node);
  if (settings.method === 'magnitude') return layers.map((k) => ({ nodeIndex: index(k), weight: k.weight.name, prune: (s: number) => magnitudePrune(k, s) }));
  const levels = new Map<Candidate, Map<number, Float32Array>>();
  const byNode = new Map(layers.map((k) => [k.node.name, k]));
  streamCalibration(graph, settings.calib!, new Set(byNode.keys()), ({ node, inputs }) => {
    const k = byNode.get(node.name)!;
    const outShape = graph.values.get(node.outputs[0] ?? '')?.shape;
    if (!isStatic(outShape)) throw new SpcError(`calibration: layer '${node.name}' has no static output shape`);
    const dense = toWeightMatrix(k.op, k.shape, k.transB, k.data);
    const full = settings.method === 'sparsegpt';
    const stats = inputStats(node, k.shape, outShape, inputs, { full, folds: full ? foldsFor(outShape, inputs.length, k.rows, k.cols) : undefined });
    const perUnit = k.pattern.kind === 'block' ? k.pattern.br * k.pattern.bc : 1;
    const pruned = new Map<number, Float32Array>();
    // The dampening is chosen once per layer, at the level nearest the overall target.
    const dampings = new Map<number, number | undefined>();
    const order = [...SENSITIVITY_LEVELS].sort((a, b) => Math.abs(a - settings.sparsity) - Math.abs(b - settings.sparsity) || a - b);
    for (const s of order) {
      const count = Math.round(s * k.data.length / perUnit);
      const rule: MaskRule = k.pattern.kind === 'block' ? { kind: 'block', br: k.pattern.br, bc: k.pattern.bc, prune: count } : { kind: 'unstructured', prune: count };
      pruned.set(s, fromWeightMatrix(k.op, k.shape, k.transB, pruneCalibrated(settings.method, dense, k, rule, stats, () => {}, dampings).weights));
    }
    levels.set(k, pruned);
    return undefined;
  }, { progress: settings.onPruneProgress });
  return layers.map((k) => ({
    nodeIndex: index(k), weight: k.weight.name,
    prune: (s: number) => levels.get(k)?.get(s) ?? magnitudePrune(k, s),
  }));
}

/** A layer the prune pass keeps dense, and why (in graph order). */
interface Skip { readonly node: Node; readonly weight: string; readonly pattern: string; readonly params: number; readonly nonzeros: number; readonly reason: string }

/**
 * Which layers `settings` prunes (with their pattern) and which stay dense and why: the default
 * skips (sparse/settings/skips.ts: the stem, depthwise/grouped, small layers, the classifier above
 * 50%) unless the config forces them, and misaligned and shared weights. Also the dense layers SparseGPT may re-fit.
 */
function selectLayers(graph: Graph, settings: PruneSettings): { candidates: Candidate[]; skips: Skip[]; refittable: Candidate[] } {
  const skips: Skip[] = [];
  const skip = (node: Node, weight: string, pattern: string, params: number, nonzeros: number, reason: string): void => {
    skips.push({ node, weight, pattern, params, nonzeros, reason });
  };
  const users = new Map<string, string[]>();
  for (const n of graph.nodes) for (const x of n.inputs) if (x !== '') { const list = users.get(x); if (list) list.push(n.name); else users.set(x, [n.name]); }
  const finals = finalLayers(graph);
  const inputs = new Set(graph.inputs);
  const candidates: Candidate[] = [];
  /** Layers kept dense whose weights SparseGPT may re-fit to the dense output (not config-skipped, not shared, group 1). */
  const refittable: Candidate[] = [];

  for (const node of graph.nodes) {
    if (!isWeightOp(node.op)) continue;
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
    const { transB } = weightView(node);
    const { rows, cols } = weightMatrixShape(op, c.shape, transB);
    const forced = o.force === true;
    // The file's base name only: the note reaches the artifact, which must not depend on where the file was.
    const cfgNote = o.rules.length > 0 ? ` (config ${basename(settings.config?.file ?? '')} layers[${o.rules.join(',')}])` : '';

    let reason: string | undefined;
    if (o.skip) reason = `the config asks to skip it${cfgNote}`;
    else if ((users.get(wName) ?? []).length > 1 || graph.outputs.includes(wName)) {
      // Shared weights are pruned at most once (by their first user, when forced).
      const us = users.get(wName) ?? [];
      if (!forced || us[0] !== node.name) reason = `weight '${wName}' is shared by ${us.join(', ')}`;
    }
    if (reason === undefined && !forced) {
      reason = defaultSkip({
        group: op === 'Conv' ? attrInt(node, 'group', 1) : 1,
        outChannels: c.shape[0] ?? 0,
        stemInput: op === 'Conv' && inputs.has(node.inputs[0] ?? '') ? node.inputs[0] : undefined,
        classifierOf: finals.get(node.name),
        params: data.length,
        sparsity: pattern.kind === 'nm' ? nmSparsity(pattern.n, pattern.m) : o.sparsity ?? settings.sparsity,
      }, settings.minParams);
    }
    // A pattern cannot be forced onto a matrix it does not tile.
    reason ??= misalignment(pattern, rows, cols, settings.shareRows);
    if (reason !== undefined) {
      skip(node, wName, pattern.text, data.length, nz, reason);
      const group = op === 'Conv' ? attrInt(node, 'group', 1) : 1;
      if (!o.skip && group === 1 && (users.get(wName) ?? []).length === 1 && !graph.outputs.includes(wName)) {
        // SparseGPT re-fits this dense layer from its weights: they must be finite too.
        if (settings.method === 'sparsegpt') requireFiniteWeight(data, { weight: wName, node: node.name, op, reader: 'sparsegpt (re-fitting the dense layer)', configurable: true });
        refittable.push({ node, op, weight: v, data, shape: c.shape, transB, rows, cols, pattern });
      }
      continue;
    }
    requireFiniteWeight(data, { weight: wName, node: node.name, op, reader: `${pattern.text} pruning (${settings.method})`, configurable: true });
    // A classifier the defaults prune is pruned at the requested sparsity, not spread by an allocation:
    // global at 0.5 gave mobilenet_v2_w050's classifier 69.5%, past the bound its skip rule keeps.
    const spreadPastBound = !forced && finals.has(node.name) && pattern.kind !== 'nm' && settings.allocation !== 'uniform';
    const fixedSparsity = o.sparsity ?? (spreadPastBound ? settings.sparsity : undefined);
    candidates.push({ node, op, weight: v, data, shape: c.shape, transB, rows, cols, pattern, fixedSparsity });
  }

  return { candidates, skips, refittable };
}

/** What the prune pass would decide for one Conv/Gemm/MatMul layer, before pruning (`spc inspect model.onnx`). */
export interface PruneDecision {
  readonly node: string;
  readonly op: string;
  readonly weight: string;
  readonly params: number;
  /** The pattern it gets (its config's, else the requested one). */
  readonly pattern: string;
  /** Why it stays dense; undefined: it is pruned. */
  readonly keptDense?: string;
}

/** The prune pass's selection under `settings`, one row per Conv/Gemm/MatMul in graph order: the same decisions it makes. */
export function pruneDecisions(graph: Graph, settings: PruneSettings): PruneDecision[] {
  const { candidates, skips } = selectLayers(graph, settings);
  const rows = new Map<string, PruneDecision>();
  for (const k of candidates) rows.set(k.node.name, { node: k.node.name, op: k.op, weight: k.weight.name, params: k.data.length, pattern: k.pattern.text });
  for (const s of skips) rows.set(s.node.name, { node: s.node.name, op: s.node.op, weight: s.weight, params: s.params, pattern: s.pattern, keptDense: s.reason });
  return graph.nodes.filter((n) => rows.has(n.name)).map((n) => rows.get(n.name)!);
}

/** The layers the prune pass will prune under `settings`, with the pattern each gets (graph order). */
export function pruneCandidates(graph: Graph, settings: PruneSettings): { readonly node: Node; readonly pattern: Pattern }[] {
  return selectLayers(graph, settings).candidates.map((k) => ({ node: k.node, pattern: k.pattern }));
}

/**
 * What the prune pass decided for one Conv/Gemm/MatMul layer: the pattern it applied (or would
 * have, had the layer not been skipped), the sparsity asked of it and achieved, or why it stayed
 * dense. The pass records these rows (pruneResultOf); the compile report reads them.
 */
export interface PruneLayerReport {
  readonly node: string;
  readonly op: string;
  /** The weight value (input 1); '' when the node has none. */
  readonly weight: string;
  readonly pattern: string;
  readonly requested: number;
  readonly achieved: number;
  readonly params: number;
  readonly nonzeros: number;
  readonly skipped: boolean;
  /** Why the layer stayed dense (skipped layers only). */
  readonly reason?: string;
  /**
   * Pruned layers: what chose the kept weights, as applied to this layer (a calibrated method can
   * fall back to magnitude), plus '+bias-correction' where its bias was re-fit. The artifact's recipe records it.
   */
  readonly criterion?: string;
  /** --allocation sensitivity: the layer's measured curve, sparsity → mean KL on the outputs (sparse/prune/sensitivity.ts). */
  readonly sensitivity?: readonly SensitivityPoint[];
}

export interface PruneResult {
  readonly graph: Graph;
  /** One row per Conv/Gemm/MatMul, in graph order. */
  readonly report: PruneLayerReport[];
}

/** Prunes `graph` as `settings` say; `log` receives every skip with its reason. */
export function pruneGraph(graph: Graph, settings: PruneSettings, log: (node: string, message: string) => void = () => {}): PruneResult {
  const report: PruneLayerReport[] = [];
  const skip = (node: Node, weight: string, pattern: string, params: number, nonzeros: number, reason: string): void => {
    log(node.name, `kept dense: ${reason}`);
    report.push({ node: node.name, op: node.op, weight, pattern, requested: 0, achieved: params === 0 ? 0 : 1 - nonzeros / params, params, nonzeros, skipped: true, reason });
  };

  const { candidates, skips, refittable } = selectLayers(graph, settings);
  for (const k of skips) skip(k.node, k.weight, k.pattern, k.params, k.nonzeros, k.reason);

  // Unstructured/block layers without a fixed sparsity share the allocation.
  const allocated = candidates.filter((k) => k.pattern.kind !== 'nm' && k.fixedSparsity === undefined);
  // Sensitivity: each layer's curve, measured with the run's pattern and method.
  const curves = settings.allocation === 'sensitivity' && allocated.length > 0
    ? measureSensitivity(graph, sensitivityLayers(graph, allocated, settings), settings.calib!)
    : undefined;
  const curveOf = new Map<Candidate, readonly SensitivityPoint[]>(curves ? allocated.map((k, i) => [k, curves[i]!]) : []);
  const allocLayers: AllocLayer[] = allocated.map((k) => ({ shape: k.shape, data: k.data, curve: curveOf.get(k) }));
  const shares = allocate(settings.allocation, allocLayers, settings.sparsity);
  const pruneCount = new Map<Candidate, number>();
  const allocRequested = new Map<Candidate, number>();
  allocated.forEach((k, i) => { pruneCount.set(k, shares[i]!.prune); allocRequested.set(k, shares[i]!.requested); });

  const values = new Map(graph.values);
  const nodes = new Map<string, Node>();
  const done = new Map<string, PruneLayerReport>();
  const plans = new Map<Candidate, LayerPlan>();
  for (const k of candidates) plans.set(k, planLayer(k, settings, pruneCount.get(k), allocRequested.get(k)));

  /** Records the pruned matrix of `k` (chosen by `criterion`) as its weight's new constant; returns that constant. */
  const record = (k: Candidate, plan: LayerPlan, pruned: Float32Array, criterion: PruneMethod, grid?: Int8Sweep): Constant => {
    const params = k.data.length;
    const zeros = countZeros(pruned);
    const constant: Constant = { ...k.weight.constant!, data: fromWeightMatrix(k.op, k.shape, k.transB, pruned) };
    const curve = curveOf.get(k);
    values.set(k.weight.name, {
      ...k.weight, constant, sparsity: { ...plan.sparsity, requested: plan.requested, achieved: zeros / params },
      ...(grid ? { quantization: gptqQuantization(k.node, grid) } : {}),
    });
    done.set(k.weight.name, {
      node: k.node.name, op: k.node.op, weight: k.weight.name, pattern: k.pattern.text, requested: plan.requested, achieved: zeros / params,
      params, nonzeros: params - zeros, skipped: false, criterion, ...(curve ? { sensitivity: curve } : {}),
    });
    return constant;
  };

  if (settings.method === 'magnitude' && !settings.biasCorrection) {
    for (const k of candidates) {
      if (done.has(k.weight.name)) continue;
      const plan = plans.get(k)!;
      record(k, plan, pruneMagnitude(toWeightMatrix(k.op, k.shape, k.transB, k.data), k.rows, k.cols, plan.rule), 'magnitude');
    }
  } else {
    // Calibrated: layers in graph order, each on the activations of the already-pruned upstream network.
    const byNode = new Map(candidates.map((k) => [k.node.name, k]));
    const taken = new Set(graph.values.keys());
    const fresh = (base: string): string => {
      let name = base;
      for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
      taken.add(name);
      return name;
    };
    const uses = new Map<string, number>();
    for (const n of graph.nodes) for (const x of n.inputs) if (x !== '') uses.set(x, (uses.get(x) ?? 0) + 1);
    const refitNodes = new Map(refittable.map((k) => [k.node.name, k]));
    const reconstruct = settings.method === 'sparsegpt';
    streamCalibration(graph, settings.calib!, new Set([...byNode.keys(), ...(reconstruct ? refitNodes.keys() : [])]), ({ node, inputs, denseInputs }): LayerChange | undefined => {
      const r = refitNodes.get(node.name);
      if (r) {
        if (!denseInputs || denseInputs === inputs) return undefined;
        const outShape = graph.values.get(node.outputs[0] ?? '')?.shape as number[];
        const dense = toWeightMatrix(r.op, r.shape, r.transB, r.data);
        const stats = inputStats(node, r.shape, outShape, inputs, { full: true, denseInputs, weights: dense, folds: foldsFor(outShape, inputs.length, r.rows, r.cols), sums: false, residual: true });
        const keep: MaskRule = { kind: 'unstructured', prune: 0 };
        const options = { target: stats.target?.[0], residual: stats.residual?.[0], keepDead: true };
        const dampening = dampeningFor(dense, r.rows, r.cols, stats, 0, keep, options, (m) => log(node.name, m));
        const grid = int8Weights(settings.quantize) ? int8Sweep(dense, r.rows, r.cols) : undefined;
        const fitted = pruneSparseGpt(dense, r.rows, r.cols, stats.xtx![0]!, stats.sampledRows, keep, { ...options, dampening, ...(grid ? { quantize: grid } : {}) });
        const constant: Constant = { ...r.weight.constant!, data: fromWeightMatrix(r.op, r.shape, r.transB, fitted) };
        values.set(r.weight.name, { ...r.weight, constant, ...(grid ? { quantization: gptqQuantization(r.node, grid) } : {}) });
        log(node.name, 'kept dense; weights re-fit to reproduce the dense network\'s output from the pruned upstream (sparsegpt)');
        return { constants: new Map([[r.weight.name, constant]]) };
      }
      const k = byNode.get(node.name)!;
      if (done.has(k.weight.name)) return undefined;
      const plan = plans.get(k)!;
      const outShape = graph.values.get(node.outputs[0] ?? '')?.shape;
      if (!isStatic(outShape)) throw new SpcError(`calibration: layer '${node.name}' has no static output shape`);
      const dense = toWeightMatrix(k.op, k.shape, k.transB, k.data);
      const full = settings.method === 'sparsegpt';
      // SparseGPT reads XᵀX and the target (or residual) only; the sums serve Wanda and bias correction.
      const sums = !full || settings.biasCorrection;
      const stats = inputStats(node, k.shape, outShape, inputs, { full, denseInputs, weights: dense, folds: full ? foldsFor(outShape, inputs.length, k.rows, k.cols) : undefined, sums, residual: true });
      const { weights: pruned, method, grid } = pruneCalibrated(settings.method, dense, k, plan.rule, stats, (m) => log(node.name, m), undefined,
        int8Weights(settings.quantize));
      const constants = new Map<string, Constant>([[k.weight.name, record(k, plan, pruned, method, grid)]]);
      if (!settings.biasCorrection) return { constants };
      const means = stats.sum.map((s) => s.map((v) => v / Math.max(1, stats.rows)));
      const shift = biasShift(dense, pruned, k.rows, k.cols, means);
      const biasName = node.inputs[2] ?? '';
      const biasValue = biasName === '' ? undefined : graph.values.get(biasName);
      if (biasName !== '' && !biasValue?.constant) { log(node.name, `bias correction skipped: bias '${biasName}' is not a constant`); return { constants }; }
      // A bias read only by this node is replaced in place; otherwise the node gets a new one.
      const name = biasValue && uses.get(biasName) === 1 ? biasName : fresh(`${k.weight.name}_bias`);
      const corrected = shiftBias(node, biasValue?.constant, shift, outShape, name);
      if (!corrected) { log(node.name, `bias correction skipped: ${node.op} has no bias input`); return { constants }; }
      values.set(name, { name, dtype: 'float32', shape: corrected.bias.shape, constant: corrected.bias });
      const row = done.get(k.weight.name)!;
      done.set(k.weight.name, { ...row, criterion: `${row.criterion}+bias-correction` });
      nodes.set(node.name, corrected.node);
      constants.set(name, corrected.bias);
      return { node: corrected.node, constants };
    }, { progress: settings.onPruneProgress, dense: reconstruct });
  }
  for (const k of candidates) {
    const row = done.get(k.weight.name);
    if (row) report.push(row.node === k.node.name ? row : { ...row, node: k.node.name, op: k.node.op });
  }
  // Report rows in graph order.
  const order = new Map(graph.nodes.map((n, i) => [n.name, i]));
  report.sort((a, b) => order.get(a.node)! - order.get(b.node)!);
  if (done.size === 0) return { graph, report };
  return {
    graph: makeGraph({ ...graph, values: values.values(), nodes: graph.nodes.map((n) => nodes.get(n.name) ?? n) }),
    report,
  };
}

interface LayerPlan {
  readonly rule: MaskRule;
  readonly requested: number;
  readonly sparsity: Omit<Sparsity, 'requested' | 'achieved'>;
}

/** What to zero in layer `k`: the pattern with its count from the config or the allocation. */
function planLayer(k: Candidate, settings: Pick<PruneSettings, 'shareRows'>, allocCount: number | undefined, allocRequested: number | undefined): LayerPlan {
  const p = k.pattern;
  const params = k.data.length;
  if (p.kind === 'nm') {
    return {
      rule: { kind: 'nm', n: p.n, m: p.m, shareRows: settings.shareRows }, requested: nmSparsity(p.n, p.m),
      sparsity: { kind: 'nm', pattern: p.text, n: p.n, m: p.m, ...(settings.shareRows > 1 ? { shareRows: settings.shareRows } : {}) },
    };
  }
  if (p.kind === 'block') {
    const requested = k.fixedSparsity ?? allocRequested!;
    const blocks = Math.round(requested * (params / (p.br * p.bc)));
    return { rule: { kind: 'block', br: p.br, bc: p.bc, prune: blocks }, requested, sparsity: { kind: 'block', pattern: p.text, br: p.br, bc: p.bc } };
  }
  if (p.kind !== 'unstructured') throw new Error(`prune: no plan for pattern ${p.text}`);
  const count = k.fixedSparsity !== undefined ? Math.round(k.fixedSparsity * params) : allocCount!;
  return { rule: { kind: 'unstructured', prune: count }, requested: k.fixedSparsity ?? allocRequested!, sparsity: { kind: 'unstructured', pattern: p.text } };
}

/**
 * The weight of `node` in `graph` magnitude-pruned to `pattern` (unstructured or block at
 * `sparsity`, N:M with `shareRows`), annotated as this pass annotates it; undefined where the
 * weight is not a float32 matrix or the pattern does not tile it. What `spc compile` prices to
 * name the pattern that would make a layer gain (report/alternatives.ts).
 */
export function magnitudePrunedWeight(graph: Graph, node: Node, pattern: Exclude<Pattern, { kind: 'channel' }>, sparsity: number, shareRows: number): Value | undefined {
  const weight = graph.values.get(node.inputs[1] ?? '');
  const c = weight?.constant;
  if (!weight || !c || !isWeightOp(node.op) || !(c.data instanceof Float32Array) || c.shape.length < 2) return undefined;
  const op = node.op as WeightOp;
  const { transB } = weightView(node);
  const { rows, cols } = weightMatrixShape(op, c.shape, transB);
  if (misalignment(pattern, rows, cols, shareRows) !== undefined) return undefined;
  const k: Candidate = { node, op, weight, data: c.data, shape: c.shape, transB, rows, cols, pattern, fixedSparsity: sparsity };
  const plan = planLayer(k, { shareRows }, undefined, undefined);
  const pruned = pruneMagnitude(toWeightMatrix(op, c.shape, transB, c.data), rows, cols, plan.rule);
  const achieved = countZeros(pruned) / pruned.length;
  return { ...weight, constant: { ...c, data: fromWeightMatrix(op, c.shape, transB, pruned) }, sparsity: { ...plan.sparsity, requested: plan.requested, achieved } };
}

/** Magnitude masks: layer-wide smallest |w| (unstructured), top-N |w| per group, lowest-norm blocks. */
function pruneMagnitude(matrix: Float32Array, rows: number, cols: number, rule: MaskRule): Float32Array {
  switch (rule.kind) {
    case 'nm': return maskNmShared(matrix, rows, cols, rule.n, rule.m, rule.shareRows);
    case 'block': return maskBlock(matrix, rows, cols, rule.br, rule.bc, rule.prune);
    case 'unstructured': return maskUnstructured(matrix, rule.prune);
  }
}

/** Folds of held-out calibration samples for choosing SparseGPT's dampening. */
const DAMPENING_FOLDS = 4;

/**
 * Cross-validation runs 12–16 prunes of the layer (4 folds × the 3–4 candidates its descent scores;
 * each a cols³ factorization and a rows·cols² re-fit):
 * above these sizes it would dominate the compile, and the 1% is kept.
 */
const CV_MAX_COLS = 1024;
const CV_MAX_WORK = 3e8;

/**
 * Held-out folds when XᵀX would rest on fewer than 2 sampled rows per column (rows per sample =
 * output elements / output channels, at most DEFAULT_MAX_ROWS in all), there are at least two
 * samples per fold and the layer (`weightRows` × `cols`) is within the cross-validation limits;
 * otherwise undefined (the paper's 1% dampening is then used as is).
 */
function foldsFor(outShape: readonly number[], samples: number, weightRows: number, cols: number): number | undefined {
  const channels = outShape.length >= 3 ? outShape[1]! : outShape[outShape.length - 1]!;
  const perSample = outShape.reduce((a, b) => a * b, 1) / Math.max(1, channels);
  const rows = Math.min(DEFAULT_MAX_ROWS, perSample * samples);
  return rows < 2 * cols ? heldOutFolds(samples, weightRows, cols) : undefined;
}

/**
 * Folds of the calibration samples for held-out statistics of a `weightRows` × `cols` layer (the
 * dampening's cross-validation here, the permutation's calibrated error in permute-channels):
 * DAMPENING_FOLDS when every fold gets two samples and the layer is within the limits above.
 */
export function heldOutFolds(samples: number, weightRows: number, cols: number): number | undefined {
  return samples >= 2 * DAMPENING_FOLDS && calibratedCheckAffordable(weightRows, cols) ? DAMPENING_FOLDS : undefined;
}

/**
 * Whether a `weightRows` × `cols` layer is within the limits above for checks that prune it again
 * on the side (the dampening's cross-validation here, the permutation's calibrated error check in
 * permute-channels): each costs a cols³ factorization and rows·cols² products, and at ResNet-50
 * scale (4608 columns) one check is half a minute.
 */
export function calibratedCheckAffordable(weightRows: number, cols: number): boolean {
  return cols <= CV_MAX_COLS && weightRows * cols * cols <= CV_MAX_WORK;
}

/** The dampening for group `g` (pruned with `options`) chosen on held-out folds (logged), or undefined without folds. */
function dampeningFor(
  w: Float32Array, rows: number, cols: number, stats: InputStats, g: number, rule: MaskRule, options: SparseGptOptions, note: (m: string) => void,
): number | undefined {
  if (!stats.folds) return undefined;
  const folds = stats.folds.map((f) => ({ xtx: f.xtx[g]!, target: f.target?.[g], count: f.sampledRows }));
  const { dampening } = chooseDampening(w, rows, cols, stats.xtx![g]!, stats.sampledRows, folds, rule, options);
  note(`${stats.sampledRows} calibration rows for ${cols} columns: dampening ${dampening} of the mean diagonal (chosen by ${folds.length}-fold cross-validation)`);
  return dampening;
}

/**
 * A calibrated method on layer `k`: per conv group (each with its own input statistics), the
 * group's rows pruned with its share of the count. A grouped layer whose groups do not hold
 * whole shared-rows or block tiles falls back to magnitude, with a note; returns the method used.
 */
function pruneCalibrated(
  method: PruneMethod, dense: Float32Array, k: Candidate, rule: MaskRule, stats: InputStats, note: (m: string) => void, dampings?: Map<number, number | undefined>,
  quantize = false,
): { readonly weights: Float32Array; readonly method: PruneMethod; readonly grid?: Int8Sweep } {
  if (method === 'magnitude') return { weights: pruneMagnitude(dense, k.rows, k.cols, rule), method };
  const groups = stats.groups;
  const rowsG = k.rows / groups;
  const tileRows = rule.kind === 'nm' ? rule.shareRows : rule.kind === 'block' ? rule.br : 1;
  if (rowsG % tileRows !== 0) {
    note(`${method} needs whole ${tileRows}-row tiles in each of the ${groups} groups; magnitude used`);
    return { weights: pruneMagnitude(dense, k.rows, k.cols, rule), method: 'magnitude' };
  }
  const shares = rule.kind === 'nm' ? undefined : splitCount(rule.prune, new Array<number>(groups).fill(1));
  const out = new Float32Array(dense.length);
  // Joint int8 quantization (sparsegpt only): per-row scales of the dense weight, one noise sum for the layer.
  const grid = quantize && method === 'sparsegpt' ? int8Sweep(dense, k.rows, k.cols) : undefined;
  for (let g = 0; g < groups; g++) {
    const part = dense.subarray(g * rowsG * k.cols, (g + 1) * rowsG * k.cols);
    const r: MaskRule = rule.kind === 'nm' ? rule : { ...rule, prune: shares![g]! };
    let pruned: Float32Array;
    if (method === 'wanda') pruned = pruneWanda(part, rowsG, k.cols, stats.sumSq[g]!, r);
    else {
      const target = stats.target?.[g], residual = stats.residual?.[g];
      const dampening = dampings?.has(g) ? dampings.get(g) : dampeningFor(part, rowsG, k.cols, stats, g, r, { target }, note);
      dampings?.set(g, dampening);
      const quantizeGroup = grid ? { quantize: { scales: grid.scales.subarray(g * rowsG, (g + 1) * rowsG), noise: grid.noise } } : {};
      pruned = pruneSparseGpt(part, rowsG, k.cols, stats.xtx![g]!, stats.sampledRows, r, { target, residual, dampening, ...quantizeGroup });
    }
    out.set(pruned, g * rowsG * k.cols);
  }
  return { weights: out, method, ...(grid ? { grid } : {}) };
}

/** The int8 grid a joint (GPTQ) sweep of the rows×cols `dense` quantizes onto: its rows' scales. */
function int8Sweep(dense: Float32Array, rows: number, cols: number): Int8Sweep {
  return { scales: int8RowScales(dense, rows, cols), noise: { signal: 0, noise: 0 } };
}

/** What a joint sweep leaves recorded on the weight of `node`: scales along its output axis. */
function gptqQuantization(node: Node, grid: Int8Sweep): WeightQuantization {
  return { kind: 'int8', axis: nodeWeightAxes(node).out, scales: grid.scales, method: 'gptq', sqnrDb: sqnrDb(grid.noise) };
}

/**
 * Pruning of Conv/Gemm/MatMul weights (input 1) to `options.pattern` ('unstructured',
 * 'N:M' = keep N of every M input channels at a fixed kernel position, 'block:RxC'), with
 * `options.sparsity` (unstructured/block, default 0.5) spread by `options.allocation`
 * (uniform | global | erk | sensitivity, which measures each layer on `options.calib`), per-layer
 * overrides from `options.config`, and `options.minParams`.
 * The stem conv, depthwise/grouped convs, small weights and a classifier above 50% sparsity
 * (sparse/settings/skips.ts) stay dense unless the config forces them, misaligned and shared
 * weights always; every skip is logged with its reason.
 * `options.method` chooses the kept weights: magnitude (default), or with `options.calib` (a
 * CalibrationSet) wanda or sparsegpt, layer by layer on the pruned upstream network's
 * activations (calibrate/stream.ts). sparsegpt also re-fits each pruned layer, and each layer
 * kept dense downstream of one, to reproduce the dense network's output (ridge around the
 * weights, same dampening), then prunes with the OBS update. `options.biasCorrection` re-fits
 * each pruned layer's bias to the dense layer's mean output on the same inputs.
 *
 * Preconditions: canonicalized graph (BN folded), float32 constant weights.
 * Postconditions: each pruned weight is a new constant holding the zeros, annotated with
 * `sparsity`; one row per layer recorded in `ctx.results` (pruneResultOf); shapes unchanged; nodes unchanged but for a bias input bias correction may add. Without a pattern, or with 'channel', the graph is returned as is.
 */
export const prune: Pass = {
  name: 'prune',
  summary: 'one-shot pruning (magnitude, wanda, sparsegpt) of Conv/Gemm/MatMul weights to unstructured, N:M or block patterns',
  preserves: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    const settings = pruneSettings(ctx.settings);
    if (!settings || settings.pattern.kind === 'channel') return graph;
    const { graph: pruned, report } = pruneGraph(graph, settings, (node, message) => ctx.log({ pass: 'prune', node, message }));
    ctx.results?.set(prune.name, report);
    return pruned;
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

/** The per-layer rows the prune pass recorded in `ctx.results` (undefined when it did not prune there). */
export function pruneResultOf(ctx: PassContext): readonly PruneLayerReport[] | undefined {
  return ctx.results?.get(prune.name) as readonly PruneLayerReport[] | undefined;
}
