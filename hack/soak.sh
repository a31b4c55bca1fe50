#!/usr/bin/env bash
# npm run test:soak: the long-running tests (exactly-once, fuzz, faults) at
# their soak sizes (RRGW_SOAK=1), then one results file,
# test/soak-results/soak-<time>.json, with the commit, a dirty-tree flag,
# the machine and every figure the tests recorded (test/soak-report.ts).
# RRGW_SOAK_TESTS narrows the tests for a shorter run (a jest path pattern,
# e.g. exactly-once-random); extra arguments go to jest. The file records both.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
export RRGW_SOAK=1 RRGW_SOAK_FRAGMENTS="$REPO_DIR/.local/soak/$stamp"
node --import tsx test/soak-report.ts start "$RRGW_SOAK_FRAGMENTS"
status=0
bash hack/test.sh --selectProjects unit integration --testPathPatterns "${RRGW_SOAK_TESTS:-(exactly-once|fuzz|faults)}" "$@" || status=$?
node --import tsx test/soak-report.ts finish "$RRGW_SOAK_FRAGMENTS" "$status" "$@"
exit "$status"
