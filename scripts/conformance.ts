// `npm run conformance`: every ONNX backend node test of ../shared/corpus/onnx-node-tests through
// spc (compile → load → run → compare; scripts/conformance/run.ts). Prints pass / fail /
// unsupported per op and the total; exits 1 below the acceptance bar (95% of the gated selections'
// tests pass: run.ts's passBar).
// `--write` also regenerates docs/operators.md (scripts/conformance/doc.ts).
// `--only <substring>` runs the tests whose name contains it; `--targets ref` (or js,ref …)
// restricts kernel selection to those targets; either gives no bar and no --write.

import { join, relative } from 'node:path';
import { ROOT } from './bench/corpus.js';
import { GATED_SELECTIONS, PASS_BAR, listTests, passBar, runTest, tallyByOp } from './conformance/run.js';
import type { TestResult } from './conformance/run.js';
import { writeOperatorsDoc } from './conformance/doc.js';
import type { Target } from '../compiler/analysis/kernel-choice.js';

const DIR = join(ROOT, '..', 'shared', 'corpus', 'onnx-node-tests');

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const write = args.includes('--write');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  const verbose = args.includes('--verbose');
  const targetsAt = args.indexOf('--targets');
  const targets = targetsAt >= 0 ? (args[targetsAt + 1] ?? '').split(',') as Target[] : undefined;
  const tests = listTests(DIR).filter((t) => only === undefined || t.test.includes(only));
  const results: TestResult[] = [];
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  for (const t of tests) {
    const r = await runTest(DIR, t, targets ? { targets } : {});
    results.push(r);
    if (verbose || (only !== undefined && r.status !== 'pass')) process.stdout.write(`${r.status.padEnd(11)} ${r.test}${r.reason ? `: ${r.reason}` : ''}\n`);
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const lines = [`${'op'.padEnd(20)} ${'pass'.padStart(5)} ${'fail'.padStart(5)} ${'unsup'.padStart(5)} ${'total'.padStart(5)}`];
  for (const [op, t] of tallyByOp(results)) {
    lines.push(`${op.padEnd(20)} ${String(t.pass).padStart(5)} ${String(t.fail).padStart(5)} ${String(t.unsupported).padStart(5)} ${String(t.total).padStart(5)}`);
  }
  const pass = results.filter((r) => r.status === 'pass').length;
  process.stdout.write(lines.join('\n') + '\n\n');
  for (const r of results) if (r.status !== 'pass') process.stdout.write(`${r.status.padEnd(11)} ${r.test}: ${r.reason}\n`);
  process.stdout.write(`\n${pass} of ${results.length} pass (${(100 * pass / Math.max(results.length, 1)).toFixed(1)}%), `
    + `${results.filter((r) => r.status === 'fail').length} fail, ${results.filter((r) => r.status === 'unsupported').length} unsupported; `
    + `${wall.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU\n`);
  if (only !== undefined || targets !== undefined) return 0; // a partial or non-default run: no bar, no doc
  if (write) {
    const path = writeOperatorsDoc(join(ROOT, 'docs', 'operators.md'), tests, results);
    process.stdout.write(`wrote ${relative(ROOT, path)}\n`);
  }
  const bar = passBar(tests, results);
  process.stdout.write(`bar (${[...GATED_SELECTIONS].join(', ')}): ${bar.pass} of ${bar.gated} pass, ${bar.needed} needed\n`);
  if (bar.pass < bar.needed) {
    process.stderr.write(`conformance: ${bar.pass} of ${bar.gated} gated tests pass, below the bar of ${bar.needed} (${100 * PASS_BAR}%)\n`);
    return 1;
  }
  return 0;
}

main().then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`conformance: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
