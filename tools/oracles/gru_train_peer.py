"""Peer for `bench gru-train`: times one training step of a GRU encoder, Embedding(8000, 256) -> GRU(256 -> 256),
batch 64, length 20 (time-major), loss = mean(output * fixed random target), Adam, in PyTorch with 2 threads.
Prints `steps_per_s=<x>` (median of repeated timed blocks)."""
import torch

import peer_timing

parser = peer_timing.parser(batch=64, steps=20)
parser.add_argument("--length", type=int, default=20)
parser.add_argument("--vocab", type=int, default=8000)
parser.add_argument("--dim", type=int, default=256)
parser.add_argument("--hidden", type=int, default=256)
args = peer_timing.parse_and_pin(parser)
embedding = torch.nn.Embedding(args.vocab, args.dim)
gru = torch.nn.GRU(args.dim, args.hidden)
params = list(embedding.parameters()) + list(gru.parameters())
opt = torch.optim.Adam(params, lr=1e-3)
ids = torch.randint(0, args.vocab, (args.length, args.batch))
target = torch.randn(args.length, args.batch, args.hidden)


def step():
    opt.zero_grad()
    out, _ = gru(embedding(ids))
    loss = (out * target).mean()
    loss.backward()
    opt.step()


peer_timing.report_steps_per_s(step, warmup=5, repeats=args.repeats, steps=args.steps)
