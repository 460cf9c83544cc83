#!/bin/sh
# Bazel's --workspace_status_command (.bazelrc). Keys starting with STABLE_
# land in bazel-out/stable-status.txt; only stamped targets read it
# (//agent/hw:build_info), so a new commit rebuilds that one tiny target and
# relinks what uses it, nothing else. Outside a git checkout, or without
# git, the revision is empty; this script never fails the build.
revision=$(git rev-parse HEAD 2>/dev/null) || revision=""
if [ -n "$revision" ] && ! git diff --quiet HEAD -- 2>/dev/null; then
  revision="$revision-dirty"
fi
echo "STABLE_SOURCE_REVISION $revision"
