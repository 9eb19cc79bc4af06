// Every sparse kernel in ALL_KERNELS (format csr, nm or bsr) against the DENSE ref kernel of
// the same op and epilogue: random weights pruned to the kernel's format, packed with
// compiler/sparse/pack/pack.ts, the dense ref run on the unpacked weights. Edge shapes: 1×1 convs
// with P not a multiple of 8, k×k convs with pads/strides/dilations, group = 2, 1-D conv,
// Gemm transA/transB/alpha/beta/C broadcast/M = 1, batched and 1-D MatMul, rows with no
// nonzeros, all-zero weights. Tolerance |sparse − dense| <= 1e-4·|dense| + 1e-5.

import { strict as assert } from 'node:assert';
import type { TensorView } from '../../../runtime/tensor.js';
import { sizeOf } from '../../../runtime/tensor.js';
import type { Attrs, Kernel } from '../../../runtime/kernels/kernel.js';
import { KERNEL_ID_PATTERN, KernelError } from '../../../runtime/kernels/kernel.js';
import { ALL_KERNELS, SPARSE_KERNELS } from '../../../runtime/kernels/index.js';
import type { PackedWeight } from '../../../runtime/sparse/packed.js';
import type { WeightOp } from '../../../runtime/sparse/layout.js';
import { fromWeightMatrix, weightMatrixShape } from '../../../runtime/sparse/layout.js';
import { packBsr, packCsr, packNm } from '../../../compiler/sparse/pack/pack.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

/** How a weight is pruned and packed; `colMult`/`rowMult` are what the shapes must divide by. */
interface Variant { readonly name: string; readonly format: 'csr' | 'nm' | 'bsr'; readonly a: number; readonly b: number; readonly colMult: number; readonly rowMult: number }

const VARIANTS: readonly Variant[] = [
  { name: 'csr 50%', format: 'csr', a: 0.5, b: 0, colMult: 1, rowMult: 1 },
  { name: 'csr 80%', format: 'csr', a: 0.8, b: 0, colMult: 1, rowMult: 1 },
  { name: 'csr 95%', format: 'csr', a: 0.95, b: 0, colMult: 1, rowMult: 1 },
  { name: 'nm 2:4', format: 'nm', a: 2, b: 4, colMult: 4, rowMult: 1 },
  { name: 'nm 1:4', format: 'nm', a: 1, b: 4, colMult: 4, rowMult: 1 },
  { name: 'nm 4:8', format: 'nm', a: 4, b: 8, colMult: 8, rowMult: 1 },
  { name: 'nm 3:7', format: 'nm', a: 3, b: 7, colMult: 7, rowMult: 1 },
  { name: 'bsr 4x1', format: 'bsr', a: 4, b: 1, colMult: 1, rowMult: 4 },
  { name: 'bsr 2x2', format: 'bsr', a: 2, b: 2, colMult: 2, rowMult: 2 },
];

/** Prunes a rows×cols matrix in place to the variant's pattern; row 1 (or block row 1) is left empty. */
function prune(v: Variant, rows: number, cols: number, w: Float32Array, next: () => number, allZero: boolean): void {
  if (allZero) { w.fill(0); return; }
  if (v.format === 'csr') {
    for (let i = 0; i < w.length; i++) if ((next() + 1) / 2 < v.a) w[i] = 0;
    if (rows > 1) w.fill(0, cols, 2 * cols);
  } else if (v.format === 'nm') {
    const n = v.a, m = v.b;
    for (let r = 0; r < rows; r++) {
      for (let g = 0; g < cols / m; g++) {
        const base = r * cols + g * m;
        // Keep the n largest by magnitude; every third group keeps fewer (n − 1, possibly 0).
        const keep = (r + g) % 3 === 2 ? n - 1 : n;
        const order = Array.from({ length: m }, (_, k) => k).sort((x, y) => Math.abs(w[base + y]!) - Math.abs(w[base + x]!));
        for (let k = keep; k < m; k++) w[base + order[k]!] = 0;
      }
    }
    if (rows > 1) w.fill(0, cols, 2 * cols);
  } else {
    const br = v.a, bc = v.b;
    for (let R = 0; R < rows / br; R++) {
      for (let C = 0; C < cols / bc; C++) {
        if (R !== 1 && next() > -0.4) continue; // ~70% of blocks zeroed, block row 1 empty
        for (let i = 0; i < br; i++) for (let j = 0; j < bc; j++) w[(R * br + i) * cols + C * bc + j] = 0;
      }
    }
  }
}

