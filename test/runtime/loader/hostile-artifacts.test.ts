// Artifacts that parse but lie, built as an attacker would: compile a real model, change the
// decoded contents, re-encode with a correct checksum (reencodeArtifact). Each is refused at
// load with the exact error: a RunError naming the node before any kernel code runs (a wrong
// rank, dtype, shape or kernel; a nonsense window), or an ArtifactError naming the two tensors
// of an overlapping memory plan. Every corpus model's real plan loads.

import { strict as assert } from 'node:assert';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import { reencodeArtifact } from '../../../compiler/emit/artifact.js';
import { ArtifactError, loadModel, parseArtifact, RunError } from '../../../runtime/index.js';
import type { SpaceFactory } from '../../../runtime/executor/bind.js';
import { bindArtifact } from '../../../runtime/executor/bind.js';
import { createWasmSpace } from '../../../runtime/kernels/wasm/env.js';
import { defaultRegistry } from '../../../runtime/kernels/index.js';
import type { LoadedArtifact, LoadedNode, LoadedTensor } from '../../../runtime/loader/model.js';
import { DIGITS_DIR, MODELS_DIR, REAL_DIR, REAL_MODELS, realPins } from '../../helpers/corpus.js';
import { spc } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/files.js';

const withTensor = (a: LoadedArtifact, i: number, change: Partial<LoadedTensor>): LoadedArtifact =>
  ({ ...a, tensors: a.tensors.map((t, k) => (k === i ? { ...t, ...change } : t)) });
const withNode = (a: LoadedArtifact, i: number, change: (n: LoadedNode) => Partial<LoadedNode>): LoadedArtifact =>
  ({ ...a, nodes: a.nodes.map((n, k) => (k === i ? { ...n, ...change(n) } : n)) });

/** The error loadModel throws (with wasm as given), or a failure when it loads. */
async function loadError(bytes: Uint8Array, wasm: boolean): Promise<Error> {
  try {
    await loadModel(bytes, { wasm });
  } catch (e) {
    return e as Error;
  }
  return assert.fail('the artifact loaded');
}

