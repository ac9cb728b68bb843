#!/usr/bin/env python3
"""GhostFlow's GEMM against numpy (OpenBLAS) and PyTorch CPU, on the same shapes in one run.

    python3 benches/compare_kernels.py [--python /path/to/venv/bin/python] [--rounds 5]

The runner itself needs only the standard library. The references run under `--python`
(default: $GF_REF_PYTHON, else `python3`), which should have numpy, threadpoolctl and torch; a
missing one is skipped with a message. The Rust side is `benches/kernels.rs`, built once with
`cargo bench --no-run` (CARGO_TARGET_DIR and CARGO_BUILD_JOBS are respected). Rounds interleave
the sides (the order rotates every round) and each side reports a median per shape; the table
shows the median over the rounds and the time ratio GhostFlow / reference (below 1: faster).
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the reference command's environment
only, so OpenBLAS picks its kernel itself; the kernel threadpoolctl reports is printed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

from common_compare import build_bench, cpu_info, run

SQUARE = [(s, s, s) for s in (256, 512, 1024, 2048)]
MLP = [(128, 784, 256), (128, 256, 128)]
SMALL = [(s, s, s) for s in (8, 32, 64)]

REF_SCRIPT = r"""
import json, sys, time
lib, dtype, shapes, samples = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
if lib == "info":
    out = {}
    try:
        import numpy
        from threadpoolctl import threadpool_info
        out["numpy"] = numpy.__version__
        out["blas"] = [{k: i.get(k) for k in ("internal_api", "version", "architecture",
                        "threading_layer", "num_threads")} for i in threadpool_info()]
    except Exception as e:
        out["numpy_error"] = repr(e)
    try:
        import torch
        out["torch"] = torch.__version__
        out["torch_threads"] = torch.get_num_threads()
    except Exception as e:
        out["torch_error"] = repr(e)
    print(json.dumps(out))
    sys.exit(0)
import os
import numpy as np
if lib == "torch":
    import torch
    torch.set_num_threads(os.cpu_count() or 1)
