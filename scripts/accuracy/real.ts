// `npm run accuracy -- --real`: the trained models of ../shared/corpus/real pruned by magnitude,
// wanda and sparsegpt at 2:4, 50% and 75%, scored on their task against the dense model
// (wake-word decisions, speech chunks, M-LSD line segments), with artifact size and measured speed.
// Rewrites the real-* sections of docs/accuracy.md (`--real=wakeword,vad,mlsd` picks some).

import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../compiler/compile.js';
import type { CompileOptions } from '../../compiler/compile.js';
import type { CalibrationSet, SampleTensor } from '../../compiler/calibrate/data.js';
import { loadModel } from '../../runtime/index.js';
import type { Feed, Model } from '../../runtime/index.js';
import { CORPUS_REAL, ROOT, corpusEntry, modelFile, readNpy } from '../bench/corpus.js';
import type { CorpusEntry } from '../bench/corpus.js';
import { writeSection } from '../bench/doc.js';
import { measure } from '../bench/timing.js';
import { quantile } from '../../compiler/bench/measure.js';
import type { BenchPlan } from '../bench/timing.js';
import { MLSD_THRESHOLDS, compareDecisions, matchSegments, mlsdSegments, slidingWindows } from './real-measures.js';
import type { Segment } from './real-measures.js';
import { readWavPcm16 } from './wav.js';

const DOC = join(ROOT, 'docs', 'accuracy.md');
const PATTERNS: readonly { readonly name: string; readonly opts: CompileOptions }[] = [
  { name: '2:4', opts: { pattern: '2:4' } },
  { name: '50%', opts: { pattern: 'unstructured', sparsity: 0.5 } },
  { name: '75%', opts: { pattern: 'unstructured', sparsity: 0.75 } },
];
const METHODS = ['magnitude', 'wanda', 'sparsegpt'] as const;
/** openWakeWord's and Silero VAD's default decision threshold (score > 0.5). */
const THRESHOLD = 0.5;
const HEADS = ['oww_hey_mycroft', 'oww_weather', 'oww_hey_jarvis', 'oww_namaste_deepa'] as const;
/** openWakeWord's embedding width. */
const EMBEDDING = 96;
/** Silero VAD: 512-sample chunks at 16 kHz; every CALIB_EVERY-th chunk calibrates. */
const CHUNK = 512, RATE = 16000, CALIB_EVERY = 4;
/** Two M-LSD segments are the same line when both endpoints lie within this many output-grid pixels (2 = 4 input pixels). */
const SEGMENT_TOLERANCE = 2;
/** Speed: CPU-time median per run (per round). Sub-millisecond models get many runs; M-LSD (hundreds of ms) a few. */
const SMALL_PLAN: BenchPlan = { warmRuns: 10, warmMs: 100, minRuns: 20, minMs: 500, maxRuns: 5000 };
const LARGE_PLAN: BenchPlan = { warmRuns: 1, warmMs: 0, minRuns: 3, minMs: 0, maxRuns: 3 };

export const REAL_TASKS = ['wakeword', 'vad', 'mlsd'] as const;
type RealTask = typeof REAL_TASKS[number];

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** What a task's run cost and the machine's load meanwhile (the figures beside it depend on both). */
class RunLoad {
  private readonly wall = performance.now();
  private readonly cpu = process.cpuUsage();
  private readonly load = loadavg()[0]!;
  line(): string {
    const c = process.cpuUsage(this.cpu);
    return `This run: ${((performance.now() - this.wall) / 60e3).toFixed(1)} min wall, ${((c.user + c.system) / 60e6).toFixed(1)} min CPU; 1-minute load average ${this.load.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end, on ${availableParallelism()} logical cores.`;
  }
}

type Feeds = Record<string, Feed>;

/** One compile of a model: dense, or a pattern × method. */
interface Variant {
  readonly pattern: string;
  readonly method: string;
  readonly bytes: Uint8Array;
  readonly compileCpuMs: number;
}

