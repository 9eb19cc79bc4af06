// What every spc command shares: --json prints a JSON document, --quiet prints nothing (not even
// warnings), exit codes 0 / 1 / 2 as DESIGN.md sets them, and Ctrl-C leaves nothing behind.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { readNpy, tempDir } from '../../helpers/files.js';
import { formatNpy } from '../../../compiler/io/npy.js';
import { BIN, spc } from '../../helpers/cli.js';

const MLP = join(DIGITS_DIR, 'digits_mlp.onnx');
const X = join(DIGITS_DIR, 'digits-test-x.npy');
const Y = join(DIGITS_DIR, 'digits-test-y.npy');

describe('cli: conventions shared by every command', function () {
  this.timeout(300_000);
  const work = tempDir('spc-conventions-');
  const spm = join(work, 'out', 'digits_mlp.spm');
  const x1 = join(work, 'x1.npy');

  before(() => {
    const c = spc('compile', MLP, '-o', join(work, 'out'), '-q');
    assert.equal(c.code, 0, c.stderr);
    // The first test image, as the [1, 64] input the MLP is pinned to.
    writeFileSync(x1, formatNpy({ dtype: 'float32', shape: [1, 64], data: (readNpy(X).data as Float32Array).slice(0, 64) }));
  });

  it('--quiet prints nothing on stdout or stderr, even where the command would warn', () => {
    const loud = spc('compile', MLP, '-o', join(work, 'q1'));
    assert.match(loud.stderr, /warning: input 'input': dynamic batch/);
    assert.ok(loud.stdout.length > 0);
    const runs: [string, string[]][] = [
      ['compile', ['compile', MLP, '-o', join(work, 'q2'), '-q']],
      ['inspect', ['inspect', spm, '-q']],
      ['run', ['run', spm, '-i', x1, '-o', join(work, 'y1.npy'), '-q']],
      ['eval', ['eval', spm, '--data', X, '--labels', Y, '-q']],
      ['tune', ['tune', '--quick', '--targets', 'ref', '-o', join(work, 'p.json'), '-q']],
    ];
    for (const [name, args] of runs) {
      const r = spc(...args);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, '', `${name} -q stdout`);
      assert.equal(r.stderr, '', `${name} -q stderr`);
    }
    assert.ok(existsSync(join(work, 'q2', 'digits_mlp.spm')) && existsSync(join(work, 'p.json')), '-q still writes its files');
  });

  it('--json prints one JSON document on stdout for every command (and --quiet keeps it)', () => {
    const docs: [string, string[], (j: any) => void][] = [
      ['compile', ['compile', MLP, '-o', join(work, 'j1'), '--json', '-q'], (j) => assert.equal(j.layerReport.length, 3)],
      ['inspect', ['inspect', spm, '--json'], (j) => assert.equal(j.layers.filter((l: { op: string }) => l.op === 'Gemm').length, 3)],
      ['run', ['run', spm, '-i', x1, '-o', join(work, 'y2.npy'), '--json', '-q'], (j) => assert.deepEqual(j[0].shape, [1, 10])],
      ['eval', ['eval', spm, '--data', X, '--labels', Y, '--json', '-q'], (j) => assert.equal(j.rows, 500)],
      ['tune', ['tune', '--quick', '--targets', 'ref', '-o', join(work, 'p2.json'), '--json', '-q'], (j) => assert.ok(j.entries.length > 0)],
    ];
    for (const [name, args, check] of docs) {
      const r = spc(...args);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      check(JSON.parse(r.stdout));
      assert.equal(r.stderr, '', `${name} --json -q stderr`);
    }
  });

  it('exit codes: 1 for bad input naming the file, 2 for usage errors, 0 for --version', () => {
    const missing = join(work, 'missing.spm');
    for (const args of [['compile', join(work, 'missing.onnx')], ['inspect', missing], ['run', missing, '-o', join(work, 'y.npy')], ['eval', missing, '--data', X, '--labels', Y]]) {
      const r = spc(...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`spc: error: ${(args[1] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such file`));
    }
    for (const args of [[], ['nosuch'], ['compile'], ['inspect'], ['run', spm], ['eval', spm], ['tune', '--targets', 'gpu'], ['inspect', spm, '--no-such-flag']]) {
      const r = spc(...args);
      assert.equal(r.code, 2, `spc ${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.length > 0, `spc ${args.join(' ')} says why`);
    }
    assert.equal(spc('-V').code, 0);
  });

  it('Ctrl-C during tune ends it by SIGINT (exit 130 in a shell) with no profile and no temp file left', async () => {
    const dir = tempDir('spc-sigint-');
    const child = spawn(process.execPath, [BIN, 'tune', '--quick', '-o', join(dir, 'profile.json')], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    assert.ok(signal === 'SIGINT' || code === 130, `ended by ${signal ?? code}`);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a reader that closes the pipe early (| head) ends the output quietly: no stack trace, the exit code kept', async () => {
    for (const args of [['inspect', spm], ['compile', MLP, '-o', join(work, 'pipe'), '--pattern', '2:4'], ['--help']]) {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy(); // the reader is gone before spc writes anything
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, `${args.join(' ')}: ${stderr}`);
      assert.doesNotMatch(stderr, /EPIPE|Unhandled|at .*\.js:\d+/, args.join(' '));
    }
  });
});
