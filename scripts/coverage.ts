// `npm run coverage` (node dist/scripts/coverage.js): what each default skip rule of the prune pass (stem, classifier,
// depthwise, minParams) costs and buys. Per model, pattern and rule: the layers the rule keeps dense
// are forced (by a --config rule per node), and the compile is scored (digits: test accuracy; the
// random-weight corpus: top-1 agreement and KL against dense; the real corpus: its task measure)
// and sized (packed storage, --prefer size) and priced (the kernel profile's estimates).
// Magnitude pruning; `--sparsegpt` prunes the digits models by sparsegpt. Prints markdown; docs/coverage.md quotes it.

import { join } from 'node:path';
import { SpcError } from '../compiler/errors.js';
import { compileFile } from '../compiler/compile.js';
import type { CompileOptions, CompileResult } from '../compiler/compile.js';
import { readSamples } from '../compiler/calibrate/data.js';
import type { CalibrationSet } from '../compiler/calibrate/data.js';
import { artifactInputGraph, evaluateArtifact } from '../compiler/eval/evaluate.js';
import { readLabels } from '../compiler/eval/labels.js';
import { randomData } from '../compiler/tune/layers.js';
import { loadModel } from '../runtime/index.js';
import type { Feed } from '../runtime/index.js';
import { CORPUS_REAL, ROOT, corpusEntries, corpusEntry, inputShapes, modelFile, readNpy } from './bench/corpus.js';

const DIGITS = join(ROOT, '..', 'shared', 'corpus', 'digits');

/** The skip rules, by the reason the prune pass gives (compiler/passes/prune.ts). */
const RULES = [
  { name: 'classifier', reason: /kept dense: classifier/ },
  { name: 'stem', reason: /kept dense: stem conv/ },
  { name: 'depthwise', reason: /kept dense: (depthwise|grouped) conv/ },
  { name: 'small', reason: /kept dense: .*fewer than minParams/ },
] as const;

const PATTERNS: { name: string; opts: CompileOptions }[] = [
  { name: '2:4', opts: { pattern: '2:4' } },
  { name: '50%', opts: { pattern: 'unstructured', sparsity: 0.5 } },
  { name: '75%', opts: { pattern: 'unstructured', sparsity: 0.75 } },
];

type Kind = 'digits' | 'random' | 'real';
interface Model { readonly name: string; readonly kind: Kind; readonly file: string; readonly shapes?: Record<string, readonly number[]> }

/** The digits models this script scores (the corpus's digits folder; nothing else there is a classifier it can label). */
const DIGITS_MODELS = ['digits_cnn', 'digits_mlp'] as const;
const DEFAULT_MODELS = ['digits_cnn', 'digits_mlp', 'resnet10_w32', 'mobilenet_v2_w050', 'squeezenet1_1', 'mobilenet_v3_small_w075', 'oww_hey_mycroft', 'oww_weather', 'oww_namaste_deepa', 'mlsd_large320'];
const OPTIONS = ['--sparsegpt'] as const;

/** A bad command line: main prints its message alone (no stack) and exits 1. */
class UsageError extends Error {}

/**
 * The models and options named on the command line, every one checked before any compile starts,
 * so a typo fails at once with the argument it is about instead of as a stack trace minutes in.
 */
function parseArgs(argv: readonly string[]): { models: Model[]; sparsegpt: boolean } {
  const models: Model[] = [];
  argv.forEach((arg, i) => {
    const where = `argument ${i + 1} '${arg}'`;
    if (arg.startsWith('-')) {
      if (!(OPTIONS as readonly string[]).includes(arg)) throw new UsageError(`${where}: unknown option (known: ${OPTIONS.join(', ')})`);
      return;
    }
    if ((DIGITS_MODELS as readonly string[]).includes(arg)) {
      models.push({ name: arg, kind: 'digits', file: join(DIGITS, `${arg}.onnx`) });
      return;
    }
    const e = corpusEntries().find((x) => x.name === arg);
    if (!e) throw new UsageError(`${where}: unknown model; known: ${[...DIGITS_MODELS, ...corpusEntries().map((x) => x.name)].join(', ')}`);
    models.push({ name: arg, kind: e.dir === CORPUS_REAL ? 'real' : 'random', file: modelFile(e), shapes: inputShapes(e) });
  });
  return { models, sparsegpt: argv.includes('--sparsegpt') };
}

