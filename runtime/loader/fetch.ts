// Reads an artifact from a URL or a fetch Response, streamed: the 32-byte header is checked as
// soon as it arrives, and memory grows only with the bytes the server actually sends (never
// with what a header claims). parseArtifact then validates the whole file as for bytes.

import { ArtifactError } from './load.js';
import { CONTAINER_VERSION, HEADER_BYTES, HEADER_FIELDS as H, MAGIC } from './format.js';
import { overLimit } from './limits.js';
import type { Limits } from './limits.js';

/** What loadModel reads an artifact from besides bytes: an http(s) URL (absolute, or relative to the page) or a Response. */
export type ArtifactSource = Response | URL | string;

/** The artifact's bytes, in a buffer of their own. */
export async function readArtifactSource(source: ArtifactSource, limits: Limits): Promise<Uint8Array> {
  const where = isResponse(source) ? (source.url || 'response') : String(source);
  let response: Response;
  if (isResponse(source)) {
    response = source;
  } else {
    try {
      response = await fetch(source);
    } catch (e) {
      throw new ArtifactError(`${where}: fetch failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (!response.ok) throw new ArtifactError(`${where}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  if (response.body === null) throw new ArtifactError(`${where}: the response has no body`);
  if (response.bodyUsed) throw new ArtifactError(`${where}: the response body was already read`);
  return readStream(response.body, where, limits);
}

/** A Response by shape, not by class, so one from another realm or fetch implementation counts too. */
function isResponse(source: ArtifactSource): source is Response {
  return typeof source === 'object' && !(source instanceof URL) && 'status' in source && 'body' in source;
}

async function readStream(body: ReadableStream<Uint8Array>, where: string, limits: Limits): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  let total: number | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      if (total === undefined && received >= HEADER_BYTES) total = expectedLength(concat(chunks, HEADER_BYTES), where, limits);
      // Stop reading a body longer than its header says: the rest would only be refused later.
      if (total !== undefined && received > total) throw new ArtifactError(`${where}: trailing bytes: header says ${total} bytes, got more`);
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    if (e instanceof ArtifactError) throw e;
    throw new ArtifactError(`${where}: reading the response failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Shorter than the header (or its length): parseArtifact names the exact shortfall.
  return concat(chunks, received);
}

/** The header's total length, after the checks that need only the header (magic, version, weight limit). */
function expectedLength(header: Uint8Array, where: string, limits: Limits): number {
  if (MAGIC.some((m, i) => header[i] !== m)) throw new ArtifactError(`${where}: not an .spm artifact: bad magic`);
  const view = new DataView(header.buffer, header.byteOffset, HEADER_BYTES);
  const version = view.getUint32(H.containerVersion, true);
  if (version !== CONTAINER_VERSION) throw new ArtifactError(`${where}: unsupported container version ${version} (this runtime reads ${CONTAINER_VERSION})`);
  const weightLength = view.getUint32(H.weightLength, true);
  if (weightLength > limits.maxWeightBytes) {
    throw new ArtifactError(`${where}: ${overLimit('weight section of', `${weightLength} bytes`, limits, 'maxWeightBytes', 'load')}`);
  }
  return view.getUint32(H.weightOffset, true) + weightLength;
}

/** The first `length` bytes of `chunks` in one new buffer (offset 0 of its own ArrayBuffer, so parseArtifact views the weights in place). */
function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer(Math.max(length, 0)));
  let at = 0;
  for (const c of chunks) {
    if (at >= length) break;
    const part = c.subarray(0, length - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}
