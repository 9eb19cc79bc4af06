// File output that never leaves a half-written file: write a temp file beside the target,
// then rename it into place. Temp files of a failed or interrupted run are removed.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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
  hookCleanup();
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  pending.add(tmp);
  try {
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    pending.delete(tmp);
  }
}
