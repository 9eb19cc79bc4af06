// Sensitivity allocation: each prunable layer's divergence curve (mean KL of the model's softmax
// outputs, dense ‖ only-this-layer-pruned, over calibration samples, at several sparsities), and
// the greedy per-layer assignment that reaches the overall target with the least summed divergence.

import type { Graph } from '../../ir/graph.js';
import type { TensorView } from '../../../runtime/tensor.js';
import type { CalibrationSet } from '../../calibrate/data.js';
import { evaluateNode } from '../../analysis/interpret.js';
import { softmaxKl } from '../../eval/metrics.js';
import { SpcError } from '../../errors.js';
import { describeNonFinite, firstNonFinite, requireFiniteSamples } from './finite.js';

/** Sparsities each layer is measured at (the curve also holds 0 → 0); those above the cap are dropped. */
export const SENSITIVITY_LEVELS: readonly number[] = [0.5, 0.7, 0.8, 0.9, 0.95, 0.98];
/** No layer is pruned beyond this by default (INC's global allocation uses the same cap). */
export const SENSITIVITY_CAP = 0.98;

export interface SensitivityPoint {
  readonly sparsity: number;
  /** Mean over calibration samples of KL(softmax(dense) ‖ softmax(this layer pruned)), nats. */
  readonly divergence: number;
}

export interface SensitivityLayer {
  /** Node index in the graph and its weight value. */
  readonly nodeIndex: number;
  readonly weight: string;
  /** The layer's weight pruned to `sparsity` in its own layout (the run's pattern and method). */
  prune(sparsity: number): Float32Array;
}

/** Runs nodes [from, end) of `g` over `env` (which must hold every value they read); returns the changes. */
function runFrom(g: Graph, env: ReadonlyMap<string, TensorView>, from: number, overrides: ReadonlyMap<string, TensorView>): Map<string, TensorView> {
  const local = new Map(overrides);
  const get = (x: string): TensorView | undefined => (x === '' ? undefined : local.get(x) ?? env.get(x));
  for (let i = from; i < g.nodes.length; i++) {
    const n = g.nodes[i]!;
    const outs = evaluateNode(n, n.inputs.map(get), g.opset);
    n.outputs.forEach((o, k) => { if (o !== '' && outs[k]) local.set(o, outs[k]!); });
  }
  return local;
}

/** Mean softmax KL between two output tensors, row by row ([b, C…] is b rows). */
function outputKl(dense: TensorView, pruned: TensorView): number {
  const size = dense.data.length;
  const rows = dense.shape.length >= 2 ? dense.shape[0]! : 1;
  const classes = size / rows;
  let s = 0;
  for (let r = 0; r < rows; r++) s += softmaxKl(dense.data as ArrayLike<number>, pruned.data as ArrayLike<number>, r * classes, classes);
  return s / rows;
}

/**
 * The divergence curve of every layer: for each level, only that layer is pruned (by
 * `layer.prune`) and the network from that layer on is evaluated on every calibration sample
 * against the dense network's own activations. Curves start at { 0, 0 }.
 */
export function measureSensitivity(
  graph: Graph, layers: readonly SensitivityLayer[], calib: CalibrationSet, levels: readonly number[] = SENSITIVITY_LEVELS,
): SensitivityPoint[][] {
  const out = graph.outputs[0];
  if (out === undefined) throw new SpcError('sensitivity allocation: the model has no output');
  requireFiniteSamples(calib);
  const pruned = layers.map((l) => levels.map((s) => {
    const v = graph.values.get(l.weight)!.constant!;
    return { ...v, data: l.prune(s) } as TensorView;
  }));
  const sums = layers.map(() => levels.map(() => 0));
  const constants = new Map<string, TensorView>();
  for (const v of graph.values.values()) if (v.constant) constants.set(v.name, v.constant);
  for (const feed of calib.samples) {
    const env = new Map(constants);
    for (const name of graph.inputs) {
      const t = feed[name];
      if (!t) throw new SpcError(`sensitivity allocation: a calibration sample has no tensor for input '${name}'`);
      env.set(name, t);
    }
    for (const [k, v] of runFrom(graph, env, 0, new Map())) env.set(k, v);
    const dense = env.get(out)!;
    // A divergence from a NaN/±Inf output is NaN, and the allocation's ordering undefined.
    const at = firstNonFinite(dense.data);
    if (at >= 0) {
      throw new SpcError(`sensitivity allocation: the model's output '${out}' holds ${describeNonFinite(dense.data as ArrayLike<number>, at)} on calibration sample ` +
        `${calib.samples.indexOf(feed)} (a NaN or ±Inf weight upstream?); the divergence is undefined; fix the model or use another --allocation`);
    }
    layers.forEach((l, li) => levels.forEach((_, si) => {
      const y = runFrom(graph, env, l.nodeIndex, new Map([[l.weight, pruned[li]![si]!]])).get(out)!;
      sums[li]![si]! += outputKl(dense, y);
    }));
  }
  const n = calib.samples.length;
  return sums.map((row) => [{ sparsity: 0, divergence: 0 }, ...row.map((s, i) => ({ sparsity: levels[i]!, divergence: s / n }))]);
}

/**
 * Weights to zero per layer for an overall `target` (of all `params`), from the curves: starting
 * dense, repeatedly take the move (one layer from its current level to any higher level) with the
 * least added divergence per weight pruned; the move that would pass the target is taken only
 * as far as the target, so the cheapest layer at the margin absorbs the rounding and the total is
 * exactly round(target · Σ params). Levels above `cap` are never used.
 */
export function allocateBySensitivity(
  params: readonly number[], curves: readonly (readonly SensitivityPoint[])[], target: number, cap = SENSITIVITY_CAP,
): number[] {
  const total = params.reduce((a, b) => a + b, 0);
  const goal = Math.round(target * total);
  const pts = curves.map((c, l) => {
    const usable = c.filter((p) => p.sparsity <= cap + 1e-12).map((p) => ({ w: Math.round(p.sparsity * params[l]!), d: p.divergence }));
    if (!usable.some((p) => p.w === 0)) usable.unshift({ w: 0, d: 0 });
    return usable.sort((a, b) => a.w - b.w);
  });
  const reach = pts.reduce((a, p) => a + p[p.length - 1]!.w, 0);
  if (goal > reach) {
    throw new SpcError(`sensitivity allocation: ${target} overall needs ${goal} of ${total} weights pruned, but the per-layer cap ${cap} allows ${reach}`);
  }
  const at = pts.map(() => 0);
  const counts = pts.map(() => 0);
  let done = 0;
  while (done < goal) {
    let best: { l: number; j: number; ratio: number } | undefined;
    pts.forEach((p, l) => {
      const cur = p[at[l]!]!;
      for (let j = at[l]! + 1; j < p.length; j++) {
        const dw = p[j]!.w - cur.w;
        if (dw <= 0) continue;
        const ratio = (p[j]!.d - cur.d) / dw;
        if (!best || ratio < best.ratio) best = { l, j, ratio };
      }
    });
    if (!best) throw new Error('allocateBySensitivity: no move left below the target');
    const { l, j } = best;
    const step = pts[l]![j]!.w - counts[l]!;
    if (done + step >= goal) {
      counts[l]! += goal - done;
      done = goal;
    } else {
      counts[l] = pts[l]![j]!.w;
      at[l] = j;
      done += step;
    }
  }
  return counts;
}
