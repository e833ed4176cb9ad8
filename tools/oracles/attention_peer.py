"""Peer for `bench attention`: times forward + backward of one torch.nn.TransformerEncoderLayer
(d_model 256, 4 heads, dim_feedforward 1024, dropout 0, batch_first, post-norm, relu) on a batch of
32 sequences of length 32, in PyTorch with 2 threads. Prints `steps_per_s=<x>` (median of timed blocks)."""
import torch

import peer_timing

parser = peer_timing.parser(batch=32, steps=10)
parser.add_argument("--length", type=int, default=32)
parser.add_argument("--d-model", type=int, default=256)
parser.add_argument("--heads", type=int, default=4)
parser.add_argument("--ff", type=int, default=1024)
parser.add_argument("--warmup", type=int, default=10)
args = peer_timing.parse_and_pin(parser)
layer = torch.nn.TransformerEncoderLayer(args.d_model, args.heads, dim_feedforward=args.ff, dropout=0.0, batch_first=True)
layer.train()
x = torch.randn(args.batch, args.length, args.d_model)
upstream = torch.randn(args.batch, args.length, args.d_model)


def step():
    layer.zero_grad()
    layer(x).backward(upstream)


peer_timing.report_steps_per_s(step, warmup=args.warmup, repeats=args.repeats, steps=args.steps)
