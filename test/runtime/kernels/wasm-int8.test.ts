// The int8 wasmsimd kernels (wasm/qlinearconv.ts, wasm/qlinearmatmul.ts, wasm/quantizelinear.ts)
// against their ref kernels, bit for bit, on edge shapes of the 2×4 tile (rows 1, 2, 2·2 + 1;
// columns 1, 3, 4, 9; K not a multiple of 8), int8/uint8 mixes, zero points per tensor / channel /
// row / column, saturating and NaN/infinite multipliers, Q/DQ per tensor and per axis with ties,
// ±inf and NaN; the relaxed-SIMD and SIMD128 modules identical; and
// QLinearConv / QLinearMatMul against onnxruntime-node, whose float32 requantization is the oracle.

import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import type { Attrs, Kernel } from '../../../runtime/kernels/kernel.js';
import { KernelError } from '../../../runtime/kernels/kernel.js';
import { ALL_KERNELS, WASMSIMD_KERNELS } from '../../../runtime/kernels/index.js';
import type { WasmSpace } from '../../../runtime/kernels/wasm/env.js';
import { createWasmSpace, relaxedSimdAvailable, wasmSimdAvailable } from '../../../runtime/kernels/wasm/env.js';
import type { DType, TensorView, TypedArray } from '../../../runtime/tensor.js';
import { allocArray, DTYPE_BYTES } from '../../../runtime/tensor.js';
import { ONNX_DTYPES } from '../../../compiler/analysis/shapes.js';
import { rng, withoutAllocation } from './wasm-harness.js';

const { onnx } = onnxProto;
const simd = wasmSimdAvailable();
// Under --experimental-wasm-relaxed-simd (wasm-relaxed.test.ts runs this file so) the kernels run
// the relaxed module, and every case also runs on the SIMD128 one: the int8 kernels use the same
// dot in both (asm/int8.as says why), so the two must agree bit for bit.
const relaxed = relaxedSimdAvailable();

interface Input { readonly dtype: DType; readonly shape: readonly number[]; readonly values: readonly number[] }
interface Case { readonly what: string; readonly inputs: readonly (Input | undefined)[]; readonly out: { dtype: DType; shape: readonly number[] }; readonly attrs?: Attrs }

const t = (dtype: DType, shape: readonly number[], values: readonly number[]): Input => ({ dtype, shape, values });
const count = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
const RANGE: Record<string, [number, number]> = { int8: [-128, 127], uint8: [0, 255] };

/** `n` integers of `dtype` uniformly over its range (seeded). */
function ints(dtype: DType, n: number, seed: number): number[] {
  const r = rng(seed), [lo, hi] = RANGE[dtype]!;
  return Array.from({ length: n }, () => Math.min(hi, lo + Math.floor(((r() + 1) / 2) * (hi - lo + 1))));
}
/** `n` positive float32 scales around `around` (seeded). */
const scales = (n: number, around: number, seed: number): number[] => { const r = rng(seed); return Array.from({ length: n }, () => Math.fround(around * (1 + 0.5 * r()))); };

function array(x: Input): TypedArray {
  const a = allocArray(x.dtype, x.values.length);
  x.values.forEach((v, i) => { (a as unknown as number[])[i] = v; });
  return a;
}

function view(space: WasmSpace | undefined, x: Input): TensorView {
  const a = array(x);
  if (!space) return { dtype: x.dtype, shape: x.shape, data: a };
  const bytes = Math.max(a.byteLength, 1);
  const at = space.alloc(bytes);
  const v = new (a.constructor as new (b: ArrayBufferLike, o: number, n: number) => TypedArray)(space.memory.buffer, at, a.length);
  (v as unknown as { set(s: TypedArray): void }).set(a);
  return { dtype: x.dtype, shape: x.shape, data: v };
}

const OUT_FILL = 0x5a;

/** Runs kernel `k` on the case, in WebAssembly memory when `space` is given; returns the output's elements. */
function run(k: Kernel, c: Case, space: WasmSpace | undefined): number[] {
  const inputs = c.inputs.map((x) => x && view(space, x));
  const outDesc = { dtype: c.out.dtype, shape: c.out.shape, values: new Array<number>(count(c.out.shape)).fill(OUT_FILL) };
  const y = view(space, outDesc);
  const r = k.prepare({ node: 'n1', inputs, outputs: [y], attrs: c.attrs ?? {}, ...(space ? { wasm: space } : {}) });
  if (space) withoutAllocation(r); else r();
  return Array.from(y.data as unknown as ArrayLike<number>);
}

async function spaceFor(k: Kernel, c: Case, relaxedSimd = true): Promise<WasmSpace> {
  const bytes = c.inputs.reduce((s, x) => s + (x ? count(x.shape) * DTYPE_BYTES[x.dtype] + 16 : 0), 0) + count(c.out.shape) * 4 + 16;
  const node = { inputs: c.inputs.map((x) => x && { dtype: x.dtype, shape: x.shape }), outputs: [c.out], attrs: c.attrs ?? {} };
  const space = await createWasmSpace(bytes, k.scratchBytes!(node), k.wasmModules!, relaxedSimd);
  assert.ok(space, 'a WebAssembly space');
  return space;
}

/** Conv output extent of one axis. */
const outDim = (n: number, k: number, s: number, d: number, p0: number, p1: number): number => Math.floor((n + p0 + p1 - d * (k - 1) - 1) / s) + 1;

interface ConvSpec {
  readonly x: readonly number[]; readonly w: readonly number[]; readonly xType: DType; readonly wType: DType; readonly yType?: DType; readonly group?: number;
  readonly strides?: readonly number[]; readonly pads?: readonly number[]; readonly dilations?: readonly number[];
  readonly perChannel?: boolean; readonly bias?: boolean; readonly ySpread?: number; readonly seed: number;
}

