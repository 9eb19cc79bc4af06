// `npm run fuzz [-- --time S] [--cases N] [--seed S] [--jobs J] [--cli N] [--artifact-cases N] [--replay K]
// [--replay-artifact K]`: a mutation-fuzzing campaign over the corpus. ONNX cases (corpus and ONNX
// node-test models, byte-level and structured mutations, dense and pruning options) run through
// the in-process compile API in worker threads, each bounded in time, and what compiles is loaded
// and run on zeros (a RunError or KernelError is a fair refusal there); a smaller sample runs the
// `spc compile` CLI and checks exit codes and that a failed run leaves no file; artifact cases
// damage compiled .spm files (structure-aware edits of the decoded contents re-encoded with a
// valid checksum, and byte edits) and parse, load and run each in a worker with inputs of the
// declared shapes: refusals with the runtime's own errors (ArtifactError, RunError, KernelError)
// are fair, any other exception, a dead worker or a hang is not. ONNX cases run until --cases or
// --time (default 60 s, none when only --cases is given). Every case is reproducible from
// (seed, index): `--replay K` reruns ONNX case K, `--replay-artifact K` artifact case K. Exit
// code 1 on any crash, hang or leftover file.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { compileFile } from '../compiler/compile.js';
import { parseArtifact } from '../runtime/loader/load.js';
import { ROOT } from './bench/corpus.js';
import { artifactCase, mutateArtifact, onnxCase } from './fuzz/cases.js';
import { compileCase, OPTION_PRESETS, pickSeed, seedModels } from './fuzz/compile-case.js';
import type { CaseResult } from './fuzz/compile-case.js';
import { mutateModel } from './fuzz/mutate-onnx.js';
import { loadAndRun, runArtifact } from './fuzz/run-case.js';
import type { LoadRunResult } from './fuzz/run-case.js';
import type { WorkerMessage } from './fuzz/worker.js';

interface Args { time: number; cases: number; seed: number; jobs: number; cli: number; artifactCases: number; caseTimeout: number; replay?: number; replayArtifact?: number; save: string }

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { time: NaN, cases: Infinity, seed: 1, jobs: 1, cli: 40, artifactCases: 2000, caseTimeout: 60, save: join(tmpdir(), 'spc-fuzz-failures') };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const num = Number(value);
    if (value === undefined || (flag !== '--save' && !Number.isFinite(num))) throw new Error(`${flag}: expected a number`);
    switch (flag) {
      case '--time': args.time = num; break;
      case '--cases': args.cases = num; break;
      case '--seed': args.seed = num; break;
      case '--jobs': args.jobs = Math.max(1, num); break;
      case '--cli': args.cli = num; break;
      case '--artifact-cases': args.artifactCases = num; break;
      case '--case-timeout': args.caseTimeout = num; break;
      case '--replay': args.replay = num; break;
      case '--replay-artifact': args.replayArtifact = num; break;
      case '--save': args.save = value; break;
      default: throw new Error(`unknown option ${flag} (see the header of scripts/fuzz.ts)`);
    }
  }
  // A case count alone runs that many cases; otherwise the campaign is bounded in time.
  if (Number.isNaN(args.time)) args.time = args.cases === Infinity ? 60 : Infinity;
  return args;
}

const CORPUS = join(ROOT, '..', 'shared', 'corpus');
const seeds = seedModels(CORPUS);
const seedBytes = new Map<string, Uint8Array>();

function caseInput(seed: number, index: number): { bytes: Uint8Array; preset: number; model: string; description: string } {
  const c = onnxCase(seed, index);
  const model = pickSeed(seeds, c.model);
  let original = seedBytes.get(model.path);
  if (!original) { original = new Uint8Array(readFileSync(model.path)); seedBytes.set(model.path, original); }
  return { bytes: mutateModel(original, c.mutations), preset: c.preset, model: model.name, description: JSON.stringify(c) };
}

interface Failure { kind: string; index: number; model: string; description: string; message: string }

/**
 * Runs cases 0, 1, … in `jobs` worker threads while `more()` says so: `message(index)` builds a
 * case (undefined: skip it), `settle(index, reply)` records its answer, or 'hung' when none came
 * within the case timeout. A worker that hangs or dies (its reply then says 'worker died') is
 * replaced. Returns how many cases were taken.
 */
