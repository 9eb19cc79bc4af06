// What pruning bought (issue 17 item 7), against oracles that share no code with it: the dense
// artifact is the one a real compile without pruning writes, the sizes are the written files'
// lengths and zlib's level-9 gzip of them, and what would make a layer gain is checked by
// compiling with the flags it names.

import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { compileFile } from '../../../compiler/compile.js';
import type { CompileOptions } from '../../../compiler/compile.js';
import type { Bought, IdleLayer } from '../../../compiler/report/bought.js';
import { boughtFacts, idleText } from '../../../compiler/report/bought.js';
import { escapeHtml } from '../../../compiler/escape.js';
import { times } from '../../../compiler/format.js';
import type { SpeedupEstimate } from '../../../compiler/report/estimates.js';
import { estimateBasis } from '../../../compiler/report/estimates.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';
import { writeLinearModel } from '../../helpers/onnx-models.js';
import { NO_NM_GEMM, writeShippedProfileWithout } from '../../helpers/profiles.js';

const CNN = join(DIGITS_DIR, 'digits_cnn.onnx');
const gzip9 = (bytes: Uint8Array): number => gzipSync(bytes, { level: 9 }).length;
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

interface Json {
  artifact: string;
  bought: Bought;
  estimate: { ns: number; denseNs: number; speedup: number; layers: { node: string; kernel: string; ns: number; denseNs: number }[] };
  layerReport: { node: string; bytesBefore: number; bytesAfter: number; kernel: string }[];
}

