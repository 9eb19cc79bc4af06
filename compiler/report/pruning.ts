// The per-layer pruning report: what the CLI prints (compile summary, --json) for every
// Conv/Gemm/MatMul: pattern, requested and achieved sparsity, parameters, nonzeros, or why it stayed dense.

import type { Graph } from '../ir/graph.js';
import type { PassNote } from '../passes/pass.js';
import { pct } from '../format.js';

export interface PruneLayerReport {
  readonly node: string;
  readonly op: string;
  /** The weight value (input 1); '' when the node has none. */
  readonly weight: string;
  /** The pattern applied, or that would have applied had the layer not been skipped. */
  readonly pattern: string;
  readonly requested: number;
  readonly achieved: number;
  readonly params: number;
  readonly nonzeros: number;
  readonly skipped: boolean;
  /** Why the layer stayed dense (skipped layers only). */
  readonly reason?: string;
}

export const PRUNABLE_OPS: readonly string[] = ['Conv', 'Gemm', 'MatMul'];

function countNonzeros(data: ArrayLike<number | bigint>): number {
  let nz = 0;
  for (let i = 0; i < data.length; i++) if (Number(data[i]) !== 0) nz++;
  return nz;
}

/**
 * The report read back from a pruned graph: pruned layers from their weights' sparsity
 * annotation, the others as skipped, with the reason the prune pass logged (from `notes`).
 */
export function pruneReport(graph: Graph, notes: readonly PassNote[] = []): PruneLayerReport[] {
  const reasons = new Map<string, string>();
  for (const n of notes) if (n.pass === 'prune' && n.node !== undefined && !reasons.has(n.node)) reasons.set(n.node, n.message);
  const rows: PruneLayerReport[] = [];
  for (const node of graph.nodes) {
    if (!PRUNABLE_OPS.includes(node.op)) continue;
    const weight = node.inputs[1] ?? '';
    const v = weight === '' ? undefined : graph.values.get(weight);
    const c = v?.constant;
    const params = c ? c.data.length : 0;
    const nonzeros = c ? countNonzeros(c.data) : 0;
    if (v?.sparsity) {
      const s = v.sparsity;
      rows.push({ node: node.name, op: node.op, weight, pattern: s.pattern, requested: s.requested, achieved: s.achieved, params, nonzeros, skipped: false });
    } else {
      rows.push({
        node: node.name, op: node.op, weight, pattern: 'dense', requested: 0,
        achieved: params === 0 ? 0 : 1 - nonzeros / params, params, nonzeros, skipped: true,
        reason: reasons.get(node.name) ?? 'not pruned',
      });
    }
  }
  return rows;
}

/** Totals over the layers a report covers (pruned layers only, and all). */
export function pruneTotals(rows: readonly PruneLayerReport[]): { params: number; nonzeros: number; prunedParams: number; prunedNonzeros: number } {
  let params = 0, nonzeros = 0, prunedParams = 0, prunedNonzeros = 0;
  for (const r of rows) {
    params += r.params;
    nonzeros += r.nonzeros;
    if (!r.skipped) { prunedParams += r.params; prunedNonzeros += r.nonzeros; }
  }
  return { params, nonzeros, prunedParams, prunedNonzeros };
}


/** A plain-text table, one line per layer. */
export function formatPruneReport(rows: readonly PruneLayerReport[]): string {
  const header = ['node', 'op', 'pattern', 'requested', 'achieved', 'params', 'nonzeros', 'note'];
  const body = rows.map((r) => [
    r.node, r.op, r.pattern, r.skipped ? '-' : pct(r.requested), pct(r.achieved), String(r.params), String(r.nonzeros),
    r.skipped ? `skipped: ${r.reason ?? ''}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...body.map(line)].join('\n');
}
