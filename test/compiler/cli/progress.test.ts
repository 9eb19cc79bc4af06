// The stderr progress bar: drawn only on a terminal, in place, throttled, ended with a newline.

import { strict as assert } from 'node:assert';
import { progressBar } from '../../../compiler/cli/progress.js';

function fakeStream(isTTY: boolean): { isTTY: boolean; written: string[]; write: (s: string) => boolean } {
  const written: string[] = [];
  return { isTTY, written, write: (s: string) => { written.push(s); return true; } };
}

describe('cli: progress bar', () => {
  it('is off when the stream is not a terminal (logs and pipes stay clean)', () => {
    assert.equal(progressBar('spc tune', fakeStream(false)), undefined);
  });

  it('redraws in place with the fraction and the detail, at most every 100 ms, and ends the line when done', () => {
    const s = fakeStream(true);
    const bar = progressBar('spc tune', s, 10)!;
    bar(0, 4, 'f32-gemm');
    bar(1, 4, 'f32-conv'); // within 100 ms of the first draw: skipped
    bar(4, 4, 'done');
    assert.deepEqual(s.written, [
      '\r\x1b[Kspc tune [----------] 0/4 f32-gemm',
      '\r\x1b[Kspc tune [##########] 4/4 done',
      '\n',
    ]);
  });

  it('fills in proportion: 3 of 4 on 8 cells is 6', () => {
    const s = fakeStream(true);
    progressBar('x', s, 8)!(3, 4);
    assert.equal(s.written[0], '\r\x1b[Kx [######--] 3/4');
  });

  it('appends an ETA past 2 s, extrapolated from the time per unit, and restarts its clock when a new phase begins', () => {
    const s = fakeStream(true);
    let t = 1000;
    const bar = progressBar('spc: calibrating', s, 4, () => t)!;
    bar(0, 10);
    t += 1500;
    bar(1, 10); // 1.5 s in: no ETA yet
    t += 1500;
    bar(2, 10); // 3 s for 2 units: 8 more take 12 s
    t += 60_000;
    bar(3, 4); // 63 s for 3 units: 21 s left
    t += 200;
    bar(1, 10); // a new phase: its clock starts here
    t += 1000;
    bar(2, 10);
    assert.deepEqual(s.written, [
      '\r\x1b[Kspc: calibrating [----] 0/10',
      '\r\x1b[Kspc: calibrating [----] 1/10',
      '\r\x1b[Kspc: calibrating [#---] 2/10 ETA 12s',
      '\r\x1b[Kspc: calibrating [###-] 3/4 ETA 21s',
      '\r\x1b[Kspc: calibrating [----] 1/10',
      '\r\x1b[Kspc: calibrating [#---] 2/10',
    ]);
  });

  it('writes minutes past 60 s', () => {
    const s = fakeStream(true);
    let t = 0;
    const bar = progressBar('x', s, 2, () => t)!;
    bar(0, 100);
    t += 3000;
    bar(2, 100); // 1.5 s per unit, 98 left: 147 s
    assert.equal(s.written[1], '\r\x1b[Kx [--] 2/100 ETA 2m27s');
  });
});
