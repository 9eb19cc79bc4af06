// Shape tests and geometry the wasmsimd Conv kernels share (dense, CSR, N:M, row-block, int8): a
// file of no kernel family, so importing a helper embeds no WebAssembly module and no other kernel.

import type { NodeShapes } from '../kernel.js';
import type { ConvPlan } from '../common/conv-plan.js';

const allIs = (v: unknown, x: number): boolean => v === undefined || (Array.isArray(v) && v.every((d) => d === x));

/** 1×1, stride 1, no pads, group 1, float32, output spatial = input spatial. */
export function pointwiseConv(node: NodeShapes): boolean {
  const [x, w] = node.inputs;
  const y = node.outputs[0];
  if (!x || !w || !y || x.dtype !== 'float32' || w.dtype !== 'float32') return false;
  const r = x.shape.length;
  if (r < 3 || w.shape.length !== r || y.shape.length !== r) return false;
  const a = node.attrs;
  if ((a['group'] ?? 1) !== 1) return false;
  if (!allIs(a['strides'], 1) || !allIs(a['pads'], 0) || !allIs(a['kernel_shape'], 1)) return false;
  if (w.shape.slice(2).some((d) => d !== 1) || w.shape[1] !== x.shape[1]) return false;
  return x.shape.slice(2).every((d, i) => d === y.shape[2 + i]) && y.shape[1] === w.shape[0] && y.shape[0] === x.shape[0];
}

/** Float32 dense-weight Conv of rank 3 or 4 (1-D, 2-D), consistent batch/channel shapes: its `group` when sane, else undefined. */
export function convGroup(node: NodeShapes): number | undefined {
  const [x, w] = node.inputs;
  const y = node.outputs[0];
  if (!x || !w || !y || x.dtype !== 'float32' || w.dtype !== 'float32' || w.packed) return undefined;
  const r = x.shape.length;
  if ((r !== 3 && r !== 4) || w.shape.length !== r || y.shape.length !== r) return undefined;
  const g = node.attrs['group'] ?? 1;
  if (typeof g !== 'number' || g < 1 || x.shape[1]! % g !== 0 || w.shape[1]! * g !== x.shape[1]) return undefined;
  if (y.shape[0] !== x.shape[0] || y.shape[1] !== w.shape[0]) return undefined;
  return g;
}

/** Geometry as 2-D (1-D runs as H = 1). */
export function geometry2d(p: Pick<ConvPlan, 'g'>) {
  const g = p.g, two = g.inSpatial.length === 2;
  const at = (a: readonly number[], i: number, def: number): number => (two ? a[i]! : i === 0 ? def : a[0]!);
  return {
    H: at(g.inSpatial, 0, 1), W: at(g.inSpatial, 1, 1), OH: at(g.outSpatial, 0, 1), OW: at(g.outSpatial, 1, 1),
    KH: at(g.kernel, 0, 1), KW: at(g.kernel, 1, 1), sh: at(g.strides, 0, 1), sw: at(g.strides, 1, 1),
    dh: at(g.dilations, 0, 1), dw: at(g.dilations, 1, 1), ph: at(g.padBegin, 0, 0), pw: at(g.padBegin, 1, 0),
  };
}

/** 1×1, stride 1, no pads: the conv is a plain product W·X per image. */
export const isPointwise = (p: ConvPlan): boolean => p.taps === 1 && p.g.strides.every((s) => s === 1)
  && p.g.padBegin.every((d) => d === 0) && p.g.padEnd.every((d) => d === 0) && p.inSize === p.outSize;

/**
 * Float32 X and Y of rank 3 or 4, group 1, a weight of matching channels packed in `format` (or
 * not yet packed): the shapes the phased sparse convs (this file's CSR kernel, conv-nm.ts) run.
 */
export function packedConv(format: 'csr' | 'nm'): (node: NodeShapes) => boolean {
  return (node) => {
    const [x, w] = node.inputs;
    const y = node.outputs[0];
    if (!x || !w || !y || x.dtype !== 'float32' || w.dtype !== 'float32') return false;
    if (w.packed !== undefined && w.packed.format !== format) return false;
    const r = x.shape.length;
    if ((r !== 3 && r !== 4) || w.shape.length !== r || y.shape.length !== r) return false;
    if ((node.attrs['group'] ?? 1) !== 1 || w.shape[1] !== x.shape[1]) return false;
    return y.shape[0] === x.shape[0] && y.shape[1] === w.shape[0];
  };
}

