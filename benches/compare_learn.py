#!/usr/bin/env python3
"""gf-learn's estimators against scikit-learn's, fitted on the same data in one run.

    python3 benches/compare_learn.py [--python /path/to/venv/bin/python] [--rounds 3]

The reference side runs under `--python` (default: $GF_REF_PYTHON, else `python3`), which needs
numpy and scikit-learn. The data is scikit-learn's `make_classification` (seed 0), written once
to a temporary folder and read by both sides. The GhostFlow side is `benches/learn.rs`, built
once with `cargo bench --no-run`. Rounds interleave the sides (the order alternates); each fit
runs in its own process on all cores, and the table shows the median fit time over the rounds,
the ratio GhostFlow / scikit-learn (below 1: faster) and both training accuracies.

Cases: SVC (rbf, scikit-learn's defaults) on 5000 x 40.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CASES = [("svc", 5000, 40)]

REF_SCRIPT = r"""
import json, sys, time, warnings
import numpy as np
mode = sys.argv[1]
if mode == "make":
    from sklearn.datasets import make_classification
    rows, cols, folder = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    x, y = make_classification(n_samples=rows, n_features=cols, n_informative=cols // 2,
                               random_state=0)
    x.astype("<f8").tofile(f"{folder}/x.f64")
    y.astype("<u4").tofile(f"{folder}/y.u32")
    sys.exit(0)
import sklearn
from sklearn.svm import SVC
est, xp, yp, rows, cols = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
x = np.fromfile(xp, "<f8").reshape(rows, cols)
y = np.fromfile(yp, "<u4").astype(np.int64)
m = {"svc": SVC}[est]()
t = time.perf_counter()
m.fit(x, y)
fit_s = time.perf_counter() - t
print(json.dumps({"side": "sklearn", "fit_s": fit_s, "accuracy": m.score(x, y),
                  "n_sv": int(m.support_.size), "version": sklearn.__version__}))
"""


def run(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=ROOT).stdout


def bench_binary():
    out = subprocess.run(
        ["cargo", "bench", "--bench", "learn", "--no-run", "--message-format", "json"],
        check=True, capture_output=True, text=True, cwd=ROOT).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "learn" \
                and msg.get("executable"):
            return msg["executable"]
    sys.exit("cargo did not report the learn bench executable")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default=os.environ.get("GF_REF_PYTHON", "python3"))
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    exe = bench_binary()
    with tempfile.TemporaryDirectory() as folder:
        for est, rows, cols in CASES:
            run([args.python, "-c", REF_SCRIPT, "make", str(rows), str(cols), folder])
            data = [f"{folder}/x.f64", f"{folder}/y.u32", str(rows), str(cols)]
            sides = {"ghostflow": [], "sklearn": []}
            info = {}
            for r in range(args.rounds):
                order = ["ghostflow", "sklearn"] if r % 2 == 0 else ["sklearn", "ghostflow"]
                for side in order:
                    if side == "ghostflow":
                        line = run([exe, est] + data)
                    else:
                        line = run([args.python, "-c", REF_SCRIPT, est] + data)
                    res = json.loads(line.strip().splitlines()[-1])
                    sides[side].append(res)
                    info[side] = res
            g = statistics.median(s["fit_s"] for s in sides["ghostflow"])
            s = statistics.median(s["fit_s"] for s in sides["sklearn"])
            gi, si = info["ghostflow"], info["sklearn"]
            print(f"cpu: {gi['cpu']}  simd: {gi['simd']}  threads: {gi['threads']}  "
                  f"scikit-learn {si['version']}")
            print(f"{est} {rows}x{cols}: ghostflow {g:.3f} s (acc {gi['accuracy']:.4f}, "
                  f"{gi['n_sv']} SV)  scikit-learn {s:.3f} s (acc {si['accuracy']:.4f}, "
                  f"{si['n_sv']} SV)  ratio {g / s:.2f}")


if __name__ == "__main__":
    main()
