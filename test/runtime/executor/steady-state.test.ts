// Acceptance 5 of issue 4: after warm-up, run() allocates nothing. Counted, not timed: every
// ArrayBuffer / SharedArrayBuffer / typed array / DataView / WebAssembly.Memory creation, through
// the global constructors and through the species constructors that slice(), map() and
// subarray() use, plus Memory#grow, while N runs write into caller-provided output arrays.
// Both paths: the interpreter (whose arena object must stay the same one throughout) and the
// generated dispatch module; plain arenas and WebAssembly memory.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import type { CompileOptions } from '../../../compiler/compile.js';
import { Interpreter } from '../../../runtime/executor/interpreter.js';
import { RunError } from '../../../runtime/executor/bind.js';
import { defaultRegistry } from '../../../runtime/kernels/index.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import type { Feed, Model, TensorInfo } from '../../../runtime/index.js';
import { allocArray } from '../../../runtime/tensor.js';
import type { TypedArray } from '../../../runtime/tensor.js';
import { MODELS_DIR } from '../../helpers/corpus.js';
import { readNpy } from '../../helpers/files.js';
import { importDispatch, removeGeneratedDir } from './load-generated.js';

const BUFFERS = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array',
  'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
] as const;

/**
 * Runs `fn` with every buffer, view and WebAssembly.Memory creation counted: the globals are
 * replaced by counting proxies, and so is each prototype's `constructor` (which slice() and
 * friends look up for their species). Memory#grow counts too. Resolves to the counts by name.
 */
async function countAllocations(fn: () => Promise<void>): Promise<Record<string, number>> {
  const g = globalThis as unknown as Record<string, unknown>;
  const counts: Record<string, number> = {};
  const restore: (() => void)[] = [];
  const counting = (name: string, ctor: Function): Function => new Proxy(ctor, {
    construct(target, args, newTarget) {
      counts[name] = (counts[name] ?? 0) + 1;
      return Reflect.construct(target, args, newTarget === proxyOf.get(name) ? target : newTarget);
    },
  });
  const proxyOf = new Map<string, Function>();
  for (const name of BUFFERS) {
    const ctor = g[name] as Function | undefined;
    if (!ctor) continue;
    const proxy = counting(name, ctor);
    proxyOf.set(name, proxy);
    g[name] = proxy;
    const proto = ctor.prototype as { constructor: unknown };
    Object.defineProperty(proto, 'constructor', { value: proxy, writable: true, configurable: true, enumerable: false });
    restore.push(() => {
      g[name] = ctor;
      Object.defineProperty(proto, 'constructor', { value: ctor, writable: true, configurable: true, enumerable: false });
    });
  }
  const Memory = WebAssembly.Memory;
  const memoryProxy = counting('WebAssembly.Memory', Memory);
  proxyOf.set('WebAssembly.Memory', memoryProxy);
  (WebAssembly as { Memory: unknown }).Memory = memoryProxy;
  const grow = Memory.prototype.grow;
  Memory.prototype.grow = function (this: WebAssembly.Memory, delta: number): number {
    counts['WebAssembly.Memory#grow'] = (counts['WebAssembly.Memory#grow'] ?? 0) + 1;
    return grow.call(this, delta);
  };
  restore.push(() => {
    (WebAssembly as { Memory: unknown }).Memory = Memory;
    Memory.prototype.grow = grow;
  });
  try {
    await fn();
  } finally {
    for (const r of restore.reverse()) r();
  }
  return counts;
}

const outputArrays = (outputs: readonly TensorInfo[]): Record<string, TypedArray> =>
  Object.fromEntries(outputs.map((o) => [o.name, allocArray(o.dtype, o.shape.reduce((a, b) => a * b, 1))]));

function feedsOf(name: string): Record<string, Feed> {
  const entry = (JSON.parse(readFileSync(join(MODELS_DIR, 'index.json'), 'utf8')) as { name: string; inputs: { name: string; npy: string }[] }[])
    .find((m) => m.name === name)!;
  return Object.fromEntries(entry.inputs.map((i) => {
    const a = readNpy(join(MODELS_DIR, i.npy));
    return [i.name, { data: a.data, shape: a.shape }];
  }));
}

const N = 5;

