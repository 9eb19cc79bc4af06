import { strict as assert } from 'node:assert';
import { crc32 } from '../../../runtime/loader/crc32.js';

describe('crc32', () => {
  it('matches the IEEE check value', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  it('covers the requested range only', () => {
    const bytes = new TextEncoder().encode('xx123456789yy');
    assert.equal(crc32(bytes, 2, 11), 0xcbf43926);
  });
});
