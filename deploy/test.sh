#!/usr/bin/env bash
# The README test command. On a bare machine it installs and starts RabbitMQ and PostgreSQL (deploy/infra.sh),
# builds Mlops.sln, runs every test project against them and ends with one line: "N passed, N failed[, N skipped]".
# Then the fault suite (tests/Mlops.FaultSuite.Tests: kill -9, broker and database outages, bad input) runs on a RabbitMQ
# node and PostgreSQL cluster of its own (other ports, /var/tmp/mlops-faults), which it stops and restarts at will; its
# results are added into the same line. MLOPS_FAULT_SUITE=0 leaves it out.
# Infrastructure it started is stopped again unless MLOPS_KEEP_INFRA=1.
#   deploy/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Outbox]
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

started=0
status=$(deploy/infra.sh status 2>/dev/null)
if ! grep -q '^postgres: up' <<<"$status" || ! grep -q '^rabbitmq: up' <<<"$status"; then
  deploy/infra.sh up || { echo "0 passed, 1 failed"; exit 1; }
  started=1
fi
cleanup() { if [ "$started" = 1 ] && [ "${MLOPS_KEEP_INFRA:-0}" != 1 ]; then deploy/infra.sh down; fi; }
trap cleanup EXIT
eval "$(deploy/infra.sh env)"

# The dashboard's browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
if [ -z "${MLOPS_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "[test] installing chromium from Debian's packages (for tests/Mlops.Dashboard.Tests)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
      || echo "[test] chromium could not be installed: the dashboard's browser tests will fail" >&2
  else
    echo "[test] chromium is missing and installing it needs root (apt-get install -y chromium)" >&2
  fi
fi

# ONNX parity tests and the example trainers (examples/trainers) run Debian's scikit-learn and onnx under /usr/bin/python3.
/usr/bin/python3 -c 'import sklearn, onnx' 2>/dev/null || { [ "$(id -u)" = 0 ] && export DEBIAN_FRONTEND=noninteractive && { apt-get install -y -qq python3-sklearn python3-onnx >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq python3-sklearn python3-onnx >/dev/null; }; }; } || echo "[test] python3-sklearn and python3-onnx are missing (apt-get install -y python3-sklearn python3-onnx, as root): the ONNX and trainer tests will fail" >&2

results=$ROOT/artifacts/test-results
rm -rf "$results" && mkdir -p "$results"
log=$results/dotnet-test.log

if ! dotnet build Mlops.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"
  exit 1
fi

FAULT_SUITE=Mlops.FaultSuite.Tests
# Every assembly but the fault suite's, whose scenarios skip themselves here (MLOPS_FAULT_SUITE is not set for this pass).
projects=$(dotnet sln Mlops.sln list | grep 'Tests\.csproj$' | grep -vc "$FAULT_SUITE")
MLOPS_FAULT_SUITE= dotnet test Mlops.sln -c Release --no-build -nologo --results-directory "$results" --logger "trx" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# VSTest closes each assembly with "Passed!  - Failed: 0, Passed: 11, Skipped: 0, Total: 11, ... - X.Tests.dll (net10.0)".
summaries=$(grep -E '^(Passed|Failed)! +- Failed:' "$log" | grep -v "$FAULT_SUITE\.dll" || true)
sum() { echo "$summaries" | grep -oE "$1: +[0-9]+" | awk '{s += $2} END {print s + 0}'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
reported=$(echo "$summaries" | grep -c . || true)
if [ "$reported" -lt "$projects" ]; then
  echo "[test] $((projects - reported)) of $projects test assemblies ended without a summary (crashed or did not run)" >&2
  failed=$((failed + projects - reported))
fi

# The fault suite, after the main pass, on its own stack: its kills and outages never reach the assemblies above.
if [ "${MLOPS_FAULT_SUITE:-1}" != 0 ]; then
  fault_log=$results/fault-suite.log
  rm -rf "$ROOT/artifacts/fault-suite"
  (
    MLOPS_INFRA_DIR_MAIN=${MLOPS_INFRA_DIR:-/var/tmp/mlops-infra}
    export MLOPS_INFRA_MODE=local MLOPS_INFRA_DIR=${MLOPS_FAULT_INFRA_DIR:-/var/tmp/mlops-faults}
    export MLOPS_PG_PORT=${MLOPS_FAULT_PG_PORT:-55433} MLOPS_RABBITMQ_PORT=${MLOPS_FAULT_RABBITMQ_PORT:-5673}
    export MLOPS_RABBITMQ_MGMT_PORT=${MLOPS_FAULT_RABBITMQ_MGMT_PORT:-15673}
    # A few seconds, so the slow-step scenario can outlast it.
    export MLOPS_RABBITMQ_CONSUMER_TIMEOUT_MS=${MLOPS_FAULT_CONSUMER_TIMEOUT_MS:-5000}
    export MLOPS_FAULT_SUITE=1
    [ "$MLOPS_INFRA_DIR" != "${MLOPS_INFRA_DIR_MAIN:-/var/tmp/mlops-infra}" ] || { echo "[test] the fault suite needs a stack of its own" >&2; exit 1; }
    fault_down() {
      if [ "${MLOPS_KEEP_INFRA:-0}" != 1 ]; then deploy/infra.sh down; rm -rf "$MLOPS_INFRA_DIR"; fi
    }
    trap fault_down EXIT
    deploy/infra.sh up || exit 1
    eval "$(deploy/infra.sh env)"
    dotnet test "tests/$FAULT_SUITE/$FAULT_SUITE.csproj" -c Release --no-build -nologo --results-directory "$results" \
      --logger "trx;LogFileName=$FAULT_SUITE.trx" "$@"
  ) 2>&1 | tee "$fault_log"
  fault=$(grep -E '^(Passed|Failed)! +- Failed:' "$fault_log" || true)
  if [ -n "$fault" ]; then
    summaries=$fault
    passed=$((passed + $(sum Passed))); failed=$((failed + $(sum Failed))); skipped=$((skipped + $(sum Skipped)))
  elif ! grep -q 'No test matches the given testcase filter' "$fault_log"; then
    echo "[test] the fault suite ended without a summary (its stack did not start, or it crashed): see $fault_log" >&2
    failed=$((failed + 1))
  fi
  # One parseable line per scenario (lost, duplicated, redeliveries, recovery p50/p99...); docs/reliability.md is written from them.
  figures=$ROOT/artifacts/fault-suite/figures.log
  if [ -f "$figures" ]; then echo "[test] fault suite figures ($ROOT/artifacts/fault-suite/report.md):"; cat "$figures"; fi
fi
[ "$failed" -gt 0 ] && status=1

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
exit "$status"
