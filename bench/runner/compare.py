#!/usr/bin/python3
"""Side by side: the runner (`agent run`) against PyTorch eager and PyTorch
TorchScript-frozen (pytorch_eager.py --impl=eager|frozen), same LibTorch
build, same threads, same machine, batch 1, under the same conditions: both
pin glibc's malloc policy, both run one cost-pass forward before the same
warm-up, and every run reports its threads, inter-op threads, input and
batch, which must agree (compare.py refuses to compare otherwise).

For every model, `--runs` rounds; each round runs every side as a fresh
process, rotating which goes first, after waiting (up to
--idle_timeout s) for the machine to be quiet. Each run reports the median
of its own samples; a side's figure is the median of its run medians. The
table prints both columns, the ratio runner / PyTorch of those (<= 1 means
the runner is at least as fast), the paired ratio (median over rounds of the
ratio within a round, whose two runs ran back to back, so load from other
processes that comes and goes between rounds cancels), every run's median,
the spread between runs (max/min - 1: repeatability) and the share of CPU
time other processes took while the model's runs ran. A run during which
other processes took more than --max_load of the CPU is thrown away and
repeated (up to --retries times; the last attempt is kept regardless, and
the load column shows it).

  /usr/bin/python3 bench/runner/compare.py --agent=bazel-bin/agent/agent \
      --threads=2 --inter_op_threads=1 --runs=3
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

SEED_MODELS = [
    "resnet50", "alexnet", "mobilenet_v3_large", "vgg19", "squeezenet1_0",
    "efficientnet_b7", "googlenet", "shufflenet_v2_x1_0", "wide_resnet101_2",
    "inception_v3",
]
# The seed's inputs: 224x224, except Inception v3's 299x299. Passed to both
# sides explicitly: the zoo's own default for some models differs (e.g.
# EfficientNet-B7 was designed for 600x600).
SIDE = {"inception_v3": 299}
HERE = os.path.dirname(os.path.abspath(__file__))
# What every run must agree on before two runs are compared.
CONDITIONS = ("threads", "inter_op_threads", "input", "batch", "malloc_policy",
              "cost_pass")
# The runner pins malloc's policy in RunJob (runner::PinMallocPolicy) and runs
# one cost-pass forward at the job's shape (batch 1, input no larger than the
# model's default) before its warm-up: agent/runner/runner.cc, cost_check.cc.
RUNNER_MALLOC_POLICY = "pinned"
RUNNER_COST_PASS = 1
PYTORCH_SIDES = ("eager", "frozen")


def check_same_conditions(model, runs):
    """Exits naming the field when `runs` [(side, figures)] differ in any of
    CONDITIONS: such figures are not a comparison."""
    first_side, first = runs[0]
    for side, figures in runs[1:]:
        for field in CONDITIONS:
            if figures.get(field) != first.get(field):
                sys.exit("compare.py: %s: %s ran with %s=%r but %s with %s=%r; "
                         "refusing to compare" % (model, first_side, field,
                                                  first.get(field), side, field,
                                                  figures.get(field)))


def cpu_ticks():
    """(busy, total) clock ticks of the whole machine from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return total - idle, total


def children_ticks():
    t = os.times()
    return (t.children_user + t.children_system) * os.sysconf("SC_CLK_TCK")


def other_load_during(fn):
    """Runs fn(); returns (its result, share of CPU time others used)."""
    busy0, total0 = cpu_ticks()
    child0 = children_ticks()
    result = fn()
    busy1, total1 = cpu_ticks()
    child1 = children_ticks()
    total = total1 - total0
    other = (busy1 - busy0) - (child1 - child0)
    return result, max(0.0, other / total) if total > 0 else -1.0


def wait_for_idle(threshold, timeout):
    """Waits until others use under `threshold` of the CPU for 2 s."""
    deadline = time.time() + timeout
    while True:
        _, load = other_load_during(lambda: time.sleep(2))
        if load < threshold or time.time() > deadline:
            return load


def run_json(cmd):
    out = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("%s failed (%d): %s%s" % (" ".join(cmd), out.returncode,
                                                     out.stdout[-2000:], out.stderr[-2000:]))
    return json.loads(out.stdout)


def budget_args(args, style):
    pairs = [("warmup", "warmup_iterations", args.warmup),
             ("min_iterations", "min_iterations", args.min_iterations),
             ("max_iterations", "max_iterations", args.max_iterations),
             ("min_seconds", "min_seconds", args.min_seconds),
             ("max_seconds", "max_seconds", args.max_seconds),
             ("stable_ci", "stable_ci", args.stable_ci)]
    return ["--%s=%s" % (py if style == "py" else cc, value) for py, cc, value in pairs]


