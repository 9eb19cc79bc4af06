import { strict as assert } from 'node:assert';
import { writeArtifact } from '../../../compiler/emit/artifact.js';
import { parseArtifact } from '../../../runtime/loader/load.js';
import { sampleArtifact } from './sample-artifact.js';

describe('artifact write → parse', () => {
  it('round-trips every field and weight value', () => {
    const a = sampleArtifact();
    assert.deepStrictEqual(parseArtifact(writeArtifact(a)), a);
  });

  it('round-trips an artifact with no nodes, weights or attributes', () => {
    const a = { ...sampleArtifact(), nodes: [], tensors: [sampleArtifact().tensors[0]!], inputs: [0], outputs: [],
      arenaBytes: 12, provenance: { spcVersion: '', sourceSha256: '', options: [], layers: [] } };
    assert.deepStrictEqual(parseArtifact(writeArtifact(a)), a);
  });

  it('sorts provenance options and attribute names', () => {
    const a = sampleArtifact();
    const shuffled = { ...a, provenance: { ...a.provenance, options: [...a.provenance.options].reverse() } };
    assert.deepStrictEqual(parseArtifact(writeArtifact(shuffled)).provenance, a.provenance);
    const attrs = parseArtifact(writeArtifact(a)).nodes[0]!.attrs;
    assert.deepStrictEqual(Object.keys(attrs), Object.keys(a.nodes[0]!.attrs).sort());
  });

  it('keeps an attribute called __proto__ as a plain property', () => {
    const a = sampleArtifact();
    const attrs = JSON.parse('{"__proto__": [1, 2]}') as Record<string, number[]>;
    const b = { ...a, nodes: [{ ...a.nodes[0]!, attrs }, a.nodes[1]!] };
    const loaded = parseArtifact(writeArtifact(b)).nodes[0]!.attrs;
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(loaded, '__proto__')?.value, [1, 2]);
    assert.equal(Object.getPrototypeOf(loaded), Object.prototype);
  });

  it('is deterministic, and re-encoding a loaded artifact gives the same bytes', () => {
    const first = writeArtifact(sampleArtifact());
    assert.deepStrictEqual(writeArtifact(sampleArtifact()), first);
    assert.deepStrictEqual(writeArtifact(parseArtifact(first)), first);
  });

  it('returns aligned zero-copy weight views over aligned input', () => {
    const bytes = writeArtifact(sampleArtifact());
    assert.equal(bytes.byteOffset % 64, 0);
    for (const t of parseArtifact(bytes).tensors) {
      if (t.kind !== 'weight') continue;
      assert.equal(t.data!.buffer, bytes.buffer, `${t.name} is a copy`);
      assert.equal(t.data!.byteOffset % 64, 0, `${t.name} at ${t.data!.byteOffset}`);
    }
  });

  it('copies misaligned or shared input before taking views', () => {
    const bytes = writeArtifact(sampleArtifact());
    const expected = parseArtifact(bytes);
    const odd = new Uint8Array(new ArrayBuffer(bytes.length + 3), 3, bytes.length);
    odd.set(bytes);
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    for (const input of [odd, shared]) {
      const loaded = parseArtifact(input);
      assert.deepStrictEqual(loaded, expected);
      for (const t of loaded.tensors) {
        if (t.kind !== 'weight') continue;
        assert.notEqual(t.data!.buffer, input.buffer);
        assert.equal(t.data!.byteOffset % 16, 0);
      }
    }
  });

  it('pads between weights with zeros at 64-byte offsets', () => {
    const bytes = writeArtifact(sampleArtifact());
    const view = new DataView(bytes.buffer);
    const weightOffset = view.getUint32(20, true);
    assert.equal(weightOffset % 64, 0);
    const loaded = parseArtifact(bytes);
    const used = new Uint8Array(bytes.length);
    for (const t of loaded.tensors) if (t.data) used.fill(1, t.data.byteOffset, t.data.byteOffset + t.data.byteLength);
    for (let i = weightOffset; i < bytes.length; i++) if (!used[i]) assert.equal(bytes[i], 0, `byte ${i}`);
  });
});
