"""Peer for `bench conv-train`: times one SGD training step (forward, cross-entropy, backward, update) of a
MobileNet-v2-style network on 3x64x64 images, batch 32, in PyTorch with 2 threads (the same architecture as
bench/MLNetDeep.Bench/ConvTrainSuite.cs). Prints `steps_per_s=<x>` (median of repeated timed blocks)."""
import torch
from torchvision.models.mobilenetv2 import InvertedResidual

import peer_timing

parser = peer_timing.parser(batch=32, steps=5)
args = peer_timing.parse_and_pin(parser)


def conv_bn_relu6(cin, cout, k, s):
    return torch.nn.Sequential(torch.nn.Conv2d(cin, cout, k, s, (k - 1) // 2, bias=False),
                               torch.nn.BatchNorm2d(cout), torch.nn.ReLU6())


# (in, out, stride, expansion) per inverted residual block
BLOCKS = [(32, 16, 1, 1), (16, 24, 2, 6), (24, 24, 1, 6), (24, 32, 2, 6), (32, 32, 1, 6), (32, 64, 2, 6), (64, 64, 1, 6)]
model = torch.nn.Sequential(
    conv_bn_relu6(3, 32, 3, 2),
    *[InvertedResidual(i, o, s, t) for i, o, s, t in BLOCKS],
    conv_bn_relu6(64, 256, 1, 1),
    torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(256, 10))
model.train()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x = torch.randn(args.batch, 3, 64, 64)
y = torch.randint(0, 10, (args.batch,))


def step():
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()


peer_timing.report_steps_per_s(step, warmup=3, repeats=args.repeats, steps=args.steps)
