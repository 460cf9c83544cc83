#!/usr/bin/python3
"""PyTorch reference for the runner: one torchvision model, timed the way
agent/runner times it, under the same conditions, printed as one JSON object.

Same method as the runner (agent/runner/runner.h, adaptive_stop.h): model in
eval() under torch.inference_mode(), `--warmup` untimed forwards, then one
time.perf_counter_ns() sample per forward until min iterations and min
seconds are met and the median's distribution-free 95% CI is within
+/- stable_ci of it, or max iterations / max seconds are hit. Random weights
(weights=None), input torch.randn after torch.manual_seed(0).

Same conditions as the runner:
  * malloc: glibc's policy pinned as runner::PinMallocPolicy pins it
    (mallopt M_MMAP_THRESHOLD = 32 MiB, M_TRIM_THRESHOLD = -1), before torch
    is imported; the JSON says whether mallopt took it and how many page
    faults the timed forwards took;
  * one extra forward before the warm-up, as the runner's cost pass does
    (ComputeCost: one forward of zeros at the job's shape under
    InferenceMode, agent/runner/cost_check.cc CostAndMemory), --cost_pass=1;
  * the deployed architecture: googlenet and inception_v3 without their
    auxiliary classifiers (an inference forward never runs them).

--impl=eager times torchvision's Python modules; --impl=frozen times
torch.jit.freeze(torch.jit.script(model)) of the same module and weights, so
that Python's dispatch overhead is a figure of its own. Freezing runs with
optimize_numerics=False: it inlines the weights and drops Python, but does not
fold batch norms into convolutions, which the runner does not do either
(--freeze_optimize_numerics to allow it).

Run with Debian's python3-torch and python3-torchvision:
  /usr/bin/python3 bench/runner/pytorch_eager.py --model=resnet50 --threads=2

Paired mode (--runner_lib=.../librunner_bridge.so): the runner is loaded into
this process with ctypes, on one LibTorch and one OpenMP pool, and the two
sides are measured twice:
  * pairs (the figure): one runner job of --pairs timed forwards; after each
    (outside the runner's timed region) one eager forward is timed here, so
    each runner sample has an eager neighbour milliseconds away and both see
    the same machine: ratio = median over pairs of runner / eager;
  * rounds (cross-check): --rounds rounds of exactly --iterations timed
    forwards per side (after --warmup), alternating which goes first;
    ratio = median over rounds of the two sides' medians' ratio.
"""

import argparse
import ctypes
import json
import math
import os
import resource
import statistics
import time

# runner::PinMallocPolicy (agent/runner/runner.cc), before torch allocates.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
MMAP_THRESHOLD_BYTES = 32 << 20


def pin_malloc_policy():
    """mallopt as the runner does; returns a description, or raises."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    if libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) != 1:
        raise RuntimeError("mallopt(M_MMAP_THRESHOLD) failed")
    if libc.mallopt(M_TRIM_THRESHOLD, -1) != 1:
        raise RuntimeError("mallopt(M_TRIM_THRESHOLD) failed")
    return "pinned"


MALLOC_POLICY = pin_malloc_policy() if os.environ.get(
    "BENCHFLEET_DEFAULT_MALLOC") is None else "glibc default"

import torch  # noqa: E402  (after mallopt, on purpose)
import torchvision  # noqa: E402

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
        # As torchvision deploys them (weights=DEFAULT drops the auxiliary
        # heads); init_weights is its default without weights, stated to
        # silence its warning.
        kwargs["aux_logits"] = False
        kwargs["init_weights"] = True
    return getattr(torchvision.models, name)(weights=None, **kwargs)


def prepare(model, impl, optimize_numerics):
    """The module to time: the eager one, or it scripted and frozen."""
    if impl == "eager":
        return model
    with torch.inference_mode(False):
        return torch.jit.freeze(torch.jit.script(model.eval()),
                                optimize_numerics=optimize_numerics)


def cost_pass(model, batch, side, forwards):
    """The runner's cost pass: forwards of zeros at the job's shape."""
    x = torch.zeros(batch, 3, side, side)
    with torch.inference_mode():
        for _ in range(forwards):
            model(x)


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def cpu_ticks():
    """(busy, total) clock ticks of the whole machine from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    total = sum(fields[:8])
    return total - fields[3] - fields[4], total


