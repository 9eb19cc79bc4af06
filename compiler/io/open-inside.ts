// Opening a file that untrusted input names relative to a folder (an ONNX model's external data):
// the path must stay inside the folder and name a regular file. Every check that matters is made
// on the open descriptor, so swapping the file between a check and the open gains nothing.

import { closeSync, constants, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { SpcError } from '../errors.js';
import { openChecked } from './read.js';

export interface OpenInsideOptions {
  /**
   * Read a file with more than one hard link. Off by default: a hard link made inside the folder
   * can name a file that lies outside it, which no path check can see (as ONNX's loader refuses).
   */
  readonly allowHardlinks?: boolean;
}

/** An open regular file: read it with readSync(fd, …) and close it; `size` is its fstat size. */
export interface InsideFile { readonly fd: number; readonly size: number }

// Opened by io/read.ts's openChecked (one open for every input file: non-blocking, regular files
// only) with O_NOFOLLOW added. Windows has no O_NOFOLLOW: there the real-path check below is what
// confines the file.

/**
 * Opens `location` (relative to `dir`) for reading. Refuses, with an SpcError whose message is the
 * reason (the caller names the file it came from): absolute paths, paths that leave `dir` by `..`
 * or through a symbolic link, a symbolic link as the file itself, anything but a regular file
 * (FIFO, folder, device, socket), and, unless allowed, a file with several hard links.
 */
export function openInside(dir: string, location: string, options: OpenInsideOptions = {}): InsideFile {
  if (location.includes('\0')) throw new SpcError('the location contains a NUL character');
  if (isAbsolute(location) || /^[a-zA-Z]:/.test(location) || location.startsWith('\\')) {
    throw new SpcError('the location must be relative to the model\'s directory');
  }
  const base = resolve(dir);
  const path = resolve(base, location);
  if (!inside(base, path)) throw new SpcError('the location escapes the model\'s directory');
  const { fd, stats: st } = openChecked(path, constants.O_NOFOLLOW ?? 0);
  try {
    if (st.nlink > 1n && !options.allowHardlinks) {
      throw new SpcError(`it has ${st.nlink} hard links, and another name may lie outside the model's directory (spc compile --allow-external-hardlinks reads it)`);
    }
    // A folder on the way may be a symbolic link: the file's real path must lie inside the folder's
    // real path, and be the very file that is open (same device and inode), whatever was renamed since.
    let real: string;
    try {
      real = realpathSync(path);
    } catch (e) {
      throw new SpcError(`it was moved while being opened (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    if (!inside(realpathSync(base), real)) throw new SpcError('the location escapes the model\'s directory through a symbolic link');
    const named = statSync(real, { bigint: true });
    if (named.dev !== st.dev || named.ino !== st.ino) throw new SpcError('it was replaced while being opened');
    return { fd, size: Number(st.size) };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** `path` lies strictly inside `dir` (both absolute). */
function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
}
