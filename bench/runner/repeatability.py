#!/usr/bin/python3
"""Repeatability: the same job run --runs times back to back, each a fresh
`agent run` process; prints every run's median and, per model, how many
consecutive pairs agree within --tolerance, the median difference between
consecutive runs and the spread (max/min - 1). Target: within 3%.

  /usr/bin/python3 bench/runner/repeatability.py --agent=bazel-bin/agent/agent \\
      --threads=2 --runs=10 --models=resnet50,vgg19
"""

import argparse
import statistics
import sys

from compare import run_json


def run_once(args, model):
    r = run_json([args.agent, "run", "--model=" + model, "--batch=%d" % args.batch,
                  "--mode=inference", "--threads=%d" % args.threads,
                  "--inter_op_threads=%d" % args.inter_op_threads,
                  "--max_seconds=%g" % args.max_seconds, "--format=json"])
    if r.get("status") != "JOB_STATUS_OK":
        sys.exit("%s: %s" % (model, r.get("error", "?")))
    return r["step"]["medianMs"], int(r["step"]["n"]), r.get("otherCpuLoad", 0.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agent", default="bazel-bin/agent/agent")
    parser.add_argument("--models", default="resnet50,mobilenet_v3_large,vgg19,squeezenet1_0")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--inter_op_threads", type=int, default=1)
    parser.add_argument("--max_seconds", type=float, default=8)
    parser.add_argument("--tolerance", type=float, default=0.03)
    args = parser.parse_args()
    if args.runs < 2:
        sys.exit("--runs=%d: need at least 2 runs to compare" % args.runs)

    print("repeatability: %d back-to-back runs per model, batch %d, threads %d, "
          "inter-op %d" % (args.runs, args.batch, args.threads, args.inter_op_threads))
    print("| model | run medians ms | pairs within %g%% | median diff | spread | others' CPU |"
          % (100 * args.tolerance))
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    agree = total = 0
    diffs_all = []
    for model in [m for m in args.models.split(",") if m]:
        runs = [run_once(args, model) for _ in range(args.runs)]
        medians = [m for m, _, _ in runs]
        diffs = [abs(a / b - 1) for a, b in zip(medians, medians[1:])]
        within = sum(d <= args.tolerance for d in diffs)
        agree += within
        total += len(diffs)
        diffs_all += diffs
        print("| %s | %s | %d/%d | %.1f%% | %.1f%% | %.0f%% |" % (
            model, ", ".join("%.2f" % m for m in medians), within, len(diffs),
            100 * statistics.median(diffs), 100 * (max(medians) / min(medians) - 1),
            100 * max(load for _, _, load in runs)), flush=True)
    print("\nall: %d of %d consecutive pairs within %g%%, median difference %.1f%%" % (
        agree, total, 100 * args.tolerance, 100 * statistics.median(diffs_all)))


if __name__ == "__main__":
    main()
