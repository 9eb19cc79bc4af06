// reorder-rows: after pruning, order each channel group's rows so blocks of 4 consecutive output
// rows (the row-block kernels' height) share few columns, i.e. their blocks fill. The order is a
// channel permutation of the group (passes/permute-channels.ts), so the model's outputs do not
// change; it is applied only where the consumers' patterns do not depend on their column order.

import type { Graph, Node, Sparsity } from '../ir/graph.js';
import { nodeWeightMatrix } from '../ir/weight-matrix.js';
import { channelGroups } from '../analysis/channel-groups.js';
import { reorderRows } from '../sparse/rearrange/permute-search.js';
import type { Pass, PassContext } from './pass.js';
import type { PassSettings } from '../options/settings.js';
import { permuteChannels, permuteSettings } from './permute-channels.js';

/** Rows per block of the row-block kernels. */
export const BLOCK_ROWS = 4;

/** What row reordering did for one group. */
export interface RowReorder {
  readonly group: number;
  readonly channels: number;
  /** Nonzeros over the area of the blocks' column unions, over the group's producers. */
  readonly fillBefore: number;
  readonly fillAfter: number;
  readonly producers: readonly string[];
  readonly applied: boolean;
}

/** Row reordering is on unless `permute` was turned off (--no-permute), for pruned patterns other than channel. */
export function reorderEnabled(settings: PassSettings): boolean {
  if (settings.given.has('permute') && !settings.permute) return false;
  return settings.pattern !== undefined && settings.pattern.kind !== 'channel';
}

/** Whether a weight pruned as `s` keeps its pattern when its columns (consumer) or rows (producer) are reordered. */
function columnFree(s: Sparsity | undefined): boolean {
  return s === undefined || s.kind === 'unstructured' || (s.kind === 'block' && s.bc === 1);
}
function rowFree(s: Sparsity | undefined): boolean {
  return s === undefined || s.kind === 'unstructured' || (s.kind === 'nm' && (s.shareRows ?? 1) === 1) || (s.kind === 'block' && s.br === 1);
}

function mask(g: Graph, node: Node): { mask: Uint8Array; cols: number; rows: number } | undefined {
  const c = g.values.get(node.inputs[1] ?? '')?.constant;
  if (!c || !(c.data instanceof Float32Array)) return undefined;
  const { rows, cols, matrix } = nodeWeightMatrix(node, c.shape, c.data);
  return { mask: Uint8Array.from(matrix, (v) => (v !== 0 ? 1 : 0)), cols, rows };
}

/**
 * For every permutable group with at least one pruned producer, whose producers keep their
 * pattern under a row reordering (unstructured, per-row N:M, 1-row blocks, dense) and whose
 * consumers under a column reordering (dense, unstructured, 1-column blocks): reorders the
 * group's channels with reorderRows (blocks of BLOCK_ROWS rows) and applies the order when it
 * raises the producers' block fill. Outputs unchanged.
 */
export function reorderForBlocks(graph: Graph, settings: PassSettings, log: (message: string) => void = () => {}): { graph: Graph; groups: RowReorder[] } {
  if (!reorderEnabled(settings)) return { graph, groups: [] };
  const groups = channelGroups(graph);
  // The opt-in cap (--permute-time) only; by default the deterministic budget alone bounds it.
  const { timeMs } = permuteSettings(settings);
  const out: RowReorder[] = [];
  let g = graph;
  for (const group of groups) {
    if (group.excluded !== undefined || group.channels <= BLOCK_ROWS) continue;
    const nodeByName = new Map(g.nodes.map((n) => [n.name, n]));
    const sparsityOf = (name: string) => g.values.get(nodeByName.get(name)!.inputs[1] ?? '')?.sparsity;
    if (!group.producers.some((p) => sparsityOf(p) !== undefined)) continue;
    if (!group.producers.every((p) => rowFree(sparsityOf(p)))) continue;
    if (!group.consumers.every((c) => columnFree(sparsityOf(c.node)))) continue;
    const masks = group.producers.map((p) => mask(g, nodeByName.get(p)!));
    if (masks.some((m) => m === undefined || m.rows !== group.channels)) continue;
    const r = reorderRows(masks as { mask: Uint8Array; cols: number }[], group.channels, BLOCK_ROWS, { timeMs });
    const applied = r.fillAfter > r.fillBefore;
    if (applied) g = permuteChannels(g, groups, new Map([[group.id, r.order]]));
    out.push({ group: group.id, channels: group.channels, fillBefore: r.fillBefore, fillAfter: r.fillAfter, producers: group.producers, applied });
    log(`group g${group.id} (${group.channels} channels): ${BLOCK_ROWS}-row block fill ${r.fillBefore.toFixed(4)} → ${r.fillAfter.toFixed(4)}${applied ? '' : ', not applied'}`);
  }
  return { graph: g, groups: out };
}

/** The pass form of reorderForBlocks (after pruning, before kernel selection); records its groups in `ctx.results` (rowOrderOf). */
export const reorderRowsPass: Pass = {
  name: 'reorder-rows',
  summary: 'after pruning: order each channel group\'s rows so 4-row blocks share columns (function unchanged)',
  preserves: ['shapes'],
  run(graph: Graph, ctx: PassContext): Graph {
    const r = reorderForBlocks(graph, ctx.settings, (message) => ctx.log({ pass: 'reorder-rows', message }));
    ctx.results?.set(reorderRowsPass.name, r.groups);
    return r.graph;
  },
};

/** What reorderRowsPass recorded in `ctx.results` (undefined when it did not run there). */
export function rowOrderOf(ctx: PassContext): readonly RowReorder[] | undefined {
  return ctx.results?.get(reorderRowsPass.name) as readonly RowReorder[] | undefined;
}
