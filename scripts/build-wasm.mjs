// Builds the wasmsimd kernel modules, one per kernel family (scripts/wasm-families.mjs says which
// asm/*.as files make each family; a file in none fails the build). Each family is compiled with
// AssemblyScript twice, SIMD128 and SIMD128 + relaxed SIMD (asm/common.as madd is the one place the
// two differ), and written to runtime/kernels/wasm/modules/<family>.wasm.ts: the SIMD128 module as
// base64 and the relaxed one as a delta against it (the modules differ only where madd is
// inlined). The kernel files import the families they call, so a bundle embeds only those
// (committed, so `npm ci` needs no WASM build; runtime/kernels/wasm/env.ts instantiates the
// families a load needs over one memory). modules/index.ts lists every family (compiler, tests).
//
//   node --experimental-wasm-relaxed-simd scripts/build-wasm.mjs [--out <dir>] [--asm <dir>]
//                                          (npm run build:wasm; the flag lets Node 20 validate the relaxed
//                                          modules; --out for the freshness test, which also gets each
//                                          family's bytes there as <family>.wasm and <family>.relaxed.wasm;
//                                          --asm reads the sources from another folder, for the family test)
//
// The sources have the `.as` extension so that tsc (which includes runtime/**/*.ts) leaves them
// alone; asc is handed asm/<name>.as as `<name>.ts`, and a family's entry (re-exporting its files)
// as `family-<family>.ts`. Same source + same asc version → same bytes.