/** Rows in display order: dense, then pattern × method. */
const ROW_ORDER = ['dense -', ...PATTERNS.flatMap((p) => METHODS.map((m) => `${p.name} ${m}`))];

/**
 * Dense first, then every pattern × method, the cheap methods first (magnitude, then wanda, then
 * sparsegpt: a run cut short still has the cheap rows); `base` carries the model's pins, `calib`
 * feeds wanda and sparsegpt.
 */
function* variants(entry: CorpusEntry, base: CompileOptions, calib: CalibrationSet): Generator<Variant> {
  const compile = (opts: CompileOptions): { bytes: Uint8Array; compileCpuMs: number } => {
    const t0 = process.cpuUsage();
    const bytes = compileFile(modelFile(entry), { ...base, ...opts }).artifact;
    const t = process.cpuUsage(t0);
    return { bytes, compileCpuMs: (t.user + t.system) / 1000 };
  };
  yield { pattern: 'dense', method: '-', ...compile({}) };
  for (const method of METHODS) {
    for (const p of PATTERNS) yield { pattern: p.name, method, ...compile({ ...p.opts, ...(method === 'magnitude' ? {} : { method, calib }) }) };
  }
}

/** The cells every row ends with: artifact size and CPU time per run, each with its ratio to dense, and the compile's CPU time. */
function costCells(v: Variant, bytes: { dense: number }, time: Timing): string {
  const size = `${(v.bytes.length / 1000).toFixed(1)} kB (${(v.bytes.length / bytes.dense).toFixed(3)}×)`;
  const ms = (t: number): string => (t < 10 ? t.toFixed(3) : t.toFixed(1));
  const speed = `${ms(time.cpuMs)} ms (${(time.denseMs / time.cpuMs).toFixed(2)}×)`;
  const compile = v.compileCpuMs < 10_000 ? `${v.compileCpuMs.toFixed(0)} ms` : `${(v.compileCpuMs / 1000).toFixed(1)} s`;
  return `${size} | ${speed} | ${compile}`;
}

const COST_HEAD = 'size (× dense) | CPU per run (dense ÷ this) | compile CPU';

/** Rounds of timing per variant, alternating with the dense model so drift in the shared machine's load reaches both alike. */
const ROUNDS = 3;

interface Timing { readonly cpuMs: number; readonly denseMs: number }

/**
 * CPU-time median per run of `m` and of `dense` on `feeds`, each the median of ROUNDS measurements
 * in alternating order. A first measurement of `m` is discarded: process CPU time counts V8's
 * background threads, which tier up a freshly loaded model's WebAssembly for a while after load.
 */
async function timeAgainstDense(m: Model, dense: Model, feeds: Feeds, plan: BenchPlan): Promise<Timing> {
  await measure(() => m.run(feeds), plan);
  const mine: number[] = [], theirs: number[] = [];
  const time = async (x: Model, into: number[]): Promise<void> => { into.push((await measure(() => x.run(feeds), plan)).cpuMedian); };
  for (let r = 0; r < ROUNDS; r++) {
    if (m === dense) { await time(dense, theirs); continue; }
    for (const [x, into] of r % 2 === 0 ? [[m, mine], [dense, theirs]] as const : [[dense, theirs], [m, mine]] as const) await time(x, into);
  }
  const median = (x: number[]): number => quantile([...x].sort((a, b) => a - b), 0.5);
  return { cpuMs: median(m === dense ? theirs : mine), denseMs: median(theirs) };
}

/**
 * For every variant: load it, score it (`row` gets the dense variant's result too), time it
 * against dense on `feeds`; after each, `progress` gets the rows so far in display order (the
 * caller rewrites its section, so a long run shows its rows as they come).
 */
