#!/usr/bin/python3
"""Benchmark one training epoch of the MLP and LeNet-5 on real MNIST (batch 32, SGD) with
godl's dl package and with the PyTorch baseline, back to back, and print the ratio.

Run from the repository root (make bench does):

    /usr/bin/python3 dl/internal/cmd/epochbench/bench.py [--repeats 3] [--torch PATH]

The PyTorch script is ../shared/bench/torch_baseline.py relative to the repository root
unless --torch or TORCH_BASELINE says otherwise. Rounds alternate godl (GOMAXPROCS 1 and 2)
and PyTorch (1 thread) so that both see the same machine load; the figures are medians over
the rounds. The MLP's epochs are short, so each round trains it three times on each core
count, alternating. Output, one line per model:

    mlp     godl 1 core 0.301 s  2 cores 0.250 s  pytorch 1 thread 0.420 s  ratio 0.72 (1 core) 0.60 (2 cores)

then, per model, the median ratio of 2 cores to 1 core over neighbouring epochs of the same
process (a virtual machine's speed drifts from second to second, and pairs see the same
drift), and the peak RSS of a one-epoch LeNet-5 run.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.stderr.write(p.stdout + p.stderr)
        sys.exit(f"bench: {' '.join(cmd)} failed with status {p.returncode}")
    return p.stdout


def pair_ratios(out):
    """Returns {model: [epoch_s at 2 cores / epoch_s at 1 core, ...]} over the RESULT lines of
    one epochbench run where a GOMAXPROCS 2 epoch follows a GOMAXPROCS 1 epoch."""
    res, prev = {}, {}
    for line in out.splitlines():
        if not line.startswith("RESULT "):
            continue
        f = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
        m, n, t = f["model"], int(f["procs"]), float(f["epoch_s"])
        if n == 2 and m in prev:
            res.setdefault(m, []).append(t / prev.pop(m))
        elif n == 1:
            prev[m] = t
    return res


def parse(out, pattern, others, cpu):
    """Returns {(model, n): [epoch_s, ...]} from RESULT lines; pattern names the n field.
    The 'others' figure of each line (CPU share of other processes) is appended to others,
    and the epoch's own CPU seconds to cpu[(model, n)]."""
    res = {}
    for line in out.splitlines():
        if not line.startswith("RESULT "):
            continue
        f = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
        key = (f["model"], int(f[pattern]))
        res.setdefault(key, []).append(float(f["epoch_s"]))
        cpu.setdefault(key, []).append(float(f.get("cpu_s", "nan")))
        others.append(float(f.get("others", "nan")))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3, help="rounds of godl + PyTorch")
    ap.add_argument("--torch", default=os.environ.get("TORCH_BASELINE",
                    os.path.join(ROOT, "..", "shared", "bench", "torch_baseline.py")))
    ap.add_argument("--models", default="mlp,lenet5")
    a = ap.parse_args()
    if not os.path.exists(a.torch):
        sys.exit(f"bench: PyTorch baseline not found at {a.torch} (pass --torch PATH)")

    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "epochbench")
        run(["go", "build", "-o", exe, "./dl/internal/cmd/epochbench"])
        ours, torch, others, cpu_ours, cpu_torch, pairs = {}, {}, [], {}, {}, {}
        models = a.models.split(",")
        for r in range(a.repeats):
            for m in models:
                procs = "1,2,1,2,1,2" if m == "mlp" else "1,2"
                out = run([exe, "-model", m, "-procs", procs, "-seed", str(r + 1)])
                for k, v in parse(out, "procs", others, cpu_ours).items():
                    ours.setdefault(k, []).extend(v)
                for k, v in pair_ratios(out).items():
                    pairs.setdefault(k, []).extend(v)
                out = run(["/usr/bin/python3", a.torch, "--model", m, "--threads", "1",
                           "--batch", "32", "--epochs", "1", "--seed", str(r), "--infer-reps", "1"])
                if r == 0 and "# openblas core=" not in out:
                    print("# warning: PyTorch is not using OpenBLAS; its times are void", flush=True)
                for k, v in parse(out, "threads", others, cpu_torch).items():
                    torch.setdefault(k, []).extend(v)
        rss = run([exe, "-rss"])
    print(f"# medians of {a.repeats} rounds (the MLP: 3 epochs per core count a round); "
          "godl GOMAXPROCS 1 and 2, PyTorch 1 thread, batch 32, 60,000 images")
    print(f"# CPU share of other processes during the epochs: median {statistics.median(others):.2f}, "
          f"max {max(others):.2f} (above 0.05 the machine was shared)")
    for m in models:
        p1, p2 = statistics.median(ours[(m, 1)]), statistics.median(ours[(m, 2)])
        t1 = statistics.median(torch[(m, 1)])
        print(f"{m:<7} godl 1 core {p1:.3f} s  2 cores {p2:.3f} s  pytorch 1 thread {t1:.3f} s  "
              f"ratio {p1 / t1:.2f} (1 core) {p2 / t1:.2f} (2 cores)")
    print("# own CPU seconds per epoch (less sensitive to other processes than wall time):")
    for m in models:
        c1, c2 = statistics.median(cpu_ours[(m, 1)]), statistics.median(cpu_ours[(m, 2)])
        ct = statistics.median(cpu_torch[(m, 1)])
        print(f"{m:<7} godl 1 core {c1:.3f} s  2 cores {c2:.3f} s  pytorch 1 thread {ct:.3f} s  "
              f"cpu ratio {c1 / ct:.2f} (1 core)")
    for m in models:
        v = sorted(pairs.get(m, []))
        if v:
            print(f"{m:<7} godl 2 cores / 1 core, neighbouring epochs: median {statistics.median(v):.2f} "
                  f"(of {len(v)}, range {v[0]:.2f}-{v[-1]:.2f})")
    mm = re.search(r"vmhwm_mb=([\d.]+)", rss)
    print(f"lenet5  peak RSS of a one-epoch run: {mm.group(1) if mm else '?'} MB")


if __name__ == "__main__":
    main()
