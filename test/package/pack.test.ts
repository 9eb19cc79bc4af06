// Acceptance 1 of issue 8: the package a separate project installs. `npm pack` (the dist/ that
// `npm test` just built; --ignore-scripts so pack does not rebuild it), `npm install <tarball>`
// into a fresh project offline (its dependencies come from the npm cache), then, from that
// project: an ESM script compiles digits_cnn with `spc/compiler`, runs it with `spc/runtime` and
// with the generated dispatch module (importing `spc/runtime/dispatch` and kernels through the
// package exports), and the installed `spc` bin answers --help. Oracles: the repository's own
// compiler (same bytes in → same artifact out), onnxruntime's logits in the corpus (dense) and the
// interpreter (dispatch outputs bit for bit). 15–30 s here (two shared cores), mostly pack + install.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { compileFile } from '../../compiler/compile.js';
import { DIGITS_DIR, REPO_ROOT } from '../helpers/corpus.js';
import { readNpy, tempDir } from '../helpers/files.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const IMAGES = 5;

/** The consumer's script: prints JSON with the compiled artifact, outputs and dispatch outputs. */
const MAIN = `
import { readFileSync, writeFileSync } from 'node:fs';
import { compile, SPC_VERSION } from 'spc/compiler';
import { loadModel, parseArtifact } from 'spc/runtime';

const [onnxPath, xPath, outDir] = process.argv.slice(2);
const xb = readFileSync(xPath);
const x = new Float32Array(xb.buffer.slice(xb.byteOffset, xb.byteOffset + xb.length));
const results = {};
for (const [label, options] of [['dense', {}], ['2:4', { pattern: '2:4' }]]) {
  const r = compile(new Uint8Array(readFileSync(onnxPath)), { name: 'digits_cnn', inputShapes: { input: [1, 1, 8, 8] }, ...options });
  writeFileSync(outDir + '/' + label + '.spm', r.artifact);
  writeFileSync(outDir + '/' + label + '.dispatch.ts', r.dispatch);
  const model = await loadModel(r.artifact);
  const logits = [];
  for (let i = 0; i < x.length / 64; i++) {
    const out = await model.run({ input: x.subarray(i * 64, (i + 1) * 64) });
    logits.push(Array.from(out.logits.data));
  }
  model.dispose();
  results[label] = { logits, layers: r.report.length, kernels: parseArtifact(r.artifact).nodes.map((n) => n.kernel) };
}
console.log(JSON.stringify({ version: SPC_VERSION, results }));
`;

/** Runs the 2:4 dispatch module (transpiled to JS, its spc/... imports resolved by the package). */
const RUN_DISPATCH = `
import { readFileSync } from 'node:fs';
import { load } from './model.dispatch.mjs';
const [spmPath, xPath] = process.argv.slice(2);
const xb = readFileSync(xPath);
const x = new Float32Array(xb.buffer.slice(xb.byteOffset, xb.byteOffset + xb.length));
const model = await load(new Uint8Array(readFileSync(spmPath)));
const logits = [];
for (let i = 0; i < x.length / 64; i++) logits.push(Array.from((await model.run({ input: x.subarray(i * 64, (i + 1) * 64) })).logits.data));
console.log(JSON.stringify(logits));
`;

