// `npm run bench` as a smoke test: the driver with --quick --models mlp3 runs every
// configuration in its own process and prints tables with every column, each cell a figure
// or n/a. No timing assertions. Plus the docs/performance.md section writer on a temp file.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIGS } from '../../scripts/bench/configs.js';
import { writeSection } from '../../scripts/bench/doc.js';
import { bestRound, reorderTable, roundsTable } from '../../scripts/bench/tables.js';
import { tempDir } from '../helpers/files.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BENCH = join(ROOT, 'dist', 'scripts', 'bench', 'bench.js');

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BENCH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The markdown table following `### <title…>`, as rows of cells (header first, separator dropped). */
function tableAfter(text: string, title: string): string[][] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('### ') && l.includes(title));
  assert.ok(at >= 0, `no '### ${title}' section in:\n${text}`);
  const rows: string[][] = [];
  for (let i = at + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '' && rows.length === 0) continue;
    if (!l.startsWith('|')) break;
    rows.push(l.slice(1, -1).split('|').map((c) => c.trim()));
  }
  assert.ok(rows.length >= 2, `section '${title}' has no table`);
  assert.ok(rows[1]!.every((c) => c === '---'), `section '${title}' has no separator row`);
  return [rows[0]!, ...rows.slice(2)];
}

describe('npm run bench (scripts/bench)', function () {
  this.timeout(120_000);

  it('--quick --models mlp3 prints medians, ratios and spread with every configuration as a column', async () => {
    const r = await runBench(['--quick', '--models', 'mlp3']);
    assert.equal(r.code, 0, r.stderr);
    const expectedHeader = ['model', ...CONFIGS.map((c) => c.label)];
    const check = (title: string, cellPattern: RegExp): Map<string, string> => {
      const [header, ...rows] = tableAfter(r.stdout, title);
      assert.deepEqual(header, expectedHeader, title);
      assert.equal(rows.length, 1, title);
      assert.equal(rows[0]![0], 'mlp3');
      assert.equal(rows[0]!.length, expectedHeader.length);
      for (const c of rows[0]!.slice(1)) assert.match(c, cellPattern, `${title}: cell '${c}'`);
      return new Map(CONFIGS.map((c, i) => [c.key, rows[0]![i + 1]!]));
    };
    const medians = check('Median latency', /^(\d+(\.\d+)?|n\/a)$/);
    check('Median CPU time', /^(\d+(\.\d+)?|n\/a)$/);
    // spc dense js and both peers must run on mlp3; configurations not available yet say n/a.
    for (const key of ['spc-dense-js', 'ort-web', 'ort-node']) assert.match(medians.get(key)!, /^\d/, `${key}: ${medians.get(key)}\n${r.stderr}`);
    // The relaxed-SIMD columns (workers started with --experimental-wasm-relaxed-simd) run wherever their SIMD128 twins do.
    for (const [relaxed, twin] of [['spc-dense-wasmsimd-relaxed', 'spc-dense-wasmsimd'], ['spc-0.9-unstructured-relaxed', 'spc-0.9-unstructured']]) {
      if (/^\d/.test(medians.get(twin)!)) assert.match(medians.get(relaxed)!, /^\d/, `${relaxed}: ${medians.get(relaxed)}\n${r.stderr}`);
    }
    const vsWeb = check('relative to onnxruntime-web', /^(\d+\.\d\d×|n\/a)$/);
    assert.equal(vsWeb.get('ort-web'), '1.00×');
    const vsJs = check('relative to spc dense js', /^(\d+\.\d\d×|n\/a)$/);
    assert.equal(vsJs.get('spc-dense-js'), '1.00×');
    check('relative to spc dense wasmsimd', /^(\d+\.\d\d×|n\/a)$/);
    check('Spread', /^(\d+(\.\d+)?–\d+(\.\d+)? \(\d+\)|n\/a)$/);
    // Every n/a or error cell is explained under the tables.
    const explained = r.stdout.split('### n/a and errors')[1] ?? '';
    for (const c of CONFIGS) {
      if (medians.get(c.key) === 'n/a' || medians.get(c.key) === 'error') assert.ok(explained.includes(`- ${c.label}: `), `${c.label} is n/a without a reason`);
    }
  });

  it('writeSection replaces only the text between its markers, and appends them when absent', () => {
    const file = join(tempDir(), 'performance.md');
    writeFileSync(file, '# Perf\n\nprose before\n\n<!-- bench:begin -->\nold table\n<!-- bench:end -->\n\nprose after\n');
    writeSection('bench', 'new table', file);
    assert.equal(readFileSync(file, 'utf8'), '# Perf\n\nprose before\n\n<!-- bench:begin -->\nnew table\n<!-- bench:end -->\n\nprose after\n');
    writeSection('layers', 'layer table', file);
    assert.match(readFileSync(file, 'utf8'), /prose after\n\n<!-- layers:begin -->\nlayer table\n<!-- layers:end -->\n$/);
  });

  it('reorderTable pairs a configuration with its twin without reordering and flags outputs beyond 1e-5·max|out|', () => {
    const base = { status: 'ok' as const, runs: 3, median: 2, cpuMedian: 2 };
    const results = [
      { ...base, model: 'a', config: 'spc-0.9-unstructured', cpuMedian: 4, reorder: { considered: 3, applied: 2, fillBefore: 0.3, fillAfter: 0.45, maxAbsDiff: 2e-6, maxAbsRef: 1 } },
      { ...base, model: 'a', config: 'spc-0.9-unstructured-noreorder', cpuMedian: 5 },
      { ...base, model: 'b', config: 'spc-0.9-unstructured', reorder: { considered: 1, applied: 1, fillBefore: 0.5, fillAfter: 0.6, maxAbsDiff: 3e-5, maxAbsRef: 1 } },
      { ...base, model: 'b', config: 'spc-0.9-block', reorder: { considered: 0, applied: 0 } },
    ];
    const rows = reorderTable(results, ['a', 'b'], CONFIGS, 'cpu').split('\n').slice(2).map((l) => l.slice(1, -1).split('|').map((c) => c.trim()));
    assert.deepEqual(rows[0], ['a', 'spc 0.9 unstructured', '2 of 3', '30.0% → 45.0%', '5.00', '4.00', '1.25×', '2.0e-6 (ok)']);
    assert.deepEqual(rows[1], ['b', 'spc 0.9 unstructured', '1 of 1', '50.0% → 60.0%', 'n/a', '2.00', 'n/a', '3.0e-5 (**over 1e-5**)']);
    assert.deepEqual(rows[2], ['b', 'spc 0.9 block:4x1', '0 of 0', '–', 'n/a', '2.00', 'n/a', 'n/a']);
    assert.equal(rows.length, 3);
  });

  it('bestRound keeps the round with the lowest CPU median and lists every round; a failed round is ignored', () => {
    const base = { model: 'a', config: 'spc-2:4', status: 'ok' as const, runs: 3 };
    const rounds = [
      { ...base, median: 9.5, cpuMedian: 9.4 },
      { ...base, status: 'error' as const, reason: 'crashed' },
      { ...base, median: 6.3, cpuMedian: 6.2 },
      { ...base, median: 6.6, cpuMedian: 6.5 },
    ];
    const best = bestRound(rounds);
    assert.equal(best.median, 6.3);
    assert.equal(best.cpuMedian, 6.2);
    assert.deepEqual(best.roundCpuMedians, [9.4, 6.2, 6.5]);
    assert.equal(bestRound([rounds[0]!]).roundCpuMedians, undefined);
    assert.equal(bestRound([rounds[1]!]).status, 'error');
    const rows = roundsTable([best], ['a'], CONFIGS.filter((c) => c.key === 'spc-2:4')).split('\n');
    assert.equal(rows[2], '| a | 9.40 / 6.20 / 6.50 |');
  });
});
