#!/bin/bash
# Builds the agent and the overhead benchmark, then runs both runner
# benchmarks with the same threads: the overhead against a bare loop, and the
# side-by-side against PyTorch eager (separate processes, then paired rounds
# in one process), then the same job back to back for repeatability. Extra
# flags go to compare.py.
#   bench/runner/run.sh [--threads=2] [--inter_op_threads=1] [--runs=3] [--models=a,b]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=2
inter_op=1
for arg in "$@"; do
  case "$arg" in
    --threads=*) threads="${arg#*=}" ;;
    --inter_op_threads=*) inter_op="${arg#*=}" ;;
  esac
done
# The build's packages, then PyTorch eager from Debian (the reference side).
./fleet setup
missing=()
for p in python3-torch python3-torchvision; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi
bazel build -c opt //agent:agent //bench/runner:overhead \
    //bench/runner:librunner_bridge.so
# bazel-bin follows whichever configuration built last in this workspace;
# ask for this one's.
bin="$(bazel info -c opt bazel-bin)"
echo "== runner overhead vs a bare loop (same process) =="
"$bin/bench/runner/overhead" --side=224 --threads="$threads" \
    --inter_op_threads="$inter_op"
echo
echo "== runner vs PyTorch eager =="
/usr/bin/python3 bench/runner/compare.py --agent="$bin/agent/agent" \
    --runner_lib="$bin/bench/runner/librunner_bridge.so" \
    --threads="$threads" --inter_op_threads="$inter_op" "$@"
echo
echo "== repeatability: the same job back to back =="
/usr/bin/python3 bench/runner/repeatability.py --agent="$bin/agent/agent" \
    --threads="$threads" --inter_op_threads="$inter_op"
