// The ONNX recurrent operators (LSTM, GRU, RNN): their attributes resolved against the spec's
// defaults, the activation functions, and the shapes of every input and output for both
// layouts. Shared by the kernels (checked at prepare, so a tampered artifact is refused at load)
// and the compiler's shape rule (so a bad model fails at compile, naming the node).

import type { AttrValue, Attrs } from '../kernel.js';

export type RnnOp = 'LSTM' | 'GRU' | 'RNN';

/** Gates per direction (rows of W and R per hidden unit): LSTM i,o,f,c; GRU z,r,h; RNN one. */
export const RNN_GATES: Readonly<Record<RnnOp, number>> = { LSTM: 4, GRU: 3, RNN: 1 };

/** The activation functions one direction applies (LSTM f,g,h; GRU f,g; RNN f) and their defaults. */
const DEFAULT_ACTIVATIONS: Readonly<Record<RnnOp, readonly string[]>> = {
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'],
};

/** The activation names the spec lists, with whether each reads alpha / beta and their defaults (those of the ONNX op of that name). */
const ACTIVATIONS: Readonly<Record<string, { readonly alpha?: number; readonly beta?: number }>> = {
  relu: {}, tanh: {}, sigmoid: {}, softsign: {}, softplus: {},
  affine: { alpha: 1, beta: 0 },
  leakyrelu: { alpha: 0.01 },
  thresholdedrelu: { alpha: 1 },
  scaledtanh: { alpha: 1, beta: 1 },
  hardsigmoid: { alpha: 0.2, beta: 0.5 },
  elu: { alpha: 1 },
};

export type Activation = (x: number) => number;

export interface ActivationSpec { readonly name: string; readonly alpha: number; readonly beta: number }

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** The scalar function of one resolved activation. */
export function activationFn(a: ActivationSpec): Activation {
  const { alpha, beta } = a;
  switch (a.name) {
    case 'relu': return (x) => (x > 0 ? x : 0);
    case 'tanh': return Math.tanh;
    case 'sigmoid': return sigmoid;
    case 'softsign': return (x) => x / (1 + Math.abs(x));
    // log(1 + e^x) without overflow for large x.
    case 'softplus': return (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
    case 'affine': return (x) => alpha * x + beta;
    case 'leakyrelu': return (x) => (x >= 0 ? x : alpha * x);
    case 'thresholdedrelu': return (x) => (x > alpha ? x : 0);
    case 'scaledtanh': return (x) => alpha * Math.tanh(beta * x);
    case 'hardsigmoid': return (x) => Math.min(1, Math.max(0, alpha * x + beta));
    case 'elu': return (x) => (x >= 0 ? x : alpha * (Math.exp(x) - 1));
    default: throw new Error(`unknown activation '${a.name}'`);
  }
}

/** A recurrent node's attributes, resolved. */
export interface RnnAttrs {
  readonly op: RnnOp;
  readonly direction: 'forward' | 'reverse' | 'bidirectional';
  readonly dirs: 1 | 2;
  /** hidden_size when given (else read from R's shape). */
  readonly hiddenSize?: number;
  /** Per direction, the activations in the op's order (f, g, h for LSTM). */
  readonly activations: readonly (readonly ActivationSpec[])[];
  /** Clip threshold for the activations' inputs; Infinity when absent. */
  readonly clip: number;
  readonly layout: 0 | 1;
  readonly inputForget: boolean;
  readonly linearBeforeReset: boolean;
}

type Fail = (message: string) => never;

function numberList(v: AttrValue | undefined, name: string, fail: Fail): readonly number[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) fail(`attribute ${name} must be a list of finite floats`);
  return v as readonly number[];
}

/**
 * Resolves the attributes of an LSTM/GRU/RNN node by the spec: the activations default per op,
 * bidirectional lists both directions' (onnxruntime refuses a single direction's list too), and
 * activation_alpha/beta are consumed in order by the activations that read them (the others take
 * none, as in onnxruntime), each missing value taking the default of the ONNX op of that name.
 */