function pack(v: Variant, rows: number, cols: number, w: Float32Array): PackedWeight {
  if (v.format === 'csr') return packCsr(rows, cols, w);
  if (v.format === 'nm') return packNm(rows, cols, w, v.a, v.b);
  return packBsr(rows, cols, w, v.a, v.b);
}

interface Case { readonly name: string; readonly inputs: readonly (readonly number[] | undefined)[]; readonly attrs: Attrs; readonly output: readonly number[]; readonly allZero?: boolean }

const convOut = (h: number, k: number, s: number, d: number, p0: number, p1: number): number => Math.floor((h + p0 + p1 - (k - 1) * d - 1) / s) + 1;

/** Shapes for one op; `cm` must divide the reduction per group, `rm` the output rows. */
function casesFor(op: WeightOp, cm: number, rm: number): Case[] {
  const o = 4 * rm + (rm === 1 ? 1 : 0); // 5 when unconstrained, else a multiple of rm (and of 2 for groups)
  const og = rm === 1 ? 6 : 2 * rm;
  if (op === 'Conv') {
    const c1 = cm === 1 ? 5 : cm; // reduction of a 1×1 conv is C
    const cgk = cm <= 4 ? 4 : cm;
    const conv = (name: string, n: number, cg: number, g: number, oc: number, hw: number[], k: number[], s: number[], d: number[], p: number[], bias: boolean, allZero = false): Case => {
      const out = hw.map((h, i) => convOut(h, k[i]!, s[i]!, d[i]!, p[i]!, p[i + hw.length]!));
      return {
        name, allZero, inputs: [[n, cg * g, ...hw], [oc, cg, ...k], bias ? [oc] : undefined],
        attrs: { group: g, strides: s, dilations: d, pads: p }, output: [n, oc, ...out],
      };
    };
    return [
      conv('1x1 P=35 batch 2', 2, c1, 1, o, [5, 7], [1, 1], [1, 1], [1, 1], [0, 0, 0, 0], true),
      conv('1x1 P=16 no bias', 1, 2 * c1, 1, o, [4, 4], [1, 1], [1, 1], [1, 1], [0, 0, 0, 0], false),
      conv('1x1 P=3', 1, c1, 1, o, [1, 3], [1, 1], [1, 1], [1, 1], [0, 0, 0, 0], true),
      conv('1x1 stride 2', 1, c1, 1, o, [5, 6], [1, 1], [2, 2], [1, 1], [0, 0, 0, 0], true),
      conv('3x3 pad 1', 1, cgk, 1, o, [6, 5], [3, 3], [1, 1], [1, 1], [1, 1, 1, 1], true),
      conv('3x3 stride 2 asym pads', 2, cgk, 1, o, [7, 6], [3, 3], [2, 2], [1, 1], [1, 0, 0, 2], true),
      conv('2x3 dilation 2 strides 2x1', 1, cm === 7 ? 7 : 2 * cm, 1, o, [8, 7], [2, 3], [2, 1], [2, 2], [0, 1, 1, 0], false),
      conv('group 2 3x3 pad 1', 1, cgk, 2, og, [5, 5], [3, 3], [1, 1], [1, 1], [1, 1, 1, 1], true),
      conv('group 2 1x1', 1, c1, 2, og, [3, 5], [1, 1], [1, 1], [1, 1], [0, 0, 0, 0], true),
      conv('1-D k=3 pad 1', 1, cgk, 1, o, [9], [3], [1], [1], [1, 1], true),
      conv('all-zero weight', 1, c1, 1, o, [3, 3], [1, 1], [1, 1], [1, 1], [0, 0, 0, 0], true, true),
    ];
  }
  const k = cm === 1 ? 6 : 2 * cm, n = o;
  if (op === 'Gemm') {
    return [
      { name: 'M=1 transB=0', inputs: [[1, k], [k, n], [n]], attrs: {}, output: [1, n] },
      { name: 'M=5 transB=1 alpha beta C[M,N]', inputs: [[5, k], [n, k], [5, n]], attrs: { transB: 1, alpha: 0.5, beta: 2 }, output: [5, n] },
      { name: 'transA=1 transB=1 C[1,N]', inputs: [[k, 3], [n, k], [1, n]], attrs: { transA: 1, transB: 1, beta: -1 }, output: [3, n] },
      { name: 'transA=1 no C', inputs: [[k, 4], [k, n], undefined], attrs: { transA: 1, alpha: 2 }, output: [4, n] },
      { name: 'all-zero weight', inputs: [[2, k], [n, k], [n]], attrs: { transB: 1 }, output: [2, n], allZero: true },
    ];
  }
  return [
    { name: 'batched [2,3,K]', inputs: [[2, 3, k], [k, n]], attrs: {}, output: [2, 3, n] },
    { name: '1-D A', inputs: [[k], [k, n]], attrs: {}, output: [n] },
    { name: 'M=1', inputs: [[1, k], [k, n]], attrs: {}, output: [1, n] },
    { name: 'all-zero weight', inputs: [[4, k], [k, n]], attrs: {}, output: [4, n], allZero: true },
  ];
}

