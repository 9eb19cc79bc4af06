// The synthetic nodes `spc tune` times per-element kernels on (every op but Conv/Gemm/MatMul): per
// op the forms models use, at a few sizes, each a one-node graph whose work is cost.ts's
// elementWork (the unit the estimates use), never a count of our own.

import type { Attr, Graph, Node } from '../ir/graph.js';
import { kernelAttrs, makeGraph } from '../ir/graph.js';
import type { DType, TensorView } from '../../runtime/tensor.js';
import { allocArray, sizeOf } from '../../runtime/tensor.js';
import type { Attrs, Kernel } from '../../runtime/kernels/kernel.js';
import { elementWork, isInt8Product, kernelElementWork } from '../analysis/cost.js';
import { weightInputOf, toWeightMatrix } from '../../runtime/sparse/layout.js';
import { packNm } from '../sparse/pack/pack.js';
import { nodeOutputTypes } from '../analysis/interpret.js';
import { randomData } from './layers.js';

/** The data of an input: random values for its dtype, positive floats (Log, Sqrt, a Pow base, a divisor), or given values. */
type Fill = 'random' | 'positive' | readonly number[];

interface InputSpec {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly fill: Fill;
}

/** One form of an op: its inputs (undefined: an omitted optional input), attributes, output count and opset. */
export interface ElementForm {
  readonly name: string;
  readonly inputs: readonly (InputSpec | undefined)[];
  readonly attrs?: Readonly<Record<string, Attr>>;
  readonly outputs?: number;
  /** The opset whose form the inputs follow (default 17). */
  readonly opset?: number;
  /** Per input, true where a model holds it as a weight (a kernel packs those once, at prepare, as bind marks them). */
  readonly constants?: readonly boolean[];
}

/** A tensor size the forms scale with: x is [1, c, h, w]. */
export interface ElementSize {
  readonly c: number;
  readonly h: number;
  readonly w: number;
}

/**
 * Smallest first (quick mode takes the first two): 64, 1 Ki, 18 Ki and 144 Ki elements. The
 * smallest prices the call (fit.ts fitElements: the tiny nodes of MLP heads and audio front
 * ends cost little more than it), the larger ones the rate per element.
 */
export const ELEMENT_SIZES: readonly ElementSize[] = [{ c: 4, h: 4, w: 4 }, { c: 16, h: 8, w: 8 }, { c: 32, h: 24, w: 24 }, { c: 64, h: 48, w: 48 }];

const f32 = (shape: readonly number[], fill: Fill = 'random'): InputSpec => ({ dtype: 'float32', shape, fill });
const i64 = (values: readonly number[], shape: readonly number[] = [values.length]): InputSpec => ({ dtype: 'int64', shape, fill: values });
const bool = (shape: readonly number[]): InputSpec => ({ dtype: 'bool', shape, fill: 'random' });
const int = (value: number): Attr => ({ kind: 'int', value });
const ints = (value: readonly number[]): Attr => ({ kind: 'ints', value });
const str = (value: string): Attr => ({ kind: 'string', value });
const u8 = (shape: readonly number[], fill: Fill = 'random'): InputSpec => ({ dtype: 'uint8', shape, fill });
const i8 = (shape: readonly number[], fill: Fill = 'random'): InputSpec => ({ dtype: 'int8', shape, fill });
const xOf = (s: ElementSize): number[] => [1, s.c, s.h, s.w];
const depthwise = (s: ElementSize, stride: number): Record<string, Attr> =>
  ({ group: int(s.c), kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([stride, stride]) });
const range = (n: number, step = 1): number[] => Array.from({ length: n }, (_, i) => i * step);

type Forms = (s: ElementSize) => readonly ElementForm[];

/** QLinearConv's weight, its scale and zero point, y's scale and zero point: weights in a model (x's scale and zero point may be too; packing does not read them). */
const QLINEARCONV_CONSTANTS = [false, false, false, true, true, true, true, true];

const unary = (attrs: Record<string, Attr> = {}, fill: Fill = 'random', opset?: number): Forms =>
  (s) => [{ name: 'x', inputs: [f32(xOf(s), fill)], attrs, opset }];

