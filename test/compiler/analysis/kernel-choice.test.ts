// Kernel selection by estimated time: a hand-written profile decides between dense and sparse
// candidates (and flips the choice when it flips), kernels the profile has not seen are priced
// by their prior, ops it knows nothing of keep target order, and on corpus models the shipped
// profile keeps plain 2:4 dense (DENSIFIED) and runs 0.9-sparse pointwise convs on wasm CSR.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import type { Graph, Sparsity } from '../../../compiler/ir/graph.js';
import { withGraph } from '../../../compiler/ir/graph.js';
import { chooseKernel, SPARSE_MARGIN } from '../../../compiler/analysis/kernel-choice.js';
import { makeProfile } from '../../../compiler/analysis/profile.js';
import type { ProfileEntry } from '../../../compiler/analysis/profile.js';
import { maskNm, maskNmShared, maskUnstructured } from '../../../compiler/sparse/prune/masks.js';
import { ALL_KERNELS, defaultRegistry } from '../../../runtime/kernels/index.js';
import type { Kernel } from '../../../runtime/kernels/kernel.js';
import { makeRegistry } from '../../../runtime/kernels/kernel.js';
import { MODELS_DIR } from '../../helpers/corpus.js';
import { build, ints, randomF32 } from '../passes/build.js';

/** A 32→32 pointwise conv on 8×8 pixels whose weight (matrix = O×Cin) is pruned by `mask`. */
function prunedConv(mask: (w: Float32Array) => Float32Array, sparsity: Partial<Sparsity> & Pick<Sparsity, 'kind'>): Graph {
  const w = randomF32([32, 32, 1, 1], 5);
  const g = build({
    inputs: { x: ['float32', [1, 32, 8, 8]] },
    consts: { w: { ...w, data: mask(w.data as Float32Array) }, b: randomF32([32], 6) },
    nodes: [['Conv', ['x', 'w', 'b'], ['y'], { kernel_shape: ints([1, 1]) }]],
    outputs: ['y'],
  });
  const s: Sparsity = { pattern: sparsity.kind, requested: 0.5, achieved: 0.5, ...sparsity };
  return withGraph(g, { values: [...g.values.values()].map((v) => (v.name === 'w' ? { ...v, sparsity: s } : v)) });
}

const entry = (key: string, nsPerUnit: number, nsPerCall = 0): ProfileEntry => ({ key, nsPerCall, nsPerUnit, points: 3 });