function convCase(op: 'QLinearConv' | 'ConvInteger', s: ConvSpec): Case {
  const r = s.x.length - 2, cout = s.w[0]!, k = count(s.w.slice(1));
  const strides = s.strides ?? new Array<number>(r).fill(1), dil = s.dilations ?? new Array<number>(r).fill(1), pads = s.pads ?? new Array<number>(2 * r).fill(0);
  const out = [s.x[0]!, cout, ...s.x.slice(2).map((n, i) => outDim(n, s.w[2 + i]!, strides[i]!, dil[i]!, pads[i]!, pads[r + i]!))];
  const attrs = { strides, pads, dilations: dil, kernel_shape: s.w.slice(2), ...(s.group === undefined ? {} : { group: s.group }) };
  const x = t(s.xType, s.x, ints(s.xType, count(s.x), s.seed));
  const w = t(s.wType, s.w, ints(s.wType, count(s.w), s.seed + 1));
  const xz = t(s.xType, [], ints(s.xType, 1, s.seed + 2));
  const wz = s.perChannel ? t(s.wType, [cout], ints(s.wType, cout, s.seed + 3)) : t(s.wType, [], ints(s.wType, 1, s.seed + 3));
  const what = `${op} x ${s.xType}[${s.x}] w ${s.wType}[${s.w}]${s.group === undefined ? '' : ` group ${s.group}`} strides ${strides} pads ${pads} dilations ${dil}${s.perChannel ? ' per channel' : ''}${s.bias ? ' bias' : ''}`;
  if (op === 'ConvInteger') return { what, inputs: [x, w, xz, wz], out: { dtype: 'int32', shape: out }, attrs };
  const yType = s.yType ?? 'uint8';
  const xs = t('float32', [], [0.02]);
  const ws = s.perChannel ? t('float32', [cout], scales(cout, 0.01, s.seed + 4)) : t('float32', [], [0.01]);
  // y_scale spreads the outputs over the type's range (ySpread > 1 saturates more of them).
  const ys = t('float32', [], [Math.fround((0.02 * 0.01 * 128 * 128 * Math.sqrt(k)) / 127 / (s.ySpread ?? 1))]);
  const yz = t(yType, [], ints(yType, 1, s.seed + 5));
  const b = s.bias ? t('int32', [cout], ints('int8', cout, s.seed + 6).map((v) => v * 97)) : undefined;
  return { what: `${what} → ${yType}`, inputs: [x, xs, xz, w, ws, wz, ys, yz, ...(b ? [b] : [])], out: { dtype: yType, shape: out }, attrs };
}

const CONV_SPECS: readonly ConvSpec[] = [
  { x: [1, 3, 5, 5], w: [1, 3, 3, 3], xType: 'uint8', wType: 'int8', seed: 1 }, // one output row, K = 27
  { x: [1, 4, 6, 7], w: [2, 4, 3, 3], xType: 'uint8', wType: 'int8', pads: [1, 1, 1, 1], perChannel: true, bias: true, seed: 2 },
  { x: [2, 5, 9, 8], w: [5, 5, 3, 3], xType: 'int8', wType: 'int8', strides: [2, 2], pads: [1, 0, 0, 1], perChannel: true, bias: true, yType: 'int8', seed: 3 },
  { x: [1, 8, 7, 7], w: [9, 8, 1, 1], xType: 'uint8', wType: 'uint8', seed: 4 }, // pointwise, K = 8, P = 49
  { x: [1, 3, 11, 10], w: [4, 3, 3, 2], xType: 'int8', wType: 'uint8', dilations: [2, 3], pads: [2, 1, 2, 3], ySpread: 6, seed: 5 },
  { x: [1, 6, 13], w: [7, 6, 5], xType: 'uint8', wType: 'int8', strides: [2], pads: [2, 2], perChannel: true, bias: true, seed: 6 }, // 1-D
  { x: [1, 2, 1, 3], w: [3, 2, 1, 1], xType: 'uint8', wType: 'int8', seed: 7 }, // 3 pixels: the column tail
  { x: [1, 32, 16, 16], w: [32, 32, 3, 3], xType: 'uint8', wType: 'int8', pads: [1, 1, 1, 1], perChannel: true, bias: true, seed: 8 }, // a resnet10_w32 layer
  // column stride 2 over rows wide enough for the 16-byte vector path, and its scalar border
  { x: [1, 3, 20, 37], w: [6, 3, 3, 3], xType: 'int8', wType: 'int8', strides: [2, 2], pads: [1, 1, 1, 2], perChannel: true, bias: true, seed: 9 },
  { x: [1, 2, 9, 40], w: [3, 2, 7, 7], xType: 'uint8', wType: 'int8', strides: [2, 2], pads: [3, 3, 3, 3], seed: 10 },
  // 1×1 convs read straight from x's planes (unit strides, no pads): K odd and not a multiple of 8,
  // channels not a multiple of 4, 8-pixel tiles with tails of 1, 7 and 4 pixels, saturation, batch 2
  { x: [1, 13, 5, 5], w: [7, 13, 1, 1], xType: 'uint8', wType: 'int8', perChannel: true, bias: true, seed: 11 },
  { x: [2, 9, 3, 5], w: [6, 9, 1, 1], xType: 'int8', wType: 'int8', yType: 'int8', perChannel: true, bias: true, ySpread: 4, seed: 12 },
  { x: [1, 24, 14, 14], w: [37, 24, 1, 1], xType: 'uint8', wType: 'int8', perChannel: true, bias: true, ySpread: 3, seed: 13 }, // mobilenet-like, P 196
  { x: [1, 3, 2, 4], w: [5, 3, 1, 1], xType: 'int8', wType: 'uint8', seed: 14 }, // P 8: one tile, no tail
  // 1×1 but not a plain product: stride 2 and padding take the im2col path
  { x: [1, 16, 9, 9], w: [10, 16, 1, 1], xType: 'int8', wType: 'int8', strides: [2, 2], perChannel: true, bias: true, yType: 'int8', seed: 15 },
  { x: [1, 5, 4, 4], w: [3, 5, 1, 1], xType: 'uint8', wType: 'int8', pads: [1, 1, 1, 1], seed: 16 },
];

