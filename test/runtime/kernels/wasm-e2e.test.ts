// The wasmsimd target end to end: mobilenet_v2_w050 compiled with targets wasmsimd, js, ref
// picks wasmsimd kernels for its 1×1 convs, its 3×3 s2 stem (im2col), its depthwise convs and
// its Gemm, loads them into WebAssembly memory, and matches onnxruntime's stored output; the js
// fallback (wasm: false) matches too. resnet10_w32: its 7×7 s2 stem and every 3×3 conv run wasmsimd. Also: the
// committed kernel modules (SIMD128 and relaxed SIMD) are what scripts/build-wasm.mjs builds from the source today.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import { loadModel } from '../../../runtime/index.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import { kernelModuleBytes } from '../../../runtime/kernels/wasm/env.js';
import { MODELS_DIR, REPO_ROOT } from '../../helpers/corpus.js';
import { assertClose } from '../../helpers/compare.js';
import { readNpy } from '../../helpers/files.js';

describe('wasmsimd end to end', function () {
  this.timeout(300_000);

  it('mobilenet_v2_w050 with targets wasmsimd,js,ref: wasm kernels chosen, output within 1e-4·max|ort| + 1e-5 of onnxruntime, js fallback too', async () => {
    const { artifact } = compileFile(join(MODELS_DIR, 'mobilenet_v2_w050.onnx'), { targets: ['wasmsimd', 'js', 'ref'] });
    const kernels = parseArtifact(artifact).nodes.map((n) => n.kernel);
    const wasm = kernels.filter((k) => k.endsWith('-wasmsimd'));
    assert.ok(wasm.some((k) => k.startsWith('f32-conv-')), `no wasmsimd conv chosen: ${[...new Set(kernels)].join(', ')}`);
    assert.ok(wasm.some((k) => k.startsWith('f32-gemm-')), `no wasmsimd gemm chosen: ${[...new Set(kernels)].join(', ')}`);
    // Every Conv runs wasmsimd: the stem (3×3 stride 2) on the im2col path of the 4x8 kernel, the
    // depthwise ones on the 1x8 kernel.
    const convs = parseArtifact(artifact).nodes.filter((n) => n.op === 'Conv');
    const notWasm = convs.filter((n) => !n.kernel.endsWith('-wasmsimd')).map((n) => `${n.name}: ${n.kernel}`);
    assert.deepEqual(notWasm, [], 'every conv of mobilenet_v2_w050 runs a wasmsimd kernel');
    assert.match(convs[0]!.kernel, /^f32-conv-(clip-)?4x8-wasmsimd$/, 'stem');
    assert.ok(convs.filter((n) => /^f32-conv-(relu-|clip-)?1x8-wasmsimd$/.test(n.kernel)).length >= 10, 'depthwise convs on f32-conv-1x8');
    const x = readNpy(join(MODELS_DIR, 'mobilenet_v2_w050.input.npy'));
    const want = readNpy(join(MODELS_DIR, 'mobilenet_v2_w050.output.npy'));
    for (const useWasm of [true, false]) {
      const model = await loadModel(artifact, { wasm: useWasm });
      assert.equal(model.wasmsimd, useWasm, 'wasmsimd in use');
      const name = model.inputs[0]!.name;
      const out = await model.run({ [name]: { data: x.data, shape: x.shape } });
      const again = await model.run({ [name]: { data: x.data, shape: x.shape } });
      const o = model.outputs[0]!.name;
      assertClose(out[o]!.data, want.data, 1e-4, 1e-5, `mobilenet_v2_w050 (${useWasm ? 'wasm' : 'js fallback'})`);
      assert.deepEqual(Array.from(again[o]!.data as Float32Array), Array.from(out[o]!.data as Float32Array), 'a second run gives the same output');
      model.dispose();
    }
  });

  it('mobilenet_v2_w050 pruned 0.9 unstructured: csr wasmsimd kernels chosen; wasm output within 1e-4·max + 1e-5 of the js fallback', async () => {
    const { artifact } = compileFile(join(MODELS_DIR, 'mobilenet_v2_w050.onnx'), { targets: ['wasmsimd', 'js', 'ref'], pattern: 'unstructured', sparsity: 0.9 });
    const kernels = parseArtifact(artifact).nodes.map((n) => n.kernel);
    assert.ok(kernels.some((k) => k.startsWith('f32-convcsr-') && k.endsWith('-wasmsimd')), `no wasmsimd csr conv chosen: ${[...new Set(kernels)].join(', ')}`);
    const x = readNpy(join(MODELS_DIR, 'mobilenet_v2_w050.input.npy'));
    const outs = [];
    for (const useWasm of [true, false]) {
      const model = await loadModel(artifact, { wasm: useWasm });
      assert.equal(model.wasmsimd, useWasm);
      const out = await model.run({ [model.inputs[0]!.name]: { data: x.data, shape: x.shape } });
      outs.push(out[model.outputs[0]!.name]!.data);
      model.dispose();
    }
    assertClose(outs[0]!, outs[1]!, 1e-4, 1e-5, 'pruned mobilenet_v2_w050, wasm vs js fallback');
  });

  it('resnet10_w32 with targets wasmsimd,js,ref: the 7×7 s2 stem and every 3×3 conv select f32-conv-4x8-wasmsimd', () => {
    const { artifact } = compileFile(join(MODELS_DIR, 'resnet10_w32.onnx'), { targets: ['wasmsimd', 'js', 'ref'] });
    const convs = parseArtifact(artifact).nodes.filter((n) => n.op === 'Conv');
    assert.ok(convs.length >= 9, `${convs.length} convs`);
    const bad = convs.filter((n) => !/^f32-conv-(relu-|clip-)?4x8-wasmsimd$/.test(n.kernel)).map((n) => `${n.name}: ${n.kernel} (${n.kernelReason})`);
    assert.deepEqual(bad, []);
  });

  interface ModelEntry { name: string; file: string; inputs: { name: string; npy: string }[]; outputs: { name: string; npy: string }[] }
  const MODELS = JSON.parse(readFileSync(join(MODELS_DIR, 'index.json'), 'utf8')) as ModelEntry[];
  for (const m of MODELS.filter((e) => e.name !== 'mobilenet_v2_w050')) {
    it(`${m.name} with targets wasmsimd,js,ref runs in WebAssembly and matches onnxruntime within 1e-4·max + 1e-5`, async () => {
      const { artifact } = compileFile(join(MODELS_DIR, m.file), { targets: ['wasmsimd', 'js', 'ref'] });
      const model = await loadModel(artifact);
      assert.equal(model.wasmsimd, true, 'some node runs a wasmsimd kernel');
      const feeds = Object.fromEntries(m.inputs.map((i) => {
        const a = readNpy(join(MODELS_DIR, i.npy));
        return [i.name, { data: a.data, shape: a.shape }];
      }));
      const out = await model.run(feeds);
      for (const o of m.outputs) assertClose(out[o.name]!.data, readNpy(join(MODELS_DIR, o.npy)).data, 1e-4, 1e-5, `${m.name} output '${o.name}'`);
      model.dispose();
    });
  }

  it('targets js,ref load without WebAssembly memory', async () => {
    const { artifact } = compileFile(join(MODELS_DIR, 'mlp3.onnx'), { targets: ['js', 'ref'] });
    const model = await loadModel(artifact);
    assert.equal(model.wasmsimd, false);
    model.dispose();
  });
});

