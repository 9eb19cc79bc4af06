// `npm run accuracy`: digits test accuracy after one-shot pruning, per model × pattern × method
// (± bias correction), N:M without and with --permute per criterion, and per allocation, scored
// by compiler/eval (what `spc eval` runs) and cross-checked with onnxruntime on the emitted ONNX;
// and output agreement with the dense model on
// two random-weight corpus models at 2:4 per method. Rewrites the generated sections of docs/accuracy.md.
// The permutation cells are also paired image by image on the test set (McNemar) and scored on the
// training images that are not calibration images. `--skip-corpus` runs the digits sections alone
// (the corpus one takes minutes: sparsegpt on resnet10_w32); `--permute-cv` adds the network-level
// held-out check of --permute per calibrated cell (8 more compiles each; minutes). `--real` runs
// the real-model section alone (scripts/accuracy/real.ts; `--real=wakeword,vad,mlsd` some of it);
// `--transformer` the trained digits transformer's section alone (scripts/accuracy/transformer.ts),
// which every plain run also writes.

import { join } from 'node:path';
import { compileFile } from '../compiler/compile.js';
import type { CompileOptions, CompileResult } from '../compiler/compile.js';
import { summarizeArtifact } from '../compiler/emit/layer-table.js';
import { readSamples } from '../compiler/calibrate/data.js';
import type { CalibrationSet, SampleTensor } from '../compiler/calibrate/data.js';
import { loadModel } from '../runtime/index.js';
import { artifactInputGraph, evaluateArtifact } from '../compiler/eval/evaluate.js';
import { readLabels } from '../compiler/eval/labels.js';
import { argmax } from '../compiler/eval/metrics.js';
import { ROOT } from './bench/corpus.js';
import { writeSection } from './bench/doc.js';
import { pct } from '../compiler/format.js';
import { realSection, realTasks } from './accuracy/real.js';
import { CALIB, DIGITS, TEST_X, TEST_Y, TRAIN_X, TRAIN_Y, score } from './accuracy/digits-score.js';
import { transformerSection } from './accuracy/transformer.js';

const DOC = join(ROOT, 'docs', 'accuracy.md');
const MODELS = ['digits_mlp', 'digits_cnn'] as const;
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'models');
/** Random-weight corpus models for issue 5's acceptance 4. */
const CORPUS_MODELS = ['resnet10_w32', 'mobilenet_v2_w050'] as const;
const CORPUS_CALIB = 64, CORPUS_EVAL = 32;
/** Noise std as a fraction of the stored input's std; the two seeds give disjoint sample sets. */
const NOISE = 0.1, CALIB_SEED = 1, EVAL_SEED = 2;


/** Issue 5's grid of patterns. */
const GRID_PATTERNS: { name: string; opts: CompileOptions }[] = [
  { name: '2:4', opts: { pattern: '2:4' } },
  { name: '2:4 shared-rows 4', opts: { pattern: '2:4', shareRows: 4 } },
  { name: '1:4', opts: { pattern: '1:4' } },
  { name: '50%', opts: { pattern: 'unstructured', sparsity: 0.5 } },
  { name: '75%', opts: { pattern: 'unstructured', sparsity: 0.75 } },
  { name: '90%', opts: { pattern: 'unstructured', sparsity: 0.9 } },
  { name: '95%', opts: { pattern: 'unstructured', sparsity: 0.95 } },
];

interface Method { readonly name: string; readonly opts: CompileOptions }
const METHODS: readonly Method[] = (['magnitude', 'wanda', 'sparsegpt'] as const).flatMap((method): Method[] => [
  { name: method, opts: method === 'magnitude' ? {} : { method, calib: CALIB } },
  { name: `${method} + bias corr.`, opts: { ...(method === 'magnitude' ? {} : { method }), biasCorrection: true, calib: CALIB } },
]);