// Grouped and depthwise convs (the 1x8 kernels): 8-pixel blocks with tails (OW 1, 3, 7, 9, 17),
// column strides 1, 2 (the shuffled path) and 3 (the gathered one), asymmetric pads, dilation,
// channel multipliers, several input channels per group, 1-D.
const GROUPED_SPECS: readonly ConvSpec[] = [
  { x: [1, 3, 5, 5], w: [3, 1, 3, 3], group: 3, xType: 'uint8', wType: 'int8', pads: [1, 1, 1, 1], seed: 81 }, // depthwise 3×3
  { x: [2, 5, 9, 17], w: [5, 1, 3, 3], group: 5, xType: 'int8', wType: 'int8', strides: [2, 2], pads: [1, 0, 0, 1], perChannel: true, bias: true, yType: 'int8', seed: 82 },
  { x: [1, 4, 7, 7], w: [8, 1, 3, 3], group: 4, xType: 'uint8', wType: 'uint8', pads: [1, 1, 1, 1], perChannel: true, bias: true, seed: 83 }, // multiplier 2
  { x: [1, 6, 11, 10], w: [6, 2, 3, 2], group: 3, xType: 'int8', wType: 'uint8', dilations: [2, 3], pads: [2, 1, 2, 3], ySpread: 6, seed: 84 },
  { x: [1, 4, 13], w: [8, 2, 5], group: 2, xType: 'uint8', wType: 'int8', strides: [2], pads: [2, 2], perChannel: true, bias: true, seed: 85 }, // 1-D
  { x: [1, 2, 1, 3], w: [2, 1, 1, 1], group: 2, xType: 'uint8', wType: 'int8', seed: 86 }, // 3 pixels
  { x: [1, 3, 10, 23], w: [3, 1, 5, 5], group: 3, xType: 'uint8', wType: 'int8', strides: [3, 3], pads: [2, 2, 2, 2], perChannel: true, bias: true, seed: 87 },
  { x: [1, 16, 14, 14], w: [16, 1, 3, 3], group: 16, xType: 'uint8', wType: 'int8', strides: [2, 2], pads: [1, 1, 1, 1], perChannel: true, bias: true, seed: 88 }, // mobilenet stride-2 dw
  { x: [1, 24, 28, 28], w: [24, 1, 3, 3], group: 24, xType: 'uint8', wType: 'int8', pads: [1, 1, 1, 1], perChannel: true, bias: true, seed: 89 }, // mobilenet dw
  { x: [1, 8, 9, 9], w: [4, 4, 1, 1], group: 2, xType: 'int8', wType: 'int8', perChannel: true, yType: 'int8', seed: 90 }, // grouped pointwise
  // depthwise 3×3 at column stride 1 or 2 (i8dwconv3x3: two taps per dot): OW 1, 8, 14, 15, 17, 19
  // (one block, none partial, tails of 6, 7, 1 and 3), row stride ≠ column stride, no pads,
  // multiplier 2 at stride 2, saturating int8 outputs, batch 2, an odd row count after row pairs
  { x: [1, 4, 1, 1], w: [4, 1, 3, 3], group: 4, xType: 'uint8', wType: 'int8', pads: [1, 1, 1, 1], perChannel: true, bias: true, seed: 91 },
  { x: [2, 3, 6, 16], w: [3, 1, 3, 3], group: 3, xType: 'int8', wType: 'int8', strides: [1, 2], pads: [1, 1, 1, 1], perChannel: true, bias: true, ySpread: 4, yType: 'int8', seed: 92 },
  { x: [1, 2, 4, 16], w: [2, 1, 3, 3], group: 2, xType: 'uint8', wType: 'int8', seed: 93 },
  { x: [1, 2, 7, 15], w: [2, 1, 3, 3], group: 2, xType: 'uint8', wType: 'uint8', strides: [2, 1], pads: [0, 1, 2, 1], seed: 94 },
  { x: [1, 3, 9, 33], w: [6, 1, 3, 3], group: 3, xType: 'uint8', wType: 'uint8', strides: [2, 2], pads: [1, 1, 1, 1], perChannel: true, bias: true, seed: 95 },
  { x: [1, 3, 9, 19], w: [3, 1, 3, 3], group: 3, xType: 'int8', wType: 'int8', pads: [1, 1, 1, 1], perChannel: true, bias: true, yType: 'int8', seed: 96 }, // row pairs, the odd last row, OW 19
];

interface MatMulSpec { readonly a: readonly number[]; readonly b: readonly number[]; readonly aType: DType; readonly bType: DType; readonly yType?: DType; readonly perRowA?: boolean; readonly perColB?: boolean; readonly seed: number }

function matmulOut(a: readonly number[], b: readonly number[]): number[] {
  const m = a.length === 1 ? undefined : a[a.length - 2], n = b.length === 1 ? undefined : b[b.length - 1];
  const ab = a.slice(0, -2), bb = b.slice(0, -2), rank = Math.max(ab.length, bb.length);
  const batch = Array.from({ length: rank }, (_, i) => Math.max(ab[ab.length - rank + i] ?? 1, bb[bb.length - rank + i] ?? 1));
  return [...batch, ...(m === undefined ? [] : [m]), ...(n === undefined ? [] : [n])];
}

