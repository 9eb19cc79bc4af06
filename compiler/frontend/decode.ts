// Bytes → onnx.ModelProto. Owns the first line of defence against files that are not ONNX
// models: protobuf failures and structurally empty messages become SpcErrors naming the file.

import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { SpcError } from '../errors.js';

const { onnx } = onnxProto;

export type ModelProto = OnnxTypes.ModelProto;

/** IR versions whose semantics the importer understands (ONNX 1.2 … 1.18). */
export const MIN_IR_VERSION = 3;
export const MAX_IR_VERSION = 11;

/** Converts a protobuf int64 (number or Long) to a number, failing outside the safe range. */
export function int64ToNumber(v: number | { toNumber(): number; toString(): string } | null | undefined, what: string): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = v.toNumber();
  if (!Number.isSafeInteger(n)) throw new SpcError(`${what}: value ${v.toString()} is outside the safe integer range`);
  return n;
}

export function decodeModel(bytes: Uint8Array, file: string): ModelProto {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/index out of range/i.test(msg)) {
      throw new SpcError(`${file}: the ONNX file is truncated or corrupt (protobuf: ${msg})`);
    }
    throw new SpcError(`${file}: not an ONNX model (protobuf: ${msg})`);
  }
  if (!model.graph) throw new SpcError(`${file}: not an ONNX model (no graph)`);
  const ir = int64ToNumber(model.irVersion, `${file}: ir_version`);
  if (ir === 0) throw new SpcError(`${file}: not an ONNX model (no ir_version)`);
  if (!model.opsetImport || model.opsetImport.length === 0) {
    throw new SpcError(`${file}: not an ONNX model (no opset_import)`);
  }
  if (ir < MIN_IR_VERSION || ir > MAX_IR_VERSION) {
    throw new SpcError(`${file}: unsupported ONNX ir_version ${ir} (supported: ${MIN_IR_VERSION} to ${MAX_IR_VERSION})`);
  }
  return model;
}
