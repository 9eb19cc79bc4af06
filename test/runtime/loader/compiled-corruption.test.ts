// Single-byte corruption of artifacts the compiler writes (corruption.test.ts does the same on
// hand-built ones): every byte position of small compiled artifacts (one per packed format)
// and sampled positions of the corpus models' artifacts. Each damaged file is refused with an
// ArtifactError (the checksum); with the checksum recomputed, the structure checks behind it
// load it or refuse it with an ArtifactError. Nothing else is ever thrown, and no case runs long.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import onnxProto from 'onnx-proto';
import { compileFile } from '../../../compiler/compile.js';
import type { CompileOptions } from '../../../compiler/compile.js';
import { ArtifactError, parseArtifact } from '../../../runtime/loader/load.js';
import { HEADER_FIELDS } from '../../../runtime/loader/format.js';
import { DIGITS_DIR, MODELS_DIR } from '../../helpers/corpus.js';
import { fixChecksum } from './sample-artifact.js';
import { writeMaskedAttention } from '../../helpers/sequence-models.js';

const { onnx } = onnxProto;

/** A loader call far beyond this is a hang, not noise: a parse takes well under a millisecond per KB. */
const HANG_MS = 5000;

type Verdict = 'loaded' | 'rejected';

/** Loads `bytes`; an ArtifactError is 'rejected', any other exception or a case over HANG_MS fails with `label`. */
function load(bytes: Uint8Array, label: () => string): Verdict {
  const started = performance.now();
  let verdict: Verdict = 'loaded';
  try {
    parseArtifact(bytes);
  } catch (e) {
    if (!(e instanceof ArtifactError)) assert.fail(`${label()}: threw ${e instanceof Error ? e.stack : String(e)}`);
    assert.ok(e.message.length > 0 && e.message.length < 600, `${label()}: message of ${e.message.length} characters`);
    verdict = 'rejected';
  }
  const ms = performance.now() - started;
  assert.ok(ms < HANG_MS, `${label()}: ${ms.toFixed(0)} ms`);
  return verdict;
}

/** x[1,32] → Gemm 32×32 (+bias, Relu) → MatMul 32×16: small enough to sweep every byte. */
function tinyModel(): Uint8Array {
  const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const w = (name: string, dims: number[], seed: number) => ({
    name, dims, dataType: 1, floatData: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 12.9898 + seed)),
  });
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny',
      node: [
        { name: 'fc1', opType: 'Gemm', input: ['x', 'w1', 'b1'], output: ['h'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
        { name: 'relu', opType: 'Relu', input: ['h'], output: ['r'] },
        { name: 'fc2', opType: 'MatMul', input: ['r', 'w2'], output: ['y'] },
      ],
      initializer: [w('w1', [32, 32], 1), w('b1', [32], 2), w('w2', [32, 16], 3)],
      input: [vi('x', [1, 32])], output: [vi('y', [1, 16])],
    },
  }).finish();
}