async function inWorkers<R>(args: Args, more: (next: number) => boolean, message: (index: number) => WorkerMessage | undefined,
  settle: (index: number, reply: R | 'hung' | { died: string }) => void): Promise<number> {
  let next = 0;
  const dirs: string[] = [];
  const runWorker = async (): Promise<void> => {
    const dir = mkdtempSync(join(tmpdir(), 'spc-fuzz-'));
    dirs.push(dir);
    const spawn = (): Worker => new Worker(new URL('./fuzz/worker.js', import.meta.url), { workerData: { dir } });
    let worker = spawn();
    while (more(next)) {
      const index = next++;
      const msg = message(index);
      if (msg === undefined) continue;
      const reply = await new Promise<R | 'hung' | { died: string }>((resolve) => {
        const timer = setTimeout(() => resolve('hung'), args.caseTimeout * 1000);
        const onMessage = (r: R): void => { clearTimeout(timer); worker.off('error', onError); resolve(r); };
        const onError = (e: Error): void => { clearTimeout(timer); worker.off('message', onMessage); resolve({ died: `worker died: ${e.stack ?? e.message}` }); };
        worker.once('message', onMessage);
        worker.once('error', onError);
        worker.postMessage(msg);
      });
      if (reply === 'hung' || (typeof reply === 'object' && reply !== null && 'died' in reply)) {
        await worker.terminate();
        worker = spawn();
      }
      settle(index, reply);
    }
    await worker.terminate();
  };
  await Promise.all(Array.from({ length: args.jobs }, () => runWorker()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  return next;
}

/** Runs ONNX cases 0, 1, … in `jobs` workers until the case count or the time budget runs out. */
async function runOnnxCases(args: Args, failures: Failure[]): Promise<{ counts: Record<string, number>; ran: number; slowest: number; slowestCase: number; reasons: Map<string, number> }> {
  const counts: Record<string, number> = { compiled: 0, rejected: 0, crashed: 0, hung: 0 };
  const reasons = new Map<string, number>();
  const deadline = Date.now() + args.time * 1000;
  let slowest = 0;
  let slowestCase = -1;
  const inputs = new Map<number, ReturnType<typeof caseInput>>();
  const ran = await inWorkers<CaseResult & { ms: number }>(args, (next) => next < args.cases && Date.now() < deadline, (index) => {
    const input = caseInput(args.seed, index);
    inputs.set(index, input);
    return { id: index, kind: 'onnx', bytes: input.bytes, preset: input.preset };
  }, (index, reply) => {
    const input = inputs.get(index)!;
    inputs.delete(index);
    const result = typeof reply === 'object' && 'died' in reply ? { outcome: 'crashed' as const, message: reply.died, ms: 0 } : reply;
    const outcome = result === 'hung' ? 'hung' : result.outcome;
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if (result !== 'hung' && result.ms > slowest) { slowest = result.ms; slowestCase = index; }
    if (outcome === 'rejected' && result !== 'hung') {
      const reason = rejectionKind(result.message ?? '');
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    if (outcome === 'crashed' || outcome === 'hung') {
      const message = result === 'hung' ? `no answer within ${args.caseTimeout} s` : result.message ?? '';
      failures.push({ kind: outcome, index, model: input.model, description: input.description, message });
      saveFailure(args, `onnx-${index}`, input.bytes, input.description, message);
    }
    const done = Object.values(counts).reduce((a, b) => a + b, 0);
    if (done % 500 === 0) process.stderr.write(`fuzz: ${done} ONNX cases, ${JSON.stringify(counts)}\n`);
  });
  return { counts, ran, slowest, slowestCase, reasons };
}

/** A rejection message with the file, quoted names and numbers blanked, to tally what kinds of problem were found. */
function rejectionKind(message: string): string {
  return message.replace(/^\S*fuzzed\.onnx: /, '').replace(/'[^']*'/g, "'…'").replace(/\[[^\]]*\]/g, '[…]').replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, 'N')
    .replace(/\(protobuf: .*\)$/, '(protobuf: …)').slice(0, 100);
}

function saveFailure(args: Args, name: string, bytes: Uint8Array, description: string, message: string): void {
  mkdirSync(args.save, { recursive: true });
  writeFileSync(join(args.save, `seed${args.seed}-${name}.bin`), bytes);
  writeFileSync(join(args.save, `seed${args.seed}-${name}.txt`), `${description}\n\n${message}\n`);
}

/**
 * The CLI sample: `spc compile` on cases spread over the campaign. Exit 0 must leave exactly the
 * artifact (which loads) and the dispatch module; exit 1 must print `spc: error: <file>: …` and
 * leave the output folder empty; anything else (2, 70, a signal) is a failure.
 */
function runCliSample(args: Args, ran: number, failures: Failure[]): Record<string, number> {
  const counts: Record<string, number> = { exit0: 0, exit1: 0, bad: 0 };
  const root = mkdtempSync(join(tmpdir(), 'spc-fuzz-cli-'));
  const bin = join(ROOT, 'bin', 'spc.js');
  try {
    for (let k = 0; k < args.cli; k++) {
      const index = Math.floor((k * Math.max(ran, args.cli)) / args.cli);
      const input = caseInput(args.seed, index);
      const dir = join(root, String(k));
      const out = join(dir, 'out');
      mkdirSync(dir);
      const model = join(dir, 'fuzzed.onnx');
      writeFileSync(model, input.bytes);
      const r = spawnSync(process.execPath, [bin, 'compile', model, '-o', out, '-q', ...OPTION_PRESETS[input.preset]!.args], { encoding: 'utf8', timeout: args.caseTimeout * 1000 });
      const left = (() => { try { return readdirSync(out).sort(); } catch { return []; } })();
      let problem: string | undefined;
      if (r.status === 0) {
        if (left.join(' ') !== 'fuzzed.dispatch.ts fuzzed.spm') problem = `exit 0 but the output folder holds [${left.join(', ')}]`;
        else {
          try { parseArtifact(new Uint8Array(readFileSync(join(out, 'fuzzed.spm')))); } catch (e) { problem = `exit 0 but the artifact does not load: ${(e as Error).message}`; }
        }
        counts.exit0!++;
      } else if (r.status === 1) {
        if (!/^spc: error: .*fuzzed\.onnx/.test(r.stderr)) problem = `exit 1 without a message naming the file: ${r.stderr.slice(0, 300)}`;
        else if (left.length > 0) problem = `exit 1 but the output folder holds [${left.join(', ')}]`;
        counts.exit1!++;
      } else {
        problem = `exit ${r.status ?? r.signal}: ${r.stderr.slice(0, 600)}`;
      }
      if (problem) {
        counts.bad!++;
        failures.push({ kind: 'cli', index, model: input.model, description: input.description, message: problem });
        saveFailure(args, `cli-${index}`, input.bytes, input.description, problem);
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return counts;
}

/** The artifacts the artifact cases damage: four corpus models, dense and three pruned forms each. */
function baseArtifacts(): Uint8Array[] {
  return ['digits/digits_cnn.onnx', 'digits/digits_mlp.onnx', 'models/mlp3.onnx', 'models/transformer_enc2.onnx']
    .flatMap((m) => [{}, { pattern: '2:4' }, { pattern: 'unstructured', sparsity: 0.8 }, { pattern: 'block:4x1', sparsity: 0.75 }]
      .map((o) => compileFile(join(CORPUS, m), o).artifact));
}

/** Artifact case `index`: its bytes (undefined when the writer cannot encode its structure edits) and its description. */
function artifactInput(artifacts: readonly Uint8Array[], seed: number, index: number): { bytes?: Uint8Array; base: number; description: string } {
  const c = artifactCase(seed, index);
  const base = c.artifact % artifacts.length;
  return { bytes: mutateArtifact(artifacts[base]!, c), base, description: JSON.stringify(c) };
}

/**
 * Artifact cases, in workers: each damaged artifact is parsed, loaded and run once on zeros of
 * its declared input shapes; refused with the runtime's own errors at any stage is fair, any
 * other exception, a dead worker or a hang is a failure.
 */
async function runArtifactCases(args: Args, failures: Failure[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = { unencodable: 0, 'refused at parse': 0, 'refused at load': 0, 'refused at run': 0, 'loaded (inputs too large to run)': 0, 'loaded and ran': 0, crashed: 0, hung: 0 };
  if (args.artifactCases <= 0) return counts;
  const artifacts = baseArtifacts();
  const inputs = new Map<number, ReturnType<typeof artifactInput>>();
  let slowest = 0;
  await inWorkers<LoadRunResult & { ms: number }>(args, (next) => next < args.artifactCases, (index) => {
    const input = artifactInput(artifacts, args.seed, index);
    if (input.bytes === undefined) { counts.unencodable!++; return undefined; }
    inputs.set(index, input);
    return { id: index, kind: 'artifact', bytes: input.bytes };
  }, (index, reply) => {
    const input = inputs.get(index)!;
    inputs.delete(index);
    let problem: string | undefined;
    if (reply === 'hung') { counts.hung!++; problem = `no answer within ${args.caseTimeout} s`; }
    else if ('died' in reply) { counts.crashed!++; problem = reply.died; }
    else {
      slowest = Math.max(slowest, reply.ms);
      if (reply.outcome === 'crashed') { counts.crashed!++; problem = `${reply.stage}: ${reply.message}`; }
      else if (reply.outcome === 'refused') counts[`refused at ${reply.stage}`]!++;
      else counts[reply.outcome === 'ran' ? 'loaded and ran' : 'loaded (inputs too large to run)']!++;
    }
    if (problem !== undefined) {
      failures.push({ kind: reply === 'hung' ? 'artifact-hung' : 'artifact', index, model: `artifact ${input.base}`, description: input.description, message: problem });
      saveFailure(args, `artifact-${index}`, input.bytes!, input.description, problem);
    }
    const done = index + 1;
    if (done % 500 === 0) process.stderr.write(`fuzz: ${done} artifact cases, ${JSON.stringify(counts)}\n`);
  });
  return { ...counts, slowestMs: Math.round(slowest) };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.replayArtifact !== undefined) {
    const input = artifactInput(baseArtifacts(), args.seed, args.replayArtifact);
    if (input.bytes === undefined) { process.stdout.write(`artifact case ${args.replayArtifact}: the writer cannot encode it (${input.description})\n`); return 0; }
    const dir = mkdtempSync(join(tmpdir(), 'spc-fuzz-replay-'));
    writeFileSync(join(dir, 'case.spm'), input.bytes);
    const r = await loadAndRun(input.bytes);
    process.stdout.write(`artifact case ${args.replayArtifact} (seed ${args.seed}) on artifact ${input.base}: ${input.description}\n→ ${r.outcome} at ${r.stage}` +
      `${r.message ? `: ${r.message}` : ''}\nmutated artifact: ${join(dir, 'case.spm')}\n`);
    return r.outcome === 'crashed' ? 1 : 0;
  }
  if (args.replay !== undefined) {
    const input = caseInput(args.seed, args.replay);
    const dir = mkdtempSync(join(tmpdir(), 'spc-fuzz-replay-'));
    const started = performance.now();
    const r = compileCase(input.bytes, input.preset, dir);
    const compiled = performance.now();
    const crash = r.artifact ? await runArtifact(r.artifact) : undefined;
    const ran = performance.now();
    writeFileSync(join(dir, 'case.txt'), input.description);
    process.stdout.write(`case ${args.replay} (seed ${args.seed}) on ${input.model}: ${input.description}\n→ ${r.outcome}${r.message ? `: ${r.message}` : ''}` +
      ` (compile ${Math.round(compiled - started)} ms${r.artifact ? `, run ${Math.round(ran - compiled)} ms${crash ? `: ${crash}` : ''}` : ''})\nmutated model: ${join(dir, 'fuzzed.onnx')}\n`);
    return r.outcome === 'crashed' || crash ? 1 : 0;
  }
  const failures: Failure[] = [];
  const started = Date.now();
  const onnx = await runOnnxCases(args, failures);
  const onnxSeconds = (Date.now() - started) / 1000;
  const cliStarted = Date.now();
  const cli = runCliSample(args, onnx.ran, failures);
  const cliSeconds = (Date.now() - cliStarted) / 1000;
  const artStarted = Date.now();
  const artifact = await runArtifactCases(args, failures);
  const artSeconds = (Date.now() - artStarted) / 1000;
  const lines = [
    `seed ${args.seed}, ${seeds.length} seed models (${seeds.filter((s) => !s.name.startsWith('onnx-node-tests')).length} corpus models + ONNX node tests), ${args.jobs} worker(s)`,
    `ONNX, compile API: ${onnx.ran} cases in ${onnxSeconds.toFixed(1)} s: ${Object.entries(onnx.counts).map(([k, v]) => `${k} ${v}`).join(', ')}; slowest case ${Math.round(onnx.slowest)} ms (case ${onnx.slowestCase})`,
    `ONNX, spc compile CLI: ${args.cli} cases in ${cliSeconds.toFixed(1)} s: ${Object.entries(cli).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `artifacts, parse → load → run: ${args.artifactCases} cases in ${artSeconds.toFixed(1)} s: ${Object.entries(artifact).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  const top = [...onnx.reasons].sort((x, y) => y[1] - x[1]);
  lines.push(`ONNX rejections: ${top.length} kinds of message; the most frequent:`, ...top.slice(0, 12).map(([k, v]) => `  ${String(v).padStart(6)}  ${k}`));
  process.stdout.write(lines.join('\n') + '\n');
  for (const f of failures.slice(0, 20)) {
    process.stdout.write(`FAIL ${f.kind} case ${f.index} (${f.model}): ${f.description}\n  ${f.message.split('\n').slice(0, 3).join('\n  ')}\n`);
  }
  if (failures.length > 0) process.stdout.write(`${failures.length} failure(s); inputs saved in ${args.save}; rerun one with --seed ${args.seed} --replay <case> (ONNX) or --replay-artifact <case>\n`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