import { existsSync, readFileSync, readdirSync, mkdirSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { WASM_FAMILIES, familyProblems } from './wasm-families.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const asmIdx = process.argv.indexOf('--asm');
const ASM = asmIdx > 0 ? resolve(process.argv[asmIdx + 1]) : join(root, 'runtime/kernels/wasm/asm');
/** The generated entry of each family: its files' exports, nothing else. */
const entries = new Map(Object.entries(WASM_FAMILIES).map(([family, files]) => [
  `family-${family}.ts`, files.map((f) => `export * from './${f}';\n`).join(''),
]));
/** asc asks for `<name>.ts` (entry and imports, relative to the entry's folder): serve asm/<name>.as. */
function source(name, dir = ASM) {
  if (entries.has(name)) return entries.get(name);
  const m = /^([a-z0-9-]+)\.ts$/.exec(name);
  const file = m && join(dir, `${m[1]}.as`);
  return file && existsSync(file) ? readFileSync(file, 'utf8') : null;
}
const outIdx = process.argv.indexOf('--out');
const outDir = outIdx > 0 ? resolve(process.argv[outIdx + 1]) : join(root, 'runtime/kernels/wasm/modules');

const problems = familyProblems(readdirSync(ASM).filter((f) => f.endsWith('.as')).map((f) => f.slice(0, -3)));
if (problems.length > 0) fail(problems.join('\n  '));

/** asc flags after the entry; the relaxed build adds --enable relaxed-simd (ASC_FEATURE_RELAXED_SIMD is then true, so madd emits f32x4.relaxed_madd). */
const FLAGS = ['--outFile', 'module.wasm', '-O3', '--noAssert', '--runtime', 'stub',
  '--importMemory', '--noExportMemory', '--initialMemory', '1', '--use', 'abort=', '--enable', 'simd'];
const RELAXED = ['--enable', 'relaxed-simd'];

/** Compiles and checks one module; exits 1 on any failure. With `maybeUnsupported`, a module this engine rejects is only noted. */
async function build(flags, what, maybeUnsupported, dir = ASM) {
  let wasm;
  const result = await asc.main(flags, {
    readFile: (name) => source(name, dir),
    writeFile: (name, contents) => { if (name === flags[2]) wasm = contents; },
    listFiles: () => [],
    stdout: process.stdout,
    stderr: process.stderr,
  });
  if (result.error || !wasm) fail(`asc failed on the ${what} module: ${result.error ?? 'no output'}`);
  if (!WebAssembly.validate(wasm)) {
    // Node 20 validates relaxed SIMD only under --experimental-wasm-relaxed-simd (npm run
    // build:wasm passes it); without it the relaxed module is checked by the tests run under it.
    if (!maybeUnsupported || process.execArgv.includes('--experimental-wasm-relaxed-simd')) fail(`asc produced an invalid ${what} module`);
    console.error(`build-wasm: note: this engine does not validate the ${what} module (run node with --experimental-wasm-relaxed-simd to check it)`);
    return { wasm, exports: undefined };
  }
  // The module must not write into the imported memory at instantiation (no data segments):
  // the runtime owns every byte of it, and every family shares it.
  const segments = dataSegments(wasm);
  if (segments > 0) {
    fail(`the ${what} module has ${segments} data segment(s) (${sourcesOf(what)}): static data (a string, a constant array, memory.data) ` +
      'would be written into the shared memory at instantiation; compute it at run time or pass it in from the kernel');
  }
  const mod = new WebAssembly.Module(wasm);
  const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`);
  if (imports.join() !== 'env.memory:memory') fail(`unexpected imports in the ${what} module: ${imports.join(', ')}`);
  if (WebAssembly.Module.customSections(mod, 'name').length > 0) console.error(`build-wasm: note: the ${what} module carries a name section`);
  return { wasm, exports: WebAssembly.Module.exports(mod).map((e) => e.name) };
}

/** Segments in the module's data section (id 11), or the count its data-count section (id 12) declares; 0 when neither is present. */
function dataSegments(wasm) {
  let p = 8, count = 0;
  const u32 = () => { let v = 0, shift = 0, b; do { b = wasm[p++]; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80); return v; };
  while (p < wasm.length) {
    const id = wasm[p++], size = u32(), end = p + size;
    if (id === 11 || id === 12) count = Math.max(count, u32());
    p = end;
  }
  return count;
}

/** The asm files a module was built from, for messages: `what` starts with the family's name (or linalg). */
function sourcesOf(what) {
  const family = what.split(' ')[0];
  const files = WASM_FAMILIES[family];
  return files ? `asm/${files.map((f) => `${f}.as`).join(', asm/')}` : 'compiler/linalg/asm/linalg.as';
}

function fail(message) {
  console.error(`build-wasm: ${message}`);
  process.exit(1);
}

/**
 * `target` as literal bytes and copies from `base`, greedily (8-byte seeds, the longest extension
 * among their first 16 occurrences). Format, all numbers varints (LEB128): the target's length,
 * then records up to it of (literal length, the literal bytes, copy length, copy start when the
 * length > 0). runtime/kernels/wasm/env.ts applyDelta reads it.
 */
function encodeDelta(base, target) {
  const SEED = 8, CANDIDATES = 16;
  const key = (bytes, i) => Buffer.from(bytes.subarray(i, i + SEED)).toString('latin1');
  const at = new Map();
  for (let i = 0; i + SEED <= base.length; i++) {
    const list = at.get(key(base, i)) ?? [];
    if (list.length < CANDIDATES) at.set(key(base, i), [...list, i]);
  }
  const out = [];
  const varint = (v) => { do { out.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0)); v >>>= 7; } while (v > 0); };
  let literal = [];
  const record = (copyLen, copyFrom) => {
    varint(literal.length);
    out.push(...literal);
    literal = [];
    varint(copyLen);
    if (copyLen > 0) varint(copyFrom);
  };
  varint(target.length);
  for (let i = 0; i < target.length;) {
    let best = 0, from = 0;
    for (const j of i + SEED <= target.length ? at.get(key(target, i)) ?? [] : []) {
      let n = 0;
      while (j + n < base.length && i + n < target.length && base[j + n] === target[i + n]) n++;
      if (n > best) { best = n; from = j; }
    }
    if (best >= SEED) { record(best, from); i += best; } else literal.push(target[i++]);
  }
  if (literal.length > 0) record(0, 0);
  return Uint8Array.from(out);
}

/** encodeDelta's inverse, as env.ts applyDelta: the build checks the round trip before writing. */
function applyDelta(base, delta) {
  let p = 0;
  const varint = () => { let v = 0, shift = 0, b; do { b = delta[p++]; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80); return v; };
  const out = new Uint8Array(varint());
  let n = 0;
  while (n < out.length) {
    const lit = varint();
    out.set(delta.subarray(p, p + lit), n); p += lit; n += lit;
    const len = varint();
    if (len > 0) { const from = varint(); out.set(base.subarray(from, from + len), n); n += len; }
  }
  return out;
}
const version = JSON.parse(readFileSync(join(root, 'node_modules/assemblyscript/package.json'), 'utf8')).version;
const base64 = (bytes) => (Buffer.from(bytes).toString('base64').match(/.{1,100}/g) ?? []).map((l) => `    '${l}'`).join(' +\n');
const constName = (family) => `WASM_${family.toUpperCase()}`;
const generated = new Map();
/** Which family exports each name: the runtime merges the families' exports into one record. */
const exporter = new Map();
let total = 0;
for (const [family, files] of Object.entries(WASM_FAMILIES)) {
  const entry = `family-${family}.ts`;
  const simd = await build([entry, ...FLAGS], `${family} SIMD128`, false);
  const relaxed = await build([entry, ...FLAGS, ...RELAXED], `${family} relaxed SIMD`, true);
  if (relaxed.exports && relaxed.exports.join() !== simd.exports.join()) fail(`the two ${family} modules export different functions`);
  for (const name of simd.exports) {
    if (exporter.has(name)) fail(`${name} is exported by both the ${exporter.get(name)} and the ${family} family (asm files of two families share an exported function: move it to one)`);
    exporter.set(name, family);
  }
  const delta = encodeDelta(simd.wasm, relaxed.wasm);
  if (!Buffer.from(applyDelta(simd.wasm, delta)).equals(Buffer.from(relaxed.wasm))) fail(`the ${family} relaxed module's delta does not round-trip`);
  total += simd.wasm.length + delta.length;
  generated.set(`${family}.wasm.ts`, `// @generated by spc (scripts/build-wasm.mjs) — do not edit.
// Source: the ${family} family of scripts/wasm-families.mjs, runtime/kernels/wasm/asm/{${files.join(',')}}.as,
// AssemblyScript ${version}, flags: ${FLAGS.slice(2).join(' ')} (the relaxed module adds ${RELAXED.join(' ')}).
// Regenerate with \`npm run build:wasm\`; a test rebuilds it and fails when it is stale.
// SIMD128: ${simd.wasm.length} bytes; relaxed SIMD: ${relaxed.wasm.length} bytes; exports: ${simd.exports.join(', ')}

import type { WasmKernelModule } from '../../kernel.js';

/** The ${family} kernels: SIMD128 as base64, relaxed SIMD (f32x4.relaxed_madd) as a ${delta.length}-byte delta against it. */
export const ${constName(family)}: WasmKernelModule = {
  family: '${family}',
  simd:
${base64(simd.wasm)},
  relaxedDelta:
${base64(delta)},
};
`);
  if (outIdx > 0) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, `${family}.wasm`), simd.wasm);
    writeFileSync(join(outDir, `${family}.relaxed.wasm`), relaxed.wasm);
  }
}
const families = Object.keys(WASM_FAMILIES);
generated.set('index.ts', `// @generated by spc (scripts/build-wasm.mjs) — do not edit.
// Every kernel family's module, for the compiler and tests (apps import the families their kernels use).
// Regenerate with \`npm run build:wasm\`.

import type { WasmKernelModule } from '../../kernel.js';
${families.map((f) => `import { ${constName(f)} } from './${f}.wasm.js';`).join('\n')}

export const WASM_MODULES: readonly WasmKernelModule[] = [${families.map(constName).join(', ')}];
`);

