// The kernel families' WebAssembly modules: the committed runtime/kernels/wasm/modules/ are what
// scripts/build-wasm.mjs builds from the asm sources today (both builds, byte for byte), an asm file
// in no family or a module with a data segment fails the build naming it, and a load instantiates exactly the families its
// kernels declare (the kernel tests run each kernel over only its own families), and a wasm kernel
// file's imports reach exactly those families and no other wasm kernel file (what a dispatch app bundles).

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import type { WasmKernelModule } from '../../../runtime/kernels/kernel.js';
import { defaultRegistry, KERNEL_MODULES } from '../../../runtime/kernels/index.js';
import { bindArtifact } from '../../../runtime/executor/bind.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import { createWasmSpace, kernelModuleBytes, wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import { WASM_MODULES } from '../../../runtime/kernels/wasm/modules/index.js';
import { DIGITS_DIR, REPO_ROOT } from '../../helpers/corpus.js';

const BUILD = join(REPO_ROOT, 'scripts/build-wasm.mjs');
const MODULES = join(REPO_ROOT, 'runtime/kernels/wasm/modules');

describe('wasmsimd kernel modules (one per family)', function () {
  this.timeout(180_000);

  it('runtime/kernels/wasm/modules/ (and compiler/linalg/linalg.wasm.ts) is up to date: npm run build:wasm rebuilds every family byte for byte, SIMD128 and relaxed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spc-wasm-'));
    try {
      // As npm run build:wasm: the flag lets Node 20 validate the relaxed modules too.
      execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', BUILD, '--out', dir], { stdio: 'pipe' });
      // The same build writes the compiler's linear-algebra module (compiler/linalg), never a runtime family.
      assert.ok(readFileSync(join(dir, 'linalg.wasm.ts'), 'utf8') === readFileSync(join(REPO_ROOT, 'compiler/linalg/linalg.wasm.ts'), 'utf8'), 'compiler/linalg/linalg.wasm.ts is stale: run `npm run build:wasm` and commit it');
      const generated = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'linalg.wasm.ts').sort();
      assert.deepEqual(readdirSync(MODULES).filter((f) => f.endsWith('.ts')).sort(), generated, 'the committed modules/ holds exactly the generated files');
      for (const f of generated) {
        assert.ok(readFileSync(join(dir, f), 'utf8') === readFileSync(join(MODULES, f), 'utf8'), `runtime/kernels/wasm/modules/${f} is stale: run \`npm run build:wasm\` and commit it`);
      }
      assert.deepEqual(WASM_MODULES.map((m) => `${m.family}.wasm.ts`).sort(), generated.filter((f) => f !== 'index.ts'));
      for (const m of WASM_MODULES) {
        // The runtime rebuilds the relaxed module from its delta: byte for byte what asc built.
        assert.ok(Buffer.from(kernelModuleBytes(m, false)).equals(readFileSync(join(dir, `${m.family}.wasm`))), `${m.family}: the SIMD128 module decodes to the built bytes`);
        assert.ok(Buffer.from(kernelModuleBytes(m, true)).equals(readFileSync(join(dir, `${m.family}.relaxed.wasm`))), `${m.family}: the relaxed module decodes from its delta to the built bytes`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an asm file in no family fails the build (exit 1) with a message naming the file, and writes nothing', () => {
    const asm = mkdtempSync(join(tmpdir(), 'spc-asm-')), out = mkdtempSync(join(tmpdir(), 'spc-wasm-'));
    try {
      cpSync(join(REPO_ROOT, 'runtime/kernels/wasm/asm'), asm, { recursive: true });
      writeFileSync(join(asm, 'stray.as'), 'export function strayF32(x: usize): void {}\n');
      const r = spawnSync(process.execPath, [BUILD, '--asm', asm, '--out', out], { encoding: 'utf8' });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /asm\/stray\.as has no family: add it to WASM_FAMILIES in scripts\/wasm-families\.mjs/);
      assert.deepEqual(readdirSync(out), []);
    } finally {
      rmSync(asm, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('static data in a family (a data segment, written into the shared memory at instantiation) fails the build (exit 1) naming the module and its files, and writes no module', () => {
    const asm = mkdtempSync(join(tmpdir(), 'spc-asm-')), out = mkdtempSync(join(tmpdir(), 'spc-wasm-'));
    try {
      cpSync(join(REPO_ROOT, 'runtime/kernels/wasm/asm'), asm, { recursive: true });
      writeFileSync(join(asm, 'eltwise.as'), `${readFileSync(join(asm, 'eltwise.as'), 'utf8')}
export function dataProbeF32(i: i32): f32 {
  return load<f32>(memory.data<f32>([1.5, 2.5, 3.5, 4.5]) + (<usize>i << 2));
}
`);
      const r = spawnSync(process.execPath, [BUILD, '--asm', asm, '--out', out], { encoding: 'utf8' });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /build-wasm: the eltwise SIMD128 module has 1 data segment\(s\) \(asm\/eltwise\.as, asm\/pool\.as, asm\/globalpool\.as\)/);
      assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.ts')), []);
    } finally {
      rmSync(asm, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('a load instantiates exactly the families of its wasmsimd kernels: digits_cnn 2:4 needs no int8, row-block, activation or depthwise module', async function () {
    if (!wasmSimdAvailable()) this.skip();
    const { artifact } = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { pattern: '2:4' });
    const a = parseArtifact(artifact), registry = defaultRegistry();
    const want = new Set(a.nodes.flatMap((n) => registry.get(n.kernel)!.wasmModules ?? []).map((m) => m.family));
    let asked: readonly WasmKernelModule[] = [];
    const b = await bindArtifact(a, registry, async (fixed, scratch, modules) => { asked = modules; return createWasmSpace(fixed, scratch, modules); });
    assert.equal(b.wasmsimd, true);
    assert.deepEqual(asked.map((m) => m.family).sort(), [...want].sort());
    for (const family of ['int8', 'rowblock', 'activation', 'depthwise']) assert.ok(!want.has(family), `digits_cnn 2:4 should not need the ${family} family`);
    assert.ok(want.has('dense') && want.has('nm'), [...want].join());
  });
  /**
   * Known exceptions, same family only: the grouped int8 conv reads the int8 conv's operand checks
   * and per-run start from its file, and so does the N:M int8 conv (int8 helpers, to move to a file of
   * no kernel once the int8 conv kernels settle: another branch is editing qlinearconv.ts).
   */
  const KNOWN_KERNEL_IMPORTS = new Set(['wasm/qlinearconv-grouped -> wasm/qlinearconv', 'wasm/qlinearconv-nm -> wasm/qlinearconv']);

  it('each wasm kernel file imports exactly the families its kernels declare, and no other wasm kernel file', () => {
    const kernels = join(REPO_ROOT, 'runtime/kernels');
    // Static value imports (not `import type`, erased at build) of a source file, as paths under runtime/kernels/ without extension.
    const importsOf = (path: string): string[] => [...readFileSync(join(kernels, `${path}.ts`), 'utf8')
      .matchAll(/^import\s+(?!type\b)[^;]*?from\s+'(\.[^']+)\.js';/gm)]
      .map((m) => relative(kernels, resolve(dirname(join(kernels, path)), m[1]!)));
    const reach = (from: string): Set<string> => {
      const seen = new Set<string>(), todo = [from];
      while (todo.length) for (const p of importsOf(todo.pop()!)) if (!seen.has(p)) { seen.add(p); todo.push(p); }
      return seen;
    };
    const wasmFiles = Object.keys(KERNEL_MODULES).filter((p) => p.startsWith('wasm/'));
    assert.ok(wasmFiles.includes('wasm/gemm') && wasmFiles.includes('wasm/conv-nm'), wasmFiles.join());
    const problems: string[] = [];
    for (const file of wasmFiles) {
      const declared = new Set(Object.values(KERNEL_MODULES[file]!).flat().flatMap((k) => (k.wasmModules ?? []).map((m) => m.family)));
      const reached = reach(file);
      const families = new Set([...reached].flatMap((p) => /^wasm\/modules\/(.+)\.wasm$/.exec(p)?.[1] ?? []));
      const extra = [...families].filter((f) => !declared.has(f)), missing = [...declared].filter((f) => !families.has(f));
      if (extra.length || missing.length) problems.push(`${file}: declares [${[...declared].sort()}], imports [${[...families].sort()}]`);
      const kernelFiles = wasmFiles.filter((p) => p !== file && reached.has(p) && !KNOWN_KERNEL_IMPORTS.has(`${file} -> ${p}`));
      if (kernelFiles.length) problems.push(`${file} imports the kernel file(s) ${kernelFiles.join(', ')}`);
    }
    assert.deepEqual(problems, []);
  });
});