function matmulCase(op: 'QLinearMatMul' | 'MatMulInteger', s: MatMulSpec): Case {
  const m = s.a.length === 1 ? 1 : s.a[s.a.length - 2]!, n = s.b.length === 1 ? 1 : s.b[s.b.length - 1]!, k = s.a[s.a.length - 1]!;
  const a = t(s.aType, s.a, ints(s.aType, count(s.a), s.seed)), b = t(s.bType, s.b, ints(s.bType, count(s.b), s.seed + 1));
  const az = s.perRowA ? t(s.aType, [m], ints(s.aType, m, s.seed + 2)) : t(s.aType, [], ints(s.aType, 1, s.seed + 2));
  const bz = s.perColB ? t(s.bType, [n], ints(s.bType, n, s.seed + 3)) : t(s.bType, [], ints(s.bType, 1, s.seed + 3));
  const out = matmulOut(s.a, s.b);
  const what = `${op} A ${s.aType}[${s.a}] B ${s.bType}[${s.b}]${s.perRowA ? ' zp per row of A' : ''}${s.perColB ? ' per column of B' : ''}`;
  if (op === 'MatMulInteger') return { what, inputs: [a, b, az, bz], out: { dtype: 'int32', shape: out } };
  const yType = s.yType ?? 'int8';
  const bs = s.perColB ? t('float32', [n], scales(n, 0.01, s.seed + 4)) : t('float32', [], [0.01]);
  const ys = s.perColB ? t('float32', [n], scales(n, (0.03 * 0.01 * 128 * 128 * Math.sqrt(k)) / 127, s.seed + 5)) : t('float32', [], [Math.fround((0.03 * 0.01 * 128 * 128 * Math.sqrt(k)) / 127)]);
  const yz = s.perColB ? t(yType, [n], ints(yType, n, s.seed + 6)) : t(yType, [], ints(yType, 1, s.seed + 6));
  return { what: `${what} → ${yType}`, inputs: [a, t('float32', [], [0.03]), s.perRowA ? t(s.aType, [], az.values.slice(0, 1)) : az, b, bs, bz, ys, yz], out: { dtype: yType, shape: out } };
}

const MATMUL_SPECS: readonly MatMulSpec[] = [
  { a: [1, 7], b: [7, 1], aType: 'uint8', bType: 'int8', seed: 11 }, // 1×1 output
  { a: [2, 9], b: [9, 3], aType: 'int8', bType: 'int8', perColB: true, seed: 12 },
  { a: [5, 16], b: [16, 9], aType: 'uint8', bType: 'uint8', perRowA: true, perColB: true, yType: 'uint8', seed: 13 },
  { a: [2, 3, 4, 19], b: [19, 4], aType: 'uint8', bType: 'int8', seed: 14 }, // rank 4 A, 2-D B
  { a: [3, 5, 10], b: [3, 10, 6], aType: 'int8', bType: 'uint8', perColB: true, seed: 15 }, // batched B
  { a: [2, 1, 4, 8], b: [3, 8, 5], aType: 'uint8', bType: 'int8', seed: 16 }, // broadcast batch axes
  { a: [13], b: [13, 6], aType: 'uint8', bType: 'int8', seed: 17 }, // 1-D A
  { a: [4, 12], b: [12], aType: 'int8', bType: 'int8', seed: 18 }, // 1-D B
  { a: [17, 96], b: [96, 40], aType: 'uint8', bType: 'int8', perColB: true, seed: 19 },
  // the gemv's shapes (i8-matmulinteger-1x4: M ≤ 4, int8 B): K past 16 and not a multiple of 8, N not a multiple of 4
  { a: [3, 33], b: [33, 10], aType: 'uint8', bType: 'int8', perColB: true, seed: 20 },
  { a: [4, 17], b: [17, 5], aType: 'int8', bType: 'int8', seed: 21 },
  { a: [1, 1280], b: [1280, 7], aType: 'int8', bType: 'int8', perColB: true, seed: 22 },
];

/** Floats around the quantization grid: halves (ties), beyond the range, ±0, ±inf, NaN; the rest seeded. */
function floats(n: number, seed: number): number[] {
  const special = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0, -0, 1e9, -1e9, Infinity, -Infinity, NaN, 3.4e38, 127.5, -128.5, 254.5, 255.5];
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => (i < special.length ? special[i]! : Math.fround(300 * r())));
}

interface QdqSpec { readonly shape: readonly number[]; readonly type: DType; readonly axis?: number; readonly zp?: boolean; readonly seed: number }

/** QuantizeLinear (float32 → type) or DequantizeLinear (type → float32), per tensor or along `axis`. */
function qdqCase(op: 'QuantizeLinear' | 'DequantizeLinear', s: QdqSpec): Case {
  const dim = s.axis === undefined ? 1 : s.shape[(s.axis + s.shape.length) % s.shape.length]!;
  const pshape = s.axis === undefined ? [] : [dim];
  const scale = t('float32', pshape, scales(dim, 1.5, s.seed + 1).map((v, i) => (i % 3 === 2 ? -v : v)));
  const zp = s.zp === false ? undefined : t(s.type, pshape, ints(s.type, dim, s.seed + 2));
  const x = op === 'QuantizeLinear' ? t('float32', s.shape, floats(count(s.shape), s.seed)) : t(s.type, s.shape, ints(s.type, count(s.shape), s.seed));
  const what = `${op} ${s.type}[${s.shape}]${s.axis === undefined ? ' per tensor' : ` axis ${s.axis}`}${zp ? '' : ' no zero point'}`;
  return { what, inputs: [x, scale, zp], out: { dtype: op === 'QuantizeLinear' ? s.type : 'float32', shape: s.shape }, attrs: s.axis === undefined ? {} : { axis: s.axis } };
}

