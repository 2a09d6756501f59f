#!/usr/bin/env bash
# The README test command. On a bare machine it installs and starts RabbitMQ and PostgreSQL (deploy/infra.sh),
# builds Mlops.sln, runs every test project against them and ends with one line: "N passed, N failed[, N skipped]".
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

results=$ROOT/artifacts/test-results
rm -rf "$results" && mkdir -p "$results"
log=$results/dotnet-test.log

if ! dotnet build Mlops.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"
  exit 1
fi

projects=$(dotnet sln Mlops.sln list | grep -c 'Tests\.csproj$')
dotnet test Mlops.sln -c Release --no-build -nologo --results-directory "$results" --logger "trx" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# VSTest closes each assembly with "Passed!  - Failed: 0, Passed: 11, Skipped: 0, Total: 11, ..." (or "Failed!  - ...").
summaries=$(grep -E '^(Passed|Failed)! +- Failed:' "$log" || true)
sum() { echo "$summaries" | grep -oE "$1: +[0-9]+" | awk '{s += $2} END {print s + 0}'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
reported=$(echo "$summaries" | grep -c . || true)
if [ "$reported" -lt "$projects" ]; then
  echo "[test] $((projects - reported)) of $projects test assemblies ended without a summary (crashed or did not run)" >&2
  failed=$((failed + projects - reported))
fi
[ "$failed" -gt 0 ] && status=1

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
exit "$status"
