#!/usr/bin/env python3
"""PyTorch CPU's side of `cargo bench --bench kernels -- --ops conv_mnist,conv64`.

    python benches/compare_conv.py [--samples 15]

Times the same two cases (forward + backward, f32, every CPU thread) and prints one JSON line
each, median seconds per pass, as the Rust side does:

- conv_mnist: a batch of 64 1×28×28 images, conv 1→32 3×3, ReLU, max-pool 2, conv 32→64 3×3,
  ReLU, max-pool 2, summed; gradients of both weights (the input does not require one).
- conv64: a 3×3 conv 64→64 with padding 1 of a batch of 32 64×32×32 maps, summed; gradients
  of the input and the weight.
"""

import argparse
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F


def median_secs(samples, call):
    call()
    t = time.perf_counter()
    call()
    once = max(time.perf_counter() - t, 1e-9)
    reps = max(1, min(100_000, int(2e-3 / once)))
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(reps):
            call()
        times.append((time.perf_counter() - t) / reps)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=15)
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    g = torch.Generator().manual_seed(0)

    x = torch.randn(64, 1, 28, 28, generator=g)
    w1 = torch.randn(32, 1, 3, 3, generator=g, requires_grad=True)
    w2 = torch.randn(64, 32, 3, 3, generator=g, requires_grad=True)

    def mnist():
        h = F.max_pool2d(F.relu(F.conv2d(x, w1)), 2)
        y = F.max_pool2d(F.relu(F.conv2d(h, w2)), 2)
        w1.grad = w2.grad = None
        y.sum().backward()

    x64 = torch.randn(32, 64, 32, 32, generator=g, requires_grad=True)
    w64 = torch.randn(64, 64, 3, 3, generator=g, requires_grad=True)

    def conv64():
        y = F.conv2d(x64, w64, padding=1)
        x64.grad = w64.grad = None
        y.sum().backward()

    for name, call in (("conv_mnist", mnist), ("conv64", conv64)):
        secs = median_secs(args.samples, call)
        print(json.dumps({"op": name, "lib": "torch", "torch": torch.__version__,
                          "threads": torch.get_num_threads(), "median_s": secs}))


if __name__ == "__main__":
    main()