const QDQ_SPECS: readonly QdqSpec[] = [
  { shape: [37], type: 'uint8', seed: 61 }, // 2 vectors of 16 and a tail of 5
  { shape: [2, 3, 5, 7], type: 'int8', seed: 62 },
  { shape: [4, 16], type: 'int8', axis: 0, seed: 63 },
  { shape: [3, 5, 17], type: 'uint8', axis: 1, seed: 64 },
  { shape: [6, 9], type: 'int8', axis: -1, seed: 65 }, // inner 1: every element its own parameter
  { shape: [15], type: 'uint8', zp: false, seed: 66 },
  { shape: [1, 32, 16, 16], type: 'uint8', seed: 67 },
];

function casesOf(k: Kernel): Case[] {
  if (k.op === 'QLinearConv' || k.op === 'ConvInteger') return (k.id.includes('-1x8-') ? GROUPED_SPECS : CONV_SPECS).map((s) => convCase(k.op as 'QLinearConv', s));
  if (k.op === 'QuantizeLinear' || k.op === 'DequantizeLinear') return QDQ_SPECS.map((s) => qdqCase(k.op as 'QuantizeLinear', s));
  // every spec the kernel supports (the gemv runs M ≤ 4 by a 2-D int8 B)
  return MATMUL_SPECS.map((s) => matmulCase(k.op as 'QLinearMatMul', s))
    .filter((c) => !k.supports || k.supports({ inputs: c.inputs.map((x) => x && { dtype: x.dtype, shape: x.shape }), outputs: [c.out], attrs: {} }));
}

// (the N:M int8 conv reads a packed weight: wasm-int8-nm.test.ts)
const INT8_KERNELS = WASMSIMD_KERNELS.filter((k) => (k.dtype === 'i8' || k.op === 'QuantizeLinear') && k.format !== 'nm');
const refOf = (k: Kernel): Kernel => ALL_KERNELS.find((r) => r.target === 'ref' && r.op === k.op && (r.format ?? 'dense') === 'dense')!;

function assertSame(got: readonly number[], want: readonly number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) assert.fail(`${what}: output[${i}] = ${got[i]}, want ${want[i]}`);
}