describe('wasmsimd kernel module', function () {
  this.timeout(120_000);
  it('runtime/kernels/wasm/kernels.wasm.ts, both the SIMD128 and the relaxed-SIMD module, is up to date (npm run build:wasm rebuilds it byte for byte)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spc-wasm-'));
    try {
      // As npm run build:wasm: the flag lets Node 20 validate the relaxed module too.
      execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', join(REPO_ROOT, 'scripts/build-wasm.mjs'), '--out', dir], { stdio: 'pipe' });
      const fresh = readFileSync(join(dir, 'kernels.wasm.ts'), 'utf8');
      // The runtime rebuilds the relaxed module from its delta: byte for byte what asc built.
      assert.ok(Buffer.from(kernelModuleBytes(false)).equals(readFileSync(join(dir, 'kernels.wasm'))), 'the SIMD128 module decodes to the built bytes');
      assert.ok(Buffer.from(kernelModuleBytes(true)).equals(readFileSync(join(dir, 'kernels.relaxed.wasm'))), 'the relaxed module decodes from its delta to the built bytes');
      const committed = readFileSync(join(REPO_ROOT, 'runtime/kernels/wasm/kernels.wasm.ts'), 'utf8');
      assert.ok(fresh === committed, 'runtime/kernels/wasm/kernels.wasm.ts is stale: run `npm run build:wasm` and commit it');
      // The same build writes the compiler's linear-algebra module (compiler/linalg).
      assert.ok(readFileSync(join(dir, 'linalg.wasm.ts'), 'utf8') === readFileSync(join(REPO_ROOT, 'compiler/linalg/linalg.wasm.ts'), 'utf8'), 'compiler/linalg/linalg.wasm.ts is stale: run `npm run build:wasm` and commit it');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
