// measureSideBySide with fake clocks: each model's call advances the clocks by a known amount,
// so the medians, the batch sizes and the alternation are hand-computable.

import { strict as assert } from 'node:assert';
import { measureSideBySide, quantile } from '../../../compiler/bench/measure.js';

describe('bench: measureSideBySide', () => {
  it('per-call medians are the calls\' known costs; batches fill batchMs; rounds alternate in rotating order', async () => {
    let wall = 0, cpu = 0;
    const calls: string[] = [];
    // A costs 0.5 ms wall / 0.25 ms CPU per call, B 2 ms / 2 ms.
    const a = () => { wall += 0.5; cpu += 0.25; calls.push('a'); };
    const b = () => { wall += 2; cpu += 2; calls.push('b'); };
    const [sa, sb] = await measureSideBySide([a, b], { warmup: 3, timeMs: 90, batchMs: 4, now: () => wall, cpuNow: () => cpu });
    // Sizing: A runs 2 calls to pass 1 ms (0.5 ms each) → batch 4 ms / 0.5 = 8; B one call → batch 2.
    assert.equal(sa!.median, 0.5);
    assert.equal(sa!.p25, 0.5);
    assert.equal(sa!.cpuMedian, 0.25);
    assert.equal(sb!.median, 2);
    assert.equal(sb!.cpuMedian, 2);
    // 90 ms in all: warm-up and sizing take 10.5 ms, then rounds of 8 ms (4 ms per model) until
    // the clock passes 90: 10 rounds each, 8 and 2 calls per batch.
    assert.equal(sa!.batches, 10);
    assert.equal(sb!.batches, 10);
    assert.equal(sa!.runs, 80);
    assert.equal(sb!.runs, 20);
    // Timed part: after 3 + 2 warm/sizing calls of A and 3 + 1 of B, rounds alternate a-first, b-first, …
    const timed = calls.slice(9).join('');
    assert.equal(timed.slice(0, 20), 'aaaaaaaa' + 'bb' + 'bb' + 'aaaaaaaa');
  });

  it('the whole measurement, warm-up included, ends within one round of its time budget, however slow the model', async () => {
    let wall = 0;
    // 100 ms a call, a 50 ms budget, 10 warm-up runs asked.
    const slow = () => { wall += 100; };
    const [s] = await measureSideBySide([slow, slow], { warmup: 10, timeMs: 50, now: () => wall, cpuNow: () => wall });
    assert.equal(s!.batches, 1);
    assert.equal(s!.runs, 1);
    // Warm-up: model 0 stops past its 5 ms share after one call, model 1 past 10 ms after none;
    // two sizing calls; one round of one call each: 5 calls, 500 ms (not 10 warm-up runs and 5 rounds each).
    assert.equal(wall, 500);
  });

  it('quantile interpolates linearly', () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
    assert.ok(Number.isNaN(quantile([], 0.5)));
  });
});
