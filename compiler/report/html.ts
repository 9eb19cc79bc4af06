// The compile report as one self-contained HTML page (`spc compile --report report.html`):
// inline CSS and inline SVG charts, no scripts, fonts or links, so it opens offline. Per-layer
// table and figures (sparsity, weight bytes before/after, estimated time per layer, kept
// magnitude with channel permutation when searched), provenance, accuracy and budgets when
// given, after what pruning bought and the layers that gain nothing. Deterministic: no dates, hosts or paths.

import type { CompileLayerReport } from '../emit/compile-report.js';
import { quantText } from '../emit/compile-report.js';
import { requestedSparsity, requestedText } from '../emit/layer-table.js';
import type { AccuracyResult } from './accuracy.js';
import type { BudgetResult } from './budgets.js';
import type { SpeedupEstimate } from './estimates.js';
import { estimateBasis } from './estimates.js';
import type { Bought } from './bought.js';
import { boughtFacts, idleText } from './bought.js';
import { escapeHtml as esc } from '../escape.js';
import { renderBarChart } from './svg.js';
import { pct } from '../format.js';

export interface ReportInput {
  /** The model's base name. */
  readonly model: string;
  readonly artifactBytes: number;
  readonly artifactSha256: string;
  readonly formatVersion: number;
  readonly spcVersion: string;
  readonly sourceSha256: string;
  /** Compile options as the artifact's provenance records them (sorted key/value pairs). */
  readonly options: readonly (readonly [string, string])[];
  readonly layers: readonly CompileLayerReport[];
  /** Why each node runs its kernel (the select-kernels reasons), by node name. */
  readonly kernelReasons: ReadonlyMap<string, string>;
  readonly estimates: SpeedupEstimate;
  /** What pruning bought (CompileResult.bought): what the page leads with, and the layers that gain nothing. */
  readonly bought: Bought;
  readonly accuracy?: AccuracyResult;
  readonly budgets?: readonly BudgetResult[];
}

const COLORS = { before: '#9aa5b1', after: '#1f6feb', requested: '#d29922', dense: '#9aa5b1', chosen: '#2da44e', kept0: '#bf8700', kept1: '#8250df' };

const msText = (ns: number): string => `${(ns / 1e6).toPrecision(3)} ms`;
const bytesText = (b: number): string => `${b} B`;

const CSS = `
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; max-width: 1200px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
table { border-collapse: collapse; font-size: 12.5px; } th, td { border: 1px solid #d0d7de; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.reason { color: #57606a; max-width: 420px; } .ok { color: #1a7f37; font-weight: 600; } .fail { color: #cf222e; font-weight: 600; }
figure { margin: 16px 0; } figcaption { font-weight: 600; margin-bottom: 4px; } code { font-size: 12px; }
svg text { font: 11px system-ui, sans-serif; fill: #1f2328; } svg .value { fill: #57606a; } svg .axis { stroke: #8c959f; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; } dt { color: #57606a; } dd { margin: 0; }
`;

function table(head: readonly string[], rows: readonly string[][], attrs = ''): string {
  return `<table${attrs}><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.map((r) => `<tr>${r.join('')}</tr>`).join('\n')}\n</tbody></table>`;
}

const td = (s: string, cls?: string): string => `<td${cls ? ` class="${cls}"` : ''}>${esc(s)}</td>`;

function figure(id: string, caption: string, svg: string): string {
  return `<figure data-figure="${id}"><figcaption>${esc(caption)}</figcaption>\n${svg}\n</figure>`;
}

