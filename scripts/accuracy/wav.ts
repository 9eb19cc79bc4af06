// A 16-bit PCM WAV file's samples as float in [-1, 1) (int16 / 32768, as the real corpus's
// tools/make_inputs.mjs feeds Silero VAD); enough for the corpus clips, not a general WAV reader.

/** The `data` chunk of a RIFF/WAVE file of 16-bit mono PCM, scaled by 1/32768; `what` names the file in errors. */
export function readWavPcm16(b: Uint8Array, what: string): Float32Array {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const tag = (p: number): string => String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
  if (b.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error(`${what}: not a RIFF/WAVE file`);
  let format: { channels: number; bits: number; code: number } | undefined;
  for (let p = 12; p + 8 <= b.length;) {
    const id = tag(p), size = view.getUint32(p + 4, true);
    if (p + 8 + size > b.length) throw new Error(`${what}: chunk '${id}' at byte ${p} runs past the end of the file`);
    if (id === 'fmt ' && size >= 16) format = { code: view.getUint16(p + 8, true), channels: view.getUint16(p + 10, true), bits: view.getUint16(p + 22, true) };
    if (id === 'data') {
      if (!format || format.code !== 1 || format.channels !== 1 || format.bits !== 16) throw new Error(`${what}: want 16-bit mono PCM, the fmt chunk says ${format ? `format ${format.code}, ${format.channels} channel(s), ${format.bits} bits` : 'nothing (missing)'}`);
      return Float32Array.from({ length: size >> 1 }, (_, i) => view.getInt16(p + 8 + 2 * i, true) / 32768);
    }
    p += 8 + size + (size & 1);
  }
  throw new Error(`${what}: no data chunk`);
}
