// File output that never leaves a half-written file: write a temp file beside the target,
// then rename it into place. Temp files of a failed or interrupted run are removed.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SpcError } from '../errors.js';

const pending = new Set<string>();
let hooked = false;

function hookCleanup(): void {
  if (hooked) return;
  hooked = true;
  const clean = (): void => { for (const p of pending) rmSync(p, { force: true }); pending.clear(); };
  process.on('exit', clean);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => { clean(); process.exit(sig === 'SIGINT' ? 130 : 143); });
  }
}

/** Writes `data` to `path` atomically (temp file + fsync + rename in the same directory). */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  writeFilesAtomic([[path, data]]);
}

/**
 * Writes several files as one step: every temp file is written and synced first, and only
 * when all succeeded are they renamed into place, so a failure while writing (a full disk)
 * leaves the old files, never a new artifact beside an old dispatch module. Signals are
 * handled between event-loop turns, so one arriving during this synchronous call takes
 * effect after the renames (and its handler removes nothing but temp files).
 */
export function writeFilesAtomic(files: readonly (readonly [string, Uint8Array | string])[]): void {
  hookCleanup();
  const temps: string[] = [];
  let current = '';
  try {
    for (const [path, data] of files) {
      current = path;
      const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      pending.add(tmp);
      temps.push(tmp);
      const fd = openSync(tmp, 'w');
      try {
        const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
        let off = 0;
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    files.forEach(([path], i) => { current = path; renameSync(temps[i]!, path); });
  } catch (e) {
    for (const tmp of temps) rmSync(tmp, { force: true });
    // A folder that does not exist, a full disk, no permission: the user's to fix, so an SpcError naming the file.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new SpcError(`${current}: cannot write (${code})`);
    throw e;
  } finally {
    for (const tmp of temps) pending.delete(tmp);
  }
}
