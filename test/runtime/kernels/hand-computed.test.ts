// Hand-computed cases per op family (expected numbers worked out by hand in the comments),
// run on every kernel of the op in DENSE_KERNELS, plus the precondition errors kernels raise.

import { strict as assert } from 'node:assert';
import type { DType, TensorView } from '../../../runtime/tensor.js';
import { allocArray, sizeOf } from '../../../runtime/tensor.js';
import type { Attrs } from '../../../runtime/kernels/kernel.js';
import { KernelError } from '../../../runtime/kernels/kernel.js';
import { ALL_KERNELS } from '../../../runtime/kernels/index.js';

/** Kernels on dense weights; the packed-weight kernels have their own tests (sparse-kernels.test.ts). */
const DENSE_KERNELS = ALL_KERNELS.filter((k) => (k.format ?? 'dense') === 'dense');

const f32 = (shape: number[], v: number[]): TensorView => ({ dtype: 'float32', shape, data: Float32Array.from(v) });
const i64 = (shape: number[], v: number[]): TensorView => ({ dtype: 'int64', shape, data: BigInt64Array.from(v.map(BigInt)) });
const i32 = (shape: number[], v: number[]): TensorView => ({ dtype: 'int32', shape, data: Int32Array.from(v) });

function runAll(op: string, epilogue: '' | 'relu' | 'clip', inputs: (TensorView | undefined)[], attrs: Attrs,
  outs: { dtype: DType; shape: number[] }[], check: (got: TensorView[], id: string) => void): void {
  // Kernels whose supports() declines the node are not run on it (selection would not pick them).
  const kernels = DENSE_KERNELS.filter((k) => k.op === op && k.epilogue === epilogue
    && (k.dtypes === 'any' || k.dtypes.includes(inputs[0]!.dtype))
    && (k.supports === undefined || k.supports({ inputs, outputs: outs, attrs })));
  assert.ok(kernels.length > 0, `no kernel for ${op}`);
  for (const k of kernels) {
    const views = outs.map((o) => ({ ...o, data: allocArray(o.dtype, sizeOf(o.shape)) }));
    k.prepare({ node: 'hand', inputs, outputs: views, attrs })();
    check(views, k.id);
  }
}

const close = (got: TensorView, want: number[], id: string): void => {
  const g = Array.from(got.data as Float32Array);
  assert.equal(g.length, want.length, id);
  g.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-5 * Math.abs(want[i]!) + 1e-6, `${id}: [${i}] = ${v}, expected ${want[i]}`));
};

