// Kernel construction helpers: one place that turns a spec into a Kernel and gives its
// prepare() precondition checks whose errors name the node and the kernel id.

import type { DType, TensorView } from '../../tensor.js';
import { shapeString, sizeOf } from '../../tensor.js';
import type { Attrs, Kernel, KernelContext, KernelDType, RunFn } from '../kernel.js';
import { KernelError, kernelId } from '../kernel.js';

/** Indexable element storage, whatever the element type (number or bigint). */
export type Cells = { [i: number]: unknown; readonly length: number };

/** Precondition checks bound to one node and one kernel. */
export class Checker {
  constructor(readonly ctx: KernelContext, readonly kernelId: string) {}

  get attrs(): Attrs { return this.ctx.attrs; }

  /** True when input `i` is a weight, fixed for the model's lifetime (KernelContext.constants). */
  isConstant(i: number): boolean {
    return this.ctx.constants?.[i] === true;
  }

  fail(message: string): never {
    throw new KernelError(this.ctx.node, this.kernelId, message);
  }

  input(i: number, dtypes?: readonly DType[]): TensorView {
    const v = this.ctx.inputs[i];
    if (v === undefined) this.fail(`input ${i} is required`);
    this.checkView(v, `input ${i}`, dtypes);
    return v;
  }

  optionalInput(i: number, dtypes?: readonly DType[]): TensorView | undefined {
    const v = this.ctx.inputs[i];
    if (v !== undefined) this.checkView(v, `input ${i}`, dtypes);
    return v;
  }

  output(i: number, dtypes?: readonly DType[]): TensorView {
    const v = this.ctx.outputs[i];
    if (v === undefined) this.fail(`output ${i} is required`);
    this.checkView(v, `output ${i}`, dtypes);
    return v;
  }

  optionalOutput(i: number, dtypes?: readonly DType[]): TensorView | undefined {
    const v = this.ctx.outputs[i];
    if (v !== undefined) this.checkView(v, `output ${i}`, dtypes);
    return v;
  }

  sameDType(a: TensorView, b: TensorView, what: string): void {
    if (a.dtype !== b.dtype) this.fail(`${what}: dtype ${b.dtype} differs from ${a.dtype}`);
  }

  shapeIs(v: TensorView, expected: readonly number[], what: string): void {
    const s = v.shape;
    if (s.length !== expected.length || s.some((d, i) => d !== expected[i])) {
      this.fail(`${what} has shape ${shapeString(s)}, expected ${shapeString(expected)}`);
    }
  }

  private checkView(v: TensorView, what: string, dtypes?: readonly DType[]): void {
    if (dtypes !== undefined && !dtypes.includes(v.dtype)) {
      this.fail(`${what} has dtype ${v.dtype}, expected one of ${dtypes.join('|')}`);
    }
    const n = sizeOf(v.shape);
    if (v.data.length < n) this.fail(`${what} holds ${v.data.length} elements, shape ${shapeString(v.shape)} needs ${n}`);
  }

  // Attribute readers: ONNX ints and floats both arrive as JS numbers.
  int(name: string, def: number): number {
    const v = this.ctx.attrs[name];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(`attribute ${name} must be an int`);
    return v;
  }

  float(name: string, def: number): number {
    const v = this.ctx.attrs[name];
    if (v === undefined) return def;
    if (typeof v !== 'number') this.fail(`attribute ${name} must be a number`);
    return v;
  }

  ints(name: string): readonly number[] | undefined {
    const v = this.ctx.attrs[name];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
      this.fail(`attribute ${name} must be a list of ints`);
    }
    return v as readonly number[];
  }

  floats(name: string): readonly number[] | undefined {
    const v = this.ctx.attrs[name];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) this.fail(`attribute ${name} must be a list of numbers`);
    return v as readonly number[];
  }

  string(name: string, def: string): string {
    const v = this.ctx.attrs[name];
    if (v === undefined) return def;
    if (typeof v !== 'string') this.fail(`attribute ${name} must be a string`);
    return v;
  }

  /** Normalises a possibly negative axis against `rank`. */
  axis(axis: number, rank: number, what = 'axis'): number {
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) this.fail(`${what} ${axis} out of range for rank ${rank}`);
    return a;
  }
}

/** A kernel's declaration: its fields (the id is written from them, see kernelId) and its code. */
export interface KernelSpec extends Omit<Kernel, 'id' | 'prepare' | 'epilogue'> {
  readonly epilogue?: Kernel['epilogue'];
  prepare(c: Checker): RunFn;
}

export function defineKernel(spec: KernelSpec): Kernel {
  const { prepare, ...meta } = spec;
  const epilogue = spec.epilogue ?? '';
  const id = kernelId({ ...spec, epilogue });
  return {
    id,
    ...meta,
    epilogue,
    prepare: (ctx: KernelContext): RunFn => prepare(new Checker(ctx, id)),
  };
}

/** Reads element `i` of an integer tensor (int64 or int32) as a JS number. */
export function readInt(v: TensorView, i: number): number {
  return Number(v.data[i]);
}

export const FLOAT_TYPES: readonly DType[] = ['float32', 'float64'];
export const INT_INDEX_TYPES: readonly DType[] = ['int64', 'int32'];

/** The id's dtype field for a kernel over `dtypes`: the one type's short name, or 'any' for several. */
export function idDType(dtypes: readonly DType[]): KernelDType {
  const one: Partial<Record<DType, KernelDType>> = { float32: 'f32', float64: 'f64', int64: 'i64', int32: 'i32', uint8: 'u8', bool: 'b8' };
  return (dtypes.length === 1 ? one[dtypes[0]!] : undefined) ?? 'any';
}
