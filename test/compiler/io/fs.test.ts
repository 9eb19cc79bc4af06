// Atomic file output: a write either replaces every target or none, and leaves no temp file.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeFilesAtomic } from '../../../compiler/io/fs.js';
import { tempDir } from '../../helpers/files.js';
import { SpcError } from '../../../compiler/errors.js';

describe('io/fs: atomic writes', () => {
  it('replaces a file and leaves no temp file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.spm'), 'old');
    writeFileAtomic(join(dir, 'a.spm'), Uint8Array.from([1, 2, 3]));
    assert.deepEqual([...readFileSync(join(dir, 'a.spm'))], [1, 2, 3]);
    assert.deepEqual(readdirSync(dir), ['a.spm']);
  });

  it('a group write that fails while writing changes no target and leaves no temp file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'm.spm'), 'old artifact');
    // The second temp file cannot be written (its folder does not exist): nothing is renamed.
    assert.throws(() => writeFilesAtomic([[join(dir, 'm.spm'), 'new artifact'], [join(dir, 'missing', 'm.dispatch.ts'), 'new dispatch']]),
      (e: unknown) => e instanceof SpcError && e.message === `${join(dir, 'missing', 'm.dispatch.ts')}: cannot write (ENOENT)`);
    assert.equal(readFileSync(join(dir, 'm.spm'), 'utf8'), 'old artifact');
    assert.deepEqual(readdirSync(dir), ['m.spm']);
  });
});
