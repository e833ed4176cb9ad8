"""Shared by the training-step peers (*_peer.py) of the benchmark suites: the common command line
(--threads, --batch, --repeats, --steps), thread pinning and seeding, and the timed blocks whose median
is printed as `steps_per_s=<x>` (after `cpu_ms_per_step=<x>`). Import it from a script in this folder (its folder is on sys.path)."""
import argparse
import statistics
import time

import torch


def parser(batch, steps):
    """An argument parser with --threads (2), --batch, --repeats (5) and --steps; add the script's own."""
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=batch)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--steps", type=int, default=steps)
    return p


def parse_and_pin(p):
    """Parses the command line, pins torch to --threads threads and seeds it with 0."""
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    return args


def report_steps_per_s(step, warmup, repeats, steps):
    """Runs step() warmup times, then repeats timed blocks of steps calls; prints the process CPU time per step over
    the timed blocks (all threads) and the median steps/s."""
    for _ in range(warmup):
        step()
    rates = []
    cpu0 = time.process_time()
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        rates.append(steps / (time.perf_counter() - t0))
    print(f"cpu_ms_per_step={(time.process_time() - cpu0) / (repeats * steps) * 1e3:.1f}", flush=True)
    print(f"steps_per_s={statistics.median(rates):.3f}", flush=True)
