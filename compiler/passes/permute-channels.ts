// permute-channels: folds channel permutations of the graph's channel spaces into its constants
// (producer rows and biases, consumer reductions, per-channel parameters), so the model computes
// the same outputs with its channels stored in another order. The choice of permutation is the
// caller's (passes/rearrange.ts searches one that keeps more weight under N:M).

import type { Constant, Graph, Node, Value } from '../ir/graph.js';
import { isStatic, makeGraph } from '../ir/graph.js';
import { nodeWeightMatrix, nodeWeightShape } from '../ir/weight-matrix.js';
import type { ChannelEdit, ChannelGroup } from '../analysis/channel-groups.js';
import { channelGroups } from '../analysis/channel-groups.js';
import { allocArray } from '../../runtime/tensor.js';
import type { ColumnTerm, RowTerm } from '../sparse/rearrange/permute-search.js';
import { permutationObjective, searchPermutation } from '../sparse/rearrange/permute-search.js';
import type { CalibratedMethod, LayerCalibration } from '../sparse/rearrange/permute-objective.js';
import { calibratedError, reorderCalibration } from '../sparse/rearrange/permute-objective.js';
import type { MaskRule } from '../sparse/prune/mask-rule.js';
import type { Pattern } from '../sparse/settings/pattern.js';
import type { Pass, PassContext } from './pass.js';
import type { PassSettings } from '../options/settings.js';
import { calibratedCheckAffordable, heldOutFolds, pruneCandidates, pruneSettings } from './prune.js';
import type { CalibrationSet } from '../calibrate/data.js';
import { streamCalibration } from '../calibrate/stream.js';
import { inputStats } from '../calibrate/stats.js';

/** Checks that `perm` is a permutation of 0..n−1. */
export function checkPermutation(perm: Int32Array, n: number, what: string): void {
  if (perm.length !== n) throw new Error(`${what}: permutation of length ${perm.length}, expected ${n}`);
  const seen = new Uint8Array(n);
  for (const p of perm) {
    if (!(p >= 0 && p < n) || seen[p]) throw new Error(`${what}: not a permutation of 0..${n - 1}`);
    seen[p] = 1;
  }
}

/** `c` gathered along each axis by `index[axis]` (new position → old position; undefined keeps the axis). */
export function gatherAxes(c: Constant, index: readonly (Int32Array | undefined)[]): Constant {
  const shape = c.shape;
  const data = allocArray(c.dtype, c.data.length) as Float32Array;
  const src = c.data as Float32Array;
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(1);
  for (let a = rank - 2; a >= 0; a--) strides[a] = strides[a + 1]! * shape[a + 1]!;
  // Walk the destination in order, mapping each coordinate.
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < data.length; i++) {
    let off = 0;
    for (let a = 0; a < rank; a++) off += (index[a] ? index[a]![coord[a]!]! : coord[a]!) * strides[a]!;
    data[i] = src[off]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++coord[a]! < shape[a]!) break;
      coord[a] = 0;
    }
  }
  return { dtype: c.dtype, shape, data };
}

/**
 * `graph` with the permutation `perms.get(id)` (perm[new] = old channel) applied to every
 * group `id` of `groups` (computed on this graph by channelGroups). Every constant a group edits
 * is gathered along its channel axis; a constant edited by several groups (a layer that
 * produces one space and consumes another, Concat segments) gets all of them at once. A
 * constant read elsewhere as well (shared, or a graph output) is copied to a new constant for
 * the edited reader. Graph inputs, outputs, node order and shapes are unchanged. Throws on an
 * excluded group or a malformed permutation. Returns `graph` itself when `perms` is empty.
 */
