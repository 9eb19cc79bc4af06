// The browser sample's data path, in Node: the drawing → 8×8 downsampling (samples/browser/
// downsample.ts) against hand-computed block counts, and the committed test-images.json against
// the corpus it is generated from (stale or hand-edited fails), and the build's type-check of app.ts.

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { BITMAP, downsample } from '../../samples/browser/downsample.js';
import { formatImages, IMAGES_FILE, testImagesFromCorpus, typecheckApp } from '../../samples/browser/build.js';

/** `bitmap` (32×32, 0/1) drawn `k` times larger, as ink 0/255. */
function enlarge(bitmap: readonly number[], k: number): Uint8Array {
  const side = BITMAP * k;
  const ink = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) ink[y * side + x] = bitmap[Math.floor(y / k) * BITMAP + Math.floor(x / k)] ? 255 : 0;
  return ink;
}

/** The data set's 8×8: inked pixels per 4×4 block of the 32×32 bitmap, / 16. */
function blockCounts(bitmap: readonly number[]): number[] {
  const out = new Array<number>(64).fill(0);
  bitmap.forEach((v, i) => { out[Math.floor(Math.floor(i / BITMAP) / 4) * 8 + Math.floor((i % BITMAP) / 4)] += v; });
  return out.map((c) => c / 16);
}

describe('browser sample data', () => {
  it('downsample: a bitmap filling its 32×32 frame, drawn 1–8× larger, gives its exact block counts', () => {
    const framed = fc.array(fc.integer({ min: 0, max: 1 }), { minLength: BITMAP * BITMAP, maxLength: BITMAP * BITMAP }).map((b) => {
      // Ink in the first and last row and column, so the inked box is the whole frame.
      for (const i of [0, BITMAP - 1, BITMAP * (BITMAP - 1), BITMAP * BITMAP - 1]) b[i] = 1;
      return b;
    });
    fc.assert(fc.property(framed, fc.integer({ min: 1, max: 8 }), (bitmap, k) => {
      const { input, bitmap: got } = downsample(enlarge(bitmap, k), BITMAP * k, BITMAP * k);
      assert.deepEqual(Array.from(got), bitmap);
      assert.deepEqual(Array.from(input), blockCounts(bitmap));
    }), { numRuns: 40 });
  });

  it('downsample: a thin tall stroke keeps its aspect, centred; an empty drawing is all zeros', () => {
    const w = 200, h = 200;
    const ink = new Uint8Array(w * h);
    for (let y = 20; y < 180; y++) for (let x = 10; x < 30; x++) ink[y * w + x] = 255; // 20 wide, 160 tall, at the left
    const { input } = downsample(ink, w, h);
    // 20/160 of 32 = 4 bitmap columns, centred: columns 14..17 → 8×8 columns 3 and 4, every row full.
    for (let r = 0; r < 8; r++) assert.deepEqual(Array.from(input.subarray(r * 8, r * 8 + 8)), [0, 0, 0, 0.5, 0.5, 0, 0, 0], `row ${r}`);
    assert.deepEqual(Array.from(downsample(new Uint8Array(16), 4, 4).input), new Array(64).fill(0));
    assert.throws(() => downsample(new Uint8Array(10), 4, 4), /10 pixels for 4×4/);
  });

  it('test-images.json is what the corpus gives (regenerate: npm run sample:browser -- --update-images)', () => {
    const want = testImagesFromCorpus();
    assert.equal(readFileSync(IMAGES_FILE, 'utf8'), formatImages(want));
    assert.deepEqual(want.images.map((im) => im.label), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
  });

  it('the build type-checks app.ts against the dispatch module: a module whose load() has the wrong type is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spc-sample-tc-'));
    try {
      const file = join(dir, 'broken.dispatch.ts');
      // app.ts awaits load(bytes) as a Model; a load returning a number must not type-check.
      writeFileSync(file, 'export function load(bytes: Uint8Array): number { return bytes.length; }\n');
      assert.throws(() => typecheckApp(file), (e: Error) => /app\.ts does not type-check/.test(e.message) && /app\.ts\(\d+,\d+\): error TS/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
