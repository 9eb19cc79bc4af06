// `npm run bench:permute`: the channel-permutation search (compiler/sparse/rearrange/permute-search.ts) on
// the real weights of the corpus models, N:M along input channels, timed under its caps.
//
// A channel space here is approximate (the graph analysis of issue 6 finds the real groups): the
// input channels of the Conv (group 1) / Gemm / MatMul layers that read one tensor, each weight
// one column term of (output rows × kernel positions) × channels, scored by |w|.
//
//   --models a,b   only these models (default: every model in the corpus index)
//   --top k        the k largest spaces per model (default 4; 0 = all)
//   --pattern N:M  default 2:4
//   --time-ms t    the search's wall-clock cap per space (default 10000)
//   --budget b     the search's work cap in pair evaluations (default: its own default)
//   --json         print the rows as JSON
//   --groups / --cap [--write]  instead: the real compile's groups and the time cap, for
//                  docs/permutation.md (permute-doc.ts)
//   --reorder      instead: row reordering (reorderRows) of every layer's own N:M magnitude mask
//                  in blocks of 4 rows, the block fill before and after

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOnnx } from '../../compiler/frontend/load.js';
import { attrInt } from '../../compiler/ir/graph.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { runPipeline } from '../../compiler/passes/manager.js';
import { makePassContext } from '../../compiler/passes/pass.js';
import { canonicalizePipeline } from '../../compiler/passes/pipelines.js';
import { maskNm } from '../../compiler/sparse/prune/masks.js';
import { reorderRows, searchPermutation } from '../../compiler/sparse/rearrange/permute-search.js';
import type { ColumnTerm } from '../../compiler/sparse/rearrange/permute-search.js';
import { nodeWeightMatrix } from '../../compiler/ir/weight-matrix.js';
import { parsePattern } from '../../compiler/sparse/settings/pattern.js';
import type { Pattern } from '../../compiler/sparse/settings/pattern.js';
import { CORPUS_MODELS } from './corpus.js';
import { runPermuteDoc } from './permute-doc.js';
import { pct } from '../../compiler/format.js';

