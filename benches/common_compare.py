"""Helpers the `compare_*.py` runners share: running a command from the repository root,
building a bench once and finding its executable, and reading the CPU from /proc/cpuinfo.

Standard library only, so the runners themselves need no packages; they import it from their
own folder (`python3 benches/compare_X.py` puts benches/ on sys.path).
"""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, env=None):
    """stdout of `cmd` run from the repository root; raises if it fails."""
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=ROOT).stdout


def build_bench(name):
    """Builds `benches/<name>.rs` with `cargo bench --no-run` (CARGO_TARGET_DIR and
    CARGO_BUILD_JOBS are respected) and returns the path of its executable."""
    out = run(["cargo", "bench", "--bench", name, "--no-run", "--message-format=json"])
    for line in out.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg["target"]["name"] == name:
            return msg["executable"]
    sys.exit(f"could not find the {name} bench executable in cargo's output")


def cpu_info():
    """The first CPU's model name, vendor, family, model and MHz, and its flags as a set."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, val = line.partition(":")
                key, val = key.strip(), val.strip()
                if key in ("model name", "vendor_id", "cpu family", "model", "cpu MHz") \
                        and key not in info:
                    info[key] = val
                if key == "flags" and "flags" not in info:
                    info["flags"] = set(val.split())
    except OSError:
        pass
    return info
