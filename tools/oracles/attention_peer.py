"""Peer for `bench attention`: times forward + backward of one torch.nn.TransformerEncoderLayer
(d_model 256, 4 heads, dim_feedforward 1024, dropout 0, batch_first, post-norm, relu) on a batch of
32 sequences of length 32, in PyTorch with 2 threads. Prints `steps_per_s=<x>` (median of timed blocks)."""
import argparse
import statistics
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--batch", type=int, default=32)
parser.add_argument("--length", type=int, default=32)
parser.add_argument("--d-model", type=int, default=256)
parser.add_argument("--heads", type=int, default=4)
parser.add_argument("--ff", type=int, default=1024)
parser.add_argument("--repeats", type=int, default=5)
parser.add_argument("--steps", type=int, default=10)
parser.add_argument("--warmup", type=int, default=10)
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
layer = torch.nn.TransformerEncoderLayer(args.d_model, args.heads, dim_feedforward=args.ff, dropout=0.0, batch_first=True)
layer.train()
x = torch.randn(args.batch, args.length, args.d_model)
upstream = torch.randn(args.batch, args.length, args.d_model)


def step():
    layer.zero_grad()
    layer(x).backward(upstream)


for _ in range(args.warmup):
    step()
rates = []
for _ in range(args.repeats):
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    rates.append(args.steps / (time.perf_counter() - t0))
print(f"steps_per_s={statistics.median(rates):.3f}", flush=True)