function epilogueAttrs(k: Kernel): Attrs {
  if (k.epilogue === 'relu') return { spc_activation: 'relu' };
  if (k.epilogue === 'clip') return { spc_activation: 'clip', spc_act_min: -0.5, spc_act_max: 0.7 };
  return {};
}

const TYPED = ['Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array', 'Uint16Array', 'Array'] as const;

/** Runs `fn` with the typed-array and Array constructors replaced by ones that throw. */
function forbidAllocation(fn: () => void): void {
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = TYPED.map((n) => g[n]);
  const trap = new Proxy(function () {}, { construct() { throw new Error('run() allocated'); }, apply() { throw new Error('run() allocated'); }, get() { throw new Error('run() allocated'); } });
  try {
    for (const n of TYPED) g[n] = trap;
    fn();
  } finally {
    TYPED.forEach((n, i) => { g[n] = saved[i]; });
  }
}

function run(k: Kernel, inputs: (TensorView | undefined)[], attrs: Attrs, outShape: readonly number[], noAlloc: boolean): Float32Array {
  const out = new Float32Array(sizeOf(outShape)).fill(Number.NaN);
  const fn = k.prepare({ node: `test-${k.id}`, inputs, outputs: [{ dtype: 'float32', shape: outShape, data: out }], attrs });
  if (noAlloc) forbidAllocation(fn); else fn();
  return out;
}

// Every float sparse kernel of ALL_KERNELS, plus SPARSE_KERNELS while they are not yet part of it
// (the int8 N:M conv and its ref kernel have their own file: wasm-int8-nm.test.ts).
const sparseKernels = [...new Set([...ALL_KERNELS, ...SPARSE_KERNELS])].filter((k) => k.format !== undefined && k.format !== 'dense' && k.op !== 'QLinearConv');

describe('sparse kernel ids', () => {
  it('match KERNEL_ID_PATTERN with <op><format> as the op field and agree with op, format, epilogue, target', () => {
    for (const k of sparseKernels) {
      assert.ok(KERNEL_ID_PATTERN.test(k.id), k.id);
      const parts = k.id.split('-');
      assert.equal(parts[1], k.op.toLowerCase() + k.format!, k.id);
      assert.equal(parts.length === 5 ? parts[2] : '', k.epilogue, k.id);
      assert.equal(parts[parts.length - 1], k.target, k.id);
      assert.deepEqual(k.dtypes, ['float32'], k.id);
    }
  });
});

