// Builds the wasmsimd kernel modules: compiles runtime/kernels/wasm/asm/kernels.as (and the
// asm/*.as files it imports) with AssemblyScript twice, SIMD128 and SIMD128 + relaxed SIMD (asm/
// common.as madd is the one place the two differ), and writes runtime/kernels/wasm/kernels.wasm.ts,
// the SIMD128 module as base64 and the relaxed one as a delta against it (a few KB: the modules
// differ only where madd is inlined, and every app bundles both), in one generated TypeScript
// file (committed, so `npm ci` needs no WASM build; runtime/kernels/wasm/env.ts picks one at load).
//
//   node --experimental-wasm-relaxed-simd scripts/build-wasm.mjs [--out <dir>]
//                                          (npm run build:wasm; the flag lets Node 20 validate the relaxed
//                                          module; --out for the freshness test, which also gets both
//                                          modules' bytes there as kernels.wasm and kernels.relaxed.wasm)
//
// The sources have the `.as` extension so that tsc (which includes runtime/**/*.ts) leaves them
// alone; asc is handed asm/<name>.as as `<name>.ts`. Same source + same asc version → same bytes.

import { existsSync, readFileSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ASM = join(root, 'runtime/kernels/wasm/asm');
/** asc asks for `<name>.ts` (entry and imports, relative to the entry's folder): serve asm/<name>.as. */
function source(name, dir = ASM) {
  const m = /^([a-z0-9-]+)\.ts$/.exec(name);
  const file = m && join(dir, `${m[1]}.as`);
  return file && existsSync(file) ? readFileSync(file, 'utf8') : null;
}
const outIdx = process.argv.indexOf('--out');
const outDir = outIdx > 0 ? resolve(process.argv[outIdx + 1]) : join(root, 'runtime/kernels/wasm');

const FLAGS = ['kernels.ts', '--outFile', 'kernels.wasm', '-O3', '--noAssert', '--runtime', 'stub',
  '--importMemory', '--noExportMemory', '--initialMemory', '1', '--use', 'abort=', '--enable', 'simd'];
/** The relaxed build: ASC_FEATURE_RELAXED_SIMD is true in it, so madd emits f32x4.relaxed_madd. */
const RELAXED_FLAGS = [...FLAGS, '--enable', 'relaxed-simd'];

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
  // the runtime owns every byte of it.
  const mod = new WebAssembly.Module(wasm);
  const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`);
  if (imports.join() !== 'env.memory:memory') fail(`unexpected imports in the ${what} module: ${imports.join(', ')}`);
  if (WebAssembly.Module.customSections(mod, 'name').length > 0) console.error(`build-wasm: note: the ${what} module carries a name section`);
  return { wasm, exports: WebAssembly.Module.exports(mod).map((e) => e.name) };
}

function fail(message) {
  console.error(`build-wasm: ${message}`);
  process.exit(1);
}

const simd = await build(FLAGS, 'SIMD128', false);
const relaxed = await build(RELAXED_FLAGS, 'relaxed SIMD', true);
if (relaxed.exports && relaxed.exports.join() !== simd.exports.join()) fail('the two modules export different functions');
const wasm = simd.wasm;

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
const delta = encodeDelta(wasm, relaxed.wasm);
if (!Buffer.from(applyDelta(wasm, delta)).equals(Buffer.from(relaxed.wasm))) fail('the relaxed module\'s delta does not round-trip');

const version = JSON.parse(readFileSync(join(root, 'node_modules/assemblyscript/package.json'), 'utf8')).version;
const base64 = (bytes) => (Buffer.from(bytes).toString('base64').match(/.{1,100}/g) ?? []).map((l) => `  '${l}'`).join(' +\n');
const ts = `// @generated by spc (scripts/build-wasm.mjs) — do not edit.
// Source: runtime/kernels/wasm/asm/*.as (entry kernels.as), AssemblyScript ${version}, flags: ${FLAGS.slice(1).join(' ')}
// (the relaxed module adds --enable relaxed-simd).
// Regenerate with \`npm run build:wasm\`; a test rebuilds it and fails when it is stale.
// SIMD128: ${wasm.length} bytes; relaxed SIMD: ${relaxed.wasm.length} bytes; exports: ${simd.exports.join(', ')}

/** The spc kernel module (imports env.memory), SIMD128 only, base64. */
export const KERNELS_WASM_BASE64 =
${base64(wasm)};

/** The same kernels built with relaxed SIMD (f32x4.relaxed_madd), as a delta against the SIMD128 module (${delta.length} bytes), base64. */
export const KERNELS_RELAXED_DELTA_BASE64 =
${base64(delta)};
`;
mkdirSync(outDir, { recursive: true });
const target = join(outDir, 'kernels.wasm.ts');
writeFileSync(target + '.tmp', ts);
renameSync(target + '.tmp', target);
if (outIdx > 0) {
  writeFileSync(join(outDir, 'kernels.wasm'), wasm);
  writeFileSync(join(outDir, 'kernels.relaxed.wasm'), relaxed.wasm);
}
console.log(`build-wasm: wrote ${target} (${wasm.length} bytes of SIMD128 wasm, relaxed SIMD as a ${delta.length}-byte delta)`);

// The compiler's own module (calibrated pruning's linear algebra, compiler/linalg/asm/linalg.as),
// never embedded by apps: SIMD128 only, written beside its source's folder.
const LINALG = join(root, 'compiler/linalg');
const linalg = await build(['linalg.ts', '--outFile', 'linalg.wasm', ...FLAGS.slice(3)], 'linalg', false, join(LINALG, 'asm'));
const linalgTarget = join(outIdx > 0 ? outDir : LINALG, 'linalg.wasm.ts');
writeFileSync(linalgTarget, `// @generated by spc (scripts/build-wasm.mjs) — do not edit.
// Source: compiler/linalg/asm/linalg.as, AssemblyScript ${version}; regenerate with \`npm run build:wasm\`.
// ${linalg.wasm.length} bytes; exports: ${linalg.exports.join(', ')}

/** The compiler's linear-algebra module (imports env.memory), SIMD128, base64. */
export const LINALG_WASM_BASE64 =
${base64(linalg.wasm)};
`);
console.log(`build-wasm: wrote ${linalgTarget} (${linalg.wasm.length} bytes)`);