/** Stride, dilation and kernel extents as 2-D (1-D runs as H = 1), from the node's attributes and shapes. */
export function window2d(node: NodeShapes) {
  const w = node.inputs[1]!.shape, y = node.outputs[0]!.shape, two = w.length === 4;
  const at = (a: unknown, i: number): number => {
    const v = Array.isArray(a) ? (a as number[]) : [];
    return two ? v[i] ?? 1 : i === 0 ? 1 : v[0] ?? 1;
  };
  const a = node.attrs;
  return {
    KH: two ? w[2]! : 1, KW: w[w.length - 1]!, OH: two ? y[2]! : 1, OW: y[y.length - 1]!,
    sh: at(a['strides'], 0), sw: at(a['strides'], 1), dh: at(a['dilations'], 0), dw: at(a['dilations'], 1),
  };
}

/**
 * window2d plus the input's extent and channels, the output channels and the begin pads: explicit,
 * else (auto_pad) at most the total padding the output implies. What scratchBytes, which sees only
 * the node's shapes, sizes a padded copy of the image from.
 */
export function nodeGeometry(node: NodeShapes) {
  const win = window2d(node);
  const x = node.inputs[0]!.shape, two = x.length === 4;
  const H = two ? x[2]! : 1, W = x[x.length - 1]!;
  const pads = node.attrs['pads'];
  const ph = Array.isArray(pads) ? (two ? pads[0] as number : 0) : Math.max(0, (win.OH - 1) * win.sh + (win.KH - 1) * win.dh + 1 - H);
  const pw = Array.isArray(pads) ? pads[two ? 1 : 0] as number : Math.max(0, (win.OW - 1) * win.sw + (win.KW - 1) * win.dw + 1 - W);
  return { ...win, cin: x[1]!, cout: node.inputs[1]!.shape[0]!, H, W, ph, pw };
}

/** What a padded-plane copy of the image needs: the window's extents, strides, dilations and begin pads. */
export interface PlaneGeometry {
  readonly H: number; readonly W: number; readonly OH: number; readonly OW: number; readonly KH: number; readonly KW: number;
  readonly sh: number; readonly sw: number; readonly dh: number; readonly dw: number; readonly ph: number; readonly pw: number;
}

/**
 * A zero-bordered copy of an image plane (convPadded, dwconv3x3p, dwconvKxKp): rows and columns the
 * image, its begin pads and every tap of every output; Wp even at column stride 2, where each row is
 * stored as its even | odd halves.
 */
export function paddedPlane(g: PlaneGeometry): { Hp: number; Wp: number } {
  const Wp = Math.max(g.W + g.pw, (g.OW - 1) * g.sw + (g.KW - 1) * g.dw + 1);
  return { Hp: Math.max(g.H + g.ph, (g.OH - 1) * g.sh + (g.KH - 1) * g.dh + 1), Wp: g.sw === 2 ? Wp + (Wp & 1) : Wp };
}

/**
 * convCsrPhased's layout: planes of Hq × Wq (every tap of every output pixel inside them), and
 * R output rows per tile t[N][R·Wq] (about 128 KiB, at least 1 row).
 */
export function phasedDims(node: NodeShapes): { Hq: number; Wq: number; R: number; xqFloats: number; tFloats: number } {
  const { KH, KW, OH, OW, sh, sw, dh, dw } = window2d(node);
  const Hq = OH + Math.ceil(((KH - 1) * dh) / sh), Wq = OW + Math.ceil(((KW - 1) * dw) / sw);
  const N = node.outputs[0]!.shape[1]!, cin = node.inputs[0]!.shape[1]!;
  const R = Math.max(1, Math.min(OH, Math.floor(32768 / (N * Wq))));
  return { Hq, Wq, R, xqFloats: cin * sh * sw * Hq * Wq + 16, tFloats: N * R * Wq };
}
