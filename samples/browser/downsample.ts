// A drawing → the model's 8×8 input, made the way the digits data set was (UCI optdigits, which
// scikit-learn's digits are): the digit's bitmap is normalized into a 32×32 box, then each
// non-overlapping 4×4 block becomes the count of its inked pixels (0..16); the model reads count/16.
// Pure (no DOM), so Node tests check it.

/** The normalized bitmap's side, and the block side that reduces it to 8×8. */
export const BITMAP = 32;
export const BLOCK = 4;

/**
 * `ink`: one value per pixel, row-major, 0 (paper) .. 255 (ink), `width`×`height`. The inked
 * bounding box (pixels ≥ 128) is scaled, aspect kept, to fill 32×32 along its longer side and
 * centred; a bitmap pixel is inked when at least half of the drawing area it covers is. Returns
 * the 8×8 input (row-major, count/16 in [0, 1]) and the 32×32 bitmap; all zeros for an empty drawing.
 */
export function downsample(ink: ArrayLike<number>, width: number, height: number): { input: Float32Array; bitmap: Uint8Array } {
  if (ink.length !== width * height) throw new Error(`downsample: ${ink.length} pixels for ${width}×${height}`);
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] < 128) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  const bitmap = new Uint8Array(BITMAP * BITMAP);
  const input = new Float32Array((BITMAP / BLOCK) ** 2);
  if (x1 < 0) return { input, bitmap };
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const side = Math.max(bw, bh); // drawing pixels per bitmap side
  // The box's offset in the bitmap, in drawing pixels, so that it is centred.
  const offX = (side - bw) / 2, offY = (side - bh) / 2;
  const cell = side / BITMAP;
  for (let by = 0; by < BITMAP; by++) {
    for (let bx = 0; bx < BITMAP; bx++) {
      // The drawing rectangle this bitmap pixel covers (area-weighted over partial pixels).
      const sx0 = x0 - offX + bx * cell, sy0 = y0 - offY + by * cell;
      const sx1 = sx0 + cell, sy1 = sy0 + cell;
      let inked = 0;
      for (let y = Math.max(Math.floor(sy0), y0); y < Math.min(Math.ceil(sy1), y1 + 1); y++) {
        const wy = Math.min(y + 1, sy1) - Math.max(y, sy0);
        for (let x = Math.max(Math.floor(sx0), x0); x < Math.min(Math.ceil(sx1), x1 + 1); x++) {
          if (ink[y * width + x] >= 128) inked += wy * (Math.min(x + 1, sx1) - Math.max(x, sx0));
        }
      }
      if (inked >= 0.5 * cell * cell) bitmap[by * BITMAP + bx] = 1;
    }
  }
  const side8 = BITMAP / BLOCK;
  for (let by = 0; by < BITMAP; by++) {
    for (let bx = 0; bx < BITMAP; bx++) input[Math.floor(by / BLOCK) * side8 + Math.floor(bx / BLOCK)] += bitmap[by * BITMAP + bx];
  }
  for (let i = 0; i < input.length; i++) input[i] /= BLOCK * BLOCK;
  return { input, bitmap };
}
