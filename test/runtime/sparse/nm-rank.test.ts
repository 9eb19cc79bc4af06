// The N:M rank code (runtime/sparse/nm-rank.ts): its layout against hand-computed bytes, a round
// trip through the bit stream packNm writes for every n:m, and the refusal of every value that is
// no code of its groups.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { packNm } from '../../../compiler/sparse/pack/pack.js';
import { decodeNmRanks, encodeNmRanks, nmRankBytes, nmRankGeometry } from '../../../runtime/sparse/nm-rank.js';

const binomial = (m: number, n: number): number => (n === 0 ? 1 : (binomial(m - 1, n - 1) * m) / n);

describe('N:M rank code', () => {
  it('2:4 ranks the six slot sets lexicographically and packs 34 groups in 11 bytes, base 6, little endian', () => {
    const g = nmRankGeometry(2, 4);
    assert.deepEqual([g.sets, g.groupsPerChunk, g.chunkBytes], [6, 34, 11]);
    assert.deepEqual([...g.slots], [0, 1, 0, 2, 0, 3, 1, 2, 1, 3, 2, 3]);
    // 6^34 < 2^88 ≤ 6^35 (hand-checked with BigInt): 34 is the most groups 11 bytes hold.
    assert.ok(6n ** 34n < 2n ** 88n && 6n ** 35n > 2n ** 88n);
    // Groups {0,1}, {2,3}, {1,3} have ranks 0, 5, 4: 0 + 5·6 + 4·36 = 174.
    const w = Float32Array.from([1, 2, 0, 0, 0, 0, 3, 4, 0, 5, 0, 6]);
    const p = packNm(1, 12, w, 2, 4);
    const code = encodeNmRanks(p.indices, 3, 2, 4);
    assert.deepEqual([...code], [174, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(decodeNmRanks(code, 3, 2, 4), p.indices);
  });

  it('spends the fewest bits per group a chunk of at most 16 bytes allows, never more than the bit stream', () => {
    for (let m = 2; m <= 16; m++) {
      for (let n = 1; n < m; n++) {
        const g = nmRankGeometry(n, m);
        assert.equal(g.sets, binomial(m, n), `${n}:${m}`);
        const sets = BigInt(g.sets);
        assert.ok(sets ** BigInt(g.groupsPerChunk) <= 256n ** BigInt(g.chunkBytes), `${n}:${m} fits`);
        for (let b = 1; b <= 16; b++) {
          let k = 0;
          while (sets ** BigInt(k + 1) <= 256n ** BigInt(b)) k++;
          assert.ok(k * g.chunkBytes <= b * g.groupsPerChunk, `${n}:${m}: ${b} bytes hold ${k} groups, denser than the chosen ${g.groupsPerChunk} in ${g.chunkBytes}`);
        }
        const streamBits = n * Math.max(1, Math.ceil(Math.log2(m)));
        assert.ok((8 * g.chunkBytes) / g.groupsPerChunk <= streamBits, `${n}:${m}: ${(8 * g.chunkBytes) / g.groupsPerChunk} bits per group > ${streamBits}`);
      }
    }
  });

  it('decodes what it encodes: the bit stream packNm writes, for any n:m and group count', () => {
    fc.assert(fc.property(
      fc.integer({ min: 2, max: 16 }).chain((m) => fc.tuple(fc.constant(m), fc.integer({ min: 1, max: m - 1 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 90 }))),
      fc.integer(),
      ([m, n, rows, groupsPerRow], seed) => {
        // Random kept sets (at most n nonzeros per group; packNm pads the rest).
        let s = seed >>> 0;
        const next = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
        const cols = groupsPerRow * m;
        const w = new Float32Array(rows * cols);
        for (let g = 0; g < rows * groupsPerRow; g++) {
          for (let k = 0; k < n; k++) w[g * m + (next() % m)] = 1 + k;
        }
        const p = packNm(rows, cols, w, n, m);
        const groups = rows * groupsPerRow;
        const code = encodeNmRanks(p.indices, groups, n, m);
        assert.equal(code.length, nmRankBytes(groups, n, m));
        assert.deepEqual(decodeNmRanks(code, groups, n, m), p.indices);
      }), { numRuns: 300 });
  });

  it('refuses a chunk worth C^k or more, nonzero digits past the last group, and a wrong length', () => {
    const full = new Uint8Array(11).fill(0xff);
    assert.equal(decodeNmRanks(full, 34, 2, 4), 'rank code chunk 0 (bytes 0..10) holds more than its 34 groups of 6 sets');
    // 6 is group 1's digit 1: a code of one group holds values below 6 only.
    const past = new Uint8Array(22);
    past[11] = 6;
    assert.equal(decodeNmRanks(past, 35, 2, 4), 'rank code chunk 1 (bytes 11..21) holds more than its 1 group of 6 sets');
    past[11] = 5;
    assert.ok(decodeNmRanks(past, 35, 2, 4) instanceof Uint8Array);
    assert.equal(decodeNmRanks(new Uint8Array(10), 34, 2, 4), 'rank code of 10 bytes, 34 groups at 2:4 need 11');
  });
});
