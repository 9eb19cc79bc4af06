import { strict as assert } from 'node:assert';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { crc32 } from '../../../runtime/loader/crc32.js';

/** The specification itself: one bit at a time, no tables, so it shares nothing with the code under test. */
function crc32Bitwise(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) {
    c ^= bytes[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32', () => {
  it('matches the published CRC-32 check values', () => {
    assert.equal(crc32(ascii('123456789')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
    assert.equal(crc32(ascii('a')), 0xe8b7be43);
    assert.equal(crc32(ascii('abc')), 0x352441c2);
    assert.equal(crc32(ascii('The quick brown fox jumps over the lazy dog')), 0x414fa339);
    // Long enough for the sliced path: the check string repeated, against zlib.
    const long = ascii('The quick brown fox jumps over the lazy dog. '.repeat(40));
    assert.equal(crc32(long), zlibCrc32(long) >>> 0);
  });

  it('covers the requested range only', () => {
    const bytes = ascii('xx123456789yy');
    assert.equal(crc32(bytes, 2, 11), 0xcbf43926);
  });

  it('agrees with a bitwise reference and zlib on random lengths, ranges and unaligned views', () => {
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 700 }),
      fc.nat(7), fc.nat(), fc.nat(),
      (data, shift, a, b) => {
        // The data sits at `shift` bytes into its ArrayBuffer, so the 4-byte alignment of the view varies too.
        const backing = new Uint8Array(data.length + shift);
        backing.set(data, shift);
        const view = backing.subarray(shift);
        const start = data.length ? a % (data.length + 1) : 0;
        const end = start + (data.length ? b % (data.length - start + 1) : 0);
        const expected = crc32Bitwise(view, start, end);
        assert.equal(crc32(view, start, end), expected, `shift ${shift}, [${start}, ${end}) of ${data.length}`);
        assert.equal(expected, zlibCrc32(view.subarray(start, end)) >>> 0);
      }), { numRuns: 500 });
  });

  it('agrees with zlib over a megabyte at every start alignment', () => {
    const bytes = new Uint8Array((1 << 20) + 19);
    let s = 12345;
    for (let i = 0; i < bytes.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; bytes[i] = s >>> 24; }
    for (let start = 0; start < 8; start++) {
      assert.equal(crc32(bytes, start, bytes.length - start), zlibCrc32(bytes.subarray(start, bytes.length - start)) >>> 0, `start ${start}`);
    }
  });
});
