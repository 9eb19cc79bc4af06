// Property: the frontend either loads a corrupted model or rejects it with an SpcError, and the
// whole compiler either compiles a mutated model or rejects it with an SpcError naming the file;
// neither ever fails with any other error (files are untrusted input).

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SpcError } from '../../../compiler/errors.js';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import { CORPUS, DIGITS_DIR } from '../../helpers/corpus.js';
import { compileCase, OPTION_PRESETS, seedModels } from '../../../scripts/fuzz/compile-case.js';
import { mutateModel, mutationsArb } from '../../../scripts/fuzz/mutate-onnx.js';

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

// The whole compiler on fuzzed models (the same mutations and compile options as `npm run fuzz`):
// every corpus model and a sample of the ONNX node-test models either compiles or throws an
// SpcError. A few hundred cases here; `npm run fuzz` runs thousands.
describe('compile: fuzzed corpus models', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'spc-fuzz-compile-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  const seeds = seedModels(CORPUS);
  const corpusModels = seeds.filter((s) => !s.name.startsWith('onnx-node-tests/'));
  const nodeTests = seeds.filter((s) => s.name.startsWith('onnx-node-tests/'));
  const outcomes: Record<string, number> = { compiled: 0, rejected: 0 };

  const compilesOrRejects = (bytes: Uint8Array, preset: number, what: string): void => {
    const r = compileCase(bytes, preset, dir);
    if (r.outcome === 'crashed') assert.fail(`${what}: not an SpcError: ${r.message}`);
    assert.ok(r.outcome === 'compiled' || /^\S*fuzzed\.onnx: \S/.test(r.message ?? ''), `${what}: message does not name the file: ${r.message}`);
    outcomes[r.outcome]!++;
  };

  for (const seed of corpusModels) {
    // A 224×224 CNN costs up to a second a compile: fewer cases on the big ones.
    const runs = seed.weight > 4 ? 40 : 20;
    it(`${seed.name}: ${runs} mutated models compile or throw SpcError`, () => {
      const original = new Uint8Array(readFileSync(seed.path));
      fc.assert(fc.property(mutationsArb, fc.nat(OPTION_PRESETS.length - 1), (mutations, preset) => {
        compilesOrRejects(mutateModel(original, mutations), preset, `${seed.name} ${JSON.stringify(mutations)} preset ${preset}`);
      }), { numRuns: runs, seed: 42 });
    });
  }

  it('200 mutated ONNX node-test models compile or throw SpcError', () => {
    fc.assert(fc.property(fc.nat(nodeTests.length - 1), mutationsArb, fc.nat(OPTION_PRESETS.length - 1), (pick, mutations, preset) => {
      const seed = nodeTests[pick]!;
      compilesOrRejects(mutateModel(new Uint8Array(readFileSync(seed.path)), mutations), preset, `${seed.name} ${JSON.stringify(mutations)} preset ${preset}`);
    }), { numRuns: 200, seed: 43 });
  });

  it('the cases exercised both outcomes', () => {
    // Mutations that never get past the decoder, or never break anything, would test little.
    assert.ok(outcomes.compiled! >= 10 && outcomes.rejected! >= 100, JSON.stringify(outcomes));
  });
});