describe('int8 wasmsimd kernels vs ref kernels, in WebAssembly memory', function () {
  this.timeout(120_000);

  it('QLinearConv, ConvInteger, QLinearMatMul, MatMulInteger, QuantizeLinear and DequantizeLinear each have an int8 wasmsimd kernel (QLinearConv also one reading N:M)', () => {
    assert.ok(WASMSIMD_KERNELS.some((k) => k.id === 'i8-qlinearconvnm-16x1-wasmsimd'));
    assert.deepEqual(INT8_KERNELS.map((k) => k.id).sort(), ['f32-quantizelinear-1x16-wasmsimd', 'i8-convinteger-1x8-wasmsimd', 'i8-convinteger-4x8-wasmsimd',
      'i8-dequantizelinear-1x16-wasmsimd', 'i8-matmulinteger-1x4-wasmsimd', 'i8-matmulinteger-2x4-wasmsimd', 'i8-qlinearconv-1x8-wasmsimd', 'i8-qlinearconv-4x8-wasmsimd', 'i8-qlinearmatmul-2x4-wasmsimd']);
  });

  for (const k of INT8_KERNELS) {
    const ref = refOf(k);
    const cases = casesOf(k);
    it(`${k.id} matches ${ref.id} bit for bit on ${cases.length} edge cases${relaxed ? ' (relaxed SIMD), and the SIMD128 module within the madd bound (identical)' : ''}`, async function () {
      if (!simd) this.skip();
      for (const c of cases) {
        const want = run(ref, c, undefined);
        const got = run(k, c, await spaceFor(k, c));
        assertSame(got, want, `${k.id}, ${c.what}`);
        if (relaxed) assertSame(run(k, c, await spaceFor(k, c, false)), got, `${k.id} SIMD128 vs relaxed, ${c.what}`);
        // Without a WasmEnv the kernel runs its ref kernel.
        assertSame(run(k, c, undefined), want, `${k.id} without WebAssembly, ${c.what}`);
      }
    });
  }

  it('requantization: multipliers that saturate, are infinite (y_scale 0) or NaN give what ref gives (saturated, zero point)', async function () {
    if (!simd) this.skip();
    // the group-1 kernel, and the 1x8 kernel on a depthwise 3×3 (i8dwconv3x3's own requantization)
    for (const k of INT8_KERNELS.filter((x) => x.op === 'QLinearConv')) {
      const base = k.id.includes('-1x8-')
        ? convCase('QLinearConv', { x: [1, 3, 5, 11], w: [3, 1, 3, 3], group: 3, xType: 'uint8', wType: 'int8', pads: [1, 1, 1, 1], perChannel: true, bias: true, seed: 32 })
        : convCase('QLinearConv', { x: [1, 4, 5, 6], w: [3, 4, 3, 3], xType: 'uint8', wType: 'int8', pads: [1, 1, 1, 1], perChannel: true, bias: true, seed: 31 });
      const withScales = (ws: readonly number[], ys: number): Case => {
        const inputs = [...base.inputs];
        inputs[4] = t('float32', [3], ws); inputs[6] = t('float32', [], [ys]);
        return { ...base, what: `w_scale ${ws}, y_scale ${ys}`, inputs };
      };
      for (const c of [withScales([1, 0.5, 2], 1e-6), withScales([0.01, 0.01, 0.01], 0), withScales([NaN, 0.01, Infinity], 0.5), withScales([0, 0.01, -0.01], 0.5), withScales([-Infinity, 3e38, -1e-30], 0.5)]) {
        const want = run(refOf(k), c, undefined);
        assertSame(run(k, c, await spaceFor(k, c)), want, `${k.id}, ${c.what}`);
      }
    }
  });

  it('a weight or weight zero point that changes between runs (a graph input) is repacked: each run equals ref on the new values', async function () {
    if (!simd) this.skip();
    const k = INT8_KERNELS.find((x) => x.op === 'ConvInteger')!;
    const c = convCase('ConvInteger', { x: [1, 3, 6, 6], w: [5, 3, 3, 3], xType: 'uint8', wType: 'int8', pads: [1, 1, 1, 1], perChannel: true, seed: 71 });
    const space = await spaceFor(k, c);
    const inputs = c.inputs.map((x) => x && view(space, x));
    const y = view(space, { dtype: 'int32', shape: c.out.shape, values: new Array<number>(count(c.out.shape)).fill(0) });
    const runWasm = k.prepare({ node: 'n1', inputs, outputs: [y], attrs: c.attrs ?? {}, wasm: space });
    const w = inputs[1]!.data as Int8Array, wz = inputs[3]!.data as Int8Array;
    for (const change of [() => {}, () => { w[7] = -w[7]! - 1; }, () => { wz[4] = 99; }, () => {}]) {
      change();
      withoutAllocation(runWasm);
      const now = { ...c, inputs: [c.inputs[0], { ...c.inputs[1]!, values: Array.from(w) }, c.inputs[2], { ...c.inputs[3]!, values: Array.from(wz) }] };
      assertSame(Array.from(y.data as Int32Array), run(refOf(k), now, undefined), `${k.id} after a change`);
    }
  });

  it('a weight and weight zero point marked constant (ctx.constants, as bind marks weights) are packed once at prepare: runs read that packing, not the bytes', async function () {
    if (!simd) this.skip();
    const k = INT8_KERNELS.find((x) => x.op === 'ConvInteger')!;
    const c = convCase('ConvInteger', { x: [1, 3, 6, 6], w: [5, 3, 3, 3], xType: 'uint8', wType: 'int8', pads: [1, 1, 1, 1], perChannel: true, seed: 73 });
    const want = run(refOf(k), c, undefined);
    const space = await spaceFor(k, c);
    const inputs = c.inputs.map((x) => x && view(space, x));
    const y = view(space, { dtype: 'int32', shape: c.out.shape, values: new Array<number>(count(c.out.shape)).fill(0) });
    const runWasm = k.prepare({ node: 'n1', inputs, outputs: [y], attrs: c.attrs ?? {}, constants: [false, true, false, true], wasm: space });
    // Overwritten after prepare: a kernel that still packed (or compared) W per run would follow the new bytes.
    (inputs[1]!.data as Int8Array).fill(0);
    (inputs[3]!.data as Int8Array).fill(0);
    for (let i = 0; i < 2; i++) {
      withoutAllocation(runWasm);
      assertSame(Array.from(y.data as Int32Array), want, `${k.id} run ${i + 1} on the weight packed at prepare`);
    }
  });

  it('QLinearConv scales and y zero point: read at every run when graph inputs, once at prepare when marked constant', async function () {
    if (!simd) this.skip();
    for (const k of INT8_KERNELS.filter((x) => x.op === 'QLinearConv')) {
      const c = k.id.includes('-1x8-')
        ? convCase('QLinearConv', { x: [1, 4, 6, 9], w: [4, 1, 3, 3], group: 4, xType: 'uint8', wType: 'int8', pads: [1, 1, 1, 1], perChannel: true, bias: true, seed: 74 })
        : convCase('QLinearConv', { x: [1, 3, 6, 6], w: [5, 3, 3, 3], xType: 'uint8', wType: 'int8', pads: [1, 1, 1, 1], perChannel: true, bias: true, seed: 74 });
      for (const fixed of [false, true]) {
        const space = await spaceFor(k, c);
        const inputs = c.inputs.map((x) => x && view(space, x));
        const y = view(space, { dtype: c.out.dtype, shape: c.out.shape, values: new Array<number>(count(c.out.shape)).fill(0) });
        const constants = [false, fixed, false, true, fixed, true, fixed, fixed, true];
        const runWasm = k.prepare({ node: 'n1', inputs, outputs: [y], attrs: c.attrs ?? {}, constants, wasm: space });
        const want = run(refOf(k), c, undefined);
        const ys = inputs[6]!.data as Float32Array, yz = inputs[7]!.data as Uint8Array;
        for (const change of [() => {}, () => { ys[0] = ys[0]! * 3; }, () => { yz[0] = yz[0]! ^ 0x55; }]) {
          change();
          withoutAllocation(runWasm);
          const now = { ...c, inputs: c.inputs.map((x, i) => (x && (i === 6 || i === 7) ? { ...x, values: Array.from(inputs[i]!.data as ArrayLike<number>) } : x)) };
          assertSame(Array.from(y.data as ArrayLike<number>), fixed ? want : run(refOf(k), now, undefined), `${k.id}, scales ${fixed ? 'constant' : 'graph inputs'}, after a change`);
        }
      }
    }
  });

  for (const k of INT8_KERNELS.filter((x) => x.op === 'MatMulInteger')) it(`${k.id}: a B or B zero point that changes between runs (a graph input) is repacked: each run equals ref on the new values`, async function () {
    if (!simd) this.skip();
    const c = matmulCase('MatMulInteger', { a: k.tile === '1x4' ? [3, 20] : [2, 3, 20], b: [20, 6], aType: 'uint8', bType: 'int8', perColB: true, seed: 72 });
    const space = await spaceFor(k, c);
    const inputs = c.inputs.map((x) => x && view(space, x));
    const y = view(space, { dtype: 'int32', shape: c.out.shape, values: new Array<number>(count(c.out.shape)).fill(0) });
    const runWasm = k.prepare({ node: 'n1', inputs, outputs: [y], attrs: {}, wasm: space });
    const b = inputs[1]!.data as Int8Array, bz = inputs[3]!.data as Int8Array;
    for (const change of [() => {}, () => { b[37] = -b[37]! - 1; }, () => { bz[5] = -99; }, () => {}]) {
      change();
      withoutAllocation(runWasm);
      const now = { ...c, inputs: [c.inputs[0], { ...c.inputs[1]!, values: Array.from(b) }, c.inputs[2], { ...c.inputs[3]!, values: Array.from(bz) }] };
      assertSame(Array.from(y.data as Int32Array), run(refOf(k), now, undefined), `${k.id} after a change`);
    }
  });

  it('refuses at prepare, naming the node and both kernels, what the ref kernel refuses: a w_scale of the wrong length', async function () {
    if (!simd) this.skip();
    const k = INT8_KERNELS.find((x) => x.op === 'QLinearConv')!;
    const c = convCase('QLinearConv', { x: [1, 2, 4, 4], w: [3, 2, 3, 3], xType: 'uint8', wType: 'int8', perChannel: true, seed: 41 });
    const inputs = [...c.inputs];
    inputs[4] = t('float32', [2], [0.1, 0.1]);
    assert.throws(() => run(k, { ...c, inputs }, undefined), (e: unknown) => e instanceof KernelError
      && /^node 'n1' \(kernel i8-qlinearconv-4x8-wasmsimd as any-qlinearconv-1x1-ref\): input 4 \(w_scale\) must have one element or 3/.test((e as Error).message));
  });

  it('supports(): group 1 convs run the 4x8 kernel, grouped and depthwise ones the 1x8 kernel; QLinearMatMul with a per-row a_scale the ref kernel', () => {
    const conv = INT8_KERNELS.find((x) => x.id === 'i8-qlinearconv-4x8-wasmsimd')!, grouped = INT8_KERNELS.find((x) => x.id === 'i8-qlinearconv-1x8-wasmsimd')!;
    const mm = INT8_KERNELS.find((x) => x.op === 'QLinearMatMul')!;
    const shapes = (c: Case) => ({ inputs: c.inputs.map((x) => x && { dtype: x.dtype, shape: x.shape }), outputs: [c.out], attrs: c.attrs ?? {} });
    const g2 = shapes(convCase('QLinearConv', { x: [1, 4, 4, 4], w: [4, 2, 3, 3], group: 2, xType: 'uint8', wType: 'int8', seed: 51 }));
    const g1 = shapes(convCase('QLinearConv', { x: [1, 4, 4, 4], w: [4, 4, 3, 3], xType: 'uint8', wType: 'int8', seed: 51 }));
    assert.deepEqual([conv.supports!(g2), grouped.supports!(g2), conv.supports!(g1), grouped.supports!(g1)], [false, true, true, false]);
    // Output channels that do not split into the groups: neither (the ref kernel refuses the node).
    const uneven = shapes(convCase('QLinearConv', { x: [1, 4, 4, 4], w: [3, 2, 3, 3], group: 2, xType: 'uint8', wType: 'int8', seed: 51 }));
    assert.equal(grouped.supports!(uneven), false);
    const m = matmulCase('QLinearMatMul', { a: [3, 8], b: [8, 4], aType: 'uint8', bType: 'int8', seed: 52 });
    assert.equal(mm.supports!(shapes(m)), true);
    const perRow = [...m.inputs];
    perRow[1] = t('float32', [3], [0.1, 0.2, 0.3]);
    assert.equal(mm.supports!(shapes({ ...m, inputs: perRow })), false);
  });
});

