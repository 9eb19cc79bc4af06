// ONNX models whose sequence length is symbolic, for the shape-bucket tests: transformer_enc2
// with its positional table sliced to the input's length (as exporters slice position ids), and a
// one-head attention layer with an attention-mask input, built here.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

const ints = (name: string, values: readonly number[]) => ({ name, dims: [values.length], dataType: INT64, int64Data: [...values] });

/**
 * transformer_enc2 (a fixed [1, 32] token input and a [1, 32, 128] positional table added to the
 * embeddings) rewritten to take `token_ids` [1, seq]: the table is sliced to the input's length,
 * so onnxruntime runs it at any length up to 32. Written to `dir/transformer_enc2_seq.onnx`.
 */
export function writeSequenceTransformer(src: string, dir: string): string {
  const m = onnx.ModelProto.decode(readFileSync(src));
  const g = m.graph!;
  g.input![0]!.type!.tensorType!.shape!.dim![1] = { dimParam: 'seq' };
  const add = g.node!.find((n) => n.opType === 'Add' && n.input!.includes('pos'))!;
  const at = g.node!.indexOf(add);
  g.initializer!.push(ints('seq_one', [1]), ints('seq_two', [2]), ints('seq_zero', [0]));
  g.node!.splice(at, 0,
    { name: 'seq_shape', opType: 'Shape', input: [g.input![0]!.name!], output: ['seq_shape_out'] },
    { name: 'seq_len', opType: 'Slice', input: ['seq_shape_out', 'seq_one', 'seq_two', 'seq_zero'], output: ['seq_len_out'] },
    { name: 'seq_pos', opType: 'Slice', input: ['pos', 'seq_zero', 'seq_len_out', 'seq_one'], output: ['seq_pos_out'] });
  add.input = add.input!.map((i) => (i === 'pos' ? 'seq_pos_out' : i));
  // The exporter baked the length into the attention's Reshape targets ([32, 4, 32], [32, 128],
  // [32, 1, 128], the sequence first): -1 lets it follow the input.
  const constants = new Map(g.node!.filter((n) => n.opType === 'Constant').map((n) => [n.output![0]!, n.attribute![0]!.t!]));
  g.node!.filter((n) => n.opType === 'Reshape' && constants.has(n.input![1]!)).forEach((n, k) => {
    const t = constants.get(n.input![1]!)!;
    const raw = t.rawData!;
    const dims = t.int64Data?.length ? t.int64Data.map(Number) : [...new BigInt64Array(new Uint8Array(raw).slice().buffer)].map(Number);
    if (dims[0] !== 32) return;
    g.initializer!.push(ints(`seq_reshape_${k}`, [-1, ...dims.slice(1)]));
    n.input![1] = `seq_reshape_${k}`;
  });
  const read = new Set(g.node!.flatMap((n) => n.input!));
  g.node = g.node!.filter((n) => n.opType !== 'Constant' || read.has(n.output![0]!));
  const path = join(dir, 'transformer_enc2_seq.onnx');
  writeFileSync(path, onnx.ModelProto.encode(m).finish());
  return path;
}

/** A deterministic pseudo-random table (LCG), values in [-scale, scale). */
function table(count: number, seed: number, scale: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 * 2 - 1) * scale;
  });
}

/**
 * One attention head over x [1, seq, d] with mask [1, seq] (1 = token, 0 = padding), as BERT's
 * exporters write it: scores Q·Kᵀ/√d plus (1 − mask)·(−10000) broadcast over the queries, Softmax,
 * ·V, then an output projection; y [1, seq, d]. Written to `dir/name.onnx`.
 */
export function writeMaskedAttention(dir: string, name: string, d = 16): string {
  const seq = { dimParam: 'seq' };
  const vi = (v: string, elem: number, dims: object[]) => ({ name: v, type: { tensorType: { elemType: elem, shape: { dim: dims } } } });
  const weight = (n: string, seed: number) => ({ name: n, dims: [d, d], dataType: FLOAT, floatData: table(d * d, seed, 0.5) });
  const scalar = (n: string, v: number) => ({ name: n, dims: [], dataType: FLOAT, floatData: [v] });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name,
      input: [vi('x', FLOAT, [{ dimValue: 1 }, seq, { dimValue: d }]), vi('mask', FLOAT, [{ dimValue: 1 }, seq])],
      output: [vi('y', FLOAT, [{ dimValue: 1 }, seq, { dimValue: d }])],
      initializer: [weight('Wq', 1), weight('Wk', 2), weight('Wv', 3), weight('Wo', 4), scalar('one', 1), scalar('big', -10000),
        scalar('scale', 1 / Math.sqrt(d)), ints('axis1', [1])],
      node: [
        { name: 'q', opType: 'MatMul', input: ['x', 'Wq'], output: ['Q'] },
        { name: 'k', opType: 'MatMul', input: ['x', 'Wk'], output: ['K'] },
        { name: 'v', opType: 'MatMul', input: ['x', 'Wv'], output: ['V'] },
        { name: 'kt', opType: 'Transpose', input: ['K'], output: ['Kt'], attribute: [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 2, 1] }] },
        { name: 'qk', opType: 'MatMul', input: ['Q', 'Kt'], output: ['S0'] },
        { name: 'scaled', opType: 'Mul', input: ['S0', 'scale'], output: ['S1'] },
        { name: 'inv', opType: 'Sub', input: ['one', 'mask'], output: ['M0'] },
        { name: 'bias', opType: 'Mul', input: ['M0', 'big'], output: ['M1'] },
        { name: 'rows', opType: 'Unsqueeze', input: ['M1', 'axis1'], output: ['M2'] },
        { name: 'masked', opType: 'Add', input: ['S1', 'M2'], output: ['S2'] },
        { name: 'softmax', opType: 'Softmax', input: ['S2'], output: ['P'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }] },
        { name: 'pv', opType: 'MatMul', input: ['P', 'V'], output: ['A'] },
        { name: 'o', opType: 'MatMul', input: ['A', 'Wo'], output: ['y'] },
      ],
    },
  });
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, onnx.ModelProto.encode(model).finish());
  return path;
}
