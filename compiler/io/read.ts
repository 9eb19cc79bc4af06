// Reading user-named input files, bounded: only regular files (a FIFO, /dev/zero or a socket
// is refused, never waited on or read forever), never more bytes than the caller's cap, and
// never more than the size fstat gave when the file was opened.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
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

/** Opens `path` for reading and checks on the open descriptor that it is a regular file; errors say `label`. */
export function openRegular(path: string, label: string = path): OpenFile {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not wait; fstat then refuses it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpcError(`${label}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`}`);
  }
  const st = fstatSync(fd);
  if (st.isFile()) return { fd, size: st.size };
  closeSync(fd);
  throw new SpcError(`${label}: ${st.isDirectory() ? 'is a folder, expected a file' : 'is not a regular file (a device, FIFO or socket)'}`);
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
