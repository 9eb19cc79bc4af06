// `npm run bench:permute -- --groups [--cap] [--write]`: the channel-permutation search as the
// real compile runs it (compileFile at 2:4, default --permute), for docs/permutation.md.
//
//   --groups           every channel group of GROUP_MODELS (channelGroups on the compile's canonical
//                      graph): excluded reason, "nothing to permute for", or the kept |w| before →
//                      after from the compile's `groups`, and the CPU time each group's search took
//   --cap              the largest corpus model (by file size) at 2:4 with --permute-time CAPS and
//                      the default (no cap): wall time of the search against its cap, and the gain reached
//   --models a,b       with --groups: these models instead of GROUP_MODELS
//   --write            also write the tables into docs/permutation.md (between the markers)
//
// Per-group times come from running permuteForNm (the compile's own step) again on the compile's
// canonical graph, reading the process CPU time at each group's log line (so a group's time is
// its terms, search and applying it; the first one's includes the channel-group analysis); the
// rerun must reproduce the compile's before/after (the search has a deterministic budget), and
// the script says whether it did.

import { readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../compiler/compile.js';
import type { CompileResult } from '../../compiler/compile.js';
import { channelGroups } from '../../compiler/analysis/channel-groups.js';
import type { ChannelGroup } from '../../compiler/analysis/channel-groups.js';
import { attrInt } from '../../compiler/ir/graph.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { makePassContext } from '../../compiler/passes/pass.js';
import { passSettings } from '../../compiler/options/settings.js';
import { permuteForNm } from '../../compiler/passes/permute-channels.js';
import type { GroupPermutation } from '../../compiler/passes/permute-channels.js';
import { CORPUS_MODELS, ROOT, corpusEntry, inputShapes as corpusShapes, modelFile } from './corpus.js';
import { machineFacts, writeSection } from './doc.js';

export const PERMUTATION_DOC = join(ROOT, 'docs', 'permutation.md');
export const GROUP_MODELS: readonly string[] = ['resnet10_w32', 'mobilenet_v2_w050'];
/** --permute-time values of the cap run, in seconds (then the default: no cap). */
export const CAPS: readonly number[] = [0.05, 0.5, 2];

const PATTERN = '2:4';

function compileModel(model: string, extra: { permute?: boolean; permuteTime?: number } = {}): { result: CompileResult; wallMs: number } {
  const e = corpusEntry(model);
  const inputShapes = corpusShapes(e);
  const t0 = performance.now();
  const result = compileFile(modelFile(e), { pattern: PATTERN, inputShapes, ...extra });
  return { result, wallMs: performance.now() - t0 };
}

interface Timed { readonly groups: readonly GroupPermutation[]; readonly wallMs: number; readonly cpuMs: number; readonly perGroupMs: ReadonlyMap<number, number>; readonly timedOut: boolean }

/**
 * permuteForNm on `canonical` as the compile runs it (`timeMs`: its --permute-time cap; none by
 * default), timed in total and per group (clock at each group's log line).
 */
function timedSearch(canonical: Graph, timeMs?: number): Timed {
  const ctx = makePassContext(passSettings({ pattern: PATTERN, permute: true, ...(timeMs === undefined ? {} : { permuteTime: timeMs / 1000 }) }));
  const perGroupMs = new Map<number, number>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const cpuNow = (): number => { const c = process.cpuUsage(cpu0); return (c.user + c.system) / 1000; };
  let last = 0;
  const r = permuteForNm(canonical, ctx.settings, { timeMs }, (_node, message) => {
    const m = /^group g(\d+) /.exec(message);
    if (!m) return;
    const t = cpuNow();
    perGroupMs.set(Number(m[1]), t - last);
    last = t;
  });
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  return { groups: r.groups, wallMs, cpuMs: (c.user + c.system) / 1000, perGroupMs, timedOut: r.timedOut };
}

const secs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "3 Conv, 1 depthwise Conv" for a group's consumers. */
function consumerKinds(g: Graph, group: ChannelGroup): string {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const counts = new Map<string, number>();
  for (const c of group.consumers) {
    const n = byName.get(c.node);
    const kind = n === undefined ? '?' : n.op === 'Conv' && attrInt(n, 'group', 1) !== 1 ? 'depthwise Conv' : n.op;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  // Depthwise convs are not consumers in channelGroups (they carry the space); count them from the values.
  const dw = new Set<string>();
  const values = new Set(group.values);
  for (const n of g.nodes) if (n.op === 'Conv' && attrInt(n, 'group', 1) !== 1 && values.has(n.inputs[0] ?? '')) dw.add(n.name);
  const parts = [...counts].map(([k, v]) => `${v} ${k}`);
  if (dw.size > 0) parts.push(`(through ${dw.size} depthwise Conv)`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** Why a permutable group has no N:M consumer: what the compile report says of its consumers. */
function whyNothing(result: CompileResult, group: ChannelGroup): string {
  const byNode = new Map(result.report.map((l) => [l.node, l]));
  const why = new Set<string>();
  for (const c of group.consumers) {
    const l = byNode.get(c.node);
    if (l === undefined) { why.add('consumer not in the report'); continue; }
    const note = (l.note ?? '').replace(/^kept dense: /, '').replace(/; default keeps it dense$/, '').replace(/\|/g, '\\|');
    why.add(l.pattern === PATTERN ? `consumer pruned ${PATTERN} but not searched${note ? `: ${note}` : ''}` : `consumer ${l.pattern}${note ? `: ${note.length > 90 ? `${note.slice(0, 90)}…` : note}` : ''}`);
  }
  if (group.consumers.length === 0) why.add('no consumer');
  return [...why].join('; ');
}

interface GroupSummary { readonly model: string; readonly searched: number; readonly rose: number; readonly minGain: number; readonly totalBefore: number; readonly totalAfter: number; readonly wallMs: number; readonly reproduced: boolean }

function groupsSection(models: readonly string[]): { text: string; summaries: GroupSummary[] } {
  const parts: string[] = [];
  const summaries: GroupSummary[] = [];
  for (const model of models) {
    const { result, wallMs: compileMs } = compileModel(model);
    const groups = channelGroups(result.canonical);
    const searched = new Map(result.groups.map((r) => [r.group, r]));
    const timed = timedSearch(result.canonical);
    const reproduced = timed.groups.length === result.groups.length &&
      timed.groups.every((t, i) => t.group === result.groups[i]!.group && t.before === result.groups[i]!.before && t.after === result.groups[i]!.after);
    const rows = groups.map((g) => {
      const r = searched.get(g.id);
      const base = [`g${g.id}`, String(g.channels), `${g.producers.length}`, consumerKinds(result.canonical, g)];
      if (g.excluded !== undefined) return [...base, `excluded: ${g.excluded.replace(/\|/g, '\\|')}`, '', '', ''];
      if (r === undefined) return [...base, `nothing to permute for (${whyNothing(result, g)})`, '', '', ''];
      const gain = r.before > 0 ? r.after / r.before - 1 : 0;
      return [...base, `${r.layers.length} N:M layer(s)${r.timedOut ? ', cut by the cap' : ''}`,
        `${r.before.toPrecision(5)} → ${r.after.toPrecision(5)}`, `+${(100 * gain).toFixed(2)}%`, secs(timed.perGroupMs.get(g.id) ?? NaN)];
    });
    const list = [...result.groups];
    const rose = list.filter((r) => r.after > r.before).length;
    const minGain = Math.min(...list.map((r) => (r.before > 0 ? r.after / r.before - 1 : 0)));
    const totalBefore = list.reduce((a, r) => a + r.before, 0), totalAfter = list.reduce((a, r) => a + r.after, 0);
    summaries.push({ model, searched: list.length, rose, minGain, totalBefore, totalAfter, wallMs: timed.wallMs, reproduced });
    const excluded = groups.filter((g) => g.excluded !== undefined).length;
    parts.push(
      `### ${model}`,
      '',
      `${groups.length} channel groups: ${list.length} searched, ${groups.length - excluded - list.length} permutable with nothing to permute for, ${excluded} excluded. ` +
      `Kept |w| under ${PATTERN} over the searched groups: ${totalBefore.toPrecision(6)} → ${totalAfter.toPrecision(6)} (+${(100 * (totalAfter / totalBefore - 1)).toFixed(2)}%). ` +
      `**Kept magnitude rises on ${rose} of ${list.length} searched groups${rose === list.length ? ' (every one)' : ''}**, smallest gain +${(100 * minGain).toFixed(2)}%. ` +
      `The permute step (timed rerun) took ${secs(timed.cpuMs)} CPU (${secs(timed.wallMs)} wall); the whole compile ${secs(compileMs)} wall; ` +
      `the rerun ${reproduced ? 'reproduced the compile\'s before/after exactly' : 'did NOT reproduce the compile\'s before/after (cut by the cap?)'}.`,
      '',
      table(['group', 'channels', 'producers', 'consumers', 'status', `kept \\|w\\| before → after`, 'gain', 'search CPU time'], rows),
      '',
    );
    process.stderr.write(`${model}: ${list.length} searched, ${rose} rose, search ${secs(timed.wallMs)}\n`);
  }
  return { text: parts.join('\n'), summaries };
}

/** The largest corpus model by file size. */
export function largestModel(): string {
  const index = JSON.parse(readFileSync(join(CORPUS_MODELS, 'index.json'), 'utf8')) as { name: string; file: string }[];
  let best = index[0]!;
  for (const e of index) if (statSync(join(CORPUS_MODELS, e.file)).size > statSync(join(CORPUS_MODELS, best.file)).size) best = e;
  return best.name;
}

function capSection(): string {
  const model = largestModel();
  const canonical = compileModel(model, { permute: false }).result.canonical;
  const rows: string[][] = [];
  const runs: { cap: string; capMs?: number }[] = [...CAPS.map((c) => ({ cap: `${c} s`, capMs: c * 1000 })), { cap: 'none (default)' }];
  let budget: Timed | undefined;
  const over: number[] = [];
  for (const r of runs) {
    const t = timedSearch(canonical, r.capMs);
    if (r.capMs === undefined) budget = t;
    const before = t.groups.reduce((a, g) => a + g.before, 0), after = t.groups.reduce((a, g) => a + g.after, 0);
    const cut = t.groups.filter((g) => g.timedOut).length;
    if (t.timedOut && r.capMs !== undefined) over.push(t.wallMs - r.capMs);
    rows.push([r.cap, secs(t.wallMs), secs(t.cpuMs), r.capMs === undefined ? '-' : t.wallMs <= r.capMs ? 'within' : `over by ${secs(t.wallMs - r.capMs)}`,
      t.timedOut ? `yes (${cut} of ${t.groups.length} groups)` : 'no', `+${(100 * (after / before - 1)).toFixed(2)}%`]);
    process.stderr.write(`${model} cap ${r.cap}: ${secs(t.wallMs)} wall, cut ${t.timedOut}\n`);
  }
  const e = corpusEntry(model);
  return [
    `Largest corpus model: **${model}** (${(statSync(join(CORPUS_MODELS, e.file)).size / 1e6).toFixed(1)} MB ONNX), ${PATTERN}, ` +
    `the compile's permute step (permuteForNm on its canonical graph) with each \`--permute-time\`:`,
    '',
    table(['--permute-time', 'search wall', 'search CPU', 'vs cap', 'cut by the cap', 'kept \\|w\\| gain (all groups)'], rows),
    '',
    `Overshoot past the cap (wall − cap, cut runs): ${over.length === 0 ? 'none' : over.map(secs).join(', ')}. ` +
    'What runs past the cap is not the search but the fixed cost of the step: the channel-group analysis, and building and scoring ' +
    'each remaining group\'s terms (a group reached after the cap keeps the identity order), which the smallest cap roughly measures ' +
    `(${rows[0]![2]} CPU). The search itself checks the clock between pair evaluations.`,
    '',
    budget === undefined ? '' : 'Without a cap (the default) the search ends on its deterministic budget: ' +
      `${secs(budget.wallMs)} wall, ${secs(budget.cpuMs)} CPU (the wall time grows with the machine's load; the result does not).`,
  ].join('\n');
}

export function runPermuteDoc(args: readonly string[]): void {
  const i = args.indexOf('--models');
  const models = i >= 0 && args[i + 1] !== undefined ? args[i + 1]!.split(',') : GROUP_MODELS;
  const load = [loadavg()[0]!];
  const groups = args.includes('--groups') ? groupsSection(models) : undefined;
  const cap = args.includes('--cap') ? capSection() : undefined;
  load.push(loadavg()[0]!);
  const facts = [...machineFacts(), `- 1-minute load average before and after the run: ${load.map((l) => l.toFixed(1)).join(' → ')} (other processes on the same cores inflate wall times)`].join('\n');
  if (groups) process.stdout.write(`${groups.text}\n`);
  if (cap) process.stdout.write(`${cap}\n`);
  if (args.includes('--write')) {
    if (groups) {
      writeSection('permute-groups', [`Generated by \`npm run bench:permute -- --groups --write\` on:`, '', facts, '', groups.text].join('\n'), PERMUTATION_DOC);
    }
    if (cap) writeSection('permute-cap', [`Generated by \`npm run bench:permute -- --cap --write\` on:`, '', facts, '', cap].join('\n'), PERMUTATION_DOC);
    process.stderr.write(`wrote ${PERMUTATION_DOC}\n`);
  }
}
