// The bind path reads a clock only when its caller passes one: loadModel does (the storage codec's
// expansion time), while bindArtifact without a clock, bindArtifactSync and a whole compile (the
// writer binds what it wrote) never do. Oracles: a clock that throws when spc's code reads it, and
// a clock that advances 5 ms per reading (two readings per expanded weight: ms = 5 × weights).

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import type { CompileResult } from '../../../compiler/compile.js';
import { bindArtifact, bindArtifactSync } from '../../../runtime/executor/bind.js';
import { defaultRegistry } from '../../../runtime/kernels/index.js';
import { createWasmSpace, wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import { loadModel } from '../../../runtime/index.js';
import type { LoadedArtifact } from '../../../runtime/loader/model.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');
// js and ref kernels only: both 2:4 layers (conv2, fc1) run dense kernels over their nm storage.
const OPTIONS = { pattern: '2:4', targets: ['js', 'ref'] } as const;

/**
 * Runs `f` with performance.now and Date.now throwing when spc's code (compiler/ or runtime/)
 * reads them; other readers (mocha, node internals) get the real clock.
 */
async function withThrowingClock<T>(f: () => T | Promise<T>): Promise<T> {
  const perf = performance.now, date = Date.now;
  const guard = (real: () => number) => (): number => {
    const caller = new Error().stack?.split('\n')[2] ?? '';
    if (/[\\/](compiler|runtime)[\\/]/.test(caller) && !/node_modules/.test(caller)) throw new Error(`spc read the clock: ${caller.trim()}`);
    return real();
  };
  performance.now = guard(perf.bind(performance));
  Date.now = guard(date);
  try {
    return await f();
  } finally {
    performance.now = perf;
    Date.now = date;
  }
}

/** The artifact with its dense js kernels swapped for the wasmsimd ones (the createSpace path of bindArtifact). */
function onWasm(a: LoadedArtifact): LoadedArtifact {
  const wasm: Readonly<Record<string, string>> = { 'f32-conv-relu-4x1-js': 'f32-conv-relu-4x8-wasmsimd', 'f32-gemm-relu-4x4-js': 'f32-gemm-relu-4x8-wasmsimd' };
  return { ...a, nodes: a.nodes.map((n) => (wasm[n.kernel] ? { ...n, kernel: wasm[n.kernel]! } : n)) };
}

describe('binding reads a clock only when given one', function () {
  this.timeout(300_000);
  let r: CompileResult;
  before(() => { r = compileFile(CNN, OPTIONS); });

  it('the fixture expands two weights at bind (conv2 and fc1 stored nm, read dense)', () => {
    assert.deepEqual(r.contents.tensors.filter((t) => t.kernelLayout === 'dense').map((t) => t.packed?.format), ['nm', 'nm']);
  });

  it('a compile whose artifact expands weights reads no clock (the writer binds it back), and writes the same bytes', async () => {
    const again = await withThrowingClock(() => compileFile(CNN, OPTIONS));
    assert.ok(Buffer.from(again.artifact).equals(Buffer.from(r.artifact)));
  });

  it('bindArtifact without a clock, with and without WebAssembly memory, and bindArtifactSync: no clock read, no ms', async function () {
    const registry = defaultRegistry();
    const plain = await withThrowingClock(() => bindArtifact(r.contents, registry));
    assert.deepEqual(plain.expanded, { weights: 2, bytes: plain.expanded.bytes });
    assert.ok(plain.expanded.bytes > 0);
    assert.equal((await withThrowingClock(() => bindArtifactSync(r.contents, registry))).expanded.ms, undefined);
    if (!wasmSimdAvailable()) this.skip();
    const wasm = onWasm(r.contents);
    assert.ok(wasm.nodes.filter((n) => n.kernel.endsWith('-wasmsimd')).length >= 2, 'the expanded layers run wasmsimd kernels');
    const inWasm = await withThrowingClock(() => bindArtifact(wasm, registry, createWasmSpace));
    assert.equal(inWasm.wasmsimd, true);
    assert.deepEqual(inWasm.expanded, { weights: 2, bytes: plain.expanded.bytes });
  });

  it('bindArtifact with a clock times each expansion with it (5 ms a reading: 2 weights, 10 ms)', async () => {
    let t = 0;
    const b = await bindArtifact(r.contents, defaultRegistry(), undefined, () => (t += 5));
    assert.equal(b.expanded.ms, 10);
    assert.equal(t, 20, 'two readings per expanded weight, none elsewhere');
  });

  it('loadModel times the expansion with the real clock', async () => {
    const m = await loadModel(r.artifact);
    try {
      assert.equal(m.expanded?.weights, 2);
      assert.ok(typeof m.expanded?.ms === 'number' && m.expanded.ms >= 0, `ms ${m.expanded?.ms}`);
    } finally {
      m.dispose();
    }
  });
});
