// `npm run size`: the runtime's weight in an app, as an app would ship it. For each case it
// writes a tiny browser app into a temp folder (`spc-runtime...` resolved through
// runtime/package.json's exports to the repository build, scripts/runtime-exports.ts),
// bundles it with esbuild (bundle, minify, ESM, platform browser), gzips the bundle (node:zlib,
// level 9) and prints a table. The WebAssembly kernel families the app's kernels import are
// embedded in the bundle (base64 in runtime/kernels/wasm/modules/<family>.wasm.ts); the table
// shows their share. The model's .spm is data
// the app fetches, not runtime: shown for scale, not counted.
//
// Cases: the generated dispatch module of digits_cnn and mlp3 compiled at 2:4 (it imports only
// the kernels its model uses) and the generic `loadModel` app (every kernel). Each bundle is then
// run in Node on a real input and must give the interpreter's outputs bit for bit (a bundle that
// tree-shaking broke fails here). Exit 1 when a 2:4 dispatch app is over BUDGET_BYTES gzipped.
//
// `--json` prints the rows as JSON; `--inputs` lists each bundle's largest inputs (metafile).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { compileFile } from '../compiler/compile.js';
import { loadModel } from '../runtime/index.js';
import { WASM_MODULES } from '../runtime/kernels/wasm/modules/index.js';
import { ROOT } from './bench/corpus.js';
import { repoRuntimeFile } from './runtime-exports.js';

/**
 * The runtime of a 2:4 model, JS plus WASM, minified and gzipped: issue 8's acceptance. The
 * WebAssembly kernels are one module per kernel family (scripts/wasm-families.mjs), so an app
 * embeds only the families its kernels call, and the int8, transformer and stem kernels no longer
 * weigh on a CNN's app (digits_cnn's dispatch app went 63.6 → 54.8 KB with the split).
 */
export const BUDGET_BYTES = 60 * 1024;

export interface SizeRow {
  readonly app: string;
  /** 'dispatch' (generated module, budgeted) or 'loadModel' (generic, every kernel). */
  readonly kind: 'dispatch' | 'loadModel';
  readonly minBytes: number;
  readonly gzipBytes: number;
  /** Bytes of WebAssembly the bundle embeds (0 when it runs no wasmsimd kernel). */
  readonly wasmBytes: number;
  /** The kernel families (WebAssembly modules) the bundle embeds. */
  readonly wasmFamilies: readonly string[];
  /** The model's .spm (fetched by the app; not part of the runtime). */
  readonly spmBytes: number;
  /** Kernel modules in the bundle (paths under runtime/kernels/). */
  readonly kernelModules: readonly string[];
  /** The largest inputs by bytes in the output, largest first. */
  readonly topInputs: readonly { readonly path: string; readonly bytes: number }[];
  readonly withinBudget: boolean;
}

export interface Case {
  readonly app: string;
  readonly kind: SizeRow['kind'];
  readonly model: string;
  readonly pattern: string;
}

export const CASES: readonly Case[] = [
  { app: 'digits_cnn 2:4 dispatch', kind: 'dispatch', model: join(ROOT, '..', 'shared', 'corpus', 'digits', 'digits_cnn.onnx'), pattern: '2:4' },
  { app: 'mlp3 2:4 dispatch', kind: 'dispatch', model: join(ROOT, '..', 'shared', 'corpus', 'models', 'mlp3.onnx'), pattern: '2:4' },
  { app: 'digits_cnn 2:4 loadModel', kind: 'loadModel', model: join(ROOT, '..', 'shared', 'corpus', 'digits', 'digits_cnn.onnx'), pattern: '2:4' },
];

/** The app: exports predict(bytes, input) so the bundle can be run and checked. */
function appSource(kind: Case['kind']): string {
  const load = kind === 'dispatch' ? "import { load } from './model.dispatch.ts';" : "import { loadModel as load } from 'spc-runtime';";
  return [
    load,
    'export async function predict(bytes: Uint8Array, input: Float32Array): Promise<Float32Array> {',
    '  const model = await load(bytes);',
    '  const out = await model.run({ [model.inputs[0]!.name]: input });',
    '  model.dispose();',
    '  return out[model.outputs[0]!.name]!.data as Float32Array;',
    '}',
    '',
  ].join('\n');
}

/** Bundles the app in `dir` as an app would; returns the minified bundle and its metafile. */
export async function bundleApp(dir: string, entry: string): Promise<{ code: Uint8Array; metafile: Metafile }> {
  const r = await build({
    entryPoints: [join(dir, entry)], absWorkingDir: dir, bundle: true, minify: true, format: 'esm', platform: 'browser',
    target: 'es2022', write: false, metafile: true, logLevel: 'silent', legalComments: 'none',
    plugins: [{
      name: 'spc-runtime',
      setup: (b) => b.onResolve({ filter: /^spc-runtime(\/|$)/ }, (args) => ({ path: repoRuntimeFile(args.path)! })),
    }],
  });
  return { code: r.outputFiles[0].contents, metafile: r.metafile };
}