export function rnnAttrs(op: RnnOp, attrs: Attrs, fail: Fail): RnnAttrs {
  const str = (name: string, def: string): string => {
    const v = attrs[name];
    if (v === undefined) return def;
    if (typeof v !== 'string') fail(`attribute ${name} must be a string`);
    return v;
  };
  const int = (name: string, def: number): number => {
    const v = attrs[name];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v)) fail(`attribute ${name} must be an int`);
    return v;
  };
  const direction = str('direction', 'forward');
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') {
    fail(`attribute direction '${direction}' must be forward, reverse or bidirectional`);
  }
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const hidden = attrs['hidden_size'];
  if (hidden !== undefined && (typeof hidden !== 'number' || !Number.isInteger(hidden) || hidden < 1)) fail(`attribute hidden_size must be a positive int`);
  const layout = int('layout', 0);
  if (layout !== 0 && layout !== 1) fail(`attribute layout ${layout} must be 0 or 1`);
  const inputForget = int('input_forget', 0);
  if (inputForget !== 0 && inputForget !== 1) fail(`attribute input_forget ${inputForget} must be 0 or 1`);
  const lbr = int('linear_before_reset', 0);
  if (lbr !== 0 && lbr !== 1) fail(`attribute linear_before_reset ${lbr} must be 0 or 1`);
  let clip = Infinity;
  if (attrs['clip'] !== undefined) {
    const v = attrs['clip'];
    if (typeof v !== 'number' || !(v > 0)) fail(`attribute clip must be a positive float`);
    clip = v;
  }

  const per = DEFAULT_ACTIVATIONS[op].length;
  let names: readonly string[] = [];
  const given = attrs['activations'];
  if (given === undefined) names = Array.from({ length: dirs }, () => DEFAULT_ACTIVATIONS[op]).flat();
  else {
    if (!Array.isArray(given) || given.some((s) => typeof s !== 'string')) fail(`attribute activations must be a list of strings`);
    const list = given as readonly string[];
    if (list.length === per * dirs) names = list;
    else fail(`attribute activations has ${list.length} entries, ${op} ${direction} needs ${per * dirs}`);
  }
  const alphas = numberList(attrs['activation_alpha'], 'activation_alpha', fail);
  const betas = numberList(attrs['activation_beta'], 'activation_beta', fail);
  let ia = 0, ib = 0;
  const specs = names.map((raw): ActivationSpec => {
    const name = raw.toLowerCase();
    const known = Object.prototype.hasOwnProperty.call(ACTIVATIONS, name) ? ACTIVATIONS[name] : undefined;
    if (known === undefined) fail(`activation '${raw}' is not one of ${Object.keys(ACTIVATIONS).join(', ')} (any case)`);
    const alpha = known.alpha === undefined ? 0 : ia < alphas.length ? alphas[ia++]! : known.alpha;
    const beta = known.beta === undefined ? 0 : ib < betas.length ? betas[ib++]! : known.beta;
    return { name, alpha, beta };
  });
  const activations = Array.from({ length: dirs }, (_, d) => specs.slice(d * per, (d + 1) * per));
  return {
    op, direction, dirs, ...(hidden === undefined ? {} : { hiddenSize: hidden as number }),
    activations, clip, layout, inputForget: inputForget === 1, linearBeforeReset: lbr === 1,
  };
}

/** The extents every input and output is checked against. */
export interface RnnDims { readonly seq: number; readonly batch: number; readonly input: number; readonly hidden: number }

/** Where an optional input sits in the node's input list. */
export const RNN_INPUT = { X: 0, W: 1, R: 2, B: 3, sequenceLens: 4, initialH: 5, initialC: 6, P: 7 } as const;

/** Expected shape of each input (by RNN_INPUT index) and output (Y, Y_h, Y_c), for the layout. */
export function rnnShapes(a: RnnAttrs, d: RnnDims): { inputs: readonly (readonly number[])[]; outputs: readonly (readonly number[])[] } {
  const g = RNN_GATES[a.op], { seq, batch, input, hidden } = d, D = a.dirs;
  const state = a.layout === 0 ? [D, batch, hidden] : [batch, D, hidden];
  return {
    inputs: [
      a.layout === 0 ? [seq, batch, input] : [batch, seq, input],
      [D, g * hidden, input],
      [D, g * hidden, hidden],
      [D, 2 * g * hidden],
      [batch],
      state,
      state,
      [D, 3 * hidden],
    ],
    outputs: [a.layout === 0 ? [seq, D, batch, hidden] : [batch, seq, D, hidden], state, state],
  };
}

/** Inputs and outputs the op has (GRU and RNN have no initial_c, P or Y_c). */
export function rnnArity(op: RnnOp): { inputs: number; outputs: number } {
  return op === 'LSTM' ? { inputs: 8, outputs: 3 } : { inputs: 6, outputs: 2 };
}
