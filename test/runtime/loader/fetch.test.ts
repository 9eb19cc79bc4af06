// loadModel from a URL or a fetch Response (runtime/loader/fetch.ts), streamed: the same outputs
// as from bytes (oracle: the bytes path, itself checked against onnxruntime elsewhere), and every
// bad stream refused with ArtifactError naming the source — at the header when it is not an
// artifact or over the weight limit, before the rest is read.

import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { compileFile } from '../../../compiler/compile.js';
import { ArtifactError, loadModel } from '../../../runtime/index.js';
import { HEADER_FIELDS } from '../../../runtime/loader/format.js';
import { DIGITS_DIR } from '../../helpers/corpus.js';

/** A Response whose body arrives in chunks of `size` bytes (odd sizes: the header spans chunks). */
function chunked(bytes: Uint8Array, size: number, init?: ResponseInit): Response {
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) { controller.close(); return; }
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
  return new Response(body, init);
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ArtifactError, `expected ArtifactError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected a refusal');
}

describe('loadModel from a URL or a fetch Response', function () {
  this.timeout(60_000);
  let artifact: Uint8Array<ArrayBuffer>;
  let expected: Float32Array;
  const input = new Float32Array(64).map((_, i) => (i * 7) % 17);

  before(async () => {
    artifact = new Uint8Array(compileFile(join(DIGITS_DIR, 'digits_cnn.onnx'), { pattern: '2:4' }).artifact);
    const model = await loadModel(artifact);
    expected = (await model.run({ input })).logits!.data as Float32Array;
    model.dispose();
  });

  async function logits(model: Awaited<ReturnType<typeof loadModel>>): Promise<Float32Array> {
    try {
      return (await model.run({ input })).logits!.data as Float32Array;
    } finally {
      model.dispose();
    }
  }

  it('runs a Response as it runs the bytes, whole or in odd-sized chunks', async () => {
    assert.deepEqual(await logits(await loadModel(new Response(artifact))), expected);
    for (const size of [1, 7, 31, 33, 4096]) assert.deepEqual(await logits(await loadModel(chunked(artifact, size))), expected, `chunks of ${size}`);
  });

  it('refuses a non-ok response, a used body and a body that is not an artifact, naming the source', async () => {
    assert.match(await refusal(loadModel(new Response('missing', { status: 404, statusText: 'Not Found' }))), /^response: HTTP 404 Not Found$/);
    const used = new Response(artifact);
    await used.arrayBuffer();
    assert.match(await refusal(loadModel(used)), /body was already read/);
    assert.match(await refusal(loadModel(new Response('<!doctype html><html>… a web server\'s fallback page'))), /^response: not an \.spm artifact: bad magic$/);
  });

  it('refuses a truncated, an overlong and an over-limit stream, stopping at the header for the last', async () => {
    assert.match(await refusal(loadModel(chunked(artifact.subarray(0, artifact.length - 5), 64))),
      new RegExp(`^artifact truncated: header says ${artifact.length} bytes, got ${artifact.length - 5}$`));
    const longer = new Uint8Array(artifact.length + 100);
    longer.set(artifact);
    assert.match(await refusal(loadModel(chunked(longer, 64))), new RegExp(`^response: trailing bytes: header says ${artifact.length} bytes`));
    // A header claiming 4 GiB of weights: refused after the first chunk, the rest never pulled.
    const huge = artifact.slice(0, 64);
    new DataView(huge.buffer).setUint32(HEADER_FIELDS.weightLength, 0xffff_ffc0, true);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({ pull(c) { pulled++; c.enqueue(pulled === 1 ? huge : new Uint8Array(1 << 16)); } });
    assert.match(await refusal(loadModel(new Response(endless))), /^response: weight section of 4294967232 bytes exceeds the limit of 2147483648 bytes \(maxWeightBytes; raise it with loadModel's option limits\.maxWeightBytes\)$/);
    assert.ok(pulled <= 2, `pulled ${pulled} chunks`);
    assert.match(await refusal(loadModel(new Response(artifact), { limits: { maxWeightBytes: 64 } })), /^response: weight section of \d+ bytes exceeds the limit of 64 bytes/);
  });

  describe('from a URL', () => {
    let server: Server;
    let base: string;
    before(async () => {
      server = createServer((req, res) => {
        if (req.url === '/model.spm') { res.writeHead(200, { 'content-type': 'application/octet-stream' }); res.end(artifact); return; }
        res.writeHead(404); res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('fetches a URL (object or string) and runs it; a 404 and an unreachable host name the URL', async () => {
      assert.deepEqual(await logits(await loadModel(new URL('/model.spm', base))), expected);
      assert.deepEqual(await logits(await loadModel(`${base}/model.spm`)), expected);
      assert.equal(await refusal(loadModel(`${base}/gone.spm`)), `${base}/gone.spm: HTTP 404 Not Found`);
      assert.match(await refusal(loadModel('not a url')), /^not a url: fetch failed: /);
    });
  });
});
