// Reading user-named input files, bounded: only regular files (a FIFO, /dev/zero or a socket
// is refused, never waited on or read forever), never more bytes than the caller's cap, and
// never more than the size fstat gave when the file was opened.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { BigIntStats, Stats } from 'node:fs';
import { SpcError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';

/** Caps on what a file may hold, by kind of input. */
export const READ_CAPS = {
  /** Protobuf messages are limited to 2 GiB; larger ONNX models keep weights in external data. */
  onnxModel: 2 ** 31 - 1,
  /** An .spm artifact's sections have u32 lengths. */
  artifact: 2 ** 32 - 1,
  /** JSON the user writes or spc generates (--config, --profile): far above any real one. */
  json: 64 * 2 ** 20,
  /** A tensor file (.npy, .pb): the largest tensor of the default limits, 8 bytes an element, and its header. */
  tensorFile: DEFAULT_LIMITS.maxTensorElements * 8 + 2 ** 20,
} as const;

/** An open regular file: its descriptor and its size when opened. */
export interface OpenFile {
  readonly fd: number;
  readonly size: number;
}

/** What a non-regular file is, for messages: 'a folder', 'a FIFO (named pipe)', … */
export function fileKind(st: Stats | BigIntStats): string {
  return st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO (named pipe)' : st.isCharacterDevice() ? 'a character device'
    : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : st.isFile() ? 'a file' : 'an unknown kind of file';
}

// Non-blocking: opening a FIFO with no writer must not wait (fstat then refuses it); no
// controlling terminal from a tty device. Windows has neither flag.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * The one checked open of every input file: opens `path` for reading (with `extraFlags`, e.g.
 * O_NOFOLLOW) and checks on the open descriptor that it is a regular file. Returns the descriptor
 * and its stats; otherwise throws an SpcError whose message is the reason alone (the caller names
 * the file).
 */
export function openChecked(path: string, extraFlags = 0): { readonly fd: number; readonly stats: BigIntStats } {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS | extraFlags);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // With O_NOFOLLOW a symbolic link as the last component fails with ELOOP (EMLINK on FreeBSD).
    if ((code === 'ELOOP' || code === 'EMLINK') && extraFlags & (constants.O_NOFOLLOW ?? 0)) throw new SpcError('it is a symbolic link, which spc does not follow (it may point outside the model\'s directory)');
    throw new SpcError(code === 'ENOENT' ? 'no such file' : code === 'ENOTDIR' ? `a folder on its path is a file (${code})` : code === 'EACCES' ? `permission denied (${code})` : `cannot read it (${code ?? String(e)})`);
  }
  try {
    const stats = fstatSync(fd, { bigint: true });
    if (!stats.isFile()) throw new SpcError(`it is ${fileKind(stats)}, not a regular file`);
    return { fd, stats };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Opens `path` for reading, a regular file (openChecked); errors say `label`. */
export function openRegular(path: string, label: string = path): OpenFile {
  try {
    const { fd, stats } = openChecked(path);
    return { fd, size: Number(stats.size) };
  } catch (e) {
    if (e instanceof SpcError) throw new SpcError(`${label}: ${e.message}`);
    throw e;
  }
}

/** `length` bytes at `offset` (fewer if the file is shorter now than it was). */
export function readAt(file: OpenFile, offset: number, length: number, label: string): Uint8Array {
  const buf = new Uint8Array(length);
  let got = 0;
  try {
    while (got < length) {
      const n = readSync(file.fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
  } catch (e) {
    throw new SpcError(`${label}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return got === length ? buf : buf.subarray(0, got);
}

/** The whole of a regular file of at most `maxBytes` bytes; errors say `label` (default: the path). */
export function readBounded(path: string, maxBytes: number, label: string = path): Uint8Array {
  const file = openRegular(path, label);
  try {
    if (file.size > maxBytes) throw new SpcError(`${label}: ${file.size} bytes, more than the ${maxBytes} bytes spc reads for this input`);
    return readAt(file, 0, file.size, label);
  } finally {
    closeSync(file.fd);
  }
}
