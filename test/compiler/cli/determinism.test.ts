// Reproducible output: the same model and options give the same bytes (artifact, dispatch
// module, emitted ONNX) from different folders, working directories and path spellings, and
// the outputs carry no path, host or user name (a --config file is recorded by its base name).

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join, relative } from 'node:path';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { BIN } from '../../helpers/cli.js';

const OUTPUTS = ['digits_cnn.spm', 'digits_cnn.dispatch.ts', 'pruned.onnx'];

/** Copies the model and calibration data under `root/<sub>` and compiles from `cwd`, naming paths relative to it. */
function compileAt(root: string, sub: string, cwd: string): Map<string, Buffer> {
  const dir = join(root, sub);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(DIGITS_DIR, 'digits_cnn.onnx'), join(dir, 'digits_cnn.onnx'));
  copyFileSync(join(DIGITS_DIR, 'digits-calib-x.npy'), join(dir, 'calib.npy'));
  // A config whose rule applies: its note names the file in the artifact.
  writeFileSync(join(dir, 'spc.json'), JSON.stringify({ layers: [{ op: 'Gemm', pattern: '4:8' }] }));
  const rel = (p: string): string => relative(cwd, p) || '.';
  const out = join(dir, 'out');
  const r = spawnSync(process.execPath, [
    BIN, 'compile', rel(join(dir, 'digits_cnn.onnx')), '-o', rel(out), '-q',
    '--pattern', '2:4', '--method', 'wanda', '--calib', rel(join(dir, 'calib.npy')), '--bias-correction',
    '--config', rel(join(dir, 'spc.json')),
    '--emit-onnx', rel(join(out, 'pruned.onnx')),
  ], { cwd, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return new Map(OUTPUTS.map((f) => [f, readFileSync(join(out, f))]));
}

describe('cli: deterministic output', function () {
  this.timeout(240_000);
  let root: string;
  before(() => { root = tempDir('spc-determinism-'); });
  after(() => { rmSync(root, { recursive: true, force: true }); });

  it('identical bytes from two folders, two working directories and relative paths; no paths, host or user in them', () => {
    const a = compileAt(root, 'first', join(root, 'first'));
    const b = compileAt(root, join('second', 'deeper', 'place'), root);
    const again = compileAt(root, 'first', root);
    for (const f of OUTPUTS) {
      assert.ok(a.get(f)!.length > 0, f);
      assert.ok(a.get(f)!.equals(b.get(f)!), `${f} differs between folders`);
      assert.ok(a.get(f)!.equals(again.get(f)!), `${f} differs between runs`);
    }
    const forbidden = [root, root.split('/').pop()!, hostname(), userInfo().username, process.cwd()].filter((s) => s.length >= 4);
    for (const f of OUTPUTS) {
      const text = a.get(f)!.toString('latin1');
      for (const s of forbidden) assert.ok(!text.includes(s), `${f} contains '${s}'`);
    }
  });
});
