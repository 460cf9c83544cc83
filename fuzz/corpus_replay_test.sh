#!/usr/bin/env bash
# The corpus replay must fail, naming the file and what the target printed,
# when an input aborts the target or makes it return non-zero, and pass on
# inputs that run to the end.
set -uo pipefail
replay=fuzz/replay_check_target
data=fuzz/testdata/replay
fail=0

out=$("$replay" "$data" 2>&1); rc=$?
if ((rc == 0)); then echo "FAIL: the replay passed although inputs aborted"; fail=1; fi
for want in "aborts.bin" "killed by signal 6" "replay_check_target: abort: a broken contract" \
            "returns_nonzero.bin" "LLVMFuzzerTestOneInput returned 1" \
            "ran 3 corpus files, 2 failed"; do
  if [[ $out != *"$want"* ]]; then echo "FAIL: no '$want' in the replay's output"; fail=1; fi
done
if [[ $out == *"passes.bin"* ]]; then echo "FAIL: the passing input was reported"; fail=1; fi

out=$("$replay" "$data/passes.bin" 2>&1); rc=$?
if ((rc != 0)); then echo "FAIL: the replay of a passing input failed:"; echo "$out"; fail=1; fi
((fail)) || echo "ok"
exit $fail