def run_runner(args, model):
    side = SIDE.get(model, 224)
    cmd = [args.agent, "run", "--model=" + model, "--batch=1", "--mode=inference",
           "--input=3x%dx%d" % (side, side),
           "--threads=%d" % args.threads,
           "--inter_op_threads=%d" % args.inter_op_threads,
           "--format=json"] + budget_args(args, "cc")
    r = run_json(cmd)
    if r.get("status") != "JOB_STATUS_OK":
        raise RuntimeError("runner: " + r.get("error", "?"))
    step = r["step"]
    return {"median_ms": step["medianMs"], "n": int(step["n"]),
            "iqr_ms": step["iqrMs"], "threads": r["intraOpThreads"],
            "inter_op_threads": r["interOpThreads"],
            "batch": int(r["spec"]["batchSize"]),
            "malloc_policy": RUNNER_MALLOC_POLICY, "cost_pass": RUNNER_COST_PASS,
            "input": "x".join(str(r["spec"]["input"][k]) for k in ("channels", "height", "width"))}


def run_pytorch(args, model, impl):
    cmd = [args.python, os.path.join(HERE, "pytorch_eager.py"), "--model=" + model,
           "--impl=" + impl, "--side=%d" % SIDE.get(model, 224),
           "--threads=%d" % args.threads,
           "--inter_op_threads=%d" % args.inter_op_threads] + budget_args(args, "py")
    r = run_json(cmd)
    return {"median_ms": r["median_ms"], "n": r["n"], "iqr_ms": r["iqr_ms"],
            "threads": r["threads"], "inter_op_threads": r["inter_op_threads"],
            "batch": r["batch"], "malloc_policy": r["malloc_policy"],
            "cost_pass": r["cost_pass"],
            "minor_faults_per_forward": r["minor_faults_per_forward"],
            "input": "x".join(str(v) for v in r["input"])}


def spread(values):
    return max(values) / min(values) - 1 if values and min(values) > 0 else float("nan")


