"""Peer for `bench mlp-train`: times one training step of a 784-1024-1024-10 ReLU MLP, batch 256, Adam,
in PyTorch with 2 threads. Prints `steps_per_s=<x>` (median of repeated timed blocks)."""
import torch

import peer_timing

parser = peer_timing.parser(batch=256, steps=20)
args = peer_timing.parse_and_pin(parser)
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


peer_timing.report_steps_per_s(step, warmup=5, repeats=args.repeats, steps=args.steps)
