// Bytes → ModelProto. Owns the first line of defence against files that are not ONNX
// models: protobuf failures and structurally empty messages become SpcErrors naming the file;
// the decoder itself (wire.ts) refuses what exceeds the limits before materializing it.

import { SpcError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { Limits } from '../limits.js';
import { decodeModelWire, int64ToNumber, WireError } from './wire.js';

export { int64ToNumber } from './wire.js';
import type { WireModel } from './wire.js';

export type ModelProto = WireModel;

/** IR versions whose semantics the importer understands (ONNX 1.2 … 1.18). */
export const MIN_IR_VERSION = 3;
export const MAX_IR_VERSION = 11;

export function decodeModel(bytes: Uint8Array, file: string, limits: Limits = DEFAULT_LIMITS): ModelProto {
  let model: ModelProto;
  try {
    model = decodeModelWire(bytes, file, limits);
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    const msg = e.message;
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