def paired_table(args, raw):
    """Runner, eager and frozen in one process (pytorch_eager.py --runner_lib)."""
    print("\nin one process (runner loaded into the PyTorch process): %d pairs "
          "(one runner forward, then one eager and one frozen forward, alternating "
          "which of the two first); cross-check: %d rounds x %d forwards per side, "
          "alternating order" % (args.pairs, args.paired_rounds, args.paired_iterations))
    print("| model | input | runner ms | eager ms | frozen ms | runner/eager "
          "| runner/frozen | frozen/eager | rounds runner/eager (min..max) "
          "| others' CPU |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    slower = []
    models = [m for m in args.models.split(",") if m]
    for model in models:
        side = SIDE.get(model, 224)
        cmd = [args.python, os.path.join(HERE, "pytorch_eager.py"), "--model=" + model,
               "--side=%d" % side, "--threads=%d" % args.threads,
               "--inter_op_threads=%d" % args.inter_op_threads,
               "--warmup=%d" % args.warmup, "--runner_lib=" + args.runner_lib,
               "--pairs=%d" % args.pairs,
               "--rounds=%d" % args.paired_rounds,
               "--iterations=%d" % args.paired_iterations,
               "--max_load=%g" % args.max_load, "--retries=%d" % args.retries]
        wait_for_idle(args.idle_threshold, args.idle_timeout)
        r = run_json(cmd)
        # One process: the runner and PyTorch share LibTorch's thread settings
        # and malloc; check they are the ones asked for.
        check_same_conditions(model, [
            ("asked", {"threads": args.threads, "inter_op_threads": args.inter_op_threads,
                       "input": [3, side, side], "batch": 1,
                       "malloc_policy": RUNNER_MALLOC_POLICY,
                       "cost_pass": RUNNER_COST_PASS}),
            ("paired run", r)])
        raw.append(dict(r, side="paired"))
        ratios = [x["runner_ms"] / x["pytorch_ms"] for x in r["rounds"]]
        if r["paired_ratio"] > 1:
            slower.append(model)
        print("| %s | 3x%dx%d | %.2f | %.2f | %.2f | %.3f%s | %.3f | %.3f | %s | %.0f%% |" % (
            model, side, side, r["runner_median_ms"], r["pytorch_median_ms"],
            r["frozen_median_ms"], r["paired_ratio"],
            "" if r["paired_ratio"] <= 1 else " (slower)", r["paired_ratio_frozen"],
            r["paired_frozen_over_eager"],
            "%.3f (%.3f..%.3f)" % (r["rounds_ratio"], min(ratios), max(ratios))
            if ratios else "-",
            100 * r["other_load"]), flush=True)
    print("\npaired: runner at or below PyTorch eager for %d of %d models%s" % (
        len(models) - len(slower), len(models),
        "" if not slower else "; slower: " + ", ".join(slower)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agent", default="bazel-bin/agent/agent")
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--models", default=",".join(SEED_MODELS))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--inter_op_threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--min_iterations", type=int, default=15)
    parser.add_argument("--max_iterations", type=int, default=1000)
    parser.add_argument("--min_seconds", type=float, default=1)
    parser.add_argument("--max_seconds", type=float, default=15)
    parser.add_argument("--stable_ci", type=float, default=0.01)
    parser.add_argument("--idle_threshold", type=float, default=0.15,
                        help="wait until others use less than this share of CPU")
    parser.add_argument("--idle_timeout", type=float, default=120)
    parser.add_argument("--max_load", type=float, default=0.10,
                        help="a run during which others took more of the CPU "
                             "is repeated (up to --retries times)")
    parser.add_argument("--retries", type=int, default=4)
    parser.add_argument("--runner_lib", default="",
                        help="librunner_bridge.so: also run paired rounds in one "
                             "process (pytorch_eager.py --runner_lib)")
    parser.add_argument("--pairs", type=int, default=100,
                        help="in one process: runner forwards, each followed by "
                             "an eager one")
    parser.add_argument("--paired_rounds", type=int, default=6)
    parser.add_argument("--paired_iterations", type=int, default=15)
    parser.add_argument("--skip_processes", action="store_true",
                        help="only the paired table")
    parser.add_argument("--json_out", default="",
                        help="also write every run's figures here")
    args = parser.parse_args()

    if not args.skip_processes:
        print("runner (agent run) vs PyTorch eager and frozen, separate processes: "
              "batch 1, threads %d, inter-op %d, %d runs per side, rotating order; "
              "figures are medians of run medians" % (
                  args.threads, args.inter_op_threads, args.runs), flush=True)
    sides = ("runner",) + PYTORCH_SIDES
    rows, raw = [], []
    for model in [m for m in args.models.split(",") if m and not args.skip_processes]:
        runs = {s: [] for s in sides}
        loads = []
        for r in range(args.runs):
            order = sides[r % len(sides):] + sides[:r % len(sides)]
            for side in order:
                def fn():
                    return (run_runner(args, model) if side == "runner"
                            else run_pytorch(args, model, side))
                for attempt in range(args.retries + 1):
                    wait_for_idle(args.idle_threshold, args.idle_timeout)
                    figures, load = other_load_during(fn)
                    if load <= args.max_load:
                        break
                    print("  %-20s run %d %-8s median %9.3f ms  others %3.0f%%: "
                          "too busy, again" % (model, r + 1, side, figures["median_ms"],
                                               100 * load), file=sys.stderr, flush=True)
                figures["other_load"] = load
                runs[side].append(figures)
                loads.append(load)
                raw.append(dict(figures, model=model, side=side, run=r))
                print("  %-20s run %d %-8s median %9.3f ms  n %4d  others %3.0f%%"
                      % (model, r + 1, side, figures["median_ms"], figures["n"],
                         100 * load), file=sys.stderr, flush=True)
        check_same_conditions(model, [(s, f) for s in sides for f in runs[s]])
        med = {s: statistics.median(f["median_ms"] for f in runs[s]) for s in sides}
        rows.append({
            "model": model, "input": runs["runner"][0]["input"],
            "runner": med["runner"], "pytorch": med["eager"], "frozen": med["frozen"],
            "ratio": med["runner"] / med["eager"],
            "ratio_frozen": med["runner"] / med["frozen"],
            "frozen_over_eager": med["frozen"] / med["eager"],
            "paired_ratio": statistics.median(
                a["median_ms"] / b["median_ms"]
                for a, b in zip(runs["runner"], runs["eager"])),
            "runs": {s: [f["median_ms"] for f in runs[s]] for s in sides},
            "n": {s: [f["n"] for f in runs[s]] for s in sides},
            "spread": {s: spread([f["median_ms"] for f in runs[s]]) for s in sides},
            "faults_per_forward": max(f["minor_faults_per_forward"]
                                      for s in PYTORCH_SIDES for f in runs[s]),
            "load": statistics.mean(loads),
        })

    if rows:
        print("| model | input | runner ms | eager ms | frozen ms | runner/eager "
              "| runner/frozen | frozen/eager | paired runner/eager "
              "| run medians runner; eager; frozen | spread runner/eager/frozen "
              "| PyTorch faults/forward | others' CPU |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- "
              "| ---: | ---: |")
    for row in rows:
        medians = "; ".join(", ".join("%.2f" % m for m in row["runs"][s]) for s in sides)
        spreads = "/".join("%.0f%%" % (100 * row["spread"][s]) for s in sides)
        print("| %s | %s | %.2f | %.2f | %.2f | %.3f%s | %.3f | %.3f | %.3f | %s | %s "
              "| %.1f | %.0f%% |" % (
                  row["model"], row["input"], row["runner"], row["pytorch"],
                  row["frozen"], row["ratio"], "" if row["ratio"] <= 1 else " (slower)",
                  row["ratio_frozen"], row["frozen_over_eager"], row["paired_ratio"],
                  medians, spreads, row["faults_per_forward"], 100 * row["load"]))
    slower = [row["model"] for row in rows if row["ratio"] > 1]
    if rows:
        print("\nrunner at or below PyTorch eager for %d of %d models%s" % (
            len(rows) - len(slower), len(rows),
            "" if not slower else "; slower: " + ", ".join(slower)))
    if args.runner_lib:
        paired_table(args, raw)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"rows": rows, "runs": raw, "args": vars(args)}, f, indent=1)


if __name__ == "__main__":
    main()