interface Space { readonly model: string; readonly input: string; readonly layers: string[]; readonly channels: number; readonly terms: ColumnTerm[] }
interface Row {
  readonly model: string; readonly space: string; readonly channels: number; readonly terms: number; readonly rows: number;
  readonly before: number; readonly after: number; readonly bound: number; readonly closed: number;
  readonly cpuMs: number; readonly wallMs: number; readonly timedOut: boolean;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** The spaces of one canonical graph: consumers grouped by the tensor they read. */
function spacesOf(model: string, g: Graph, m: number): Space[] {
  const byInput = new Map<string, Space>();
  for (const node of g.nodes) {
    if (node.op !== 'Conv' && node.op !== 'Gemm' && node.op !== 'MatMul') continue;
    const c = g.values.get(node.inputs[1] ?? '')?.constant;
    if (!c || !(c.data instanceof Float32Array)) continue;
    if (node.op === 'Conv' && (c.shape.length < 3 || attrInt(node, 'group', 1) !== 1)) continue;
    if (node.op !== 'Conv' && c.shape.length !== 2) continue;
    const { rows, cols, matrix: w } = nodeWeightMatrix(node, c.shape, c.data);
    // The matrix view keeps channels innermost: (K, positions·C) is (K·positions) × C.
    const C = node.op === 'Conv' ? c.shape[1]! : cols;
    if (C % m !== 0 || C < 2 * m) continue;
    const scores = Float64Array.from(w, Math.abs);
    const input = node.inputs[0] ?? '';
    const space = byInput.get(input) ?? { model, input, layers: [], channels: C, terms: [] };
    if (space.channels !== C) continue;
    space.layers.push(node.name);
    space.terms.push({ scores, rows: (rows * cols) / C, n: 0, m });
    byInput.set(input, space);
  }
  return [...byInput.values()];
}

/** Per-row bound: every row of every term keeps its top C·n/m scores anywhere. */
function perRowBound(t: ColumnTerm, C: number, n: number, m: number): number {
  const keep = (C * n) / m;
  let total = 0;
  const row = new Float64Array(C);
  for (let r = 0; r < t.rows; r++) {
    row.set(t.scores.subarray(r * C, (r + 1) * C));
    row.sort();
    for (let i = C - keep; i < C; i++) total += row[i]!;
  }
  return total;
}

/** Row reordering of each layer's N:M mask alone (blocks of 4 rows, the row-block kernels' tile). */
function reorderBench(models: readonly { name: string; file: string }[], n: number, m: number, top: number, timeMs: number, budget: number | undefined): void {
  const lines: string[][] = [['model', 'layer', 'rows', 'cols', 'fill before', 'fill after', 'CPU ms', 'wall ms']];
  for (const e of models) {
    const g = runPipeline(loadOnnx(join(CORPUS_MODELS, e.file)).graph, canonicalizePipeline, makePassContext());
    const layers: { name: string; rows: number; cols: number; w: Float32Array }[] = [];
    for (const node of g.nodes) {
      if (node.op !== 'Conv' && node.op !== 'Gemm' && node.op !== 'MatMul') continue;
      const c = g.values.get(node.inputs[1] ?? '')?.constant;
      if (!c || !(c.data instanceof Float32Array) || (node.op === 'Conv' && attrInt(node, 'group', 1) !== 1)) continue;
      if (node.op === 'Conv' ? c.shape.length < 3 : c.shape.length !== 2) continue;
      const { rows, cols, matrix } = nodeWeightMatrix(node, c.shape, c.data);
      if (cols % m !== 0 || rows < 8) continue;
      layers.push({ name: node.name, rows, cols, w: matrix });
    }
    layers.sort((a, b) => b.rows * b.cols - a.rows * a.cols || a.name.localeCompare(b.name));
    for (const l of top > 0 ? layers.slice(0, top) : layers) {
      const pruned = maskNm(l.w, l.rows, l.cols, n, m);
      const mask = Uint8Array.from(pruned, (v) => (v !== 0 ? 1 : 0));
      const cpu0 = process.cpuUsage(), wall0 = performance.now();
      const res = reorderRows([{ mask, cols: l.cols }], l.rows, 4, { timeMs, budget });
      const cpu = process.cpuUsage(cpu0), wallMs = performance.now() - wall0;
      lines.push([e.name, l.name.slice(0, 32), String(l.rows), String(l.cols), pct(res.fillBefore), pct(res.fillAfter), ((cpu.user + cpu.system) / 1000).toFixed(0), wallMs.toFixed(0)]);
      console.log(lines[lines.length - 1]!.join('\t'));
    }
  }
}

/** The --pattern, parsed by the compiler's one parser; exit 2 unless it is N:M. */
function nmPattern(text: string): Extract<Pattern, { kind: 'nm' }> {
  let p: Pattern;
  try { p = parsePattern(text); } catch (e) { console.error(`bench:permute: --pattern: ${(e as Error).message}`); process.exit(2); }
  if (p.kind !== 'nm') { console.error(`bench:permute: --pattern must be N:M, got ${p.text}`); process.exit(2); }
  return p;
}

function main(): void {
  if (process.argv.includes('--groups') || process.argv.includes('--cap')) { runPermuteDoc(process.argv.slice(2)); return; }
  const index = JSON.parse(readFileSync(join(CORPUS_MODELS, 'index.json'), 'utf8')) as { name: string; file: string }[];
  const wanted = arg('models')?.split(',');
  const top = Number(arg('top') ?? 4);
  const pattern = nmPattern(arg('pattern') ?? '2:4');
  const { n, m } = pattern;
  const timeMs = Number(arg('time-ms') ?? 10000);
  const budget = arg('budget') === undefined ? undefined : Number(arg('budget'));
  if (process.argv.includes('--reorder')) { reorderBench(index.filter((e) => !wanted || wanted.includes(e.name)), n, m, top, timeMs, budget); return; }
  const out: Row[] = [];
  for (const e of index) {
    if (wanted && !wanted.includes(e.name)) continue;
    const g = runPipeline(loadOnnx(join(CORPUS_MODELS, e.file)).graph, canonicalizePipeline, makePassContext());
    const spaces = spacesOf(e.name, g, m)
      .map((s) => ({ ...s, terms: s.terms.map((t) => ({ ...t, n })) }))
      .sort((a, b) => b.channels * sumRows(b.terms) - a.channels * sumRows(a.terms) || a.input.localeCompare(b.input));
    for (const s of top > 0 ? spaces.slice(0, top) : spaces) {
      const C = s.channels;
      let total = 0, bound = 0;
      for (const t of s.terms) { for (const v of t.scores) total += v; bound += perRowBound(t, C, n, m); }
      const cpu0 = process.cpuUsage(), wall0 = performance.now();
      const res = searchPermutation(C, m, s.terms, [], { timeMs, budget });
      const cpu = process.cpuUsage(cpu0), wallMs = performance.now() - wall0;
      out.push({
        model: s.model, space: s.layers.length === 1 ? s.layers[0]! : `${s.layers[0]} +${s.layers.length - 1}`,
        channels: C, terms: s.terms.length, rows: sumRows(s.terms),
        before: res.before / total, after: res.after / total, bound: bound / total,
        closed: bound > res.before ? (res.after - res.before) / (bound - res.before) : 0,
        cpuMs: (cpu.user + cpu.system) / 1000, wallMs, timedOut: res.timedOut,
      });
      if (!process.argv.includes('--json')) printRow(out[out.length - 1]!, out.length === 1);
    }
  }
  if (process.argv.includes('--json')) { console.log(JSON.stringify(out, null, 2)); return; }
  const closed = out.map((r) => r.closed);
  const worst = out.reduce((a, r) => (r.cpuMs > a.cpuMs ? r : a), out[0]!);
  console.log(`\n${out.length} spaces at ${n}:${m}: gap closed median ${pct(median(closed))}, min ${pct(Math.min(...closed))}, max ${pct(Math.max(...closed))}; ` +
    `slowest ${worst.model}/${worst.space} ${worst.cpuMs.toFixed(0)} ms CPU; cap (${timeMs} ms) hit ${out.filter((r) => r.timedOut).length}×`);
}

function sumRows(terms: readonly ColumnTerm[]): number { return terms.reduce((a, t) => a + t.rows, 0); }
function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]!; }

function printRow(r: Row, header: boolean): void {
  const cols = ['model', 'space', 'C', 'terms', 'rows', 'kept before', 'kept after', 'per-row bound', 'gap closed', 'CPU ms', 'wall ms', 'cap hit'];
  const cells = [r.model, r.space.slice(0, 28), String(r.channels), String(r.terms), String(r.rows), pct(r.before), pct(r.after), pct(r.bound), pct(r.closed), r.cpuMs.toFixed(0), r.wallMs.toFixed(0), r.timedOut ? 'yes' : 'no'];
  const widths = [24, 28, 5, 5, 6, 11, 10, 13, 10, 7, 7, 7];
  const line = (xs: string[]) => xs.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' ');
  if (header) console.log(line(cols));
  console.log(line(cells));
}

main();
