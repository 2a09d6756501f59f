#!/usr/bin/env bash
# The trace UI on a bare machine: the Aspire dashboard standalone, its self-contained binaries restored from NuGet like any
# package (Aspire.Dashboard.Sdk.linux-x64, version in Directory.Packages.props), no Docker. It receives OTLP on gRPC and HTTP,
# shows traces, metrics and logs in the browser and answers its telemetry HTTP API (/api/telemetry/resources,
# /api/telemetry/traces/{traceId}). It keeps telemetry in memory only, listens on loopback only, without sign-in.
#
#   deploy/dashboard.sh up       restore if needed, start it (or find it running) and say where it is
#   deploy/dashboard.sh env      what the services need to export to it: eval "$(deploy/dashboard.sh env)"
#   deploy/dashboard.sh down     stop it
#   deploy/dashboard.sh status   up or down
#   deploy/dashboard.sh path     restore if needed and print the dashboard's executable
#
# Ports: MLOPS_DASHBOARD_PORT (18888: the UI and the API), MLOPS_DASHBOARD_OTLP_GRPC_PORT (4317),
# MLOPS_DASHBOARD_OTLP_HTTP_PORT (4318). Its pid and log: MLOPS_DASHBOARD_DIR (/var/tmp/mlops-dashboard).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UI_PORT=${MLOPS_DASHBOARD_PORT:-18888}
GRPC_PORT=${MLOPS_DASHBOARD_OTLP_GRPC_PORT:-4317}
HTTP_PORT=${MLOPS_DASHBOARD_OTLP_HTTP_PORT:-4318}
DIR=${MLOPS_DASHBOARD_DIR:-/var/tmp/mlops-dashboard}
UI="http://127.0.0.1:$UI_PORT"

executable() {
  local version packages
  version=$(sed -n 's:.*<AspireDashboardVersion>\(.*\)</AspireDashboardVersion>.*:\1:p' "$ROOT/Directory.Packages.props")
  packages=${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')}
  echo "${packages%/}/aspire.dashboard.sdk.linux-x64/$version/tools/Aspire.Dashboard"
}

restore() {
  local bin
  bin=$(executable)
  if [ ! -f "$bin" ]; then
    dotnet restore "$ROOT/deploy/dashboard/AspireDashboard.csproj" -nologo -v:quiet >&2 || return 1
  fi
  [ -f "$bin" ] || { echo "dashboard: $bin is missing after the restore" >&2; return 1; }
  [ -x "$bin" ] || chmod u+x "$bin"
  echo "$bin"
}

running() { [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; }
answering() { curl -fsS -o /dev/null "$UI/api/telemetry/resources" 2>/dev/null; }

where() {
  echo "dashboard: $UI (traces: $UI/traces); OTLP gRPC http://127.0.0.1:$GRPC_PORT, HTTP http://127.0.0.1:$HTTP_PORT"
}

up() {
  if running && answering; then where; return 0; fi
  local bin
  bin=$(restore) || return 1
  mkdir -p "$DIR"
  (
    cd "$DIR" || exit 1
    export ASPNETCORE_URLS=$UI
    export ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:$GRPC_PORT
    export ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://127.0.0.1:$HTTP_PORT
    export ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true
    export ASPIRE_DASHBOARD_API_ENABLED=true
    export Dashboard__Api__AuthMode=Unsecured
    setsid "$bin" >"$DIR/log" 2>&1 </dev/null &
    echo $! >"$DIR/pid"
  )
  for _ in $(seq 1 200); do
    if answering; then where; return 0; fi
    running || break
    sleep 0.3
  done
  echo "dashboard: did not answer on $UI; its log ($DIR/log):" >&2
  tail -n 20 "$DIR/log" >&2
  return 1
}

down() {
  if running; then
    local pid
    pid=$(cat "$DIR/pid")
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$DIR/pid"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) if running && answering; then echo "dashboard: up, $UI"; else echo "dashboard: down"; fi ;;
  env)
    echo "export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$GRPC_PORT"
    echo "export MLOPS_TRACE_URL=$UI/traces/detail/"
    ;;
  path) restore ;;
  *) echo "usage: deploy/dashboard.sh up | down | status | env | path" >&2; exit 2 ;;
esac
