// `npm run estimate:check -- [--models a,b] [--time s] [--ops] [--nodes n] [--json]`: the compile's
// time estimate against `spc bench`'s measurement, per corpus model (../shared/corpus/models and
// ../shared/corpus/real; issue 16 acceptance 4 asks estimate within 1.5× of measured). Each model
// is compiled dense in this process (the corpus input shapes, default options), its artifact
// written to a temporary folder and timed by `spc bench --json --profile` in a process of its own
// on the corpus input (a multi-input model, which `spc bench --data` does not take, by this script
// in a process of its own with bench's own measureSideBySide and profileSteps on the corpus
// inputs); --ops and --nodes put the estimate beside the per-op and per-node times (where an
// estimate errs). A development check, not part of `npm test`: timings are noisy.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../compiler/compile.js';
import { cheaperBranchNodes, nodeEstimates } from '../compiler/report/estimates.js';
import { terminalText } from '../compiler/escape.js';
import { measureSideBySide } from '../compiler/bench/measure.js';
import { profileSteps } from '../compiler/bench/profile-steps.js';
import { loadModel } from '../runtime/index.js';
import { parseArtifact } from '../runtime/loader/load.js';
import { allocArray, sizeOf } from '../runtime/tensor.js';
import { ROOT, corpusEntries, corpusEntry, inputShapes, modelFile, readNpy } from './bench/corpus.js';
import type { CorpusEntry } from './bench/corpus.js';

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

interface BenchJson {
  models: { cpuMedianMs: number; medianMs: number }[];
  profile: { runCpuMs: number; nodes: { node: string; op: string; kernel: string; ms: number }[] };
}

interface Row {
  readonly model: string;
  readonly inputs: number;
  readonly estimateMs: number;
  readonly measuredMs: number;
  readonly ratio: number;
  readonly byOp: { op: string; nodes: number; estimateMs: number; measuredMs: number }[];
  readonly nodes: { node: string; op: string; kernel: string; estimateMs: number; measuredMs: number }[];
}

function check(e: CorpusEntry, dir: string, seconds: number): Row {
  const result = compileFile(modelFile(e), { inputShapes: inputShapes(e) });
  const spm = join(dir, `${e.name}.spm`);
  writeFileSync(spm, result.artifact);
  const args = e.inputs.length === 1
    ? [join(ROOT, 'bin', 'spc.js'), 'bench', spm, '--json', '--profile', '--time', String(seconds), '--data', join(e.dir, e.inputs[0]!.npy)]
    : [fileURLToPath(import.meta.url), '--measure', spm, e.name, String(seconds)];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const bench = JSON.parse(out) as BenchJson;
  // Per node as the total counts them: each If's cheaper branch left out.
  const all = nodeEstimates(result.graph), skipped = cheaperBranchNodes(result.graph, all);
  const est = new Map(all.filter((n) => !skipped.has(n.node)).map((n) => [n.node, n]));
  const measured = new Map(bench.profile.nodes.map((n) => [n.node, n]));
  const names = [...new Set([...est.keys(), ...measured.keys()])];
  const nodes = names.map((name) => {
    const a = est.get(name), m = measured.get(name);
    return { node: name, op: (m ?? a)!.op, kernel: (m ?? a)!.kernel, estimateMs: (a?.ns ?? 0) / 1e6, measuredMs: m?.ms ?? 0 };
  });
  const ops = new Map<string, { op: string; nodes: number; estimateMs: number; measuredMs: number }>();
  for (const n of nodes) {
    const key = `${n.op} ${n.kernel}`;
    const o = ops.get(key) ?? { op: key, nodes: 0, estimateMs: 0, measuredMs: 0 };
    ops.set(key, { op: key, nodes: o.nodes + 1, estimateMs: o.estimateMs + n.estimateMs, measuredMs: o.measuredMs + n.measuredMs });
  }
  const estimateMs = result.estimate.ns / 1e6, measuredMs = bench.models[0]!.cpuMedianMs;
  return {
    model: e.name, inputs: e.inputs.length, estimateMs, measuredMs, ratio: estimateMs / measuredMs,
    byOp: [...ops.values()].sort((x, y) => Math.max(y.estimateMs, y.measuredMs) - Math.max(x.estimateMs, x.measuredMs)), nodes,
  };
}