describe('kernel choice', function () {
  this.timeout(120_000);
  const registry = defaultRegistry();
  const csrConv = prunedConv((w) => maskUnstructured(w, Math.round(0.9 * w.length)), { kind: 'unstructured' });
  const node = csrConv.nodes[0]!;

  it('the profile drives the choice: the candidate it makes cheapest wins, and the choice flips with it', () => {
    const sparseJs = makeProfile([entry('f32-conv-4x8-wasmsimd@pointwise', 0.06), entry('f32-convcsr-8x1-js@pointwise', 1e-6), entry('f32-convcsr-24x1-wasmsimd@pointwise', 0.2)]);
    const a = chooseKernel(csrConv, node, registry, undefined, sparseJs)!;
    assert.equal(a.kernel.id, 'f32-convcsr-8x1-js');
    assert.match(a.reason, /^csr sparse optimized TypeScript kernel: est\. \S+ ms vs dense f32-conv-4x8-wasmsimd \S+ ms$/);

    const denseWasm = makeProfile([entry('f32-conv-4x8-wasmsimd@pointwise', 1e-6), entry('f32-convcsr-8x1-js@pointwise', 1), entry('f32-convcsr-24x1-wasmsimd@pointwise', 0.2)]);
    const b = chooseKernel(csrConv, node, registry, undefined, denseWasm)!;
    assert.equal(b.kernel.id, 'f32-conv-4x8-wasmsimd');
    assert.match(b.reason, /^DENSIFIED: dense f32-conv-4x8-wasmsimd est\. \S+ ms < csr f32-convcsr-\S+ \S+ ms( \(prior\))?$/);

    // Whichever wasmsimd CSR conv kernel the registry holds (its tile may change).
    const wasmCsr = ALL_KERNELS.find((k) => k.op === 'Conv' && k.target === 'wasmsimd' && k.format === 'csr' && k.epilogue === '')!;
    const sparseWasm = makeProfile([entry('f32-conv-4x8-wasmsimd@pointwise', 0.06), entry('f32-convcsr-8x1-js@pointwise', 1), entry(`${wasmCsr.id}@pointwise`, 0.1)]);
    const c = chooseKernel(csrConv, node, registry, undefined, sparseWasm)!;
    assert.equal(c.kernel.id, wasmCsr.id);
    // 0.1 ns × nnz·P = 0.1 × 102·64·... against 0.06 × 32·32·64: the figures in the reason are the estimates.
    const nnz = Array.from(csrConv.values.get('w')!.constant!.data as Float32Array).filter((v) => v !== 0).length;
    const ms = (ns: number): string => (ns / 1e6 >= 0.1 ? (ns / 1e6).toFixed(2) : (ns / 1e6).toPrecision(2));
    assert.equal(c.reason, `csr sparse WebAssembly SIMD kernel: est. ${ms(0.1 * nnz * 64)} ms vs dense f32-conv-4x8-wasmsimd ${ms(0.06 * 32 * 32 * 64)} ms`);
  });

  it('a sparse kernel must be estimated SPARSE_MARGIN below dense: 5% faster stays dense, 20% faster wins', () => {
    const wasmCsr = ALL_KERNELS.find((k) => k.op === 'Conv' && k.target === 'wasmsimd' && k.format === 'csr' && k.epilogue === '')!;
    const nnz = Array.from(csrConv.values.get('w')!.constant!.data as Float32Array).filter((v) => v !== 0).length;
    const denseNs = 0.06 * 32 * 32 * 64;
    // nsPerUnit for the csr kernel so that its estimate (× nnz·64) is `f` of dense's.
    const at = (f: number) => makeProfile([entry('f32-conv-4x8-wasmsimd@pointwise', 0.06), entry(`${wasmCsr.id}@pointwise`, (f * denseNs) / (nnz * 64))]);
    assert.equal(SPARSE_MARGIN, 0.9);
    const near = chooseKernel(csrConv, node, registry, ['wasmsimd'], at(0.95))!;
    assert.equal(near.kernel.id, 'f32-conv-4x8-wasmsimd');
    assert.match(near.reason, new RegExp(`^DENSIFIED: csr ${wasmCsr.id} est\\. \\S+ ms is not 10% below dense f32-conv-4x8-wasmsimd \\S+ ms$`));
    assert.equal(chooseKernel(csrConv, node, registry, ['wasmsimd'], at(0.8))!.kernel.id, wasmCsr.id);
  });

  it('an int8 QLinearConv on a 2:4 weight: the N:M int8 conv where the profile prices it SPARSE_MARGIN below the dense int8 conv (read packed), else DENSIFIED (expanded at load)', () => {
    const codes = new Int8Array(32 * 32);
    for (let i = 0; i < codes.length; i++) codes[i] = i % 4 === 1 || i % 4 === 2 ? 0 : 1 + (i % 7); // 2:4 along each row's 32 inputs
    const u8 = (shape: number[], v = 0) => ({ dtype: 'uint8' as const, shape, data: new Uint8Array(shape.reduce((a, d) => a * d, 1)).fill(v) });
    const f = (v: number) => ({ dtype: 'float32' as const, shape: [], data: Float32Array.of(v) });
    const built = build({
      inputs: { x: ['uint8', [1, 32, 8, 8]] },
      consts: { xs: f(0.1), xz: u8([], 128), w: { dtype: 'int8', shape: [32, 32, 1, 1], data: codes }, ws: f(0.01), wz: { dtype: 'int8', shape: [], data: new Int8Array(1) }, ys: f(0.2), yz: u8([], 128) },
      nodes: [['QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'], ['y'], { kernel_shape: ints([1, 1]) }]],
      outputs: ['y'],
    });
    const s: Sparsity = { kind: 'nm', pattern: '2:4', n: 2, m: 4, requested: 0.5, achieved: 0.5 };
    const g = withGraph(built, { values: [...built.values.values()].map((v) => (v.name === 'w' ? { ...v, sparsity: s } : v)) });
    const q = g.nodes[0]!;
    const priced = (nm: number) => makeProfile([entry('i8-qlinearconv-4x8-wasmsimd@elements', 0.03), entry('i8-qlinearconvnm-16x1-wasmsimd@elements', nm)]);
    const fast = chooseKernel(g, q, registry, undefined, priced(0.01))!;
    assert.equal(fast.kernel.id, 'i8-qlinearconvnm-16x1-wasmsimd');
    assert.match(fast.reason, /^nm sparse WebAssembly SIMD kernel: est\. \S+ ms vs dense i8-qlinearconv-4x8-wasmsimd \S+ ms$/);
    assert.equal(fast.storage?.kernelReads, 'nm');
    assert.equal(fast.storage?.packed.format, 'nm');
    const slow = chooseKernel(g, q, registry, undefined, priced(0.05))!;
    assert.equal(slow.kernel.id, 'i8-qlinearconv-4x8-wasmsimd');
    assert.match(slow.reason, /^DENSIFIED: nm i8-qlinearconvnm-16x1-wasmsimd est\. \S+ ms is not 10% below dense i8-qlinearconv-4x8-wasmsimd \S+ ms$/);
    assert.equal(slow.storage?.kernelReads, 'dense', 'stored packed, expanded at load');
  });

  it('targets bound the candidates; ties go to the earlier target', () => {
    const p = makeProfile([entry('f32-conv-4x8-wasmsimd@pointwise', 1e-6), entry('f32-convcsr-8x1-js@pointwise', 0.5), entry('f32-conv-4x1-js@pointwise', 0.5)]);
    assert.equal(chooseKernel(csrConv, node, registry, ['js', 'ref'], p)!.kernel.id, 'f32-convcsr-8x1-js');
    // 10 ns a call: below every prior, so kernels the profile does not list cannot tie.
    const tie = makeProfile([entry('f32-conv-4x8-wasmsimd@pointwise', 0, 10), entry('f32-conv-4x1-js@pointwise', 0, 10)]);
    const dense = build({ inputs: { x: ['float32', [1, 8, 4, 4]] }, consts: { w: randomF32([8, 8, 1, 1], 1) }, nodes: [['Conv', ['x', 'w'], ['y']]], outputs: ['y'] });
    assert.equal(chooseKernel(dense, dense.nodes[0]!, registry, ['js', 'wasmsimd', 'ref'], tie)!.kernel.id, 'f32-conv-4x1-js');
    assert.equal(chooseKernel(dense, dense.nodes[0]!, registry, ['wasmsimd', 'js', 'ref'], tie)!.kernel.id, 'f32-conv-4x8-wasmsimd');
  });

  it('a ref kernel is only a fallback: a profile pricing it 1000× below the fast convs still picks a fast one (silero 1-D convs)', () => {
    // silero's stride-2 1-D conv: [1,16,8] → [1,16,4], k 3.
    const conv1d = build({
      inputs: { x: ['float32', [1, 16, 8]] }, consts: { w: randomF32([16, 16, 3], 2) },
      nodes: [['Conv', ['x', 'w'], ['y'], { kernel_shape: ints([3]), strides: ints([2]), pads: ints([1, 1]) }]], outputs: ['y'],
    });
    const n = conv1d.nodes[0]!;
    const p = makeProfile(['kxk'].flatMap((cls) => [
      entry(`f32-conv-1x1-ref@${cls}`, 1e-6), entry(`f32-conv-4x8-wasmsimd@${cls}`, 1e-3), entry(`f32-conv-4x1-js@${cls}`, 1e-3)]));
    const fast = chooseKernel(conv1d, n, registry, undefined, p)!;
    assert.notEqual(fast.kernel.target, 'ref', `${fast.kernel.id}: ${fast.reason}`);
    assert.equal(chooseKernel(conv1d, n, registry, ['js', 'ref'], p)!.kernel.id, 'f32-conv-4x1-js');
    assert.equal(chooseKernel(conv1d, n, registry, ['ref'], p)!.kernel.id, 'f32-conv-1x1-ref');
  });

  it('an op none of whose candidates the profile has measured keeps the target order', () => {
    const empty = makeProfile([]);
    const c = chooseKernel(csrConv, node, registry, undefined, empty)!;
    assert.equal(c.kernel.id, 'f32-convcsr-24x1-wasmsimd');
    assert.match(c.reason, /preferred target/);
    assert.equal(chooseKernel(csrConv, node, registry, ['js', 'ref'], empty)!.kernel.id, 'f32-convcsr-8x1-js');
  });

  it('no allowed kernel reading the format: DENSIFIED, and the reason says so', () => {
    const nm = prunedConv((w) => maskNm(w, 32, 32, 2, 4), { kind: 'nm', pattern: '2:4', n: 2, m: 4 });
    const p = makeProfile([entry('f32-conv-4x8-wasmsimd@pointwise', 0.06)]);
    const registryNoWasmNm = makeRegistry(ALL_KERNELS.filter((k) => !(k.target === 'wasmsimd' && k.format === 'nm')));
    const c = chooseKernel(nm, nm.nodes[0]!, registryNoWasmNm, ['wasmsimd'], p)!;
    assert.equal(c.kernel.id, 'f32-conv-4x8-wasmsimd');
    assert.match(c.reason, /^DENSIFIED: no kernel reads nm for Conv; WebAssembly SIMD kernel: est\. \S+ ms \(only candidate\)$/);
  });

  it('--prefer size says whether the packed kernel is also the fastest or runs even where slower (estimates and target order)', () => {
    const nm = prunedConv((w) => maskNm(w, 32, 32, 2, 4), { kind: 'nm', pattern: '2:4', n: 2, m: 4 });
    const n = nm.nodes[0]!;
    const denseNs = 0.06 * 32 * 32 * 64;
    // The standard N:M conv priced at `f` × dense (its work is the 512 kept weights × 64 pixels), the row-block one far above.
    const at = (f: number) => makeProfile([entry('f32-conv-4x8-wasmsimd@pointwise', 0.06), entry('f32-convnm-24x1-wasmsimd@pointwise', (f * denseNs) / (512 * 64)),
      entry('f32-convnm-4x8-wasmsimd@pointwise', 1)]);
    const choice = (f: number, prefer: 'speed' | 'size') => chooseKernel(nm, n, registry, ['wasmsimd'], at(f), prefer)!;
    // Half dense's time: speed runs it too, so size must not call it slower.
    assert.equal(choice(0.5, 'speed').kernel.id, 'f32-convnm-24x1-wasmsimd');
    const fastest = choice(0.5, 'size');
    assert.equal(fastest.kernel.id, 'f32-convnm-24x1-wasmsimd');
    assert.match(fastest.reason, /^nm sparse \(--prefer size: packed, also the fastest\): est\. \S+ ms vs dense f32-conv-4x8-wasmsimd \S+ ms$/);
    // Twice dense's time, and a near tie that --prefer speed densifies: packed even where slower.
    for (const f of [2, 0.95]) {
      assert.equal(choice(f, 'speed').kernel.id, 'f32-conv-4x8-wasmsimd', `speed at ${f}× dense`);
      const slower = choice(f, 'size');
      assert.equal(slower.kernel.id, 'f32-convnm-24x1-wasmsimd');
      assert.match(slower.reason, /^nm sparse \(--prefer size: packed even where slower\): est\. /, `size at ${f}× dense`);
    }
    // No profile entry for Conv: target order. The wasmsimd N:M kernel is speed's choice too; a js
    // N:M kernel behind a wasmsimd dense one is not.
    const empty = makeProfile([]);
    assert.match(chooseKernel(nm, n, registry, ['wasmsimd', 'js'], empty, 'size')!.reason, /\(--prefer size: packed, also the fastest\)$/);
    const noWasmNm = makeRegistry(ALL_KERNELS.filter((k) => !(k.target === 'wasmsimd' && k.format === 'nm')));
    const jsNm = chooseKernel(nm, n, noWasmNm, ['wasmsimd', 'js'], empty, 'size')!;
    assert.equal(jsNm.kernel.id, 'f32-convnm-8x1-js');
    assert.match(jsNm.reason, /\(--prefer size: packed even where slower\)$/);
  });

  it('a kernel added to the registry is a candidate at once, priced by its prior: row-block nm wins on shared-rows 2:4, loses on plain 2:4', () => {
    // Stands for the wasmsimd row-block N:M kernel (4 output rows over the union of their kept columns).
    const rowBlock: Kernel = { id: 'f32-convnm-4x8-wasmsimd', dtype: 'f32', op: 'Conv', target: 'wasmsimd', epilogue: '', format: 'nm', tile: '4x8', rowBlock: 4, dtypes: ['float32'], prepare: () => () => {} };
    const kernels = ALL_KERNELS.some((k) => k.id === rowBlock.id) ? ALL_KERNELS : [...ALL_KERNELS, rowBlock];
    const reg = makeRegistry(kernels);
    const p = makeProfile([entry('f32-conv-4x8-wasmsimd@pointwise', 0.06), entry('f32-convnm-8x1-js@pointwise', 0.9)]);
    const nm = { kind: 'nm', pattern: '2:4', n: 2, m: 4 } as const;
    const shared = prunedConv((w) => maskNmShared(w, 32, 32, 2, 4, 4), { ...nm, shareRows: 4 });
    const s = chooseKernel(shared, shared.nodes[0]!, reg, undefined, p)!;
    assert.equal(s.kernel.id, 'f32-convnm-4x8-wasmsimd');
    assert.match(s.reason, /^nm sparse WebAssembly SIMD kernel: est\. \S+ ms \(prior\) vs dense f32-conv-4x8-wasmsimd \S+ ms$/);
    const plain = prunedConv((w) => maskNm(w, 32, 32, 2, 4), nm);
    const d = chooseKernel(plain, plain.nodes[0]!, reg, undefined, p)!;
    assert.equal(d.kernel.id, 'f32-conv-4x8-wasmsimd');
    assert.match(d.reason, /^DENSIFIED: dense f32-conv-4x8-wasmsimd est\. \S+ ms < nm f32-convnm-4x8-wasmsimd \S+ ms \(prior\)$/);
  });

  it('a row-block kernel is never estimated below (its work / dense work) × the dense kernel: a profile claiming half the cost per unit cannot pick it for plain 2:4', () => {
    const rowBlock = ALL_KERNELS.find((k) => k.op === 'Conv' && k.target === 'wasmsimd' && k.format === 'nm' && k.rowBlock !== undefined && k.epilogue === '')!;
    const p = makeProfile([entry('f32-conv-4x8-wasmsimd@pointwise', 0.06), entry(`${rowBlock.id}@pointwise`, 0.03)]);
    const nm = { kind: 'nm', pattern: '2:4', n: 2, m: 4 } as const;
    const plain = prunedConv((w) => maskNm(w, 32, 32, 2, 4), nm);
    const d = chooseKernel(plain, plain.nodes[0]!, registry, ['wasmsimd'], p)!;
    assert.equal(d.kernel.id, 'f32-conv-4x8-wasmsimd', d.reason);
    // Union of 4 rows' 2:4 masks covers most columns: floor = fill × dense, within 10% of dense.
    assert.match(d.reason, /^DENSIFIED: nm \S+ est\. \S+ ms is not 10% below dense f32-conv-4x8-wasmsimd \S+ ms$/);
    const shared = prunedConv((w) => maskNmShared(w, 32, 32, 2, 4, 4), { ...nm, shareRows: 4 });
    const s = chooseKernel(shared, shared.nodes[0]!, registry, ['wasmsimd'], p)!;
    assert.equal(s.kernel.id, rowBlock.id);
    // est = max(0.03·work, (work/dense work)·dense) = 0.5 × dense (half the columns, 4 rows share them).
    const denseMs = (0.06 * 32 * 32 * 64) / 1e6;
    assert.match(s.reason, new RegExp(`est\\. ${(denseMs / 2).toPrecision(2)} ms vs dense f32-conv-4x8-wasmsimd ${denseMs.toPrecision(2)} ms$`));
  });
});

