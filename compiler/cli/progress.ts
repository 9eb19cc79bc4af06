// A minimal progress bar on stderr for long work (calibration, tune): redrawn in place with
// \r, at most ten times a second, and only when stderr is a terminal (never in logs or pipes).

import { terminalText } from '../escape.js';

/** Draws `label [#####-----] done/total detail`; called with done = total it ends the line. */
export type Progress = (done: number, total: number, detail?: string) => void;

/** A progress callback drawing on a TTY `stream`; undefined when the stream is not a terminal. */
export function progressBar(label: string, stream: Pick<NodeJS.WriteStream, 'isTTY' | 'write'> = process.stderr, width = 30): Progress | undefined {
  if (!stream.isTTY) return undefined;
  let last = -Infinity;
  return (done, total, detail) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    const filled = total <= 0 ? width : Math.min(width, Math.round((done / total) * width));
    // \x1b[K clears what a longer previous detail left on the line.
    // Its own \r and ESC are written raw; the text (which may name a layer) goes through terminalText as in print.ts.
    stream.write(`\r\x1b[K${terminalText(`${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}${detail ? ` ${detail}` : ''}`)}`);
    if (done >= total) stream.write('\n');
  };
}