/** The quality figure of one compile against the dense one (higher is better unless named KL). */
type Score = string;

/** The stored input plus uniform noise of ±0.1 × the input's std, `count` samples. */
function noisy(model: Model, dense: Uint8Array, count: number): CalibrationSet {
  const base = readSamples(join(ROOT, '..', 'shared', 'corpus', 'models', `${model.name}.input.npy`), artifactInputGraph(dense), { flag: '--data' });
  const [name, t] = Object.entries(base.samples[0]!)[0]!;
  const x = t.data as Float32Array;
  const mean = x.reduce((a, v) => a + v, 0) / x.length;
  const std = Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length);
  return {
    samples: Array.from({ length: count }, (_, s) => {
      const u = randomData(x.length, 1000 + s);
      return { [name]: { dtype: t.dtype, shape: t.shape, data: x.map((v, i) => v + 0.1 * std * u[i]!) } };
    }),
    source: `${model.name}.input.npy + noise, ${count}`,
  };
}

/** Every output of a real-corpus model on its stored input(s). */
async function realOutputs(model: Model, bytes: Uint8Array): Promise<Float32Array[]> {
  const e = corpusEntry(model.name);
  const m = await loadModel(bytes);
  try {
    const feeds: Record<string, Feed> = {};
    for (const i of e.inputs) {
      const a = readNpy(i.npy, e.dir);
      feeds[i.name] = { data: a.data as Float32Array, shape: a.shape };
    }
    const out = await m.run(feeds);
    return m.outputs.map((o) => Float32Array.from(out[o.name]!.data as Float32Array));
  } finally {
    m.dispose();
  }
}

/** The real corpus's task measure: a wake-word head's probability (decision at 0.5), M-LSD's line centres over 0.1. */
function task(model: Model, outs: readonly Float32Array[]): number {
  if (model.name.startsWith('mlsd')) return outs[1]!.reduce((n, v) => n + (v > 0.1 ? 1 : 0), 0);
  return outs[0]![0]!;
}

async function scorer(model: Model, dense: Uint8Array): Promise<(r: CompileResult) => Promise<Score>> {
  if (model.kind === 'digits') {
    const data = readSamples(join(DIGITS, 'digits-test-x.npy'), artifactInputGraph(dense), { flag: '--data' });
    const y = readLabels(join(DIGITS, 'digits-test-y.npy'));
    return async (r) => `${((await evaluateArtifact(r.artifact, data, y)).top1! * 100).toFixed(1)}%`;
  }
  if (model.kind === 'random') {
    const data = noisy(model, dense, 16);
    return async (r) => {
      const e = await evaluateArtifact(r.artifact, data, undefined, dense);
      return `${(e.agreement! * 100).toFixed(0)}% · KL ${e.kl!.toExponential(1)}`;
    };
  }
  const ref = task(model, await realOutputs(model, dense));
  const fmt = (v: number): string => (model.name.startsWith('mlsd') ? `${v} centres` : `p ${v.toFixed(3)}${(v >= 0.5) === (ref >= 0.5) ? '' : ' (flips)'}`);
  return async (r) => fmt(task(model, await realOutputs(model, r.artifact)));
}

/** Estimated ms when each pruned layer runs the faster of its packed and dense kernels (what --prefer speed picks, less its margin). */
const bestMs = (r: CompileResult): number => (r.estimate.others.ns + r.estimate.layers.reduce((s, l) => s + Math.min(l.ns, l.denseNs), 0)) / 1e6;

interface Row { readonly model: string; readonly pattern: string; readonly rule: string; readonly layers: string; readonly score: Score; readonly size: number; readonly speed: number; readonly packedSpeed: number }

/**
 * The layers each rule covers, by the reasons the prune pass gives at 75% unstructured (where every
 * rule applies, the classifier's above 50% included): node names per rule.
 */
function ruleLayers(model: Model, base: CompileOptions): Map<string, { nodes: string[]; params: number }> {
  const r = compileFile(model.file, { ...base, pattern: 'unstructured', sparsity: 0.75 });
  const out = new Map<string, { nodes: string[]; params: number }>();
  for (const rule of RULES) {
    const kept = r.report.filter((l) => l.pattern === 'dense' && rule.reason.test(l.note ?? ''));
    if (kept.length > 0) out.set(rule.name, { nodes: kept.map((l) => l.node), params: kept.reduce((s, l) => s + l.paramsBefore, 0) });
  }
  return out;
}

