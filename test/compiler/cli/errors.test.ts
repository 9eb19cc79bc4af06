// One error format for every command (issue 20 item 4): `spc: error: <message>` on stderr, a
// usage error adds one `spc: hint:` line (an unknown option no longer dumps the whole help), and
// under --json the error is also a JSON document on stdout.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');

describe('cli: one error format', function () {
  this.timeout(300_000);
  const work = tempDir('spc-errors-');

  it('an unknown option prints one line with the nearest option and one hint, not the help (exit 2)', () => {
    const r = spc('compile', CNN, '--sparsty', '0.5');
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "spc: error: unknown option '--sparsty' (did you mean --sparsity?)\nspc: hint: spc compile --help lists the options\n");
    assert.equal(r.stdout, '');
    const cmd = spc('comple', CNN);
    assert.equal(cmd.code, 2);
    assert.equal(cmd.stderr, "spc: error: unknown command 'comple' (did you mean compile?)\nspc: hint: spc --help lists the commands\n");
  });

  it('usage errors, bad input, failed budgets: every line of stderr is spc: error:, spc: hint:, a warning or a listed budget', () => {
    const cases: [string[], number, RegExp][] = [
      [['compile', CNN, '-o', join(work, 'a'), '--pattern', '4:2'], 2, /^spc: error: --pattern: /],
      [['compile', CNN, '-o', join(work, 'a'), '--method', 'wanda', '-p', '2:4'], 2, /^spc: error: --method wanda needs calibration data/],
      [['compile', join(work, 'none.onnx'), '-o', join(work, 'a')], 1, /^spc: error: .*none\.onnx: no such file$/m],
      [['inspect', CNN.replace('.onnx', '.output.npy')], 1, /^spc: error: .*digits_cnn\.output\.npy: /],
      [['compile', CNN, '-o', join(work, 'a'), '--max-size', '100'], 1, /^spc: error: budget failed, nothing written:\n {2}--max-size/m],
    ];
    for (const [args, code, first] of cases) {
      const r = spc(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, first, args.join(' '));
      for (const line of r.stderr.trimEnd().split('\n')) assert.match(line, /^(spc: error: |spc: hint: |spc: warning: | {2}--)/, `${args.join(' ')}: ${line}`);
      assert.equal(/^spc: hint: /m.test(r.stderr), code === 2, `${args.join(' ')}: a hint with usage errors only`);
    }
  });

  it('under --json the error is a JSON document on stdout (kind, exit code, message), beside the stderr line', () => {
    const cases: [string[], number, string, RegExp][] = [
      [['compile', CNN, '--json', '--sparsty', '0.5'], 2, 'usage', /^unknown option '--sparsty'/],
      [['compile', CNN, '--json', '-o', join(work, 'b'), '--pattern', '4:2'], 2, 'usage', /^--pattern: /],
      [['compile', join(work, 'none.onnx'), '--json'], 1, 'bad-input', /none\.onnx: no such file$/],
      [['inspect', join(work, 'none.spm'), '--json'], 1, 'bad-input', /none\.spm: no such file$/],
      [['run', join(work, 'none.spm'), '-o', join(work, 'y.npy'), '--json'], 1, 'bad-input', /none\.spm: no such file$/],
    ];
    for (const [args, code, kind, message] of cases) {
      const r = spc(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      const j = JSON.parse(r.stdout) as { error: { kind: string; exitCode: number; message: string; hint?: string } };
      assert.equal(j.error.kind, kind, args.join(' '));
      assert.equal(j.error.exitCode, code);
      assert.match(j.error.message, message);
      assert.equal(r.stderr.split('\n')[0], `spc: error: ${j.error.message}`);
    }
  });
});
