// The pruning options as a user meets them: bad patterns and option mixes are usage errors
// (exit 2) that say what is accepted; --emit-onnx writes a model onnxruntime runs; --json
// carries the per-layer report.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { readNpy, tempDir } from '../../helpers/files.js';
import { assertClose } from '../../helpers/compare.js';
import { spc } from '../../helpers/cli.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');

describe('cli: pruning options', function () {
  this.timeout(120_000);
  const work = tempDir('spc-prune-cli-');

  const usage: [string[], RegExp][] = [
    [['--pattern', '4:2'], /keep N of every M.*did you mean '2:4'/],
    [['--pattern', '2:4:1'], /exactly two integers/],
    [['--pattern', '50%'], /--sparsity/],
    [['--pattern', '2:4', '--sparsity', '0.5'], /does not go with an N:M pattern/],
    [['--pattern', 'unstructured'], /needs --sparsity/],
    [['--pattern', 'unstructured', '--sparsity', '1.5'], /fraction in \[0, 1\)/],
    [['--pattern', 'unstructured', '--sparsity', '0.5', '--allocation', 'random'], /choose uniform, global, erk/],
    [['--pattern', '2:4', '--prefer', 'fast'], /--prefer 'fast': choose speed or size/],
  ];
  for (const [args, pattern] of usage) {
    it(`${args.join(' ')}: usage error (exit 2) saying what is accepted`, () => {
      const out = join(work, 'never');
      const r = spc('compile', CNN, '-o', out, ...args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.ok(!existsSync(out));
    });
  }

  it('--sparsity alone means --pattern unstructured (the same artifact, byte for byte)', () => {
    const a = join(work, 'alone'), b = join(work, 'explicit');
    const r1 = spc('compile', CNN, '-o', a, '--sparsity', '0.5', '--json');
    const r2 = spc('compile', CNN, '-o', b, '--pattern', 'unstructured', '--sparsity', '0.5');
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(JSON.parse(r1.stdout).pattern, 'unstructured');
    assert.ok(readFileSync(join(a, 'digits_cnn.spm')).equals(readFileSync(join(b, 'digits_cnn.spm'))));
  });

  it('--pattern 4:8 --emit-onnx: the emitted model runs in onnxruntime and agrees with the artifact', async () => {
    const out = join(work, 'nm');
    const onnxFile = join(work, 'pruned.onnx');
    const r = spc('compile', CNN, '-o', out, '--pattern', '4:8', '--input-shape', 'input=8x1x8x8', '--emit-onnx', onnxFile, '--json');
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.pattern, '4:8');
    const pruned = summary.layerReport.filter((l: { pattern: string }) => l.pattern === '4:8');
    assert.ok(pruned.length > 0);
    for (const l of pruned) assert.equal(l.achieved, 0.5);
    const kept = summary.layerReport.filter((l: { pattern: string }) => l.pattern === 'dense');
    assert.ok(kept.every((l: { note?: string }) => typeof l.note === 'string' && l.note.length > 0), 'every dense layer says why');

    const x = (readNpy(join(DIGITS_DIR, 'digits-test-x.npy')).data as Float32Array).slice(0, 8 * 64);
    const session = await ort.InferenceSession.create(readFileSync(onnxFile), { intraOpNumThreads: 1 });
    const want = (await session.run({ input: new ort.Tensor('float32', x, [8, 1, 8, 8]) }))[session.outputNames[0]].data as Float32Array;
    await session.release();
    const { loadModel } = await import('../../../runtime/index.js');
    const model = await loadModel(new Uint8Array(readFileSync(join(out, 'digits_cnn.spm'))));
    const got = (await model.run({ input: x })).logits.data;
    assertClose(got, want, 1e-4, 1e-5, 'pruned digits_cnn');
  });
});
