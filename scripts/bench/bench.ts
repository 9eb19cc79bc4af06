// `npm run bench`: end-to-end latency of the corpus models under spc's configurations and the
// two onnxruntime peers, one child process per cell (worker.js), run one after another.
//
//   --models a,b    only these models (default: configs.ts MODELS, the single-input models of
//                   ../shared/corpus/models and ../shared/corpus/real)
//   --configs a,b   only these configuration keys (default: all; see configs.ts)
//   --quick         few runs (a smoke test: the figures mean little)
//   --rounds n      measure every cell n times, each a fresh process, a model's configurations
//                   interleaved round by round, and report each cell's lowest round (default 3,
//                   1 with --quick; tables.ts bestRound says why)
//   --metric cpu|wall  which median the ratio tables use (default cpu: process CPU time, robust
//                   to other load on the machine; wall is the wall clock)
//   --json          print the results as JSON instead of tables
//   --write         also write the tables into docs/performance.md (between the bench markers)
//   --from f.json   render (and --write) the results of an earlier --json run instead of measuring
//   --layers        run the per-layer microbenchmark instead (layers.ts); with --relaxed on the
//                   relaxed-SIMD kernel module (rerun under --experimental-wasm-relaxed-simd)
//   --reorder       row reordering only: the pruned configurations and their twins without
//                   reordering (default models mobilenet_v2_w050 resnet10_w32 squeezenet1_1);
//                   --write writes the `reorder` section of docs/performance.md instead

import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIGS, MODELS, RELAXED_SIMD_FLAG } from './configs.js';
import type { CellResult } from './configs.js';
import { allTables, bestRound, reorderTable } from './tables.js';
import type { Metric } from './tables.js';
import { machineFacts, PERF_DOC, writeSection } from './doc.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** --reorder: models and configurations (each pruned one with reordering on; the unstructured one's twin without). */
const REORDER_MODELS: readonly string[] = ['mobilenet_v2_w050', 'resnet10_w32', 'squeezenet1_1'];
const REORDER_CONFIGS: string[] = ['spc-0.9-unstructured', 'spc-0.9-unstructured-noreorder', 'spc-0.9-block', 'spc-2:4'];

/** Runs one cell in a fresh Node process; its last stdout line is the CellResult. */
function runCell(model: string, config: string, quick: boolean): Promise<CellResult> {
  return new Promise((resolve) => {
    const relaxed = CONFIGS.find((c) => c.key === config)?.relaxedSimd === true;
    const args = [...(relaxed ? [RELAXED_SIMD_FLAG] : []), join(HERE, 'worker.js'), '--model', model, '--config', config, ...(quick ? ['--quick'] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) { resolve(JSON.parse(last) as CellResult); return; }
      const why = err.trim().split('\n').find((l) => /Error|error/.test(l)) ?? err.trim().split('\n')[0] ?? `exit ${code}`;
      resolve({ model, config, status: 'error', reason: why.slice(0, 200) });
    });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const list = (flag: string): string[] | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]!.split(',').filter((s) => s !== '') : undefined;
  };
  if (args.includes('--layers')) {
    if (args.includes('--relaxed') && !process.execArgv.includes(RELAXED_SIMD_FLAG)) {
      // The layers run in this process: start it again with relaxed SIMD on.
      const r = spawnSync(process.execPath, [...process.execArgv, RELAXED_SIMD_FLAG, fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' });
      process.exit(r.status ?? 1);
    }
    const { runLayers } = await import('./layers.js');
    await runLayers({ quick: args.includes('--quick'), json: args.includes('--json'), write: args.includes('--write') });
    return;
  }
  const reorderOnly = args.includes('--reorder');
  const models = list('--models') ?? (reorderOnly ? [...REORDER_MODELS] : [...MODELS]);
  const keys = list('--configs') ?? (reorderOnly ? REORDER_CONFIGS : undefined);
  const configs = keys ? CONFIGS.filter((c) => keys.includes(c.key)) : CONFIGS;
  if (keys && configs.length !== keys.length) throw new Error(`unknown --configs; have ${CONFIGS.map((c) => c.key).join(', ')}`);
  const metricArg = args.indexOf('--metric') >= 0 ? args[args.indexOf('--metric') + 1] : 'cpu';
  if (metricArg !== 'cpu' && metricArg !== 'wall') throw new Error(`--metric must be cpu or wall, got ${metricArg}`);
  const metric: Metric = metricArg;
  let quick = args.includes('--quick');
  const roundsArg = args.indexOf('--rounds') >= 0 ? Number(args[args.indexOf('--rounds') + 1]) : quick ? 1 : 3;
  if (!Number.isInteger(roundsArg) || roundsArg < 1 || roundsArg > 20) throw new Error('--rounds must be an integer from 1 to 20');
  // Other processes share the cores: the 1-minute load average before and after says how much.
  let load = [loadavg()[0]!];
  const results: CellResult[] = [];
  const from = args.indexOf('--from') >= 0 ? args[args.indexOf('--from') + 1] : undefined;
  if (from !== undefined) {
    const saved = JSON.parse(readFileSync(from, 'utf8')) as { quick: boolean; load?: number[]; results: CellResult[] };
    quick = saved.quick;
    load = saved.load ?? [];
    results.push(...saved.results.filter((r) => models.includes(r.model) && configs.some((c) => c.key === r.config)));
  }
  for (const model of from === undefined ? models : []) {
    const rounds = new Map<string, CellResult[]>(configs.map((c) => [c.key, []]));
    for (let round = 1; round <= roundsArg; round++) {
      for (const c of configs) {
        // A cell that is n/a or failed in the first round is not run again.
        if (round > 1 && rounds.get(c.key)![0]!.status !== 'ok') continue;
        const t0 = performance.now();
        const r = await runCell(model, c.key, quick);
        rounds.get(c.key)!.push(r);
        const what = r.status === 'ok' ? `${r.median!.toFixed(3)} ms median (CPU ${r.cpuMedian!.toFixed(3)}) of ${r.runs}` : `${r.status}: ${r.reason}`;
        const of = roundsArg > 1 ? ` [round ${round}/${roundsArg}]` : '';
        process.stderr.write(`${model} / ${c.label}${of}: ${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
      }
    }
    for (const c of configs) results.push(bestRound(rounds.get(c.key)!));
  }
  if (from === undefined) load.push(loadavg()[0]!);
  const loadText = load.length === 2 ? [`- 1-minute load average before and after the run: ${load.map((l) => l.toFixed(1)).join(' → ')} (other processes on the same cores inflate the figures)`] : [];
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ machine: machineFacts(), quick, load, results }, null, 1)}\n`);
  } else {
    process.stdout.write(`${reorderOnly ? reorderTable(results, models, configs, metric) : allTables(results, models, configs, metric)}\n`);
  }
  if (args.includes('--write')) {
    if (reorderOnly) {
      writeSection('reorder', [
        `Measured by \`npm run bench -- --reorder${quick ? ' --quick' : ''}\` on:`,
        '',
        ...machineFacts(),
        ...loadText,
        '',
        reorderTable(results, models, configs, metric),
      ].join('\n'));
      process.stderr.write(`wrote ${PERF_DOC}\n`);
      return;
    }
    writeSection('bench', [
      `Measured by \`npm run bench${quick ? ' -- --quick' : ''}\` on:`,
      '',
      ...machineFacts(),
      ...loadText,
      '',
      allTables(results, models, configs, metric),
    ].join('\n'));
    process.stderr.write(`wrote ${PERF_DOC}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