/**
 * Same shape, a scalar, a per-channel [1, c, 1, 1] second operand (CNNs), and a bias along the
 * last axis as the first operand (the Add(bias, MatMul) exporters write after a MatMul).
 */
const binary = (make: (shape: readonly number[]) => InputSpec = (shape) => f32(shape), attrs: Record<string, Attr> = {}, first: Fill = 'random'): Forms =>
  (s) => [
    { name: 'same shape', inputs: [{ ...make(xOf(s)), fill: first }, make(xOf(s))], attrs },
    { name: 'scalar', inputs: [{ ...make(xOf(s)), fill: first }, make([])], attrs },
    { name: 'per channel', inputs: [{ ...make(xOf(s)), fill: first }, make([1, s.c, 1, 1])], attrs },
    { name: 'last-axis bias first', inputs: [{ ...make([s.w]), fill: first }, make(xOf(s))], attrs },
  ];

/** Over the whole plane, and over CNN heads' many channels of a 7×7 plane (a per-channel cost shows there). */
const globalPool: Forms = (s) => [{ name: 'x', inputs: [f32(xOf(s))] }, { name: '7×7 planes', inputs: [f32([1, 8 * s.c, 7, 7])] }];

const positive = (shape: readonly number[]): InputSpec => f32(shape, 'positive');

const pool: Forms = (s): ElementForm[] => [
  { name: '3×3/1', inputs: [f32(xOf(s))], attrs: { kernel_shape: ints([3, 3]), strides: ints([1, 1]), pads: ints([1, 1, 1, 1]) } },
  { name: '2×2/2', inputs: [f32(xOf(s))], attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]) } },
];

/**
 * Reductions over the last axis and over the spatial axes with `axes` an attribute (as exporters
 * at opset ≤ 17 write them; ReduceSum's axes became an input at 13), and the last axis with `axes`
 * an input (opset 18).
 */
const reduce = (attrOpset: number): Forms => (s): ElementForm[] => [
  { name: 'last axis', inputs: [f32(xOf(s))], attrs: { axes: ints([-1]), keepdims: int(1) }, opset: attrOpset },
  { name: 'spatial', inputs: [f32(xOf(s))], attrs: { axes: ints([2, 3]), keepdims: int(1) }, opset: attrOpset },
  { name: 'last axis (axes input)', inputs: [f32(xOf(s)), i64([-1])], attrs: { keepdims: int(1) }, opset: 18 },
];

const argReduce: Forms = (s) => [{ name: 'channels', inputs: [f32(xOf(s))], attrs: { axis: int(1), keepdims: int(1) } }];

const variadic: Forms = (s) => [{ name: '3 inputs', inputs: [f32(xOf(s)), f32(xOf(s)), f32(xOf(s))] }];

const UNARY_OPS = ['Relu', 'Sigmoid', 'Tanh', 'Exp', 'Erf', 'Abs', 'Neg', 'Sign', 'Floor', 'Ceil', 'Round', 'Sin', 'Cos', 'Softplus', 'Softsign',
  'Elu', 'Selu', 'ThresholdedRelu', 'Mish', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Identity', 'Reciprocal', 'Celu', 'Tan', 'Atan', 'Asin', 'Acos',
  'Sinh', 'Cosh', 'IsNaN', 'IsInf'];
const COMPARISONS = ['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual'];
const REDUCTIONS = ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSum', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

