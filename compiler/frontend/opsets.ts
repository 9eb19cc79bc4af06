// The ONNX operators spc imports, with the range of default-domain opsets whose form of the op
// spc handles (attributes turned into inputs, changed defaults: the opset branches in
// analysis/shapes.ts and the kernels) and what it does not handle. docs/operators.md is
// generated from this table, the kernel registry and the conformance results
// (`npm run conformance -- --write`); a test keeps this table and SUPPORTED_OPS in step.

/** The newest default-domain opset spc knows (ONNX 1.17). */
export const MAX_OPSET = 22;

export interface OpSupport {
  /** The oldest opset whose form of the op spc handles. */
  readonly since: number;
  /** What spc does not do for this op (one short sentence each). */
  readonly limits?: readonly string[];
}

export const OP_SUPPORT: Readonly<Record<string, OpSupport>> = {
  Add: { since: 7, limits: ['opset < 7 `broadcast`/`axis` attributes are not read'] },
  AveragePool: { since: 7 },
  BatchNormalization: { since: 9, limits: ['inference only (running mean and variance)'] },
  Cast: { since: 6, limits: ['no float16, bfloat16, float8, int4 or string types'] },
  Clip: { since: 6 },
  Concat: { since: 4 },
  Constant: { since: 1, limits: ['folded at import; sparse_value is not supported'] },
  Conv: { since: 1 },
  ConvTranspose: { since: 1, limits: ['float32 only; ref kernel only (no js / wasmsimd / sparse kernel)'] },
  Div: { since: 7 },
  Dropout: { since: 1, limits: ['inference only: removed, its mask (if read) is a constant of ones'] },
  Equal: { since: 11 },
  Erf: { since: 9 },
  Exp: { since: 6 },
  Expand: { since: 8, limits: ['the shape input must be a compile-time constant'] },
  Flatten: { since: 1 },
  Gather: { since: 1 },
  Gelu: { since: 20 },
  Gemm: { since: 7 },
  GlobalAveragePool: { since: 1 },
  GlobalMaxPool: { since: 1 },
  HardSigmoid: { since: 6 },
  HardSwish: { since: 14 },
  Identity: { since: 1 },
  If: {
    since: 1,
    limits: ['both branches must give each output the same dtype and static shape, unless the condition is a compile-time constant (then the taken branch is inlined)', 'tensor outputs only (no sequences or optionals)'],
  },
  LayerNormalization: { since: 17 },
  LeakyRelu: { since: 6 },
  MatMul: { since: 1 },
  MaxPool: { since: 1 },
  Mul: { since: 7 },
  Pad: { since: 2, limits: ['pads and axes must be compile-time constants'] },
  Pow: { since: 7 },
  ReduceMean: { since: 1, limits: ['axes (opset 18 input) must be a compile-time constant'] },
  Relu: { since: 6 },
  Reshape: { since: 1, limits: ['the shape input must be a compile-time constant'] },
  Resize: {
    since: 10,
    limits: ['modes nearest and linear only (no cubic)', 'no tf_crop_and_resize, antialias, axes or keep_aspect_ratio_policy', 'float32 only; scales / sizes must be compile-time constants'],
  },
  Shape: { since: 1 },
  Sigmoid: { since: 6 },
  Slice: { since: 1, limits: ['starts, ends, axes and steps must be compile-time constants'] },
  Softmax: { since: 1 },
  Split: { since: 2, limits: ['split sizes must be compile-time constants'] },
  Sqrt: { since: 6 },
  Squeeze: { since: 1, limits: ['axes must be compile-time constants'] },
  Sub: { since: 7 },
  Tanh: { since: 6 },
  Transpose: { since: 1 },
  Unsqueeze: { since: 1, limits: ['axes must be compile-time constants'] },
  Where: { since: 9 },
};
