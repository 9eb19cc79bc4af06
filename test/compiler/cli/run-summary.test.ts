// `spc run` without --output prints a summary of each output: for a classifier, the top-k classes
// with probabilities (checked against onnxruntime's logits through an independent softmax), else
// the value range; README's first command, run as printed, says the sample's digit; and the
// dynamic-batch warning's suggestion is an option spc accepts.

import { strict as assert } from 'node:assert';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as ort from 'onnxruntime-node';
import { formatSummary, summarizeOutput } from '../../../compiler/cli/output-summary.js';
import { BIN, spc } from '../../helpers/cli.js';
import { REPO_ROOT } from '../../helpers/corpus.js';
import { readNpy, tempDir } from '../../helpers/files.js';

const SAMPLE = join(REPO_ROOT, 'samples', 'digits');

describe('spc run: the summary of its outputs', function () {
  this.timeout(180_000);
  let work: string;
  before(() => { work = tempDir('spc-run-summary-'); });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('classifier logits: top-k classes and softmax probabilities as onnxruntime\'s logits give them; nothing written', async () => {
    const out = join(work, 'c');
    assert.equal(spc('compile', join(SAMPLE, 'digits_cnn.onnx'), '-o', out, '-q').code, 0);
    const x = readNpy(join(SAMPLE, 'digit4.npy'));
    const session = await ort.InferenceSession.create(join(SAMPLE, 'digits_cnn.onnx'));
    const logits = Array.from((await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) }))['logits']!.data as Float32Array);
    const z = logits.map((v) => Math.exp(v - Math.max(...logits)));
    const p = z.map((v) => v / z.reduce((a, b) => a + b, 0));
    const order = p.map((_, c) => c).sort((a, b) => p[b]! - p[a]!);
    assert.equal(order[0], 4, 'the sample is a handwritten 4');

    const r = spc('run', join(out, 'digits_cnn.spm'), '--input', join(SAMPLE, 'digit4.npy'), '--top', '3', '--json');
    assert.equal(r.code, 0, r.stderr);
    const [s] = JSON.parse(r.stdout) as { name: string; shape: number[]; file?: string; classifier: { scores: string; top: { class: number; probability: number }[][] } }[];
    assert.equal(s!.name, 'logits');
    assert.deepEqual(s!.shape, [1, 10]);
    assert.equal(s!.file, undefined);
    assert.equal(s!.classifier.scores, 'logits');
    assert.deepEqual(s!.classifier.top[0]!.map((c) => c.class), order.slice(0, 3));
    s!.classifier.top[0]!.forEach((c) => assert.ok(Math.abs(c.probability - p[c.class]!) < 1e-5, `class ${c.class}: ${c.probability} vs ${p[c.class]}`));
    assert.deepEqual(readdirSync(out).sort(), ['digits_cnn.dispatch.ts', 'digits_cnn.spm']);

    const text = spc('run', join(out, 'digits_cnn.spm'), '--input', join(SAMPLE, 'digit4.npy'));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^logits float32\\[1,10\\]: class 4 \\(p=${p[4]!.toFixed(4)}, softmax of the logits\\)\\n  top 5: 4 ${(100 * p[4]!).toFixed(1)}%, ${order[1]} `));
  });

  it('reads rows that are already probabilities as they are, lists every row, and summarizes other outputs by range', () => {
    const probs = summarizeOutput('prob', { dtype: 'float32', shape: [2, 3], data: new Float32Array([0.1, 0.7, 0.2, 0.5, 0.25, 0.25]) }, 2);
    assert.equal(probs.classifier!.scores, 'probabilities');
    assert.deepEqual(probs.classifier!.top.map((row) => row.map((c) => c.class)), [[1, 2], [0, 1]]);
    assert.ok(Math.abs(probs.classifier!.top[0]![0]!.probability - 0.7) < 1e-7);
    assert.deepEqual(formatSummary(probs), ['prob float32[2,3] row 0: class 1 (p=0.7000)', '  top 2: 1 70.0%, 2 20.0%', 'prob float32[2,3] row 1: class 0 (p=0.5000)', '  top 2: 0 50.0%, 1 25.0%']);
    // Logits [0, ln 3]: softmax 1/4, 3/4.
    const two = summarizeOutput('y', { dtype: 'float32', shape: [2], data: new Float32Array([0, Math.log(3)]) }, 5);
    assert.deepEqual(two.classifier!.top[0]!.map((c) => [c.class, Number(c.probability.toFixed(6))]), [[1, 0.75], [0, 0.25]]);
    // A feature map, a scalar and integers are not class scores.
    const map = summarizeOutput('features', { dtype: 'float32', shape: [1, 2, 2, 2], data: new Float32Array([1, 2, 3, 4, 5, 6, 7, -8]) }, 5);
    assert.equal(map.classifier, undefined);
    assert.deepEqual(formatSummary(map), ['features float32[1,2,2,2]: min -8, max 7, mean 2.5']);
    assert.equal(summarizeOutput('s', { dtype: 'float32', shape: [1, 1], data: new Float32Array([3]) }, 5).classifier, undefined);
    assert.equal(summarizeOutput('ids', { dtype: 'int64', shape: [1, 4], data: new BigInt64Array(4) }, 5).classifier, undefined);
  });

  it('refuses --top 0 as a usage error', () => {
    const r = spc('run', join(work, 'c', 'digits_cnn.spm'), '--input', join(SAMPLE, 'digit4.npy'), '--top', '0');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--top '0': expected a whole number ≥ 1/);
  });

  it('the dynamic-batch warning suggests an --input-shape spc accepts', () => {
    const first = spc('compile', join(SAMPLE, 'digits_cnn.onnx'), '-o', join(work, 'w1'));
    assert.equal(first.code, 0, first.stderr);
    const suggested = /(--input-shape) (\S+)\)/.exec(first.stderr);
    assert.ok(suggested, first.stderr);
    assert.equal(suggested[2], 'input=8x1x8x8');
    const again = spc('compile', join(SAMPLE, 'digits_cnn.onnx'), '-o', join(work, 'w2'), suggested[1]!, suggested[2]!);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /warning/);
  });

  it("README's first command, run as printed (npx spc → this build), prints the predicted digit", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /## The two commands[^]*?```sh\n([^]*?)\n```/.exec(readme);
    assert.ok(block, 'README has the first sh block');
    const steps = block[1]!.trim().split(' && ');
    assert.equal(steps[0], 'npm ci');
    const dir = join(work, 'clone');
    cpSync(SAMPLE, join(dir, 'samples', 'digits'), { recursive: true });
    let last = '';
    for (const step of steps.slice(1)) {
      const words = step.split(/\s+/);
      assert.deepEqual(words.slice(0, 2), ['npx', 'spc'], step);
      const r = spawnSync(process.execPath, [BIN, ...words.slice(2)], { cwd: dir, encoding: 'utf8' });
      assert.equal(r.status, 0, `${step}: ${r.stderr}`);
      last = r.stdout;
    }
    assert.match(last, /^logits float32\[1,10\]: class 4 \(p=0\.\d{4}, softmax of the logits\)$/m);
    assert.ok(existsSync(join(dir, 'out', 'digits_cnn.spm')));
  });
});
