// Acceptance 1 (second half) and 2 of issue 8: an app importing `spc-runtime` pulls in no
// compiler code and no Node built-in (esbuild bundle for the browser, metafile inputs checked;
// the same check on an app importing the compiler (spc-compiler's entry) must find compiler code, so it can fail), and
// `npm run size`'s figures: the 2:4 dispatch app within the 60 KB gzipped budget and lighter than
// the generic loadModel app (the dispatch module keeps only its model's kernels).

import { strict as assert } from 'node:assert';
import { builtinModules } from 'node:module';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appDir, BUDGET_BYTES, bundleApp, CASES, inputPaths, measureSizes } from '../../scripts/size.js';
import { compileFile } from '../../compiler/compile.js';
import { defaultRegistry } from '../../runtime/kernels/index.js';
import { parseArtifact } from '../../runtime/loader/load.js';
import type { SizeRow } from '../../scripts/size.js';
import { REPO_ROOT } from '../helpers/corpus.js';

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('package: the runtime bundles for the browser without compiler code', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('an app importing spc-runtime bundles only runtime, schema and flatbuffers modules', async () => {
    const dir = appDir('spc-bundle-');
    dirs.push(dir);
    writeFileSync(join(dir, 'app.js'), [
      "import { loadModel } from 'spc-runtime';",
      'export async function run(bytes, x) { const m = await loadModel(bytes); return m.run({ [m.inputs[0].name]: x }); }',
      '',
    ].join('\n'));
    const { metafile } = await bundleApp(dir, 'app.js');
    const inputs = inputPaths(dir, metafile);
    assert.ok(inputs.includes('dist/runtime/index.js'), `runtime entry bundled: ${inputs.slice(0, 5).join(', ')}`);
    assert.ok(inputs.some((p) => p.startsWith('dist/runtime/kernels/')), 'kernels bundled');
    const foreign = inputs.filter((p) => !(p === 'app.js' || /^\.\.\/.*\/app\.js$/.test(p) || p.startsWith('dist/runtime/')
      || p.startsWith('dist/schemas/gen/') || /(^|\/)node_modules\/flatbuffers\//.test(p)));
    assert.deepEqual(foreign, [], 'modules other than the runtime, its generated schema code and flatbuffers');
    assert.deepEqual(inputs.filter((p) => p.includes('compiler/')), []);
    assert.deepEqual(Object.keys(metafile.inputs).filter((p) => BUILTINS.has(p) || p.startsWith('node:')), []);
    for (const [p, input] of Object.entries(metafile.inputs)) {
      const bad = input.imports.filter((i) => BUILTINS.has(i.path) || i.path.startsWith('node:') || i.external);
      assert.deepEqual(bad, [], `${p} imports a Node built-in or an external`);
    }
  });

  it('an app importing the compiler does not bundle for the browser (Node built-ins: the check can fail)', async () => {
    const dir = appDir('spc-bundle-');
    dirs.push(dir);
    writeFileSync(join(dir, 'app.js'), `import { compile } from ${JSON.stringify(join(REPO_ROOT, 'dist', 'compiler', 'index.js'))};\nexport { compile };\n`);
    await assert.rejects(bundleApp(dir, 'app.js'), /"node:/, 'bundling the compiler for the browser fails on Node built-ins');
  });

  describe('npm run size', () => {
    let rows: SizeRow[];
    before(async () => { rows = await measureSizes(); });

    it(`the 2:4 dispatch apps are within ${BUDGET_BYTES / 1024} KB gzipped, WASM included`, () => {
      const dispatch = rows.filter((r) => r.kind === 'dispatch');
      assert.ok(dispatch.length >= 1);
      for (const r of dispatch) {
        assert.ok(r.gzipBytes <= BUDGET_BYTES, `${r.app}: ${r.gzipBytes} bytes gzipped`);
        assert.ok(r.wasmBytes > 0 && r.minBytes > r.wasmBytes, `${r.app}: embeds its WebAssembly (${r.wasmBytes} bytes)`);
        assert.ok(r.withinBudget);
      }
    });

    it('the dispatch app bundles fewer kernel modules and bytes than the generic loadModel app', () => {
      const generic = rows.find((r) => r.kind === 'loadModel')!;
      for (const r of rows.filter((x) => x.kind === 'dispatch')) {
        assert.ok(r.kernelModules.length < generic.kernelModules.length, `${r.app}: ${r.kernelModules.length} vs ${generic.kernelModules.length} kernel modules`);
        assert.ok(r.gzipBytes < generic.gzipBytes, `${r.app}: ${r.gzipBytes} vs ${generic.gzipBytes}`);
        // Kernels of operators neither model has stay out.
        const unused = r.kernelModules.filter((m) => /softmax|transpose|layernorm|slice|concat|averagepool|reduce|gather|where/.test(m));
        assert.deepEqual(unused, [], `${r.app}: ${r.kernelModules.join(', ')}`);
      }
    });

    it('a dispatch app embeds exactly the WebAssembly families of the kernels its artifact runs (2:4 runs no CSR kernel: no csr module)', () => {
      const registry = defaultRegistry();
      for (const c of CASES.filter((x) => x.kind === 'dispatch')) {
        const r = rows.find((x) => x.app === c.app)!;
        const { artifact } = compileFile(c.model, { pattern: c.pattern });
        const run = new Set(parseArtifact(artifact).nodes.flatMap((n) => registry.get(n.kernel)!.wasmModules ?? []).map((m) => m.family));
        assert.deepEqual([...r.wasmFamilies].sort(), [...run].sort(), `${r.app}: bundled vs run`);
        assert.ok(!run.has('csr') && run.has('nm'), `${r.app}: ${[...run].join()}`);
      }
    });
  });
});
