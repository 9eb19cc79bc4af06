// Stages the two published packages from the repository build (dist/, from `tsc -p tsconfig.json`):
// runtime/dist/ (dist/runtime and dist/schemas: spc-runtime) and compiler/dist/ (dist/compiler
// with its own copy of dist/runtime and dist/schemas: spc-compiler), plus LICENSE in each.
// Usage: node scripts/stage-packages.mjs [runtime|compiler]...
//
// Why staging, not a second build: the sources stay where they are and keep importing the
// runtime by relative path, which is what the repository's one build, its tests and every open
// branch use. The compiler uses the runtime's internals (the loader, the kernel registry, the
// schema's generated code), which are no public API: rather than export them from spc-runtime to
// everyone (an `internal/*` subpath held together by an exact-version pin), spc-compiler ships the
// runtime it was built and tested with, in the same layout, so its relative imports resolve
// inside its own package. spc-runtime exports its public API alone; the compiler's dependency
// on it is for the dispatch modules it generates, which import that public API.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

/** What each package ships from dist/ (a compiled import must stay inside these folders). */
const PACKAGES = {
  runtime: { folders: ['runtime', 'schemas'], extra: [] },
  // The compiler ships the docs its --help and errors point to, and the recipe files' JSON Schema.
  compiler: { folders: ['compiler', 'runtime', 'schemas'], extra: ['docs', 'schemas/recipe.schema.json'] },
};

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

/** Fails when a compiled .js or .d.ts file of dist/<from> imports a relative path outside `folders` (the package would not resolve it). */
function checkImports(text, from, folders) {
  for (const [, , spec] of text.matchAll(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\2/g)) {
    if (!spec.startsWith('.')) continue;
    const target = posix.normalize(posix.join(posix.dirname(from), spec));
    if (!folders.includes(target.split('/')[0])) fail(`dist/${from} imports ${spec} (dist/${target}), which the package does not ship`);
  }
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
      if (/\.(js|d\.ts)$/.test(rel)) checkImports(readFileSync(file, 'utf8'), rel, pkg.folders);
      copyFileSync(file, dest);
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