/** The summary leads with what pruning bought: size against the dense artifact, raw and gzipped as served, and the estimated speed. */
function summary(r: ReportInput): string {
  const before = r.layers.reduce((s, l) => s + l.bytesBefore, 0);
  const after = r.layers.reduce((s, l) => s + l.bytesAfter, 0);
  const pruned = r.layers.filter((l) => l.pattern !== 'dense').length;
  const lead = boughtFacts(r.bought, estimateBasis(r.estimates));
  const items: [string, string][] = [
    ['size', lead.size],
    ['gzip -9', lead.gzip],
    ['speed', lead.speed],
    ['artifact', `${r.model}.spm, ${r.artifactBytes} bytes`],
    ['layers', `${r.layers.length} Conv/Gemm/MatMul, ${pruned} pruned`],
    ['weight bytes', `${before} → ${after}`],
  ];
  if (r.accuracy) items.push(['top-1 accuracy', `${pct(r.accuracy.dense.top1)} dense → ${pct(r.accuracy.compiled.top1)} compiled`]);
  return `<dl id="summary">${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

/** The pruned layers that gain nothing, each with what would (report/bought.ts). */
function idleLayers(b: Bought): string {
  return `<p>${esc('Pruned layers stored no smaller, or estimated no faster, than dense; what would gain, by kernel selection\'s estimates.')}</p>\n` +
    table(['node', 'gains nothing', 'would gain'], b.idleLayers.map((l) => {
      const t = idleText(l);
      return [td(l.node), td(t.lacks), td(t.wouldGain, 'reason')];
    }), ' id="idle-layers"');
}

function provenance(r: ReportInput): string {
  const rows = [
    ['spc version', r.spcVersion], ['artifact format', `v${r.formatVersion}`], ['model sha256', r.sourceSha256], ['artifact sha256', r.artifactSha256],
    ...r.options.map(([k, v]) => [`option ${k}`, v]),
  ];
  return table(['field', 'value'], rows.map(([k, v]) => [td(k!), `<td><code>${esc(v!)}</code></td>`]), ' id="provenance"');
}

function accuracy(a: AccuracyResult): string {
  const rows = [
    ['dense top-1', `${pct(a.dense.top1)} (${a.dense.correct} of ${a.rows})`],
    ['compiled top-1', `${pct(a.compiled.top1)} (${a.compiled.correct} of ${a.rows})`],
    ['drop', `${a.dropPoints.toFixed(2)} points`],
    ['agreement with dense', pct(a.agreement)],
    ['KL(dense ‖ compiled)', `${a.kl.toPrecision(4)} nats (mean per row)`],
  ];
  return `<p>On ${esc(a.data)}, both models run by spc's runtime.</p>\n` +
    table(['measure', 'value'], rows.map(([k, v]) => [td(k!), td(v!, 'num')]), ' id="accuracy"');
}

function budgets(b: readonly BudgetResult[]): string {
  return table(['budget', 'limit', 'measured', 'result', 'detail'], b.map((x) => [
    td(x.budget), td(String(x.limit), 'num'), td(String(Number(x.measured.toPrecision(6))), 'num'),
    `<td class="${x.ok ? 'ok' : 'fail'}">${x.ok ? 'met' : 'FAILED'}</td>`, td(x.message, 'reason'),
  ]), ' id="budgets"');
}

function figures(r: ReportInput): string {
  const names = r.layers.map((l) => l.node);
  const est = new Map(r.estimates.layers.map((e) => [e.node, e]));
  const out = [
    figure('sparsity', 'Sparsity per layer (achieved, and requested where a fraction was asked)', renderBarChart({
      id: 'chart-sparsity', title: 'Sparsity per layer', categories: names, max: 1, format: pct,
      series: [
        { name: 'achieved', color: COLORS.after, values: r.layers.map((l) => l.achieved) },
        { name: 'requested', color: COLORS.requested, values: r.layers.map(requestedSparsity) },
      ],
    })),
    figure('bytes', 'Weight bytes per layer: stored dense before, as stored in the artifact after', renderBarChart({
      id: 'chart-bytes', title: 'Weight bytes before and after', categories: names, format: bytesText,
      series: [
        { name: 'before', color: COLORS.before, values: r.layers.map((l) => l.bytesBefore) },
        { name: 'after', color: COLORS.after, values: r.layers.map((l) => l.bytesAfter) },
      ],
    })),
    figure('time', 'Estimated time per layer (kernel profile): the dense model\'s kernel and the chosen kernel', renderBarChart({
      id: 'chart-time', title: 'Estimated time per layer', categories: names, format: msText,
      series: [
        { name: 'dense', color: COLORS.dense, values: names.map((n) => est.get(n)?.denseNs) },
        { name: 'chosen kernel', color: COLORS.chosen, values: names.map((n) => est.get(n)?.ns) },
      ],
    })),
  ];
  if (r.layers.some((l) => l.keptBefore !== undefined || l.keptAfter !== undefined)) {
    out.push(figure('kept', 'Fraction of Σ|w| kept by the pattern, without and with channel permutation', renderBarChart({
      id: 'chart-kept', title: 'Kept magnitude without and with permutation', categories: names, max: 1, format: pct,
      series: [
        { name: 'without permutation', color: COLORS.kept0, values: r.layers.map((l) => l.keptBefore) },
        { name: 'with permutation', color: COLORS.kept1, values: r.layers.map((l) => l.keptAfter) },
      ],
    })));
  }
  return out.join('\n');
}

