#!/usr/bin/env python3
"""Counts the test cases of one `bazel test` invocation from its build events.

    bazel test //... --build_event_json_file=events.json; rc=$?
    tools/test_summary.py --bep=events.json --bazel_exit=$rc

Reads the build event protocol file (one JSON event a line) and the test.xml
of every test run it names, then prints one line per failure and per skipped
or disabled case, "N skipped" when any were, and last, on a line of its own,
"N passed, N failed". Exits 0 only when nothing failed and Bazel exited 0, so
the summary and the exit status agree in every case:

- a test case counts once per target however many runs it had
  (--runs_per_test); it fails if it failed in any run, and the failure line
  says in how many;
- a run that did not pass (FAILED, TIMEOUT, a crash) without a failing case in
  its test.xml counts as one failure of its target;
- FLAKY counts as failed: our tests are deterministic;
- a test that never reported (NO STATUS: its build failed or was cut short)
  counts as one failure, and so does every other target that failed to build;
- a GTEST_SKIP case counts as skipped with its reason, a DISABLED_ case
  (gtest's status="notrun") as skipped and disabled, never as passed;
- when Bazel exited non-zero and no failure was found above (a bad flag, no
  test targets, a crash of Bazel itself), that exit is one failure.
"""

import argparse
import json
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from collections import OrderedDict


class Case:
    """One test case of one target, over all its runs."""

    def __init__(self):
        self.runs = 0
        self.failed_runs = 0
        self.failed_statuses = set()  # Bazel's status of each run it failed in
        self.passed_runs = 0
        self.skip_reason = None  # set when a run skipped it (GTEST_SKIP)
        self.disabled = False  # gtest's DISABLED_ prefix: never run


class Target:
    def __init__(self, label):
        self.label = label
        self.is_test = False
        self.build_failed = False
        self.build_aborted = False
        self.summary_status = None  # testSummary.overallStatus, if it came
        self.runs = []  # testResult statuses, one per run/shard/attempt
        self.runs_failed_without_case = 0
        self.cases = OrderedDict()


def file_path(uri):
    """The local path of a file:// URI, or None."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme != "file":
        return None
    return urllib.parse.unquote(parsed.path)


def read_cases(xml_path):
    """[(name, outcome, reason)] from a JUnit XML, or None if unreadable.

    outcome is one of passed, failed, skipped, disabled. Bazel writes a
    one-case XML for tests that write none (sh_test), with <error> on failure.
    """
    try:
        root = ET.parse(xml_path).getroot()
    except (OSError, ET.ParseError):
        return None
    cases = []
    for tc in root.iter("testcase"):
        name = tc.get("name", "?")
        if tc.get("classname"):
            name = tc.get("classname") + "." + name
        if tc.find("failure") is not None or tc.find("error") is not None:
            cases.append((name, "failed", None))
        elif tc.get("status") == "notrun" or tc.get("result") == "suppressed":
            cases.append((name, "disabled", None))
        elif tc.get("result") == "skipped" or tc.find("skipped") is not None:
            skipped = tc.find("skipped")
            reason = skipped.get("message", "") if skipped is not None else ""
            # gtest's message is "file:line\nreason": keep the reason.
            reason = reason.strip().split("\n")[-1] if reason.strip() else "no reason given"
            cases.append((name, "skipped", reason))
        else:
            cases.append((name, "passed", None))
    return cases


def load_events(path):
    """The events of a BEP JSON file; None if the file is missing or empty."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line for line in f if line.strip()]
    except OSError:
        return None
    events = []
    for number, line in enumerate(lines, 1):
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            # A cut-short last line (Bazel killed) must not hide the rest.
            print(f"warning: {path}:{number}: not JSON, ignored", file=sys.stderr)
    return events or None


