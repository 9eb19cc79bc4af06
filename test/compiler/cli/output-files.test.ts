// Where spc compile and spc run write: every file-system error is exit 1 naming the path and the
// reason (they were exit 70), outputs that name the same file are a usage error, a failed group
// write leaves the previous group whole, and temp files of a killed run are removed by the next.

import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { MODELS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { BIN, spc, spcWithTimeout } from '../../helpers/cli.js';
import { formatNpy } from '../../../compiler/io/npy.js';

const { onnx } = onnxProto;
const MLP3 = join(MODELS_DIR, 'mlp3.onnx');
const isRoot = process.getuid?.() === 0;

/** A compile of mlp3 into `out` (with `extra` flags) that must fail with `code` and exactly `stderr`. */
/** The line every usage error of `spc compile` ends with. */
const HINT = 'spc: hint: spc compile --help lists the options\n';

function compileFails(code: number, stderr: string, ...args: string[]): void {
  const r = spc('compile', MLP3, '-q', ...args);
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stderr, stderr);
}

/** A pid that was a process and is no more. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

/** Runs `command` with a read-only tmpfs mounted at `dir`, in a mount namespace of its own (root, Linux). */
function withReadOnlyMount(dir: string, command: string[]): { code: number; stderr: string } | undefined {
  const probe = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o ro,size=64k tmpfs "$1"`, 'sh', dir]);
  if (probe.status !== 0) return undefined;
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o ro,size=64k tmpfs "$1" && shift && exec "$@"', 'sh', dir, ...command], { encoding: 'utf8' });
  return { code: r.status ?? -1, stderr: r.stderr };
}

describe('cli: output files', function () {
  this.timeout(120_000);

  it('-o under a regular file is exit 1 (ENOTDIR) naming the file in the way (was exit 70)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'afile'), 'x');
    compileFails(1, `spc: error: ${join(dir, 'afile', 'out', 'mlp3.spm')}: cannot write (ENOTDIR: ${join(dir, 'afile')} is a file, not a folder)\n`, '-o', join(dir, 'afile', 'out'));
  });

  it('spc tune -o under a regular file is exit 1 naming it, before any timing', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'afile'), 'x');
    const r = spc('tune', '--quick', '-q', '-o', join(dir, 'afile', 'profile.json'));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `spc: error: ${join(dir, 'afile', 'profile.json')}: cannot write (ENOTDIR: ${join(dir, 'afile')} is a file, not a folder)\n`);
  });

  it('--report afile/r.html is exit 1 (ENOTDIR) and writes nothing (was exit 70)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'afile'), 'x');
    compileFails(1, `spc: error: ${join(dir, 'afile', 'r.html')}: cannot write (ENOTDIR: ${join(dir, 'afile')} is a file, not a folder)\n`,
      '-o', join(dir, 'out'), '--report', join(dir, 'afile', 'r.html'));
    assert.deepEqual(readdirSync(dir), ['afile']);
  });

  it('an output folder that cannot be created is exit 1 naming it and the reason (was exit 70)', function () {
    if (isRoot) {
      // Root passes permission checks, but sysfs refuses new folders even to root.
      if (!existsSync('/sys/kernel')) this.skip(); // no sysfs: no folder that root cannot create
      compileFails(1, 'spc: error: /sys/spc-test-out: cannot create the folder (EPERM: operation not permitted)\n', '-o', '/sys/spc-test-out/sub');
      assert.ok(!existsSync('/sys/spc-test-out'));
      return;
    }
    const dir = tempDir();
    mkdirSync(join(dir, 'locked'), { mode: 0o555 });
    compileFails(1, `spc: error: ${join(dir, 'locked', 'out')}: cannot create the folder (EACCES: permission denied)\n`, '-o', join(dir, 'locked', 'out'));
    chmodSync(join(dir, 'locked'), 0o755);
  });

  it('-o under /proc is exit 1 at once (Node\'s recursive mkdir looped there forever)', function () {
    if (!existsSync('/proc/self')) this.skip(); // no procfs
    const r = spcWithTimeout(20_000, 'compile', MLP3, '-q', '-o', '/proc/spc-test-out/sub');
    assert.equal(r.code, 1, r.code === -1 ? 'hung (killed after 20 s)' : r.stderr);
    assert.equal(r.stderr, 'spc: error: /proc/spc-test-out: cannot create the folder (ENOENT: this file system takes no new folders)\n');
  });

  it('a read-only location is exit 1 naming the path and EROFS (or EACCES), for a file and for a folder (was exit 70)', function () {
    const dir = tempDir();
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    if (!isRoot) {
      // Without root no read-only mount can be made: a folder without write permission instead.
      chmodSync(ro, 0o555);
      compileFails(1, `spc: error: ${join(ro, 'mlp3.spm')}: cannot write (EACCES: permission denied)\n`, '-o', ro);
      compileFails(1, `spc: error: ${join(ro, 'sub')}: cannot create the folder (EACCES: permission denied)\n`, '-o', join(ro, 'sub'));
      chmodSync(ro, 0o755);
      return;
    }
    // Root ignores permission bits: mount a read-only tmpfs in a private mount namespace.
    let r = withReadOnlyMount(ro, [process.execPath, BIN, 'compile', MLP3, '-q', '-o', join(ro, 'sub')]);
    if (r === undefined) this.skip(); // unshare or mount refused: no read-only file system can be made here
    assert.equal(r!.code, 1, r!.stderr);
    assert.equal(r!.stderr, `spc: error: ${join(ro, 'sub')}: cannot create the folder (EROFS: read-only file system)\n`);
    r = withReadOnlyMount(ro, [process.execPath, BIN, 'compile', MLP3, '-q', '-o', ro]);
    assert.equal(r!.code, 1, r!.stderr);
    assert.equal(r!.stderr, `spc: error: ${join(ro, 'mlp3.spm')}: cannot write (EROFS: read-only file system)\n`);
  });

  it('a folder at the dispatch path is exit 1 before anything is written: the previous artifact stays', () => {
    const out = join(tempDir(), 'out');
    mkdirSync(join(out, 'mlp3.dispatch.ts'), { recursive: true });
    writeFileSync(join(out, 'mlp3.dispatch.ts', 'keep'), 'x');
    const previous = Uint8Array.from([0x89, 0x53, 0x50, 0x4d, 1, 2, 3]);
    writeFileSync(join(out, 'mlp3.spm'), previous);
    const r = spc('compile', MLP3, '-q', '-o', out);
    assert.deepEqual(new Uint8Array(readFileSync(join(out, 'mlp3.spm'))), previous, 'the artifact was replaced beside the old dispatch');
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `spc: error: ${join(out, 'mlp3.dispatch.ts')}: cannot write (EISDIR: a folder is in the way)\n`);
    assert.deepEqual(readdirSync(out).sort(), ['mlp3.dispatch.ts', 'mlp3.spm']);
  });

  it('two outputs naming the same file, or the model, are a usage error (exit 2) and nothing is written', () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    // --report into the artifact: the HTML used to land in the .spm.
    compileFails(2, `spc: error: --report ${join(out, 'mlp3.spm')}: the same file as -o ${out} (the artifact ${join(out, 'mlp3.spm')}); each output needs its own path\n${HINT}`,
      '-o', out, '--report', join(out, 'mlp3.spm'));
    compileFails(2, `spc: error: --emit-onnx ${dir}/out/../out/mlp3.dispatch.ts: the same file as -o ${out} (the dispatch module ${join(out, 'mlp3.dispatch.ts')}); each output needs its own path\n${HINT}`,
      '-o', out, '--emit-onnx', `${dir}/out/../out/mlp3.dispatch.ts`);
    compileFails(2, `spc: error: --emit-onnx ${MLP3}: the same file as the model being compiled (${MLP3}); each output needs its own path\n${HINT}`, '-o', out, '--emit-onnx', MLP3);
    compileFails(2, `spc: error: --emit-onnx ${join(dir, 'r.html')}: the same file as --report ${join(dir, 'r.html')}; each output needs its own path\n${HINT}`,
      '-o', out, '--report', join(dir, 'r.html'), '--emit-onnx', join(dir, 'r.html'));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('temp files of a killed run are removed by the next run writing the same outputs; live and unrelated ones stay', async () => {
    const out = join(tempDir(), 'out');
    mkdirSync(out);
    // A writer killed mid-write (SIGKILL: no handler runs) leaves its temp file, named by its pid.
    const writer = spawn(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(out)} + '/.mlp3.spm.spc-tmp-' + process.pid, 'partial'); setInterval(() => {}, 1000)`]);
    const killed = join(out, `.mlp3.spm.spc-tmp-${writer.pid}`);
    while (!existsSync(killed)) await new Promise((r) => setTimeout(r, 20));
    writer.kill('SIGKILL');
    await new Promise((r) => writer.on('close', r));
    const dead = deadPid();
    const stale = [`.mlp3.spm.spc-tmp-${writer.pid}`, `.mlp3.dispatch.ts.spc-old-${dead}`, `.mlp3.dispatch.ts.${dead}.tmp` /* the naming before */];
    const kept = [`.mlp3.spm.spc-tmp-${process.pid}` /* a live writer: this test */, `.other.spm.spc-tmp-${dead}` /* not an output of this run */];
    for (const f of [...stale.slice(1), ...kept]) writeFileSync(join(out, f), 'partial');
    const r = spc('compile', MLP3, '-o', out, '-q');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), [...kept, 'mlp3.dispatch.ts', 'mlp3.spm'].sort());
    assert.ok(statSync(join(out, 'mlp3.spm')).size > 1000);
  });

  it('spc run: --output-dir under a file is exit 1 (was exit 70); outputs mapping to one file name are refused', () => {
    const dir = tempDir();
    /** x → Relu → names[0], x → Sigmoid → names[1], compiled to dir/<name>.spm. */
    const compiled = (name: string, names: string[]): string => {
      const vi = (v: string) => ({ name: v, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } } });
      writeFileSync(join(dir, `${name}.onnx`), onnx.ModelProto.encode(onnx.ModelProto.create({
        irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
        graph: { name, input: [vi('x')], output: names.map(vi), node: [
          { name: 'r', opType: 'Relu', input: ['x'], output: [names[0]!] }, { name: 's', opType: 'Sigmoid', input: ['x'], output: [names[1]!] },
        ] },
      })).finish());
      const r = spc('compile', join(dir, `${name}.onnx`), '-o', dir, '-q');
      assert.equal(r.code, 0, r.stderr);
      return join(dir, `${name}.spm`);
    };
    writeFileSync(join(dir, 'x.npy'), formatNpy({ dtype: 'float32', shape: [1, 4], data: Float32Array.from([-1, 0, 1, 2]) }));
    writeFileSync(join(dir, 'afile'), 'x');
    let r = spc('run', compiled('distinct', ['r', 's']), '-i', join(dir, 'x.npy'), '--output-dir', join(dir, 'afile', 'y'));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `spc: error: ${join(dir, 'afile', 'y', 'r.npy')}: cannot write (ENOTDIR: ${join(dir, 'afile')} is a file, not a folder)\n`);
    // 'a/b' and 'a_b' both become a_b.npy: the second silently replaced the first.
    const spm = compiled('clash', ['a/b', 'a_b']);
    r = spc('run', spm, '-i', join(dir, 'x.npy'), '--output-dir', join(dir, 'y'));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `spc: error: ${spm}: outputs 'a/b' and 'a_b' would both be written to ${join(dir, 'y', 'a_b.npy')}\n`);
    assert.ok(!existsSync(join(dir, 'y')));
  });
});
