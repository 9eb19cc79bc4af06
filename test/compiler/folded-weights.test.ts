// A few bytes of ONNX that fold into many bytes of constants (Expand of a scalar, then Adds on
// it): folding stops at its budget and the rest runs at run time, --max-weight-bytes counts
// folded constants, --max-arena-bytes bounds the activations, and the writer's load-back
// refuses, naming the node, what a kernel of the runtime would refuse.

import { strict as assert } from 'node:assert';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { compileBytes } from '../../compiler/compile.js';
import { SpcError } from '../../compiler/errors.js';
import { loadModel, parseArtifact } from '../../runtime/index.js';
import { spc } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

const { onnx } = onnxProto;

const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });

/**
 * c0 = Expand(1, shape), c_i = c_{i-1} + 1 (all foldable), y = x + c_1 + … + c_n at run time:
 * n constants of `shape` from a model of about 60 bytes a node.
 */
function foldingModel(n: number, shape: [number, number]): Uint8Array {
  const nodes: object[] = [
    { name: 'exp', opType: 'Expand', input: ['one', 's'], output: ['c0'] },
  ];
  let acc = 'x';
  for (let i = 1; i <= n; i++) {
    nodes.push({ name: `inc${i}`, opType: 'Add', input: [`c${i - 1}`, 'one'], output: [`c${i}`] });
    nodes.push({ name: `use${i}`, opType: 'Add', input: [acc, `c${i}`], output: [i === n ? 'y' : `a${i}`] });
    acc = `a${i}`;
  }
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'fold', node: nodes, input: [vi('x', shape)], output: [vi('y', shape)],
      initializer: [{ name: 's', dims: [2], dataType: 7, int64Data: shape }, { name: 'one', dims: [], dataType: 1, floatData: [1] }],
    },
  }).finish();
}

/** Bytes of every weight tensor of an artifact, as the loader counts them. */
function weightBytes(artifact: Uint8Array): number {
  return parseArtifact(artifact).tensors.reduce((sum, t) => sum + (t.kind === 'weight' ? t.data!.byteLength : 0), 0);
}

