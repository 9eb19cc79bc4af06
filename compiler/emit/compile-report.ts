// The per-layer compile report: for every Conv/Gemm/MatMul, the pattern, requested and
// achieved sparsity, parameters and weight bytes before and after, the kernel, or why the
// layer stayed dense. What `spc compile` prints and `--json` serializes, and (as recipeOf
// turns it) the per-layer recipe the artifact's provenance records for `spc inspect`.

import type { Graph, Node } from '../ir/graph.js';
import { nodeWeightMatrix } from '../ir/weight-matrix.js';
import { maskNmShared } from '../sparse/prune/masks.js';
import type { PassNote } from '../passes/pass.js';
import type { PruneLayerReport } from '../passes/prune.js';
import type { ChannelPruning } from '../passes/prune-channels.js';
import { CHANNEL_CRITERION } from '../passes/prune-channels.js';
import type { LayerRecipe, LoadedArtifact } from '../../runtime/loader/model.js';
import { terminalLine } from '../escape.js';
import { DTYPE_BYTES, sizeOf } from '../../runtime/tensor.js';
import { requestedText, storedBytes } from './layer-table.js';
import { pct } from '../format.js';
import { weightInputOf } from '../../runtime/sparse/layout.js';

export interface CompileLayerReport {
  readonly node: string;
  readonly op: string;
  /** 'dense', 'unstructured', 'N:M', 'block:RxC' or 'channel'. */
  readonly pattern: string;
  readonly requested: number;
  readonly achieved: number;
  /** Weight elements before pruning and nonzero weights after. */
  readonly paramsBefore: number;
  readonly paramsAfter: number;
  /** Weight bytes stored dense before, and as stored in the artifact after. */
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /**
   * How the weight is stored in the artifact and read by its kernel: 'dense', the packed format the
   * kernel reads ('nm'), or the stored format and the layout the runtime expands it to ('nm→dense').
   */
  readonly storage: string;
  readonly kernel: string;
  /** Why the layer was left as it was (skipped layers), or what channel pruning did. */
  readonly note?: string;
  /**
   * N:M layers with --permute: the fraction of |w| N:M keeps (magnitude masks) with the channels
   * in their original order and after the permutation; `group` is the channel group (as
   * `spc inspect --groups` numbers it) whose permutation changed its masks.
   */
  readonly keptBefore?: number;
  readonly keptAfter?: number;
  readonly group?: number;
  /**
   * --quantize: the grid the weight is stored on, how it got there (rounded, or jointly with
   * SparseGPT: gptq) and its SQNR in dB against the float weights it replaced (null in JSON: exact).
   */
  readonly quant?: { readonly kind: 'int8' | 'float16'; readonly method: 'round' | 'gptq'; readonly sqnrDb: number };
  /** --allocation sensitivity: the layer's measured curve, sparsity → mean KL(dense ‖ only this layer pruned) on the outputs. */
  readonly sensitivity?: readonly { readonly sparsity: number; readonly divergence: number }[];
}

const PRUNE_PASSES = new Set(['prune', 'prune-channels']);

/**
 * What the pruning passes recorded per layer (their pass results): the rows of prune, the
 * channel counts of prune-channels. Absent: the compile did not prune.
 */
export interface PruningRecord {
  readonly layers?: readonly PruneLayerReport[];
  readonly channels?: readonly ChannelPruning[];
}

/**
 * The prune row of the layer that pruned the weight `node` reads: its own, or (a weight shared
 * with a layer that pruned it, --config force) that layer's, found by the weight's name.
 */
function prunedRowOf(pruning: PruningRecord | undefined): (node: Node, weight: string) => PruneLayerReport | undefined {
  const pruned = (pruning?.layers ?? []).filter((r) => !r.skipped);
  const byNode = new Map(pruned.map((r) => [r.node, r]));
  const byWeight = new Map(pruned.map((r) => [r.weight, r]));
  return (node, weight) => byNode.get(node.name) ?? byWeight.get(weight);
}

function nonzeros(data: ArrayLike<number | bigint>): number {
  let nz = 0;
  for (let i = 0; i < data.length; i++) if (Number(data[i]) !== 0) nz++;
  return nz;
}

/** The fraction of the |w| of `node`'s weight in `g` that N:M (shared by `share` rows) keeps by magnitude. */
function keptFraction(g: Graph, node: Node, n: number, m: number, share: number): number | undefined {
  const c = g.values.get(node.inputs[1] ?? '')?.constant;
  if (!c || !(c.data instanceof Float32Array)) return undefined;
  const { rows, cols, matrix } = nodeWeightMatrix(node, c.shape, c.data);
  if (cols % m !== 0 || rows % share !== 0) return undefined;
  const kept = maskNmShared(matrix, rows, cols, n, m, share);
  let a = 0;
  let b = 0;
  for (let i = 0; i < kept.length; i++) a += Math.abs(kept[i]!);
  for (let i = 0; i < c.data.length; i++) b += Math.abs(c.data[i]!);
  return b === 0 ? 1 : a / b;
}

