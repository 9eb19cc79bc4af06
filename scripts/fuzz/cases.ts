// The fuzz campaign's cases, each reproducible from (seed, index) alone: which corpus model,
// which compile options and which mutations (ONNX); which artifact, which structure-aware edits
// of its decoded contents and which byte edits (.spm).

import fc from 'fast-check';
import { crc32 } from '../../runtime/loader/crc32.js';
import { CRC_START, HEADER_FIELDS } from '../../runtime/loader/format.js';
import { mutationsArb } from './mutate-onnx.js';
import type { Mutation } from './mutate-onnx.js';
import { artifactMutationsArb, mutateArtifactStructure } from './mutate-artifact.js';
import type { ArtifactMutation } from './mutate-artifact.js';
import { OPTION_PRESETS } from './compile-case.js';

export interface OnnxCase {
  /** Picks the seed model (weighted, see pickSeed). */
  readonly model: number;
  readonly preset: number;
  readonly mutations: Mutation[];
}

const onnxCaseArb: fc.Arbitrary<OnnxCase> = fc.record({
  model: fc.nat(),
  preset: fc.nat(OPTION_PRESETS.length - 1),
  mutations: mutationsArb,
});

function caseSeed(seed: number, index: number): number {
  return (seed * 1_000_003 + index * 7_919) | 0;
}

/** ONNX case `index` of campaign `seed`. */
export function onnxCase(seed: number, index: number): OnnxCase {
  return fc.sample(onnxCaseArb, { seed: caseSeed(seed, index), numRuns: 1 })[0]!;
}

export type ByteEdit = { readonly at: number; readonly op: 'xor' | 'set' | 'insert' | 'truncate'; readonly value: number };

export interface ArtifactCase {
  readonly artifact: number;
  /** Structure-aware edits (mutate-artifact.ts), re-encoded with a valid checksum; applied before the byte edits. */
  readonly structure: ArtifactMutation[];
  readonly edits: ByteEdit[];
  /** Recompute the header checksum after editing, so the structure checks behind it are what is tested. */
  readonly fixChecksum: boolean;
}

const byteEditsArb = (minLength: number, maxLength: number): fc.Arbitrary<ByteEdit[]> => fc.array(fc.record({
  at: fc.nat(),
  op: fc.constantFrom('xor' as const, 'set' as const, 'set' as const, 'xor' as const, 'insert' as const, 'truncate' as const),
  value: fc.integer({ min: 1, max: 255 }),
}), { minLength, maxLength });

/** Half the cases edit the structure only (every field reaches the loader's semantic checks), a quarter bytes only, a quarter both. */
const artifactCaseArb: fc.Arbitrary<ArtifactCase> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ artifact: fc.nat(), structure: artifactMutationsArb, edits: fc.constant<ByteEdit[]>([]), fixChecksum: fc.constant(true) }) },
  { weight: 1, arbitrary: fc.record({ artifact: fc.nat(), structure: fc.constant<ArtifactMutation[]>([]), edits: byteEditsArb(1, 4), fixChecksum: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ artifact: fc.nat(), structure: artifactMutationsArb, edits: byteEditsArb(1, 2), fixChecksum: fc.boolean() }) },
);

export function artifactCase(seed: number, index: number): ArtifactCase {
  return fc.sample(artifactCaseArb, { seed: caseSeed(seed, index) ^ 0x5bd1e995, numRuns: 1 })[0]!;
}

/**
 * Applies the structure edits, then the byte edits (positions modulo the length) and, if asked,
 * recomputes the checksum. Undefined when the writer cannot encode the structure edits.
 */
export function mutateArtifact(bytes: Uint8Array, c: ArtifactCase): Uint8Array | undefined {
  const structured = c.structure.length > 0 ? mutateArtifactStructure(bytes, c.structure) : bytes;
  if (structured === undefined) return undefined;
  let out = Uint8Array.from(structured);
  for (const e of c.edits) {
    if (out.length === 0) break;
    const at = e.at % out.length;
    if (e.op === 'xor') out[at]! ^= e.value;
    else if (e.op === 'set') out[at] = e.value;
    else if (e.op === 'truncate') out = out.slice(0, at);
    else {
      const longer = new Uint8Array(out.length + 1);
      longer.set(out.subarray(0, at));
      longer[at] = e.value;
      longer.set(out.subarray(at), at + 1);
      out = longer;
    }
  }
  if (c.fixChecksum && out.length >= CRC_START) {
    new DataView(out.buffer, out.byteOffset).setUint32(HEADER_FIELDS.crc, crc32(out, CRC_START), true);
  }
  return out;
}