describe('package: npm pack, install into a temp project, use both entry points and the bin', function () {
  this.timeout(120_000);
  let dir: string;
  let tarball: string;
  let app: string;
  let files: string[] = [];

  before(function () {
    dir = tempDir('spc-pack-');
    const packed = JSON.parse(execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string; files: { path: string }[] }[];
    tarball = join(dir, packed[0].filename);
    files = packed[0].files.map((f) => f.path);
    app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'spc-consumer', version: '1.0.0', private: true, type: 'module' }));
    // Offline first (after `npm ci` the dependencies are in the npm cache); the registry only if one is missing.
    let r = spawnSync(NPM, ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, encoding: 'utf8' });
    if (r.status !== 0 && /ENOTCACHED/.test(r.stderr)) {
      r = spawnSync(NPM, ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, encoding: 'utf8' });
    }
    assert.equal(r.status, 0, `npm install of the packed tarball failed:\n${r.stderr}`);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ships dist, the bin and the schemas, not tests, scripts or sources', () => {
    for (const f of ['bin/spc.js', 'package.json', 'dist/runtime/index.js', 'dist/runtime/index.d.ts', 'dist/compiler/index.js', 'dist/compiler/index.d.ts',
      'dist/runtime/executor/dispatch.js', 'dist/compiler/analysis/profiles/default.json']) {
      assert.ok(files.includes(f), `tarball lacks ${f}`);
    }
    const stray = files.filter((f) => /^(test|dist\/test|dist\/scripts|scripts|compiler|runtime|samples)\//.test(f) || /\.test\.|\.ts$/.test(f.replace(/\.d\.ts$/, '')));
    assert.deepEqual(stray, []);
  });

  it('compiles with spc/compiler and runs with spc/runtime and the generated dispatch module', () => {
    const x = readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
    const ref = readNpy(join(DIGITS_DIR, 'digits_cnn.output.npy'));
    const xs = (x.data as Float32Array).slice(0, IMAGES * 64);
    const xPath = join(dir, 'x.f32');
    writeFileSync(xPath, xs);
    writeFileSync(join(app, 'main.mjs'), MAIN);
    const out = execFileSync(process.execPath, ['main.mjs', join(DIGITS_DIR, 'digits_cnn.onnx'), xPath, dir], { cwd: app, encoding: 'utf8' });
    const got = JSON.parse(out) as { version: string; results: Record<string, { logits: number[][]; layers: number; kernels: string[] }> };
    assert.equal(got.version, JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);

    // Same bytes as this repository's compiler on the same model and options.
    for (const [label, options] of [['dense', {}], ['2:4', { pattern: '2:4' }]] as const) {
      const mine = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { inputShapes: { input: [1, 1, 8, 8] }, ...options });
      assert.deepEqual(new Uint8Array(readFileSync(join(dir, `${label}.spm`))), mine.artifact, `${label}: artifact differs from compileFile's`);
      assert.equal(got.results[label].layers, mine.report.length);
    }
    // Dense logits against onnxruntime's.
    const refLogits = ref.data as Float32Array;
    got.results.dense.logits.forEach((row, i) => row.forEach((v, j) => {
      assert.ok(Math.abs(v - refLogits[i * 10 + j]) < 1e-4, `image ${i} logit ${j}: ${v} vs onnxruntime ${refLogits[i * 10 + j]}`);
    }));

    // The 2:4 dispatch module, transpiled as an app's build would, importing spc/runtime/* from node_modules.
    const js = transformSync(readFileSync(join(dir, '2:4.dispatch.ts'), 'utf8'), { loader: 'ts', format: 'esm' }).code;
    assert.match(js, /from "spc\/runtime\/dispatch"/);
    writeFileSync(join(app, 'model.dispatch.mjs'), js);
    writeFileSync(join(app, 'run-dispatch.mjs'), RUN_DISPATCH);
    const viaDispatch = JSON.parse(execFileSync(process.execPath, ['run-dispatch.mjs', join(dir, '2:4.spm'), xPath], { cwd: app, encoding: 'utf8' })) as number[][];
    assert.deepEqual(viaDispatch, got.results['2:4'].logits);
  });

  it('types: a TypeScript app type-checks against both entry points, and a misuse is an error', () => {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2022', 'DOM'], types: [] }, files: ['typed.ts'] }));
    const good = [
      "import { loadModel, type Model, type TensorView } from 'spc/runtime';",
      "import { compile, type CompileResult, type CompileLayerReport } from 'spc/compiler';",
      "const r: CompileResult = compile(new Uint8Array(0), { name: 'm', pattern: '2:4' });",
      'const rows: readonly CompileLayerReport[] = r.report;',
      'const src: string = r.dispatch;',
      'const model: Promise<Model> = loadModel(r.artifact, { wasm: false });',
      'export async function first(): Promise<TensorView | undefined> { return Object.values(await (await model).run({ input: new Float32Array(64) }))[0]; }',
      'export { rows, src };',
      '',
    ].join('\n');
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    writeFileSync(join(app, 'typed.ts'), good);
    const ok = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    writeFileSync(join(app, 'typed.ts'), `${good}export const bad: number = loadModel;\n`);
    const bad = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stdout, /typed\.ts.*error TS2322/);
  });

  it('installs the spc bin', () => {
    const r = spawnSync(join(app, 'node_modules', '.bin', 'spc'), ['--help'], { cwd: app, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: spc/);
    assert.match(r.stdout, /compile/);
  });
});