async function eachVariant<T>(entry: CorpusEntry, base: CompileOptions, calib: CalibrationSet, feeds: Feeds, plan: BenchPlan,
  score: (m: Model) => Promise<T>, row: (v: Variant, result: T, dense: T, cost: string) => string,
  progress: (rows: readonly string[]) => void): Promise<string[]> {
  const rows = new Map<string, string>();
  const ordered = (): string[] => ROW_ORDER.flatMap((k) => (rows.has(k) ? [rows.get(k)!] : []));
  let dense: { model: Model; result: T; bytes: number } | undefined;
  try {
    for (const v of variants(entry, base, calib)) {
      const m = await loadModel(v.bytes);
      try {
        const result = await score(m);
        dense ??= { model: m, result, bytes: v.bytes.length };
        const time = await timeAgainstDense(m, dense.model, feeds, plan);
        const text = row(v, result, dense.result, costCells(v, { dense: dense.bytes }, time));
        rows.set(`${v.pattern} ${v.method}`, text);
        log(`${entry.name} ${v.pattern} ${v.method}: ${text}`);
        progress(ordered());
      } finally {
        if (m !== dense?.model) m.dispose();
      }
    }
  } finally {
    dense?.model.dispose();
  }
  return ordered();
}

/** Rewrites section `name`: `head`, the rows, and what the run cost; a run still going (or cut short) says how far it got. */
function writeRows(name: string, head: readonly string[], rows: readonly string[], total: number, run: RunLoad, task: RealTask): void {
  const partial = rows.length < total ? [`Partial: ${rows.length} of ${total} rows (the run was still going or was stopped; \`npm run accuracy -- --real=${task}\` completes it).`] : [];
  writeSection(name, [...head, ...rows, '', ...partial, run.line()].join('\n'), DOC);
}

const tensor = (data: Float32Array, shape: readonly number[]): SampleTensor => ({ dtype: 'float32', shape, data });

/** The first output of a run, as numbers. */
async function firstOutput(m: Model, feeds: Feeds): Promise<Float32Array> {
  return (await m.run(feeds))[m.outputs[0]!.name]!.data as Float32Array;
}

/** max|got − ref| ≤ tol·max|ref| (the corpus's criterion): checks the harness feeds the dense model as the corpus did. */
function checkReference(got: ArrayLike<number>, entry: CorpusEntry, output: number, what: string): void {
  const ref = readNpy(entry.outputs[output]!.npy, entry.dir).data as Float32Array;
  let maxRef = 0, maxDiff = 0;
  for (let i = 0; i < ref.length; i++) { maxRef = Math.max(maxRef, Math.abs(ref[i]!)); maxDiff = Math.max(maxDiff, Math.abs(got[i]! - ref[i]!)); }
  const tol = entry.tolerance ?? 1e-4;
  if (got.length !== ref.length || !(maxDiff <= tol * maxRef)) throw new Error(`${what}: dense output differs from the corpus's onnxruntime output (max ${maxDiff.toExponential(2)} > ${tol}·${maxRef.toExponential(2)})`);
}

// ---- openWakeWord heads ----------------------------------------------------------------------

/** A clip's run of openWakeWord embeddings as the corpus stores it (one head's input window). */
interface EmbeddingRun { readonly clip: string; readonly first: number; readonly frames: Float32Array }

/** Each head's stored input is a run of its clip's embeddings; index.json's input_made names the clip and indices. */
function embeddingRuns(): EmbeddingRun[] {
  return HEADS.map((head) => {
    const e = corpusEntry(head);
    const made = /embeddings (\d+)\.\.(\d+) of media\/([\w.-]+)\.wav/.exec(e.input_made ?? '');
    if (!made) throw new Error(`${head}: index.json input_made does not name the embeddings and clip ('${e.input_made}')`);
    const frames = readNpy(e.inputs[0]!.npy, e.dir).data as Float32Array;
    if (frames.length !== (Number(made[2]) - Number(made[1]) + 1) * EMBEDDING) throw new Error(`${head}: input holds ${frames.length / EMBEDDING} embeddings, input_made says ${made[1]}..${made[2]}`);
    return { clip: made[3]!, first: Number(made[1]), frames };
  });
}