mkdirSync(outDir, { recursive: true });
// A family dropped from the table leaves no stale module behind.
for (const f of readdirSync(outDir)) if (f.endsWith('.wasm.ts') && !generated.has(f)) rmSync(join(outDir, f));
for (const [name, text] of generated) {
  const target = join(outDir, name);
  writeFileSync(target + '.tmp', text);
  renameSync(target + '.tmp', target);
}
console.log(`build-wasm: wrote ${families.length} family modules to ${outDir} (${total} bytes of wasm and relaxed deltas)`);

// The compiler's own module (calibrated pruning's linear algebra, compiler/linalg/asm/linalg.as),
// never embedded by apps: SIMD128 only, written beside its source's folder.
const LINALG = join(root, 'compiler/linalg');
const linalg = await build(['linalg.ts', '--outFile', 'linalg.wasm', ...FLAGS.slice(2)], 'linalg', false, join(LINALG, 'asm'));
const linalgTarget = join(outIdx > 0 ? outDir : LINALG, 'linalg.wasm.ts');
writeFileSync(linalgTarget, `// @generated by spc (scripts/build-wasm.mjs) — do not edit.
// Source: compiler/linalg/asm/linalg.as, AssemblyScript ${version}; regenerate with \`npm run build:wasm\`.
// ${linalg.wasm.length} bytes; exports: ${linalg.exports.join(', ')}

/** The compiler's linear-algebra module (imports env.memory), SIMD128, base64. */
export const LINALG_WASM_BASE64 =
${base64(linalg.wasm)};
`);
console.log(`build-wasm: wrote ${linalgTarget} (${linalg.wasm.length} bytes)`);
