#!/usr/bin/python3
"""PyTorch eager reference for the runner: one torchvision model, timed the
way agent/runner times it, printed as one JSON object.

Same method as the runner (agent/runner/runner.h, adaptive_stop.h): model in
eval() under torch.inference_mode(), `--warmup` untimed forwards, then one
time.perf_counter_ns() sample per forward until min iterations and min
seconds are met and the median's distribution-free 95% CI is within
+/- stable_ci of it, or max iterations / max seconds are hit. Random weights
(weights=None), input torch.randn after torch.manual_seed(0).

Run with Debian's python3-torch and python3-torchvision:
  /usr/bin/python3 bench/runner/pytorch_eager.py --model=resnet50 --threads=2
"""

import argparse
import json
import math
import time

import torch
import torchvision

# The seed's ten models and the input side each was designed for.
DEFAULT_SIDE = {"inception_v3": 299}


def quantile(sorted_values, q):
    """Hyndman & Fan type 7, as analysis/summary_stats.cc."""
    position = q * (len(sorted_values) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (position - lower) * (
        sorted_values[upper] - sorted_values[lower])


def ci_relative_half_width(samples, q=0.5, z=1.96):
    """agent/runner/adaptive_stop.cc QuantileCiRelativeHalfWidth."""
    n = len(samples)
    spread = z * math.sqrt(n * q * (1 - q))
    j = math.floor(n * q - spread)
    k = math.ceil(n * q + spread) + 1
    if n == 0 or j < 1 or k > n:
        return math.inf
    s = sorted(samples)
    center = quantile(s, q)
    if center <= 0:
        return math.inf
    return (s[k - 1] - s[j - 1]) / (2 * center)


def build(name):
    kwargs = {}
    if name in ("googlenet", "inception_v3"):
        # torchvision's default without weights, stated to silence its warning.
        kwargs["init_weights"] = True
    return getattr(torchvision.models, name)(weights=None, **kwargs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--side", type=int, default=0,
                        help="input height and width; 0 = the model's default")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--inter_op_threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--min_iterations", type=int, default=10)
    parser.add_argument("--max_iterations", type=int, default=1000)
    parser.add_argument("--min_seconds", type=float, default=0.5)
    parser.add_argument("--max_seconds", type=float, default=30)
    parser.add_argument("--stable_ci", type=float, default=0.01)
    args = parser.parse_args()

    if args.inter_op_threads > 0:
        torch.set_num_interop_threads(args.inter_op_threads)
    torch.set_num_threads(args.threads)
    side = args.side or DEFAULT_SIDE.get(args.model, 224)

    torch.manual_seed(0)
    model = build(args.model).eval()
    torch.manual_seed(0)
    x = torch.randn(args.batch, 3, side, side)

    samples = []
    reason = ""
    with torch.inference_mode():
        for _ in range(args.warmup):
            model(x)
        start = time.perf_counter_ns()
        next_check = 0
        while True:
            t0 = time.perf_counter_ns()
            model(x)
            t1 = time.perf_counter_ns()
            samples.append(t1 - t0)
            elapsed = (t1 - start) * 1e-9
            n = len(samples)
            if n >= args.max_iterations:
                reason = "max_iterations"
                break
            if elapsed >= args.max_seconds:
                reason = "max_seconds"
                break
            if n < args.min_iterations or elapsed < args.min_seconds:
                continue
            if args.stable_ci >= 1:
                reason = "stable"
                break
            if n < next_check:
                continue
            next_check = n + max(1, n // 20)
            if ci_relative_half_width(samples) <= args.stable_ci:
                reason = "stable"
                break

    ms = sorted(s * 1e-6 for s in samples)
    print(json.dumps({
        "impl": "pytorch_eager",
        "model": args.model,
        "input": [3, side, side],
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "inter_op_threads": torch.get_num_interop_threads(),
        "mkldnn_enabled": torch.backends.mkldnn.enabled,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "n": len(ms),
        "median_ms": quantile(ms, 0.5),
        "min_ms": ms[0],
        "p90_ms": quantile(ms, 0.9),
        "iqr_ms": quantile(ms, 0.75) - quantile(ms, 0.25),
        "stop_reason": reason,
    }))


if __name__ == "__main__":
    main()
