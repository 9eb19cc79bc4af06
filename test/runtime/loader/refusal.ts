// Helpers for the loader's refusal tests: encode an artifact whose contents lie (skipping the
// writer's load-back check) and read the message of the ArtifactError its load raises.

import { strict as assert } from 'node:assert';
import { encodeArtifact, planArtifact, type ArtifactLayout } from '../../../compiler/emit/artifact.js';
import { ArtifactError, parseArtifact } from '../../../runtime/loader/load.js';
import type { LoadedArtifact } from '../../../runtime/loader/model.js';

/** The message of the ArtifactError loading `bytes` raises; fails the test if it loads. */
export function rejection(bytes: Uint8Array): string {
  try {
    parseArtifact(bytes);
  } catch (e) {
    if (e instanceof ArtifactError) return e.message;
    throw e;
  }
  return assert.fail('the artifact loaded');
}

/** Encodes without the writer's load-back check, so the loader sees the lie; `tamper` edits the layout first. */
export function encodeUnchecked(a: LoadedArtifact, tamper: (layout: ArtifactLayout) => void = () => {}): Uint8Array {
  const layout = planArtifact(a);
  tamper(layout);
  return encodeArtifact(a, layout);
}
