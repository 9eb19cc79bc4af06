#!/usr/bin/env python3
# Exports the pre-LN GELU transformers behind the transformer kernel and fusion measurements
# (issue 19) into a folder given on the command line, never into the repository: token ids →
# nn.Embedding + learned positions → nn.TransformerEncoderLayer(norm_first, GELU) × layers →
# mean over tokens → Linear, seeded random weights, opset 17 (LayerNormalization exported as one
# node) and, for the fusion paths, opset 13 (LayerNorm decomposed) and GELU's tanh form.
#
#   /usr/bin/python3 scripts/transformer-models.py /tmp/spc-tfm
#
# Needs Debian's python3-torch (1.13: the ONNX exporter writes GELU as the Erf chain
# x·(1 + Erf(x/√2))·0.5, and the tanh form as its Mul/Pow/Tanh chain).

import os
import sys

import numpy as np
import torch
from torch import nn

SEED = 19


class Encoder(nn.Module):
    """A small pre-LN GELU text encoder (d 128, 4 heads, ff 512) like the ones shipped for browsers."""

    def __init__(self, layers: int, d: int, heads: int, ff: int, seq: int, approximate: str):
        super().__init__()
        self.embed = nn.Embedding(1000, d)
        self.pos = nn.Parameter(torch.randn(1, seq, d) * 0.02)
        act = nn.GELU(approximate=approximate)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation=act, batch_first=True, norm_first=True)
            for _ in range(layers))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 10)

    def forward(self, ids):
        x = self.embed(ids) + self.pos
        for layer in self.layers:
            x = layer(x)
        return self.head(self.norm(x).mean(dim=1))


def export(model: nn.Module, seq: int, opset: int, path: str) -> None:
    ids = torch.randint(0, 1000, (1, seq), dtype=torch.int64)
    # Traced with gradients on: in eval mode under no_grad, TransformerEncoderLayer takes its fused
    # fast path (aten::_transformer_encoder_layer_fwd), which has no ONNX export.
    torch.onnx.export(model, (ids,), path, opset_version=opset, input_names=['token_ids'], output_names=['output'])
    np.save(path.replace('.onnx', '.input.npy'), ids.numpy())


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit('usage: transformer-models.py <out-dir>')
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, approximate, opset in [('preln_gelu', 'none', 17), ('preln_gelu_op13', 'none', 13), ('preln_gelu_tanh', 'tanh', 17)]:
        torch.manual_seed(SEED)
        model = Encoder(2, 128, 4, 512, 32, approximate).eval()
        export(model, 32, opset, os.path.join(out, f'{name}.onnx'))
        print('wrote', os.path.join(out, f'{name}.onnx'))


if __name__ == '__main__':
    main()
