#!/usr/bin/env bash
# Benchmarks against their baselines, each pair in the same run (issue 12). Builds bench/Mlops.Bench in Release, installs
# from Debian what a baseline needs when it is missing, starts RabbitMQ and PostgreSQL via deploy/infra.sh when none answers,
# writes bench/results/latest.json and latest.md and prints the table. Not part of deploy/test.sh.
#   bench/run.sh [--quick] [--only P4,P1]   (P4 P1 P2 P2b P3 P5 P6 P7 P8 P9; P8: the feature lookup's added latency, P9: ONNX scoring cost)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

has_numpy() { "$1" -c 'import numpy, scipy' >/dev/null 2>&1; }
python=""
for candidate in /usr/bin/python3 "$(command -v python3 || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && has_numpy "$candidate"; then python=$candidate; break; fi
done
if [ -z "$python" ]; then
  echo "[bench] installing python3-numpy and python3-scipy from Debian" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-scipy >/dev/null
  python=/usr/bin/python3
fi
export MLOPS_BENCH_PYTHON=$python
if ! /usr/bin/python3 -c 'import sklearn, onnx' >/dev/null 2>&1; then
  echo "[bench] installing python3-sklearn and python3-onnx from Debian (P9 fits its ONNX model with examples/trainers/onnx_logistic)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-sklearn python3-onnx >/dev/null
fi
if ! command -v wrk >/dev/null 2>&1; then
  echo "[bench] installing wrk from Debian (P5's load generator)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

# P5 reads Serving's and the bare endpoint's runtime counters (allocations, GC, JIT) with dotnet-counters; without it P5 runs
# and leaves those figures out.
if [ ! -x "$HOME/.dotnet/tools/dotnet-counters" ]; then
  echo "[bench] installing dotnet-counters (P5's allocation, GC and JIT figures)" >&2
  dotnet tool install --global dotnet-counters --version 10.0.750501 >/dev/null 2>&1 \
    || echo "[bench] dotnet-counters could not be installed: P5 runs without its runtime counters" >&2
fi

started=0
status=$(deploy/infra.sh status 2>/dev/null || true)
if ! grep -q '^postgres: up' <<<"$status" || ! grep -q '^rabbitmq: up' <<<"$status"; then
  deploy/infra.sh up
  started=1
fi
cleanup() { if [ "$started" = 1 ] && [ "${MLOPS_KEEP_INFRA:-0}" != 1 ]; then deploy/infra.sh down; fi; }
trap cleanup EXIT
eval "$(deploy/infra.sh env)"

# Builds services/Mlops.Serving too (a project reference): P5 and P8 run that build as their own process.
dotnet build bench/Mlops.Bench -c Release -nologo -clp:ErrorsOnly
dotnet bench/Mlops.Bench/bin/Release/net10.0/Mlops.Bench.dll --bench-dir "$ROOT/bench" "$@"