describe('compiled artifact corruption', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'spc-corrupt-')); writeFileSync(join(dir, 'tiny.onnx'), tinyModel()); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  // The ref target keeps every packed format (faster targets may run these small layers dense).
  const small: [string, CompileOptions, string | undefined][] = [
    ['dense', {}, undefined],
    ['2:4 (nm)', { pattern: '2:4', minParams: 0, targets: ['ref'] }, 'nm'],
    ['unstructured (csr)', { pattern: 'unstructured', sparsity: 0.75, minParams: 0, targets: ['ref'] }, 'csr'],
    ['block:4x1 (bsr)', { pattern: 'block:4x1', sparsity: 0.75, minParams: 0, targets: ['ref'] }, 'bsr'],
  ];
  for (const [label, options, format] of small) {
    it(`tiny model, ${label}: every byte position, xor 0xff and 0x01, is refused; xor 0xff with the checksum fixed loads or is refused`, () => {
      const { artifact, contents } = compileFile(join(dir, 'tiny.onnx'), options);
      // Packed in the pattern's format (2:4 also prunes the final layer by default: two nm weights).
      const formats = contents.tensors.filter((t) => t.packed).map((t) => t.packed!.format);
      if (format) assert.ok(formats.length >= 1 && formats.every((f) => f === format), formats.join(', '));
      assert.equal(load(artifact, () => 'untouched'), 'loaded');
      let refusedByStructure = 0;
      for (let i = 0; i < artifact.length; i++) {
        for (const mask of [0xff, 0x01]) {
          const bad = artifact.slice();
          bad[i]! ^= mask;
          assert.equal(load(bad, () => `${label}: byte ${i} ^ 0x${mask.toString(16)}`), 'rejected', `${label}: byte ${i} ^ 0x${mask.toString(16)} loaded`);
          // Bytes 0..11 hold the magic, the container version and the checksum itself.
          if (mask === 0xff && i >= HEADER_FIELDS.crc + 4 && load(fixChecksum(bad), () => `${label}: byte ${i} ^ 0x${mask.toString(16)}, checksum fixed`) === 'rejected') refusedByStructure++;
        }
      }
      // The structure checks must be doing real work, not just the checksum.
      assert.ok(refusedByStructure > artifact.length / 20, `only ${refusedByStructure} of ${artifact.length} refused by structure checks`);
    });
  }

  it('shape buckets (a masked attention layer, buckets 2 and 4): every byte position xor 0xff is refused; with the checksum fixed it loads or is refused', () => {
    const { artifact, contents } = compileFile(writeMaskedAttention(dir, 'attn', 4), { inputShapes: { x: [[1, 2, 4], [1, 4, 4]], mask: [[1, 2], [1, 4]] } });
    assert.equal(contents.shapeBuckets?.plans.length, 1);
    assert.equal(load(artifact, () => 'untouched'), 'loaded');
    let refusedByStructure = 0;
    for (let i = 0; i < artifact.length; i++) {
      const bad = artifact.slice();
      bad[i]! ^= 0xff;
      assert.equal(load(bad, () => `byte ${i}`), 'rejected', `byte ${i} ^ 0xff loaded`);
      if (i >= HEADER_FIELDS.crc + 4 && load(fixChecksum(bad), () => `byte ${i}, checksum fixed`) === 'rejected') refusedByStructure++;
    }
    assert.ok(refusedByStructure > artifact.length / 20, `only ${refusedByStructure} of ${artifact.length} refused by structure checks`);
  });

  const corpus: [string, string, CompileOptions][] = [
    ['digits_cnn 2:4', join(DIGITS_DIR, 'digits_cnn.onnx'), { pattern: '2:4' }],
    ['digits_mlp unstructured 0.9', join(DIGITS_DIR, 'digits_mlp.onnx'), { pattern: 'unstructured', sparsity: 0.9 }],
    ['mlp3 block:4x1 0.75', join(MODELS_DIR, 'mlp3.onnx'), { pattern: 'block:4x1', sparsity: 0.75 }],
    ['transformer_enc2 dense', join(MODELS_DIR, 'transformer_enc2.onnx'), {}],
  ];
  for (const [label, path, options] of corpus) {
    it(`${label}: 100 sampled positions (most in the FlatBuffer) are refused, and load or are refused with the checksum fixed`, () => {
      const { artifact } = compileFile(path, options);
      const fbEnd = 32 + new DataView(artifact.buffer, artifact.byteOffset).getUint32(HEADER_FIELDS.flatbufferLength, true);
      const position = fc.oneof(fc.integer({ min: 12, max: fbEnd - 1 }), fc.integer({ min: 12, max: fbEnd - 1 }), fc.integer({ min: 12, max: artifact.length - 1 }));
      fc.assert(fc.property(position, fc.integer({ min: 1, max: 255 }), (i, mask) => {
        const bad = artifact.slice();
        bad[i]! ^= mask;
        assert.equal(load(bad, () => `${label}: byte ${i} ^ ${mask}`), 'rejected');
        load(fixChecksum(bad), () => `${label}: byte ${i} ^ ${mask}, checksum fixed`);
      }), { numRuns: 100, seed: 3 });
    });
  }
});
