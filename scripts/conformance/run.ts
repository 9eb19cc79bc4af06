// The ONNX backend node tests through the whole of spc: each test's model.onnx is compiled by
// compileFile (frontend, passes, kernel selection, lowering, writer), the artifact loaded by the
// runtime's loadModel, run on the test's input .pb files, and compared with its output .pb files:
// |got − expected| ≤ 1e-4·|expected| + 1e-6 for floats, exact for integers and bool, and the
// same shape. Used by `npm run conformance` (scripts/conformance.ts) and test/e2e/conformance.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileFile } from '../../compiler/compile.js';
import type { CompileOptions } from '../../compiler/compile.js';
import { SpcError } from '../../compiler/errors.js';
import { parseTensorProto } from '../../compiler/io/tensor-proto.js';
import type { ProtoTensor } from '../../compiler/io/tensor-proto.js';
import { loadModel } from '../../runtime/index.js';
import type { Feed, TensorView } from '../../runtime/index.js';
import { sizeOf } from '../../runtime/tensor.js';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface NodeTestIO { readonly name: string; readonly dtype: string; readonly shape: readonly number[] }

export interface NodeTest {
  readonly test: string;
  readonly path: string;
  readonly source: string;
  readonly op_type: string;
  readonly op_types: readonly string[];
  readonly nodes: number;
  readonly opset: number;
  readonly inputs: readonly NodeTestIO[];
  readonly outputs: readonly NodeTestIO[];
  /** Which corpus selection the test belongs to: `v1-cnn` (the first 347) or `v2-widened`. */
  readonly selection: string;
}

export type Status = 'pass' | 'fail' | 'unsupported';

export interface TestResult {
  readonly test: string;
  readonly op: string;
  readonly opset: number;
  readonly status: Status;
  /** Why it failed or was refused (no absolute paths). */
  readonly reason?: string;
  /** Wall time of compile + load + run, ms. */
  readonly ms: number;
}

export const RELATIVE_TOLERANCE = 1e-4;
/** The acceptance bar: this fraction of the gated tests pass. */
export const PASS_BAR = 0.95;
/**
 * The selections the bar is gated on: every test of the corpus (the first CNN selection and the
 * operators real exported models use, issue 16).
 */
export const GATED_SELECTIONS: ReadonlySet<string> = new Set(['v1-cnn', 'v2-widened']);

/** The bar over `results`: how many of the gated tests pass, of how many, and how many must. */
export function passBar(tests: readonly NodeTest[], results: readonly TestResult[]): { pass: number; gated: number; needed: number } {
  const gatedNames = new Set(tests.filter((t) => GATED_SELECTIONS.has(t.selection)).map((t) => t.test));
  const gated = results.filter((r) => gatedNames.has(r.test));
  return { pass: gated.filter((r) => r.status === 'pass').length, gated: gated.length, needed: Math.ceil(PASS_BAR * gated.length) };
}
export const ABSOLUTE_TOLERANCE = 1e-6;

/** The tests listed in `<dir>/index.json`. */
export function listTests(dir: string): NodeTest[] {
  const index = join(dir, 'index.json');
  if (!existsSync(index)) throw new Error(`${index}: not found (the shared corpus lives in ../shared/corpus beside the repository)`);
  return (JSON.parse(readFileSync(index, 'utf8')) as { tests: NodeTest[] }).tests;
}

/**
 * A deterministic sample: for every op under test its first `perOp` tests (index order), then
 * every `stride`-th of the rest. Covers every op type.
 */
export function sampleTests(tests: readonly NodeTest[], perOp: number, stride: number): NodeTest[] {
  const seen = new Map<string, number>();
  return tests.filter((t, i) => {
    const n = seen.get(t.op_type) ?? 0;
    seen.set(t.op_type, n + 1);
    return n < perOp || i % stride === 0;
  });
}

/** First mismatch as a message (index, values, shape), or undefined when `got` matches `exp`. */
export function compareTensor(got: TensorView, exp: ProtoTensor, what: string): string | undefined {
  if (got.dtype !== exp.dtype) return `${what}: dtype ${got.dtype}, expected ${exp.dtype}`;
  const gs = got.shape.join(','), es = exp.shape.join(',');
  if (gs !== es) return `${what}: shape [${gs}], expected [${es}]`;
  const n = sizeOf(exp.shape);
  const isFloat = exp.dtype === 'float32' || exp.dtype === 'float64';
  for (let i = 0; i < n; i++) {
    const g = got.data[i]!, e = exp.data[i]!;
    if (isFloat) {
      const gn = g as number, en = e as number;
      if (Number.isNaN(en) && Number.isNaN(gn)) continue;
      if (gn === en) continue; // also matching infinities
      if (Math.abs(gn - en) <= RELATIVE_TOLERANCE * Math.abs(en) + ABSOLUTE_TOLERANCE) continue;
    } else if (g === e) continue;
    return `${what}: element ${i} of [${es}] is ${String(g)}, expected ${String(e)}`;
  }
  return undefined;
}

/**
 * Input slots that set a shape or a window (spc compiles static shapes only): a test feeding one
 * of these as a graph input has it fixed at compile time (CompileOptions.inputValues), as a
 * model exported for deployment would carry it as an initializer.
 */
export const SHAPE_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1], Expand: [1], Squeeze: [1], Unsqueeze: [1], Split: [1], ReduceMean: [1],
  Slice: [1, 2, 3, 4], Pad: [1, 3], Resize: [1, 2, 3], ConvTranspose: [], Tile: [1],
  ConstantOfShape: [0], Range: [0, 1, 2],
  ReduceSum: [1], ReduceMax: [1], ReduceMin: [1], ReduceProd: [1], ReduceL1: [1], ReduceL2: [1], ReduceSumSquare: [1],
  ReduceLogSum: [1], ReduceLogSumExp: [1], TopK: [1], OneHot: [1],
};

