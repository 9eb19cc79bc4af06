// The command line on hostile input: the --max-… limits (exit 1 naming the limit and the flag,
// nothing written; bad values are usage errors) and a sample of fuzzed models, each of which
// exits 0 with a loadable artifact or 1 with `spc: error: <file>: …` and an untouched folder.

import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import { onnxCase } from '../../../scripts/fuzz/cases.js';
import { OPTION_PRESETS, pickSeed, seedModels } from '../../../scripts/fuzz/compile-case.js';
import { mutateModel } from '../../../scripts/fuzz/mutate-onnx.js';
import { CORPUS } from '../../helpers/corpus.js';

describe('cli: limits and hostile models', function () {
  this.timeout(300_000);
  const mlp3 = join(MODELS_DIR, 'mlp3.onnx');

  it('--max-tensor-elements and --max-weight-bytes refuse mlp3 (exit 1), naming the initializer, the limit and the flag; nothing written', () => {
    const out = join(tempDir(), 'out');
    let r = spc('compile', mlp3, '-o', out, '--max-tensor-elements', '100000');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^spc: error: \S*mlp3\.onnx: initializer '\S+': shape \[256,784\] has 200704 elements, which exceeds the limit of 100000 \(maxTensorElements; raise it with --max-tensor-elements/);
    r = spc('compile', mlp3, '-o', out, '--max-weight-bytes', '500000');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /brings the weights to \d+ bytes, which exceeds the limit of 500000 bytes \(maxWeightBytes; raise it with --max-weight-bytes/);
    assert.ok(!existsSync(out), 'the output folder was created');
    r = spc('compile', mlp3, '-o', out, '-q', '--max-tensor-elements', '200704', '--max-nodes', '5', '--max-values', '16');
    assert.equal(r.code, 0, r.stderr);
  });

  it('an output that cannot be written (its folder is missing) is exit 1 naming it, and nothing else is written', () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const r = spc('compile', mlp3, '-o', out, '--emit-onnx', join(dir, 'missing', 'pruned.onnx'));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `spc: error: ${join(dir, 'missing', 'pruned.onnx')}: cannot write (ENOENT: no folder ${join(dir, 'missing')})\n`);
    // Found before compiling: not even the output folder is created.
    assert.ok(!existsSync(out), 'the output folder was created');
  });

  it('bad limit values are usage errors (exit 2); --help documents the limits', () => {
    for (const [flag, value] of [['--max-nodes', 'many'], ['--max-tensor-elements', '0'], ['--max-tensor-elements', '4294967296'], ['--max-values', '1.5']]) {
      const r = spc('compile', mlp3, '-o', tempDir(), flag!, value!);
      assert.equal(r.code, 2, `${flag} ${value}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${flag} '${value!.replace('.', '\\.')}': expected a whole number from 1 to \\d+`));
    }
    const help = spc('compile', '--help').stdout.replace(/\s+/g, ' ');
    for (const flag of ['--max-tensor-elements <n>', '--max-weight-bytes <n>', '--max-nodes <n>', '--max-values <n>']) assert.ok(help.includes(flag), flag);
    assert.match(help, /default 268435456/);
  });

  it('12 fuzzed models: exit 0 with a loadable artifact, or exit 1 naming the file with nothing written', () => {
    const seeds = seedModels(CORPUS);
    const outcomes = { 0: 0, 1: 0 };
    for (let k = 0; k < 12; k++) {
      // Every 37th case of the campaign's seed 1, as `npm run fuzz -- --seed 1` would run it.
      const c = onnxCase(1, k * 37);
      const bytes = mutateModel(new Uint8Array(readFileSync(pickSeed(seeds, c.model).path)), c.mutations);
      const dir = tempDir();
      const model = join(dir, 'fuzzed.onnx');
      writeFileSync(model, bytes);
      const out = join(dir, 'out');
      mkdirSync(out);
      const r = spc('compile', model, '-o', out, '-q', ...OPTION_PRESETS[c.preset]!.args);
      const what = `case ${k * 37} ${JSON.stringify(c)}`;
      if (r.code === 0) {
        assert.deepEqual(readdirSync(out).sort(), ['fuzzed.dispatch.ts', 'fuzzed.spm'], what);
        parseArtifact(new Uint8Array(readFileSync(join(out, 'fuzzed.spm'))));
      } else {
        assert.equal(r.code, 1, `${what}: ${r.stderr}`);
        assert.match(r.stderr, /^spc: error: \S*fuzzed\.onnx: \S/, what);
        assert.deepEqual(readdirSync(out), [], what);
      }
      outcomes[r.code as 0 | 1]++;
    }
    assert.ok(outcomes[1] > 0, JSON.stringify(outcomes));
  });
});