describe('hand-computed kernel cases', () => {
  // x = 1..9 as 3×3, w = [[1,2],[3,4]], bias 0.5:
  // y00 = 1+4+12+20 = 37, y01 = 2+6+15+24 = 47, y10 = 4+10+21+32 = 67, y11 = 5+12+24+36 = 77.
  const x = f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const w = f32([1, 1, 2, 2], [1, 2, 3, 4]);
  const b = f32([1], [0.5]);
  it('Conv 2×2 on 3×3 with bias', () => {
    runAll('Conv', '', [x, w, b], {}, [{ dtype: 'float32', shape: [1, 1, 2, 2] }], (g, id) => close(g[0]!, [37.5, 47.5, 67.5, 77.5], id));
  });
  it('Conv with fused clip [40, 70]', () => {
    runAll('Conv', 'clip', [x, w, b], { spc_activation: 'clip', spc_act_min: 40, spc_act_max: 70 }, [{ dtype: 'float32', shape: [1, 1, 2, 2] }],
      (g, id) => close(g[0]!, [40, 47.5, 67.5, 70], id));
  });
  it('Conv pads 1, stride 2 (corners of the padded 3×3 output)', () => {
    // Output (2,2): windows at input rows/cols {-1,0}, {1,2}: y00 = 4·1 = 4, y01 = 3·2 + 4·3 = 18,
    // y10 = 2·4 + 4·7 = 36, y11 = 1·5 + 2·6 + 3·8 + 4·9 = 77.
    runAll('Conv', '', [x, w, undefined], { pads: [1, 1, 0, 0], strides: [2, 2] }, [{ dtype: 'float32', shape: [1, 1, 2, 2] }],
      (g, id) => close(g[0]!, [4, 18, 36, 77], id));
  });
  it('Gemm: [[1,2],[3,4]]·[[5,6],[7,8]] + 2·[1,−1]', () => {
    // AB = [[19,22],[43,50]]; + [2,−2] per row.
    runAll('Gemm', '', [f32([2, 2], [1, 2, 3, 4]), f32([2, 2], [5, 6, 7, 8]), f32([2], [1, -1])], { beta: 2 },
      [{ dtype: 'float32', shape: [2, 2] }], (g, id) => close(g[0]!, [21, 20, 45, 48], id));
  });
  it('Gemm transB with relu', () => {
    // A·Bᵀ with B = [[5,7],[−6,−8]]: [[19,−22],[43,−50]] → relu.
    runAll('Gemm', 'relu', [f32([2, 2], [1, 2, 3, 4]), f32([2, 2], [5, 7, -6, -8])], { transB: 1, spc_activation: 'relu' },
      [{ dtype: 'float32', shape: [2, 2] }], (g, id) => close(g[0]!, [19, 0, 43, 0], id));
  });
  it('MatMul 1-D · 2-D', () => {
    // [1,2,3] · [[1,0],[0,1],[1,1]] = [4, 5]
    runAll('MatMul', '', [f32([3], [1, 2, 3]), f32([3, 2], [1, 0, 0, 1, 1, 1])], {}, [{ dtype: 'float32', shape: [2] }], (g, id) => close(g[0]!, [4, 5], id));
  });
  const grid = f32([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i));
  it('MaxPool 2×2 stride 2 on 0..15 (with Indices on the ref kernel)', () => {
    runAll('MaxPool', '', [grid], { kernel_shape: [2, 2], strides: [2, 2] }, [{ dtype: 'float32', shape: [1, 1, 2, 2] }], (g, id) => close(g[0]!, [5, 7, 13, 15], id));
    runAll('MaxPool', '', [grid], { kernel_shape: [2, 2], strides: [2, 2] },
      [{ dtype: 'float32', shape: [1, 1, 2, 2] }, { dtype: 'int64', shape: [1, 1, 2, 2] }], (g) => assert.deepEqual(Array.from(g[1]!.data as ArrayLike<unknown>), [5n, 7n, 13n, 15n]));
  });
  it('AveragePool 3×3 pad 1 on 2×2, with and without count_include_pad', () => {
    const small = f32([1, 1, 2, 2], [1, 2, 3, 4]);
    const attrs = { kernel_shape: [3, 3], pads: [1, 1, 1, 1] };
    runAll('AveragePool', '', [small], attrs, [{ dtype: 'float32', shape: [1, 1, 2, 2] }], (g, id) => close(g[0]!, [2.5, 2.5, 2.5, 2.5], id));
    runAll('AveragePool', '', [small], { ...attrs, count_include_pad: 1 }, [{ dtype: 'float32', shape: [1, 1, 2, 2] }], (g, id) => close(g[0]!, [10 / 9, 10 / 9, 10 / 9, 10 / 9], id));
  });
  it('GlobalAveragePool', () => {
    runAll('GlobalAveragePool', '', [grid], {}, [{ dtype: 'float32', shape: [1, 1, 1, 1] }], (g, id) => close(g[0]!, [7.5], id));
  });
  it('Div truncates toward zero on int64 and int32', () => {
    const want = [3, -3, -3, 3];
    runAll('Div', '', [i64([4], [7, -7, 7, -7]), i64([4], [2, 2, -2, -2])], {}, [{ dtype: 'int64', shape: [4] }], (g) => assert.deepEqual(Array.from(g[0]!.data as ArrayLike<unknown>), want.map(BigInt)));
    runAll('Div', '', [i32([4], [7, -7, 7, -7]), i32([4], [2, 2, -2, -2])], {}, [{ dtype: 'int32', shape: [4] }], (g) => assert.deepEqual(Array.from(g[0]!.data as ArrayLike<unknown>), want));
  });
  it('Add int32 with broadcasting, Sub int64', () => {
    runAll('Add', '', [i32([2, 2], [1, 2, 3, 4]), i32([2], [10, 20])], {}, [{ dtype: 'int32', shape: [2, 2] }], (g) => assert.deepEqual(Array.from(g[0]!.data as ArrayLike<unknown>), [11, 22, 13, 24]));
    runAll('Sub', '', [i64([1], [5]), i64([3], [1, 2, 9])], {}, [{ dtype: 'int64', shape: [3] }], (g) => assert.deepEqual(Array.from(g[0]!.data as ArrayLike<unknown>), [4n, 3n, -4n]));
  });
  it('Slice with a negative step and clamped ends', () => {
    // x = 0..9, start −1 (9), end −100 (clamped to before 0), step −3: 9, 6, 3, 0
    runAll('Slice', '', [f32([10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), i64([1], [-1]), i64([1], [-100]), undefined, i64([1], [-3])], {},
      [{ dtype: 'float32', shape: [4] }], (g, id) => close(g[0]!, [9, 6, 3, 0], id));
  });
  it('Gather with negative int32 indices', () => {
    runAll('Gather', '', [f32([3], [10, 20, 30]), i32([2], [-1, 0])], {}, [{ dtype: 'float32', shape: [2] }], (g, id) => close(g[0]!, [30, 10], id));
  });
  it('Softmax, Clip, HardSigmoid, Transpose', () => {
    const e = [1, Math.E, Math.E ** 2], s = e[0]! + e[1]! + e[2]!;
    runAll('Softmax', '', [f32([3], [1, 2, 3])], {}, [{ dtype: 'float32', shape: [3] }], (g, id) => close(g[0]!, e.map((v) => v / s), id));
    runAll('Clip', '', [f32([3], [-2, 0.5, 9]), f32([], [0]), f32([], [6])], {}, [{ dtype: 'float32', shape: [3] }], (g, id) => close(g[0]!, [0, 0.5, 6], id));
    runAll('HardSigmoid', '', [f32([3], [-5, 0, 1])], {}, [{ dtype: 'float32', shape: [3] }], (g, id) => close(g[0]!, [0, 0.5, 0.7], id));
    runAll('Transpose', '', [f32([2, 3], [1, 2, 3, 4, 5, 6])], {}, [{ dtype: 'float32', shape: [3, 2] }], (g, id) => close(g[0]!, [1, 4, 2, 5, 3, 6], id));
  });
  it('ReduceMean over axis 1 without keepdims (opset 18 axes input)', () => {
    runAll('ReduceMean', '', [f32([2, 3], [1, 2, 3, 4, 5, 6]), i64([1], [1])], { keepdims: 0 }, [{ dtype: 'float32', shape: [2] }], (g, id) => close(g[0]!, [2, 5], id));
  });

  describe('preconditions', () => {
    for (const k of DENSE_KERNELS.filter((x) => x.op === 'Conv')) {
      it(`${k.id} rejects a wrong output shape and a mismatched spc_activation, naming the node`, () => {
        const attrs: Attrs = k.epilogue === '' ? {} : { spc_activation: k.epilogue };
        const bad = { dtype: 'float32' as const, shape: [1, 1, 3, 3], data: new Float32Array(9) };
        assert.throws(() => k.prepare({ node: 'conv_7', inputs: [x, w, b], outputs: [bad], attrs }), (e: unknown) => e instanceof KernelError && /conv_7/.test(e.message) && e.message.includes(k.id));
        const good = { dtype: 'float32' as const, shape: [1, 1, 2, 2], data: new Float32Array(4) };
        const wrongAct: Attrs = { spc_activation: k.epilogue === 'relu' ? 'clip' : 'relu' };
        assert.throws(() => k.prepare({ node: 'conv_7', inputs: [x, w, b], outputs: [good], attrs: wrongAct }), /spc_activation/);
      });
    }
    it('Gather rejects an out-of-range index at run time', () => {
      const k = DENSE_KERNELS.find((x) => x.op === 'Gather')!;
      const run = k.prepare({ node: 'g', inputs: [f32([3], [1, 2, 3]), i64([1], [3])], outputs: [{ dtype: 'float32', shape: [1], data: new Float32Array(1) }], attrs: {} });
      assert.throws(run, KernelError);
    });
  });
});
