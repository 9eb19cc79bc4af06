#!/usr/bin/env python3
# Exports the models behind `npm run scale` (calibrated compiles at real scale, issue 17) into a
# folder given on the command line, never into the repository: torchvision's ResNet-50 and a
# 12-layer, d 768 transformer encoder (BERT-base sized: 12 heads, ff 3072, GELU, post-LN) at
# sequence 128, both opset 13 with seeded random weights, and 16 seeded calibration samples each
# (plus 16 for the corpus's resnet10_w32).
#
#   python3 scripts/scale-models.py /tmp/spc-scale
#
# Needs Debian's python3-torch and python3-torchvision (apt-get install -y python3-torchvision);
# without torchvision, ResNet-50 is built by hand below (the same architecture).

import os
import sys

import numpy as np
import torch
from torch import nn

SAMPLES = 16
SEED = 17


def bottleneck_resnet50() -> nn.Module:
    """torchvision.models.resnet50(weights=None), or the same network by hand without torchvision."""
    try:
        from torchvision.models import resnet50
        return resnet50(weights=None)
    except ImportError:
        pass

    class Bottleneck(nn.Module):
        def __init__(self, cin: int, width: int, stride: int):
            super().__init__()
            cout = width * 4
            self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(width)
            self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            y = self.relu(self.bn1(self.conv1(x)))
            y = self.relu(self.bn2(self.conv2(y)))
            y = self.bn3(self.conv3(y))
            return self.relu(y + (x if self.downsample is None else self.downsample(x)))

    layers, cin = [], 64
    for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for b in range(blocks):
            layers.append(Bottleneck(cin, width, stride if b == 0 else 1))
            cin = width * 4
    return nn.Sequential(
        nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1),
        *layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000))


class Encoder(nn.Module):
    """12 × nn.TransformerEncoderLayer(768, 12 heads, ff 3072, GELU, post-LN), input [1, 128, 768] embeddings."""

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(768, 12, 3072, dropout=0.0, activation='gelu', batch_first=True) for _ in range(12))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def export(model: nn.Module, example: torch.Tensor, path: str) -> None:
    model.eval()
    kwargs = {'dynamo': False} if 'dynamo' in torch.onnx.export.__code__.co_varnames else {}
    # Traced with gradients on: in eval mode under no_grad, TransformerEncoderLayer takes its fused
    # fast path (aten::_transformer_encoder_layer_fwd), which has no ONNX export.
    torch.onnx.export(model, (example,), path, opset_version=13, input_names=['input'], output_names=['output'], **kwargs)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit('usage: scale-models.py <output folder>')
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)

    resnet = bottleneck_resnet50()
    # Random-init BatchNorm statistics (mean 0, var 1) let activations drift over 50 layers:
    # re-estimate them on random batches (weights untouched), as the corpus models were.
    for m in resnet.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    resnet.train()
    with torch.no_grad():
        for _ in range(4):
            resnet(torch.randn(8, 3, 224, 224))
    export(resnet, torch.randn(1, 3, 224, 224), os.path.join(out, 'resnet50.onnx'))
    np.save(os.path.join(out, 'resnet50-calib.npy'), rng.standard_normal((SAMPLES, 3, 224, 224), dtype=np.float32))

    encoder = Encoder()
    export(encoder, torch.randn(1, 128, 768), os.path.join(out, 'encoder12.onnx'))
    np.save(os.path.join(out, 'encoder12-calib.npy'), rng.standard_normal((SAMPLES, 128, 768), dtype=np.float32))
    # resnet10_w32 (the corpus model) calibrates on the same kind of images.
    np.save(os.path.join(out, 'resnet10-calib.npy'), rng.standard_normal((SAMPLES, 3, 224, 224), dtype=np.float32))
    print(f'wrote resnet50.onnx, encoder12.onnx and their {SAMPLES}-sample calibration sets to {out}')


if __name__ == '__main__':
    main()
