// Scores on logits against values worked by hand: argmax ties, softmax KL (shift invariance,
// no overflow on large logits), and the accumulator's top-1 / agreement / mean KL.

import { strict as assert } from 'node:assert';
import { argmax, ScoreAccumulator, softmaxKl } from '../../../compiler/eval/metrics.js';

describe('eval metrics', () => {
  it('argmax takes the first of equal maxima, within a row of a larger array', () => {
    assert.equal(argmax([1, 3, 3, 0]), 1);
    assert.equal(argmax([9, 9, 0, 2, 5, 5], 3, 3), 1);
  });

  it('softmax KL: 0 for equal rows up to a shift, the two-class value by hand, finite on logits of ±1000', () => {
    assert.equal(softmaxKl([1, 2, 3], [11, 12, 13]), 0);
    // p = softmax([0, 0]) = [½, ½], q = softmax([0, ln 3]) = [¼, ¾]: KL = ½ ln 2 + ½ ln ⅔.
    const expected = 0.5 * Math.log(0.5 / 0.25) + 0.5 * Math.log(0.5 / 0.75);
    assert.ok(Math.abs(softmaxKl([0, 0], [0, Math.log(3)]) - expected) < 1e-15);
    // p puts all its mass on class 0, where q's log-probability is −2000: KL = 2000.
    assert.ok(Math.abs(softmaxKl([1000, -1000], [-1000, 1000]) - 2000) < 1e-9);
  });

  it('accumulates top-1, agreement and mean KL over rows', () => {
    const acc = new ScoreAccumulator();
    // Two rows of 2 classes: model tops are 1, 0; labels 1, 1; reference tops 1, 1.
    acc.add([0, 1, 1, 0], 2, 2, [1, 1], 0, [0, 1, 0, 1]);
    assert.equal(acc.top1, 0.5);
    assert.equal(acc.agreement, 0.5);
    const kl2 = softmaxKl([0, 1], [1, 0]);
    assert.ok(Math.abs(acc.kl - kl2 / 2) < 1e-15);
  });
});
