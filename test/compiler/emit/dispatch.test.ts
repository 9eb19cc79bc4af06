// The generated dispatch module (compiler/emit/dispatch.ts) against the interpreter: for every
// corpus model and the digits models, with targets js,ref and the default wasmsimd,js,ref, the
// module (transpiled, imported from dist/) and loadModel give the same output bytes; the module
// imports only the kernel modules its artifact uses; regenerating gives the same source; the
// first line marks it generated; it type-checks under strict NodeNext; it refuses an artifact
// it was not generated for; `spc compile` writes it beside the .spm.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { compileFile } from '../../../compiler/compile.js';
import type { CompileOptions } from '../../../compiler/compile.js';
import { TARGET_ORDER } from '../../../compiler/analysis/profile.js';
import { NO_NM, shippedProfileWithout } from '../../helpers/profiles.js';
import { dispatchHeader, generateDispatch, kernelSources, PACKAGE_IMPORTS } from '../../../compiler/emit/dispatch.js';
import { loadModel, RunError } from '../../../runtime/index.js';
import type { Feed, Model } from '../../../runtime/index.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import { ALL_KERNELS } from '../../../runtime/kernels/index.js';
import { wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import type { TypedArray } from '../../../runtime/tensor.js';
import { DIGITS_DIR, MODELS_DIR, REPO_ROOT } from '../../helpers/corpus.js';
import { readNpy } from '../../helpers/files.js';
import { generatedDir, importDispatch, removeGeneratedDir } from '../../runtime/executor/load-generated.js';

interface ModelEntry { name: string; file: string; inputs: { name: string; npy: string }[] }
const MODELS = JSON.parse(readFileSync(join(MODELS_DIR, 'index.json'), 'utf8')) as ModelEntry[];

interface Case { name: string; file: string; options: CompileOptions; feeds: () => Record<string, Feed> }

const digitsX = () => readNpy(join(DIGITS_DIR, 'digits-test-x.npy'));
const CASES: Case[] = [
  ...MODELS.map((m) => ({
    name: m.name, file: join(MODELS_DIR, m.file), options: {},
    feeds: () => Object.fromEntries(m.inputs.map((i) => {
      const a = readNpy(join(MODELS_DIR, i.npy));
      return [i.name, { data: a.data, shape: a.shape }];
    })),
  })),
  { name: 'digits_mlp', file: join(DIGITS_DIR, 'digits_mlp.onnx'), options: { inputShapes: { input: [16, 64] } }, feeds: () => ({ input: (digitsX().data as Float32Array).slice(0, 16 * 64) }) },
  { name: 'digits_cnn', file: join(DIGITS_DIR, 'digits_cnn.onnx'), options: { inputShapes: { input: [16, 1, 8, 8] } }, feeds: () => ({ input: (digitsX().data as Float32Array).slice(0, 16 * 64) }) },
];

const bytesOf = (a: TypedArray): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function assertSameOutputs(label: string, interp: Model, dispatch: Model, feeds: Record<string, Feed>): Promise<void> {
  const want = await interp.run(feeds);
  for (let round = 0; round < 2; round++) {
    const got = await dispatch.run(feeds);
    assert.deepEqual(Object.keys(got), Object.keys(want), `${label}: output names`);
    for (const name of Object.keys(want)) {
      assert.deepEqual([...got[name].shape], [...want[name].shape], `${label} '${name}': shape`);
      assert.equal(got[name].dtype, want[name].dtype, `${label} '${name}': dtype`);
      assert.ok(bytesOf(got[name].data).equals(bytesOf(want[name].data)), `${label} '${name}' (run ${round + 1}): dispatch and interpreter outputs differ`);
    }
  }
}

/** Module specifiers of the generated source's import declarations, with their named imports. */
function importsOf(source: string): { spec: string; names: string[]; typeOnly: boolean }[] {
  const sf = ts.createSourceFile('m.ts', source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  return sf.statements.filter(ts.isImportDeclaration).map((d) => ({
    spec: (d.moduleSpecifier as ts.StringLiteral).text,
    typeOnly: d.importClause?.isTypeOnly ?? false,
    names: d.importClause?.namedBindings && ts.isNamedImports(d.importClause.namedBindings)
      ? d.importClause.namedBindings.elements.map((e) => e.name.text) : [],
  }));
}

/** The kernel imports must be exactly the exports holding the artifact's kernels. */
function assertImportsOnlyItsKernels(label: string, source: string, kernelIds: readonly string[]): void {
  const table = kernelSources();
  const want = new Map<string, Set<string>>();
  for (const id of new Set(kernelIds)) {
    const s = table.get(id)!;
    if (!want.has(s.module)) want.set(s.module, new Set());
    want.get(s.module)!.add(s.name);
  }
  const usesWasm = kernelIds.some((id) => id.endsWith('-wasmsimd'));
  const got = new Map<string, Set<string>>();
  for (const imp of importsOf(source)) {
    if (imp.spec === PACKAGE_IMPORTS.api) continue;
    assert.ok(imp.spec.startsWith(`${PACKAGE_IMPORTS.kernels}/`), `${label}: unexpected import '${imp.spec}'`);
    const module = imp.spec.slice(PACKAGE_IMPORTS.kernels.length + 1);
    if (module === 'wasm/env') {
      assert.ok(usesWasm, `${label}: imports the wasm module but runs no wasmsimd kernel`);
      assert.deepEqual(imp.names, ['wasmSpaces']);
      continue;
    }
    got.set(module, new Set(imp.names));
  }
  const norm = (m: Map<string, Set<string>>) => [...m].map(([k, v]) => `${k}: ${[...v].sort().join(',')}`).sort();
  assert.deepEqual(norm(got), norm(want), `${label}: kernel imports`);
  assert.equal(importsOf(source).some((i) => i.spec.endsWith('wasm/env')), usesWasm, `${label}: wasm env import iff a wasmsimd kernel`);
}

describe('generated dispatch module', function () {
  this.timeout(600_000);
  after(removeGeneratedDir);

  it('the generator knows where every kernel of ALL_KERNELS is exported (the enumerator\'s module and export)', () => {
    const table = kernelSources();
    for (const k of ALL_KERNELS) assert.equal(table.get(k.id)?.kernel, k, `kernel '${k.id}' has no source module`);
    assert.equal(table.size, ALL_KERNELS.length);
  });

  const targetSets: { label: string; targets?: CompileOptions['targets'] }[] = [
    { label: 'targets js,ref', targets: ['js', 'ref'] },
    { label: 'default targets (wasmsimd,js,ref)' },
  ];
  for (const c of CASES) {
    for (const t of targetSets) {
      it(`${c.name}, ${t.label}: dispatch module and interpreter agree bit for bit; imports only its kernels; reproducible`, async () => {
        const r = compileFile(c.file, { ...c.options, ...(t.targets ? { targets: t.targets } : {}) });
        const source = r.dispatch;
        assert.equal(source.split('\n')[0], dispatchHeader(c.name));
        assert.equal(source.split('\n')[0], `// @generated by spc (compiler/emit/dispatch.ts) from ${c.name}.spm — do not edit; regenerate with spc compile`);
        assert.ok(!source.includes(REPO_ROOT), 'no absolute paths');
        assert.equal(generateDispatch(r.contents), source, 'regenerating gives the same source');
        assert.equal(generateDispatch(parseArtifact(r.artifact)), source, 'the source from the loaded artifact is the same');
        const kernelIds = r.contents.nodes.map((n) => n.kernel);
        assertImportsOnlyItsKernels(c.name, source, kernelIds);
        assert.equal((source.match(/^\s*s\d+\(\);/gm) ?? []).length, kernelIds.length, 'one statement per node');

        const mod = await importDispatch(source, c.name);
        const feeds = c.feeds();
        const interp = await loadModel(r.artifact);
        const dispatch = await mod.load(r.artifact);
        assert.equal(dispatch.wasmsimd, interp.wasmsimd);
        if (kernelIds.some((id) => id.endsWith('-wasmsimd'))) assert.equal(dispatch.wasmsimd, wasmSimdAvailable());
        assert.deepEqual(dispatch.inputs, interp.inputs);
        assert.deepEqual(dispatch.outputs, interp.outputs);
        assert.equal(dispatch.name, interp.name);
        await assertSameOutputs(c.name, interp, dispatch, feeds);
        interp.dispose();
        dispatch.dispose();
        await assert.rejects(dispatch.run(feeds), /disposed/);
        if (kernelIds.some((id) => id.endsWith('-wasmsimd'))) {
          // The js fallback of the wasmsimd kernels, on both paths.
          const i2 = await loadModel(r.artifact, { wasm: false });
          const d2 = await mod.load(r.artifact, { wasm: false });
          assert.equal(d2.wasmsimd, false);
          await assertSameOutputs(`${c.name} (wasm: false)`, i2, d2, feeds);
          i2.dispose();
          d2.dispose();
        }
      });
    }
  }

  // Packed kernels on both paths: the wasmsimd ones (csr 24x1, row-block nm/bsr 4x8) under the
  // default targets and profile, and the js ones by target order.
  const pruned: { name: string; options: CompileOptions }[] = [
    { name: 'mobilenet_v2_w050', options: { pattern: 'unstructured', sparsity: 0.9, targets: ['wasmsimd', 'js', 'ref'] } },
    { name: 'resnet10_w32', options: { pattern: '2:4', shareRows: 4, targets: ['wasmsimd', 'js', 'ref'] } },
    { name: 'transformer_enc2', options: { pattern: 'block:4x1', sparsity: 0.8, targets: ['wasmsimd', 'js', 'ref'] } },
    { name: 'resnet10_w32', options: { pattern: '2:4', shareRows: 4, targets: ['js', 'ref'], profile: TARGET_ORDER } },
    { name: 'transformer_enc2', options: { pattern: 'block:4x1', sparsity: 0.8, targets: ['js', 'ref'], profile: TARGET_ORDER } },
  ];
  for (const p of pruned) {
    it(`${p.name} pruned ${p.options.pattern}${p.options.shareRows ? ` share-rows ${p.options.shareRows}` : ''}, targets ${p.options.targets!.join(',')}: packed kernels agree bit for bit`, async () => {
      const r = compileFile(join(MODELS_DIR, `${p.name}.onnx`), p.options);
      const kernelIds = r.contents.nodes.map((n) => n.kernel);
      assert.ok(r.contents.tensors.some((t) => t.packed), 'some weight is packed');
      const target = p.options.targets![0]!;
      assert.ok(r.contents.nodes.some((n) => n.kernel.endsWith(`-${target}`) && r.contents.tensors[n.inputs[1]!]?.packed), `a packed weight runs on a ${target} kernel`);
      assertImportsOnlyItsKernels(p.name, r.dispatch, kernelIds);
      const mod = await importDispatch(r.dispatch, p.name);
      const interp = await loadModel(r.artifact);
      const dispatch = await mod.load(r.artifact);
      await assertSameOutputs(`${p.name} ${p.options.pattern}`, interp, dispatch, CASES.find((c) => c.name === p.name)!.feeds());
      interp.dispose();
      dispatch.dispose();
    });
  }

  it('resnet10_w32 plain 2:4 (weights stored nm, expanded at load for dense kernels): both paths agree bit for bit, wasm and js', async () => {
    // The shipped profile without the nm kernels' entries: priced by their priors, they lose to dense on every layer.
    const noNm = shippedProfileWithout(NO_NM, 'no-nm');
    const r = compileFile(join(MODELS_DIR, 'resnet10_w32.onnx'), { pattern: '2:4', targets: ['wasmsimd', 'js', 'ref'], profile: noNm });
    assert.ok(r.contents.tensors.filter((t) => t.kernelLayout === 'dense').length >= 10, 'the pruned layers are stored packed for dense kernels');
    const mod = await importDispatch(r.dispatch, 'resnet10_w32');
    const feeds = CASES.find((c) => c.name === 'resnet10_w32')!.feeds();
    for (const wasm of [true, false]) {
      const interp = await loadModel(r.artifact, { wasm });
      const dispatch = await mod.load(r.artifact, { wasm });
      await assertSameOutputs(`resnet10_w32 2:4 codec (wasm: ${wasm})`, interp, dispatch, feeds);
      interp.dispose();
      dispatch.dispose();
    }
  });

  it('refuses an artifact it was not generated for, naming the difference', async () => {
    const mlp = compileFile(join(MODELS_DIR, 'mlp3.onnx'), { targets: ['js', 'ref'] });
    const mod = await importDispatch(mlp.dispatch, 'mlp3');
    const other = compileFile(join(DIGITS_DIR, 'digits_mlp.onnx'), { targets: ['js', 'ref'] });
    await assert.rejects(mod.load(other.artifact), (e: Error) => e instanceof RunError && /generated for 'mlp3'.*regenerate with spc compile/.test(e.message));
    const wasm = compileFile(join(MODELS_DIR, 'mlp3.onnx'), { targets: ['wasmsimd', 'js', 'ref'] });
    await assert.rejects(mod.load(wasm.artifact), (e: Error) => e instanceof RunError && /node 0 .* runs f32-gemm.*-wasmsimd in the artifact/.test(e.message));
  });

  it('type-checks under strict NodeNext, importing the runtime as spc-runtime/...', () => {
    const dir = generatedDir();
    const files = ['mobilenet_v2_w050', 'transformer_enc2'].map((name) => {
      const file = join(dir, `${name}.dispatch.ts`);
      writeFileSync(file, compileFile(join(MODELS_DIR, `${name}.onnx`), { targets: ['wasmsimd', 'js', 'ref'] }).dispatch);
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], skipLibCheck: true, types: [],
      noUncheckedIndexedAccess: true, noUnusedLocals: true,
    });
    const diags = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(diags, []);
  });

  it('spc compile writes <name>.dispatch.ts beside the .spm and names it in --json', () => {
    const out = mkdtempSync(join(generatedDir(), 'cli-'));
    try {
      const model = join(MODELS_DIR, 'mlp3.onnx');
      const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'spc.js'), 'compile', model, '-o', out, '--json'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const json = JSON.parse(r.stdout) as { artifact: string; dispatch: string };
      assert.equal(json.dispatch, join(out, 'mlp3.dispatch.ts'));
      assert.equal(readFileSync(json.dispatch, 'utf8'), compileFile(model).dispatch);
      const text = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'spc.js'), 'compile', model, '-o', out], { encoding: 'utf8' });
      assert.match(text.stdout, /mlp3\.dispatch\.ts/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
