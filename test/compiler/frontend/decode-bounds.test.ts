// Hostile protobufs the decoder (compiler/frontend/wire.ts) refuses while decoding, before it
// materializes them: floods of empty nodes, of list entries and of int64 values, and messages
// that quote a few values of a huge list, not all of them. The files are written by hand on
// the wire, far smaller than the 40–80 MB originals, with limits lowered where that proves the
// bound; memory is measured in a child process (the peak RSS of its own address space), time is
// not asserted.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOnnx } from '../../../compiler/frontend/load.js';
import type { LoadOptions } from '../../../compiler/frontend/load.js';
import { SpcError } from '../../../compiler/errors.js';

const varint = (n: number): number[] => { const b: number[] = []; while (n > 127) { b.push((n & 127) | 128); n = Math.floor(n / 128); } b.push(n); return b; };
const len = (field: number, payload: Uint8Array): Uint8Array => Uint8Array.from([...varint((field << 3) | 2), ...varint(payload.length), ...payload]);
const num = (field: number, v: number): Uint8Array => Uint8Array.from([...varint(field << 3), ...varint(v)]);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]): Uint8Array => { const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0)); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; };
/** `n` packed varints of value 1: one byte each. */
const ones = (n: number): Uint8Array => new Uint8Array(n).fill(1);
/** ModelProto (ir 7, opset 13) around a graph body, with graph output 'y'. */
const model = (graphBody: Uint8Array): Uint8Array => cat(num(1, 7), len(8, num(2, 13)), len(7, cat(graphBody, len(12, len(1, text('y'))))));
/** An int64 initializer 'w' with the given dims and packed int64_data. */
const int64Initializer = (dims: Uint8Array, data?: Uint8Array): Uint8Array => len(5, cat(len(8, text('w')), num(2, 7), len(1, dims), ...(data ? [len(7, data)] : [])));

describe('frontend: the protobuf decode is bounded by the limits', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'spc-decode-bounds-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, bytes: Uint8Array): string => { const p = join(dir, `${name}.onnx`); writeFileSync(p, bytes); return p; };
  const refusal = (path: string, opts: LoadOptions = {}): string => {
    try {
      loadOnnx(path, opts);
    } catch (e) {
      if (e instanceof SpcError) return e.message;
      throw e;
    }
    return assert.fail('expected an SpcError');
  };
  /**
   * Loads `path` in a child process: its error message and peak RSS in MB. The peak is VmHWM, the
   * high-water mark of the child's own address space: getrusage's maxRSS survives exec on Linux, so
   * it starts at the peak of the process that forked it (this mocha run, 200+ MB late in the suite).
   */
  const childLoad = (path: string): { message: string; maxRssMB: number } => {
    const load = fileURLToPath(new URL('../../../compiler/frontend/load.js', import.meta.url));
    const script = `import(${JSON.stringify(load)}).then((m) => { let message = ''; try { m.loadOnnx(${JSON.stringify(path)}); } catch (e) { message = e.message; }` +
      ' const hwm = /VmHWM:\\s*(\\d+) kB/.exec(require("fs").readFileSync("/proc/self/status", "utf8"));' +
      ' console.log(JSON.stringify({ message, maxRssMB: (hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) / 1024 })); })';
    return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { message: string; maxRssMB: number };
  };

  it('2 M empty nodes (4 MB) are counted on the wire and refused at the default maxNodes without being decoded', () => {
    const nodes = new Uint8Array(2_000_000 * 2);
    for (let i = 0; i < nodes.length; i += 2) nodes[i] = 0x0a; // field 1 (node), length 0
    const path = write('empty-nodes', model(nodes));
    const r = childLoad(path);
    assert.equal(r.message, `${path}: the graph has 2000000 nodes, which exceeds the limit of 100000 (maxNodes; raise it with --max-nodes (compileFile option limits.maxNodes))`);
    // Decoding them first (onnx-proto) took ~400 MB; counting them takes nothing beyond the file.
    assert.ok(r.maxRssMB < 200, `peak RSS ${r.maxRssMB.toFixed(0)} MB`);
  });

  it('a packed attribute list is charged before it is decoded (4 entries per value of maxValues)', () => {
    const node = len(1, cat(len(1, text('x')), len(2, text('y')), len(4, text('Relu')), len(5, cat(len(1, text('a')), num(20, 7), len(8, ones(100_000))))));
    const path = write('attr-ints', model(node));
    assert.equal(refusal(path, { limits: { maxValues: 1000 } }),
      `${path}: node 'Relu_0' (Relu): attribute 'a' brings the model's lists (node inputs and outputs, attributes and their values, dims) to 100004 entries; at 4 per value, that is 25001 values, which exceeds the limit of 1000 (maxValues; raise it with --max-values (compileFile option limits.maxValues))`);
  });

  it('100,000 dims of one tensor: refused by the list budget, and a message quotes 8 of them with the count', () => {
    const path = write('many-dims', model(int64Initializer(ones(100_000), ones(2))));
    assert.equal(refusal(path, { limits: { maxValues: 1000 } }),
      `${path}: the dims of an initializer brings the model's lists (node inputs and outputs, attributes and their values, dims) to 100001 entries; at 4 per value, that is 25001 values, which exceeds the limit of 1000 (maxValues; raise it with --max-values (compileFile option limits.maxValues))`);
    // Under the default limits the list fits; the mismatch message shows the shape cut short.
    assert.equal(refusal(path), `${path}: initializer 'w': int64_data has 2 values, shape [1,1,1,1,1,1,1,1,… (100000 values)] needs 1`);
  });

  it('a Reshape to a shape constant of 100,000 entries: the shape inference message quotes 8 of them with the count', () => {
    const dim = (v: number): Uint8Array => len(1, num(1, v));
    const input = len(11, cat(len(1, text('x')), len(2, len(1, cat(num(1, 1), len(2, cat(dim(1), dim(4))))))));
    const node = len(1, cat(len(1, text('x')), len(1, text('s')), len(2, text('y')), len(4, text('Reshape'))));
    const shape = len(5, cat(len(8, text('s')), num(2, 7), len(1, Uint8Array.from(varint(100_000))), len(7, ones(100_000))));
    const path = write('reshape-long', model(cat(node, shape, input)));
    assert.equal(refusal(path), `${path}: node 'Reshape_0' (Reshape): cannot reshape [1,4] (4 elements) to [1,1,1,1,1,1,1,1,… (100000 values)] (1 elements)`);
  });

  it('int64_data longer than its dims declare is refused before it is decoded', () => {
    const path = write('int64-flood', model(int64Initializer(Uint8Array.from(varint(1)), ones(1_000_000))));
    assert.equal(refusal(path), `${path}: initializer 'w': int64_data has 1000000 values, shape [1] needs 1`);
  });

  it('8 M int64 values within the limits land in a typed array (no object per value)', () => {
    const n = 8_000_000;
    const path = write('int64-typed', model(int64Initializer(Uint8Array.from(varint(n)), ones(n))));
    const r = childLoad(path);
    assert.equal(r.message, `${path}: graph output 'y' is not produced by any node, input or initializer`);
    // 64 MB of int64 data; onnx-proto made a Long per value (~600 MB).
    assert.ok(r.maxRssMB < 300, `peak RSS ${r.maxRssMB.toFixed(0)} MB`);
  });
});