describe('hostile artifacts that parse', function () {
  this.timeout(300_000);
  // digits_cnn: 0 input [1,1,8,8] → conv1 (3) → conv2 (6) → MaxPool (7) → Flatten (8) → fc1 (11) → fc2 → logits (14).
  let cnn: Uint8Array;
  // digits_mlp: 0 input [1,64] → three Gemms.
  let mlp: Uint8Array;
  before(() => {
    cnn = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx')).artifact;
    mlp = compileFile(join(DIGITS_DIR, 'digits_mlp.onnx')).artifact;
  });

  it('the nodes the cases edit are where the cases expect them', () => {
    const c = parseArtifact(cnn);
    assert.deepEqual(c.nodes.map((n) => `${n.op} ${n.kernel}`), [
      'Conv f32-conv-relu-4x8-wasmsimd', 'Conv f32-conv-relu-4x8-wasmsimd', 'MaxPool f32-maxpool-1x4-wasmsimd',
      'Flatten any-flatten-1x1-js', 'Gemm f32-gemm-relu-4x8-wasmsimd', 'Gemm f32-gemm-4x8-wasmsimd']);
    assert.deepEqual([c.tensors[7]!.shape, c.tensors[8]!.shape], [[1, 32, 4, 4], [1, 512]]);
    assert.deepEqual(parseArtifact(mlp).nodes.map((n) => n.kernel), ['f32-gemm-relu-4x8-wasmsimd', 'f32-gemm-relu-4x8-wasmsimd', 'f32-gemm-4x8-wasmsimd']);
  });

  // [name, model, edit, expected RunError message]: each was a TypeError, a RangeError, or a run with wrong numbers.
  const cases: [string, () => Uint8Array, (a: LoadedArtifact) => LoadedArtifact, RegExp][] = [
    ['a Gemm input of the wrong rank (a Flatten output that claims [1,1,512]; was a TypeError in the wasm scratchBytes)', () => cnn,
      (a) => withTensor(a, 8, { shape: [1, 1, 512] }),
      /^node 4 '\/fc1\/Gemm' \(Gemm\): kernel 'f32-gemm-relu-4x8-wasmsimd' does not support this node \(inputs float32\[1,1,512\], float32\[64,512\], float32\[64\]; outputs float32\[1,64\]\)$/],
    ['a Flatten whose output shape lies about its element count', () => cnn,
      (a) => withTensor(a, 8, { shape: [1, 256] }),
      /^node '\/Flatten' \(kernel any-flatten-1x1-js\): output shape \[1,256\] has 256 elements, input has 512$/],
    ['a graph input whose dtype was changed (was a TypeError in the wasm scratchBytes)', () => mlp,
      (a) => withTensor(a, 0, { dtype: 'int32' }),
      /^node 0 '\/net\/net\.0\/Gemm' \(Gemm\): kernel 'f32-gemm-relu-4x8-wasmsimd' takes float32, the node has inputs int32\[1,64\], float32\[256,64\], float32\[256\]; outputs float32\[1,256\]$/],
    ['a MaxPool kernel of [-1, 2] with strides that keep the output shape (was a RangeError)', () => cnn,
      (a) => withNode(a, 2, (n) => ({ attrs: { ...n.attrs, kernel_shape: [-1, 2], strides: [3, 2] } })),
      /^node '\/MaxPool' \(kernel f32-maxpool-1x4-wasmsimd( as f32-maxpool-1x1-js)?\): kernel sizes \[-1,2\] must be >= 1$/],
    ['a MaxPool kernel of [-1, -1] (ran and returned NaN)', () => cnn,
      (a) => withNode(a, 2, (n) => ({ attrs: { ...n.attrs, kernel_shape: [-1, -1], strides: [3, 3] } })),
      /^node '\/MaxPool' \(kernel f32-maxpool-1x4-wasmsimd( as f32-maxpool-1x1-js)?\): kernel sizes \[-1,-1\] must be >= 1$/],
    ['negative Conv pads', () => cnn,
      (a) => withNode(a, 0, (n) => ({ attrs: { ...n.attrs, pads: [-1, -1, -1, -1] } })),
      /^node '\/conv1\/Conv' \(kernel f32-conv-relu-4x8-wasmsimd( as f32-conv-relu-4x1-js)?\): pads \[-1,-1,-1,-1\] must be >= 0$/],
    ['a node bound to a kernel of another op', () => cnn,
      (a) => withNode(a, 3, () => ({ kernel: 'f32-relu-1x1-ref' })),
      /^node 3 '\/Flatten' \(Flatten\): kernel 'f32-relu-1x1-ref' implements Relu, not Flatten$/],
    ['a Conv asking for a fused relu bound to a kernel without it (was a KernelError from prepare)', () => cnn,
      (a) => withNode(a, 0, () => ({ kernel: 'f32-conv-4x8-wasmsimd' })),
      /^node 0 '\/conv1\/Conv' \(Conv\): kernel 'f32-conv-4x8-wasmsimd' fuses no activation, the node asks for 'relu'$/],
  ];
  for (const [name, model, edit, message] of cases) {
    for (const wasm of [true, false]) {
      it(`${name}: a RunError naming the node (wasm ${wasm})`, async () => {
        const e = await loadError(reencodeArtifact(model(), edit), wasm);
        assert.ok(e instanceof RunError, `${e.name}: ${e.stack}`);
        assert.match(e.message, message);
      });
    }
  }

  it('spc run on an artifact whose Gemm input has the wrong rank: exit 1 naming the file and the node (was exit 70, a TypeError)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.spm'), reencodeArtifact(cnn, (a) => withTensor(a, 8, { shape: [1, 1, 512] })));
    const r = spc('run', join(dir, 'bad.spm'), '--input', join(DIGITS_DIR, 'digits-test-x.npy'), '--output', join(dir, 'y.npy'));
    assert.equal(r.code, 1, r.stderr);
    // The message names the file, then the node.
    assert.ok(r.stderr.startsWith(`spc: error: ${join(dir, 'bad.spm')}: node 4 '/fc1/Gemm' (Gemm): kernel 'f32-gemm-relu-4x8-wasmsimd' does not support this node (inputs float32[1,1,512], `), r.stderr);
  });

  it('a plan putting every activation at offset 0: an ArtifactError naming the first two live tensors that share bytes (it ran and returned wrong numbers)', () => {
    const bytes = reencodeArtifact(cnn, (a) => ({ ...a, tensors: a.tensors.map((t) => (t.kind === 'weight' ? t : { ...t, arenaOffset: 0 })) }));
    assert.throws(() => parseArtifact(bytes), (e: Error) => e instanceof ArtifactError && e.message ===
      "memory plan: tensors 0 'input' (bytes 0..256 live at steps -1..0) and 3 '/Relu_output_0' (bytes 0..4096 live at steps 0..1) share arena bytes while both are live");
  });

  it('live ranges are inclusive: the input a node reads and the output it writes may not share bytes, tensors live at different steps may', () => {
    const plan = (a: LoadedArtifact): (number | undefined)[] => a.tensors.map((t) => t.arenaOffset);
    const real = parseArtifact(cnn);
    // The planner's own reuse: /Relu_1_output_0 (6, steps 1..2) and /Flatten_output_0 (8, steps 3..4) both at 0.
    assert.deepEqual([plan(real)[6], plan(real)[8]], [0, 0]);
    // MaxPool (step 2) reads 6 and writes 7: 7 moved onto 6's last 64 bytes overlaps at step 2.
    const onto = reencodeArtifact(cnn, (a) => withTensor(a, 7, { arenaOffset: 8192 - 64 }));
    assert.throws(() => parseArtifact(onto), (e: Error) => e instanceof ArtifactError && e.message ===
      "memory plan: tensors 6 '/Relu_1_output_0' (bytes 0..8192 live at steps 1..2) and 7 '/MaxPool_output_0' (bytes 8128..10176 live at steps 2..3) share arena bytes while both are live");
    // The logits (14, steps 5..6) placed over the input (0, steps -1..0) share bytes at no step: fine.
    const apart = parseArtifact(reencodeArtifact(cnn, (a) => withTensor(a, 14, { arenaOffset: 0 })));
    assert.equal(apart.tensors[14]!.arenaOffset, 0);
  });

  it('weights the artifact stores once are copied into WebAssembly memory once, whatever number of tensors use them', async () => {
    // digits_mlp's first two biases made identical: the writer stores them once, binding copies them once.
    const same = reencodeArtifact(mlp, (a) => withTensor(a, 5, { data: a.tensors[2]!.data }));
    const fixed: number[] = [];
    const spy: SpaceFactory = async (fixedBytes, scratchBytes, modules) => { fixed.push(fixedBytes); return createWasmSpace(fixedBytes, scratchBytes, modules); };
    for (const bytes of [mlp, same]) await bindArtifact(parseArtifact(bytes), defaultRegistry(), spy);
    assert.equal(fixed[0]! - fixed[1]!, 1024);
    const x = new Float32Array(64).map((_, i) => Math.sin(i));
    const run = async (wasm: boolean) => (await (await loadModel(same, { wasm })).run({ input: x })).logits!.data;
    // The wasm and js Gemms sum in different orders: equal within float32 rounding.
    const [w, j] = [await run(true), await run(false)];
    w.forEach((v, i) => assert.ok(Math.abs(Number(v) - Number(j[i])) <= 1e-5 * (1 + Math.abs(Number(j[i]))), `logit ${i}: ${v} vs ${j[i]}`));
  });

  it('every corpus model compiled by the real planner loads (dense; digits_cnn also 2:4 and unstructured on ref)', async () => {
    const files: [string, Record<string, number[]>][] = [
      ...readdirSync(MODELS_DIR).filter((f) => f.endsWith('.onnx')).map((f): [string, Record<string, number[]>] => [join(MODELS_DIR, f), {}]),
      ...REAL_MODELS.map((e): [string, Record<string, number[]>] => [join(REAL_DIR, e.file), realPins(e)]),
      [join(DIGITS_DIR, 'digits_cnn.onnx'), {}], [join(DIGITS_DIR, 'digits_mlp.onnx'), {}],
    ];
    for (const [file, inputShapes] of files) (await loadModel(compileFile(file, { inputShapes }).artifact)).dispose();
    for (const options of [{ pattern: '2:4', minParams: 0 }, { pattern: 'unstructured', sparsity: 0.8, minParams: 0, targets: ['ref' as const] }]) {
      (await loadModel(compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), options).artifact)).dispose();
    }
  });
});
