// Atomic file output: a write either replaces every target or none, and leaves no temp file.

import { strict as assert } from 'node:assert';
import fs, { readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
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
    assert.throws(() => writeFilesAtomic([{ path: join(dir, 'm.spm'), data: 'new artifact' }, { path: join(dir, 'missing', 'm.dispatch.ts'), data: 'new dispatch' }]),
      (e: unknown) => e instanceof SpcError && e.message === `${join(dir, 'missing', 'm.dispatch.ts')}: cannot write (ENOENT: no folder ${join(dir, 'missing')})`);
    assert.equal(readFileSync(join(dir, 'm.spm'), 'utf8'), 'old artifact');
    assert.deepEqual(readdirSync(dir), ['m.spm']);
  });

  it('a rename failing midway puts back every target already renamed: the previous group stays whole', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'm.spm'), 'old artifact');
    writeFileSync(join(dir, 'm.dispatch.ts'), 'old dispatch');
    // The third rename fails (as one racing with another writer, or refused by the file system,
    // would): the first two targets are already replaced by then.
    const rename = fs.renameSync;
    let calls = 0;
    fs.renameSync = (from: fs.PathLike, to: fs.PathLike): void => {
      if (++calls === 3) throw Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' });
      rename(from, to);
    };
    syncBuiltinESMExports();
    try {
      assert.throws(() => writeFilesAtomic([
        { path: join(dir, 'm.spm'), data: 'new artifact' }, { path: join(dir, 'm.dispatch.ts'), data: 'new dispatch' },
        { path: join(dir, 'r.html'), data: 'new report' }, { path: join(dir, 'new.onnx'), data: 'new onnx' },
      ]), (e: unknown) => e instanceof SpcError && e.message === `${join(dir, 'r.html')}: cannot write (EPERM: operation not permitted); the previous files are unchanged`);
    } finally {
      fs.renameSync = rename;
      syncBuiltinESMExports();
    }
    assert.equal(readFileSync(join(dir, 'm.spm'), 'utf8'), 'old artifact');
    assert.equal(readFileSync(join(dir, 'm.dispatch.ts'), 'utf8'), 'old dispatch');
    assert.deepEqual(readdirSync(dir).sort(), ['m.dispatch.ts', 'm.spm'], 'a temp file or backup was left');
  });

  it('two paths naming one file (through .. or a symbolic link) are refused before anything is written', () => {
    const dir = tempDir();
    symlinkSync(dir, join(dir, 'link'));
    for (const other of [join(dir, 'x', '..', 'm.spm'), join(dir, 'link', 'm.spm')]) {
      assert.throws(() => writeFilesAtomic([{ path: join(dir, 'm.spm'), data: 'a' }, { path: other, data: 'b' }]),
        (e: unknown) => e instanceof SpcError && e.message === `${other}: the same file as ${join(dir, 'm.spm')}, written in the same step`);
    }
    assert.deepEqual(readdirSync(dir), ['link']);
  });

  it('a device at the path is refused, not replaced (root would replace /dev/null itself)', function () {
    if (!statSync('/dev/null', { throwIfNoEntry: false })?.isCharacterDevice()) this.skip(); // no /dev/null here
    assert.throws(() => writeFileAtomic('/dev/null', 'x'),
      (e: unknown) => e instanceof SpcError && e.message === '/dev/null: cannot write (it is a character device, not a regular file)');
    assert.ok(statSync('/dev/null').isCharacterDevice());
  });
});