describe('sparse kernels vs dense ref kernels', () => {
  it('there are csr, nm and bsr kernels for Conv, Gemm and MatMul, ref and js', () => {
    for (const op of ['Conv', 'Gemm', 'MatMul']) {
      for (const f of ['csr', 'nm', 'bsr']) {
        for (const t of ['ref', 'js']) assert.ok(sparseKernels.some((k) => k.op === op && k.format === f && k.target === t), `${op} ${f} ${t}`);
      }
    }
  });

  for (const k of sparseKernels) {
    it(`${k.id} matches the dense ref kernel on every pattern and edge shape, without allocating in run()`, () => {
      const ref = ALL_KERNELS.find((r) => r.target === 'ref' && r.op === k.op && r.epilogue === k.epilogue && (r.format ?? 'dense') === 'dense');
      assert.ok(ref, `no dense ref for ${k.op}/${k.epilogue}`);
      let checked = 0;
      VARIANTS.filter((v) => v.format === k.format).forEach((v, vi) => {
        casesFor(k.op as WeightOp, v.colMult, v.rowMult).forEach((c, ci) => {
          const next = rng(977 * vi + 31 * ci + 7);
          const inputs = c.inputs.map((s) => {
            if (s === undefined) return undefined;
            const data = new Float32Array(sizeOf(s));
            for (let i = 0; i < data.length; i++) data[i] = next();
            return { dtype: 'float32' as const, shape: s, data } as TensorView;
          });
          const wShape = c.inputs[1]!;
          const transB = c.attrs['transB'] === 1;
          const { rows, cols } = weightMatrixShape(k.op as WeightOp, wShape, transB);
          const mat = new Float32Array(rows * cols);
          for (let i = 0; i < mat.length; i++) mat[i] = next();
          prune(v, rows, cols, mat, next, c.allZero === true);
          const packed = pack(v, rows, cols, mat);
          const dense: TensorView = { dtype: 'float32', shape: wShape, data: fromWeightMatrix(k.op as WeightOp, wShape, transB, mat) };
          const sparse: TensorView = { dtype: 'float32', shape: wShape, data: new Float32Array(0), packed };
          const attrs = { ...c.attrs, ...epilogueAttrs(k) };
          const want = run(ref, [inputs[0], dense, ...inputs.slice(2)], attrs, c.output, false);
          const got = run(k, [inputs[0], sparse, ...inputs.slice(2)], attrs, c.output, true);
          for (let i = 0; i < want.length; i++) {
            const e = want[i]!, g = got[i]!;
            if (!(Math.abs(g - e) <= 1e-4 * Math.abs(e) + 1e-5)) {
              assert.fail(`${k.id} vs ${ref.id}, ${v.name}, case '${c.name}': output[${i}] of shape [${c.output}] = ${g}, dense ${e}`);
            }
          }
          checked++;
        });
      });
      assert.ok(checked > 0);
    });
  }

  describe('preconditions', () => {
    const x: TensorView = { dtype: 'float32', shape: [1, 4, 2, 2], data: new Float32Array(16) };
    const w = new Float32Array(8 * 4).fill(1);
    const y = (): TensorView => ({ dtype: 'float32', shape: [1, 8, 2, 2], data: new Float32Array(32) });
    for (const k of sparseKernels.filter((s) => s.op === 'Conv' && s.epilogue === '')) {
      it(`${k.id} rejects a dense weight, another format and a corrupt index structure, naming the node`, () => {
        const dense: TensorView = { dtype: 'float32', shape: [8, 4, 1, 1], data: w };
        assert.throws(() => k.prepare({ node: 'c9', inputs: [x, dense], outputs: [y()], attrs: {} }), (e: unknown) => e instanceof KernelError && /c9/.test(e.message) && /dense weight/.test(e.message));
        const other = k.format === 'csr' ? packBsr(8, 4, w, 4, 1) : packCsr(8, 4, w);
        assert.throws(() => k.prepare({ node: 'c9', inputs: [x, { ...dense, data: new Float32Array(0), packed: other }], outputs: [y()], attrs: {} }), /packed as/);
        const good = k.format === 'csr' ? packCsr(8, 4, w) : k.format === 'nm' ? packNm(8, 4, w.map((v, i) => (i % 2 ? 0 : v)), 2, 4) : packBsr(8, 4, w, 4, 1);
        const bad: PackedWeight = good.format === 'nm'
          ? { ...good, indices: good.indices.map(() => 0xff) }
          : { ...good, colIdx: good.colIdx.map(() => 60000) } as PackedWeight;
        assert.throws(() => k.prepare({ node: 'c9', inputs: [x, { ...dense, data: new Float32Array(0), packed: bad }], outputs: [y()], attrs: {} }), KernelError);
        // And the good one runs.
        k.prepare({ node: 'c9', inputs: [x, { ...dense, data: new Float32Array(0), packed: good }], outputs: [y()], attrs: {} })();
      });
    }
  });
});
