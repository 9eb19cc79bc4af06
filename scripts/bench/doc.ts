// docs/performance.md: the machine facts that matter for the figures, and the generated
// sections between `<!-- NAME:begin -->` and `<!-- NAME:end -->` markers (the rest is prose).

import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../compiler/io/fs.js';
import { ROOT } from './corpus.js';

export const PERF_DOC = join(ROOT, 'docs', 'performance.md');

/** Machine facts that matter for the figures (no host names, no dates). */
export function machineFacts(): string[] {
  const pkg = (name: string): string => {
    const p = join(ROOT, 'node_modules', name, 'package.json');
    return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version : 'missing';
  };
  // The native SIMD onnxruntime-node can use (WASM SIMD128 is 128-bit whatever the CPU has).
  let simd = '';
  if (existsSync('/proc/cpuinfo')) {
    const flags = new Set((/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/));
    const have = ['sse4_2', 'avx2', 'fma', 'avx512f', 'avx512_vnni', 'asimd'].filter((f) => flags.has(f));
    if (have.length > 0) simd = `; SIMD: ${have.join(', ')}`;
  }
  return [
    `- CPU: ${cpus()[0]?.model ?? 'unknown'}${simd}; logical cores (\`nproc\`): ${availableParallelism()}`,
    `- Node ${process.version} (${process.arch}); onnxruntime-web ${pkg('onnxruntime-web')}, onnxruntime-node ${pkg('onnxruntime-node')}`,
  ];
}

/** Replaces the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in `file` (docs/performance.md), creating it if needed. */
export function writeSection(name: string, body: string, file = PERF_DOC): void {
  const begin = `<!-- ${name}:begin -->`, end = `<!-- ${name}:end -->`;
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : `# Performance\n\n${begin}\n${end}\n`;
  const a = doc.indexOf(begin), b = doc.indexOf(end);
  const next = a >= 0 && b > a
    ? `${doc.slice(0, a + begin.length)}\n${body}\n${doc.slice(b)}`
    : `${doc.trimEnd()}\n\n${begin}\n${body}\n${end}\n`;
  writeFileAtomic(file, next);
}