/** A temp folder for an app (its `spc-runtime` imports are resolved by bundleApp). */
export function appDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Metafile input paths relative to this package (esbuild reports them relative to the app folder). */
export function inputPaths(dir: string, metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).map((p) => relative(ROOT, join(dir, p)));
}

async function measure(c: Case): Promise<SizeRow> {
  const compiled = compileFile(c.model, { pattern: c.pattern });
  const dir = appDir('spc-size-');
  try {
    writeFileSync(join(dir, 'model.dispatch.ts'), compiled.dispatch);
    writeFileSync(join(dir, 'app.ts'), appSource(c.kind));
    const { code, metafile } = await bundleApp(dir, 'app.ts');
    const out = metafile.outputs[Object.keys(metafile.outputs)[0]];
    const paths = inputPaths(dir, metafile);
    const kernelModules = paths.filter((p) => p.startsWith('dist/runtime/kernels/')).map((p) => p.slice('dist/runtime/kernels/'.length).replace(/\.js$/, '')).sort();
    const families = WASM_MODULES.filter((m) => kernelModules.includes(`wasm/modules/${m.family}.wasm`));
    const wasmBytes = families.reduce((n, m) => n + Buffer.from(m.simd, 'base64').length + Buffer.from(m.relaxedDelta, 'base64').length, 0);
    const topInputs = Object.entries(out.inputs)
      .map(([p, v]) => ({ path: relative(ROOT, join(dir, p)), bytes: v.bytesInOutput }))
      .sort((a, b) => b.bytes - a.bytes).slice(0, 8);

    // The bundle must still compute what the interpreter does.
    writeFileSync(join(dir, 'bundle.mjs'), code);
    const app = await import(pathToFileURL(join(dir, 'bundle.mjs')).href) as { predict(b: Uint8Array, x: Float32Array): Promise<Float32Array> };
    const reference = await loadModel(compiled.artifact);
    const info = reference.inputs[0];
    const x = new Float32Array(info.shape.reduce((a, d) => a * d, 1)).map((_, i) => Math.sin(i * 0.37));
    const want = (await reference.run({ [info.name]: x }))[reference.outputs[0].name].data as Float32Array;
    const got = await app.predict(compiled.artifact, x);
    reference.dispose();
    if (got.length !== want.length || got.some((v, i) => !Object.is(v, want[i]))) {
      throw new Error(`size: the bundled ${c.app} app computes other outputs than the interpreter`);
    }
    const gzipBytes = gzipSync(code, { level: 9 }).length;
    return {
      app: c.app, kind: c.kind, minBytes: code.length, gzipBytes, wasmBytes, wasmFamilies: families.map((m) => m.family), spmBytes: compiled.artifact.length,
      kernelModules, topInputs, withinBudget: c.kind !== 'dispatch' || gzipBytes <= BUDGET_BYTES,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureSizes(): Promise<SizeRow[]> {
  const rows: SizeRow[] = [];
  for (const c of CASES) rows.push(await measure(c));
  return rows;
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

export function formatSizes(rows: readonly SizeRow[], inputs = false): string {
  const head = ['app', 'minified', 'gzipped', 'wasm embedded', 'wasm families', 'kernel modules', '.spm (data)'];
  const body = rows.map((r) => [r.app, kb(r.minBytes), kb(r.gzipBytes), r.wasmBytes ? kb(r.wasmBytes) : '-', String(r.wasmFamilies.length), String(r.kernelModules.length), kb(r.spmBytes)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = [line(head), ...body.map(line)];
  if (inputs) {
    for (const r of rows) {
      lines.push('', `${r.app}: largest inputs (minified bytes in the bundle)`);
      for (const t of r.topInputs) lines.push(`  ${String(t.bytes).padStart(7)}  ${t.path}`);
    }
  }
  lines.push('', `budget: a 2:4 dispatch app ≤ ${kb(BUDGET_BYTES)} gzipped (JS plus the WASM it embeds)`);
  return lines.join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const rows = await measureSizes();
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else process.stdout.write(`${formatSizes(rows, argv.includes('--inputs'))}\n`);
  const over = rows.filter((r) => !r.withinBudget);
  for (const r of over) process.stderr.write(`size: budget exceeded: ${r.app} is ${kb(r.gzipBytes)} gzipped, over ${kb(BUDGET_BYTES)}\n`);
  return over.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
    process.stderr.write(`size: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
