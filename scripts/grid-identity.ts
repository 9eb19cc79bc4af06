// `npm run grid:identity -- --check|--write`: compiles a grid of configurations through the command
// line (bin/spc.js) and compares the sha256 of every output (.spm, .dispatch.ts, the --json report,
// emitted ONNX, HTML report) with the committed baseline (scripts/grid-identity.baseline.json), so a
// refactor can show it changed no byte (issue 15, acceptance 2).
//
// Every compile runs in a temporary folder with the corpus linked in as `corpus/`, so every path
// spc sees (and could echo) is relative: the hashes do not depend on where the repository lives.
// An output that names the temporary folder or the repository anyway is reported as an error.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { ROOT } from './bench/corpus.js';

const { onnx } = onnxProto;

export const BASELINE = join(ROOT, 'scripts', 'grid-identity.baseline.json');
const CORPUS = join(ROOT, '..', 'shared', 'corpus');
const CALIB = 'corpus/digits/digits-calib-x.npy';

export interface GridConfig {
  /** Names the configuration in the baseline and its output folder. */
  readonly name: string;
  /** The model, relative to the work folder (corpus/… or built/…). */
  readonly model: string;
  readonly args: readonly string[];
}

/** The grid: dense, every pattern, every method, --prefer size, --config, --input-value, --emit-onnx, --report. */
export const GRID: readonly GridConfig[] = [
  { name: 'digits_cnn-dense', model: 'corpus/digits/digits_cnn.onnx', args: [] },
  { name: 'digits_cnn-unstructured-0.9', model: 'corpus/digits/digits_cnn.onnx', args: ['--pattern', 'unstructured', '--sparsity', '0.9'] },
  { name: 'digits_cnn-2:4', model: 'corpus/digits/digits_cnn.onnx', args: ['--pattern', '2:4'] },
  { name: 'digits_cnn-2:4-share-rows-4', model: 'corpus/digits/digits_cnn.onnx', args: ['--pattern', '2:4', '--share-rows', '4'] },
  { name: 'digits_cnn-block-4x4', model: 'corpus/digits/digits_cnn.onnx', args: ['--pattern', 'block:4x4', '--sparsity', '0.75'] },
  { name: 'digits_cnn-channel-0.5', model: 'corpus/digits/digits_cnn.onnx', args: ['--pattern', 'channel', '--sparsity', '0.5'] },
  { name: 'digits_cnn-2:4-wanda', model: 'corpus/digits/digits_cnn.onnx', args: ['--pattern', '2:4', '--method', 'wanda', '--calib', CALIB] },
  { name: 'digits_cnn-2:4-prefer-size', model: 'corpus/digits/digits_cnn.onnx', args: ['--pattern', '2:4', '--prefer', 'size'] },
  { name: 'digits_cnn-2:4-prefer-size-report', model: 'corpus/digits/digits_cnn.onnx',
    args: ['--pattern', '2:4', '--prefer', 'size', '--report', 'report.html', '--eval-data', 'corpus/digits/digits-test-x.npy', '--eval-labels', 'corpus/digits/digits-test-y.npy'] },
  { name: 'digits_cnn-unstructured-config', model: 'corpus/digits/digits_cnn.onnx', args: ['--pattern', 'unstructured', '--sparsity', '0.8', '--config', 'built/digits-config.json'] },
  { name: 'digits_cnn-targets-js', model: 'corpus/digits/digits_cnn.onnx', args: ['--pattern', 'unstructured', '--sparsity', '0.9', '--targets', 'js,ref'] },
  { name: 'digits_mlp-dense', model: 'corpus/digits/digits_mlp.onnx', args: [] },
  { name: 'digits_mlp-2:4-sparsegpt', model: 'corpus/digits/digits_mlp.onnx', args: ['--pattern', '2:4', '--method', 'sparsegpt', '--calib', CALIB] },
  { name: 'digits_mlp-unstructured-wanda-bias', model: 'corpus/digits/digits_mlp.onnx', args: ['--pattern', 'unstructured', '--sparsity', '0.8', '--method', 'wanda', '--bias-correction', '--calib', CALIB] },
  { name: 'digits_mlp-unstructured-sensitivity', model: 'corpus/digits/digits_mlp.onnx', args: ['--pattern', 'unstructured', '--sparsity', '0.8', '--allocation', 'sensitivity', '--calib', CALIB] },
  { name: 'digits_mlp-1:4-share-rows-4-no-permute', model: 'corpus/digits/digits_mlp.onnx', args: ['--pattern', '1:4', '--share-rows', '4', '--no-permute'] },
  { name: 'mlp3-dense', model: 'corpus/models/mlp3.onnx', args: [] },
  { name: 'mlp3-2:4-emit-onnx', model: 'corpus/models/mlp3.onnx', args: ['--pattern', '2:4', '--emit-onnx', 'pruned.onnx'] },
  { name: 'mlp3-2:4-prefer-size', model: 'corpus/models/mlp3.onnx', args: ['--pattern', '2:4', '--prefer', 'size'] },
  { name: 'resnet10_w32-dense', model: 'corpus/models/resnet10_w32.onnx', args: [] },
  { name: 'resnet10_w32-unstructured-0.9', model: 'corpus/models/resnet10_w32.onnx', args: ['--pattern', 'unstructured', '--sparsity', '0.9'] },
  { name: 'reshape_mlp-input-value', model: 'built/reshape_mlp.onnx', args: ['--input-value', 'shape=built/shape.pb'] },
  { name: 'reshape_mlp-2:4-input-value-emit-onnx', model: 'built/reshape_mlp.onnx', args: ['--pattern', '2:4', '--min-params', '0', '--input-value', 'shape=built/shape.pb', '--emit-onnx', 'pruned.onnx'] },
];

