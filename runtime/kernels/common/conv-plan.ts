// Conv preconditions shared by the dense and packed-weight reference kernels: operands, channel
// and group arithmetic, bias shape, window geometry and the epilogue clamp.

import type { Kernel } from '../kernel.js';
import type { TensorView } from '../../tensor.js';
import type { Checker } from './define.js';
import { epilogueClamp } from './epilogue.js';
import type { WindowGeometry } from './geometry.js';
import { windowGeometry } from './geometry.js';

export interface ConvPlan {
  readonly x: TensorView;
  /** Dense W, or the packed weight's view (shape of the logical dense W; data not dense). */
  readonly w: TensorView;
  readonly y: TensorView;
  readonly bias: Float32Array | undefined;
  readonly g: WindowGeometry;
  readonly batch: number;
  readonly cin: number;
  readonly cout: number;
  readonly group: number;
  readonly cinPerGroup: number;
  /** Products of the kernel, input and output spatial extents. */
  readonly taps: number;
  readonly inSize: number;
  readonly outSize: number;
  readonly lo: number;
  readonly hi: number;
}

/** A Conv-shaped node's ranks, batch, channels and group checked against X, W and Y (float and integer Convs alike). */
export function convChannels(c: Checker, x: Shaped, w: Shaped, y: Shaped): { batch: number; cin: number; cout: number; cinPerGroup: number; group: number } {
  const rank = x.shape.length;
  if (rank < 3) c.fail(`input rank ${rank} < 3`);
  if (w.shape.length !== rank || y.shape.length !== rank) c.fail('input, weight and output ranks differ');
  const [batch, cin] = x.shape as [number, number];
  const [cout, cinPerGroup] = w.shape as [number, number];
  const group = c.int('group', 1);
  if (group < 1 || cin % group !== 0 || cout % group !== 0) c.fail(`group ${group} does not divide channels ${cin}/${cout}`);
  if (cinPerGroup * group !== cin) c.fail(`weight has ${cinPerGroup} input channels per group, expected ${cin / group}`);
  if (y.shape[0] !== batch || y.shape[1] !== cout) c.fail(`output shape [${y.shape.join(',')}] disagrees with batch ${batch} and ${cout} channels`);
  return { batch, cin, cout, cinPerGroup, group };
}

type Shaped = { readonly shape: readonly number[] };

/**
 * Checks a Conv node (NCHW, any spatial rank) and resolves its geometry. A `dense` W is checked
 * like X (float32, data long enough); a `packed` W only for presence, its structure being the
 * caller's to check.
 */
export function planConv(c: Checker, epilogue: Kernel['epilogue'], wLayout: 'dense' | 'packed'): ConvPlan {
  const x = c.input(0, ['float32']);
  const w = wLayout === 'dense' ? c.input(1, ['float32']) : c.ctx.inputs[1];
  if (w === undefined) c.fail('input 1 (the weight) is required');
  const b = c.optionalInput(2, ['float32']);
  const y = c.output(0, ['float32']);
  const { lo, hi } = epilogueClamp(c, epilogue);
  const { batch, cin, cout, cinPerGroup, group } = convChannels(c, x, w, y);
  if (b !== undefined && (b.shape.length !== 1 || b.shape[0] !== cout)) c.fail(`bias must have shape [${cout}]`);
  const g = windowGeometry(c, x.shape.slice(2), w.shape.slice(2), y.shape.slice(2), false);
  const prod = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
  return {
    x, w, y, bias: b?.data as Float32Array | undefined, g, batch, cin, cout, group, cinPerGroup,
    taps: prod(g.kernel), inSize: prod(g.inSpatial), outSize: prod(g.outSpatial), lo, hi,
  };
}