export function permuteChannels(graph: Graph, groups: readonly ChannelGroup[], perms: ReadonlyMap<number, Int32Array>): Graph {
  if (perms.size === 0) return graph;
  const byId = new Map(groups.map((g) => [g.id, g]));
  // (node, input) → edits
  const edits = new Map<string, ChannelEdit[]>();
  for (const [id, perm] of perms) {
    const g = byId.get(id);
    if (!g) throw new Error(`permuteChannels: no group ${id}`);
    if (g.excluded !== undefined) throw new Error(`permuteChannels: group ${id} is excluded (${g.excluded})`);
    checkPermutation(perm, g.channels, `permuteChannels: group ${id}`);
    for (const e of g.edits) {
      const key = `${e.node}\u0000${e.input}`;
      const list = edits.get(key) ?? [];
      list.push(e);
      edits.set(key, list);
    }
  }
  const permOf = new Map<ChannelEdit, Int32Array>();
  for (const [id, perm] of perms) for (const e of byId.get(id)!.edits) permOf.set(e, perm);

  const readers = new Map<string, number>();
  for (const n of graph.nodes) for (const x of n.inputs) if (x !== '') readers.set(x, (readers.get(x) ?? 0) + 1);
  for (const o of graph.outputs) readers.set(o, (readers.get(o) ?? 0) + 1);
  const values = new Map<string, Value>(graph.values);
  const taken = new Set(graph.values.keys());
  const fresh = (base: string): string => {
    let name = `${base}_perm`;
    for (let i = 1; taken.has(name); i++) name = `${base}_perm${i}`;
    taken.add(name);
    return name;
  };
  const nodes: Node[] = graph.nodes.map((node) => {
    let inputs: string[] | undefined;
    node.inputs.forEach((name, input) => {
      const list = edits.get(`${node.name}\u0000${input}`);
      if (!list) return;
      const v = graph.values.get(name);
      const c = v?.constant;
      if (!v || !c) throw new Error(`permuteChannels: node '${node.name}' input ${input} ('${name}') is not a constant`);
      const index: (Int32Array | undefined)[] = c.shape.map(() => undefined);
      for (const e of list) {
        const len = c.shape[e.axis]!;
        const ix = index[e.axis] ?? Int32Array.from({ length: len }, (_, i) => i);
        const perm = permOf.get(e)!;
        for (let ch = 0; ch < perm.length; ch++) {
          for (let s = 0; s < e.factor; s++) ix[(e.offset + ch) * e.factor + s] = (e.offset + perm[ch]!) * e.factor + s;
        }
        index[e.axis] = ix;
      }
      const permuted = gatherAxes(c, index);
      // Per-channel quantization scales (set jointly with pruning) move with their channels.
      const q = v.quantization;
      const along = q?.scales && q.axis >= 0 ? index[q.axis] : undefined;
      const quantization = q && along ? { quantization: { ...q, scales: Float32Array.from(along, (i) => q.scales![i]!) } } : {};
      if (readers.get(name) === 1) {
        values.set(name, { ...values.get(name)!, constant: permuted, ...quantization });
      } else {
        const fn = fresh(name);
        values.set(fn, { ...v, name: fn, constant: permuted, ...quantization });
        inputs ??= [...node.inputs];
        inputs[input] = fn;
      }
    });
    return inputs ? { ...node, inputs } : node;
  });
  return makeGraph({ ...graph, values: values.values(), nodes });
}