// onnxruntime-node on single-node models: x (or A) fed at run time, the other operands initializers.
const ONNX_TYPE = Object.fromEntries(Object.entries(ONNX_DTYPES).map(([code, dtype]) => [dtype, Number(code)])) as Readonly<Record<string, number>>;

function oneNodeModel(op: string, c: Case, names: readonly string[], opset: number): Uint8Array {
  const attribute = Object.entries(c.attrs ?? {}).map(([name, v]) => (typeof v === 'number'
    ? { name, type: onnx.AttributeProto.AttributeType.INT, i: v }
    : { name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...(v as number[])] }));
  const initializer = c.inputs.slice(1).flatMap((x, i) => {
    if (!x) return [];
    const a = array(x);
    return [{ name: names[i + 1]!, dataType: ONNX_TYPE[x.dtype], dims: [...x.shape], rawData: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) }];
  });
  const vi = (name: string, dtype: string, shape: readonly number[]) => ({ name, type: { tensorType: { elemType: ONNX_TYPE[dtype], shape: { dim: shape.map((d) => ({ dimValue: d })) } } } });
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'int8', input: [vi(names[0]!, c.inputs[0]!.dtype, c.inputs[0]!.shape)], output: [vi('y', c.out.dtype, c.out.shape)], initializer,
      node: [{ name: 'n1', opType: op, input: names.slice(0, c.inputs.length), output: ['y'], attribute }],
    },
  })).finish();
}

async function runOrt(op: string, c: Case, names: readonly string[]): Promise<number[]> {
  const session = await ort.InferenceSession.create(oneNodeModel(op, c, names, 13), { intraOpNumThreads: 1 });
  try {
    const x = c.inputs[0]!;
    const out = await session.run({ [names[0]!]: new ort.Tensor(x.dtype as 'uint8', array(x) as Uint8Array, [...x.shape]) });
    return Array.from(out['y']!.data as Uint8Array);
  } finally {
    await session.release();
  }
}