/** Per op, its forms at a size. An op absent here keeps its prior (tune notes it). */
export const ELEMENT_TEMPLATES: Readonly<Record<string, Forms>> = {
  ...Object.fromEntries(UNARY_OPS.map((op) => [op, unary()])),
  Log: unary({}, 'positive'),
  Sqrt: unary({}, 'positive'),
  Gelu: unary({}, 'random', 20),
  Not: (s) => [{ name: 'x', inputs: [bool(xOf(s))] }],
  Cast: unary({ to: int(6) }),
  Clip: (s) => [{ name: 'min and max', inputs: [f32(xOf(s)), f32([], [0]), f32([], [6])] }, { name: 'min only', inputs: [f32(xOf(s)), f32([], [0])] }],
  Softmax: (s) => [{ name: 'last axis', inputs: [f32(xOf(s))], attrs: { axis: int(-1) } }, { name: 'channels', inputs: [f32(xOf(s))], attrs: { axis: int(1) } }],
  LogSoftmax: (s) => [{ name: 'last axis', inputs: [f32(xOf(s))], attrs: { axis: int(-1) } }],
  LpNormalization: unary({ axis: int(1), p: int(2) }),
  Flatten: unary({ axis: int(1) }),
  Reshape: (s) => [{ name: 'to 3-d', inputs: [f32(xOf(s)), i64([1, s.c, s.h * s.w])] }],
  Squeeze: (s) => [{ name: 'batch', inputs: [f32(xOf(s)), i64([0])] }],
  Unsqueeze: (s) => [{ name: 'front', inputs: [f32(xOf(s)), i64([0])] }],
  Shape: unary(),
  ...Object.fromEntries(['Add', 'Sub', 'Mul', 'Max', 'Min'].map((op) => [op, binary()])),
  Div: binary(positive),
  // The Pow models run once fuse-gelu and fuse-layernorm took x³ and the variance's x²: x² by a
  // constant 2 (power spectra of audio front ends), which kernels compute as a product; timed
  // with random exponents (Math.pow, ~19 ns per element in js) it was priced 20–40× silero VAD's.
  Pow: (s) => [
    { name: 'square', inputs: [f32(xOf(s)), f32([], [2])] },
    { name: 'square per channel', inputs: [f32(xOf(s)), f32([1, s.c, 1, 1], Array.from({ length: s.c }, () => 2))] },
  ],
  Mod: binary(positive, { fmod: int(1) }),
  ...Object.fromEntries(COMPARISONS.map((op) => [op, binary()])),
  ...Object.fromEntries(['And', 'Or', 'Xor'].map((op) => [op, binary(bool, {}, 'random')])),
  Sum: variadic,
  Mean: variadic,
  PRelu: (s) => [{ name: 'per channel', inputs: [f32(xOf(s)), f32([s.c, 1, 1])] }, { name: 'scalar', inputs: [f32(xOf(s)), f32([1])] }],
  Where: (s) => [
    { name: 'same shape', inputs: [bool(xOf(s)), f32(xOf(s)), f32(xOf(s))] },
    { name: 'scalar', inputs: [bool(xOf(s)), f32(xOf(s)), f32([])] },
  ],
  MaxPool: pool,
  AveragePool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  BatchNormalization: (s) => [{ name: 'inference', inputs: [f32(xOf(s)), f32([s.c]), f32([s.c]), f32([s.c]), f32([s.c], 'positive')], opset: 15 }],
  InstanceNormalization: (s) => [{ name: 'x', inputs: [f32(xOf(s)), f32([s.c]), f32([s.c])] }],
  GroupNormalization: (s) => [{ name: '4 groups', inputs: [f32(xOf(s)), f32([s.c]), f32([s.c])], attrs: { num_groups: int(4) }, opset: 21 }],
  LayerNormalization: (s) => [{ name: 'tokens × features', inputs: [f32([1, s.h * s.w, s.c]), f32([s.c]), f32([s.c])], attrs: { axis: int(-1) } }],
  ...Object.fromEntries(REDUCTIONS.map((op) => [op, reduce(op === 'ReduceSum' ? 11 : 13)])),
  ArgMax: argReduce,
  ArgMin: argReduce,
  TopK: (s) => [{ name: 'k 4, last axis', inputs: [f32(xOf(s)), i64([4])], attrs: { axis: int(-1) }, outputs: 2 }],
  // element by element (layout changes) and in runs along the kept last axis (attention's head split)
  Transpose: (s) => [
    { name: 'NCHW→NHWC', inputs: [f32(xOf(s))], attrs: { perm: ints([0, 2, 3, 1]) } },
    { name: 'last two', inputs: [f32(xOf(s))], attrs: { perm: ints([0, 1, 3, 2]) } },
    { name: 'heads', inputs: [f32(xOf(s))], attrs: { perm: ints([0, 2, 1, 3]) } },
  ],
  Concat: (s) => [
    { name: 'channels', inputs: [f32([1, s.c / 2, s.h, s.w]), f32([1, s.c / 2, s.h, s.w])], attrs: { axis: int(1) } },
    { name: 'last axis', inputs: [f32([1, s.c, s.h, s.w / 2]), f32([1, s.c, s.h, s.w / 2])], attrs: { axis: int(-1) } },
  ],
  Split: (s) => [
    { name: 'channels', inputs: [f32(xOf(s)), i64([s.c / 2, s.c / 2])], attrs: { axis: int(1) }, outputs: 2 },
    { name: 'last axis', inputs: [f32(xOf(s)), i64([s.w / 2, s.w / 2])], attrs: { axis: int(-1) }, outputs: 2 },
  ],
  Slice: (s) => [
    { name: 'spatial crop', inputs: [f32(xOf(s)), i64([s.h / 4, s.w / 4]), i64([(3 * s.h) / 4, (3 * s.w) / 4]), i64([2, 3])] },
    { name: 'channels', inputs: [f32(xOf(s)), i64([0]), i64([s.c / 2]), i64([1])] },
  ],
  Pad: (s) => [
    { name: 'constant 1', inputs: [f32(xOf(s)), i64([0, 0, 1, 1, 0, 0, 1, 1])], attrs: { mode: str('constant') } },
    { name: 'reflect 1', inputs: [f32(xOf(s)), i64([0, 0, 1, 1, 0, 0, 1, 1])], attrs: { mode: str('reflect') } },
  ],
  Resize: (s) => ['nearest', 'linear'].map((mode) => ({ name: `${mode} ×2`, inputs: [f32(xOf(s)), undefined, f32([4], [1, 1, 2, 2])], attrs: { mode: str(mode) }, opset: 13 })),
  Upsample: (s) => [{ name: 'nearest ×2', inputs: [f32(xOf(s)), f32([4], [1, 1, 2, 2])], attrs: { mode: str('nearest') }, opset: 9 }],
  Expand: (s) => [{ name: 'rows', inputs: [f32([1, s.c, 1, s.w]), i64(xOf(s))] }],
  Tile: (s) => [{ name: '2×2', inputs: [f32(xOf(s)), i64([1, 1, 2, 2])] }],
  Gather: (s) => [{ name: 'channels', inputs: [f32(xOf(s)), i64(range(s.c / 2, 2))], attrs: { axis: int(1) } }],
  GatherElements: (s) => [{ name: 'channels', inputs: [f32(xOf(s)), i64(range(sizeOf(xOf(s))).map((i) => (i * 7) % s.c), xOf(s))], attrs: { axis: int(1) } }],
  DepthToSpace: (s) => [{ name: 'block 2', inputs: [f32(xOf(s))], attrs: { blocksize: int(2), mode: str('DCR') } }],
  SpaceToDepth: (s) => [{ name: 'block 2', inputs: [f32(xOf(s))], attrs: { blocksize: int(2) } }],
  ConstantOfShape: (s) => [{ name: 'x', inputs: [i64(xOf(s))] }],
  Range: (s) => [{ name: 'x', inputs: [f32([], [0]), f32([], [sizeOf(xOf(s))]), f32([], [1])] }],
  ConvTranspose: (s) => [{ name: '2×2/2', inputs: [f32(xOf(s)), f32([s.c, s.c / 2, 2, 2])], attrs: { strides: ints([2, 2]), kernel_shape: ints([2, 2]) } }],
  LSTM: (s) => [{ name: `${s.h} steps`, inputs: [f32([s.h, 1, s.c]), f32([1, 4 * s.c, s.c]), f32([1, 4 * s.c, s.c])], attrs: { hidden_size: int(s.c) }, outputs: 3 }],
  GRU: (s) => [{ name: `${s.h} steps`, inputs: [f32([s.h, 1, s.c]), f32([1, 3 * s.c, s.c]), f32([1, 3 * s.c, s.c])], attrs: { hidden_size: int(s.c) }, outputs: 2 }],
  QuantizeLinear: (s) => [{ name: 'per tensor', inputs: [f32(xOf(s)), f32([], [0.02]), { dtype: 'uint8', shape: [], fill: [128] }], opset: 13 }],
  DequantizeLinear: (s) => [{ name: 'per tensor', inputs: [{ dtype: 'uint8', shape: xOf(s), fill: 'random' }, f32([], [0.02]), { dtype: 'uint8', shape: [], fill: [128] }], opset: 13 }],
  // Depthwise, the grouped int8 convs models have (mobilenets' 3×3 at strides 1 and 2), and group-1
  // convs: pointwise expanding (c → 4c) and projecting (4c → c), as mobilenets' blocks, and 3×3 (resnets).
  QLinearConv: (s) => [
    ...[1, 2].map((stride) => ({
      name: `depthwise 3×3/${stride}`, opset: 13, attrs: depthwise(s, stride), constants: QLINEARCONV_CONSTANTS,
      inputs: [u8(xOf(s)), f32([], [0.02]), u8([], [128]), i8([s.c, 1, 3, 3]), f32([], [0.01]), i8([], [0]), f32([], [0.05]), u8([], [128])],
    })),
    ...([['pointwise c→4c', 1, 4, 1], ['pointwise 4c→c', 4, 1, 1], ['3×3 c→c', 1, 1, 3]] as const).map(([name, cin, cout, k]) => ({
      name, opset: 13, attrs: { kernel_shape: ints([k, k]), pads: ints(new Array<number>(4).fill((k - 1) / 2)) }, constants: QLINEARCONV_CONSTANTS,
      inputs: [u8([1, cin * s.c, s.h, s.w]), f32([], [0.02]), u8([], [128]), i8([cout * s.c, cin * s.c, k, k]), f32([], [0.01]), i8([], [0]), f32([], [0.05]), u8([], [128])],
    })),
  ],
  // A transformer's projection: s.w rows of 4c features times a 4c × 4c weight (B constant).
  QLinearMatMul: (s) => [{
    name: 'projection', opset: 13, constants: [false, false, false, true, true, true, true, true],
    inputs: [u8([s.w, 4 * s.c]), f32([], [0.02]), u8([], [128]), u8([4 * s.c, 4 * s.c]), f32([], [0.01]), u8([], [128]), f32([], [0.05]), u8([], [128])],
  }],
  // A classifier's gemv, B constant: one row of 20c features into 16c classes, up to mobilenets'
  // 1280 → 1000, the form quantize-activations writes for a layer with float logits (fuse-qdq's
  // MatMulInteger → Cast → Mul), where the gemv (1x4, M ≤ 4) and the 2x4 kernel compete.
  MatMulInteger: (s) => [
    { name: 'classifier gemv', opset: 13, constants: [false, true, false, true], inputs: [i8([1, 20 * s.c]), i8([20 * s.c, 16 * s.c]), i8([], [3]), i8([], [0])] },
  ],
  ConvInteger: (s) => [1, 2].map((stride) => ({
    name: `depthwise 3×3/${stride}`, opset: 13, attrs: depthwise(s, stride), inputs: [u8(xOf(s)), i8([s.c, 1, 3, 3]), u8([], [128]), i8([], [0])],
  })),
};

