// The --pattern grammar and the --config file: accepted forms, error messages, precedence.

import { strict as assert } from 'node:assert';
import { parsePattern, PatternError } from '../../../../compiler/sparse/settings/pattern.js';
import { patternText, readCanonicalPattern } from '../../../../runtime/sparse/pattern.js';
import { packBsr, packCsr, packNm } from '../../../../compiler/sparse/pack/pack.js';
import { defaultDescriptor } from '../../../../compiler/emit/artifact.js';
import { ConfigError, globMatch, overrideFor, parseConfig } from '../../../../compiler/sparse/settings/config.js';
import { SpcError } from '../../../../compiler/errors.js';

describe('sparse/pattern', () => {
  it('parses the accepted forms', () => {
    assert.deepEqual(parsePattern('unstructured'), { kind: 'unstructured', text: 'unstructured' });
    assert.deepEqual(parsePattern('2:4'), { kind: 'nm', text: '2:4', n: 2, m: 4 });
    assert.deepEqual(parsePattern('15:16'), { kind: 'nm', text: '15:16', n: 15, m: 16 });
    assert.deepEqual(parsePattern('block:4x1'), { kind: 'block', text: 'block:4x1', br: 4, bc: 1 });
    assert.deepEqual(parsePattern('channel'), { kind: 'channel', text: 'channel' });
  });
  for (const bad of ['2:4:1', '4:2', '0:4', '50%', '2/4', '4:4', '2:32', '2.5:4', '-1:4', 'a:b', 'block:4', 'block:0x4', 'sparse', '']) {
    it(`rejects '${bad}' saying what is accepted`, () => {
      assert.throws(() => parsePattern(bad), (e: unknown) => {
        assert.ok(e instanceof PatternError && e instanceof SpcError);
        assert.match(e.message, new RegExp(`invalid pattern '${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
        assert.match(e.message, /keep N of every M/);
        assert.match(e.message, /unstructured/);
        assert.match(e.message, /block:RxC/);
        return true;
      });
    });
  }
  it("explains that '4:2' counts kept weights, not pruned ones", () => {
    assert.throws(() => parsePattern('4:2'), /did you mean '2:4'/);
  });
  it('prints the text it parses, and reads back what it prints', () => {
    for (const [written, text] of [[' 2:4 ', '2:4'], ['BLOCK:4X1', 'block:4x1'], ['Unstructured', 'unstructured'], ['channel', 'channel'], ['1:16', '1:16']] as const) {
      const p = parsePattern(written);
      assert.equal(p.text, text);
      assert.equal(patternText(p), text);
      assert.deepEqual(parsePattern(patternText(p)), p);
    }
  });
  it('the canonical reader (what the loader accepts) reads exactly what the parser prints', () => {
    for (const text of ['unstructured', 'channel', '1:2', '2:4', '15:16', 'block:4x1', 'block:64x64', 'block:1x2']) {
      assert.deepEqual(readCanonicalPattern(text), (({ text: _, ...parts }) => parts)(parsePattern(text)), text);
    }
    for (const text of ['4:2', '2:2', '0:4', '2:17', '2:32', 'block:65x1', 'block:1x1', 'block:0x4', 'BLOCK:4x1', ' 2:4', '02:4', '2:4:8', 'most', '']) {
      assert.equal(readCanonicalPattern(text), undefined, text);
    }
  });
  it("an artifact's descriptor names its packing's pattern in the same text", () => {
    const w = Float32Array.from({ length: 32 }, (_, i) => (i % 4 < 2 ? i + 1 : 0));
    assert.equal(defaultDescriptor(packNm(4, 8, w, 2, 4)).pattern, '2:4');
    assert.equal(defaultDescriptor(packBsr(4, 8, w, 2, 2)).pattern, 'block:2x2');
    assert.equal(defaultDescriptor(packCsr(4, 8, w)).pattern, 'unstructured');
    assert.equal(defaultDescriptor(packNm(4, 8, w, 2, 4)).sparsity, 0.5);
  });
});

describe('sparse/config', () => {
  it('glob: * and ? only', () => {
    assert.ok(globMatch('/features/*/Conv', '/features/features.1/conv/Conv'));
    assert.ok(globMatch('layer?', 'layer1'));
    assert.ok(!globMatch('layer?', 'layer12'));
    assert.ok(globMatch('*', ''));
    assert.ok(!globMatch('a*b', 'acbd'));
    assert.ok(globMatch('a*b*', 'acbd'));
  });
  it('glob: agrees with a hand-written matcher on every glob and name over {a, b, *, ?} up to length 5 and 6', () => {
    // Oracle: the textbook recursion (exponential, fine at this size).
    const oracle = (g: string, n: string): boolean => g === '' ? n === ''
      : g[0] === '*' ? oracle(g.slice(1), n) || (n !== '' && oracle(g, n.slice(1)))
        : n !== '' && (g[0] === '?' || g[0] === n[0]) && oracle(g.slice(1), n.slice(1));
    const words = (alphabet: string, max: number): string[] => {
      const out = [''];
      for (let i = 0; out[i]!.length < max; i++) for (const c of alphabet) out.push(out[i]! + c);
      return out;
    };
    let checked = 0;
    for (const g of words('ab*?', 5)) for (const n of words('ab', 6)) { assert.equal(globMatch(g, n), oracle(g, n), `${g} on ${n}`); checked++; }
    assert.equal(checked, 1365 * 127);
  });
  it("glob: a 'match' longer than 256 characters is refused; one of 256 runs on a 1 M-character name without backtracking", () => {
    const long = 'a*'.repeat(128) + 'b';
    assert.throws(() => parseConfig(JSON.stringify({ layers: [{ match: long, skip: true }] }), 'c.json'),
      (e: Error) => e instanceof ConfigError && e.message === "c.json: layers[0]: 'match' is 257 characters long, at most 256");
    // '*aaa…ab' on 'aaa…a': the backtracking matcher restarted the literal at every position,
    // O(name · glob) steps (3 s here, 43 s for a 20,000-character glob on 200,000 characters).
    const hard = '*' + 'a'.repeat(254) + 'b';
    assert.equal(globMatch(hard, 'a'.repeat(1_000_000)), false);
    assert.equal(globMatch(hard, 'a'.repeat(1_000_000) + 'b'), true);
    assert.equal(globMatch(long.slice(1), 'a'.repeat(1_000_000) + 'b'), true);
  });
  it('later entries win, field by field', () => {
    const c = parseConfig(JSON.stringify({ layers: [
      { op: 'Conv', pattern: '2:4', sparsity: 0.3 },
      { match: 'stem*', force: true, pattern: 'unstructured' },
      { match: 'stem2', skip: true },
    ] }), 'spc.json');
    const a = overrideFor(c, 'stem1', 'Conv');
    assert.equal(a.pattern?.text, 'unstructured');
    assert.equal(a.sparsity, 0.3);
    assert.equal(a.force, true);
    assert.deepEqual(a.rules, [0, 1]);
    const b = overrideFor(c, 'stem2', 'Conv');
    assert.equal(b.skip, true);
    assert.equal(b.force, false);
    const g = overrideFor(c, 'stem1', 'Gemm');
    assert.equal(g.pattern?.text, 'unstructured');
    assert.equal(g.sparsity, undefined);
    assert.deepEqual(overrideFor(c, 'other', 'Gemm').rules, []);
  });
  const invalid: [unknown, RegExp][] = [
    [[], /spc\.json: the top level must be an object/],
    [{ layer: [] }, /spc\.json: unknown top-level key 'layer'/],
    [{ layers: {} }, /spc\.json: 'layers' must be an array/],
    [{ layers: [{ match: 'a' }, 3] }, /spc\.json: layers\[1\]: must be an object/],
    [{ layers: [{ match: 'a', pattern: '4:2' }] }, /spc\.json: layers\[0\]: invalid pattern '4:2'/],
    [{ layers: [{ match: 'a', sparsity: 1.5 }] }, /spc\.json: layers\[0\]: 'sparsity' must be a number in \[0, 1\)/],
    [{ layers: [{ match: 'a', skip: 'yes' }] }, /spc\.json: layers\[0\]: 'skip' must be true or false/],
    [{ layers: [{ match: 'a', skip: true, force: true }] }, /layers\[0\]: 'skip' and 'force' contradict/],
    [{ layers: [{ sparsity: 0.5 }] }, /layers\[0\]: needs 'match'/],
    [{ layers: [{ match: 'a', prune: true }] }, /layers\[0\]: unknown key 'prune'/],
  ];
  for (const [raw, msg] of invalid) {
    it(`rejects ${JSON.stringify(raw)}`, () => {
      assert.throws(() => parseConfig(JSON.stringify(raw), 'spc.json'), (e: unknown) => e instanceof ConfigError && msg.test(e.message));
    });
  }
  it('rejects malformed JSON naming the file', () => {
    assert.throws(() => parseConfig('{ layers: ', 'my.json'), /my\.json: not valid JSON/);
  });
});