describe('steady-state run() allocates nothing', function () {
  this.timeout(300_000);
  after(removeGeneratedDir);

  it('the counter sees allocations: sanity check on slice(), new and a run that returns fresh outputs', async () => {
    const counts = await countAllocations(async () => {
      const a = new Float32Array(4);
      a.slice();
      a.subarray(1);
      new ArrayBuffer(8);
    });
    assert.equal(counts['Float32Array'], 3);
    assert.equal(counts['ArrayBuffer'], 1);
    const r = compileFile(join(MODELS_DIR, 'mlp3.onnx'));
    const interp = await Interpreter.create(parseArtifact(r.artifact), defaultRegistry());
    const feeds = feedsOf('mlp3');
    interp.run(feeds);
    const fresh = await countAllocations(async () => { interp.run(feeds); });
    assert.ok((fresh['Float32Array'] ?? 0) >= 1, `a run returning copies is seen allocating: ${JSON.stringify(fresh)}`);
  });

  const cases: { model: string; options: CompileOptions }[] = [
    { model: 'mlp3', options: {} },
    { model: 'mobilenet_v3_small_w075', options: {} },
    { model: 'transformer_enc2', options: {} },
    { model: 'mobilenet_v2_w050', options: { targets: ['wasmsimd', 'js', 'ref'] } },
    { model: 'mlp3', options: { targets: ['wasmsimd', 'js', 'ref'] } },
    { model: 'squeezenet1_1', options: { targets: ['wasmsimd', 'js', 'ref'], pattern: 'unstructured', sparsity: 0.9 } },
    { model: 'mobilenet_v2_w050', options: { pattern: '2:4', shareRows: 4 } },
    { model: 'resnet10_w32', options: { pattern: 'block:4x1', sparsity: 0.9 } },
    { model: 'mlp3', options: { pattern: 'block:4x1', sparsity: 0.9 } },
  ];
  for (const c of cases) {
    const label = `${c.model}${c.options.targets ? ` (${c.options.targets.join(',')})` : ''}${c.options.pattern ? ` ${c.options.pattern}${c.options.sparsity !== undefined ? ` ${c.options.sparsity}` : ''}${c.options.shareRows ? ` share-rows ${c.options.shareRows}` : ''}` : ''}`;
    it(`${label}: ${N} interpreter runs and ${N} dispatch-module runs into given outputs create no buffer, view or memory; the arena stays the same object`, async () => {
      const r = compileFile(join(MODELS_DIR, `${c.model}.onnx`), c.options);
      const feeds = feedsOf(c.model);
      const interp = await Interpreter.create(parseArtifact(r.artifact), defaultRegistry());
      const arena = interp.arena;
      assert.ok(arena);
      const into = outputArrays(interp.outputs);
      const want = interp.run(feeds);
      interp.run(feeds, { outputs: into }); // warm-up
      const counts = await countAllocations(async () => {
        for (let i = 0; i < N; i++) {
          const out = interp.run(feeds, { outputs: into });
          for (const o of interp.outputs) assert.equal(out[o.name].data, into[o.name]);
        }
      });
      assert.deepEqual(counts, {}, `interpreter run() allocated: ${JSON.stringify(counts)}`);
      assert.equal(interp.arena, arena, 'the arena is the same object after the runs');
      for (const o of interp.outputs) assert.deepEqual(into[o.name], want[o.name].data, `'${o.name}' written into the given array`);

      const mod = await importDispatch(r.dispatch, c.model);
      const model: Model = await mod.load(r.artifact);
      const into2 = outputArrays(model.outputs);
      await model.run(feeds, { outputs: into2 }); // warm-up
      const counts2 = await countAllocations(async () => {
        for (let i = 0; i < N; i++) await model.run(feeds, { outputs: into2 });
      });
      assert.deepEqual(counts2, {}, `dispatch run() allocated: ${JSON.stringify(counts2)}`);
      for (const o of model.outputs) assert.deepEqual(into2[o.name], want[o.name].data, `dispatch '${o.name}'`);
      model.dispose();
      interp.dispose();
      assert.equal(interp.arena, null);
    });
  }

  it('given output arrays are checked: unknown name, wrong dtype, wrong length', async () => {
    const r = compileFile(join(MODELS_DIR, 'mlp3.onnx'));
    const interp = await Interpreter.create(parseArtifact(r.artifact), defaultRegistry());
    const feeds = feedsOf('mlp3');
    const name = interp.outputs[0].name;
    assert.throws(() => interp.run(feeds, { outputs: { nope: new Float32Array(10) } }), (e: Error) => e instanceof RunError && /unknown output 'nope'/.test(e.message));
    assert.throws(() => interp.run(feeds, { outputs: { [name]: new Float64Array(10) } }), (e: Error) => e instanceof RunError && /expected a float32 array, got float64/.test(e.message));
    assert.throws(() => interp.run(feeds, { outputs: { [name]: new Float32Array(9) } }), (e: Error) => e instanceof RunError && /expected 10 elements/.test(e.message));
  });
});
