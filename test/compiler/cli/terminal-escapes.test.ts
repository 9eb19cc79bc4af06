// Model strings on the terminal (issue 14 item 9): a model whose names carry ESC sequences, BEL,
// CR, the C1 CSI and a newline before a forged "spc:" line, through spc compile (warning,
// per-layer table), inspect and run (an error quoting the input): the printed text holds no raw
// control character but \n and \t and no line a name forged, and shows each name escaped; --json
// prints the exact names. Every CLI write goes through cli/print.ts.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatNpy } from '../../../compiler/io/npy.js';
import { spc } from '../../helpers/cli.js';
import type { CliResult } from '../../helpers/cli.js';
import { REPO_ROOT } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { writeLinearModel } from '../../helpers/onnx-models.js';

const NAMES = {
  input: 'in\u001b[2J\u0007\r\nspc: forged line',
  output: 'out\u001b]0;pwned\u0007',
  weight: 'w\u001b[8m',
  node: 'fc\u001b[31m\u009b1m\r\nspc: forged line\t',
  batchParam: 'N\u001b[5m',
};
/** How the terminal shows each name (compiler/escape.ts terminalText, written out by hand). */
const SHOWN = {
  input: 'in\\u001b[2J\\u0007\\u000d\\u000aspc: forged line',
  output: 'out\\u001b]0;pwned\\u0007',
  node: 'fc\\u001b[31m\\u009b1m\\u000d\\u000aspc: forged line\\u0009',
};

/** Raw control characters other than \n and \t (C0, DEL, C1). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** No raw control character but \n and \t, and no line forged by the \n in a name. */
function assertNoRawControls(label: string, r: CliResult): void {
  assert.doesNotMatch(r.stdout, RAW_CONTROL, `${label}: stdout`);
  assert.doesNotMatch(r.stderr, RAW_CONTROL, `${label}: stderr`);
  for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]]) {
    assert.ok(!text!.split('\n').some((l) => l.startsWith('spc: forged line')), `${label}: a name started a line of its own on ${stream}:\n${text}`);
  }
}

/**
 * The table in `stdout` has one row for the node, naming it escaped on that one line (no forged
 * line from the \n in its name), with the next column where the header puts it.
 */
function assertTableRow(label: string, stdout: string, nameColumn: string, nextColumn: string): void {
  const lines = stdout.split('\n');
  const head = lines.find((l) => new RegExp(`\\b${nameColumn}\\s+${nextColumn}\\b`).test(l));
  const row = lines.find((l) => l.includes(SHOWN.node));
  assert.ok(head && row, `${label}: header and node row:\n${stdout}`);
  assert.equal(row.indexOf('Gemm'), head.indexOf(` ${nextColumn} `) + 1, `${label}: the row's op column lines up with the header:\n${stdout}`);
}

// A 16×16 weight: enough parameters to prune with --min-params 0, so the per-layer table prints.
const W = Array.from({ length: 16 }, (_, i) => Array.from({ length: 16 }, (_, j) => ((i * 7 + j * 3) % 11) - 5));

describe('cli: control characters in model names reach the terminal escaped', function () {
  this.timeout(300_000);
  const work = tempDir('spc-terminal-');
  const model = writeLinearModel(work, 'm', W, NAMES);
  const out = join(work, 'out');
  const spm = join(out, 'm.spm');
  after(() => rmSync(work, { recursive: true, force: true }));

  it('compile: the dynamic-batch warning and the per-layer table show the names escaped', () => {
    const r = spc('compile', model, '-o', out, '--sparsity', '0.5', '--min-params', '0', '--targets', 'js,ref');
    assert.equal(r.code, 0, r.stderr);
    assertNoRawControls('compile', r);
    assert.ok(r.stderr.includes(`warning: input '${SHOWN.input}'`), r.stderr);
    assertTableRow('compile', r.stdout, 'node', 'op');
  });

  it('compile --json: valid JSON with the exact names', () => {
    const r = spc('compile', model, '-o', join(work, 'json'), '--sparsity', '0.5', '--min-params', '0', '--targets', 'js,ref', '--json');
    assert.equal(r.code, 0, r.stderr);
    assertNoRawControls('compile --json', r);
    const json = JSON.parse(r.stdout) as { layerReport: { node: string }[]; warnings: string[] };
    assert.deepEqual(json.layerReport.map((l) => l.node), [NAMES.node]);
    assert.ok(json.warnings.some((w) => w.includes(`input '${NAMES.input}'`)), 'the warning quotes the exact input name');
  });

  it('inspect: the table shows the names escaped; --json gives them exactly', () => {
    const r = spc('inspect', spm);
    assert.equal(r.code, 0, r.stderr);
    assertNoRawControls('inspect', r);
    for (const shown of [SHOWN.input, SHOWN.output, SHOWN.node]) assert.ok(r.stdout.includes(shown), `inspect shows ${shown}:\n${r.stdout}`);
    assertTableRow('inspect', r.stdout, 'node', 'op');
    const j = spc('inspect', spm, '--json');
    assert.equal(j.code, 0, j.stderr);
    assertNoRawControls('inspect --json', j);
    const summary = JSON.parse(j.stdout) as { inputs: { name: string }[]; outputs: { name: string }[]; layers: { node: string }[] };
    assert.deepEqual([summary.inputs.map((t) => t.name), summary.outputs.map((t) => t.name), summary.layers.map((l) => l.node)],
      [[NAMES.input], [NAMES.output], [NAMES.node]]);
  });

  it('run: an error quoting the input shows it escaped (exit 1); --json names the output exactly', () => {
    const bad = join(work, 'bad.npy');
    writeFileSync(bad, formatNpy({ dtype: 'float32', shape: [1, 3], data: new Float32Array(3) }));
    const r = spc('run', spm, '-i', bad, '-o', join(work, 'y.npy'));
    assert.equal(r.code, 1, r.stderr);
    assertNoRawControls('run error', r);
    assert.match(r.stderr, /^spc: error: /);
    assert.ok(r.stderr.includes(`input '${SHOWN.input}'`), r.stderr);

    const x = join(work, 'x.npy');
    writeFileSync(x, formatNpy({ dtype: 'float32', shape: [1, 16], data: new Float32Array(16).fill(1) }));
    const ok = spc('run', spm, '-i', x, '-o', join(work, 'y.npy'), '--json');
    assert.equal(ok.code, 0, ok.stderr);
    assertNoRawControls('run --json', ok);
    assert.deepEqual((JSON.parse(ok.stdout) as { name: string }[]).map((o) => o.name), [NAMES.output]);
    const text = spc('run', spm, '-i', x, '-o', join(work, 'y2.npy'));
    assert.equal(text.code, 0, text.stderr);
    assertNoRawControls('run', text);
    assert.ok(text.stdout.includes(SHOWN.output), text.stdout);
  });

  it('every write to stdout or stderr in the compiler goes through cli/print.ts (or the progress bar, which escapes its text)', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (e.isDirectory()) walk(path);
        else if (e.name.endsWith('.ts') && !['print.ts', 'progress.ts'].includes(e.name)) {
          readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
            if (/process\.std(out|err)\.write|console\.(log|error|warn|info)\(/.test(line)) offenders.push(`${path}:${i + 1}`);
          });
        }
      }
    };
    walk(join(REPO_ROOT, 'compiler'));
    walk(join(REPO_ROOT, 'runtime'));
    assert.deepEqual(offenders, []);
    assert.match(readFileSync(join(REPO_ROOT, 'compiler', 'cli', 'progress.ts'), 'utf8'), /terminalText\(/);
  });
});
