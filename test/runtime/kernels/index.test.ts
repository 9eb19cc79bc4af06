// The kernel enumerator (runtime/kernels/index.ts) against the files themselves: every module
// KERNEL_MODULES names really exports, under each listed name, the very kernel objects listed
// (imported here by path, as a generated dispatch module imports them), and no kernel file
// exports a kernel the enumerator leaves out.

import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ALL_KERNELS, KERNEL_MODULES } from '../../../runtime/kernels/index.js';
import type { Kernel } from '../../../runtime/kernels/kernel.js';

/** dist/runtime/kernels: the compiled kernel files, beside this test's dist/test/runtime/kernels. */
const KERNELS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'runtime', 'kernels');
const importKernelModule = async (module: string): Promise<Record<string, unknown>> =>
  await import(pathToFileURL(join(KERNELS_DIR, `${module}.js`)).href) as Record<string, unknown>;

const isKernel = (v: unknown): v is Kernel => typeof v === 'object' && v !== null && typeof (v as Kernel).id === 'string' && typeof (v as Kernel).prepare === 'function';
const kernelsIn = (v: unknown): Kernel[] => isKernel(v) ? [v] : Array.isArray(v) && v.every(isKernel) ? v as Kernel[] : [];

describe('kernel enumerator', () => {
  it('each listed module exports each listed name with exactly the listed kernel objects', async () => {
    for (const [module, exports] of Object.entries(KERNEL_MODULES)) {
      const ns = await importKernelModule(module);
      for (const [name, listed] of Object.entries(exports)) {
        assert.ok(name in ns, `${module} does not export ${name}`);
        assert.equal(ns[name], listed, `${module}#${name} is not the object the enumerator lists`);
      }
    }
  });

  it('lists every kernel object once', () => {
    assert.equal(new Set(ALL_KERNELS).size, ALL_KERNELS.length, 'a kernel object listed twice');
  });

  it('no kernel file under ref/, js/ or wasm/ exports a kernel of its own folder that the enumerator leaves out', async () => {
    const folderOf: Record<Kernel['target'], string> = { ref: 'ref', js: 'js', wasmsimd: 'wasm' };
    const missing: string[] = [];
    for (const folder of ['ref', 'js', 'wasm']) {
      for (const file of readdirSync(join(KERNELS_DIR, folder)).filter((f) => f.endsWith('.js')).sort()) {
        const ns = await importKernelModule(`${folder}/${file.slice(0, -3)}`);
        for (const [name, v] of Object.entries(ns)) {
          for (const k of kernelsIn(v)) {
            if (folderOf[k.target] === folder && !ALL_KERNELS.includes(k)) missing.push(`${folder}/${file}#${name}: ${k.id}`);
          }
        }
      }
    }
    assert.deepEqual(missing, []);
  });
});
