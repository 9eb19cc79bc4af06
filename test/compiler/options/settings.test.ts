// The compile options are checked once (options/settings.ts), so `spc compile` and the API
// (compileFile) refuse the same option sets with the same message. Oracle: the CLI's message,
// which the pruning and calibration option tests pin; the API used to accept several of these
// sets silently (an N:M pattern with a sparsity, unstructured without one, a method without a
// pattern, 65 shared rows, an unknown target) or to word the refusal its own way.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import type { CompileOptions } from '../../../compiler/compile.js';
import { UsageError } from '../../../compiler/errors.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');
const CALIB = join(DIGITS_DIR, 'digits-calib-x.npy');

const CASES: [string[], CompileOptions][] = [
  [['--pattern', 'unstructured'], { pattern: 'unstructured' }],
  [['--pattern', '2:4', '--sparsity', '0.5'], { pattern: '2:4', sparsity: 0.5 }],
  [['--method', 'wanda', '--calib', CALIB], { method: 'wanda', calib: CALIB }],
  [['--pattern', '2:4', '--share-rows', '65'], { pattern: '2:4', shareRows: 65 }],
  [['--pattern', '2:4', '--method', 'sparsegpt'], { pattern: '2:4', method: 'sparsegpt' }],
  [['--targets', 'gpu'], { targets: ['gpu' as 'js'] }],
  [['--prefer', 'fast'], { prefer: 'fast' as 'size' }],
  [['--calib-count', '8'], { calibCount: 8 }],
];

describe('options: one check for the CLI and the API', function () {
  this.timeout(120_000);
  const work = tempDir('spc-options-');
  for (const [args, options] of CASES) {
    it(`${args.map((a) => (a === CALIB ? 'x.npy' : a)).join(' ')}: the API throws the CLI's usage error`, () => {
      const r = spc('compile', CNN, '-o', join(work, 'never'), ...args);
      assert.equal(r.code, 2, r.stderr);
      const message = /^spc: error: (.*)$/m.exec(r.stderr)![1]!;
      assert.throws(() => compileFile(CNN, options), (e: unknown) => e instanceof UsageError && e.message === message);
    });
  }
});