def self_ticks():
    t = os.times()
    return (t.user + t.system) * os.sysconf("SC_CLK_TCK")


AFTER_EACH = ctypes.CFUNCTYPE(None)


def load_runner(path):
    fn = ctypes.CDLL(path).benchfleet_runner_forward_ms
    fn.restype = ctypes.c_int
    fn.argtypes = [ctypes.c_char_p] + [ctypes.c_int] * 8 + [
        ctypes.POINTER(ctypes.c_double), ctypes.c_char_p, ctypes.c_int,
        AFTER_EACH]
    return fn


def run_runner(fn, args, side, iterations, warmup, after_each=None):
    """One runner job of exactly `iterations` timed forwards; their ms."""
    buffer = (ctypes.c_double * iterations)()
    error = ctypes.create_string_buffer(4096)
    callback = AFTER_EACH(after_each) if after_each else AFTER_EACH()
    n = fn(args.model.encode(), args.batch, 3, side, side, args.threads,
           args.inter_op_threads, warmup, iterations, buffer, error, len(error),
           callback)
    if n < 0:
        raise RuntimeError(error.value.decode())
    return list(buffer[:n])


def time_eager(model, x, warmup, iterations):
    with torch.inference_mode():
        for _ in range(warmup):
            model(x)
        ms = []
        for _ in range(iterations):
            t0 = time.perf_counter_ns()
            model(x)
            ms.append((time.perf_counter_ns() - t0) * 1e-6)
    return ms


class LoadMeter:
    """Share of the machine's CPU time other processes used since start."""

    def __init__(self):
        self.busy, self.total = cpu_ticks()
        self.own = self_ticks()

    def other(self):
        busy, total = cpu_ticks()
        return max(0.0, ((busy - self.busy) - (self_ticks() - self.own)) /
                   max(1, total - self.total))


