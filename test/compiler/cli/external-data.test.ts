// External data named by a hostile model: a `location` that is a FIFO (it hung spc forever), a
// folder (exit 70), a device, a symbolic link, a folder linked outside, or a hard link. Each is
// exit 1 naming the model, the initializer and the location, quickly; --allow-external-hardlinks
// reads a hard-linked file, and the artifact then computes x·W with the file's weights.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { formatNpy } from '../../../compiler/io/npy.js';
import { readNpy, tempDir } from '../../helpers/files.js';
import { spc, spcWithTimeout } from '../../helpers/cli.js';

const { onnx } = onnxProto;

/** y = x · W (x [1, 2], W [2, 2] stored in the external file `location`), written to dir/name.onnx. */
function externalModel(dir: string, name: string, location: string): string {
  const vi = (v: string) => ({ name: v, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 2 }] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name,
      input: [vi('x')],
      output: [vi('y')],
      initializer: [{ name: 'W', dims: [2, 2], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: location }, { key: 'length', value: '16' }] }],
      node: [{ name: 'fc', opType: 'Gemm', input: ['x', 'W'], output: ['y'] }],
    },
  });
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, onnx.ModelProto.encode(model).finish());
  return path;
}

/** W = [[1, 2], [3, 4]] as little-endian float32. */
const WEIGHTS = new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer);

describe('cli: external data that is not a regular file inside the model\'s folder', function () {
  this.timeout(120_000);

  /** Compiles dir/name.onnx (10 s at most: a hang is a failure, not a stuck suite) and checks the refusal. */
  function refused(dir: string, name: string, location: string, reason: RegExp): void {
    const model = externalModel(dir, name, location);
    const out = join(dir, 'out');
    const r = spcWithTimeout(10_000, 'compile', model, '-o', out, '-q');
    assert.equal(r.code, 1, `${name}: ${r.code === -1 ? 'hung (killed after 10 s)' : r.stderr}`);
    const prefix = `spc: error: ${model}: initializer 'W': cannot read external data file '${location}': `;
    assert.ok(r.stderr.startsWith(prefix), r.stderr);
    assert.match(r.stderr.slice(prefix.length), reason);
    assert.ok(!existsSync(out), 'the output folder was created');
  }

  it('a FIFO is refused at once (it used to block spc forever)', () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'pipe.bin')]);
    refused(dir, 'fifo', 'pipe.bin', /^it is a FIFO \(named pipe\), not a regular file\n$/);
  });

  it('a folder is exit 1 (it was exit 70, EISDIR)', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'weights.bin'));
    refused(dir, 'folder', 'weights.bin', /^it is a folder, not a regular file\n$/);
  });

  it('a character device is refused (root only: mknod)', function () {
    if (process.getuid?.() !== 0) this.skip(); // creating a device node needs root
    const dir = tempDir();
    execFileSync('mknod', [join(dir, 'zero.bin'), 'c', '1', '5']); // /dev/zero's numbers
    refused(dir, 'device', 'zero.bin', /^it is a character device, not a regular file\n$/);
  });

  it('a symbolic link is refused, even to a file beside it; a folder linked outside is refused', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'real.bin'), WEIGHTS);
    symlinkSync('real.bin', join(dir, 'link.bin'));
    refused(dir, 'symlink', 'link.bin', /^it is a symbolic link, which spc does not follow/);
    const inner = join(dir, 'inner');
    mkdirSync(inner);
    symlinkSync('..', join(inner, 'up'));
    refused(inner, 'escape', 'up/real.bin', /^the location escapes the model's directory through a symbolic link\n$/);
  });

  it('a hard link is refused unless --allow-external-hardlinks, which then reads the weights', () => {
    const dir = tempDir();
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.bin'), WEIGHTS);
    linkSync(join(outside, 'secret.bin'), join(dir, 'w.bin'));
    refused(dir, 'hardlink', 'w.bin', /^it has 2 hard links, and another name may lie outside the model's directory \(spc compile --allow-external-hardlinks reads it\)\n$/);
    const model = externalModel(dir, 'hardlink', 'w.bin');
    const out = join(dir, 'out');
    let r = spc('compile', model, '-o', out, '-q', '--allow-external-hardlinks');
    assert.equal(r.code, 0, r.stderr);
    writeFileSync(join(dir, 'x.npy'), formatNpy({ dtype: 'float32', shape: [1, 2], data: Float32Array.from([1, 1]) }));
    r = spc('run', join(out, 'hardlink.spm'), '-i', join(dir, 'x.npy'), '-o', join(dir, 'y.npy'), '-q');
    assert.equal(r.code, 0, r.stderr);
    // [1, 1] · [[1, 2], [3, 4]] = [4, 6]
    assert.deepEqual([...readNpy(join(dir, 'y.npy')).data], [4, 6]);
    assert.deepEqual([...readFileSync(join(outside, 'secret.bin'))], [...WEIGHTS], 'the file was changed');
  });
});