/** Magnitude on more patterns and allocations (the original table). */
const MAGNITUDE_PATTERNS: { name: string; opts: CompileOptions }[] = [
  { name: 'dense', opts: {} },
  { name: '2:4', opts: { pattern: '2:4' } },
  { name: '2:4 shared-rows 4', opts: { pattern: '2:4', shareRows: 4 } },
  { name: '4:8', opts: { pattern: '4:8' } },
  { name: '1:4', opts: { pattern: '1:4' } },
  { name: 'unstructured 50%', opts: { pattern: 'unstructured', sparsity: 0.5 } },
  { name: 'unstructured 75%', opts: { pattern: 'unstructured', sparsity: 0.75 } },
  { name: 'unstructured 90%', opts: { pattern: 'unstructured', sparsity: 0.9 } },
  { name: 'block:4x1 75%', opts: { pattern: 'block:4x1', sparsity: 0.75 } },
  { name: 'channel 25%', opts: { pattern: 'channel', sparsity: 0.25 } },
];

/** Issue 6's acceptance 3: the N:M patterns, without and with channel permutation (+ row reordering), per criterion, no bias correction. */
const PERMUTE_PATTERNS = GRID_PATTERNS.filter((p) => p.opts.pattern !== 'unstructured');
const PERMUTE_METHODS = METHODS.filter((m) => !m.opts.biasCorrection);

const ALLOCATIONS = ['uniform', 'global', 'erk', 'sensitivity'] as const;


interface Cell { readonly result: CompileResult; readonly cpuMs: number; readonly top1: number; readonly agreement: number }

/** Compile CPU time (user + system: the machine is shared, wall time is not the compiler's). */
function timedCompile(model: string, opts: CompileOptions): { result: CompileResult; cpuMs: number } {
  const t0 = process.cpuUsage();
  const result = compileFile(join(DIGITS, `${model}.onnx`), opts);
  const t = process.cpuUsage(t0);
  return { result, cpuMs: (t.user + t.system) / 1000 };
}

/** Each N:M layer's kept fraction of |w| under its N:M mask, identity order → chosen permutation (the compile report's keptBefore/keptAfter). */
const keptMagnitude = (r: CompileResult): string => {
  const rows = r.report.filter((l) => l.keptBefore !== undefined && l.keptAfter !== undefined);
  return rows.length === 0 ? '-' : rows.map((l) => `${l.node} ${pct(l.keptBefore!)} → ${pct(l.keptAfter!)}`).join(', ');
};

const prunedLayers = (r: CompileResult): string => {
  const pruned = summarizeArtifact(r.contents).layers.filter((l) => l.storage !== 'dense' && l.storage !== '-');
  return pruned.length === 0 ? '-' : pruned.map((l) => `${l.node} ${pct(l.sparsity)}`).join(', ');
};

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Deterministic Gaussian generator: mulberry32 uniforms through Box–Muller. */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** `count` copies of the stored input plus Gaussian noise of std NOISE × the input's std. */
function perturbed(model: string, base: CalibrationSet, count: number, seed: number): CalibrationSet {
  const [name, t] = Object.entries(base.samples[0]!)[0]!;
  const x = t.data as Float32Array;
  let mean = 0, sq = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  for (const v of x) sq += (v - mean) ** 2;
  const std = NOISE * Math.sqrt(sq / x.length);
  const next = gaussian(seed);
  const samples: Record<string, SampleTensor>[] = [];
  for (let s = 0; s < count; s++) {
    const data = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) data[i] = x[i]! + std * next();
    samples.push({ [name]: { dtype: t.dtype, shape: t.shape, data } });
  }
  return { samples, source: `${model}.input.npy + noise (seed ${seed}), ${count}` };
}

/** First output of the artifact on every sample. */
async function outputs(bytes: Uint8Array, set: CalibrationSet): Promise<Float32Array[]> {
  const m = await loadModel(bytes);
  try {
    const out: Float32Array[] = [];
    for (const feed of set.samples) {
      const [name, t] = Object.entries(feed)[0]!;
      out.push(Float32Array.from((await m.run({ [name]: { data: t.data, shape: t.shape } }))[m.outputs[0]!.name]!.data as Float32Array));
    }
    return out;
  } finally {
    m.dispose();
  }
}