/** With --permute: the graph as permuted before pruning, and each permuted layer's group. */
export interface Rearranged { readonly graph: Graph; readonly layerGroup: ReadonlyMap<string, number> }

/**
 * The report of `after` (the final graph, lowered into `artifact`) against `before` (canonical):
 * each weight's mask from its sparsity annotation, channel pruning and how each layer was pruned
 * from the passes' record (`pruning`), never from the words of their notes, which give the note
 * column only; the bytes and kernels come from the artifact.
 */
/** The storage column: 'dense', the packed format, or 'nm→dense' where the runtime expands the stored packing for a dense kernel. */
export function storageText(t: LoadedArtifact['tensors'][number] | undefined): string {
  if (!t?.packed) return 'dense';
  return t.kernelLayout === 'dense' ? `${t.packed.format}→dense` : t.packed.format;
}

export function compileReport(before: Graph, after: Graph, artifact: LoadedArtifact, notes: readonly PassNote[], pruning?: PruningRecord, rearranged?: Rearranged): CompileLayerReport[] {
  const prunedRow = prunedRowOf(pruning);
  const channelPruned = new Set((pruning?.channels ?? []).flatMap((c) => ('channels' in c ? [c.node] : [])));
  const permutedNode = new Map(rearranged?.graph.nodes.map((n) => [n.name, n]) ?? []);
  const noteOf = new Map<string, string>();
  // Every pruning note of a layer, in the order logged (the first says why it was skipped, when it was).
  for (const n of notes) {
    if (!PRUNE_PASSES.has(n.pass) || n.node === undefined) continue;
    const prev = noteOf.get(n.node);
    noteOf.set(n.node, prev === undefined ? n.message : `${prev}; ${n.message}`);
  }
  const tensorOf = new Map(artifact.tensors.map((t) => [t.name, t]));
  const nodeOf = new Map(artifact.nodes.map((n) => [n.name, n]));
  const beforeNode = new Map(before.nodes.map((n) => [n.name, n]));
  const rows: CompileLayerReport[] = [];
  // Every layer with a weight matrix: Conv/Gemm/MatMul, and QLinearConv/QLinearMatMul (input 3, its
  // int8 codes; a layer --quantize int8 turned int8 keeps its name, so `before` holds its float weight).
  const weightOf = (n: Node | undefined): string => (n ? n.inputs[weightInputOf(n.op)?.input ?? -1] ?? '' : '');
  for (const node of after.nodes) {
    if (!weightInputOf(node.op)) continue;
    const w = after.values.get(weightOf(node));
    const wBefore = before.values.get(weightOf(beforeNode.get(node.name)));
    if (!w?.constant || !wBefore?.constant) continue;
    const t = tensorOf.get(w.name);
    const paramsBefore = sizeOf(wBefore.constant.shape);
    const paramsAfter = nonzeros(w.constant.data);
    const quant = w.quantization ?? w.codesOf;
    const note = noteOf.get(node.name);
    // The mask is recorded on the weight (what kernel selection and lowering read too); how it was chosen, on the prune row.
    const s = w.sparsity;
    const pruned = s ? prunedRow(node, w.name) : undefined;
    let kept: { keptBefore: number; keptAfter: number; group?: number } | undefined;
    const pn = permutedNode.get(node.name);
    if (rearranged && s?.kind === 'nm' && pn && beforeNode.has(node.name)) {
      const kb = keptFraction(before, beforeNode.get(node.name)!, s.n!, s.m!, s.shareRows ?? 1);
      const ka = keptFraction(rearranged.graph, pn, s.n!, s.m!, s.shareRows ?? 1);
      const group = rearranged.layerGroup.get(node.name);
      if (kb !== undefined && ka !== undefined) kept = { keptBefore: kb, keptAfter: ka, ...(group !== undefined ? { group } : {}) };
    }
    rows.push({
      node: node.name,
      op: node.op,
      pattern: s ? s.pattern : channelPruned.has(node.name) ? 'channel' : 'dense',
      requested: s ? s.requested : 0,
      achieved: paramsBefore === 0 ? 0 : 1 - paramsAfter / paramsBefore,
      paramsBefore,
      paramsAfter,
      bytesBefore: paramsBefore * DTYPE_BYTES[wBefore.constant.dtype],
      bytesAfter: t ? storedBytes(t) : 0,
      storage: storageText(t),
      kernel: nodeOf.get(node.name)?.kernel ?? '',
      note: note ?? (s || !pruning ? undefined : 'not pruned'),
      ...(kept ?? {}),
      ...(quant ? { quant: { kind: quant.kind, method: quant.method, sqnrDb: quant.sqnrDb } } : {}),
      ...(pruned?.sensitivity ? { sensitivity: pruned.sensitivity } : {}),
    });
  }
  return rows;
}

