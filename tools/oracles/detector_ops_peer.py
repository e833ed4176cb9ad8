"""The PyTorch side of `bench detector-train --profile`'s single-op table: forward and backward process CPU time of
the detector's convolutions, a batch norm and ReLU6 at their shapes (batch 16), one thread by default. Run it by hand:
`/usr/bin/python3 tools/oracles/detector_ops_peer.py [--threads N] [--repeats R]`."""
import argparse
import time

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--repeats", type=int, default=40)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
B = 16


def timed(name, f, *shapes):
    xs = [torch.randn(*s, requires_grad=True) for s in shapes]
    fw = bw = 0.0
    for i in range(args.repeats + 1):
        t0 = time.process_time()
        out = f(*xs)
        seed = torch.ones_like(out)
        t1 = time.process_time()
        out.backward(seed)
        t2 = time.process_time()
        for x in xs:
            x.grad = None
        if i:
            fw, bw = fw + t1 - t0, bw + t2 - t1
    print(f"  {name:28s} forward {fw / args.repeats * 1e3:7.2f} cpu-ms  backward {bw / args.repeats * 1e3:7.2f} cpu-ms")


def conv(stride=1, padding=0, groups=1):
    return lambda x, w, b=None: F.conv2d(x, w, b, stride=stride, padding=padding, groups=groups)


timed("stem conv 3x3 s2 3->16", conv(2, 1), (B, 3, 128, 128), (16, 3, 3, 3))
timed("depthwise 16 s2 @64", conv(2, 1, 16), (B, 16, 64, 64), (16, 1, 3, 3))
timed("pointwise 16->24 @32", conv(), (B, 16, 32, 32), (24, 16, 1, 1))
timed("pointwise 24->96 @32", conv(), (B, 24, 32, 32), (96, 24, 1, 1))
timed("depthwise 96 s2 @32", conv(2, 1, 96), (B, 96, 32, 32), (96, 1, 3, 3))
timed("pointwise 96->32 @16", conv(), (B, 96, 16, 16), (32, 96, 1, 1))
timed("pointwise 32->128 @16", conv(), (B, 32, 16, 16), (128, 32, 1, 1))
timed("depthwise 128 s1 @16", conv(1, 1, 128), (B, 128, 16, 16), (128, 1, 3, 3))
timed("head0 3x3 32->60 @16", conv(1, 1), (B, 32, 16, 16), (60, 32, 3, 3), (60,))
timed("head1 3x3 64->60 @8", conv(1, 1), (B, 64, 8, 8), (60, 64, 3, 3), (60,))
timed("batchnorm train 16 @64", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (B, 16, 64, 64), (16,), (16,))
timed("batchnorm train 96 @32", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (B, 96, 32, 32), (96,), (96,))
timed("relu6 96 @32", F.relu6, (B, 96, 32, 32))