/** The graph inputs of `model` read only in SHAPE_INPUTS slots. */
export function shapeInputs(modelPath: string): Set<string> {
  const m = onnx.ModelProto.decode(readFileSync(modelPath));
  const shapeUse = new Set<string>(), otherUse = new Set<string>();
  for (const n of m.graph?.node ?? []) {
    (n.input ?? []).forEach((name, i) => {
      if (name === '') return;
      ((SHAPE_INPUTS[n.opType ?? ''] ?? []).includes(i) ? shapeUse : otherUse).add(name);
    });
  }
  return new Set([...shapeUse].filter((n) => !otherUse.has(n)));
}

/** Integer inputs of at most this many elements may be sizes (a window length, a crop shape). */
const MAX_SIZE_ELEMENTS = 64;

/**
 * Compiles with the SHAPE_INPUTS values fixed; when a shape still depends on a graph input
 * (a function's expansion computes a size from it through Cast/Sub/Concat … before the slot that
 * sets the shape: HannWindow's length, CenterCropPad's shape), compiles again with every small
 * integer input fixed as well, as a model deployed with that size would carry it.
 */
function compileWithSizes(modelPath: string, options: CompileOptions, inputValues: Record<string, ProtoTensor>, given: ReadonlyMap<string, ProtoTensor>): Uint8Array {
  try {
    return compileFile(modelPath, { ...options, inputValues }).artifact;
  } catch (e) {
    const sizes = [...given].filter(([n, t]) => !(n in inputValues) && /int/.test(t.dtype) && t.data.length <= MAX_SIZE_ELEMENTS);
    if (!(e instanceof SpcError && /no static shape/.test(e.message)) || sizes.length === 0) throw e;
    return compileFile(modelPath, { ...options, inputValues: { ...inputValues, ...Object.fromEntries(sizes) } }).artifact;
  }
}

/** Messages name files relative to the corpus folder, never by absolute path. */
function relativeMessage(msg: string, dir: string, testDir: string): string {
  return msg.split(join(testDir, 'model.onnx')).join('model.onnx').split(resolve(dir) + '/').join('').split(dir + '/').join('');
}

/** Compiles, loads and runs one test; never throws. */
export async function runTest(dir: string, t: NodeTest, options: CompileOptions = {}): Promise<TestResult> {
  const start = performance.now();
  const testDir = join(dir, t.path);
  const base = { test: t.test, op: t.op_type, opset: t.opset };
  const done = (status: Status, reason?: string): TestResult =>
    ({ ...base, status, ...(reason !== undefined ? { reason: relativeMessage(reason, dir, testDir) } : {}), ms: performance.now() - start });
  const data = join(testDir, 'test_data_set_0');
  const modelPath = join(testDir, 'model.onnx');
  let artifact: Uint8Array;
  let given = new Map<string, ProtoTensor>();
  let readError: string | undefined;
  try {
    given = new Map(t.inputs.map((io, i) => [io.name, parseTensorProto(new Uint8Array(readFileSync(join(data, `input_${i}.pb`))), `input_${i}.pb`)]));
  } catch (e) {
    readError = `reading the test's inputs: ${(e as Error).message}`; // reported unless the compile refuses first
  }
  const fixed = shapeInputs(modelPath);
  const inputValues = Object.fromEntries([...fixed].filter((n) => given.has(n)).map((n) => [n, given.get(n)!]));
  try {
    artifact = compileWithSizes(modelPath, options, inputValues, given);
  } catch (e) {
    if (e instanceof SpcError) return done('unsupported', e.message);
    return done('fail', `compile crashed: ${(e as Error).stack?.split('\n').slice(0, 2).join(' ') ?? String(e)}`);
  }
  if (readError !== undefined) return done('fail', readError);
  let model;
  try {
    model = await loadModel(artifact);
  } catch (e) {
    return done('fail', `load: ${(e as Error).message}`);
  }
  try {
    const feeds: Record<string, Feed> = {};
    for (const info of model.inputs) {
      const x = given.get(info.name);
      if (!x) return done('fail', `the artifact has input '${info.name}', which the test does not feed`);
      feeds[info.name] = { data: x.data, shape: x.shape };
    }
    let outputs: Record<string, TensorView>;
    try {
      outputs = await model.run(feeds);
    } catch (e) {
      return done('fail', `run: ${(e as Error).message}`);
    }
    for (let i = 0; i < t.outputs.length; i++) {
      const name = t.outputs[i]!.name;
      const got = outputs[name];
      if (!got) return done('fail', `output '${name}' missing from the artifact's outputs`);
      const exp = parseTensorProto(new Uint8Array(readFileSync(join(data, `output_${i}.pb`))), `output_${i}.pb`);
      const msg = compareTensor(got, exp, `output '${name}'`);
      if (msg) return done('fail', msg);
    }
    return done('pass');
  } finally {
    model.dispose();
  }
}

export interface OpTally { pass: number; fail: number; unsupported: number; total: number }

/** Pass / fail / unsupported per op under test, sorted by op. */
export function tallyByOp(results: readonly TestResult[]): [string, OpTally][] {
  const m = new Map<string, OpTally>();
  for (const r of results) {
    let t = m.get(r.op);
    if (!t) m.set(r.op, (t = { pass: 0, fail: 0, unsupported: 0, total: 0 }));
    t[r.status]++;
    t.total++;
  }
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
