// Binding tells each kernel which of its inputs are weights (KernelContext.constants, from the
// artifact's tensor kinds), so a kernel may pack them once at prepare. Oracle: the artifact's own
// tensor table, read beside a registry whose kernels record the context they were prepared with.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import { bindArtifact } from '../../../runtime/executor/bind.js';
import type { Kernel, KernelContext, KernelRegistry } from '../../../runtime/kernels/kernel.js';
import { defaultRegistry } from '../../../runtime/kernels/index.js';
import { createWasmSpace, wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';

/** The default registry with every kernel recording the context of each prepare into `seen`, by node name. */
function recording(seen: Map<string, KernelContext>): KernelRegistry {
  const spy = (k: Kernel): Kernel => ({ ...k, prepare: (ctx) => { seen.set(ctx.node, ctx); return k.prepare(ctx); } });
  return new Map([...defaultRegistry()].map(([id, k]) => [id, spy(k)]));
}

describe('binding marks weight inputs constant', function () {
  this.timeout(300_000);

  for (const targets of [['js', 'ref'], ['wasmsimd', 'js', 'ref']] as const) {
    it(`every node's constants say which inputs are weights, with ${targets[0]} kernels`, async function () {
      if (targets[0] === 'wasmsimd' && !wasmSimdAvailable()) this.skip();
      const { contents: a } = compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { targets });
      const seen = new Map<string, KernelContext>();
      await bindArtifact(a, recording(seen), createWasmSpace);
      let weights = 0;
      for (const n of a.nodes) {
        const ctx = seen.get(n.name);
        assert.ok(ctx, `node '${n.name}' was prepared`);
        const want = n.inputs.map((t) => t >= 0 && a.tensors[t]!.kind === 'weight');
        assert.deepEqual(ctx.constants, want, `node '${n.name}' (${n.kernel})`);
        weights += want.filter(Boolean).length;
      }
      assert.ok(weights >= 4, 'the model has weighted nodes (conv and fc weights and biases)');
      assert.ok(a.nodes.some((n) => n.inputs[0]! >= 0 && a.tensors[n.inputs[0]!]!.kind !== 'weight'), 'and activations marked not constant');
    });
  }
});
