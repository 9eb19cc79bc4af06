// The task measures of `npm run accuracy -- --real` (scripts/accuracy/real-measures.ts, wav.ts
// and real.ts's helpers) against hand-computed values: decisions and score errors, sliding
// windows, M-LSD segments and their matching, the WAV reader, the mirror, the --real flag.

import { strict as assert } from 'node:assert';
import { compareDecisions, matchSegments, mlsdSegments, segmentDistance, slidingWindows } from '../../scripts/accuracy/real-measures.js';
import type { Segment } from '../../scripts/accuracy/real-measures.js';
import { readWavPcm16 } from '../../scripts/accuracy/wav.js';
import { mirrorNhwc, realTasks } from '../../scripts/accuracy/real.js';

const seg = (x0: number, y0: number, x1: number, y1: number, score = 1): Segment => ({ x0, y0, x1, y1, score });

describe('scripts/accuracy real: task measures', () => {
  it('compareDecisions: decision = score strictly above the threshold, flips, positives and |error|', () => {
    // dense decides [yes, no, no (0.5 is not above 0.5), yes]; pruned [no, yes, yes, yes].
    const a = compareDecisions([0.9, 0.2, 0.5, 0.6], [0.4, 0.7, 0.51, 0.6], 0.5);
    assert.deepEqual({ ...a, meanAbsError: 0, maxAbsError: 0 }, { count: 4, densePositive: 2, prunedPositive: 3, flips: 3, meanAbsError: 0, maxAbsError: 0 });
    assert.ok(Math.abs(a.meanAbsError - (0.5 + 0.5 + 0.01 + 0) / 4) < 1e-12, `mean ${a.meanAbsError}`);
    assert.ok(Math.abs(a.maxAbsError - 0.5) < 1e-12, `max ${a.maxAbsError}`);
    assert.throws(() => compareDecisions([1, 2], [1], 0.5), /2 dense scores against 1 pruned/);
  });

  it('slidingWindows: every run of consecutive frames, in order', () => {
    const s = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(slidingWindows(s, 2, 3).map((w) => [...w]), [[0, 1, 2, 3, 4, 5], [2, 3, 4, 5, 6, 7]]);
    assert.deepEqual(slidingWindows(s, 2, 4).map((w) => [...w]), [[0, 1, 2, 3, 4, 5, 6, 7]]);
    assert.deepEqual(slidingWindows(s, 2, 5), []);
    assert.throws(() => slidingWindows(s, 3, 1), /not a whole number of 3-wide frames/);
  });

  it('mlsdSegments: centre + offsets, kept when score > 0.1 and length > 20 (both strict)', () => {
    const h = 3, w = 3;
    const scores = new Float64Array(h * w), offsets = new Float64Array(4 * h * w);
    const put = (x: number, y: number, s: number, o: number[]): void => { scores[y * w + x] = s; offsets.set(o, 4 * (y * w + x)); };
    put(1, 0, 0.5, [-10, 0, 15, 1]); // (−9, 0)–(16, 1): length √626 ≈ 25.02, kept
    put(0, 2, 0.9, [1, 1, 2, 2]); // length √2: too short
    put(2, 2, 0.05, [-30, 0, 30, 0]); // score too low
    put(0, 1, 0.1, [-30, 0, 30, 0]); // score exactly 0.1: not above
    put(2, 1, 0.3, [-10, 0, 10, 0]); // length exactly 20: not above
    put(1, 1, 0.25, [0, -12, 0, 9]); // (1, −11)–(1, 10): length 21, kept
    assert.deepEqual(mlsdSegments(scores, offsets, h, w), [
      { x0: -9, y0: 0, x1: 16, y1: 1, score: 0.5 },
      { x0: 1, y0: -11, x1: 1, y1: 10, score: 0.25 },
    ]);
    assert.throws(() => mlsdSegments(scores, offsets, 3, 2), /want 6 scores and 24 offsets, got 9 and 36/);
  });

  it('segmentDistance: the farther endpoint, in the better endpoint order', () => {
    // Same order: max(√101, 10); swapped: max(0, 1) = 1.
    assert.equal(segmentDistance(seg(0, 0, 10, 0), seg(10, 1, 0, 0)), 1);
    assert.equal(segmentDistance(seg(0, 0, 10, 0), seg(0, 3, 10, 4)), 4);
  });

  it('matchSegments: greedy by reference score, one found segment per reference, both endpoints within tolerance', () => {
    const a = seg(0, 0, 10, 0, 0.9), b = seg(0, 5, 10, 5, 0.5);
    const f1 = seg(0, 2, 10, 2); // 2 from a, 3 from b
    const f2 = seg(0, 5.5, 10, 5.5); // 0.5 from b
    assert.equal(matchSegments([a, b], [f1], 1.9), 0);
    assert.equal(matchSegments([a, b], [f1], 2), 1);
    assert.equal(matchSegments([a, b], [f1, f2], 3), 2);
    // a (higher score) takes f1 first, so b cannot: 1 match, not 2.
    assert.equal(matchSegments([b, a], [f1], 3), 1);
    assert.equal(matchSegments([a, a], [a], 0), 1, 'a found segment matches one reference only');
    assert.equal(matchSegments([a], [seg(10, 0, 0, 0)], 0), 1, 'endpoints in either order');
    assert.equal(matchSegments([], [a], 1), 0);
  });
});