rng = np.random.default_rng(0)
for m, k, n in shapes:
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    c = np.empty((m, n), dtype)
    if lib == "torch":
        a, b, c = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
        call = lambda: torch.matmul(a, b, out=c)
    else:
        call = lambda: np.matmul(a, b, out=c)
    call()
    t = time.perf_counter(); call(); once = max(time.perf_counter() - t, 1e-9)
    reps = min(max(int(2e-3 / once), 1), 100000)
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(reps):
            call()
        times.append((time.perf_counter() - t) / reps)
    times.sort()
    print(json.dumps({"m": m, "k": k, "n": n, "median_s": times[len(times) // 2]}))
"""


def flops_per_cycle(cpu, simd):
    """f32 FLOPs per cycle per core of the widest path, and how it was derived."""
    amd_zen4 = cpu.get("vendor_id") == "AuthenticAMD" and cpu.get("cpu family") == "25"
    if simd == "avx512" and amd_zen4:
        return 32, "Zen 4 runs 512-bit FMAs on two 256-bit pipes: 2 pipes x 8 f32 x 2 FLOPs"
    if simd == "avx512":
        return 64, "two 512-bit FMA units: 2 x 16 f32 x 2 FLOPs"
    if simd == "avx2":
        return 32, "two 256-bit FMA units: 2 x 8 f32 x 2 FLOPs"
    if simd == "neon":
        return 16, "two 128-bit FMA units: 2 x 4 f32 x 2 FLOPs"
    return 2, "one scalar FMA"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--python", default=os.environ.get("GF_REF_PYTHON", "python3"),
                    help="python with numpy / torch / threadpoolctl (default $GF_REF_PYTHON or python3)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--samples", type=int, default=7, help="timed samples per shape per round")
    ap.add_argument("--clock-ghz", type=float, help="core clock for the peak (default: measured)")
    ap.add_argument("--no-f64", action="store_true", help="skip the DGEMM rows")
    args = ap.parse_args()

    exe = build_bench("kernels")
    gf_info = json.loads(run([exe, "--info"]))
    cpu = cpu_info()
    cores = os.cpu_count() or 1
    print(f"CPU: {cpu.get('model name', '?')} (vendor {cpu.get('vendor_id', '?')}, family "
          f"{cpu.get('cpu family', '?')}, model {cpu.get('model', '?')}), {cores} logical CPUs, "
          f"/proc/cpuinfo MHz {cpu.get('cpu MHz', '?')}")
    print(f"GhostFlow SIMD path: {gf_info['simd']}; caches L1d {gf_info['l1d'] >> 10} KiB, "
          f"L2 {gf_info['l2'] >> 10} KiB, L3 {gf_info['l3'] >> 20} MiB")
    if args.clock_ghz:
        ghz, how = args.clock_ghz, "given with --clock-ghz"
    else:
        ghz = json.loads(run([exe, "--clock"]))["clock_ghz"]
        how = "measured: a dependent x = x*x + 1 chain (imul 3 + add 1 cycles), 4 cycles per step, best of 5"
    fpc, fpc_how = flops_per_cycle(cpu, gf_info["simd"])
    peak32 = cores * ghz * fpc
    print(f"FMA peak f32: {cores} cores x {ghz:.2f} GHz ({how}) x {fpc} FLOPs/cycle ({fpc_how}) "
          f"= {peak32:.0f} GFLOP/s; f64: {peak32 / 2:.0f}")

    ref_env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    sides = ["ghostflow"]
    try:
        info = json.loads(run([args.python, "-c", REF_SCRIPT, "info", "", "[]", "0"], env=ref_env))
    except (OSError, subprocess.CalledProcessError) as e:
        info = {"numpy_error": repr(e), "torch_error": repr(e)}
    if "numpy" in info:
        sides.append("numpy")
        for b in info.get("blas", []):
            print(f"numpy {info['numpy']}: {b['internal_api']} {b['version']}, kernel "
                  f"{b['architecture']}, {b['num_threads']} threads ({b['threading_layer']})")
    else:
        print(f"numpy skipped: {info.get('numpy_error')} (with {args.python})")
    if "torch" in info and "numpy" in info:
        sides.append("torch")
        print(f"torch {info['torch']}: {info['torch_threads']} threads by default, set to {cores}")
    else:
        print(f"torch skipped: {info.get('torch_error', 'needs numpy')} (with {args.python})")

    work = [("f32", SQUARE + MLP + SMALL)]
    if not args.no_f64:
        work.append(("f64", SQUARE + MLP))
    results = {}  # (side, dtype, shape) -> [median per round]
    for r in range(args.rounds):
        order = sides[r % len(sides):] + sides[:r % len(sides)]
        for side in order:
            for dtype, shapes in work:
                if side == "ghostflow":
                    arg = ",".join(f"{m}x{k}x{n}" for m, k, n in shapes)
                    out = run([exe, "--dtype", dtype, "--shapes", arg, "--samples", str(args.samples)])
                else:
                    out = run([args.python, "-c", REF_SCRIPT, side,
                               {"f32": "float32", "f64": "float64"}[dtype],
                               json.dumps(shapes), str(args.samples)], env=ref_env)
                for line in out.splitlines():
                    d = json.loads(line)
                    key = (side, dtype, (d["m"], d["k"], d["n"]))
                    results.setdefault(key, []).append(d["median_s"])
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    head = f"{'dtype':5} {'shape':>16} {'GF us':>10} {'GF GFLOP/s':>10} {'% peak':>7}"
    for side in sides[1:]:
        head += f" {side + ' us':>10} {'ratio':>6}"
    print()
    print(head)
    for dtype, shapes in work:
        peak = peak32 if dtype == "f32" else peak32 / 2
        for shape in shapes:
            m, k, n = shape
            gf = statistics.median(results[("ghostflow", dtype, shape)])
            gflops = 2 * m * k * n / gf / 1e9
            row = f"{dtype:5} {f'{m}x{k}x{n}':>16} {gf * 1e6:10.1f} {gflops:10.1f} {100 * gflops / peak:6.1f}%"
            for side in sides[1:]:
                ref = statistics.median(results[(side, dtype, shape)])
                row += f" {ref * 1e6:10.1f} {gf / ref:6.2f}"
            print(row)
    print("\nratio = GhostFlow time / reference time, medians over rounds; shape MxKxN is (M,K)x(K,N)")


if __name__ == "__main__":
    main()