describe('folded constants and the limits', function () {
  this.timeout(300_000);

  it('at the default limits, folding stops at 128 MiB: the rest runs at run time, with the same outputs', async () => {
    // Seven 32 MiB constants (c0 … c6) from 0.4 KB of model: c0 … c3 fold, c4 would bring folding to 160 MiB.
    const model = foldingModel(6, [2048, 4096]);
    assert.ok(model.length < 600, `${model.length} bytes`);
    const r = compileBytes(model, { name: 'fold' });
    assert.deepEqual(r.notes.filter((n) => n.pass === 'fold-constants').map((n) => `${n.node}: ${n.message}`), [
      'inc4: not folded: its output (33554432 bytes) would bring the folded constants to 167772160 bytes, over the 134217728-byte folding budget',
    ]);
    // c1, c2, c3 and the scalar 1 are weights (c0 is dead once c1 folds); inc4 … inc6 and the six uses run.
    assert.equal(weightBytes(r.artifact), 3 * 2 ** 25 + 4);
    assert.deepEqual(r.contents.nodes.map((n) => n.name).join(' '), 'use1 use2 use3 inc4 use4 inc5 use5 inc6 use6');
    // y = x + (2 + 3 + … + 7) elementwise: 27 everywhere for x = 0.
    const m = await loadModel(r.artifact, { wasm: false });
    const { y } = await m.run({ x: new Float32Array(2048 * 4096) });
    const data = y!.data as Float32Array;
    assert.ok(data.every((v) => v === 27), `y[0] = ${data[0]}`);
    m.dispose();
  });

  it('--max-weight-bytes counts folded constants: refused before the fold allocates, naming the node and the flag', () => {
    const model = foldingModel(3, [64, 64]);
    assert.throws(() => compileBytes(model, { name: 'fold', limits: { maxWeightBytes: 40000 } }), (e: Error) => e instanceof SpcError && e.message ===
      "fold: pass 'fold-constants': node 'inc2' (Add): folding its output brings the constants to 49172 bytes, which exceeds the limit of 40000 bytes " +
      '(maxWeightBytes; raise it with --max-weight-bytes (compileFile option limits.maxWeightBytes))');
    const dir = tempDir();
    writeFileSync(join(dir, 'fold.onnx'), model);
    const r = spc('compile', join(dir, 'fold.onnx'), '-o', join(dir, 'out'), '--max-weight-bytes', '40000');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^spc: error: \S*fold\.onnx: pass 'fold-constants': node 'inc2' \(Add\): folding its output brings the constants to 49172 bytes, which exceeds the limit of 40000 bytes \(maxWeightBytes; raise it with --max-weight-bytes/);
    assert.ok(!existsSync(join(dir, 'out')));
  });

  it('--max-arena-bytes refuses a model whose activations need more (exit 1 naming the limit and the flag); a bad value is a usage error', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'fold.onnx'), foldingModel(3, [64, 64]));
    let r = spc('compile', join(dir, 'fold.onnx'), '-o', join(dir, 'out'), '--max-arena-bytes', '20000');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^spc: error: \S*fold\.onnx: the activations need an arena of 32768 bytes, which exceeds the limit of 20000 bytes \(maxArenaBytes; raise it with --max-arena-bytes \(compileFile option limits\.maxArenaBytes\)\)\n$/);
    assert.ok(!existsSync(join(dir, 'out')));
    r = spc('compile', join(dir, 'fold.onnx'), '-o', join(dir, 'out'), '--max-arena-bytes', '0');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--max-arena-bytes '0': expected a whole number from 1 to 4294967296/);
    r = spc('compile', join(dir, 'fold.onnx'), '-o', join(dir, 'out'), '-q', '--max-arena-bytes', '32768');
    assert.equal(r.code, 0, r.stderr);
  });

  it('the writer loads the artifact as loadModel would: a node its kernel refuses is an SpcError naming it, not an artifact that fails at load', () => {
    // auto_pad 'FOO': the shape rules read it as NOTSET, the MaxPool kernels refuse it.
    const model = onnx.ModelProto.encode({
      irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'pool', input: [vi('x', [1, 2, 8, 8])], output: [vi('y', [1, 2, 4, 4])],
        node: [{ name: 'mp', opType: 'MaxPool', input: ['x'], output: ['y'], attribute: [
          { name: 'kernel_shape', type: 7, ints: [2, 2] }, { name: 'strides', type: 7, ints: [2, 2] }, { name: 'auto_pad', type: 3, s: new TextEncoder().encode('FOO') }] }],
      },
    }).finish();
    assert.throws(() => compileBytes(model, { name: 'pool' }), (e: Error) => e instanceof SpcError && e.message ===
      "pool: the runtime cannot run this model: node 'mp' (kernel f32-maxpool-1x4-wasmsimd as f32-maxpool-1x1-js): unknown auto_pad 'FOO'");
  });

  it('a pool window of many taps: the ref kernel refuses its tap table over the bound (a RangeError before), the wasm and js kernels build none', async () => {
    // 1001×1001 outputs × 100×100 taps: 10^10 table entries, from a model with no weights.
    const pool = (k: number, size: number) => onnx.ModelProto.encode({
      irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'pool', input: [vi('x', [1, 1, size, size])], output: [vi('y', [1, 1, size - k + 1, size - k + 1])],
        node: [{ name: 'mp', opType: 'MaxPool', input: ['x'], output: ['y'], attribute: [{ name: 'kernel_shape', type: 7, ints: [k, k] }] }],
      },
    }).finish();
    assert.throws(() => compileBytes(pool(100, 1100), { name: 'pool', targets: ['ref'] }), (e: Error) => e instanceof SpcError && e.message ===
      "pool: the runtime cannot run this model: node 'mp' (kernel any-maxpool-1x1-ref): 1002001 output positions × 10000 kernel taps exceed the 67108864 entries of a window table this kernel may build");
    // The js kernel reads separable row and column windows: no table, and the max is right (x = index).
    const r = compileBytes(pool(3, 6), { name: 'pool', targets: ['js'] });
    const x = Float32Array.from({ length: 36 }, (_, i) => i);
    const { y } = await (await loadModel(r.artifact)).run({ x });
    // Each 3×3 window's max is its bottom-right element: (i + 2) * 6 + (j + 2).
    assert.deepEqual([...(y!.data as Float32Array)], Array.from({ length: 16 }, (_, p) => (Math.floor(p / 4) + 2) * 6 + (p % 4) + 2));
  });
});
