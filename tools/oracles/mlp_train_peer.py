"""Peer for `bench mlp-train`: times one training step of a 784-1024-1024-10 ReLU MLP, batch 256, Adam,
in PyTorch with 2 threads. Prints `steps_per_s=<x>` (median of repeated timed blocks)."""
import argparse
import statistics
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--batch", type=int, default=256)
parser.add_argument("--repeats", type=int, default=5)
parser.add_argument("--steps", type=int, default=20)
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(784, 1024), torch.nn.ReLU(),
    torch.nn.Linear(1024, 1024), torch.nn.ReLU(),
    torch.nn.Linear(1024, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(args.batch, 784)
y = torch.randint(0, 10, (args.batch,))


def step():
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
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