/** Output file → sha256, per configuration. */
export type Baseline = Record<string, Record<string, string>>;

/** A deterministic weight in (−0.5, 0.5): the grid's built model must be the same bytes everywhere. */
function weight(i: number): number {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return Math.fround(x - Math.floor(x) - 0.5);
}

/**
 * A digits classifier whose Reshape takes its shape from a graph input (x [1,1,8,8] → [1,64] →
 * Gemm 64×64 → Relu → Gemm 64×10): it compiles only with `--input-value shape=shape.pb`.
 * Writes `dir/reshape_mlp.onnx` and `dir/shape.pb` (int64 [1, 64]).
 */
export function writeReshapeModel(dir: string): { model: string; shape: string } {
  const f32 = onnx.TensorProto.DataType.FLOAT, i64 = onnx.TensorProto.DataType.INT64;
  const vi = (name: string, elemType: number, dims: readonly number[]) => ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const init = (name: string, dims: number[], offset: number) => ({
    name, dims, dataType: f32, floatData: Array.from({ length: dims.reduce((a, d) => a * d, 1) }, (_, i) => weight(offset + i)),
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'reshape_mlp',
      input: [vi('x', f32, [1, 1, 8, 8]), vi('shape', i64, [2])],
      output: [vi('logits', f32, [1, 10])],
      initializer: [init('W1', [64, 64], 0), init('b1', [64], 10_000), init('W2', [10, 64], 20_000), init('b2', [10], 30_000)],
      node: [
        { name: 'flatten', opType: 'Reshape', input: ['x', 'shape'], output: ['flat'] },
        { name: 'fc1', opType: 'Gemm', input: ['flat', 'W1', 'b1'], output: ['h'], attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
        { name: 'relu', opType: 'Relu', input: ['h'], output: ['r'] },
        { name: 'fc2', opType: 'Gemm', input: ['r', 'W2', 'b2'], output: ['logits'], attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
      ],
    },
  });
  const modelPath = join(dir, 'reshape_mlp.onnx');
  writeFileSync(modelPath, onnx.ModelProto.encode(model).finish());
  const shapePath = join(dir, 'shape.pb');
  writeFileSync(shapePath, onnx.TensorProto.encode(onnx.TensorProto.create({ name: 'shape', dims: [2], dataType: i64, int64Data: [1, 64] })).finish());
  return { model: modelPath, shape: shapePath };
}

/** The work folder: corpus/ linked to the shared corpus, built/ holding the built model and the config file. */
function prepareWork(): string {
  const work = mkdtempSync(join(tmpdir(), 'spc-grid-'));
  symlinkSync(CORPUS, join(work, 'corpus'), 'dir');
  mkdirSync(join(work, 'built'));
  writeReshapeModel(join(work, 'built'));
  writeFileSync(join(work, 'built', 'digits-config.json'), JSON.stringify({
    layers: [{ match: '/fc1/*', pattern: '2:4' }, { match: '/conv2/*', sparsity: 0.6 }, { op: 'Gemm', match: '/fc2/*', skip: true }],
  }, null, 2) + '\n');
  return work;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Compiles one configuration; its outputs' hashes, and the problems found (failure, absolute paths). */
function runConfig(work: string, c: GridConfig): { hashes: Record<string, string>; problems: string[] } {
  const out = join('out', c.name.replace(/[^A-Za-z0-9._-]/g, '_'));
  mkdirSync(join(work, out), { recursive: true });
  // Output files named by the configuration (--emit-onnx, --report) go to its folder.
  const args = c.args.map((a) => (a === 'pruned.onnx' || a === 'report.html' ? join(out, a) : a));
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'spc.js'), 'compile', c.model, '-o', out, '--json', '-q', ...args],
    { cwd: work, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const problems: string[] = [];
  if (r.status !== 0) return { hashes: {}, problems: [`exit ${r.status}: ${r.stderr.trim()}`] };
  const stem = c.model.replace(/^.*\//, '').replace(/\.onnx$/, '');
  const files: [string, Uint8Array | string][] = [[`${stem}.spm`, readFileSync(join(work, out, `${stem}.spm`))],
    [`${stem}.dispatch.ts`, readFileSync(join(work, out, `${stem}.dispatch.ts`))], ['json', r.stdout]];
  for (const extra of ['pruned.onnx', 'report.html']) {
    if (existsSync(join(work, out, extra))) files.push([extra, readFileSync(join(work, out, extra))]);
  }
  const hashes: Record<string, string> = {};
  for (const [name, bytes] of files) {
    hashes[name] = sha256(bytes);
    const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('latin1');
    for (const path of [work, ROOT, CORPUS, tmpdir()]) {
      if (text.includes(path)) problems.push(`${name} holds the absolute path ${path}: its hash depends on the machine`);
    }
  }
  return { hashes, problems };
}

function main(argv: readonly string[]): number {
  const write = argv.includes('--write');
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  const keep = argv.includes('--keep');
  if (argv.some((a) => a.startsWith('--') && !['--write', '--check', '--only', '--keep'].includes(a))) {
    process.stderr.write('usage: grid-identity [--check | --write] [--only <substring>] [--keep]\n');
    return 2;
  }
  const configs = GRID.filter((c) => only === undefined || c.name.includes(only));
  const baseline: Baseline = existsSync(BASELINE) ? JSON.parse(readFileSync(BASELINE, 'utf8')) as Baseline : {};
  const work = prepareWork();
  let failures = 0;
  const got: Baseline = {};
  try {
    for (const c of configs) {
      const t0 = process.hrtime.bigint();
      const { hashes, problems } = runConfig(work, c);
      got[c.name] = hashes;
      const seconds = (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1);
      const want = baseline[c.name];
      const diffs = write ? [] : want === undefined ? ['not in the baseline (--write adds it)']
        : [...new Set([...Object.keys(want), ...Object.keys(hashes)])].filter((f) => want[f] !== hashes[f])
          .map((f) => `${f}: ${want[f]?.slice(0, 12) ?? 'absent'} → ${hashes[f]?.slice(0, 12) ?? 'absent'}`);
      const bad = [...problems, ...diffs];
      if (bad.length > 0) failures++;
      process.stdout.write(`${bad.length === 0 ? (write ? 'done' : 'same') : write ? 'FAIL' : 'DIFF'}  ${c.name} (${seconds} s)\n${bad.map((d) => `      ${d}\n`).join('')}`);
    }
  } finally {
    if (keep) process.stdout.write(`outputs kept in ${work}/out\n`);
    else rmSync(work, { recursive: true, force: true });
  }
  if (write && failures > 0) {
    process.stdout.write(`${failures} configuration(s) failed: baseline not written\n`);
  } else if (write) {
    const next: Baseline = only === undefined ? got : { ...baseline, ...got };
    const sorted = Object.fromEntries(GRID.filter((c) => next[c.name]).map((c) => [c.name, next[c.name]!]));
    writeFileSync(BASELINE, JSON.stringify(sorted, null, 2) + '\n');
    process.stdout.write(`wrote scripts/grid-identity.baseline.json (${Object.keys(sorted).length} configurations)\n`);
  } else {
    process.stdout.write(failures === 0 ? `all ${configs.length} configurations byte-identical to the baseline\n` : `${failures} of ${configs.length} configurations differ\n`);
  }
  return failures === 0 ? 0 : 1;
}

// Run as a script (node dist/scripts/grid-identity.js), not when a test imports writeReshapeModel.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
