#!/usr/bin/env python3
# Writes a QOperator (QLinearConv) version of a float32 CNN of the corpus, the way onnxruntime's
# quantize_static(QuantFormat.QOperator) lays one out, for measuring spc's int8 kernels against
# onnxruntime and against spc's float32 kernels on the same architecture (issue 18 item 3):
# weights int8, symmetric, per output channel; bias int32 at x_scale · w_scale; activations
# uint8, per tensor, ranges from a few inputs run through the float model here (numpy);
# Conv → Relu fused into the QLinearConv's output range; every other op (MaxPool, Add, Relu,
# GlobalAveragePool, Flatten, Gemm) in float32 between DequantizeLinear and QuantizeLinear.
#
#   /usr/bin/python3 scripts/qoperator-model.py ../shared/corpus/models/resnet10_w32.onnx /tmp/resnet10_w32_qop.onnx
#
# Needs Debian's python3-onnx (apt-get install -y python3-onnx) and numpy. Writes outside the
# repository; the model is not committed. Calibration: the corpus input, its two mirror images and
# two seeded noisy copies (CALIBRATION = 5).

import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

SEED = 18


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def conv2d(x, w, b, a):
    """NCHW Conv with pads, strides, dilations (group 1) by sliding windows and einsum."""
    kh, kw = w.shape[2:]
    sh, sw = a.get('strides', [1, 1])
    dh, dw = a.get('dilations', [1, 1])
    p = a.get('pads', [0, 0, 0, 0])
    assert a.get('group', 1) == 1, 'group 1 only'
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[2]), (p[1], p[3])))
    win = np.lib.stride_tricks.sliding_window_view(xp, ((kh - 1) * dh + 1, (kw - 1) * dw + 1), axis=(2, 3))
    win = win[:, :, ::sh, ::sw, ::dh, ::dw]
    y = np.einsum('ncpqhw,ochw->nopq', win, w, optimize=True)
    return (y + b.reshape(1, -1, 1, 1)).astype(np.float32) if b is not None else y.astype(np.float32)


def maxpool(x, a):
    kh, kw = a['kernel_shape']
    sh, sw = a.get('strides', [1, 1])
    p = a.get('pads', [0, 0, 0, 0])
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[2]), (p[1], p[3])), constant_values=-np.inf)
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    return win.max(axis=(4, 5))


def run_float(model, x):
    """Every tensor of the float model on input x: the ops resnet-style CNNs use."""
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    v = dict(inits)
    v[model.graph.input[0].name] = x
    for n in model.graph.node:
        a, i = attrs(n), [v[k] if k else None for k in n.input]
        if n.op_type == 'Conv':
            y = conv2d(i[0], i[1], i[2] if len(i) > 2 else None, a)
        elif n.op_type == 'Relu':
            y = np.maximum(i[0], 0)
        elif n.op_type == 'Add':
            y = i[0] + i[1]
        elif n.op_type == 'MaxPool':
            y = maxpool(i[0], a)
        elif n.op_type == 'GlobalAveragePool':
            y = i[0].mean(axis=(2, 3), keepdims=True)
        elif n.op_type == 'Flatten':
            y = i[0].reshape(i[0].shape[0], -1)
        elif n.op_type == 'Gemm':
            y = i[0] @ (i[1].T if a.get('transB', 0) else i[1]) + i[2]
        else:
            raise SystemExit(f'qoperator-model: op {n.op_type} is not handled')
        v[n.output[0]] = y.astype(np.float32)
    return v


