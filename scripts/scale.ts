// `npm run scale`: calibrated compiles at real scale (issue 17). Exports torchvision's ResNet-50
// and a 12-layer d 768 transformer encoder at sequence 128 (scripts/scale-models.py, Debian's
// python3-torch and python3-torchvision) with their 16-sample calibration sets into a temp folder
// (never the repository), then runs each timed compile as its own `spc compile` process under
// GNU time and prints wall, CPU (user + system) and peak RSS beside the load average.
//
//   npm run scale [-- --dir /tmp/spc-scale] [--only resnet50,encoder12]
//
// Targets (issue 17, acceptance 4): resnet10_w32 sparsegpt 2:4 ≤ 10 s CPU; ResNet-50 and the
// encoder sparsegpt 2:4 with 16 samples ≤ 5 min wall and ≤ 3 GB peak RSS. Linux only (/usr/bin/time).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_MODELS, ROOT } from './bench/corpus.js';

interface Case {
  readonly name: string;
  readonly model: (dir: string) => string;
  readonly calib: string;
  readonly method: 'sparsegpt' | 'wanda';
  /** Acceptance 4's bound, when the case has one: seconds of CPU, or of wall, and MB of peak RSS. */
  readonly target?: { readonly cpu?: number; readonly wall?: number; readonly rssMb?: number };
}

const AT_SCALE = { wall: 300, rssMb: 3072 };
const CASES: readonly Case[] = [
  { name: 'resnet10_w32', model: () => join(CORPUS_MODELS, 'resnet10_w32.onnx'), calib: 'resnet10-calib.npy', method: 'sparsegpt', target: { cpu: 10 } },
  { name: 'resnet10_w32', model: () => join(CORPUS_MODELS, 'resnet10_w32.onnx'), calib: 'resnet10-calib.npy', method: 'wanda' },
  { name: 'resnet50', model: (d) => join(d, 'resnet50.onnx'), calib: 'resnet50-calib.npy', method: 'sparsegpt', target: AT_SCALE },
  { name: 'encoder12', model: (d) => join(d, 'encoder12.onnx'), calib: 'encoder12-calib.npy', method: 'sparsegpt', target: AT_SCALE },
  { name: 'encoder12', model: (d) => join(d, 'encoder12.onnx'), calib: 'encoder12-calib.npy', method: 'wanda' },
];

/** The target column: the bounds and whether this run met them (wall time only means something on a quiet machine). */
function verdict(target: Case['target'], t: { wall: number; cpu: number; rssMb: number }): string {
  if (!target) return '';
  const parts: string[] = [];
  let met = true;
  if (target.cpu !== undefined) { parts.push(`CPU ≤ ${target.cpu} s`); met &&= t.cpu <= target.cpu; }
  if (target.wall !== undefined) { parts.push(`wall ≤ ${target.wall} s`); met &&= t.wall <= target.wall; }
  if (target.rssMb !== undefined) { parts.push(`RSS ≤ ${target.rssMb} MB`); met &&= t.rssMb <= target.rssMb; }
  return `${parts.join(', ')}: ${met ? 'met' : 'NOT met'}`;
}

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** GNU time's -v report: seconds and kilobytes. */
function parseTime(report: string): { wall: number; cpu: number; rssMb: number } {
  const num = (re: RegExp): number => Number(re.exec(report)?.[1] ?? NaN);
  const wallText = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(report)?.[1] ?? '';
  const wall = wallText.split(':').reduce((s, p) => s * 60 + Number(p), 0);
  return { wall, cpu: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/), rssMb: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024 };
}

function main(): void {
  const dir = flag('--dir') ?? join(tmpdir(), 'spc-scale');
  const only = flag('--only')?.split(',');
  if (!existsSync(join(dir, 'encoder12-calib.npy'))) {
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const r = spawnSync(python, [join(ROOT, 'scripts', 'scale-models.py'), dir], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`scale-models.py failed (exit ${r.status}); it needs python3-torch and python3-torchvision`);
  }
  const out = mkdtempSync(join(tmpdir(), 'spc-scale-out-'));
  console.log('model          method     wall      CPU    peak RSS  load (1 min, before → after)  target (acceptance 4)');
  try {
    for (const c of CASES) {
      if (only && !only.includes(c.name)) continue;
      const before = loadavg()[0]!;
      const args = ['-v', process.execPath, join(ROOT, 'bin', 'spc.js'), 'compile', c.model(dir), '--pattern', '2:4', '--method', c.method,
        '--calib', join(dir, c.calib), '-o', out, '--quiet'];
      const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(`${c.name} ${c.method}: spc compile failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
      const t = parseTime(r.stderr);
      console.log(`${c.name.padEnd(14)} ${c.method.padEnd(9)} ${`${t.wall.toFixed(1)} s`.padStart(8)} ${`${t.cpu.toFixed(1)} s`.padStart(8)} ${`${t.rssMb.toFixed(0)} MB`.padStart(9)}  ${`${before.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`.padEnd(30)}  ${verdict(c.target, t)}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main();
