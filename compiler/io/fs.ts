// File output as one step: a group of files (artifact, dispatch module, report, …) is replaced
// whole or not at all, a failure is an SpcError naming the path and the reason, and temp files
// of a killed run are recognised and removed by the next run that writes the same outputs.

import {
  closeSync, copyFileSync, constants, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SpcError } from '../errors.js';
import { fileKind } from './read.js';

export interface OutputFile {
  readonly path: string;
  readonly data: Uint8Array | string;
  /** Create the file's folder (and its parents) when missing; otherwise a missing folder is an error. */
  readonly createFolder?: boolean;
}

// Beside each target, while it is written: `.<name>.spc-tmp-<pid>` (the new bytes) and
// `.<name>.spc-old-<pid>` (a hard link to the previous file, to restore it if a later rename of the
// group fails). The pid tells a later run whether the writer is still alive.
const TEMP = 'spc-tmp';
const BACKUP = 'spc-old';

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

/** Writes `data` to `path` atomically (temp file + fsync + rename in the same folder). */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  writeFilesAtomic([{ path, data }]);
}

/**
 * Writes several files as one step. In order: the paths are checked (no two the same file, no
 * folder in the way, no file where a folder must be), folders created, stale temp files of these
 * outputs removed, every temp file written and synced, each existing target hard-linked to a
 * backup, and only then are the temps renamed into place. A rename failing midway puts the
 * renamed targets back from their backups (or removes them where there was none), so a failure
 * at any step leaves the previous group whole. Signals are handled between event-loop turns, so
 * one arriving during this synchronous call takes effect after it. A SIGKILL during the renames
 * (a few system calls) can leave a mixed group; the next run removes its temps and backups.
 */
export function writeFilesAtomic(files: readonly OutputFile[]): void {
  hookCleanup();
  checkDistinct(files);
  checkOutputs(files);
  for (const f of files) if (f.createFolder) makeFolder(dirname(f.path));
  // Again: a symbolic link to a folder that did not exist before now resolves.
  checkDistinct(files);
  for (const f of files) removeStale(f.path);
  const temps: string[] = [];
  const backups: (string | undefined)[] = [];
  const cleanUp = (): void => {
    for (const p of [...temps, ...backups]) if (p !== undefined) { rmSync(p, { force: true }); pending.delete(p); }
  };
  try {
    for (const f of files) {
      const tmp = sideName(f.path, TEMP, process.pid);
      temps.push(tmp);
      pending.add(tmp);
      writeTemp(tmp, f.path, typeof f.data === 'string' ? new TextEncoder().encode(f.data) : f.data);
    }
    for (const f of files) {
      const backup = keepPrevious(f.path);
      backups.push(backup);
      if (backup !== undefined) pending.add(backup);
    }
  } catch (e) {
    cleanUp();
    throw e;
  }
  for (let i = 0; i < files.length; i++) {
    try {
      renameSync(temps[i]!, files[i]!.path);
    } catch (e) {
      const lost = restore(files.slice(0, i).map((f) => f.path), backups);
      // A backup that could not be put back is the only copy left of that file: kept, and named.
      for (const j of lost) { pending.delete(backups[j]!); backups[j] = undefined; }
      cleanUp();
      throw new SpcError(`${fsReason(files[i]!.path, 'cannot write', e)}${lost.length > 0
        ? `; could not put back ${lost.map((j) => `the previous ${files[j]!.path} (kept as ${sideName(files[j]!.path, BACKUP, process.pid)})`).join(', ')}`
        : '; the previous files are unchanged'}`);
    }
    pending.delete(temps[i]!);
  }
  temps.length = 0;
  cleanUp();
}

function checkDistinct(files: readonly OutputFile[]): void {
  const clash = findCollision(files.map((f) => f.path));
  if (clash) throw new SpcError(`${files[clash[1]]!.path}: the same file as ${files[clash[0]]!.path}, written in the same step`);
}

/**
 * The first two paths naming the same file, as indices, or undefined. Compared by the real path of
 * the folder that exists (a symbolic link or `..` on the way does not hide a clash) and the name.
 */
export function findCollision(paths: readonly string[]): [number, number] | undefined {
  const seen = new Map<string, number>();
  for (let i = 0; i < paths.length; i++) {
    const key = identity(paths[i]!);
    const first = seen.get(key);
    if (first !== undefined) return [first, i];
    seen.set(key, i);
  }
  return undefined;
}

/**
 * Checks, before anything is created or written, what can be seen of each output's place: no
 * folder (or anything but a file) at the path itself, and the nearest existing ancestor a folder;
 * a missing folder is an error unless the output creates it. Run before a long compile too, so a
 * bad path costs nothing; the write step checks again and reports what only it can see (EACCES…).
 */
