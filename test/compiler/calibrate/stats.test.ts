// Layer input statistics against a naive im2col written here (pads, strides, dilations, groups),
// and the calibration stream handing each layer the pruned upstream network's activations.

import { strict as assert } from 'node:assert';
import type { Node } from '../../../compiler/ir/graph.js';
import { inputStats } from '../../../compiler/calibrate/stats.js';
import type { TensorView } from '../../../runtime/tensor.js';
import { build, ints, int, randomF32 } from '../passes/build.js';
import { streamCalibration } from '../../../compiler/calibrate/stream.js';
import { evaluateGraph } from '../../../compiler/analysis/interpret.js';

/** im2col rows of one group of a 2-D conv, column = (kh·KW + kw)·Cg + ci. */
function naiveRows(x: Float32Array, h: number, w: number, g: number, cg: number, k: number, stride: number, pad: number, dil: number): number[][] {
  const oh = Math.floor((h + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
  const rows: number[][] = [];
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    const row: number[] = [];
    for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) for (let ci = 0; ci < cg; ci++) {
      const y = oy * stride - pad + ky * dil, xx = ox * stride - pad + kx * dil;
      row.push(y < 0 || y >= h || xx < 0 || xx >= w ? 0 : x[((g * cg + ci) * h + y) * w + xx]!);
    }
    rows.push(row);
  }
  return rows;
}

