// mulberry32: a tiny deterministic PRNG. Searches that must give the same result on every run
// (the permutation search) and tests that must reproduce their failures draw from it.

/** A generator of uniform numbers in [0, 1) from `seed`; the same seed gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
