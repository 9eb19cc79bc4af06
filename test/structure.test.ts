// The import structure of compiler/ and runtime/, as .dependency-cruiser.cjs states it (rerun by
// hand: `npm run structure`): no import cycles, nothing in compiler/analysis
// or compiler/ir importing the layers above it, and a runtime with no Node built-in, no compiler
// module and no package but flatbuffers. A fixture with one violation per rule shows the rules bite.
// Also README's layout claim: test/compiler, test/runtime and test/schemas mirror the source tree.

import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cruise } from 'dependency-cruiser';
import type { ICruiseOptions, ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { REPO_ROOT } from './helpers/corpus.js';
import { tempDir } from './helpers/files.js';

async function cruiseTree(root: string, dirs: readonly string[]): Promise<ICruiseResult> {
  const options: ICruiseOptions = { ...(await extractDepcruiseOptions(join(REPO_ROOT, '.dependency-cruiser.cjs'))), baseDir: root, validate: true };
  const r = await cruise([...dirs], options, {}, { tsConfig: extractTSConfig(join(root, 'tsconfig.json')) });
  assert.equal(typeof r.output, 'object', 'the cruise returns its result');
  return r.output as ICruiseResult;
}

/** One line per violation: rule, from → to (and the cycle); a package by its path from node_modules/. */
function violations(r: ICruiseResult): string[] {
  return r.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to.replace(/^.*\/(?=node_modules\/)/, '')}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
}

describe('structure: imports of compiler/ and runtime/', function () {
  this.timeout(120_000);

  it('break no rule of .dependency-cruiser.cjs', async () => {
    const r = await cruiseTree(REPO_ROOT, ['compiler', 'runtime']);
    // The cruise saw the real graph: TypeScript sources resolved through their '.js' imports.
    assert.ok(r.summary.totalCruised > 150, `${r.summary.totalCruised} modules`);
    const compile = r.modules.find((m) => m.source === 'compiler/compile.ts');
    assert.ok(compile?.dependencies.some((d) => d.resolved === 'compiler/passes/manager.ts'), 'compile.ts → passes/manager.ts resolved');
    assert.deepEqual(violations(r), []);
  });

  it('each rule catches its violation in a fixture tree', async () => {
    const root = tempDir('spc-structure-');
    try {
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
        'compiler/analysis/a.ts': "import { b } from './b.js';\nexport const a = (): number => b + 1;\n",
        'compiler/analysis/b.ts': "import type { a } from './a.js';\nexport const b = 1;\nexport type A = typeof a;\n",
        'compiler/analysis/c.ts': "import { lower } from '../emit/lower.js';\nexport const c = lower;\n",
        'compiler/emit/lower.ts': 'export const lower = 1;\n',
        'compiler/ir/graph.ts': "import { c } from '../analysis/c.js';\nexport const g = c;\n",
        'runtime/index.ts': "import { readFileSync } from 'node:fs';\nimport { a } from '../compiler/analysis/a.js';\nimport { gone } from './missing.js';\n"
          + "import { Command } from 'commander';\nimport { flatbuffers } from 'flatbuffers';\nexport const r = [readFileSync, a, gone, Command, flatbuffers];\n",
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
      const found = violations(await cruiseTree(root, ['compiler', 'runtime'])).sort();
      assert.deepEqual(found, [
        'analysis-not-upward: compiler/analysis/c.ts → compiler/emit/lower.ts',
        'ir-not-upward: compiler/ir/graph.ts → compiler/analysis/c.ts',
        'no-circular: compiler/analysis/a.ts → compiler/analysis/b.ts (cycle compiler/analysis/b.ts → compiler/analysis/a.ts)',
        'resolvable: runtime/index.ts → ./missing.js',
        'runtime-no-compiler: runtime/index.ts → compiler/analysis/a.ts',
        'runtime-no-node: runtime/index.ts → fs',
        'runtime-only-flatbuffers: runtime/index.ts → node_modules/commander/index.js',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** Every folder under `dir`, as paths relative to `base`. */
function foldersUnder(base: string, dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(base, dir))) {
    const rel = join(dir, e);
    if (statSync(join(base, rel)).isDirectory()) out.push(rel, ...foldersUnder(base, rel));
  }
  return out;
}

describe('structure: test/ mirrors the source tree', () => {
  it('each folder under test/compiler, test/runtime and test/schemas is a source folder', () => {
    const testRoot = join(REPO_ROOT, 'test');
    const orphans = ['compiler', 'runtime', 'schemas'].flatMap((top) => foldersUnder(testRoot, top))
      .filter((d) => !existsSync(join(REPO_ROOT, d)));
    assert.deepEqual(orphans, []);
    // The check looked at real folders: the sparse stages are mirrored.
    assert.ok(existsSync(join(testRoot, 'compiler', 'sparse', 'prune')));
  });

  it('no test folder sits beside the mirrored ones but e2e, package, scripts, browser and helpers', () => {
    const top = readdirSync(join(REPO_ROOT, 'test')).filter((e) => statSync(join(REPO_ROOT, 'test', e)).isDirectory()).sort();
    assert.deepEqual(top, ['browser', 'compiler', 'e2e', 'helpers', 'package', 'runtime', 'schemas', 'scripts']);
  });
});