/** Per sample: whether the artifact's top-1 class is the label. */
async function rightPerSample(bytes: Uint8Array, set: CalibrationSet, labels: ArrayLike<number>): Promise<Uint8Array> {
  return Uint8Array.from(await outputs(bytes, set), (y, s) => (argmax(y) === labels[s] ? 1 : 0));
}

/** Two-sided exact McNemar p-value for b and c discordant pairs (a binomial test of b against c at ½). */
function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  let tail = 0, term = 0.5 ** n;
  for (let k = 0; k <= Math.min(b, c); k++) { tail += term; term *= (n - k) / (k + 1); }
  return Math.min(1, 2 * tail);
}

/** The training images that are not calibration images (compared by content): held out from every compile here. */
function unseenTraining(graph: ReturnType<typeof artifactInputGraph>): { set: CalibrationSet; labels: number[] } {
  const key = (s: Readonly<Record<string, SampleTensor>>): string => {
    const t = Object.values(s)[0]!.data;
    return Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('base64');
  };
  const calib = new Set(readSamples(CALIB, graph).samples.map(key));
  const train = readSamples(TRAIN_X, graph, { flag: '--data' });
  const y = readLabels(TRAIN_Y);
  const keep = train.samples.flatMap((s, i) => (calib.has(key(s)) ? [] : [i]));
  return { set: { samples: keep.map((i) => train.samples[i]!), source: `digits-train-x.npy minus calibration, ${keep.length}` }, labels: keep.map((i) => y[i]!) };
}

/** Issue 5's acceptance 4: each method at 2:4 against the dense model on noise-perturbed copies of the stored input. */
async function corpusSection(): Promise<void> {
  const rows: string[] = [];
  for (const model of CORPUS_MODELS) {
    const path = join(CORPUS, `${model}.onnx`);
    const denseBytes = compileFile(path, {}).artifact;
    const base = readSamples(join(CORPUS, `${model}.input.npy`), artifactInputGraph(denseBytes), { flag: '--data' });
    const calib = perturbed(model, base, CORPUS_CALIB, CALIB_SEED);
    const evalSet = perturbed(model, base, CORPUS_EVAL, EVAL_SEED);
    const yDense = await outputs(denseBytes, evalSet);
    for (const method of ['magnitude', 'wanda', 'sparsegpt'] as const) {
      const t0 = process.cpuUsage();
      const result = compileFile(path, { pattern: '2:4', ...(method === 'magnitude' ? {} : { method, calib }) });
      const t = process.cpuUsage(t0);
      const r = await evaluateArtifact(result.artifact, evalSet, undefined, denseBytes);
      const y = await outputs(result.artifact, evalSet);
      let rel = 0;
      for (let s = 0; s < y.length; s++) {
        let d = 0, n = 0;
        for (let i = 0; i < y[s]!.length; i++) { d += (y[s]![i]! - yDense[s]![i]!) ** 2; n += yDense[s]![i]! ** 2; }
        rel += Math.sqrt(d / n);
      }
      rel /= y.length;
      const cpu = (t.user + t.system) / 1000;
      rows.push(`| ${model} | ${method} | ${pct(r.agreement!)} | ${r.kl!.toExponential(2)} | ${rel.toFixed(4)} | ${(cpu / 1000).toFixed(1)} s |`);
      log(`${model} 2:4 ${method}: agreement ${pct(r.agreement!)}, KL ${r.kl!.toExponential(2)}, rel. error ${rel.toFixed(4)} (${cpu.toFixed(0)} ms)`);
    }
  }
  writeSection('corpus', [
    `${CORPUS_CALIB} calibration samples (seed ${CALIB_SEED}) and ${CORPUS_EVAL} evaluation samples (seed ${EVAL_SEED}): the stored input plus Gaussian noise of std ${NOISE} × the input's std. Pattern 2:4, default skips.`,
    '',
    '| model | method | top-1 agreement with dense | mean KL(dense ‖ pruned), nats | mean ‖y − y_dense‖ / ‖y_dense‖ | compile CPU |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n'), DOC);
}

const CV_FOLDS = 4;