/** A seeded permutation of 0..n−1 (xorshift32 Fisher–Yates): for tests and benchmarks. */
export function seededPermutation(n: number, seed: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  let s = (seed >>> 0) || 0x9e3779b9;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    const t = p[i]!; p[i] = p[j]!; p[j] = t;
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// The pass: before N:M pruning, choose each group's permutation to keep more weight.

/** What the search did for one group. */
export interface GroupPermutation {
  readonly group: number;
  readonly channels: number;
  /** Score kept by N:M over the group's terms with the identity order and with the chosen permutation. */
  readonly before: number;
  readonly after: number;
  /** Layers whose N:M masks the permutation changes (consumers, and shared-rows producers). */
  readonly layers: readonly string[];
  readonly timedOut: boolean;
  /**
   * Whether the permutation was applied: with magnitude, when it raised the kept score; with a
   * calibrated method, when it lowered the calibrated output error (errorBefore → errorAfter).
   */
  readonly applied: boolean;
  /**
   * Calibrated methods: Σ over the group's pruned layers (measured) of ‖(W − Ŵ)X‖²/‖WX‖², Ŵ the
   * method's N:M pruning, X the dense network's calibration inputs (held out by folds where the
   * statistics allow), with the identity order and with the chosen order (= before when rejected).
   */
  readonly errorBefore?: number;
  readonly errorAfter?: number;
}

export interface PermuteResult {
  readonly graph: Graph;
  readonly groups: readonly GroupPermutation[];
  /** Per layer whose N:M masks depend on a searched group: that group's id. */
  readonly layerGroup: ReadonlyMap<string, number>;
  readonly timedOut: boolean;
}

export interface PermuteSettings {
  /**
   * Opt-in wall-clock cap for the whole search, in milliseconds (each group gets what is left).
   * Without it (the default) the search stops on its deterministic work budget alone and never
   * reads a clock, so the artifact does not depend on the machine's speed or load.
   */
  readonly timeMs?: number;
  readonly now?: () => number;
  /** Called as the search reaches each group (groups done, group count); not recorded. */
  readonly progress?: (done: number, total: number, detail?: string) => void;
}

/** `scores` of the |w| of `node`'s weight as its rows×cols matrix (layout.ts), with the op's shape. */
function weightMatrix(graph: Graph, node: Node): { m: Float32Array; rows: number; cols: number; shape: readonly number[] } | undefined {
  const c = graph.values.get(node.inputs[1] ?? '')?.constant;
  if (!c || !(c.data instanceof Float32Array)) return undefined;
  const { rows, cols, matrix } = nodeWeightMatrix(node, c.shape, c.data);
  return { m: matrix, rows, cols, shape: c.shape };
}

/**
 * Before N:M pruning: for every permutable channel group whose consumers (or, with share-rows
 * R = M, producers) will be pruned N:M (`pruneCandidates`), searches the channel permutation
 * that maximizes the magnitude N:M keeps over all of them (searchPermutation, deterministic
 * budget; opt-in wall-clock cap `settings.timeMs` for the whole graph) and folds it into the weights.
 * Terms: a Conv consumer is (O·taps)×C over its input channels (Cg and the segment offset must
 * be multiples of M); a Gemm/MatMul consumer rows×C when each channel owns one column (with
 * `factor` ≥ M, a multiple of M, no cell crosses a channel: no term); a shared-rows producer C×cols.
 * Groups are searched in order on the weights as earlier groups left them. With a calibrated
 * method (wanda, sparsegpt) and calibration data the kept score is not what the method optimizes,
 * so the choice rests on a calibrated objective instead; ‖x_col‖ and X are the dense network's
 * calibration inputs. Wanda: candidates are searched on |w|·‖x_col‖ (its score) and on its square
 * w²·‖x‖², and each is compared with the identity on Σ over the group's pruned layers of the output
 * error ‖(W − Ŵ)X‖²/‖WX‖², Ŵ Wanda's own N:M pruning (statistics measured once; held out by folds
 * where the layer allows, sparse/permute-objective.ts); the lowest error wins, the identity unless a
 * candidate lowers it. Where a layer of the group is too wide for that check
 * (calibratedCheckAffordable), the candidate keeping the most squared saliency wins instead.
 * SparseGPT: one candidate, searched on |w|·‖x_col‖, applied when it keeps more squared saliency
 * w²·‖x‖² (its OBS error w²/[H⁻¹]jj with H's diagonal for H⁻¹'s) than the identity; checking by
 * SparseGPT's own error would prune each layer again per candidate and fold (a cols³ factorization
 * each), and on resnet10_w32 it decided as the saliency does (docs/performance.md, sixth round).
 * Layers without the check keep no XᵀX. The output function is unchanged.
 */
export function permuteForNm(graph: Graph, options: PassSettings, settings: PermuteSettings, log: (node: string | undefined, message: string) => void = () => {}): PermuteResult {
  const prune = pruneSettings(options);
  const none: PermuteResult = { graph, groups: [], layerGroup: new Map(), timedOut: false };
  if (!prune || !options.permute) return none;
  const patternOf = new Map<string, Pattern>();
  for (const k of pruneCandidates(graph, prune)) if (k.pattern.kind === 'nm') patternOf.set(k.node.name, k.pattern);
  if (patternOf.size === 0) return none;
  const groups = channelGroups(graph);
  const method: CalibratedMethod | undefined = prune.method !== 'magnitude' && prune.calib ? prune.method : undefined;
  // Calibrated methods: the layers' input statistics on the dense network (original column order):
  // column norms for every layer, XᵀX for the layers Wanda's calibrated check can afford.
  const stats = method ? layerCalibrations(graph, prune.calib!, new Set(patternOf.keys()), method === 'wanda', options.onCalibProgress) : undefined;
  const cal = stats?.full;
  /** Per node: current matrix column → original column (columns move when a group the node consumes is permuted). */
  let origCol = new Map<string, Int32Array>();
  // Per-column weights of the scores, in original column order: |w|·‖x‖ (Wanda's score, the
  // search's objective) and its square w²·‖x‖², the saliency that gates an order without the check.
  const linearW = new Map<string, Float64Array>();
  const squaredW = new Map<string, Float64Array>();
  for (const [node, sumSq] of stats?.sumSq ?? []) {
    linearW.set(node, Float64Array.from(sumSq, Math.sqrt));
    squaredW.set(node, sumSq);
  }
  const colScale = (weights: ReadonlyMap<string, Float64Array>, node: string, col: number): number => {
    const nv = weights.get(node);
    if (!nv) return 1;
    return nv[origCol.get(node)?.[col] ?? col]!;
  };
  /** ‖WX‖² per layer: a permutation of its rows or columns leaves it as is, so it is computed once. */
  const denseErrors = new Map<string, number>();
  const now = settings.now ?? (() => performance.now());
  const deadline = settings.timeMs === undefined ? undefined : now() + settings.timeMs;
  /** Wall time left under the cap; undefined (and no clock read) without one. */
  const timeLeft = (): number | undefined => (deadline === undefined ? undefined : deadline - now());
  const results: GroupPermutation[] = [];
  const layerGroup = new Map<string, number>();
  let g = graph;
  let timedOut = false;
  // Progress in work units, so a long group moves the bar too: a group's search is one, and with
  // Wanda's check each of its layers' error checks (the identity and ≤ 2 candidates) one each.
  const unitsOf = (group: ChannelGroup): number => 1 + (cal ? 3 * new Set(group.edits.filter((e) => cal.has(e.node)).map((e) => e.node)).size : 0);
  const totalUnits = groups.reduce((a, group) => a + unitsOf(group), 0);
  let unitsDone = 0, groupStart = 0;
  const tick = (group: ChannelGroup, index: number): void => {
    unitsDone = Math.min(unitsDone + 1, groupStart + unitsOf(group) - 1);
    settings.progress?.(unitsDone, totalUnits, `group ${index + 1} of ${groups.length}`);
  };
  for (const [index, group] of groups.entries()) {
    unitsDone = groupStart;
    settings.progress?.(unitsDone, totalUnits, `group ${index + 1} of ${groups.length}`);
    groupStart += unitsOf(group);
    if (group.excluded !== undefined) continue;
    const C = group.channels;
    const layers: string[] = [];
    /** Layers whose calibrated error the permutation may change: N:M consumers, and shared-rows producers. */
    const affected: string[] = [];
    let cell = 0;
    const nodeByName = new Map(g.nodes.map((n) => [n.name, n]));
    /** Search terms with scores |w|^power · weight(column). */
    const terms = (power: 1 | 2, weights: ReadonlyMap<string, Float64Array>, note: boolean): { columns: ColumnTerm[]; rowTerms: RowTerm[] } => {
      const columns: ColumnTerm[] = [];
      const rowTerms: RowTerm[] = [];
      const mag = power === 1 ? (v: number) => Math.abs(v) : (v: number) => v * v;
      for (const e of group.edits) {
        const node = nodeByName.get(e.node)!;
        const p = patternOf.get(e.node);
        if (!p || p.kind !== 'nm' || e.input !== 1) continue;
        if (e.role === 'consumer') {
          if (note) affected.push(e.node);
          if (e.factor > 1) {
            if (note && e.factor % p.m !== 0) log(e.node, `permute: group g${group.id} reaches it through a flatten of ${e.factor} features per channel, not a multiple of M=${p.m}; not optimized for it`);
            continue;
          }
          if (e.offset % p.m !== 0 || C % p.m !== 0) { if (note) log(e.node, `permute: group g${group.id} sits at channel ${e.offset} of ${C} channels, not aligned to M=${p.m}; not optimized for it`); continue; }
          const w = weightMatrix(g, node);
          if (!w) continue;
          if (node.op === 'Conv') {
            const cg = w.shape[1]!;
            if (cg % p.m !== 0) continue;
            const taps = w.cols / cg;
            const scores = new Float64Array(w.rows * taps * C);
            for (let o = 0; o < w.rows; o++) for (let t = 0; t < taps; t++) {
              const r = o * taps + t;
              for (let c = 0; c < C; c++) scores[r * C + c] = mag(w.m[o * w.cols + t * cg + e.offset + c]!) * colScale(weights, e.node, t * cg + e.offset + c);
            }
            columns.push({ scores, rows: w.rows * taps, n: p.n, m: p.m });
          } else {
            const scores = new Float64Array(w.rows * C);
            for (let r = 0; r < w.rows; r++) for (let c = 0; c < C; c++) scores[r * C + c] = mag(w.m[r * w.cols + e.offset + c]!) * colScale(weights, e.node, e.offset + c);
            columns.push({ scores, rows: w.rows, n: p.n, m: p.m });
          }
          cell ||= p.m;
          if (note) layers.push(e.node);
        } else if (e.role === 'producer' && prune.shareRows > 1) {
          if (prune.shareRows !== p.m) continue;
          const w = weightMatrix(g, node);
          if (!w || w.rows !== C) continue;
          rowTerms.push({ scores: Float64Array.from(w.m, (v, i) => mag(v) * colScale(weights, e.node, i % w.cols)), cols: w.cols, n: p.n, m: p.m, share: prune.shareRows });
          cell ||= p.m;
          if (note) { layers.push(e.node); affected.push(e.node); }
        }
      }
      return { columns, rowTerms };
    };
    const { columns, rowTerms } = terms(1, linearW, true);
    if (cell === 0) continue;
    const left = timeLeft();
    // Past the cap a group is only scored (budget 0: the identity order), and reported as cut.
    const r = left !== undefined && left <= 0
      ? { ...searchPermutation(C, cell, columns, rowTerms, { budget: 0 }), timedOut: true }
      : searchPermutation(C, cell, columns, rowTerms, { timeMs: left, now });
    timedOut ||= r.timedOut;
    let chosen: Int32Array | undefined = r.after > r.before ? r.perm : undefined;
    /** The graph with `chosen` applied, where already built (each candidate's is, for its check). */
    let chosenGraph: Graph | undefined;
    let after = r.after;
    let errors: { before: number; after: number; layers: number } | undefined;
    const measured = stats ? [...new Set(affected)].filter((l) => stats.sumSq.has(l)) : [];
    /** Layers of the group without XᵀX (SparseGPT's, and Wanda's too wide for the calibrated check). */
    const unchecked = measured.filter((l) => !cal?.has(l));
    if (method && measured.length > 0 && unchecked.length > 0) {
      // No calibrated check: the order keeping the most squared saliency w²·‖x‖² over the group's
      // terms is applied, the identity unless a candidate raises it. Wanda's candidates come from
      // both searches, SparseGPT's from the kept-score search alone (docs/performance.md, sixth round).
      const sq = terms(2, squaredW, false);
      const r2 = method === 'wanda' ? searchPermutation(C, cell, sq.columns, sq.rowTerms, { timeMs: timeLeft(), now }) : undefined;
      timedOut ||= r2?.timedOut ?? false;
      const identity = r2 ? r2.before : permutationObjective(C, cell, sq.columns, sq.rowTerms, Int32Array.from({ length: C }, (_, i) => i));
      let best = identity;
      chosen = undefined;
      for (const perm of [...(r.after > r.before ? [r.perm] : []), ...(r2 && r2.after > r2.before ? [r2.perm] : [])]) {
        const kept = permutationObjective(C, cell, sq.columns, sq.rowTerms, perm);
        if (kept > best * (1 + 1e-9)) { best = kept; chosen = perm; }
      }
      const why = method === 'sparsegpt' ? 'sparsegpt' : `${unchecked.length} layer(s) too wide for the calibrated check (${unchecked.slice(0, 3).join(', ')}${unchecked.length > 3 ? ', …' : ''})`;
      log(undefined, `group g${group.id}: ${why}; order ${chosen ? 'applied' : 'rejected'} by kept squared saliency ${identity.toPrecision(6)} → ${best.toPrecision(6)}`);
      if (chosen) {
        after = permutationObjective(C, cell, columns, rowTerms, chosen);
        const cols = new Map(origCol);
        chosenGraph = permuteChannels(g, groups, new Map([[group.id, chosen]]));
        trackColumns(chosenGraph, group, chosen, cols);
        origCol = cols;
      }
    } else if (method && measured.length > 0) {
      // Wanda's calibrated check: candidates from the kept-score search and from one on the squared
      // saliency; the one with the lowest calibrated output error of the group's layers wins, the
      // identity unless a candidate lowers it.
      const candidates: Int32Array[] = r.after > r.before ? [r.perm] : [];
      const left2 = timeLeft();
      if (left2 === undefined || left2 > 0) {
        const sq = terms(2, squaredW, false);
        const r2 = searchPermutation(C, cell, sq.columns, sq.rowTerms, { timeMs: left2, now });
        timedOut ||= r2.timedOut;
        if (r2.after > r2.before && !candidates.some((c) => samePerm(c, r2.perm))) candidates.push(r2.perm);
      }
      const errorOf = (graphC: Graph, cols: ReadonlyMap<string, Int32Array>): number => {
        const byName = new Map(graphC.nodes.map((n) => [n.name, n]));
        let total = 0;
        for (const l of measured) {
          const w = weightMatrix(graphC, byName.get(l)!)!;
          const p = patternOf.get(l) as Extract<Pattern, { kind: 'nm' }>;
          const rule: MaskRule = { kind: 'nm', n: p.n, m: p.m, shareRows: prune.shareRows };
          const c = reorderCalibration(cal!.get(l)!, cols.get(l));
          const e = calibratedError(w.m, w.rows, w.cols, c, rule, denseErrors.get(l));
          tick(group, index);
          denseErrors.set(l, e.dense);
          total += e.dense > 0 ? e.error / e.dense : e.error;
        }
        return total;
      };
      const base = errorOf(g, origCol);
      let best = base, bestPerm: Int32Array | undefined, bestCols = origCol, bestGraph: Graph | undefined;
      for (const perm of candidates) {
        const gc = permuteChannels(g, groups, new Map([[group.id, perm]]));
        const cols = new Map(origCol);
        trackColumns(gc, group, perm, cols);
        const e = errorOf(gc, cols);
        if (e < best * (1 - 1e-9)) { best = e; bestPerm = perm; bestCols = cols; bestGraph = gc; }
      }
      errors = { before: base, after: best, layers: measured.length };
      chosen = bestPerm;
      chosenGraph = bestGraph;
      if (chosen) { after = permutationObjective(C, cell, columns, rowTerms, chosen); origCol = bestCols; }
    } else if (chosen && stats) {
      const cols = new Map(origCol);
      chosenGraph = permuteChannels(g, groups, new Map([[group.id, chosen]]));
      trackColumns(chosenGraph, group, chosen, cols);
      origCol = cols;
    }
    const applied = chosen !== undefined;
    if (chosen) g = chosenGraph ?? permuteChannels(g, groups, new Map([[group.id, chosen]]));
    for (const l of layers) if (!layerGroup.has(l)) layerGroup.set(l, group.id);
    results.push({
      group: group.id, channels: C, before: r.before, after: errors ? (applied ? after : r.before) : r.after, layers, timedOut: r.timedOut, applied,
      ...(errors ? { errorBefore: errors.before, errorAfter: errors.after } : {}),
    });
    const kept = `kept ${method ? 'score' : 'magnitude'} ${r.before.toPrecision(6)} → ${after.toPrecision(6)}` +
      ` (${r.before > 0 ? `${after >= r.before ? '+' : ''}${(100 * (after / r.before - 1)).toFixed(2)}%` : '-'})`;
    if (errors) {
      log(undefined, `group g${group.id} (${C} channels, ${layers.length} layer(s)): permutation ${applied ? 'kept' : 'rejected'}: calibrated output error ${errors.before.toPrecision(6)} → ${errors.after.toPrecision(6)}` +
        ` (Σ over ${errors.layers} layer(s) of ‖(W−Ŵ)X‖²/‖WX‖², ${method}); ${kept}${r.timedOut ? ', search cut by --permute-time' : ''}`);
    } else {
      log(undefined, `group g${group.id} (${C} channels, ${layers.length} layer(s)): ${kept}${r.timedOut ? ', search cut by --permute-time' : ''}${applied ? '' : ', not applied'}`);
    }
  }
  settings.progress?.(totalUnits, totalUnits);
  return { graph: g, groups: results, layerGroup, timedOut };
}

function samePerm(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Per layer in `layers` (single conv group), over the calibration set on the dense network, in
 * the weight matrix's original column order: Σx² (`sumSq`) and, with `checked` (Wanda's calibrated
 * check) for the layers the check can afford (`full`), XᵀX and, with ≥ 2 samples per fold, XᵀX per
 * fold. Wide layers keep no XᵀX (4608² float64 is 170 MB, and ResNet-50 has dozens of layers over
 * 1024 columns).
 */
function layerCalibrations(
  graph: Graph, calib: CalibrationSet, layers: ReadonlySet<string>, checked: boolean, progress?: (done: number, total: number) => void,
): { full: Map<string, LayerCalibration>; sumSq: Map<string, Float64Array> } {
  const out = new Map<string, LayerCalibration>();
  const norms = new Map<string, Float64Array>();
  streamCalibration(graph, calib, layers, ({ node, inputs }) => {
    const w = graph.values.get(node.inputs[1] ?? '')?.constant;
    const outShape = graph.values.get(node.outputs[0] ?? '')?.shape;
    if (!w || !isStatic(outShape)) return undefined;
    const { rows, cols } = nodeWeightShape(node, w.shape);
    const full = checked && calibratedCheckAffordable(rows, cols);
    const folds = full ? heldOutFolds(inputs.length, rows, cols) : undefined;
    const stats = inputStats(node, w.shape, outShape, inputs, { full, folds });
    if (stats.groups !== 1) return undefined;
    norms.set(node.name, stats.sumSq[0]!);
    if (full) out.set(node.name, {
      cols: stats.cols, xtx: stats.xtx![0]!, count: stats.sampledRows, sumSq: stats.sumSq[0]!,
      folds: stats.folds?.map((f) => ({ xtx: f.xtx[0]!, count: f.sampledRows })),
    });
    return undefined;
  }, { progress });
  return { full: out, sumSq: norms };
}

/** Updates `origCol` (current column → original column, per consumer) after `perm` was applied to `group`. */
function trackColumns(g: Graph, group: ChannelGroup, perm: Int32Array, origCol: Map<string, Int32Array>): void {
  const nodeByName = new Map(g.nodes.map((n) => [n.name, n]));
  for (const e of group.edits) {
    if (e.role !== 'consumer' || e.input !== 1) continue;
    const w = weightMatrix(g, nodeByName.get(e.node)!);
    if (!w) continue;
    const old = origCol.get(e.node) ?? Int32Array.from({ length: w.cols }, (_, i) => i);
    const next = Int32Array.from(old);
    const C = perm.length;
    if (nodeByName.get(e.node)!.op === 'Conv') {
      const cg = w.shape[1]!;
      for (let t = 0; t < w.cols / cg; t++) for (let c = 0; c < C; c++) next[t * cg + e.offset + c] = old[t * cg + e.offset + perm[c]!]!;
    } else {
      for (let c = 0; c < C; c++) for (let s = 0; s < e.factor; s++) next[(e.offset + c) * e.factor + s] = old[(e.offset + perm[c]!) * e.factor + s]!;
    }
    origCol.set(e.node, next);
  }
}

/**
 * The search's settings from the compile's: `permuteTime` (seconds), the opt-in wall-clock cap of
 * the permutation search and of row reordering. None by default: a cap makes the artifact depend
 * on the machine's speed, so it is recorded in the provenance when given (options/table.ts).
 */
export function permuteSettings(settings: PassSettings): PermuteSettings {
  return settings.permuteTime === undefined ? {} : { timeMs: settings.permuteTime * 1000 };
}

/**
 * The pass form of permuteForNm: on (`settings.permute`, default on for N:M patterns) it
 * permutes the channel groups whose layers will be pruned N:M so N:M keeps more weight; the
 * model's function is unchanged. Logs each group's kept magnitude before → after, records the
 * PermuteResult in `ctx.results` (read it with permuteResultOf) and reports the search's progress
 * to `settings.onPermuteProgress`.
 */
export const permuteChannelsPass: Pass = {
  name: 'permute-channels',
  summary: 'before N:M pruning: permute channel groups so N:M keeps more weight (function unchanged)',
  preserves: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    const progress = ctx.settings.onPermuteProgress;
    const r = permuteForNm(graph, ctx.settings, { ...permuteSettings(ctx.settings), progress }, (node, message) => ctx.log({ pass: 'permute-channels', node, message }));
    ctx.results?.set(permuteChannelsPass.name, r);
    return r.graph;
  },
};

/** What permuteChannelsPass recorded in `ctx.results` (undefined when it did not run there). */
export function permuteResultOf(ctx: PassContext): PermuteResult | undefined {
  return ctx.results?.get(permuteChannelsPass.name) as PermuteResult | undefined;
}