/** A synthetic node ready to prepare: its one-node graph, kernel views and elementWork. */
export interface ElementNode {
  /** e.g. 'Add per channel 1×32×24×24'. */
  readonly name: string;
  readonly graph: Graph;
  readonly node: Node;
  readonly attrs: Attrs;
  readonly inputs: readonly (TensorView | undefined)[];
  readonly outputs: readonly TensorView[];
  readonly work: number;
  /** The form's constants (ElementForm.constants). */
  readonly constants?: readonly boolean[];
}

function dataOf(spec: InputSpec, seed: number): TensorView {
  const n = sizeOf(spec.shape), data = allocArray(spec.dtype, n);
  const values: ArrayLike<number> = Array.isArray(spec.fill) ? spec.fill as readonly number[] : randomData(n, seed);
  for (let i = 0; i < n; i++) {
    const r = values[i]!;
    const v = Array.isArray(spec.fill) ? r
      : spec.dtype === 'float32' || spec.dtype === 'float64' ? (spec.fill === 'positive' ? 0.5 + Math.abs(r) : r)
        : spec.dtype === 'bool' ? (r > 0 ? 1 : 0)
          : Math.floor((r + 1) * 64); // 0..127: valid in every integer dtype spc represents
    if (data instanceof BigInt64Array) data[i] = BigInt(v);
    else data[i] = v;
  }
  return { dtype: spec.dtype, shape: spec.shape, data };
}

