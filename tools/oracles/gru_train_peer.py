"""Peer for `bench gru-train`: times one training step of a GRU encoder, Embedding(8000, 256) -> GRU(256 -> 256),
batch 64, length 20 (time-major), loss = mean(output * fixed random target), Adam, in PyTorch with 2 threads.
Prints `steps_per_s=<x>` (median of repeated timed blocks)."""
import argparse
import statistics
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--batch", type=int, default=64)
parser.add_argument("--length", type=int, default=20)
parser.add_argument("--vocab", type=int, default=8000)
parser.add_argument("--dim", type=int, default=256)
parser.add_argument("--hidden", type=int, default=256)
parser.add_argument("--repeats", type=int, default=5)
parser.add_argument("--steps", type=int, default=20)
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
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


for _ in range(5):
    step()
rates = []
for _ in range(args.repeats):
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    rates.append(args.steps / (time.perf_counter() - t0))
print(f"steps_per_s={statistics.median(rates):.3f}", flush=True)