function layerTable(r: ReportInput): string {
  const est = new Map(r.estimates.layers.map((e) => [e.node, e]));
  const permuted = r.layers.some((l) => l.keptBefore !== undefined || l.keptAfter !== undefined || l.group !== undefined);
  const quantized = r.layers.some((l) => l.quant !== undefined);
  const head = ['#', 'node', 'op', 'pattern', 'requested', 'achieved', 'params', 'bytes before', 'bytes after', 'storage', ...(quantized ? ['quant (SQNR)'] : []), 'kernel', 'est. time', 'dense est.',
    ...(permuted ? ['group', 'kept before', 'kept after'] : []), 'note', 'why this kernel'];
  const opt = (x: number | undefined): string => (x === undefined ? '-' : pct(x));
  const rows = r.layers.map((l, i) => {
    const e = est.get(l.node);
    const cells = [
      td(String(i + 1), 'num'), td(l.node), td(l.op), td(l.pattern), td(requestedText(l), 'num'), td(pct(l.achieved), 'num'),
      td(`${l.paramsBefore} → ${l.paramsAfter}`, 'num'), td(String(l.bytesBefore), 'num'), td(String(l.bytesAfter), 'num'), td(l.storage),
      ...(quantized ? [td(quantText(l.quant), 'num')] : []), td(l.kernel),
      td(e ? msText(e.ns) : '-', 'num'), td(e ? msText(e.denseNs) : '-', 'num'),
      ...(permuted ? [td(l.group === undefined ? '-' : String(l.group)), td(opt(l.keptBefore), 'num'), td(opt(l.keptAfter), 'num')] : []),
      td(l.note ?? ''), td(r.kernelReasons.get(l.node) ?? '', 'reason'),
    ];
    return cells;
  });
  const body = rows.map((cells, i) => `<tr data-node="${esc(r.layers[i]!.node)}">${cells.join('')}</tr>`);
  return `<table id="layers"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody></table>`;
}

/** The whole page. */
export function renderReport(r: ReportInput): string {
  return [
    '<!DOCTYPE html>',
    '<!-- @generated by spc compile --report (compiler/report/html.ts) -->',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>spc report: ${esc(r.model)}</title>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<style>${CSS}</style></head><body>`,
    `<h1>spc report: ${esc(r.model)}</h1>`,
    summary(r),
    ...(r.bought.idleLayers.length > 0 ? ['<h2>Layers that gain nothing</h2>', idleLayers(r.bought)] : []),
    ...(r.accuracy ? ['<h2>Accuracy</h2>', accuracy(r.accuracy)] : []),
    ...(r.budgets && r.budgets.length > 0 ? ['<h2>Budgets</h2>', budgets(r.budgets)] : []),
    '<h2>Figures</h2>',
    figures(r),
    '<h2>Layers</h2>',
    layerTable(r),
    '<h2>Provenance</h2>',
    provenance(r),
    '</body></html>',
    '',
  ].join('\n');
}