describe('bought: what pruning bought, and what would make an idle layer gain', function () {
  this.timeout(300_000);
  const work = tempDir('spc-bought-');
  // The shipped profile runs every 2:4 layer of digits_cnn packed (nothing idle). Without the N:M Gemm kernels'
  // entries those are priced by their priors and lose to dense, so fc1 is the idle layer these tests need.
  let noNmGemm: string;
  before(() => { noNmGemm = writeShippedProfileWithout(work, NO_NM_GEMM, 'no-nm-gemm'); });

  it('denseArtifact is, byte for byte, what the same compile without pruning writes (model and kernel options kept)', () => {
    const cases: { pruned: CompileOptions; dense: CompileOptions }[] = [
      { pruned: { pattern: '2:4' }, dense: {} },
      { pruned: { pattern: 'unstructured', sparsity: 0.8, targets: ['js', 'ref'] }, dense: { targets: ['js', 'ref'] } },
      { pruned: { pattern: '2:4', shareRows: 4, prefer: 'size', inputShapes: { input: [2, 1, 8, 8] } }, dense: { inputShapes: { input: [2, 1, 8, 8] } } },
    ];
    for (const c of cases) {
      const r = compileFile(CNN, c.pruned);
      const dense = compileFile(CNN, c.dense).artifact;
      assert.ok(same(r.denseArtifact, dense), `${JSON.stringify(c.pruned)}: ${r.denseArtifact.length} bytes vs the dense compile's ${dense.length}`);
      // The ratios read these exact bytes.
      assert.equal(r.bought.size.denseBytes, dense.length);
      assert.equal(r.bought.size.denseGzipBytes, gzip9(dense));
    }
  });

  it('--json: size × raw and gzip -9 against the dense compile\'s file, and the estimated speed ×, under stable names', () => {
    const r = spc('compile', CNN, '-o', join(work, 'pruned'), '--pattern', '2:4', '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as Json;
    const d = spc('compile', CNN, '-o', join(work, 'dense'), '-q');
    assert.equal(d.code, 0, d.stderr);
    const [artifact, dense] = [readFileSync(json.artifact), readFileSync(join(work, 'dense', 'digits_cnn.spm'))];
    const b = json.bought;
    assert.deepEqual(Object.keys(b), ['size', 'speed', 'idleLayers']);
    assert.deepEqual(b.size, {
      bytes: artifact.length, denseBytes: dense.length, ratio: artifact.length / dense.length,
      gzipBytes: gzip9(artifact), denseGzipBytes: gzip9(dense), gzipRatio: gzip9(artifact) / gzip9(dense),
    });
    assert.deepEqual(b.speed, { estimated: true, ns: json.estimate.ns, denseNs: json.estimate.denseNs, speedup: json.estimate.speedup });
    for (const l of b.idleLayers) {
      assert.deepEqual(Object.keys(l), ['node', 'pattern', 'gainsNothingIn', 'bytes', 'denseBytes', 'ns', 'denseNs', 'wouldGain']);
      for (const a of l.wouldGain) assert.deepEqual(Object.keys(a), ['pattern', 'sparsity', 'shareRows', 'flags', 'kernel', 'ns', 'bytes']);
    }
  });

  it('--quantize int8: the dense side prices every layer the quantized graph rewrote (a QLinearConv under the Conv\'s name) as the dense compile does', () => {
    const calib = join(DIGITS_DIR, 'digits-calib-x.npy');
    const q = compileFile(CNN, { quantize: 'int8', calib });
    const dense = compileFile(CNN, {});
    // The oracle: the dense compile's own estimate of itself (no pruning, no quantization).
    assert.ok(Math.abs(q.estimate.denseNs - dense.estimate.ns) <= 1e-9 * dense.estimate.ns, `${q.estimate.denseNs} vs the dense compile's ${dense.estimate.ns}`);
    assert.deepEqual(q.estimate.layers.map((l) => l.node), dense.estimate.layers.map((l) => l.node));
    const conv = q.estimate.layers.find((l) => l.node === '/conv2/Conv')!;
    assert.match(conv.kernel, /^i8-/, 'the rewritten conv is priced by the int8 kernel it runs');
    // No node counted twice: the compiled sum is its layers plus the per-element rest, once each.
    assert.ok(Math.abs(q.estimate.ns - (q.estimate.layers.reduce((s, l) => s + l.ns, 0) + q.estimate.others.ns)) <= 1e-9 * q.estimate.ns);
  });

  it('names what would make the densified 2:4 layer gain, and a compile with those flags gains there', () => {
    const r = spc('compile', CNN, '-o', join(work, 'idle'), '--pattern', '2:4', '--profile', noNmGemm, '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as Json;
    const idle = json.bought.idleLayers;
    // conv2 runs the standard N:M kernel; the 2:4 Gemm kernels, unmeasured, lose to dense on fc1 (selection densifies it).
    assert.deepEqual(idle.map((l) => l.node), ['/fc1/Gemm']);
    for (const l of idle) {
      const row = json.layerReport.find((x) => x.node === l.node)!;
      const est = json.estimate.layers.find((x) => x.node === l.node)!;
      assert.deepEqual(l.gainsNothingIn, [...(row.bytesAfter >= row.bytesBefore ? ['size'] : []), ...(est.ns >= est.denseNs ? ['speed'] : [])]);
      assert.deepEqual([l.bytes, l.denseBytes, l.ns, l.denseNs], [row.bytesAfter, row.bytesBefore, est.ns, est.denseNs]);
      assert.ok(l.wouldGain.length > 0, `${l.node}: an alternative gains`);
      for (const a of l.wouldGain) assert.ok(a.ns < l.denseNs! && a.bytes < l.denseBytes, `${l.node}: ${a.flags} est. ${a.ns} ns, ${a.bytes} bytes`);
      {
        // The first alternative's flags, applied to this compile (a --pattern replaces its pattern), make the layer gain.
        const a = l.wouldGain[0]!;
        const flags = a.flags.split(' ');
        const args = flags.includes('--pattern') ? flags : ['--pattern', '2:4', ...flags];
        const again = spc('compile', CNN, '-o', join(work, `again-${a.pattern.replace(':', '-')}-${a.shareRows}`), ...args, '--profile', noNmGemm, '--json');
        assert.equal(again.code, 0, again.stderr);
        const j = JSON.parse(again.stdout) as Json;
        const e = j.estimate.layers.find((x) => x.node === l.node)!;
        const stored = j.layerReport.find((x) => x.node === l.node)!;
        assert.equal(e.kernel, a.kernel, `${l.node} with ${a.flags}`);
        assert.ok(e.ns < e.denseNs && stored.bytesAfter < stored.bytesBefore, `${l.node} with ${a.flags}: est. ${e.ns} vs ${e.denseNs} ns, ${stored.bytesAfter} vs ${stored.bytesBefore} bytes`);
        assert.ok(!j.bought.idleLayers.some((x) => x.node === l.node), `${l.node} gains with ${a.flags}`);
      }
    }
  });

  it('the summary leads with size, gzip -9 and estimated speed ×, and ends with what would gain', () => {
    const r = spc('compile', CNN, '-o', join(work, 'text'), '--pattern', '2:4', '--profile', noNmGemm);
    assert.equal(r.code, 0, r.stderr);
    const j = spc('compile', CNN, '-o', join(work, 'text-json'), '--pattern', '2:4', '--profile', noNmGemm, '--json');
    const b = (JSON.parse(j.stdout) as Json).bought;
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^wrote /);
    assert.equal(lines[1], `  size: ${times(b.size.ratio)} the dense artifact (${b.size.denseBytes} → ${b.size.bytes} bytes)`);
    assert.ok(lines[2]!.startsWith(`  gzip -9: ${times(b.size.gzipRatio)} the dense artifact gzipped at level 9`), lines[2]);
    assert.ok(lines[3]!.startsWith(`  speed: ${times(b.speed.speedup)} the dense artifact's speed, estimated (`), lines[3]);
    const at = lines.findIndex((l) => l.startsWith(`${b.idleLayers.length} pruned layer(s) gain nothing`));
    assert.ok(at > 3, r.stdout);
    b.idleLayers.forEach((l, i) => {
      const t = idleText(l);
      assert.deepEqual(lines.slice(at + 1 + 2 * i, at + 3 + 2 * i), [`  ${l.node}: ${t.lacks}`, `    would gain: ${t.wouldGain}`]);
    });
  });

  it('the HTML report leads with the same facts and lists the idle layer, its name escaped by escapeHtml', () => {
    const name = '</td><script>alert(1)</script><img src=x onerror="y">&amp;';
    const w = Array.from({ length: 64 }, (_, i) => Array.from({ length: 64 }, (_, j) => ((i * 7 + j * 3) % 11) - 5 + 0.01 * j));
    const model = writeLinearModel(work, 'hostile', w, { node: name });
    const config = join(work, 'force.json');
    writeFileSync(config, JSON.stringify({ layers: [{ op: 'Gemm', force: true }] })); // the only Gemm is the classifier, kept dense by default
    const report = join(work, 'hostile.html');
    const r = spc('compile', model, '-o', join(work, 'hostile'), '--pattern', '2:4', '--config', config, '--report', report, '--profile', noNmGemm, '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as Json;
    const html = readFileSync(report, 'utf8');
    const [l] = json.bought.idleLayers as [IdleLayer];
    assert.equal(l.node, name);
    const lead = boughtFacts(json.bought, estimateBasis(json.estimate as unknown as SpeedupEstimate));
    assert.ok(html.includes(`<dl id="summary"><dt>size</dt><dd>${escapeHtml(lead.size)}</dd><dt>gzip -9</dt><dd>${escapeHtml(lead.gzip)}</dd><dt>speed</dt><dd>${escapeHtml(lead.speed)}</dd>`), 'the summary leads with size, gzip -9 and speed');
    const t = idleText(l);
    assert.ok(html.includes(`<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(t.lacks)}</td><td class="reason">${escapeHtml(t.wouldGain)}</td></tr>`), 'the idle layer\'s row');
    assert.ok(!html.includes('<script>') && !html.includes('<img'), 'no markup from the name');
  });
});
