// Every js kernel in DENSE_KERNELS against the ref kernel of the same op and epilogue, on seeded
// random data over edge shapes. Tolerance: |js − ref| <= 1e-4·|ref| + 1e-4 (float32
// accumulation order differs; inputs are uniform in [−1, 1], K <= 54).

import { strict as assert } from 'node:assert';
import type { TensorView } from '../../../runtime/tensor.js';
import { allocArray, sizeOf } from '../../../runtime/tensor.js';
import type { DType } from '../../../runtime/tensor.js';
import type { Attrs, Kernel } from '../../../runtime/kernels/kernel.js';
import { ALL_KERNELS } from '../../../runtime/kernels/index.js';

/** Kernels on dense weights; the packed-weight kernels have their own tests (sparse-kernels.test.ts). */
const DENSE_KERNELS = ALL_KERNELS.filter((k) => (k.format ?? 'dense') === 'dense');
import { edgeCasesFor } from './edge-cases.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function randomView(shape: readonly number[], next: () => number): TensorView {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = next();
  return { dtype: 'float32', shape, data };
}

function typedView(dtype: DType, shape: readonly number[], values: readonly number[]): TensorView {
  const data = allocArray(dtype, values.length) as { [i: number]: number | bigint };
  values.forEach((v, j) => { data[j] = dtype === 'int64' ? BigInt(v) : v; });
  return { dtype, shape, data: data as unknown as TensorView['data'] };
}

function epilogueAttrs(k: Kernel): Attrs {
  if (k.epilogue === 'relu') return { spc_activation: 'relu' };
  if (k.epilogue === 'clip') return { spc_activation: 'clip', spc_act_min: -0.5, spc_act_max: 0.7 };
  return {};
}

function run(k: Kernel, inputs: (TensorView | undefined)[], attrs: Attrs, outShape: readonly number[], outDtype: DType = 'float32'): ArrayLike<number> {
  // Poison the output so a kernel that skips cells cannot pass by inheriting zeros.
  const out = allocArray(outDtype, sizeOf(outShape));
  if (out instanceof BigInt64Array) out.fill(-1n);
  else (out as Float32Array).fill(outDtype === 'float32' || outDtype === 'float64' ? Number.NaN : 7);
  k.prepare({ node: `test-${k.id}`, inputs, outputs: [{ dtype: outDtype, shape: outShape, data: out }], attrs })();
  return Float64Array.from(out as ArrayLike<number | bigint>, Number);
}

const jsKernels = DENSE_KERNELS.filter((k) => k.target === 'js');

describe('js kernels vs ref kernels', () => {
  it('there are js kernels', () => assert.ok(jsKernels.length > 0));
  for (const k of jsKernels) {
    describe(k.id, () => {
      const ref = DENSE_KERNELS.find((r) => r.target === 'ref' && r.op === k.op && r.epilogue === k.epilogue
        && (r.dtypes === 'any' || r.dtypes.includes('float32')));
      const cases = edgeCasesFor(k.op, k.id);
      it('has a ref kernel and edge cases', () => {
        assert.ok(ref, `no ref kernel for ${k.op} epilogue '${k.epilogue}'`);
        assert.ok(cases && cases.length > 0, `no edge cases for op ${k.op}: add them to edge-cases.ts`);
      });
      if (!ref || !cases) return;
      it(`matches ${ref.id} on ${cases.length} edge cases`, () => {
        cases.forEach((c, ci) => {
          const next = rng(1234 + ci);
          const inputs = c.inputs.map((s, i): TensorView | undefined => {
            const ints = c.int64Inputs?.[i];
            if (ints) return { dtype: 'int64', shape: s ?? [ints.length], data: BigInt64Array.from(ints, BigInt) };
            const typed = c.typedInputs?.[i];
            if (typed) return typedView(typed.dtype, s ?? [typed.values.length], typed.values);
            return s === undefined ? undefined : randomView(s, next);
          });
          const attrs = { ...c.attrs, ...epilogueAttrs(k) };
          const want = run(ref, inputs, attrs, c.output, c.outputDtype);
          const got = run(k, inputs, attrs, c.output, c.outputDtype);
          for (let i = 0; i < want.length; i++) {
            const e = want[i]!, g = got[i]!;
            if (!(g === e || Math.abs(g - e) <= 1e-4 * Math.abs(e) + 1e-4 || (Number.isNaN(g) && Number.isNaN(e)))) {
              assert.fail(`${k.id} vs ${ref.id}, case '${c.name}': output[${i}] of shape [${c.output}] = ${g}, ref ${e}`);
            }
          }
        });
      });
    });
  }
});