describe('int8 wasmsimd kernels vs onnxruntime-node', function () {
  this.timeout(120_000);
  const conv = INT8_KERNELS.find((x) => x.id === 'i8-qlinearconv-4x8-wasmsimd')!, mm = INT8_KERNELS.find((x) => x.op === 'QLinearMatMul')!;

  it(`${conv.id} equals onnxruntime's QLinearConv exactly (uint8 x, int8 weights per channel, int32 bias; int8 x)`, async function () {
    if (!simd) this.skip();
    const names = ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'b'];
    // onnxruntime wants symmetric int8 weights (zero point 0) per channel.
    for (const s of [CONV_SPECS[1]!, CONV_SPECS[7]!, { ...CONV_SPECS[2]!, x: [1, 5, 9, 8] }, CONV_SPECS[10]!, CONV_SPECS[12]!, CONV_SPECS[14]!, { ...CONV_SPECS[11]!, yType: 'int8' as const }]) {
      const c = convCase('QLinearConv', s);
      const inputs = [...c.inputs];
      const wz = inputs[5]!;
      inputs[5] = t('int8', wz.shape, wz.values.map(() => 0));
      inputs[3] = t('int8', inputs[3]!.shape, inputs[3]!.values.map((v) => Math.max(-127, v)));
      const sym = { ...c, inputs };
      assertSame(run(conv, sym, await spaceFor(conv, sym)), await runOrt('QLinearConv', sym, names), `${conv.id} vs onnxruntime, ${c.what}`);
    }
  });

  it(`i8-qlinearconv-1x8-wasmsimd equals onnxruntime's grouped and depthwise QLinearConv exactly`, async function () {
    if (!simd) this.skip();
    const grouped = INT8_KERNELS.find((x) => x.id === 'i8-qlinearconv-1x8-wasmsimd')!;
    const names = ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'b'];
    for (const s of [GROUPED_SPECS[0]!, GROUPED_SPECS[2]!, GROUPED_SPECS[3]!, GROUPED_SPECS[6]!, GROUPED_SPECS[7]!, GROUPED_SPECS[8]!, { ...GROUPED_SPECS[1]!, x: [1, 5, 9, 17] }]) {
      const c = convCase('QLinearConv', { ...s, wType: 'int8', yType: s.xType }); // onnxruntime: y of x's type
      const inputs = [...c.inputs];
      const wz = inputs[5]!;
      inputs[5] = t('int8', wz.shape, wz.values.map(() => 0));
      inputs[3] = t('int8', inputs[3]!.shape, inputs[3]!.values.map((v) => Math.max(-127, v)));
      const sym = { ...c, inputs };
      assertSame(run(grouped, sym, await spaceFor(grouped, sym)), await runOrt('QLinearConv', sym, names), `${grouped.id} vs onnxruntime, ${c.what}`);
    }
  });

  it('every QLinearConv kernel (ref, 4x8, 1x8) requantizes in float32 as onnxruntime: acc 3 · multiplier fround(7/6) is 3.4999999 exactly but 3.5 in float32, so 4', async function () {
    if (!simd) this.skip();
    const names = ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'];
    const mult = Math.fround(7 / 6);
    // 1×1 convs of one pixel, x = 1, w = 3 (zero points 0): each output's sum is 3; group 1 and 2.
    for (const group of [1, 2]) {
      const c: Case = {
        what: `group ${group}`, attrs: { kernel_shape: [1, 1], ...(group > 1 ? { group } : {}) },
        inputs: [t('int8', [1, 2, 1, 1], [1, 1]), t('float32', [], [1]), t('int8', [], [0]), t('int8', [2, 3 - group, 1, 1], new Array(2 * (3 - group)).fill(3).map((v, i) => (group === 1 && i % 2 === 1 ? 0 : v))),
          t('float32', [], [mult]), t('int8', [], [0]), t('float32', [], [1]), t('int8', [], [0])],
        out: { dtype: 'int8', shape: [1, 2, 1, 1] },
      };
      const want = await runOrt('QLinearConv', c, names);
      assert.deepEqual(want, [4, 4], 'onnxruntime rounds the float32 product 3.5 to even');
      const kernels = [refOf(conv), INT8_KERNELS.find((x) => x.op === 'QLinearConv' && x.supports!({ inputs: c.inputs.map((i) => i && { dtype: i.dtype, shape: i.shape }), outputs: [c.out], attrs: c.attrs! }))!];
      for (const k of kernels) assertSame(run(k, c, k.target === 'ref' ? undefined : await spaceFor(k, c)), want, `${k.id}, ${c.what}`);
    }
    // QLinearMatMul's ref kernel shares the requantization: A [1, 1] = 1, B [1, 1] = 3.
    const m: Case = { what: 'matmul', inputs: [t('int8', [1, 1], [1]), t('float32', [], [1]), t('int8', [], [0]), t('int8', [1, 1], [3]), t('float32', [], [mult]), t('int8', [], [0]), t('float32', [], [1]), t('int8', [], [0])], out: { dtype: 'int8', shape: [1, 1] } };
    assertSame(run(refOf(mm), m, undefined), [4], `${refOf(mm).id} requantizes in float32`);
    assertSame(run(mm, m, await spaceFor(mm, m)), [4], mm.id);
  });

  it(`${mm.id} equals onnxruntime's QLinearMatMul exactly`, async function () {
    if (!simd) this.skip();
    const names = ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'];
    // onnxruntime's QLinearMatMul kernels: uint8 A and B to uint8, int8 A and B to int8.
    const specs: MatMulSpec[] = [
      { a: [2, 3, 4, 19], b: [19, 4], aType: 'uint8', bType: 'uint8', yType: 'uint8', seed: 21 },
      { a: [17, 96], b: [96, 40], aType: 'int8', bType: 'int8', yType: 'int8', seed: 22 },
      { a: [64, 288], b: [288, 32], aType: 'uint8', bType: 'uint8', yType: 'uint8', seed: 23 },
    ];
    for (const s of specs) {
      const c = matmulCase('QLinearMatMul', s);
      assertSame(run(mm, c, await spaceFor(mm, c)), await runOrt('QLinearMatMul', c, names), `${mm.id} vs onnxruntime, ${c.what}`);
    }
  });
});
