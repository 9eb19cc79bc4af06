// The rank code of N:M slot indices (IndexType NM_RANK, feature 'sparse-nm-rank'): a denser
// stored form of the N:M bit stream, which the loader decodes back to the stream kernels read.
//
//   A group keeps a set of n of its m slots: one of C = C(m, n) sets, ranked in lexicographic
//   order of their increasing slot lists (2:4: {0,1}=0 {0,2}=1 {0,3}=2 {1,2}=3 {1,3}=4 {2,3}=5).
//   Groups run row by row, as in the bit stream. k consecutive groups form a chunk, the
//   little-endian integer Σ rank_j · C^j of b bytes, with b ≤ 16 and k the most groups that fit
//   (C^k ≤ 256^b) chosen for the fewest bits per group, the smallest b among equals. The last
//   chunk's missing groups are zero digits. 2:4: 34 groups in 11 bytes, 2.588 bits per group
//   (log2 6 = 2.585) against the stream's 4; whole bytes, so gzip and brotli see byte symbols.

import { nmIndexBits, readNmSlot, writeNmSlot } from './packed.js';

/** How an n:m rank code is laid out. */
export interface NmRankGeometry {
  /** C(m, n): the sets a group can keep, the base of the code. */
  readonly sets: number;
  readonly groupsPerChunk: number;
  readonly chunkBytes: number;
  /** The slot lists of every set, in rank order: sets × n slot indices. */
  readonly slots: Uint8Array;
}

/** Longest chunk: 2:4 reaches 0.1% of log2 6 bits per group at 11 bytes. */
const MAX_CHUNK_BYTES = 16;

const geometries = new Map<string, NmRankGeometry>();

/** The layout of the n:m rank code (0 < n < m ≤ 16, checked by the caller); computed once per n:m. */
export function nmRankGeometry(n: number, m: number): NmRankGeometry {
  const key = `${n}:${m}`;
  const known = geometries.get(key);
  if (known !== undefined) return known;
  const lists: number[] = [];
  const pick = (from: number, chosen: number[]): void => {
    if (chosen.length === n) { lists.push(...chosen); return; }
    for (let s = from; s <= m - (n - chosen.length); s++) pick(s + 1, [...chosen, s]);
  };
  pick(0, []);
  const sets = lists.length / n;
  let chunkBytes = 0;
  let groupsPerChunk = 0;
  // Exact: BigInt powers, once per n:m (C ≤ C(16, 8) = 12870 < 256^2, so two bytes hold a group).
  for (let b = 1; b <= MAX_CHUNK_BYTES; b++) {
    const capacity = 256n ** BigInt(b);
    let k = 0;
    while (BigInt(sets) ** BigInt(k + 1) <= capacity) k++;
    if (k > 0 && (groupsPerChunk === 0 || b * groupsPerChunk < chunkBytes * k)) { chunkBytes = b; groupsPerChunk = k; }
  }
  const g: NmRankGeometry = { sets, groupsPerChunk, chunkBytes, slots: Uint8Array.from(lists) };
  geometries.set(key, g);
  return g;
}

/** Bytes of the rank code of `groups` n:m groups. */
export function nmRankBytes(groups: number, n: number, m: number): number {
  const g = nmRankGeometry(n, m);
  return Math.ceil(groups / g.groupsPerChunk) * g.chunkBytes;
}

/** The rank code of an N:M bit stream of `groups` groups (slot lists strictly increasing, as packNm writes them). */
export function encodeNmRanks(indices: Uint8Array, groups: number, n: number, m: number): Uint8Array {
  const g = nmRankGeometry(n, m);
  const rankOfMask = new Int16Array(1 << m).fill(-1);
  for (let r = 0; r < g.sets; r++) {
    let mask = 0;
    for (let k = 0; k < n; k++) mask |= 1 << g.slots[r * n + k]!;
    rankOfMask[mask] = r;
  }
  const bits = nmIndexBits(m);
  const code = new Uint8Array(nmRankBytes(groups, n, m));
  const ranks: number[] = [];
  let slot = 0;
  for (let c = 0; c * g.groupsPerChunk < groups; c++) {
    ranks.length = 0;
    for (let j = 0; j < g.groupsPerChunk && c * g.groupsPerChunk + j < groups; j++) {
      let mask = 0;
      for (let k = 0; k < n; k++, slot++) mask |= 1 << readNmSlot(indices, slot, bits);
      const rank = rankOfMask[mask]!;
      if (rank < 0) throw new Error(`encodeNmRanks: group ${c * g.groupsPerChunk + j} does not keep ${n} distinct slots of ${m}`);
      ranks.push(rank);
    }
    // Horner from the last group's digit, on the chunk's bytes as base-256 limbs (each product < 2^24).
    const chunk = code.subarray(c * g.chunkBytes, (c + 1) * g.chunkBytes);
    for (let j = ranks.length - 1; j >= 0; j--) {
      let carry = ranks[j]!;
      for (let i = 0; i < chunk.length; i++) {
        const v = chunk[i]! * g.sets + carry;
        chunk[i] = v & 0xff;
        carry = v >>> 8;
      }
    }
  }
  return code;
}

/**
 * The N:M bit stream of a rank code of `groups` groups, or the reason it is not one: a chunk
 * whose value is no code of its groups (≥ C^k, or nonzero digits past the last group).
 */
export function decodeNmRanks(code: Uint8Array, groups: number, n: number, m: number): Uint8Array | string {
  const g = nmRankGeometry(n, m);
  const expected = nmRankBytes(groups, n, m);
  if (code.length !== expected) return `rank code of ${code.length} bytes, ${groups} groups at ${n}:${m} need ${expected}`;
  const bits = nmIndexBits(m);
  const indices = new Uint8Array(Math.ceil((groups * n * bits) / 8));
  let slot = 0;
  const chunk = new Uint8Array(g.chunkBytes);
  for (let c = 0; c * g.groupsPerChunk < groups; c++) {
    chunk.set(code.subarray(c * g.chunkBytes, (c + 1) * g.chunkBytes));
    const inChunk = Math.min(g.groupsPerChunk, groups - c * g.groupsPerChunk);
    for (let j = 0; j < inChunk; j++) {
      // Long division of the chunk by C, from its most significant byte: the remainder is group j's rank.
      let rank = 0;
      for (let i = chunk.length - 1; i >= 0; i--) {
        const v = rank * 256 + chunk[i]!;
        chunk[i] = Math.floor(v / g.sets);
        rank = v % g.sets;
      }
      for (let k = 0; k < n; k++, slot++) writeNmSlot(indices, slot, bits, g.slots[rank * n + k]!);
    }
    // What is left is the value's part beyond its groups' C^inChunk: a valid code leaves nothing.
    if (chunk.some((v) => v !== 0)) {
      return `rank code chunk ${c} (bytes ${c * g.chunkBytes}..${(c + 1) * g.chunkBytes - 1}) holds more than its ${inChunk} group${inChunk === 1 ? '' : 's'} of ${g.sets} sets`;
    }
  }
  return indices;
}
