"""GhostFlow's DataLoader against PyTorch's on the same image folder, in one run.

The pipeline on both sides: decode PNG, RandomCrop(32, padding=4), RandomHorizontalFlip,
ToTensor, Normalize; batch 64, shuffle, 2 workers. Each side runs a warm-up epoch, then
`--epochs` (5) timed epochs; the script prints samples/s for both and their ratio.

    python benches/compare_dataloader.py [--images 5000] [--epochs 3] [--root DIR]

Needs torch, torchvision, numpy and pillow (e.g. in a venv outside the repo).
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)


def make_images(root, n, classes=10, size=32):
    """A CIFAR-like folder of smooth, noisy, class-tinted PNGs (deterministic)."""
    from PIL import Image

    marker = os.path.join(root, f".complete-{n}")
    if os.path.exists(marker):
        return
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    for c in range(classes):
        os.makedirs(os.path.join(root, f"class_{c:02d}"), exist_ok=True)
    for i in range(n):
        c = i % classes
        phase = rng.uniform(0, 2 * np.pi, size=3)
        base = np.stack(
            [np.sin(2 * np.pi * (xx * (c + 1) / 3 + yy) + p) for p in phase], axis=-1
        )
        img = 127.5 + 90 * base + rng.normal(0, 12, size=(size, size, 3))
        img = np.clip(img, 0, 255).astype(np.uint8)
        Image.fromarray(img).save(os.path.join(root, f"class_{c:02d}", f"{i:05d}.png"))
    open(marker, "w").close()


def run_torch(root, epochs, workers, batch_size):
    import torch
    from torch.utils.data import DataLoader
    from torchvision import datasets, transforms

    tf = transforms.Compose(
        [
            transforms.RandomCrop(32, padding=4),
            transforms.RandomHorizontalFlip(),
            transforms.ToTensor(),
            transforms.Normalize(MEAN, STD),
        ]
    )
    ds = datasets.ImageFolder(root, transform=tf)
    loader = DataLoader(
        ds,
        batch_size=batch_size,
        shuffle=True,
        num_workers=workers,
        persistent_workers=workers > 0,
        generator=torch.Generator().manual_seed(0),
    )
    checksum = 0.0
    for x, _ in loader:  # warm-up: worker start, page cache
        checksum += float(x[0, 0, 0, 0])
    samples = 0
    start = time.perf_counter()
    for _ in range(epochs):
        for x, y in loader:
            samples += x.shape[0]
            checksum += float(x[0, 0, 0, 0])
    elapsed = time.perf_counter() - start
    return {"samples": samples, "seconds": elapsed, "samples_per_s": samples / elapsed}


def run_ghostflow(root, epochs, workers, batch_size):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cmd = [
        "cargo", "bench", "-q", "--bench", "dataloader", "--",
        "--root", root, "--epochs", str(epochs),
        "--workers", str(workers), "--batch-size", str(batch_size),
    ]
    out = subprocess.run(cmd, cwd=repo, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", default="/tmp/gf-bench-imagefolder")
    p.add_argument("--images", type=int, default=5000)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args()

    make_images(args.root, args.images)
    # Build first so compilation is not timed against torch's start-up.
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run(["cargo", "bench", "-q", "--bench", "dataloader", "--no-run"], cwd=repo, check=True)
    gf = run_ghostflow(args.root, args.epochs, args.workers, args.batch_size)
    pt = run_torch(args.root, args.epochs, args.workers, args.batch_size)
    print(f"images: {args.images} PNGs 32x32 in {args.root}; batch {args.batch_size}, "
          f"{args.workers} workers, {args.epochs} timed epochs after one warm-up")
    print(f"ghostflow: {gf['samples_per_s']:10.0f} samples/s ({gf['samples']} in {gf['seconds']:.2f} s)")
    print(f"pytorch:   {pt['samples_per_s']:10.0f} samples/s ({pt['samples']} in {pt['seconds']:.2f} s)")
    print(f"ratio ghostflow / pytorch: {gf['samples_per_s'] / pt['samples_per_s']:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
