// spc compile --quantize from the command line: --json carries each layer's grid and SQNR and
// the bytes as stored; a bad mode is a usage error naming the flag; the HTML report has the column;
// --quantize int8 prints each layer it keeps float (name escaped) and --json carries the notes.

import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';
import { formatNpy } from '../../../compiler/io/npy.js';
import { formatProfile } from '../../../compiler/analysis/profile.js';
import { model as onnxModel, t, values } from '../../helpers/onnx-build.js';
import { int8Priced } from '../../helpers/profiles.js';

describe('cli: spc compile --quantize', function () {
  this.timeout(300_000);
  const model = join(DIGITS_DIR, 'digits_mlp.onnx');

  it('--json reports every layer quantized to int8 (round, finite SQNR) with its bytes stored as codes and scales', () => {
    const dir = tempDir('spc-quantize-');
    const r = spc('compile', model, '--quantize', 'int8-weights', '-o', dir, '--json', '--report', join(dir, 'r.html'));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { layerReport: { node: string; paramsBefore: number; bytesBefore: number; bytesAfter: number; quant?: { kind: string; method: string; sqnrDb: number } }[]; bought: { size: { ratio: number } } };
    assert.ok(out.layerReport.length > 0);
    for (const l of out.layerReport) {
      assert.equal(l.quant?.kind, 'int8', l.node);
      assert.equal(l.quant?.method, 'round', l.node);
      assert.ok(l.quant!.sqnrDb > 30 && l.quant!.sqnrDb < 60, `${l.node}: ${l.quant!.sqnrDb} dB`);
      assert.equal(l.bytesBefore, l.paramsBefore * 4);
      // One int8 code per weight and one float32 scale per output channel (at most paramsBefore of them).
      assert.ok(l.bytesAfter > l.paramsBefore && l.bytesAfter < l.paramsBefore * 1.1, `${l.node}: ${l.bytesAfter} bytes`);
    }
    assert.match(readFileSync(join(dir, 'r.html'), 'utf8'), /<th>quant \(SQNR\)<\/th>/);
  });

  it('--quantize int8: a layer run as QLinearConv reports the SQNR of its int8 codes, the same grid as the weight-only compile\'s', () => {
    type Row = { node: string; op: string; quant?: { kind: string; method: string; sqnrDb: number } };
    const cnn = join(DIGITS_DIR, 'digits_cnn.onnx');
    const rows = (...flags: string[]): Row[] => {
      const r = spc('compile', cnn, '-o', tempDir('spc-quantize-'), '--json', ...flags);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { layerReport: Row[] }).layerReport;
    };
    const stat = rows('--quantize', 'int8', '--calib', join(DIGITS_DIR, 'digits-calib-x.npy'));
    const weightOnly = new Map(rows('--quantize', 'int8-weights').map((l) => [l.node, l.quant]));
    const convs = stat.filter((l) => l.op === 'QLinearConv');
    assert.ok(convs.length > 0, 'digits_cnn runs some layer as QLinearConv');
    for (const l of convs) {
      assert.ok(l.quant && Number.isFinite(l.quant.sqnrDb), `${l.node}: ${JSON.stringify(l.quant)}`);
      assert.deepEqual(l.quant, weightOnly.get(l.node), l.node);
    }
  });

  it('--quantize int8 prints each layer kept float as a note naming it (control characters escaped), --json carries the notes, --quiet drops them', () => {
    const dir = tempDir('spc-quantize-');
    // pointwise → depthwise → pointwise; the first conv's name carries an ESC sequence and a newline (a forged line).
    const first = 'pw1\u001b[31m\nspc: forged';
    const path = join(dir, 'pdp.onnx');
    writeFileSync(path, onnxModel([
      { op: 'Conv', name: first, inputs: ['x', 'w1', 'b1'], outputs: ['c1'] },
      { op: 'Relu', name: 'r1', inputs: ['c1'], outputs: ['a1'] },
      { op: 'Conv', name: 'dw', inputs: ['a1', 'w2'], outputs: ['c2'], attrs: { group: 8, pads: [1, 1, 1, 1] } },
      { op: 'Relu', name: 'r2', inputs: ['c2'], outputs: ['a2'] },
      { op: 'Conv', name: 'pw2', inputs: ['a2', 'w3'], outputs: ['y'] },
    ], { x: t('float32', [1, 4, 6, 6], new Array(144).fill(0)) }, { y: 'float32' }, {
      w1: t('float32', [8, 4, 1, 1], values(32, -1, 1, 1, false)), b1: t('float32', [8], values(8, -0.1, 0.1, 2, false)),
      w2: t('float32', [8, 1, 3, 3], values(72, -1, 1, 3, false)), w3: t('float32', [4, 8, 1, 1], values(32, -1, 1, 4, false)),
    }, 13));
    writeFileSync(join(dir, 'calib.npy'), formatNpy({ dtype: 'float32', shape: [8, 4, 6, 6], data: Float32Array.from(values(8 * 144, -2, 2, 10, false)) }));
    // 1 µs per element for the group-1 int8 conv: pw1's int8 form ≈ 0.5 ms, far above its float estimate (1152
    // multiply-adds), so pw1 stays float; the depthwise conv's int8 kernel is free (turns int8); pw2 writes the output.
    writeFileSync(join(dir, 'profile.json'), formatProfile([...int8Priced(1000, 1e-4).entries.values()], 'test: pw1 int8 slow'));
    const args = ['compile', path, '--quantize', 'int8', '--calib', join(dir, 'calib.npy'), '--profile', join(dir, 'profile.json')];

    const r = spc(...args, '-o', join(dir, 'text'));
    assert.equal(r.code, 0, r.stderr);
    const notes = r.stderr.split('\n').filter((l) => l.startsWith('spc: note: '));
    assert.deepEqual(notes.filter((l) => l.includes('stays float')).map((l) => l.slice(0, l.indexOf(': stays float'))),
      ['spc: note: pw1\\u001b[31m\\u000aspc: forged'], r.stderr);
    assert.match(notes.find((l) => l.includes('stays float'))!, /: stays float: int8 estimated slower \(kernel [\d.]+ ms, .*\) than float [\d.]+ ms$/);
    assert.ok(notes.includes('spc: note: 1 layers int8 (activations per tensor from 8 calibration samples, min/max)'), notes.join('\n'));
    assert.ok(!r.stderr.includes('\u001b') && !/^spc: forged/m.test(r.stderr), 'the name reaches the terminal escaped');

    const j = spc(...args, '-o', join(dir, 'json'), '--json');
    assert.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout) as { notes: { pass: string; node?: string; message: string }[] };
    const kept = out.notes.filter((n) => n.pass === 'quantize-activations' && n.node !== undefined);
    assert.deepEqual(kept.map((n) => n.node), [first]);
    assert.match(kept[0]!.message, /^stays float: int8 estimated slower/);

    const q = spc(...args, '-o', join(dir, 'quiet'), '--quiet');
    assert.equal(q.code, 0, q.stderr);
    assert.equal(q.stderr, '');
  });

  it('an unknown mode is a usage error (exit 2) naming the flag and the choices', () => {
    const r = spc('compile', model, '--quantize', 'int4', '-o', tempDir('spc-quantize-'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--quantize 'int4': choose int8 or int8-weights or fp16/);
  });
});
