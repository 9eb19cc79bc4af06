// The benchmark's markdown tables: medians, spread, and speed ratios. Pure functions of the
// results, so the test can check their shape without timing anything.

import type { BenchConfig, CellResult } from './configs.js';
import { pct } from '../../compiler/format.js';

const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));

function cell(results: readonly CellResult[], model: string, key: string): CellResult | undefined {
  return results.find((r) => r.model === model && r.config === key);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Which median the ratios use: wall clock, or process CPU time. */
export type Metric = 'wall' | 'cpu';

const value = (r: CellResult | undefined, metric: Metric): number | undefined =>
  r?.status !== 'ok' ? undefined : metric === 'cpu' ? r.cpuMedian : r.median;

/** Median ms per model × configuration; n/a cells say "n/a". */
export function medianTable(results: readonly CellResult[], models: readonly string[], configs: readonly BenchConfig[], metric: Metric = 'wall'): string {
  return table(['model', ...configs.map((c) => c.label)], models.map((m) => [m, ...configs.map((c) => {
    const r = cell(results, m, c.key);
    const v = value(r, metric);
    return v !== undefined ? ms(v) : r?.status === 'error' ? 'error' : 'n/a';
  })]));
}

/** Interquartile range of each cell, as p25–p75 ms. */
export function spreadTable(results: readonly CellResult[], models: readonly string[], configs: readonly BenchConfig[]): string {
  return table(['model', ...configs.map((c) => c.label)], models.map((m) => [m, ...configs.map((c) => {
    const r = cell(results, m, c.key);
    return r?.status === 'ok' && r.p25 !== undefined && r.p75 !== undefined ? `${ms(r.p25)}–${ms(r.p75)} (${r.runs})` : 'n/a';
  })]));
}

/**
 * One cell measured in several rounds (each a fresh process, the configurations of a model
 * interleaved round by round): the round with the lowest process CPU median, carrying every
 * round's median. Work of other tenants on the cores only ever adds time (on these 2-vCPU hosts it
 * slows a whole process by up to 1.5×, for seconds at a time, onnxruntime's native code too), so
 * the lowest round is the machine's own speed; every engine gets the same treatment.
 */
export function bestRound(rounds: readonly CellResult[]): CellResult {
  const ok = rounds.filter((r) => r.status === 'ok' && r.cpuMedian !== undefined);
  if (ok.length === 0) return rounds[0]!;
  const best = ok.reduce((a, b) => (b.cpuMedian! < a.cpuMedian! ? b : a));
  return ok.length === 1 ? best : { ...best, roundCpuMedians: ok.map((r) => r.cpuMedian!) };
}

/** Each round's CPU median of the cells measured in several rounds, as a / b / c ms. */
export function roundsTable(results: readonly CellResult[], models: readonly string[], configs: readonly BenchConfig[]): string {
  return table(['model', ...configs.map((c) => c.label)], models.map((m) => [m, ...configs.map((c) => {
    const r = cell(results, m, c.key);
    return r?.roundCpuMedians !== undefined ? r.roundCpuMedians.map(ms).join(' / ') : r?.status === 'ok' ? ms(r.cpuMedian!) : 'n/a';
  })]));
}

/** Speed relative to the `base` configuration: base median / cell median (> 1 is faster). */
export function ratioTable(results: readonly CellResult[], models: readonly string[], configs: readonly BenchConfig[], base: string, metric: Metric = 'wall'): string {
  return table(['model', ...configs.map((c) => c.label)], models.map((m) => {
    const b = value(cell(results, m, base), metric);
    return [m, ...configs.map((c) => {
      const r = value(cell(results, m, c.key), metric);
      return b === undefined || r === undefined ? 'n/a' : `${(b / r).toFixed(2)}×`;
    })];
  }));
}

/** For the spc configurations: how many weights are stored packed, and the kernels (op+format, target) that run them. */
export function packedTable(results: readonly CellResult[], models: readonly string[], configs: readonly BenchConfig[]): string {
  const spc = configs.filter((c) => c.kind === 'spc' && c.compile?.pattern !== undefined);
  return table(['model', ...spc.map((c) => c.label)], models.map((m) => [m, ...spc.map((c) => {
    const r = cell(results, m, c.key);
    if (r?.status !== 'ok' || r.packedLayers === undefined) return 'n/a';
    const kinds = [...new Set((r.packedKernels ?? []).map((id) => { const p = id.split('-'); return `${p[1]} ${p[p.length - 1]}`; }))];
    return r.packedLayers === 0 ? '0' : `${r.packedLayers}: ${kinds.join(', ')}`;
  })]));
}

/** Why each n/a or error cell is empty, one line per distinct reason. */
export function notes(results: readonly CellResult[], configs: readonly BenchConfig[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const r of results) {
    if (r.status === 'ok') continue;
    const label = configs.find((c) => c.key === r.config)?.label ?? r.config;
    const key = `${label}: ${r.status === 'error' ? 'error: ' : ''}${r.reason ?? 'no reason given'}`;
    byReason.set(key, [...(byReason.get(key) ?? []), r.model]);
  }
  return [...byReason].map(([reason, models]) => `- ${reason} (${models.join(', ')})`);
}

/** 1e-5 of max |reference|: the bound row reordering must keep the outputs within. */
export const REORDER_TOLERANCE = 1e-5;

/**
 * Row reordering, per model × pruned spc configuration: groups reordered, the 4-row block fill
 * before → after (mean over the reordered groups), and, where the configurations hold its
 * twin without reordering (`noReorderOf`), both medians, their ratio and the output check.
 */
export function reorderTable(results: readonly CellResult[], models: readonly string[], configs: readonly BenchConfig[], metric: Metric = 'cpu'): string {
  const pruned = configs.filter((c) => c.kind === 'spc' && c.compile?.pattern !== undefined && c.noReorderOf === undefined);
  const rows: string[][] = [];
  for (const m of models) {
    for (const c of pruned) {
      const r = cell(results, m, c.key);
      if (r?.status !== 'ok' || r.reorder === undefined) continue;
      const o = r.reorder;
      const twinCfg = configs.find((t) => t.noReorderOf === c.key);
      const twin = twinCfg ? cell(results, m, twinCfg.key) : undefined;
      const a = value(twin, metric), b = value(r, metric);
      const check = o.maxAbsDiff === undefined || o.maxAbsRef === undefined ? 'n/a'
        : `${(o.maxAbsDiff / Math.max(o.maxAbsRef, Number.MIN_VALUE)).toExponential(1)} ${o.maxAbsDiff <= REORDER_TOLERANCE * o.maxAbsRef ? '(ok)' : '(**over 1e-5**)'}`;
      rows.push([
        m, c.label, `${o.applied} of ${o.considered}`,
        o.fillBefore === undefined || o.fillAfter === undefined ? '–' : `${pct(o.fillBefore)} → ${pct(o.fillAfter)}`,
        a === undefined ? 'n/a' : ms(a), b === undefined ? 'n/a' : ms(b), a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}×`, check,
      ]);
    }
  }
  const of = metric === 'cpu' ? 'CPU' : 'wall';
  return table(['model', 'configuration', 'groups reordered', '4-row block fill before → after', `${of} ms, rows not reordered`, `${of} ms, reordered`, 'speed-up', 'max \\|Δ\\| / max \\|out\\|'], rows);
}

export function allTables(results: readonly CellResult[], models: readonly string[], configs: readonly BenchConfig[], metric: Metric = 'cpu'): string {
  const baseWeb = configs.find((c) => c.kind === 'ort-web')?.key ?? 'ort-web';
  const n = notes(results, configs);
  const of = metric === 'cpu' ? 'process CPU time' : 'wall-clock';
  return [
    '### Median latency (wall-clock ms per inference, batch 1, lower is better)',
    '',
    medianTable(results, models, configs, 'wall'),
    '',
    '### Median CPU time (process CPU ms per inference, batch 1, lower is better)',
    '',
    medianTable(results, models, configs, 'cpu'),
    '',
    `### Speed relative to onnxruntime-web (wasm, 1 thread): its median / this median, ${of} (> 1× is faster)`,
    '',
    ratioTable(results, models, configs, baseWeb, metric),
    '',
    `### Speed relative to spc dense js, ${of}`,
    '',
    ratioTable(results, models, configs, 'spc-dense-js', metric),
    ...(configs.some((c) => c.key === 'spc-dense-wasmsimd') ? [
      '',
      `### Speed relative to spc dense wasmsimd, ${of}`,
      '',
      ratioTable(results, models, configs, 'spc-dense-wasmsimd', metric),
    ] : []),
    '',
    '### Spread: wall-clock interquartile range in ms (number of timed runs)',
    '',
    spreadTable(results, models, configs),
    ...(results.some((r) => r.roundCpuMedians !== undefined) ? [
      '',
      '### Rounds: each interleaved round\'s process CPU median in ms (the tables above report the lowest)',
      '',
      roundsTable(results, models, configs),
    ] : []),
    ...(configs.some((c) => c.kind === 'spc' && c.compile?.pattern !== undefined) ? [
      '',
      '### Pruned spc configurations: weights stored packed, and the kernels that run them',
      '',
      packedTable(results, models, configs),
    ] : []),
    ...(results.some((r) => r.reorder !== undefined) ? [
      '',
      `### Row reordering: 4-row block fill, ${of} medians with and without it, outputs against the unreordered compile`,
      '',
      reorderTable(results, models, configs, metric),
    ] : []),
    ...(n.length > 0 ? ['', '### n/a and errors', '', ...n] : []),
  ].join('\n');
}
