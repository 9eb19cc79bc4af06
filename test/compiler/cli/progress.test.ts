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
});
