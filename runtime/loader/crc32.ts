// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum in the .spm header.
// Slicing-by-16 over 32-bit little-endian reads (one table lookup per byte, but sixteen independent
// ones per step instead of a serial chain); the tables are built on first use so importing this
// file costs nothing. Byte at a time for the unaligned head, the tail, and big-endian hosts.

const SLICES = 16;
let tables: Uint32Array | undefined;

/** 16 tables of 256: table k maps a byte to its CRC contribution k bytes ahead of the register. */
function crcTables(): Uint32Array {
  if (tables) return tables;
  const t = new Uint32Array(SLICES * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let k = 1; k < SLICES; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  tables = t;
  return t;
}

/** Word reads put byte i of a word in bits 8i..8i+7 only on a little-endian host. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function crcBytes(t: Uint32Array, c: number, bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c;
}

/** CRC-32 of `bytes[start, end)`, as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = crcTables();
  let c = 0xffffffff;
  if (!LITTLE_ENDIAN || end - start < 64) return (crcBytes(t, c, bytes, start, end) ^ 0xffffffff) >>> 0;
  // Bytes up to the first 4-aligned address in the underlying buffer, so the word view is legal.
  const head = Math.min(end, start + ((4 - ((bytes.byteOffset + start) & 3)) & 3));
  c = crcBytes(t, c, bytes, start, head);
  const words = ((end - head) >>> 4) << 2;
  const w = new Uint32Array(bytes.buffer, bytes.byteOffset + head, words);
  for (let j = 0; j < words; j += 4) {
    const a = c ^ w[j]!;
    const b = w[j + 1]!;
    const d = w[j + 2]!;
    const e = w[j + 3]!;
    c = t[0xf00 + (a & 0xff)]! ^ t[0xe00 + ((a >>> 8) & 0xff)]! ^ t[0xd00 + ((a >>> 16) & 0xff)]! ^ t[0xc00 + (a >>> 24)]! ^
      t[0xb00 + (b & 0xff)]! ^ t[0xa00 + ((b >>> 8) & 0xff)]! ^ t[0x900 + ((b >>> 16) & 0xff)]! ^ t[0x800 + (b >>> 24)]! ^
      t[0x700 + (d & 0xff)]! ^ t[0x600 + ((d >>> 8) & 0xff)]! ^ t[0x500 + ((d >>> 16) & 0xff)]! ^ t[0x400 + (d >>> 24)]! ^
      t[0x300 + (e & 0xff)]! ^ t[0x200 + ((e >>> 8) & 0xff)]! ^ t[0x100 + ((e >>> 16) & 0xff)]! ^ t[e >>> 24]!;
  }
  c = crcBytes(t, c, bytes, head + words * 4, end);
  return (c ^ 0xffffffff) >>> 0;
}
