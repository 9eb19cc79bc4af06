// Fits time = nsPerCall + nsPerUnit·work to a kernel's measurements, both coefficients ≥ 0, by
// least squares on relative error (weights 1/t²: small layers pin the per-call cost as much as
// large ones the per-unit cost) or on absolute error (the largest sizes set the rate); the
// per-element ops by fitElements (the smallest node sets the per-call cost, the larger the rate).

export interface Point {
  readonly work: number;
  readonly ns: number;
}

export interface Fit {
  readonly nsPerCall: number;
  readonly nsPerUnit: number;
}

/**
 * 'absolute' suits the per-element ops: their rate per element rises once a tensor leaves the
 * cache, and a model's time is the sum over its nodes, which its large tensors dominate.
 */
export type FitError = 'relative' | 'absolute';

export function fitCost(points: readonly Point[], error: FitError = 'relative'): Fit {
  const pts = points.filter((p) => p.ns > 0 && p.work >= 0);
  if (pts.length === 0) return { nsPerCall: 0, nsPerUnit: 0 };
  const weight = (y: number): number => (error === 'relative' ? 1 / (y * y) : 1);
  let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const { work: x, ns: y } of pts) {
    const w = weight(y);
    sw += w; sx += w * x; sy += w * y; sxx += w * x * x; sxy += w * x * y;
  }
  const det = sw * sxx - sx * sx;
  // Unconstrained weighted least squares, then the best fit on the boundary when it leaves a ≥ 0, b ≥ 0.
  if (det > 1e-12 * sw * sxx) {
    const a = (sxx * sy - sx * sxy) / det;
    const b = (sw * sxy - sx * sy) / det;
    if (a >= 0 && b >= 0) return { nsPerCall: a, nsPerUnit: b };
  }
  const onlyUnit: Fit = { nsPerCall: 0, nsPerUnit: sxx > 0 ? Math.max(0, sxy / sxx) : 0 };
  const onlyCall: Fit = { nsPerCall: Math.max(0, sy / sw), nsPerUnit: 0 };
  const err = (f: Fit): number => pts.reduce((e, p) => e + weight(p.ns) * (f.nsPerCall + f.nsPerUnit * p.work - p.ns) ** 2, 0);
  return err(onlyUnit) <= err(onlyCall) ? onlyUnit : onlyCall;
}

/**
 * The per-element ops (tune's synthetic nodes of 64 to 144 Ki elements): the line through the
 * smallest node's point that fits the larger ones best on absolute error, so the per-call cost
 * is what the smallest node (a few dozen elements) takes beyond its elements, and the large
 * tensors that dominate a model's time set the rate. A free intercept fitted over 1–144 Ki
 * elements extrapolated a rate that changes with size: 0.6 µs per call for a wasmsimd Relu that
 * takes 9 ns on 128 elements, 10 µs for a js Neg; in tiny heads (openWakeWord's, silero VAD's)
 * those terms were several times the nodes' measured time.
 */
export function fitElements(points: readonly Point[]): Fit {
  const pts = points.filter((p) => p.ns > 0 && p.work >= 0).sort((a, b) => a.work - b.work);
  if (pts.length < 2) return fitCost(pts, 'absolute');
  const { work: x0, ns: y0 } = pts[0]!;
  let sxy = 0, sxx = 0;
  for (const { work: x, ns: y } of pts.slice(1)) {
    sxy += (x - x0) * (y - y0);
    sxx += (x - x0) * (x - x0);
  }
  const nsPerUnit = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
  return { nsPerCall: Math.max(0, y0 - nsPerUnit * x0), nsPerUnit };
}
