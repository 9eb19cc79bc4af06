// Stages the two published packages from the repository build (dist/, from `tsc -p tsconfig.json`):
// runtime/dist/ (dist/runtime and dist/schemas: spc-runtime) and compiler/dist/ (dist/compiler:
// spc-compiler), plus LICENSE in each. Usage: node scripts/stage-packages.mjs [runtime|compiler]...
//
// Why staging, not a second build: the sources stay where they are and keep importing the
// runtime by relative path, which is what the repository's one build, its tests and every open
// branch use. Only the published compiler must reach the runtime through its package name, so
// here — and nowhere else — each compiled specifier that leads from dist/compiler into
// dist/runtime or dist/schemas becomes `spc-runtime/internal/<path>` (runtime/package.json
// exports it; the compiler pins the runtime's exact version, so the internal paths always match).

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const RUNTIME_PACKAGE = 'spc-runtime';

/** What each package ships from dist/, and whether its runtime imports go through the package name. */
const PACKAGES = {
  runtime: { folders: ['runtime', 'schemas'], viaPackage: false, extra: [] },
  // The compiler ships the docs its --help and errors point to, and the recipe files' JSON Schema.
  compiler: { folders: ['compiler'], viaPackage: true, extra: ['docs', 'schemas/recipe.schema.json'] },
};

/** Folders of dist/ that belong to spc-runtime: a compiler import into them is rewritten. */
const RUNTIME_FOLDERS = PACKAGES.runtime.folders;

function fail(message) {
  process.stderr.write(`stage-packages: ${message}\n`);
  process.exit(1);
}

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile() && !/\.test\.(js|d\.ts)$/.test(e.name)) yield p;
  }
}

/** `spec` as imported from dist/<from>: unchanged, or `spc-runtime/internal/...` when it leads into the runtime. */
function mapSpecifier(spec, from) {
  if (!spec.startsWith('.')) return spec;
  const target = posix.normalize(posix.join(posix.dirname(from), spec));
  const top = target.split('/')[0];
  if (top === 'compiler') return spec;
  if (RUNTIME_FOLDERS.includes(top)) return `${RUNTIME_PACKAGE}/internal/${target.replace(/\.js$/, '')}`;
  return fail(`dist/${from} imports ${spec} (dist/${target}), which neither package ships`);
}

/** Rewrites the module specifiers of a compiled .js or .d.ts file (static, dynamic and type imports). */
function rewrite(text, from) {
  return text.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\2/g, (_, lead, q, spec) => `${lead}${q}${mapSpecifier(spec, from)}${q}`);
}

function stage(name) {
  const pkg = PACKAGES[name];
  const out = join(ROOT, name, 'dist');
  rmSync(out, { recursive: true, force: true });
  for (const folder of pkg.folders) {
    const src = join(DIST, folder);
    if (!existsSync(src)) fail(`dist/${folder} is missing: build first (npm run build)`);
    for (const file of files(src)) {
      const rel = relative(DIST, file).split(sep).join('/');
      const dest = join(out, rel);
      mkdirSync(dirname(dest), { recursive: true });
      if (pkg.viaPackage && /\.(js|d\.ts)$/.test(rel)) writeFileSync(dest, rewrite(readFileSync(file, 'utf8'), rel));
      else copyFileSync(file, dest);
    }
  }
  copyFileSync(join(ROOT, 'LICENSE'), join(ROOT, name, 'LICENSE'));
  for (const rel of pkg.extra) {
    const src = join(ROOT, rel);
    const dest = join(ROOT, name, rel);
    rmSync(dest, { recursive: true, force: true });
    if (!existsSync(src)) fail(`${rel} is missing`);
    const sources = rel.endsWith('.json') ? [src] : [...files(src)];
    for (const file of sources) {
      const to = join(dest, relative(src, file));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(file, to);
    }
  }
}

const names = process.argv.slice(2);
for (const n of names) if (!(n in PACKAGES)) fail(`unknown package '${n}' (packages: ${Object.keys(PACKAGES).join(', ')})`);
for (const n of names.length ? names : Object.keys(PACKAGES)) stage(n);
