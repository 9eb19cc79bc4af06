// samples/ci/spc.yml (issue 20 item 6), tested by running it: its `run:` steps are extracted and
// executed in order with bash in a temp project holding a corpus model, its test data and the
// sample recipe, `spc` on PATH as the install step would put it. The upload step's paths must
// then exist, the budgets be met, and the artifact load.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIGITS_DIR, REPO_ROOT } from '../helpers/corpus.js';
import { BIN, spc } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

const WORKFLOW = join(REPO_ROOT, 'samples', 'ci', 'spc.yml');

interface Step { readonly name: string; readonly id?: string; readonly run?: string; readonly uses?: string; readonly with: Record<string, string> }

/**
 * The steps of a workflow's one job, as GitHub reads them for the keys used here: `- name:` /
 * `- uses:` starting a step, `id:`, `run:` (one line, or a `|` block), and `with:` keys (one
 * line, or a `|` block). Enough for this file; a step using anything else fails the test.
 */
function workflowSteps(text: string): Step[] {
  const lines = text.split('\n');
  const steps: { name: string; id?: string; run?: string; uses?: string; with: Record<string, string> }[] = [];
  const indentOf = (l: string): number => l.length - l.trimStart().length;
  const block = (i: number, indent: number): [string, number] => {
    const out: string[] = [];
    let j = i + 1;
    for (; j < lines.length && (lines[j]!.trim() === '' || indentOf(lines[j]!) > indent); j++) out.push(lines[j]!);
    const strip = Math.min(...out.filter((l) => l.trim() !== '').map(indentOf));
    return [out.map((l) => l.slice(strip)).join('\n').trimEnd() + '\n', j];
  };
  let inSteps = false, withIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*steps:\s*$/.test(line)) { inSteps = true; continue; }
    if (!inSteps || line.trim() === '' || line.trim().startsWith('#')) continue;
    const m = /^(\s*)(- )?([a-z-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, sp, dash, key, value] = m;
    const indent = sp!.length + (dash ? 2 : 0);
    if (dash) { steps.push({ name: '', with: {} }); withIndent = -1; }
    const step = steps[steps.length - 1]!;
    if (withIndent >= 0 && indent > withIndent) {
      if (value === '|') { const [b, j] = block(i, indent); step.with[key!] = b; i = j - 1; } else step.with[key!] = value!;
      continue;
    }
    withIndent = -1;
    if (key === 'with') { withIndent = indent; continue; }
    if (key === 'run' && value === '|') { const [b, j] = block(i, indent); step.run = b; i = j - 1; continue; }
    if (key === 'name' || key === 'id' || key === 'run' || key === 'uses') step[key] = value!;
  }
  return steps;
}

describe('samples/ci: the GitHub Actions workflow, run step by step', function () {
  this.timeout(600_000);
  const work = tempDir('spc-ci-');

  it('installs, compiles with the recipe and budgets, and leaves the artifact and the HTML report where the upload step takes them', () => {
    const steps = workflowSteps(readFileSync(WORKFLOW, 'utf8'));
    assert.deepEqual(steps.map((s) => s.uses ?? s.id ?? s.name), ['actions/checkout@v4', 'actions/setup-node@v4', 'install-spc', 'Compile with budgets', 'Measure on this runner', 'actions/upload-artifact@v4']);
    // The project the workflow checks out: a model, its test data, the recipe beside it.
    mkdirSync(join(work, 'models'));
    mkdirSync(join(work, 'data'));
    copyFileSync(join(DIGITS_DIR, 'digits_cnn.onnx'), join(work, 'models', 'model.onnx'));
    copyFileSync(join(DIGITS_DIR, 'digits-test-x.npy'), join(work, 'data', 'test-x.npy'));
    copyFileSync(join(DIGITS_DIR, 'digits-test-y.npy'), join(work, 'data', 'test-y.npy'));
    copyFileSync(join(REPO_ROOT, 'samples', 'ci', 'spc.recipe.json'), join(work, 'spc.recipe.json'));
    // The install step installs the package globally, which puts `spc` on PATH: here, this checkout's.
    const install = steps.find((s) => s.id === 'install-spc')!;
    assert.match(install.run!, /^npm install --global \S+$/);
    const bin = join(work, '.bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'spc'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'spc'), 0o755);
    for (const step of steps.filter((s) => s.run !== undefined && s !== install)) {
      const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', step.run!], { cwd: work, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env['PATH']}` } });
      assert.equal(r.status, 0, `step '${step.name}' failed:\n${r.stderr}`);
    }
    const summary = JSON.parse(readFileSync(join(work, 'out', 'summary.json'), 'utf8')) as { artifact: string; budgets: { ok: boolean; budget: string }[] };
    assert.deepEqual(summary.budgets.map((b) => b.budget).sort(), ['--max-accuracy-drop', '--max-size', '--min-speedup']);
    assert.ok(summary.budgets.every((b) => b.ok), JSON.stringify(summary.budgets));
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    for (const path of upload.with['path']!.trim().split('\n')) assert.ok(existsSync(join(work, path.trim())), `upload path ${path} exists`);
    assert.match(readFileSync(join(work, 'out', 'report.html'), 'utf8'), /<html/i);
    assert.equal(spc('inspect', join(work, 'out', 'model.spm'), '-q').code, 0, 'the artifact loads');
    // A budget the model misses fails the step (exit 1) and leaves no artifact for the upload.
    const compile = steps.find((s) => s.name === 'Compile with budgets')!.run!;
    assert.match(compile, /--max-size \S+/);
    const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', compile.replace(/--max-size \S+/, '--max-size 10KB').replace(/\bout\b/g, 'out2')], { cwd: work, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env['PATH']}` } });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^spc: error: budget failed, nothing written:\n {2}--max-size 10KB: /);
    assert.equal(existsSync(join(work, 'out2', 'model.spm')), false);
  });
});