export function checkOutputs(files: readonly Pick<OutputFile, 'path' | 'createFolder'>[]): void {
  for (const f of files) {
    if (f.path.includes('\0')) throw new SpcError(`${JSON.stringify(f.path)}: cannot write (the path contains a NUL character)`);
    let st;
    try { st = lstatSync(f.path); } catch { st = undefined; }
    if (st?.isDirectory()) throw new SpcError(`${f.path}: cannot write (EISDIR: a folder is in the way)`);
    // Renaming over a device or a FIFO would replace it (as root, /dev/null itself): refused.
    if (st !== undefined && !st.isFile() && !st.isSymbolicLink()) throw new SpcError(`${f.path}: cannot write (it is ${fileKind(st)}, not a regular file)`);
    if (st !== undefined) continue;
    // Up to the nearest ancestor that exists: it must be a folder.
    for (let dir = dirname(f.path); ; dir = dirname(dir)) {
      let d;
      try {
        d = statSync(dir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new SpcError(fsReason(f.path, 'cannot write', e));
        if (code === 'ENOENT' && !f.createFolder) throw new SpcError(`${f.path}: cannot write (ENOENT: no folder ${dir})`);
        if (dirname(dir) === dir) break;
        continue;
      }
      if (!d.isDirectory()) throw new SpcError(`${f.path}: cannot write (ENOTDIR: ${dir} is ${fileKind(d)}, not a folder)`);
      break;
    }
  }
}

/**
 * `path` with the real path of its nearest existing folder, for comparing outputs. The name itself
 * is not resolved: a rename replaces a symbolic link, never the file it points to.
 */
function identity(path: string): string {
  const abs = resolve(path);
  const rest = [basename(abs)];
  for (let dir = dirname(abs); ; dir = dirname(dir)) {
    try {
      return join(realpathSync(dir), ...rest);
    } catch {
      if (dirname(dir) === dir) return abs;
      rest.unshift(basename(dir));
    }
  }
}

/** Creates `dir` and its missing parents one by one (fs.mkdirSync's recursive mode loops forever under /proc on Node 20). */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (statSync(d).isDirectory()) break;
      throw new SpcError(`${dir}: cannot create the folder (ENOTDIR: ${d} is a file, not a folder)`);
    } catch (e) {
      if (e instanceof SpcError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) throw new SpcError(fsReason(dir, 'cannot create the folder', e));
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      // Created meanwhile by another process: fine if it is a folder.
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && isFolder(d)) continue;
      // ENOENT although the parent exists: a file system that takes no new folders (/proc).
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SpcError(`${d}: cannot create the folder (ENOENT: this file system takes no new folders)`);
      throw new SpcError(fsReason(d, 'cannot create the folder', e));
    }
  }
}

function isFolder(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}

/** `.<name>.<kind>-<pid>` beside `path`. */
function sideName(path: string, kind: string, pid: number): string {
  return join(dirname(path), `.${basename(path)}.${kind}-${pid}`);
}

/**
 * Removes temp files and backups of `path` left by writers that are gone (SIGKILL, power loss):
 * those named by this scheme, or by the one before it (`.<name>.<pid>.tmp`), whose pid is not a
 * live process. Best effort: a folder that cannot be listed is left alone.
 */
function removeStale(path: string): void {
  const name = basename(path);
  const dir = dirname(path);
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\.${escaped}\\.(?:(?:${TEMP}|${BACKUP})-(\\d+)|(\\d+)\\.tmp)$`);
  let entries: string[];
  try { entries = readdirSync(dir); } catch { return; }
  for (const entry of entries) {
    const m = pattern.exec(entry);
    if (!m) continue;
    const pid = Number(m[1] ?? m[2]);
    // This process's own leftovers (a pid reused from a dead writer) are removed too: they are not in use.
    if (pid !== process.pid && alive(pid)) continue;
    rmSync(join(dir, entry), { force: true });
  }
}

function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes and syncs a new temp file; O_EXCL, so a link planted at its name is never followed. */
function writeTemp(tmp: string, target: string, bytes: Uint8Array): void {
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
  } catch (e) {
    throw new SpcError(fsReason(target, 'cannot write', e));
  }
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    throw new SpcError(fsReason(target, 'cannot write', e));
  } finally {
    closeSync(fd);
  }
}

/** A backup of the file at `path` (a hard link, else a copy), or undefined when there is none. */
function keepPrevious(path: string): string | undefined {
  try { lstatSync(path); } catch { return undefined; }
  const backup = sideName(path, BACKUP, process.pid);
  try {
    linkSync(path, backup);
  } catch (e) {
    // No hard links on this file system: a copy does as well.
    try { copyFileSync(path, backup, constants.COPYFILE_EXCL); } catch { throw new SpcError(fsReason(path, 'cannot keep the previous file while writing', e)); }
  }
  return backup;
}

/**
 * Puts back each renamed path from its backup (or removes it where there was no previous file);
 * returns the indices of those it could not.
 */
function restore(renamed: readonly string[], backups: readonly (string | undefined)[]): number[] {
  const lost: number[] = [];
  renamed.forEach((path, i) => {
    const backup = backups[i];
    try {
      if (backup !== undefined) renameSync(backup, path);
      else rmSync(path, { force: true });
    } catch {
      lost.push(i);
    }
  });
  return lost;
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system',
  ENOTDIR: 'a folder on the path is a file', EISDIR: 'a folder is in the way', ENOENT: 'no such folder',
  ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links', EEXIST: 'a file is in the way', EBUSY: 'busy', EIO: 'input/output error',
};

/** `path: action (CODE: reason)` for a failed file-system call. */
export function fsReason(path: string, action: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === undefined) return `${path}: ${action} (${(e as Error).message ?? String(e)})`;
  return `${path}: ${action} (${code}${REASONS[code] ? `: ${REASONS[code]}` : ''})`;
}
