// spc compile --quantize from the command line: --json carries each layer's grid and SQNR and
// the bytes as stored; a bad mode is a usage error naming the flag; the HTML report has the column.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIGITS_DIR } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/files.js';
import { spc } from '../../helpers/cli.js';

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

  it('an unknown mode is a usage error (exit 2) naming the flag and the choices', () => {
    const r = spc('compile', model, '--quantize', 'int4', '-o', tempDir('spc-quantize-'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--quantize 'int4': choose int8 or int8-weights or fp16/);
  });
});