/** Builds `op` in `form`: output shapes by shape inference (an error when the form does not fit the op's rule). */
export function buildElementNode(op: string, form: ElementForm): ElementNode {
  const opset = form.opset ?? 17;
  const inputs = form.inputs.map((spec, i) => (spec ? dataOf(spec, 17 + 31 * i) : undefined));
  const inNames = inputs.map((t, i) => (t ? `in${i}` : ''));
  const node: Node = { name: `tune ${op}`, op, inputs: inNames, outputs: range(form.outputs ?? 1).map((i) => `out${i}`), attrs: form.attrs ?? {} };
  const outTypes = nodeOutputTypes(node, inputs, opset);
  const outputs = outTypes.map((o): TensorView => ({ dtype: o.dtype, shape: o.shape, data: allocArray(o.dtype, sizeOf(o.shape)) }));
  const values = [
    ...inputs.flatMap((t, i) => (t ? [{ name: inNames[i]!, dtype: t.dtype, shape: t.shape }] : [])),
    ...outputs.map((t, i) => ({ name: node.outputs[i]!, dtype: t.dtype, shape: t.shape })),
  ];
  const graph = makeGraph({ name: node.name, opset, inputs: inNames.filter((n) => n !== ''), outputs: node.outputs, values, nodes: [node] });
  const work = elementWork(graph, node);
  if (work === undefined) throw new Error(`${op} ${form.name}: elementWork has no static count`);
  // Named by its largest input (a bias may come first).
  const shape = inputs.reduce<readonly number[]>((big, t) => (t && sizeOf(t.shape) > sizeOf(big) ? t.shape : big), []);
  return { name: `${op} ${form.name} ${shape.join('×')}`, graph, node, attrs: kernelAttrs(node), inputs, outputs, work, ...(form.constants ? { constants: form.constants } : {}) };
}

