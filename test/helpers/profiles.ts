// Kernel profiles the tests pin: the shipped profile with a kernel family's measured entries removed,
// so that family is priced by its priors (and loses to dense). Tests of the storage codec need a
// dense kernel reading packed storage, which the shipped profile may no longer choose anywhere.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProfile, getDefaultProfile, makeProfile, type KernelProfile, type ProfileEntry } from '../../compiler/analysis/profile.js';

/** The shipped profile without the entries whose key matches `drop`. */
export function shippedProfileWithout(drop: RegExp, name: string): KernelProfile {
  return makeProfile([...getDefaultProfile().entries.values()].filter((e) => !drop.test(e.key)), name);
}

/** Without any N:M kernel's entries: every plain 2:4 layer runs a dense kernel over its expanded nm weight. */
export const NO_NM = /^f32-(conv|gemm|matmul)nm-/;
/** Without the N:M Gemm/MatMul kernels' entries: N:M convs still run packed, 2:4 Gemm layers run dense over nm storage. */
export const NO_NM_GEMM = /^f32-(gemm|matmul)nm-/;

/** shippedProfileWithout as a profile file in `dir`, for `spc compile --profile`. */
export function writeShippedProfileWithout(dir: string, drop: RegExp, name: string): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, formatProfile([...shippedProfileWithout(drop, name).entries.values()], `test profile: the shipped one without ${drop.source}`));
  return file;
}

/**
 * The shipped profile with the int8 ops' @elements entries replaced: the group-1 (4x8) and grouped
 * (1x8) int8 convs at `conv4x8` (undefined: no entry) and `conv1x8` ns per multiply-add, Q/DQ free, no per-call cost; so
 * which layers --quantize int8 turns int8 is fixed by the test, not by the shipped timings;
 * `extra` entries replace any of these or the shipped ones.
 */
export function int8Priced(conv4x8: number | undefined, conv1x8: number, extra: readonly ProfileEntry[] = []): KernelProfile {
  const entry = (family: string, nsPerUnit: number) => ({ key: `${family}@elements`, nsPerCall: 0, nsPerUnit, points: 1 });
  const ours = [entry('i8-qlinearconv-1x8-wasmsimd', conv1x8), entry('f32-quantizelinear-1x16-wasmsimd', 0), entry('i8-dequantizelinear-1x16-wasmsimd', 0),
    ...(conv4x8 === undefined ? [] : [entry('i8-qlinearconv-4x8-wasmsimd', conv4x8)])].filter((e) => !extra.some((x) => x.key === e.key)).concat(extra);
  const keys = new Set([...ours.map((e) => e.key), 'i8-qlinearconv-4x8-wasmsimd@elements']);
  return makeProfile([...[...getDefaultProfile().entries.values()].filter((e) => !keys.has(e.key)), ...ours], 'int8-priced');
}