/**
 * The report rows as the artifact records them (Provenance.layers): sparsities as float32
 * (what the loader returns), and each pruned layer's criterion as the pruning passes recorded it
 * (magnitude, wanda or sparsegpt as applied to that layer, plus '+bias-correction' where its bias
 * was re-fit; magnitude for channel pruning), '' for dense.
 */
export function recipeOf(rows: readonly CompileLayerReport[], after: Graph, pruning?: PruningRecord): LayerRecipe[] {
  const prunedRow = prunedRowOf(pruning);
  const nodeOf = new Map(after.nodes.map((n) => [n.name, n]));
  const criterion = (name: string): string => {
    const n = nodeOf.get(name);
    return (n && prunedRow(n, n.inputs[1] ?? '')?.criterion) ?? '';
  };
  return rows.map((r) => ({
    node: r.node,
    pattern: r.pattern,
    requested: Math.fround(r.requested),
    achieved: Math.fround(r.achieved),
    paramsBefore: r.paramsBefore,
    paramsAfter: r.paramsAfter,
    criterion: r.pattern === 'dense' ? '' : r.pattern === 'channel' ? CHANNEL_CRITERION : criterion(r.node),
    note: r.note ?? '',
  }));
}

export function reportTotals(rows: readonly CompileLayerReport[]) {
  const sum = (f: (r: CompileLayerReport) => number) => rows.reduce((a, r) => a + f(r), 0);
  const pruned = rows.filter((r) => r.pattern !== 'dense');
  const psum = (f: (r: CompileLayerReport) => number) => pruned.reduce((a, r) => a + f(r), 0);
  return {
    layers: rows.length, prunedLayers: pruned.length,
    paramsBefore: sum((r) => r.paramsBefore), paramsAfter: sum((r) => r.paramsAfter),
    bytesBefore: sum((r) => r.bytesBefore), bytesAfter: sum((r) => r.bytesAfter),
    prunedBytesBefore: psum((r) => r.bytesBefore), prunedBytesAfter: psum((r) => r.bytesAfter),
  };
}


/** The quant column: 'int8 41.3 dB', 'int8 gptq 38.0 dB', 'float16 75.1 dB'; '-' for a float32 weight. */
export function quantText(q: CompileLayerReport['quant']): string {
  if (q === undefined) return '-';
  return `${q.kind}${q.method === 'gptq' ? ' gptq' : ''} ${Number.isFinite(q.sqnrDb) ? `${q.sqnrDb.toFixed(1)} dB` : 'exact'}`;
}

export function formatCompileReport(rows: readonly CompileLayerReport[]): string {
  const kept = rows.some((r) => r.keptAfter !== undefined);
  const quantized = rows.some((r) => r.quant !== undefined);
  const head = ['node', 'op', 'pattern', 'requested', 'achieved', 'params', 'bytes', 'storage', ...(quantized ? ['quant (SQNR)'] : []), 'kernel', ...(kept ? ['kept |w|'] : []), 'note'];
  const body = rows.map((r) => [
    r.node, r.op, r.pattern, requestedText(r), pct(r.achieved),
    `${r.paramsBefore}→${r.paramsAfter}`, `${r.bytesBefore}→${r.bytesAfter}`, r.storage, ...(quantized ? [quantText(r.quant)] : []), r.kernel,
    ...(kept ? [r.keptAfter === undefined ? '-' : `${pct(r.keptBefore!)}→${pct(r.keptAfter)}${r.group !== undefined ? ` g${r.group}` : ''}`] : []), r.note ?? '',
  ].map(terminalLine)); // cells hold node names and notes quoting tensors: escaped before the widths are taken
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const curves = rows.filter((r) => r.sensitivity).map((r) =>
    `  ${terminalLine(r.node)}: ${r.sensitivity!.filter((p) => p.sparsity > 0).map((p) => `${pct(p.sparsity)} ${p.divergence.toPrecision(3)}`).join(', ')}`);
  const sensitivity = curves.length === 0 ? [] : ['', 'sensitivity (mean KL of the outputs, dense ‖ only this layer pruned, on the calibration samples):', ...curves];
  return [line(head), ...body.map(line), ...sensitivity].join('\n');
}
