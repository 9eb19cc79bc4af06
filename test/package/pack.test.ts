// Acceptance 1 of issue 20 (and of issue 8): the packages a separate project installs. Each
// workspace is staged from the build `npm test` just made (scripts/stage-packages.mjs) and packed
// with `npm pack --ignore-scripts`; the tarballs are installed into empty projects with
// `--prefer-offline` (their dependencies from the npm cache where it has them, else the registry's
// packages: a fresh machine's cache holds the tarballs `npm ci` fetched but not the registry
// metadata a semver range needs; spc-compiler's spc-runtime from its own tarball, never the
// registry; no install scripts). An app with spc-runtime alone gets flatbuffers and nothing else, at most 1.5 MB of
// node_modules, and runs an artifact (by bytes and by the generated dispatch module); an app with
// spc-compiler compiles digits_cnn and runs it with spc-runtime, type-checks against both, and
// its installed spc bin compiles and runs the sample, printing the digit. Oracles: the repository's
// own compiler (same bytes in → same artifact out), onnxruntime's logits in the corpus and the
// interpreter (dispatch outputs bit for bit). `npm test` runs the spc-runtime install (~15 s here)
// and the spc-compiler workspace's bin as `npx spc` runs it; the spc-compiler install (~60 s more on
// two shared cores) runs under `npm run test:packages` (SPC_FULL_PACKAGES=1).

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
import { compile, SPC_VERSION } from 'spc-compiler';
import { loadModel, parseArtifact } from 'spc-runtime';

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

/** Runs an .spm with spc-runtime's loadModel (bytes). */
const RUN_BYTES = `
import { readFileSync } from 'node:fs';
import { loadModel } from 'spc-runtime';
const [spmPath, xPath] = process.argv.slice(2);
const xb = readFileSync(xPath);
const x = new Float32Array(xb.buffer.slice(xb.byteOffset, xb.byteOffset + xb.length));
const model = await loadModel(new Uint8Array(readFileSync(spmPath)));
const logits = [];
for (let i = 0; i < x.length / 64; i++) logits.push(Array.from((await model.run({ input: x.subarray(i * 64, (i + 1) * 64) })).logits.data));
console.log(JSON.stringify(logits));
`;

/** Runs the 2:4 dispatch module (transpiled to JS, its spc-runtime/... imports resolved by the package). */
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

/** Packs one workspace; returns the tarball's path and file list. */
function pack(workspace: 'runtime' | 'compiler', into: string): { tarball: string; files: string[] } {
  const out = execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', into], { cwd: join(REPO_ROOT, workspace), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [packed] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(into, packed!.filename), files: packed!.files.map((f) => f.path) };
}

/** An empty ESM project in `dir` with `tarballs` installed (cache first, no install scripts). */
function installInto(dir: string, tarballs: string[]): void {
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'spc-consumer', version: '1.0.0', private: true, type: 'module' }));
  const r = spawnSync(NPM, ['install', ...tarballs, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `npm install --prefer-offline of ${tarballs.join(', ')} failed:\n${r.stderr}`);
}

function treeBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? treeBytes(p) : e.isFile() ? statSync(p).size : 0;
  }
  return n;
}

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('packages: npm pack spc-runtime and spc-compiler, install each into an empty project', function () {
  this.timeout(300_000);
  let dir: string;
  let runtime: { tarball: string; files: string[] };
  let compiler: { tarball: string; files: string[] };
  let x: Float32Array;
  let xPath: string;

  before(() => {
    dir = tempDir('spc-pack-');
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'stage-packages.mjs')], { stdio: 'inherit' });
    runtime = pack('runtime', dir);
    compiler = pack('compiler', dir);
    x = (readNpy(join(DIGITS_DIR, 'digits-test-x.npy')).data as Float32Array).slice(0, IMAGES * 64);
    xPath = join(dir, 'x.f32');
    writeFileSync(xPath, x);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('each tarball ships its compiled code, LICENSE and manifest, not tests, sources or the other package', () => {
    for (const [p, must] of [[runtime, ['package.json', 'LICENSE', 'dist/runtime/index.js', 'dist/runtime/index.d.ts', 'dist/runtime/executor/dispatch.js', 'dist/schemas/gen/spc/schema/model.js']],
      [compiler, ['package.json', 'LICENSE', 'bin/spc.js', 'dist/compiler/index.js', 'dist/compiler/index.d.ts', 'dist/compiler/cli/main.js', 'dist/compiler/analysis/profiles/default.json', 'docs/cli.md', 'schemas/recipe.schema.json']]] as const) {
      for (const f of must) assert.ok(p.files.includes(f), `${p.tarball} lacks ${f}`);
      const stray = p.files.filter((f) => /(^|\/)test\/|\.test\.|^scripts\//.test(f) || (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)));
      assert.deepEqual(stray, [], p.tarball);
    }
    assert.deepEqual(runtime.files.filter((f) => f.startsWith('dist/compiler/')), []);
    // The compiler ships the runtime it was built with (its internals are no public API of spc-runtime).
    for (const f of ['dist/runtime/index.js', 'dist/runtime/loader/load.js', 'dist/schemas/gen/spc/schema/model.js']) assert.ok(compiler.files.includes(f), `${compiler.tarball} lacks ${f}`);
    for (const p of [runtime, compiler]) assert.match(readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/, p.tarball);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'compiler', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.equal(manifest.dependencies['spc-runtime'], `^${VERSION}`, 'the dispatch modules the compiler writes import the runtime\'s public API: a semver range, no exact pin');
  });

  it('spc-runtime alone: flatbuffers its only dependency, node_modules ≤ 1.5 MB, runs an artifact by bytes and by its dispatch module', () => {
    const app = join(dir, 'runtime-app');
    installInto(app, [runtime.tarball]);
    const installed = readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.')).sort();
    assert.deepEqual(installed, ['flatbuffers', 'spc-runtime']);
    const bytes = treeBytes(join(app, 'node_modules'));
    assert.ok(bytes <= 1.5 * 1024 * 1024, `node_modules is ${bytes} bytes`);
    // Its public API resolves; its internals are not exported to anyone (no internal/* subpath).
    const resolveIn = (spec: string) => spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(spec)})`], { cwd: app, encoding: 'utf8' });
    for (const spec of ['spc-runtime', 'spc-runtime/dispatch', 'spc-runtime/kernels/wasm/env']) assert.equal(resolveIn(spec).status, 0, `${spec}: ${resolveIn(spec).stderr}`);
    const internal = resolveIn('spc-runtime/internal/runtime/loader/load');
    assert.equal(internal.status, 1);
    assert.match(internal.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);

    // Artifacts compiled by this repository; logits against onnxruntime's (dense) and the bytes path (dispatch).
    const dense = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { inputShapes: { input: [1, 1, 8, 8] } });
    const sparse = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { inputShapes: { input: [1, 1, 8, 8] }, pattern: '2:4' });
    writeFileSync(join(app, 'dense.spm'), dense.artifact);
    writeFileSync(join(app, 'sparse.spm'), sparse.artifact);
    writeFileSync(join(app, 'run.mjs'), RUN_BYTES);
    const viaBytes = JSON.parse(execFileSync(process.execPath, ['run.mjs', 'dense.spm', xPath], { cwd: app, encoding: 'utf8' })) as number[][];
    const ref = readNpy(join(DIGITS_DIR, 'digits_cnn.output.npy')).data as Float32Array;
    viaBytes.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - ref[i * 10 + j]!) < 1e-4, `image ${i} logit ${j}: ${v} vs onnxruntime ${ref[i * 10 + j]}`)));

    const js = transformSync(sparse.dispatch, { loader: 'ts', format: 'esm' }).code;
    assert.match(js, /from "spc-runtime\/dispatch"/);
    writeFileSync(join(app, 'model.dispatch.mjs'), js);
    writeFileSync(join(app, 'run-dispatch.mjs'), RUN_DISPATCH);
    const viaDispatch = JSON.parse(execFileSync(process.execPath, ['run-dispatch.mjs', 'sparse.spm', xPath], { cwd: app, encoding: 'utf8' })) as number[][];
    const sparseBytes = JSON.parse(execFileSync(process.execPath, ['run.mjs', 'sparse.spm', xPath], { cwd: app, encoding: 'utf8' })) as number[][];
    assert.deepEqual(viaDispatch, sparseBytes);
  });

  it('spc-compiler as the workspace links it (npx spc): the staged bin runs on the runtime copy it ships', () => {
    const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'spc'), ['run', '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Classifier outputs:/);
    const compiled = readFileSync(join(REPO_ROOT, 'compiler', 'dist', 'compiler', 'compile.js'), 'utf8');
    assert.match(compiled, /from '\.\.\/runtime\//);
    assert.doesNotMatch(compiled, /spc-runtime\/internal/);
  });

  (process.env.SPC_FULL_PACKAGES ? describe : describe.skip)('spc-compiler installed from its tarball (npm run test:packages)', () => {
    let app: string;
    before(() => {
      app = join(dir, 'compiler-app');
      installInto(app, [runtime.tarball, compiler.tarball]);
    });

    it('compiles with spc-compiler and runs with spc-runtime: the repository\'s bytes and onnxruntime\'s logits', () => {
      writeFileSync(join(app, 'main.mjs'), MAIN);
      const out = execFileSync(process.execPath, ['main.mjs', join(DIGITS_DIR, 'digits_cnn.onnx'), xPath, dir], { cwd: app, encoding: 'utf8' });
      const got = JSON.parse(out) as { version: string; results: Record<string, { logits: number[][]; layers: number; kernels: string[] }> };
      assert.equal(got.version, VERSION);
      for (const [label, options] of [['dense', {}], ['2:4', { pattern: '2:4' }]] as const) {
        const mine = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { inputShapes: { input: [1, 1, 8, 8] }, ...options });
        assert.deepEqual(new Uint8Array(readFileSync(join(dir, `${label}.spm`))), mine.artifact, `${label}: artifact differs from compileFile's`);
        assert.equal(got.results[label]!.layers, mine.report.length);
      }
      const ref = readNpy(join(DIGITS_DIR, 'digits_cnn.output.npy')).data as Float32Array;
      got.results.dense!.logits.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - ref[i * 10 + j]!) < 1e-4, `image ${i} logit ${j}`)));
    });

    it('types: a TypeScript app type-checks against both packages, and a misuse is an error', () => {
      writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2022', 'DOM'], types: [] }, files: ['typed.ts'] }));
      const good = [
        "import { loadModel, type Model, type TensorView } from 'spc-runtime';",
        "import { compile, type CompileResult, type CompileLayerReport } from 'spc-compiler';",
        "const r: CompileResult = compile(new Uint8Array(0), { name: 'm', pattern: '2:4' });",
        'const rows: readonly CompileLayerReport[] = r.report;',
        'const src: string = r.dispatch;',
        'const model: Promise<Model> = loadModel(r.artifact, { wasm: false });',
        "const fetched: Promise<Model> = loadModel(new URL('https://example.com/m.spm'));",
        'export async function first(): Promise<TensorView | undefined> { return Object.values(await (await model).run({ input: new Float32Array(64) }))[0]; }',
        'export { rows, src, fetched };',
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

    it('the installed spc bin: --help names its reference, which the package ships; compile and run print the sample\'s digit', () => {
      const bin = join(app, 'node_modules', '.bin', 'spc');
      const help = spawnSync(bin, ['--help'], { cwd: app, encoding: 'utf8' });
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /Usage: spc/);
      assert.match(help.stdout, /Reference \(every option\): docs\/cli\.md, in this repository and in the spc-compiler package/);
      assert.ok(existsSync(join(app, 'node_modules', 'spc-compiler', 'docs', 'cli.md')), 'the reference --help names is installed');
      assert.ok(existsSync(join(app, 'node_modules', 'spc-compiler', 'schemas', 'recipe.schema.json')), 'the recipe schema is installed');
      const c = spawnSync(bin, ['compile', join(REPO_ROOT, 'samples', 'digits', 'digits_cnn.onnx'), '-o', 'out/', '-q', '--write-recipe', 'recipes/digits.json'], { cwd: app, encoding: 'utf8' });
      assert.equal(c.status, 0, c.stderr);
      // The recipe names the installed package's schema by a path editors resolve from the recipe's folder.
      const ref = (JSON.parse(readFileSync(join(app, 'recipes', 'digits.json'), 'utf8')) as { $schema: string }).$schema;
      assert.equal(ref, '../node_modules/spc-compiler/schemas/recipe.schema.json');
      const r = spawnSync(bin, ['run', 'out/digits_cnn.spm', '--input', join(REPO_ROOT, 'samples', 'digits', 'digit4.npy')], { cwd: app, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^logits float32\[1,10\]: class 4 /);
    });
  });
});
