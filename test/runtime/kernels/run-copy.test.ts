// Slice and Transpose copy their contiguous runs with copyWithin when input and output share a
// buffer (the model's arena, WebAssembly memory) and with set() otherwise (common/run-copy.ts):
// both paths against the ref kernels on runs of 8+ elements, float32 and int64, and nothing
// outside the output view is written.

import { strict as assert } from 'node:assert';
import type { Kernel } from '../../../runtime/kernels/kernel.js';
import type { TensorView } from '../../../runtime/tensor.js';
import { ALL_KERNELS } from '../../../runtime/kernels/index.js';

const kernel = (id: string): Kernel => ALL_KERNELS.find((k) => k.id === id)!;
const i32 = (v: number[]): TensorView => ({ dtype: 'int32', shape: [v.length], data: Int32Array.from(v) });

interface Case { readonly op: 'Slice' | 'Transpose'; readonly x: number[]; readonly y: number[]; readonly extra: TensorView[]; readonly attrs: Record<string, unknown> }

const CASES: Case[] = [
  // transformer_enc2's q/k/v split of [32, 1, 384] along the last axis, and a middle-axis slice.
  { op: 'Slice', x: [32, 1, 384], y: [32, 1, 128], extra: [i32([128]), i32([256]), i32([-1])], attrs: {} },
  { op: 'Slice', x: [3, 10, 9], y: [3, 4, 9], extra: [i32([2]), i32([6]), i32([1])], attrs: {} },
  // head split [32, 4, 32] → [4, 32, 32] (runs of 32) and [2, 3, 5, 8] → [3, 2, 5, 8] (runs of 40).
  { op: 'Transpose', x: [32, 4, 32], y: [4, 32, 32], extra: [], attrs: { perm: [1, 0, 2] } },
  { op: 'Transpose', x: [2, 3, 5, 8], y: [3, 2, 5, 8], extra: [], attrs: { perm: [1, 0, 2, 3] } },
];

function run(k: Kernel, c: Case, x: TensorView, y: TensorView): void {
  k.prepare({ node: 'n', inputs: [x, ...c.extra], outputs: [y], attrs: c.attrs as never })();
}

const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);

describe('js Slice and Transpose copy runs (shared buffer and separate buffers)', () => {
  for (const c of CASES) {
    for (const dtype of ['float32', 'int64'] as const) {
      it(`${c.op} [${c.x}] → [${c.y}] ${dtype}: js in one buffer and in two equals ref`, () => {
        const nx = size(c.x), ny = size(c.y);
        const make = (buf: ArrayBuffer, off: number, n: number): Float32Array | BigInt64Array =>
          dtype === 'float32' ? new Float32Array(buf, off * 4, n) : new BigInt64Array(buf, off * 8, n);
        const bpe = dtype === 'float32' ? 4 : 8;
        const fill = (a: Float32Array | BigInt64Array): void => { for (let i = 0; i < a.length; i++) a[i] = (dtype === 'float32' ? i * 0.5 - 3 : BigInt(i * 7 - 5)) as never; };
        const refX = make(new ArrayBuffer(nx * bpe), 0, nx), refY = make(new ArrayBuffer(ny * bpe), 0, ny);
        fill(refX);
        run(kernel(`any-${c.op.toLowerCase()}-1x1-ref`), c, { dtype, shape: c.x, data: refX }, { dtype, shape: c.y, data: refY });
        // One buffer: a guard element before y, x, a guard, y, a guard after.
        const shared = new ArrayBuffer((nx + ny + 3) * bpe);
        const x1 = make(shared, 1, nx), y1 = make(shared, nx + 2, ny);
        fill(x1);
        const guards = dtype === 'float32' ? new Float32Array(shared) : new BigInt64Array(shared);
        const sentinel = (dtype === 'float32' ? 1234.5 : 1234n) as never;
        guards[0] = sentinel; guards[nx + 1] = sentinel; guards[nx + ny + 2] = sentinel;
        run(kernel(`any-${c.op.toLowerCase()}-1x1-js`), c, { dtype, shape: c.x, data: x1 }, { dtype, shape: c.y, data: y1 });
        assert.deepEqual(Array.from(y1 as ArrayLike<unknown>), Array.from(refY as ArrayLike<unknown>), 'shared buffer');
        assert.deepEqual([guards[0], guards[nx + 1], guards[nx + ny + 2]], [sentinel, sentinel, sentinel], 'nothing outside y written');
        const x2 = make(new ArrayBuffer(nx * bpe), 0, nx), y2 = make(new ArrayBuffer(ny * bpe), 0, ny);
        fill(x2);
        run(kernel(`any-${c.op.toLowerCase()}-1x1-js`), c, { dtype, shape: c.x, data: x2 }, { dtype, shape: c.y, data: y2 });
        assert.deepEqual(Array.from(y2 as ArrayLike<unknown>), Array.from(refY as ArrayLike<unknown>), 'separate buffers');
      });
    }
  }
});