async function wakeWordSection(): Promise<void> {
  const run = new RunLoad();
  const runs = embeddingRuns();
  // Every window of N consecutive embeddings in every stored run, for a head over N embeddings:
  // its scores at those moments of the clips. The head's own stored input is window 0 of its own run.
  const heads = HEADS.map((head, i) => {
    const entry = corpusEntry(head);
    const length = Number(entry.inputs[0]!.shape[1]);
    const windows = runs.flatMap((r) => slidingWindows(r.frames, EMBEDDING, length));
    const ownWindow = runs.slice(0, i).reduce((n, r) => n + Math.max(0, r.frames.length / EMBEDDING - length + 1), 0);
    return { head, entry, length, windows, ownWindow };
  });
  const head = [
    `Windows per head (every run of consecutive embeddings the corpus stores, from the 4 clips: ${runs.map((r) => `${r.clip} ${r.first}..${r.first + r.frames.length / EMBEDDING - 1}`).join(', ')}): ${heads.map((h) => `${h.head} (${h.length} embeddings): ${h.windows.length}`).join(', ')}. Decision: score > ${THRESHOLD}. Calibration (wanda, sparsegpt): the same windows.`,
    '',
    `| head | pattern | method | decisions changed | windows firing | score error, mean / max | score on the stored window | ${COST_HEAD} |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const done: string[] = [];
  const total = HEADS.length * ROW_ORDER.length;
  for (const { head: name, entry, length, windows, ownWindow } of heads) {
    const input = entry.inputs[0]!;
    const feed = (w: Float32Array): Feeds => ({ [input.name]: { data: w, shape: [1, length, EMBEDDING] } });
    const calib: CalibrationSet = { samples: windows.map((w) => ({ [input.name]: tensor(w, [1, length, EMBEDDING]) })), source: `${name}: ${windows.length} windows` };
    const score = async (m: Model): Promise<number[]> => {
      const s: number[] = [];
      for (const w of windows) s.push((await firstOutput(m, feed(w)))[0]!);
      return s;
    };
    let checked = false;
    done.push(...await eachVariant(entry, {}, calib, feed(windows[ownWindow]!), SMALL_PLAN, score, (v, s, dense, cost) => {
      if (!checked) { checkReference([s[ownWindow]!], entry, 0, name); checked = true; }
      const a = compareDecisions(dense, s, THRESHOLD);
      const error = v.method === '-' ? '-' : `${a.meanAbsError.toFixed(3)} / ${a.maxAbsError.toFixed(3)}`;
      return `| ${name} | ${v.pattern} | ${v.method} | ${v.method === '-' ? '-' : a.flips} | ${a.prunedPositive} | ${error} | ${s[ownWindow]!.toFixed(3)} | ${cost} |`;
    }, (rows) => writeRows('real-wakeword', head, [...done, ...rows], total, run, 'wakeword')));
  }
}

// ---- Silero VAD --------------------------------------------------------------------------------

interface Stream { readonly speech: number[]; readonly states: { readonly h: Float32Array; readonly c: Float32Array }[] }

/** Runs the clip through the model chunk by chunk from a zero state, carrying hn/cn (as a streaming app does). */
async function stream(m: Model, audio: Float32Array): Promise<Stream> {
  let h: Float32Array = new Float32Array(128), c: Float32Array = new Float32Array(128);
  const speech: number[] = [], states: Stream['states'] = [];
  for (let k = 0; (k + 1) * CHUNK <= audio.length; k++) {
    states.push({ h, c });
    const out = await m.run({ input: { data: audio.slice(k * CHUNK, (k + 1) * CHUNK), shape: [1, CHUNK] }, h: { data: h, shape: [2, 1, 64] }, c: { data: c, shape: [2, 1, 64] } });
    speech.push((out['output']!.data as Float32Array)[0]!);
    h = out['hn']!.data as Float32Array;
    c = out['cn']!.data as Float32Array;
  }
  return { speech, states };
}

async function vadSection(): Promise<void> {
  const run = new RunLoad();
  const entry = corpusEntry('silero_vad');
  const audio = readWavPcm16(new Uint8Array(readFileSync(join(CORPUS_REAL, 'media', 'vad_sentence.wav'))), 'vad_sentence.wav');
  // sr fixed at 16000 at compile time (what an app streaming 16 kHz audio compiles): the If folds
  // to its 16 kHz branch, whose convolutions are then prunable layers of the top graph.
  const base: CompileOptions = {
    inputShapes: { input: [1, CHUNK], h: [2, 1, 64], c: [2, 1, 64] },
    inputValues: { sr: { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(RATE)) } },
  };
  // Calibration: every CALIB_EVERY-th chunk with the dense model's state before it.
  const denseModel = await loadModel(compileFile(modelFile(entry), base).artifact);
  const dense = await stream(denseModel, audio);
  denseModel.dispose();
  const chunks = dense.speech.length;
  const calibAt = dense.states.map((_, k) => k).filter((k) => k % CALIB_EVERY === 0);
  const calib: CalibrationSet = {
    samples: calibAt.map((k) => ({ input: tensor(audio.slice(k * CHUNK, (k + 1) * CHUNK), [1, CHUNK]), h: tensor(dense.states[k]!.h, [2, 1, 64]), c: tensor(dense.states[k]!.c, [2, 1, 64]) })),
    source: `vad_sentence.wav: ${calibAt.length} chunks`,
  };
  // The corpus's stored input is chunk 99 with the streamed state: the harness must reproduce it.
  const stored = Object.fromEntries(entry.inputs.map((i) => [i.name, readNpy(i.npy, entry.dir).data as Float32Array]));
  const feeds: Feeds = { input: { data: stored['input']!, shape: [1, CHUNK] }, h: { data: stored['h']!, shape: [2, 1, 64] }, c: { data: stored['c']!, shape: [2, 1, 64] } };
  checkReference([dense.speech[99]!], entry, 0, 'silero_vad chunk 99 streamed from a zero state');
  const held = dense.speech.map((_, k) => k).filter((k) => k % CALIB_EVERY !== 0);
  const head = [
    `${chunks} chunks of ${CHUNK} samples (vad_sentence.wav), streamed from a zero state with the state carried; decision: speech probability > ${THRESHOLD}. Calibration (wanda, sparsegpt): ${calibAt.length} chunks (every ${CALIB_EVERY}th, with the dense model's carried state); in brackets, the changes on the ${held.length} chunks not calibrated on. Compiled with sr = ${RATE} fixed (\`--input-value\`).`,
    '',
    `| pattern | method | decisions changed (not calibrated on) | speech chunks | probability error, mean / max | ${COST_HEAD} |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  await eachVariant(entry, base, calib, feeds, SMALL_PLAN, async (m) => (await stream(m, audio)).speech, (v, s, d, cost) => {
    const a = compareDecisions(d, s, THRESHOLD);
    const h = compareDecisions(held.map((k) => d[k]!), held.map((k) => s[k]!), THRESHOLD);
    const changed = v.method === '-' ? '-' : `${a.flips} (${h.flips})`;
    const error = v.method === '-' ? '-' : `${a.meanAbsError.toFixed(3)} / ${a.maxAbsError.toFixed(3)}`;
    return `| ${v.pattern} | ${v.method} | ${changed} | ${a.prunedPositive} | ${error} | ${cost} |`;
  }, (rows) => writeRows('real-vad', head, rows, ROW_ORDER.length, run, 'vad'));
}

// ---- M-LSD ---------------------------------------------------------------------------------------

/** The image mirrored left–right (NHWC [1, h, w, ch]): a second view of the same scene. */
export function mirrorNhwc(x: Float32Array, h: number, w: number, ch: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let y = 0; y < h; y++) {
    for (let i = 0; i < w; i++) out.set(x.subarray((y * w + i) * ch, (y * w + i + 1) * ch), (y * w + (w - 1 - i)) * ch);
  }
  return out;
}

interface Lines { readonly segments: Segment[]; readonly centres: number }

async function mlsdSection(): Promise<void> {
  const run = new RunLoad();
  const entry = corpusEntry('mlsd_large320');
  const input = entry.inputs[0]!;
  const [, h, w, ch] = input.shape.map(Number) as [number, number, number, number];
  const x = readNpy(input.npy, entry.dir).data as Float32Array;
  const calib: CalibrationSet = { samples: [{ [input.name]: tensor(mirrorNhwc(x, h, w, ch), [1, h, w, ch]) }], source: 'hallway.png mirrored' };
  const feeds: Feeds = { [input.name]: { data: x, shape: [1, h, w, ch] } };
  const outScores = entry.outputs.findIndex((o) => o.name === 'scores'), outOffsets = entry.outputs.findIndex((o) => o.name === 'offsets');
  const [gh, gw] = [Number(entry.outputs[outScores]!.shape[1]), Number(entry.outputs[outScores]!.shape[2])];
  let checked = false;
  const score = async (m: Model): Promise<Lines> => {
    const out = await m.run(feeds);
    const s = out['scores']!.data as Float32Array, o = out['offsets']!.data as Float32Array;
    if (!checked) { checkReference(s, entry, outScores, 'mlsd scores'); checkReference(o, entry, outOffsets, 'mlsd offsets'); checked = true; }
    return { segments: mlsdSegments(s, o, gh, gw), centres: s.filter((v) => v > MLSD_THRESHOLDS.score).length };
  };
  const head = [
    `hallway.png (the stored input). Lines: M-LSD's reference post-processing (centre score > ${MLSD_THRESHOLDS.score}, length > ${MLSD_THRESHOLDS.length} output pixels = ${2 * MLSD_THRESHOLDS.length} input pixels); a line matches a dense one when both endpoints lie within ${SEGMENT_TOLERANCE} output pixels (${2 * SEGMENT_TOLERANCE} input pixels). Calibration (wanda, sparsegpt): the same image mirrored left–right (no overlap with the evaluated image, but the same scene).`,
    '',
    `| pattern | method | lines | matching dense lines | lines not in dense | centres > ${MLSD_THRESHOLDS.score} | ${COST_HEAD} |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  await eachVariant(entry, {}, calib, feeds, LARGE_PLAN, score, (v, l, d, cost) => {
    const matched = matchSegments(d.segments, l.segments, SEGMENT_TOLERANCE);
    return `| ${v.pattern} | ${v.method} | ${l.segments.length} | ${v.method === '-' ? '-' : `${matched} of ${d.segments.length}`} | ${l.segments.length - matched} | ${l.centres} | ${cost} |`;
  }, (rows) => writeRows('real-mlsd', head, rows, ROW_ORDER.length, run, 'mlsd'));
}

/** The tasks `--real` or `--real=a,b` asks for (none without the flag). */
export function realTasks(argv: readonly string[]): RealTask[] {
  const flag = argv.find((a) => a === '--real' || a.startsWith('--real='));
  if (flag === undefined) return [];
  if (flag === '--real') return [...REAL_TASKS];
  const asked = flag.slice('--real='.length).split(',');
  const unknown = asked.filter((t) => !(REAL_TASKS as readonly string[]).includes(t));
  if (unknown.length > 0) throw new Error(`--real: unknown task(s) ${unknown.join(', ')} (have ${REAL_TASKS.join(', ')})`);
  return asked as RealTask[];
}

const SECTIONS: Record<RealTask, () => Promise<void>> = { wakeword: wakeWordSection, vad: vadSection, mlsd: mlsdSection };

/** Runs the asked tasks, each rewriting its section. */
export async function realSection(tasks: readonly RealTask[]): Promise<void> {
  for (const t of tasks) await SECTIONS[t]();
  log('wrote docs/accuracy.md');
}