def collect(events):
    """Targets by label, and whether the build finished."""
    targets = OrderedDict()
    finished = False

    def target(label):
        if label not in targets:
            targets[label] = Target(label)
        return targets[label]

    for event in events:
        kind, ident = next(iter(event.get("id", {"unknown": {}}).items()))
        aborted = "aborted" in event
        if kind == "buildFinished":
            finished = True
        elif kind == "targetConfigured":
            configured = event.get("configured", {})
            t = target(ident["label"])
            t.is_test |= configured.get("targetKind", "").endswith("_test rule")
            t.build_aborted |= aborted
        elif kind == "targetCompleted":
            t = target(ident["label"])
            if aborted:
                t.build_aborted = True
            elif not event.get("completed", {}).get("success", False):
                t.build_failed = True
        elif kind == "testSummary":
            t = target(ident["label"])
            t.is_test = True
            if not aborted:
                t.summary_status = event.get("testSummary", {}).get("overallStatus", "NO_STATUS")
        elif kind == "testResult":
            t = target(ident["label"])
            t.is_test = True
            if aborted:
                continue
            result = event.get("testResult", {})
            status = result.get("status", "NO_STATUS")
            t.runs.append(status)
            xml = next((file_path(o.get("uri", "")) for o in result.get("testActionOutput", [])
                        if o.get("name") == "test.xml"), None)
            cases = read_cases(xml) if xml else None
            if cases is None:
                cases = [(t.label, "passed" if status == "PASSED" else "failed", None)]
            any_failed = False
            for name, outcome, reason in cases:
                case = t.cases.setdefault(name, Case())
                case.runs += 1
                if outcome == "failed":
                    case.failed_runs += 1
                    case.failed_statuses.add(status)
                    any_failed = True
                elif outcome == "passed":
                    case.passed_runs += 1
                elif outcome == "skipped":
                    case.skip_reason = reason
                else:
                    case.disabled = True
            if status != "PASSED" and not any_failed:
                t.runs_failed_without_case += 1
    return targets, finished


def summarize(events, bazel_exit, out):
    """Writes the report to out; returns the exit status."""
    passed = failed = skipped = disabled = 0
    if events is None:
        print(f"FAILED: no build events (bazel exited {bazel_exit})", file=out)
        failed = 1
        targets, finished = OrderedDict(), False
    else:
        targets, finished = collect(events)
    for t in targets.values():
        if t.build_failed:
            print(f"FAILED TO BUILD {t.label}", file=out)
            failed += 1
            continue
        if not t.is_test:
            if t.build_aborted:
                print(f"NOT BUILT {t.label}", file=out)
                failed += 1
            continue
        if t.summary_status is None:
            print(f"NO STATUS {t.label} (never ran)", file=out)
            failed += 1
            continue
        runs = len(t.runs)
        bad_runs = sum(status != "PASSED" for status in t.runs)
        target_failures = 0
        for name, case in t.cases.items():
            if case.failed_runs:
                statuses = "/".join(sorted(case.failed_statuses))
                # Bazel names the one case of an XML it wrote after the target.
                shown = "" if name == t.label.lstrip("/").replace(":", "/") else " " + name
                print(f"{statuses} {t.label}{shown} in {case.failed_runs} of {case.runs} runs",
                      file=out)
                target_failures += 1
            elif case.passed_runs:
                passed += 1
            elif case.disabled:
                print(f"DISABLED {t.label} {name}", file=out)
                skipped += 1
                disabled += 1
            else:
                print(f"SKIPPED {t.label} {name}: {case.skip_reason}", file=out)
                skipped += 1
        if t.runs_failed_without_case:
            statuses = "/".join(sorted({s for s in t.runs if s != "PASSED"}))
            print(f"{statuses} {t.label} in {bad_runs} of {runs} runs", file=out)
            target_failures += 1
        if t.summary_status != "PASSED" and target_failures == 0:
            # FLAKY with every reported run passed, or a status we do not know.
            print(f"{t.summary_status} {t.label}", file=out)
            target_failures += 1
        failed += target_failures
    if events is not None and not finished:
        print("FAILED: the build event file ends before the build finished", file=out)
        failed += 1
    if bazel_exit != 0 and failed == 0:
        print(f"FAILED: bazel exited {bazel_exit} and no target reported a failure", file=out)
        failed = 1
    if skipped:
        print(f"{skipped} skipped ({disabled} disabled)" if disabled else f"{skipped} skipped",
              file=out)
    print(f"{passed} passed, {failed} failed", file=out)
    return 0 if failed == 0 and bazel_exit == 0 else 1


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bep", required=True, help="--build_event_json_file of the run")
    parser.add_argument("--bazel_exit", required=True, type=int, help="bazel's exit status")
    args = parser.parse_args(argv)
    return summarize(load_events(args.bep), args.bazel_exit, sys.stdout)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
