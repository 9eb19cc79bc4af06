// Property: the frontend either loads a corrupted model or rejects it with an SpcError;
// it never crashes with any other error (files are untrusted input).

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SpcError } from '../../../compiler/errors.js';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';

describe('frontend: corrupted models', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'spc-fuzz-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  const original = readFileSync(join(DIGITS_DIR, 'digits_cnn.onnx'));
  // Nodes come first in the serialized graph and inputs/outputs last, with the weights between:
  // aim most edits at the two structural ends.
  const position = fc.oneof(
    fc.nat(Math.min(3000, original.length - 1)),
    fc.integer({ min: Math.max(0, original.length - 1500), max: original.length - 1 }),
    fc.nat(original.length - 1),
  );
  const loadsOrRejects = (bytes: Uint8Array): void => {
    const p = join(dir, 'fuzzed.onnx');
    writeFileSync(p, bytes);
    try {
      loadOnnx(p, {});
    } catch (e) {
      if (!(e instanceof SpcError)) assert.fail(`not an SpcError: ${(e as Error).stack}`);
    }
  };

  it('byte flips never crash the loader', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      (edits) => {
        const bytes = Uint8Array.from(original);
        for (const [at, value] of edits) bytes[at] = value;
        loadsOrRejects(bytes);
      },
    ), { numRuns: 1500, seed: 7 });
  });

  it('truncations never crash the loader', () => {
    fc.assert(fc.property(fc.nat(original.length - 1), (n) => loadsOrRejects(original.subarray(0, n))), { numRuns: 200, seed: 11 });
  });
});