/** With `sparsegpt` (`--sparsegpt`), digits models are pruned by sparsegpt on digits-calib-x.npy (the others have no calibration set here). */
async function measure(model: Model, sparsegpt: boolean): Promise<Row[]> {
  const base: CompileOptions = { ...(model.shapes ? { inputShapes: model.shapes } : {}) };
  const method: CompileOptions = sparsegpt && model.kind === 'digits' ? { method: 'sparsegpt', calib: join(DIGITS, 'digits-calib-x.npy') } : {};
  const denseResult = compileFile(model.file, base);
  const dense = denseResult.artifact;
  const denseMs = denseResult.estimate.denseNs / 1e6;
  const score = await scorer(model, dense);
  const params = denseResult.report.reduce((s, l) => s + l.paramsBefore, 0);
  const covered = ruleLayers(model, base);
  const rows: Row[] = [];
  rows.push({ model: model.name, pattern: 'dense', rule: '-', layers: '-', score: await score(denseResult), size: 1, speed: 1, packedSpeed: 1 });
  for (const p of PATTERNS) {
    // Every covered layer kept dense (`skip`) except those of the rules named, forced.
    const run = (forced: readonly string[]): CompileResult => compileFile(model.file, {
      ...base, ...p.opts, ...method, prefer: 'size',
      config: { layers: [...covered].flatMap(([rule, c]) => c.nodes.map((match) => (forced.includes(rule) ? { match, force: true } : { match, skip: true }))) },
    });
    const row = async (rule: string, r: CompileResult, layers: string): Promise<Row> => {
      const out: Row = {
        model: model.name, pattern: p.name, rule, layers, score: await score(r),
        size: r.artifact.length / dense.length, speed: denseMs / bestMs(r), packedSpeed: r.estimate.speedup,
      };
      process.stderr.write(`${model.name} ${p.name} ${rule}: ${out.score}\n`);
      return out;
    };
    const share = (n: number, w: number): string => `${n} (${((100 * w) / params).toFixed(1)}%)`;
    const prunedOf = (r: CompileResult): string => {
      const ls = r.report.filter((l) => l.pattern !== 'dense');
      return `${share(ls.length, ls.reduce((s, l) => s + l.paramsBefore, 0))} pruned`;
    };
    const all = run([]);
    rows.push(await row('all four rules', all, prunedOf(all)));
    for (const [rule, c] of covered) {
      const r = run([rule]);
      const now = r.report.filter((l) => c.nodes.includes(l.node) && l.pattern !== 'dense').length;
      rows.push(await row(`+${rule} pruned`, r, `${share(c.nodes.length, c.params)}, ${now} prunable`));
    }
    if (covered.size > 0) {
      const r = run([...covered.keys()]);
      rows.push(await row('no rule', r, prunedOf(r)));
    }
    const d = compileFile(model.file, { ...base, ...p.opts, ...method, prefer: 'size' });
    rows.push(await row('defaults', d, prunedOf(d)));
  }
  return rows;
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const list = args.models.length > 0 ? args.models : parseArgs(DEFAULT_MODELS).models;
  const line = (c: readonly string[]): string => `| ${c.join(' | ')} |`;
  const head = ['model', 'pattern', 'rule relaxed', 'layers (share of weights)', 'quality', 'size × dense (packed)', 'est. speed × dense (best kernel)', 'est. speed × dense (all packed)'];
  process.stdout.write(`${line(head)}\n${line(head.map(() => '---'))}\n`);
  for (const m of list) {
    for (const r of await measure(m, args.sparsegpt)) {
      process.stdout.write(`${line([r.model, r.pattern, r.rule, r.layers, r.score, `${r.size.toFixed(3)}×`, `${r.speed.toFixed(2)}×`, `${r.packedSpeed.toFixed(2)}×`])}\n`);
    }
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  // A usage error or a model that will not load (SpcError) is the user's to fix: its message alone.
  const known = e instanceof UsageError || e instanceof SpcError;
  process.stderr.write(`coverage: ${known ? (e as Error).message : e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
