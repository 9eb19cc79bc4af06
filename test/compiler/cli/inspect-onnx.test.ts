// `spc inspect model.onnx` (issue 20 item 4): an ONNX model's layers, which the pruning flags
// would prune and why the others stay dense, and its channel groups. The oracle is the compile
// itself: the same flags' compile report prunes exactly the layers inspect says, for the same reasons.

import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIGITS_DIR, MODELS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';

interface Decision { node: string; op: string; params: number; pattern: string; keptDense?: string }
interface Row { node: string; pattern: string; note?: string }

describe('cli: spc inspect model.onnx', function () {
  this.timeout(300_000);
  const work = tempDir('spc-inspect-onnx-');

  for (const [model, flags] of [
    [join(DIGITS_DIR, 'digits_cnn.onnx'), ['-p', 'unstructured', '-s', '0.9']],
    [join(DIGITS_DIR, 'digits_cnn.onnx'), ['-p', '2:4', '--min-params', '5000']],
    [join(MODELS_DIR, 'squeezenet1_1.onnx'), []],
  ] as const) {
    it(`${model.split('/').pop()} ${flags.join(' ')}: the decisions the compile makes, with its reasons`, () => {
      const i = spc('inspect', model, ...flags, '--json');
      assert.equal(i.code, 0, i.stderr);
      const x = JSON.parse(i.stdout) as { pattern: string; layers: Decision[]; groups: { id: number }[] };
      assert.equal(x.pattern, flags.length === 0 ? '2:4' : flags[1]);
      const c = spc('compile', model, '-o', join(work, 'out'), ...(flags.length === 0 ? ['-p', '2:4'] : flags), '--json', '-q');
      assert.equal(c.code, 0, c.stderr);
      const rows = (JSON.parse(c.stdout) as { layerReport: Row[] }).layerReport;
      // The compile report's rows: pattern 'dense' for a layer kept dense, its note 'kept dense: <reason>'.
      const dense = (r: Row): string | undefined => (r.pattern === 'dense' ? r.note?.replace(/^kept dense: /, '') : undefined);
      assert.deepEqual(x.layers.map((l) => [l.node, l.keptDense === undefined, l.keptDense]), rows.map((r) => [r.node, r.pattern !== 'dense', dense(r)]));
      assert.ok(x.groups.length > 0, 'channel groups listed');
    });
  }

  it('the text form names each layer\'s decision: digits_cnn\'s stem and its classifier above 50% stay dense, with why', () => {
    const r = spc('inspect', join(DIGITS_DIR, 'digits_cnn.onnx'), '-p', 'unstructured', '-s', '0.9');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /digits_cnn\.onnx: 4 Conv\/Gemm\/MatMul layers; --pattern unstructured would prune 2 \(37376 of 38160 weights\)/);
    assert.match(r.stdout, /\/conv1\/Conv +Conv +144 +dense: stem conv \(reads graph input 'input'\)/);
    assert.match(r.stdout, /\/conv2\/Conv +Conv +4608 +pruned unstructured/);
    assert.match(r.stdout, /\/fc2\/Gemm +Gemm +640 +dense: classifier \(final layer before output '[^']+'\) at 90\.0% sparsity/);
    assert.match(r.stdout, /\d+ channel groups, \d+ permutable/);
  });

  it('a bad pruning flag is a usage error naming it (exit 2); an unreadable model names the file (exit 1)', () => {
    const bad = spc('inspect', join(DIGITS_DIR, 'digits_cnn.onnx'), '-p', 'unstructured');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^spc: error: --pattern unstructured needs --sparsity/);
    const notOnnx = join(work, 'x.onnx');
    writeFileSync(notOnnx, 'not a protobuf at all');
    const r = spc('inspect', notOnnx);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^spc: error: .*x\.onnx: /);
  });
});