def uint8_params(lo, hi):
    """Asymmetric uint8 scale and zero point for [lo, hi] widened to hold 0 (onnxruntime's rule)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = np.float32((hi - lo) / 255.0) if hi > lo else np.float32(1.0)
    zp = int(np.clip(round(-lo / scale), 0, 255))
    return scale, zp


def main():
    src, dst = sys.argv[1], sys.argv[2]
    model = onnx.load(src)
    x0 = np.load(src.replace('.onnx', '.input.npy')).astype(np.float32)
    rng = np.random.default_rng(SEED)
    calib = [x0, x0[:, :, :, ::-1].copy(), x0[:, :, ::-1, :].copy()] + [(x0 + rng.normal(0, 0.1, x0.shape)).astype(np.float32) for _ in range(2)]
    ranges = {}
    for x in calib:
        for name, t in run_float(model, x).items():
            lo, hi = float(t.min()), float(t.max())
            old = ranges.get(name, (lo, hi))
            ranges[name] = (min(old[0], lo), max(old[1], hi))

    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    consumers = {}
    for n in model.graph.node:
        for k in n.input:
            consumers.setdefault(k, []).append(n)
    nodes, new_inits = [], []
    quantized = {}  # tensor name → (its uint8 tensor, scale name, zero point name, scale value)
    only_quantized, floated = set(), set()  # QLinearConv outputs; those a DequantizeLinear has restored

    def const(name, arr):
        new_inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def qparams(name):
        s, z = uint8_params(*ranges[name])
        return const(f'{name}_scale', np.float32(s)), const(f'{name}_zp', np.uint8(z)), s

    def as_quantized(name):
        if name not in quantized:
            s, z, sv = qparams(name)
            nodes.append(helper.make_node('QuantizeLinear', [name, s, z], [f'{name}_q'], name=f'{name}_Q'))
            quantized[name] = (f'{name}_q', s, z, sv)
        return quantized[name]

    fused = set()
    for n in model.graph.node:
        if id(n) in fused:
            continue
        if n.op_type != 'Conv':
            for k in n.input:
                if k in only_quantized and k not in floated:
                    q, s, z, _ = quantized[k]
                    nodes.append(helper.make_node('DequantizeLinear', [q, s, z], [k], name=f'{k}_DQ'))
                    floated.add(k)
            nodes.append(n)
            continue
        out = n.output[0]
        users = consumers.get(out, [])
        if len(users) == 1 and users[0].op_type == 'Relu':
            fused.add(id(users[0]))  # the output range [0, max] is the Relu
            out = users[0].output[0]
        xq, xs, xz, xsv = as_quantized(n.input[0])
        w = inits[n.input[1]]
        b = inits[n.input[2]] if len(n.input) > 2 else np.zeros(w.shape[0], np.float32)
        wmax = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
        ws = np.where(wmax > 0, wmax / 127.0, 1.0).astype(np.float32)
        wq = np.clip(np.round(w / ws.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
        bq = np.round(b / (np.float32(xsv) * ws)).astype(np.int32)
        ys, yz, ysv = qparams(out)
        base = n.name or out
        ins = [xq, xs, xz, const(f'{base}_wq', wq), const(f'{base}_ws', ws), const(f'{base}_wz', np.zeros(w.shape[0], np.int8)), ys, yz, const(f'{base}_bq', bq)]
        nodes.append(helper.make_node('QLinearConv', ins, [f'{out}_q'], name=f'{base}_quant', **attrs(n)))
        quantized[out] = (f'{out}_q', ys, yz, ysv)
        only_quantized.add(out)

    conv_params = {k for n in model.graph.node if n.op_type == 'Conv' for k in n.input[1:]}
    graph = helper.make_graph(nodes, model.graph.name + '_qop', list(model.graph.input), list(model.graph.output),
                              [i for i in model.graph.initializer if i.name not in conv_params] + new_inits)
    out_model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='spc scripts/qoperator-model.py')
    out_model.ir_version = 7
    onnx.checker.check_model(out_model)
    onnx.save(out_model, dst)
    counts = {}
    for n in nodes:
        counts[n.op_type] = counts.get(n.op_type, 0) + 1
    print(f'qoperator-model: wrote {dst}: {counts}')


if __name__ == '__main__':
    main()