describe('calibrate/stats', () => {
  it('Conv im2col statistics (pads 1, stride 2, dilation 2, 2 groups) equal a naive im2col', () => {
    const node: Node = { name: 'c', op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { group: int(2), pads: ints([1, 1, 1, 1]), strides: ints([2, 2]), dilations: ints([2, 2]) } };
    const samples: TensorView[] = [1, 2].map((s) => randomF32([1, 4, 7, 7], s) as TensorView);
    const outShape = [1, 6, 3, 3];
    const st = inputStats(node, [6, 2, 3, 3], outShape, samples, { full: true });
    assert.equal(st.groups, 2);
    assert.equal(st.cols, 18);
    assert.equal(st.rows, 2 * 9);
    for (let g = 0; g < 2; g++) {
      const rows = samples.flatMap((t) => naiveRows(t.data as Float32Array, 7, 7, g, 2, 3, 2, 1, 2));
      for (let i = 0; i < 18; i++) {
        const sum = rows.reduce((a, r) => a + r[i]!, 0);
        assert.ok(Math.abs(st.sum[g]![i]! - sum) < 1e-9);
        for (let j = 0; j < 18; j++) {
          const want = rows.reduce((a, r) => a + r[i]! * r[j]!, 0);
          assert.ok(Math.abs(st.xtx![g]![i * 18 + j]! - want) < 1e-9, `group ${g} XᵀX[${i},${j}]`);
        }
      }
    }
  });

  it('Conv: sampled rows across several 512-row chunks and samples (every 3rd of 2700), XᵀX and the target Σ(W d)xᵀ equal a naive im2col', () => {
    const node: Node = { name: 'c', op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { pads: ints([1, 1, 1, 1]) } };
    const xs: TensorView[] = [1, 2, 3].map((s) => randomF32([1, 2, 30, 30], s) as TensorView);
    const ds: TensorView[] = [4, 5, 6].map((s) => randomF32([1, 2, 30, 30], s) as TensorView);
    const w = randomF32([3, 18], 7).data as Float32Array;
    const st = inputStats(node, [3, 2, 3, 3], [1, 3, 30, 30], xs, { full: true, denseInputs: ds, weights: w, maxRows: 1000 });
    const pick = (t: TensorView[]) => t.flatMap((v) => naiveRows(v.data as Float32Array, 30, 30, 0, 2, 3, 1, 1, 1)).filter((_, i) => i % 3 === 0);
    const rows = pick(xs), dense = pick(ds);
    assert.equal(st.sampledRows, 900);
    for (let i = 0; i < 18; i++) for (let j = 0; j < 18; j++) {
      const want = rows.reduce((a, r) => a + r[i]! * r[j]!, 0);
      assert.ok(Math.abs(st.xtx![0]![i * 18 + j]! - want) < 1e-9 * (1 + Math.abs(want)), `XᵀX[${i},${j}]`);
    }
    for (let o = 0; o < 3; o++) for (let j = 0; j < 18; j++) {
      const want = rows.reduce((a, r, t) => a + dense[t]!.reduce((y, v, k) => y + w[o * 18 + k]! * v, 0) * r[j]!, 0);
      assert.ok(Math.abs(st.target![0]![o * 18 + j]! - want) < 1e-9 * (1 + Math.abs(want)), `target[${o},${j}]`);
    }
  });

  it('sums: false (SparseGPT without bias correction) leaves the sums out and XᵀX, target and folds bit for bit as with them', () => {
    const conv: Node = { name: 'c', op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { pads: ints([1, 1, 1, 1]) } };
    const xs: TensorView[] = [1, 2, 3, 4].map((s) => randomF32([1, 3, 6, 6], s) as TensorView);
    const ds: TensorView[] = [5, 6, 7, 8].map((s) => randomF32([1, 3, 6, 6], s) as TensorView);
    const w = randomF32([4, 27], 9).data as Float32Array;
    const gemm: Node = { name: 'g', op: 'Gemm', inputs: ['a', 'b'], outputs: ['y'], attrs: { transB: int(1) } };
    const as = [10, 11, 12, 13].map((s) => randomF32([3, 5], s) as TensorView);
    const cases = [
      { node: conv, shape: [4, 3, 3, 3], out: [1, 4, 6, 6], inputs: xs, dense: ds, w },
      { node: gemm, shape: [2, 5], out: [3, 2], inputs: as, dense: as.map((t) => randomF32(t.shape, 20) as TensorView), w: randomF32([2, 5], 21).data as Float32Array },
    ];
    for (const c of cases) {
      const options = { full: true, denseInputs: c.dense, weights: c.w, folds: 2, maxRows: 40 };
      const all = inputStats(c.node, c.shape, c.out, c.inputs, options);
      const bare = inputStats(c.node, c.shape, c.out, c.inputs, { ...options, sums: false });
      assert.deepEqual(bare.sum, []);
      assert.deepEqual(bare.sumSq, []);
      assert.ok(all.sum[0]!.some((v) => v !== 0), 'the sums are there by default');
      assert.equal(bare.rows, all.rows);
      assert.equal(bare.sampledRows, all.sampledRows);
      assert.deepEqual(bare.xtx, all.xtx);
      assert.deepEqual(bare.target, all.target);
      assert.deepEqual(bare.folds, all.folds);
    }
  });

  it('Gemm rows (transA) and the dense target Σ(W d)xᵀ', () => {
    const node: Node = { name: 'g', op: 'Gemm', inputs: ['a', 'b'], outputs: ['y'], attrs: { transA: int(1), transB: int(1) } };
    const a = [randomF32([3, 2], 1), randomF32([3, 2], 2)] as TensorView[];
    const d = [randomF32([3, 2], 3), randomF32([3, 2], 4)] as TensorView[];
    const w = randomF32([2, 3], 5).data as Float32Array;
    const st = inputStats(node, [2, 3], [2, 2], a, { full: true, denseInputs: d, weights: w });
    assert.equal(st.rows, 4);
    const p = new Float64Array(6);
    a.forEach((t, s) => {
      for (let m = 0; m < 2; m++) {
        const x = [0, 1, 2].map((k) => t.data[k * 2 + m] as number);
        const dx = [0, 1, 2].map((k) => d[s]!.data[k * 2 + m] as number);
        for (let o = 0; o < 2; o++) {
          const y = dx.reduce((acc, v, k) => acc + w[o * 3 + k]! * v, 0);
          for (let j = 0; j < 3; j++) p[o * 3 + j] += y * x[j]!;
        }
      }
    });
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(st.target![0]![i]! - p[i]!) < 1e-9);
  });

  it('the stream hands each layer the activations of the network with the earlier layers changed', () => {
    const g = build({
      inputs: { x: ['float32', [1, 4]] },
      consts: { w0: randomF32([4, 4], 1), w1: randomF32([4, 4], 2) },
      nodes: [['MatMul', ['x', 'w0'], ['h']], ['Relu', ['h'], ['r']], ['MatMul', ['r', 'w1'], ['y']]],
      outputs: ['y'],
    });
    const samples = [3, 4, 5].map((s) => ({ x: randomF32([1, 4], s) }));
    const zero = { dtype: 'float32' as const, shape: [4, 4], data: new Float32Array(16) };
    const seen: { node: string; inputs: readonly TensorView[]; dense?: readonly TensorView[] }[] = [];
    streamCalibration(g, { samples, source: 't' }, new Set(['n0', 'n2']), ({ node, inputs, denseInputs }) => {
      seen.push({ node: node.name, inputs, dense: denseInputs });
      return node.name === 'n0' ? { constants: new Map([['w0', zero]]) } : undefined;
    }, { dense: true });
    assert.deepEqual(seen.map((s) => s.node), ['n0', 'n2']);
    // n2 reads relu(x·0) = 0 in the pruned network, relu(x·w0) in the dense one.
    for (const t of seen[1]!.inputs) assert.ok((t.data as Float32Array).every((v) => v === 0));
    samples.forEach((s, i) => {
      // The stream runs the js kernels, the interpreter the ref ones: equal up to rounding.
      const r = (evaluateGraph({ ...g, outputs: ['r'] }, s as Record<string, TensorView>))['r']!;
      const got = seen[1]!.dense![i]!.data as Float32Array;
      (r.data as Float32Array).forEach((v, k) => assert.ok(Math.abs(got[k]! - v) < 1e-6, `sample ${i}[${k}]: ${got[k]} vs ${v}`));
    });
  });
});