const f = (x: number): string => (x >= 10 ? x.toFixed(2) : x >= 0.1 ? x.toFixed(3) : x.toFixed(4));
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

/**
 * `--measure file.spm model seconds`: what `spc bench --json --profile --time seconds` measures
 * (its warm-up, measureSideBySide over half the time, profileSteps over the other half), on the
 * corpus inputs of a multi-input model.
 */
async function measure(spm: string, model: string, seconds: number): Promise<void> {
  const e = corpusEntry(model);
  const feeds = Object.fromEntries(e.inputs.map((i) => [i.name, readNpy(i.npy, e.dir).data]));
  const bytes = new Uint8Array(readFileSync(spm));
  const m = await loadModel(bytes);
  try {
    const outputs = Object.fromEntries(m.outputs.map((o) => [o.name, allocArray(o.dtype, sizeOf(o.shape))]));
    const timeMs = seconds * 500;
    const [stats] = await measureSideBySide([() => m.run(feeds, { outputs })], { warmup: 10, timeMs });
    const profile = await profileSteps(parseArtifact(bytes), feeds, { timeMs, minRuns: 1 });
    process.stdout.write(JSON.stringify({ models: [{ cpuMedianMs: stats!.cpuMedian, medianMs: stats!.median }], profile: { runCpuMs: profile.runMs, nodes: profile.nodes } }));
  } finally {
    m.dispose();
  }
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--measure') return measure(argv[1]!, argv[2]!, Number(argv[3]));
  const wanted = option(argv, '--models')?.split(',');
  const seconds = Number(option(argv, '--time') ?? 4);
  const topNodes = Number(option(argv, '--nodes') ?? 0);
  const entries = corpusEntries().filter((e) => !wanted || wanted.includes(e.name));
  if (wanted) for (const w of wanted) if (!entries.some((e) => e.name === w)) throw new Error(`no corpus model '${w}'`);
  const dir = mkdtempSync(join(tmpdir(), 'spc-estimate-'));
  const rows: Row[] = [];
  const loads: string[] = [load()];
  try {
    for (const e of entries) {
      rows.push(check(e, dir, seconds));
      loads.push(load());
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ seconds, loads, rows }, null, 2) + '\n');
    return;
  }
  const lines = [
    `estimate (spc compile, dense) vs measured (spc bench --profile --time ${seconds}: median CPU ms per run); load ${loads[0]} → ${loads[loads.length - 1]}`,
    `${'model'.padEnd(26)} ${'estimate'.padStart(9)} ${'measured'.padStart(9)}  est/meas`,
  ];
  for (const r of rows) {
    const off = r.ratio > 1.5 || r.ratio < 1 / 1.5 ? '  OUTSIDE 1.5×' : '';
    lines.push(`${`${r.model}${r.inputs > 1 ? ` (${r.inputs} inputs)*` : ''}`.padEnd(26)} ${f(r.estimateMs).padStart(9)} ${f(r.measuredMs).padStart(9)}  ${r.ratio.toFixed(2).padStart(8)}×${off}`);
  }
  if (rows.some((r) => r.inputs > 1)) lines.push('* several inputs: timed by this script on the corpus inputs (bench\'s measureSideBySide and profileSteps; spc bench --data takes one input)');
  if (argv.includes('--ops') || topNodes > 0) {
    for (const r of rows) {
      lines.push('', `${r.model}: op kernel (nodes)  estimate ms  measured ms  est/meas`);
      for (const o of r.byOp) lines.push(`  ${terminalText(`${o.op} (${o.nodes})`).padEnd(52)} ${f(o.estimateMs).padStart(8)} ${f(o.measuredMs).padStart(8)}  ${o.measuredMs > 0 ? (o.estimateMs / o.measuredMs).toFixed(2) : '-'}`);
      if (topNodes > 0) {
        lines.push(`  largest ${topNodes} nodes by |estimate - measured|:`);
        for (const n of [...r.nodes].sort((x, y) => Math.abs(y.estimateMs - y.measuredMs) - Math.abs(x.estimateMs - x.measuredMs)).slice(0, topNodes)) {
          lines.push(`    ${terminalText(n.node.slice(0, 40)).padEnd(40)} ${terminalText(n.op).padEnd(14)} ${f(n.estimateMs).padStart(8)} ${f(n.measuredMs).padStart(8)}`);
        }
      }
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

await main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