/** The network-level held-out check of `--permute` for one cell (a row of the permute-cv table). */
async function networkCv(model: string, p: { readonly name: string; readonly opts: CompileOptions }, m: Method, calib: CalibrationSet, dense: Uint8Array, unseenSaysOn: boolean): Promise<string> {
  const t0 = process.cpuUsage();
  const kl = { off: 0, on: 0 };
  for (const permute of [false, true]) {
    for (let f = 0; f < CV_FOLDS; f++) {
      const fit: CalibrationSet = { samples: calib.samples.filter((_, i) => i % CV_FOLDS !== f), source: `fold ${f}` };
      const held = calib.samples.filter((_, i) => i % CV_FOLDS === f);
      const r = compileFile(join(DIGITS, `${model}.onnx`), { ...p.opts, ...m.opts, calib: fit, permute });
      const e = await evaluateArtifact(r.artifact, held, undefined, dense);
      kl[permute ? 'on' : 'off'] += e.kl! * held.length / calib.samples.length;
    }
  }
  const t = process.cpuUsage(t0);
  const keeps = kl.on < kl.off;
  log(`${model} ${p.name} ${m.name}: network-level held-out KL ${kl.off.toExponential(3)} → ${kl.on.toExponential(3)}`);
  return `| ${model} | ${p.name} | ${m.name} | ${kl.off.toExponential(2)} | ${kl.on.toExponential(2)} | ${keeps ? 'yes' : 'no'} | ${keeps === unseenSaysOn ? 'yes' : 'no'} | ${((t.user + t.system) / 1e6).toFixed(1)} s |`;
}

