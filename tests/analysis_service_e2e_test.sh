#!/bin/sh
# Runs analysis_service_e2e_test.py under Debian's python3, which has
# python3-grpcio and python3-protobuf (a python3 earlier on PATH may not).
set -eu
python=/usr/bin/python3
[ -x "$python" ] || python=python3
exec "$python" "$TEST_SRCDIR/benchfleet/tests/analysis_service_e2e_test.py" "$@"