def paired(args, modules, x, side):
    """Runner and PyTorch (each impl in `modules`) in this process, pair by
    pair and round by round."""
    fn = load_runner(args.runner_lib)
    impls = list(modules)
    ms = {impl: [] for impl in impls}
    pairs_done = [0]

    def after_each():
        # Alternating which PyTorch impl follows the runner forward first.
        order = impls if pairs_done[0] % 2 == 0 else impls[::-1]
        pairs_done[0] += 1
        for impl in order:
            ms[impl].extend(time_eager(modules[impl], x, 0, 1))

    for module in modules.values():
        cost_pass(module, args.batch, side, args.cost_pass)
        time_eager(module, x, args.warmup, 0)
    meter = LoadMeter()
    runner_ms = run_runner(fn, args, side, args.pairs, args.warmup, after_each)
    pairs_load = meter.other()
    ratios = {impl: [c / e for c, e in zip(runner_ms, ms[impl])] for impl in impls}

    rounds = []
    r = attempt = 0
    while r < args.rounds:
        meter = LoadMeter()
        medians = {}
        sides = ["runner"] + impls
        if r % 2:
            sides.reverse()
        for s in sides:
            if s == "runner":
                medians[s] = statistics.median(
                    run_runner(fn, args, side, args.iterations, args.warmup))
            else:
                cost_pass(modules[s], args.batch, side, args.cost_pass)
                medians[s] = statistics.median(
                    time_eager(modules[s], x, args.warmup, args.iterations))
        load = meter.other()
        if load > args.max_load and attempt < args.retries:
            attempt += 1
            continue
        attempt = 0
        rounds.append({"runner_ms": medians["runner"], "pytorch_ms": medians["eager"],
                       "frozen_ms": medians.get("frozen"), "other_load": load})
        r += 1
    result = {
        "pairs": len(runner_ms),
        "runner_median_ms": statistics.median(runner_ms),
        "pytorch_median_ms": statistics.median(ms["eager"]),
        "paired_ratio": statistics.median(ratios["eager"]),
        "other_load": pairs_load,
        "rounds": rounds,
        "rounds_ratio": statistics.median(rd["runner_ms"] / rd["pytorch_ms"]
                                          for rd in rounds) if rounds else None,
    }
    if "frozen" in modules:
        result.update({
            "frozen_median_ms": statistics.median(ms["frozen"]),
            "paired_ratio_frozen": statistics.median(ratios["frozen"]),
            "paired_frozen_over_eager": statistics.median(
                f / e for f, e in zip(ms["frozen"], ms["eager"])),
        })
    return result


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
    parser.add_argument("--runner_lib", default="",
                        help="librunner_bridge.so: paired rounds in this process")
    parser.add_argument("--pairs", type=int, default=100,
                        help="paired mode: runner forwards, each followed by an "
                             "eager one")
    parser.add_argument("--rounds", type=int, default=6,
                        help="paired mode: alternating rounds; 0 skips them")
    parser.add_argument("--iterations", type=int, default=15,
                        help="paired mode: timed forwards per side per round")
    parser.add_argument("--max_load", type=float, default=0.10,
                        help="paired mode: repeat a round during which other "
                             "processes took more of the CPU")
    parser.add_argument("--retries", type=int, default=4)
    parser.add_argument("--impl", choices=["eager", "frozen"], default="eager",
                        help="torchvision's Python modules, or them scripted and "
                             "frozen (paired mode times both)")
    parser.add_argument("--freeze_optimize_numerics", action="store_true",
                        help="let torch.jit.freeze fold batch norms into "
                             "convolutions (the runner does not)")
    parser.add_argument("--cost_pass", type=int, default=1,
                        help="untimed forwards of zeros before the warm-up, as "
                             "the runner's cost pass")
    args = parser.parse_args()

    if args.inter_op_threads > 0:
        torch.set_num_interop_threads(args.inter_op_threads)
    torch.set_num_threads(args.threads)
    side = args.side or DEFAULT_SIDE.get(args.model, 224)

    torch.manual_seed(0)
    model = build(args.model).eval()
    torch.manual_seed(0)
    x = torch.randn(args.batch, 3, side, side)
    conditions = {"model": args.model, "input": [3, side, side], "batch": args.batch,
                  "malloc_policy": MALLOC_POLICY, "cost_pass": args.cost_pass,
                  "warmup": args.warmup, "torch": torch.__version__,
                  "torchvision": torchvision.__version__}

    if args.runner_lib:
        modules = {"eager": model,
                   "frozen": prepare(model, "frozen", args.freeze_optimize_numerics)}
        result = paired(args, modules, x, side)
        # The runner sets LibTorch's threads itself: both sides ran with these.
        result.update(conditions, impl="paired", threads=torch.get_num_threads(),
                      inter_op_threads=torch.get_num_interop_threads(),
                      iterations=args.iterations)
        print(json.dumps(result))
        return

    model = prepare(model, args.impl, args.freeze_optimize_numerics)
    cost_pass(model, args.batch, side, args.cost_pass)
    samples = []
    reason = ""
    with torch.inference_mode():
        for _ in range(args.warmup):
            model(x)
        faults_before = minor_faults()
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
        faults = minor_faults() - faults_before

    ms = sorted(s * 1e-6 for s in samples)
    print(json.dumps(dict(
        conditions,
        impl="pytorch_" + args.impl,
        threads=torch.get_num_threads(),
        inter_op_threads=torch.get_num_interop_threads(),
        mkldnn_enabled=torch.backends.mkldnn.enabled,
        n=len(ms),
        median_ms=quantile(ms, 0.5),
        min_ms=ms[0],
        p90_ms=quantile(ms, 0.9),
        iqr_ms=quantile(ms, 0.75) - quantile(ms, 0.25),
        minor_faults_per_forward=faults / len(ms),
        stop_reason=reason,
    )))


if __name__ == "__main__":
    main()
