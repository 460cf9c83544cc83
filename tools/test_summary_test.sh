#!/usr/bin/env bash
# Golden tests of tools/test_summary.py on build events recorded from real
# Bazel 4.2.3 runs (testdata/README.md says how). Each testdata/<case>/ holds
# bep.json, its test.xml files under testlogs/, bazel_exit (what Bazel
# returned) and expected.txt (the report, then "exit N").
set -uo pipefail
summary=tools/test_summary.py
fail=0

# check NAME EXPECTED BEP_FILE BAZEL_EXIT
check() {
  local name=$1 expected=$2 actual
  actual=$(python3 "$summary" --bep="$3" --bazel_exit="$4" 2>&1; echo "exit $?")
  if [[ $actual != "$expected" ]]; then
    echo "FAIL $name"
    diff <(echo "$expected") <(echo "$actual")
    fail=1
  else
    echo "ok   $name"
  fi
  # The last line before "exit N" is "N passed, N failed", and it says
  # 0 failed exactly when the exit status is 0.
  local last status
  last=$(tail -n 2 <<<"$actual" | head -n 1)
  status=$(tail -n 1 <<<"$actual")
  if ! [[ $last =~ ^[0-9]+\ passed,\ [0-9]+\ failed$ ]]; then
    echo "FAIL $name: last line is '$last'"; fail=1
  else
    local none_failed=no exit_zero=no
    [[ $last == *" 0 failed" ]] && none_failed=yes
    [[ $status == "exit 0" ]] && exit_zero=yes
    if [[ $none_failed != "$exit_zero" ]]; then
      echo "FAIL $name: '$last' disagrees with '$status'"; fail=1
    fi
  fi
}

cases=0
for dir in tools/testdata/*/; do
  dir=${dir%/}
  bep="$TEST_TMPDIR/$(basename "$dir").json"
  # The recorded events name their test.xml files under @TESTLOGS@.
  sed "s|@TESTLOGS@|$PWD/$dir/testlogs|g" "$dir/bep.json" >"$bep"
  check "$(basename "$dir")" "$(cat "$dir/expected.txt")" "$bep" "$(cat "$dir/bazel_exit")"
  cases=$((cases + 1))
done
((cases >= 7)) || { echo "FAIL: only $cases recorded cases found"; fail=1; }

# Bazel failed although every target passed (a bad flag after the build, a
# crash of Bazel): that exit is one failure.
check all_pass_but_bazel_failed "$(printf '%s\n' \
  'FAILED: bazel exited 2 and no target reported a failure' \
  '2 passed, 1 failed' 'exit 1')" "$TEST_TMPDIR/all_pass.json" 2
# No build event file at all (Bazel died before writing one).
check no_events "$(printf '%s\n' \
  'FAILED: no build events (bazel exited 37)' '0 passed, 1 failed' 'exit 1')" \
  "$TEST_TMPDIR/missing.json" 37
# Bazel exited 0 but the file stops early: not a pass.
head -n 3 "$TEST_TMPDIR/all_pass.json" >"$TEST_TMPDIR/cut.json"
check cut_short "$(printf '%s\n' \
  'NO STATUS //pass:ok2_test (never ran)' 'NO STATUS //pass:ok_test (never ran)' \
  'FAILED: the build event file ends before the build finished' \
  '0 passed, 3 failed' 'exit 1')" "$TEST_TMPDIR/cut.json" 0
exit $fail