/**
 * The forms `op` is timed in at each size (quick: the two smaller sizes); empty when the op has no
 * template. The int8 products skip the 64-element size: they are fitted on multiply-adds (relative
 * error), not on a per-call term read from the smallest node, and a 4-channel conv is no layer a model runs.
 */
export function elementForms(op: string, quick: boolean): { size: ElementSize; form: ElementForm }[] {
  const forms = ELEMENT_TEMPLATES[op];
  if (!forms) return [];
  const sizes = isInt8Product(op) ? ELEMENT_SIZES.slice(1) : ELEMENT_SIZES;
  return (quick ? sizes.slice(0, 2) : sizes).flatMap((size) => forms(size).map((form) => ({ size, form })));
}

/**
 * `n` as a kernel reading its weight N:M runs it: the int8 weight of an int8 product (QLinearConv's
 * input 3) pruned 2:4 along its matrix rows (the two largest |codes| of every 4 kept, as magnitude
 * pruning keeps them) and packed, and its work that kernel's (cost.ts kernelElementWork).
 * Undefined where the weight is no int8 conv weight or its rows do not split into groups of 4.
 */
export function nmElementNode(k: Kernel, n: ElementNode): ElementNode | undefined {
  const at = weightInputOf(n.node.op)?.input;
  const w = at === undefined ? undefined : n.inputs[at];
  if (at !== 3 || !w || !(w.data instanceof Int8Array) || w.shape.length < 3 || sizeOf(w.shape.slice(1)) % 4 !== 0) return undefined;
  const rows = w.shape[0]!, matrix = toWeightMatrix('Conv', w.shape, false, Float32Array.from(w.data)), cols = matrix.length / rows;
  for (let g = 0; g < matrix.length; g += 4) {
    const order = [0, 1, 2, 3].sort((a, b) => Math.abs(matrix[g + b]!) - Math.abs(matrix[g + a]!) || a - b);
    matrix[g + order[2]!] = 0;
    matrix[g + order[3]!] = 0;
  }
  const packed = packNm(rows, cols, matrix, 2, 4);
  const work = kernelElementWork(k, n.graph, n.node, packed);
  if (work === undefined) return undefined;
  const inputs = n.inputs.map((v, i) => (i === at && v ? { dtype: v.dtype, shape: v.shape, data: new Float32Array(0), packed } : v));
  return { ...n, name: `${n.name} 2:4`, inputs, work };
}
