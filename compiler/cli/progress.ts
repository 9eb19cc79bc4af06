// A minimal progress bar on stderr for long work (calibration, tune): redrawn in place with
// \r, at most ten times a second, and only when stderr is a terminal (never in logs or pipes).

import { terminalText } from '../escape.js';

/** Draws `label [#####-----] done/total detail`; called with done = total it ends the line. */
export type Progress = (done: number, total: number, detail?: string) => void;

/** Work shorter than this gets no ETA (it would only flicker). */
const ETA_AFTER_MS = 2000;

/** 75 s → '1m15s', 9 s → '9s'. */
function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * A progress callback drawing on a TTY `stream`; undefined when the stream is not a terminal.
 * Past ETA_AFTER_MS it appends an ETA, extrapolated linearly from the time per unit so far; a
 * call whose `done` falls below the previous one starts a new phase (and a new clock).
 */
export function progressBar(label: string, stream: Pick<NodeJS.WriteStream, 'isTTY' | 'write'> = process.stderr, width = 30, now: () => number = Date.now): Progress | undefined {
  if (!stream.isTTY) return undefined;
  let last = -Infinity;
  let start = now(), previous = 0;
  return (done, total, detail) => {
    const t = now();
    if (done < previous) start = t;
    previous = done;
    if (done < total && t - last < 100) return;
    last = t;
    const filled = total <= 0 ? width : Math.min(width, Math.round((done / total) * width));
    const elapsed = t - start;
    const eta = done > 0 && done < total && elapsed >= ETA_AFTER_MS ? ` ETA ${duration((elapsed / done) * (total - done))}` : '';
    // \x1b[K clears what a longer previous detail left on the line.
    // Its own \r and ESC are written raw; the text (which may name a layer) goes through terminalText as in print.ts.
    stream.write(`\r\x1b[K${terminalText(`${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}${detail ? ` ${detail}` : ''}${eta}`)}`);
    if (done >= total) stream.write('\n');
  };
}