async function main(): Promise<void> {
  if (realTasks(process.argv).length > 0) return realSection(realTasks(process.argv));
  if (process.argv.includes('--transformer')) {
    await transformerSection();
    log('wrote docs/accuracy.md');
    return;
  }
  if (process.argv.includes('--only-corpus')) {
    await corpusSection();
    log('wrote docs/accuracy.md');
    return;
  }
  const dense = new Map<string, Cell>();
  for (const model of MODELS) {
    const { result, cpuMs } = timedCompile(model, {});
    dense.set(model, { result, cpuMs, top1: (await score(model, result, result.artifact, 'dense')).top1, agreement: 1 });
  }
  const denseBytes = (model: string) => dense.get(model)!.result.artifact;

  // Method × pattern, default settings (so --permute on for the N:M patterns); the N:M cells
  // without bias correction are kept for the permutation table.
  const grid: string[] = [];
  const permuted = new Map<string, Cell & { correct: number }>();
  for (const model of MODELS) {
    for (const p of GRID_PATTERNS) {
      const cells: string[] = [];
      for (const m of METHODS) {
        const c = timedCompile(model, { ...p.opts, ...m.opts });
        const s = await score(model, c.result, denseBytes(model), `${p.name} ${m.name}`);
        if (PERMUTE_PATTERNS.includes(p) && PERMUTE_METHODS.includes(m)) permuted.set(`${model} ${p.name} ${m.name}`, { ...c, ...s });
        cells.push(`${pct(s.top1)} · ${c.cpuMs.toFixed(0)} ms`);
        log(`${model} ${p.name} ${m.name}: ${pct(s.top1)} (${c.cpuMs.toFixed(0)} ms)`);
      }
      grid.push(`| ${model} | ${p.name} | ${cells.join(' | ')} |`);
    }
  }
  const gridDoc = [
    `Dense: ${MODELS.map((m) => `${m} ${pct(dense.get(m)!.top1)}`).join(', ')}. Default settings: \`--permute\` on for the N:M patterns (2:4, 2:4 shared-rows 4, 1:4), off for unstructured. Each cell: test accuracy · compile CPU time (includes permutation search, pruning and calibration).`,
    '',
    `| model | pattern | ${METHODS.map((m) => m.name).join(' | ')} |`,
    `| --- | --- | ${METHODS.map(() => '---').join(' | ')} |`,
    ...grid,
  ].join('\n');
  writeSection('grid', gridDoc, DOC);

  // N:M without and with channel permutation (issue 6's acceptance 3): the "with" cells are the
  // grid's (default settings), checked to have run the permutation search.
  const perm: string[] = [];
  const paired: string[] = [];
  const cv: string[] = [];
  const withCv = process.argv.includes('--permute-cv');
  const testY = readLabels(TEST_Y);
  let unseenCount = 0;
  for (const model of MODELS) {
    const inputGraph = artifactInputGraph(denseBytes(model));
    const test = readSamples(TEST_X, inputGraph, { flag: '--data' });
    const unseen = unseenTraining(inputGraph);
    unseenCount = unseen.labels.length;
    const calibSet = readSamples(CALIB, inputGraph);
    for (const p of PERMUTE_PATTERNS) {
      for (const m of PERMUTE_METHODS) {
        const label = `${model} ${p.name} ${m.name}`;
        const on = permuted.get(label)!;
        if (on.result.groups.length === 0) throw new Error(`${label}: the default compile searched no permutation group (is --permute still on by default for N:M?)`);
        const off = timedCompile(model, { ...p.opts, ...m.opts, permute: false });
        if (off.result.groups.length !== 0) throw new Error(`${label}: --no-permute still searched ${off.result.groups.length} group(s)`);
        const s = await score(model, off.result, denseBytes(model), `${p.name} ${m.name} --no-permute`);
        const applied = on.result.groups.filter((g) => g.applied).length;
        const delta = on.correct - s.correct;
        perm.push(`| ${model} | ${p.name} | ${m.name} | ${pct(s.top1)} | ${pct(on.top1)} | ${delta > 0 ? '+' : ''}${delta} | ${applied} of ${on.result.groups.length} | ${keptMagnitude(on.result)} | ${off.cpuMs.toFixed(0)} ms → ${on.cpuMs.toFixed(0)} ms |`);
        log(`${label}: --no-permute ${pct(s.top1)}, --permute ${pct(on.top1)} (${delta > 0 ? '+' : ''}${delta} images)`);
        // The same two artifacts, paired on the test images and scored on the unseen training images.
        const rOff = await rightPerSample(off.result.artifact, test, testY);
        const rOn = await rightPerSample(on.result.artifact, test, testY);
        let onlyOff = 0, onlyOn = 0;
        for (let i = 0; i < rOn.length; i++) { if (rOff[i]! > rOn[i]!) onlyOff++; if (rOn[i]! > rOff[i]!) onlyOn++; }
        if (onlyOn - onlyOff !== delta) throw new Error(`${label}: paired counts ${onlyOn} − ${onlyOff} disagree with Δ ${delta}`);
        const uOff = await evaluateArtifact(off.result.artifact, unseen.set, unseen.labels, denseBytes(model));
        const uOn = await evaluateArtifact(on.result.artifact, unseen.set, unseen.labels, denseBytes(model));
        const du = uOn.correct! - uOff.correct!;
        paired.push(`| ${model} | ${p.name} | ${m.name} | ${onlyOff} / ${onlyOn} | ${mcnemarExact(onlyOff, onlyOn).toFixed(2)} | ${uOff.correct} → ${uOn.correct} (${du > 0 ? '+' : ''}${du}) | ${uOff.kl!.toExponential(2)} → ${uOn.kl!.toExponential(2)} (${uOn.kl! < uOff.kl! ? 'lower' : 'higher'}) |`);
        if (withCv && m.name !== 'magnitude') cv.push(await networkCv(model, p, m, calibSet, denseBytes(model), uOff.kl! > uOn.kl!));
      }
    }
  }
  writeSection('permute', [
    `Same compiles as the grid's N:M cells without bias correction: "--no-permute" adds \`permute: false\` (no channel permutation; row reordering never changes outputs), "--permute" is the default. Δ: test images (of 500) right with --permute minus right with --no-permute (1 image = 0.2 points).`,
    '',
    '| model | pattern | method | test accuracy, --no-permute | test accuracy, --permute | Δ images | groups permuted | kept \\|w\\| under N:M per layer, identity → permuted | compile CPU, --no-permute → --permute |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...perm,
  ].join('\n'), DOC);
  writeSection('permute-paired', [
    `The same artifacts paired image by image on the test set (images right only with --no-permute / only with --permute; exact two-sided McNemar p of that split), and scored on the ${unseenCount} training images that are not calibration images (held out from every compile here): images right, and mean KL(dense ‖ pruned) of the softmax outputs against the dense model.`,
    '',
    '| model | pattern | method | test: right only without / only with | McNemar p | unseen training images right, without → with | KL(dense ‖ pruned) on them, without → with |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...paired,
  ].join('\n'), DOC);
  if (withCv) {
    writeSection('permute-cv', [
      `A network-level check, the candidate rule: each calibrated cell compiled ${CV_FOLDS} times with --permute and with --no-permute, each time calibrated on ${CV_FOLDS - 1} of ${CV_FOLDS} folds of the 128 calibration images (image i in fold i mod ${CV_FOLDS}); the whole network's mean KL(dense ‖ pruned) on the held-out fold, averaged over the 128 images. The rule would keep the permutation where that KL is lower. "agrees" compares its choice with the unseen training images' verdict (table above).`,
      '',
      '| model | pattern | method | held-out calibration KL, --no-permute | --permute | rule keeps the permutation | agrees with the unseen images | compile CPU of the check |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...cv,
    ].join('\n'), DOC);
  }

  // Magnitude on more patterns (the original table), spc checked against onnxruntime; default settings.
  const more: string[] = [];
  for (const model of MODELS) {
    for (const p of MAGNITUDE_PATTERNS) {
      const c = timedCompile(model, p.opts);
      const s = await score(model, c.result, denseBytes(model), p.name);
      more.push(`| ${model} | ${p.name} | ${pct(s.top1)} | ${pct(s.agreement)} | ${summarizeArtifact(c.result.contents).params} | ${prunedLayers(c.result)} | ${c.cpuMs.toFixed(0)} ms |`);
      log(`${model} magnitude ${p.name}: ${pct(s.top1)}`);
    }
  }
  writeSection('magnitude', [
    'Default settings: `--permute` on for the N:M patterns (2:4, 2:4 shared-rows 4, 4:8, 1:4), off for the others.',
    '',
    '| model | pattern | test accuracy | agreement with dense | params | layers stored packed (their sparsity) | compile CPU |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...more,
  ].join('\n'), DOC);

  // Allocation at 0.9 unstructured (stem and classifier dense), by magnitude and by sparsegpt.
  const alloc: string[] = [];
  for (const model of MODELS) {
    for (const method of ['magnitude', 'sparsegpt'] as const) for (const a of ALLOCATIONS) {
      const calibrated = a === 'sensitivity' || method !== 'magnitude';
      const c = timedCompile(model, { pattern: 'unstructured', sparsity: 0.9, allocation: a, ...(method === 'magnitude' ? {} : { method }), ...(calibrated ? { calib: CALIB } : {}) });
      const s = await score(model, c.result, denseBytes(model), `0.9 ${a}`);
      const pruned = c.result.report.filter((l) => l.pattern !== 'dense');
      const total = pruned.reduce((x, l) => x + l.paramsBefore, 0);
      const zeros = pruned.reduce((x, l) => x + l.paramsBefore - l.paramsAfter, 0);
      alloc.push(`| ${model} | ${method} | ${a} | ${pct(s.top1)} | ${pct(s.agreement)} | ${pruned.map((l) => `${l.node} ${pct(l.achieved)}`).join(', ')} | ${zeros} of ${total} (${(zeros / total).toFixed(5)}) | ${c.cpuMs.toFixed(0)} ms |`);
      log(`${model} 0.9 ${method} ${a}: ${pct(s.top1)}`);
    }
  }
  writeSection('allocation', [
    'Default settings (unstructured: no channel permutation).',
    '',
    '| model | method | allocation | test accuracy | agreement with dense | per-layer sparsity | zeros over the pruned layers | compile CPU |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...alloc,
  ].join('\n'), DOC);
  await transformerSection();
  if (!process.argv.includes('--skip-corpus')) await corpusSection();
  log('wrote docs/accuracy.md');
}

await main();