/** A RIFF/WAVE file: a fmt chunk (format 1, `channels`, 16 kHz, `bits`) and a data chunk of int16 samples. */
function wav(samples: number[], channels = 1, bits = 16, withData = true): Uint8Array {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(s, 2 * i));
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'latin1'); fmt.writeUInt32LE(16, 4); fmt.writeUInt16LE(1, 8); fmt.writeUInt16LE(channels, 10);
  fmt.writeUInt32LE(16000, 12); fmt.writeUInt32LE(32000, 16); fmt.writeUInt16LE(2, 20); fmt.writeUInt16LE(bits, 22);
  const head = Buffer.alloc(8);
  head.write('data', 0, 'latin1'); head.writeUInt32LE(data.length, 4);
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), fmt, ...(withData ? [head, data] : [])]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1'); riff.writeUInt32LE(body.length, 4);
  return new Uint8Array(Buffer.concat([riff, body]));
}

describe('scripts/accuracy real: WAV reader, mirror, --real', () => {
  it('readWavPcm16: int16 / 32768', () => {
    assert.deepEqual([...readWavPcm16(wav([0, 16384, -32768, 32767]), 'x.wav')], [0, 0.5, -1, 32767 / 32768]);
  });

  it('readWavPcm16 refuses what it does not read, naming the file', () => {
    assert.throws(() => readWavPcm16(wav([1, 2], 2), 'st.wav'), /st\.wav: want 16-bit mono PCM, the fmt chunk says format 1, 2 channel\(s\), 16 bits/);
    assert.throws(() => readWavPcm16(wav([1, 2], 1, 8), 'b8.wav'), /b8\.wav: want 16-bit mono PCM/);
    assert.throws(() => readWavPcm16(wav([], 1, 16, false), 'none.wav'), /none\.wav: no data chunk/);
    assert.throws(() => readWavPcm16(new Uint8Array(20), 'zero.wav'), /zero\.wav: not a RIFF\/WAVE file/);
    const cut = wav([1, 2, 3, 4]).slice(0, -2);
    assert.throws(() => readWavPcm16(cut, 'cut.wav'), /cut\.wav: chunk 'data' at byte 36 runs past the end/);
  });

  it('mirrorNhwc: columns reversed, channels kept together', () => {
    // h = 2, w = 3, 2 channels: pixel (y, x) holds [10y + x, −(10y + x)].
    const x = Float32Array.from([0, -0, 1, -1, 2, -2, 10, -10, 11, -11, 12, -12]);
    assert.deepEqual([...mirrorNhwc(x, 2, 3, 2)], [2, -2, 1, -1, 0, -0, 12, -12, 11, -11, 10, -10]);
  });

  it('realTasks: --real is every task, --real=a,b some, an unknown task is an error', () => {
    assert.deepEqual(realTasks(['node', 'accuracy.js', '--skip-corpus']), []);
    assert.deepEqual(realTasks(['node', 'accuracy.js', '--real']), ['wakeword', 'vad', 'mlsd']);
    assert.deepEqual(realTasks(['node', 'accuracy.js', '--real=vad,mlsd']), ['vad', 'mlsd']);
    assert.throws(() => realTasks(['--real=vad,kws']), /--real: unknown task\(s\) kws \(have wakeword, vad, mlsd\)/);
  });
});
