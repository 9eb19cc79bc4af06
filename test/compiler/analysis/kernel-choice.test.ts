// Kernel selection between a pruned weight's sparse kernels and the dense ones: a sparse
// kernel on a slower target loses to a dense kernel on a faster one, and the reason says so.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import { MODELS_DIR } from '../../helpers/corpus.js';

describe('kernel choice for pruned weights', function () {
  this.timeout(120_000);
  const path = join(MODELS_DIR, 'resnet10_w32.onnx');

  it('with js first, every pruned 3×3 conv runs its packed CSR kernel', () => {
    const r = compileFile(path, { pattern: 'unstructured', sparsity: 0.9 });
    const packed = r.contents.tensors.filter((t) => t.packed).map((t) => t.name);
    assert.equal(packed.length, 10);
    for (const n of r.contents.nodes.filter((x) => packed.includes(r.contents.tensors[x.inputs[1]]?.name))) {
      assert.match(n.kernel, /^f32-convcsr(-relu)?-8x1-js$/, n.name);
    }
  });

  it('with wasmsimd first, every pruned conv (3×3 and strided 1×1) runs the wasmsimd CSR kernel, stored packed', () => {
    const r = compileFile(path, { pattern: 'unstructured', sparsity: 0.9, targets: ['wasmsimd', 'js', 'ref'] });
    const packed = r.contents.nodes.filter((n) => r.contents.tensors[n.inputs[1]]?.packed);
    assert.equal(packed.length, 10);
    for (const n of packed) assert.match(n.kernel, /^f32-convcsr(-relu)?-24x1-wasmsimd$/, n.name);
  });

  it('with wasmsimd first, a 1×1 conv keeps its wasmsimd CSR kernel (mobilenet)', () => {
    const r = compileFile(join(MODELS_DIR, 'mobilenet_v2_w050.onnx'), { pattern: 'unstructured', sparsity: 0.9, targets: ['wasmsimd', 'js', 'ref'] });
    assert.ok(r.contents.nodes.some((n) => /^f32-convcsr(-clip)?-24x1-wasmsimd$/.test(n.kernel)));
  });
});