describe('calibrate/stream on the wasmsimd kernels', () => {
  it('digits_cnn: every layer input equals the ref interpreter\'s within 1e-5 of its scale, and the wasm kernels ran', async () => {
    const { loadOnnx } = await import('../../../compiler/frontend/load.js');
    const { readSamples } = await import('../../../compiler/calibrate/data.js');
    const { defaultRegistry } = await import('../../../runtime/kernels/index.js');
    const { makeRegistry } = await import('../../../runtime/kernels/kernel.js');
    const { calibrationWasm } = await import('../../../compiler/calibrate/wasm-run.js');
    const corpus = new URL('../../../../../shared/corpus/digits/', import.meta.url);
    const g = loadOnnx(new URL('digits_cnn.onnx', corpus).pathname).graph;
    const set = readSamples(new URL('digits-calib-x.npy', corpus).pathname, g, {});
    const few = { ...set, samples: set.samples.slice(0, 4) };
    const layers = new Set(g.nodes.filter((n) => n.op === 'Conv' || n.op === 'Gemm' || n.op === 'MatMul').map((n) => n.name));
    const grab = (registry: ReturnType<typeof defaultRegistry>): Map<string, Float32Array[]> => {
      const m = new Map<string, Float32Array[]>();
      streamCalibration(g, few, layers, ({ node, inputs }) => { m.set(node.name, inputs.map((t) => Float32Array.from(t.data as Float32Array))); return undefined; }, { registry });
      return m;
    };
    assert.ok(calibrationWasm(), 'this Node runs WebAssembly SIMD128');
    const wasmRuns: string[] = [];
    const registry = makeRegistry([...defaultRegistry().values()].map((k) => (k.target !== 'wasmsimd' ? k : {
      ...k, prepare: (ctx: Parameters<typeof k.prepare>[0]) => { if (ctx.wasm) wasmRuns.push(ctx.node); return k.prepare(ctx); },
    })));
    const fast = grab(registry);
    // The oracle: no js or wasm kernel at all, so every node runs on the ref interpreter.
    const ref = grab(makeRegistry([...defaultRegistry().values()].filter((k) => k.target === 'ref')));
    assert.ok(layers.size >= 3 && fast.size === layers.size);
    for (const [name, samples] of ref) {
      samples.forEach((want, s) => {
        const got = fast.get(name)![s]!;
        let scale = 0;
        for (const v of want) scale = Math.max(scale, Math.abs(v));
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * scale, `${name} sample ${s} [${i}]: ${got[i]} vs ${want[i]}`);
      });
    }
    // The layers after the first read what a wasm Conv/Gemm computed.
    assert.ok(wasmRuns.length >= 4, `wasm kernels ran on ${wasmRuns.join(', ')}`);
  });
});