describe('kernel choice with the shipped profile (corpus models)', function () {
  this.timeout(180_000);
  const weighted = (r: ReturnType<typeof compileFile>) => {
    const pruned = new Set(r.graph.nodes.filter((n) => r.graph.values.get(n.inputs[1] ?? '')?.sparsity).map((n) => n.name));
    return r.contents.nodes.filter((n) => pruned.has(n.name));
  };

  it('plain 2:4 on mobilenet_v2_w050 and resnet10_w32: the pruned convs run the standard N:M kernel (convnm 24x1) and the classifier the N:M gemv (gemmnm 1x4), or say DENSIFIED; either way stored nm (expanded at load for a dense kernel)', () => {
    for (const [model, least] of [['mobilenet_v2_w050', 15], ['resnet10_w32', 10]] as const) {
      const r = compileFile(join(MODELS_DIR, `${model}.onnx`), { pattern: '2:4' });
      const nodes = weighted(r);
      assert.ok(nodes.length >= least, `${model}: ${nodes.length} pruned layers`);
      let nm = 0;
      for (const n of nodes) {
        const packed = r.contents.tensors[n.inputs[1]!]!.packed;
        if (/^f32-(convnm(-relu|-clip)?-24x1|gemmnm(-relu)?-1x4)-wasmsimd$/.test(n.kernel)) {
          nm++;
          assert.match(n.kernelReason, /^nm sparse WebAssembly SIMD kernel: est\. \S+ ms vs dense f32-(conv|gemm)\S+-wasmsimd \S+ ms$/, n.name);
          assert.equal(packed?.format, 'nm', `${n.name}: read packed, stored packed`);
        } else {
          // A layer whose N:M kernel is estimated slower than dense (the profile decides; none in the shipped one today).
          assert.match(n.kernel, /^f32-(conv|gemm)(-relu|-clip)?-\d+x\d+-wasmsimd$/, n.name);
          assert.match(n.kernelReason, /^DENSIFIED: /, n.name);
          assert.equal(packed?.format, 'nm', `${n.name}: a 2:4 weight is stored packed whichever kernel runs it`);
          assert.equal(r.contents.tensors[n.inputs[1]!]!.kernelLayout, 'dense', `${n.name}: its dense kernel reads it expanded at load`);
        }
      }
      assert.ok(nm >= least, `${model}: ${nm} of ${nodes.length} pruned layers on the N:M kernel`);
    }
  });

  it('with wasmsimd first, every pruned conv of resnet10_w32 (3×3 and strided 1×1) runs the wasmsimd CSR kernel, stored packed', () => {
    const r = compileFile(join(MODELS_DIR, 'resnet10_w32.onnx'), { pattern: 'unstructured', sparsity: 0.9, targets: ['wasmsimd', 'js', 'ref'] });
    const packed = r.contents.nodes.filter((n) => r.contents.tensors[n.inputs[1]]?.packed);
    assert.equal(packed.length, 10);
    for (const n of packed) assert.match(n.kernel, /^f32-convcsr(-relu)?-24x1-wasmsimd$/, n.name);
  });

  it('with wasmsimd first, a 1×1 conv keeps its wasmsimd CSR kernel (mobilenet)', () => {
    const r = compileFile(join(MODELS_DIR, 'mobilenet_v2_w050.onnx'), { pattern: 'unstructured', sparsity: 0.9, targets: ['wasmsimd', 'js', 'ref'] });
    assert.ok(r.contents.nodes.some((n) => /^f32-convcsr(-clip)?-24x1-wasmsimd$/.test(n.kernel)));
  });

  it('0.9 unstructured on mobilenet_v2_w050: every pruned pointwise conv runs a csr wasmsimd kernel, stored csr', () => {
    const r = compileFile(join(MODELS_DIR, 'mobilenet_v2_w050.onnx'), { pattern: 'unstructured', sparsity: 0.9 });
    const pointwise = weighted(r).filter((n) => r.contents.tensors[n.inputs[1]!]!.shape.slice(2).every((d) => d === 1));
    assert.ok(pointwise.length > 10, `${pointwise.length} pruned pointwise convs`);
    for (const n of pointwise) {
      assert.match(n.kernel, /^f32-convcsr(-relu|-clip)?-\d+x\d+-wasmsimd$/, n.name);
      assert.match(n.kernelReason, /^csr sparse WebAssembly SIMD kernel: est\. \S+ ms( \(prior\))? vs dense f32-conv\S*-wasmsimd \S+ ms$/, n.name);
      assert.equal(r.contents.tensors[n.inputs[1]!]!.packed?.format, 'csr', n.name);
    }
  });

  it('0.9 unstructured on resnet10_w32: a weight is stored packed exactly when its kernel reads the packed format, DENSIFIED otherwise', () => {
    const r = compileFile(join(MODELS_DIR, 'resnet10_w32.onnx'), { pattern: 'unstructured', sparsity: 0.9 });
    const nodes = weighted(r);
    assert.equal(nodes.length, 10);
    for (const n of nodes) {
      const format = registryFormat(n.kernel);
      assert.equal(r.contents.tensors[n.inputs[1]!]!.packed?.format ?? 'dense', format, n.name);
      assert.equal(n.kernelReason.startsWith('DENSIFIED: '), format === 'dense', `${n.name}: ${n.kernelReason}`);
    }
  });
});

function registryFormat(id: string): string {
  return ALL_KERNELS.find((k) => k.id === id)?.format ?? 'dense';
}
