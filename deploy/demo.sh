#!/usr/bin/env bash
# The README demo command: infrastructure up (deploy/infra.sh, installing RabbitMQ and PostgreSQL if needed), every service
# and the control-plane API started as its own process, the first admin bootstrapped (`mlops bootstrap-admin`), then
# `mlops demo` drives the platform through the API with tokens and ends with "DEMO OK" (exit 0) or says what failed.
# It stops what it started. The demo uses a database (mlops_demo) and a RabbitMQ virtual host (mlops-demo) of its own,
# created afresh on every run. Logs: .demo/logs/<service>.log. Traces: the Aspire dashboard (deploy/dashboard.sh), left running
# afterwards, unless OTEL_EXPORTER_OTLP_ENDPOINT already points elsewhere (e.g. Jaeger) or MLOPS_DASHBOARD=0.
# After "DEMO OK" the web dashboard's pages are opened in headless Chromium over the demo's data, checked (the model, its
# versions, the drift alert) and saved to artifacts/dashboard/demo/*.png (tools/Mlops.DashboardScreenshots); the demo fails
# if a page does not show them. MLOPS_DEMO_SCREENSHOTS=0 skips that; MLOPS_DEMO_STAY=1 keeps the services (and so the
# web dashboard) up after the demo until Ctrl-C.
# MLOPS_DEMO_PORT_OFFSET moves every service's port (e.g. 1000: the API on 6110), for a second demo next to a first: its
# database and virtual host then carry the offset too (mlops_demo_1000, mlops-demo-1000), so neither demo drops the other's.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SERVICES=(FeatureRefresh:5101 Training:5102 Compliance:5103 Promotion:5104 Monitoring:5105 Orchestrator:5106 Serving:5107 Notifications:5108 Api:5110)
PORT_OFFSET=${MLOPS_DEMO_PORT_OFFSET:-0}
DEMO_DIR=$ROOT/.demo
[[ "$PORT_OFFSET" =~ ^[0-9]+$ ]] || { echo "[demo] MLOPS_DEMO_PORT_OFFSET must be a number" >&2; exit 2; }
DEMO_DB=mlops_demo DEMO_VHOST=mlops-demo
if [ "$PORT_OFFSET" != 0 ]; then DEMO_DB=mlops_demo_$PORT_OFFSET DEMO_VHOST=mlops-demo-$PORT_OFFSET; fi
CONFIG=${MLOPS_DEMO_CONFIGURATION:-Release}
pids=()
started_infra=0

log() { printf '[demo] %s\n' "$*"; }

cleanup() {
  if [ ${#pids[@]} -gt 0 ]; then
    log "stopping the services"
    kill -TERM "${pids[@]}" 2>/dev/null
    for _ in $(seq 1 100); do
      alive=0
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null
  fi
  if [ "$started_infra" = 1 ] && [ "${MLOPS_KEEP_INFRA:-0}" != 1 ]; then deploy/infra.sh down; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

status=$(deploy/infra.sh status 2>/dev/null)
if ! grep -q '^postgres: up' <<<"$status" || ! grep -q '^rabbitmq: up' <<<"$status"; then
  deploy/infra.sh up || exit 1
  started_infra=1
fi
eval "$(deploy/infra.sh env)"
PG_PORT=${MLOPS_PG_PORT:-55432}
MGMT="http://127.0.0.1:${MLOPS_RABBITMQ_MGMT_PORT:-15672}/api"

log "building ($CONFIG)"
dotnet build Mlops.sln -c "$CONFIG" -nologo -clp:ErrorsOnly -v:quiet || exit 1

log "a fresh database ($DEMO_DB) and virtual host ($DEMO_VHOST)"
psql "host=127.0.0.1 port=$PG_PORT user=mlops dbname=mlops" -qAt -c "DROP DATABASE IF EXISTS $DEMO_DB WITH (FORCE)" -c "CREATE DATABASE $DEMO_DB OWNER mlops_owner" || exit 1
curl -fsS -u guest:guest -X DELETE "$MGMT/vhosts/$DEMO_VHOST" >/dev/null 2>&1
curl -fsS -u guest:guest -X PUT "$MGMT/vhosts/$DEMO_VHOST" >/dev/null || exit 1
curl -fsS -u guest:guest -X PUT -H 'content-type: application/json' -d '{"configure":".*","write":".*","read":".*"}' \
  "$MGMT/permissions/$DEMO_VHOST/guest" >/dev/null || exit 1
# Each service connects as its own user (docs/security.md): their permissions on this virtual host.
deploy/infra.sh grant-vhost "$DEMO_VHOST" || exit 1

export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=mlops;Database=$DEMO_DB"
export Messaging__RabbitMq__VirtualHost=$DEMO_VHOST
export DOTNET_ENVIRONMENT=Development
# The closed loop in minutes instead of hours: short monitoring windows.
export Monitoring__WindowSize=${Monitoring__WindowSize:-00:00:05}
export Monitoring__WindowGrace=${Monitoring__WindowGrace:-00:00:01}
export Monitoring__EvaluationInterval=${Monitoring__EvaluationInterval:-00:00:02}
# ...and a retraining cooldown to match (the sample model's is a minute; production models want hours).
export Pipeline__Models__0__Cooldown=${Pipeline__Models__0__Cooldown:-00:00:05}
# Promotions wait for a person: the demo's DevOps engineer approves them (the ML engineer who released the code may not).
export Pipeline__Models__0__RequireApproval=${Pipeline__Models__0__RequireApproval:-true}
# dev.ml.churn is configured in the orchestrator's appsettings.Development.json; its staging and prod counterparts run only
# code promoted to them (mlops promote-code), on their own environment's data. Prod requires an approval by default; staging
# runs its compliance step in dry run (Pipeline:Environments, docs/environments.md).
for i_model in 1:staging 2:prod; do
  i=${i_model%%:*}; env=${i_model##*:}
  export "Pipeline__Models__${i}__Name=$env.ml.churn" "Pipeline__Models__${i}__FeatureTable=churn_features" \
    "Pipeline__Models__${i}__SourceTable=raw.churn_customers"
done
export Pipeline__Environments__staging__ComplianceMode=${Pipeline__Environments__staging__ComplianceMode:-dry_run}
# Webhook secrets are stored encrypted under this key (docs/webhooks.md): a fresh one per demo run, never in the repository.
export Secrets__Key=${Secrets__Key:-$(head -c 32 /dev/urandom | base64)}

trace_ui="none (MLOPS_DASHBOARD=0)"
if [ -z "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ] && [ "${MLOPS_DASHBOARD:-1}" != 0 ]; then
  deploy/dashboard.sh up || exit 1
  eval "$(deploy/dashboard.sh env)"
  # The web dashboard links each trace id (of a run, a model version, an audit entry) to its trace there.
  export Api__Dashboard__TraceUrlTemplate=${Api__Dashboard__TraceUrlTemplate:-${MLOPS_TRACE_URL}\{traceId\}}
  trace_ui="${MLOPS_TRACE_URL%/detail/} (the Aspire dashboard; it keeps running after the demo, deploy/dashboard.sh down stops it)"
elif [ -n "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]; then
  trace_ui="whatever receives $OTEL_EXPORTER_OTLP_ENDPOINT (e.g. Jaeger at http://localhost:16686)"
fi
log "trace UI: $trace_ui"

rm -rf "$DEMO_DIR" && mkdir -p "$DEMO_DIR/logs"
for entry in "${SERVICES[@]}"; do
  name=${entry%%:*}; port=$(( ${entry##*:} + PORT_OFFSET ))
  bin="$ROOT/services/Mlops.$name/bin/$CONFIG/net10.0"
  (cd "$bin" && Urls="http://127.0.0.1:$port" exec dotnet "Mlops.$name.dll") >"$DEMO_DIR/logs/$name.log" 2>&1 &
  pids+=($!)
done

log "waiting for the services to be ready"
for entry in "${SERVICES[@]}"; do
  name=${entry%%:*}; port=$(( ${entry##*:} + PORT_OFFSET ))
  ready=0
  for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ready=1; break; fi
    sleep 0.3
  done
  if [ "$ready" != 1 ]; then
    log "$name did not become ready on port $port; its log:"
    tail -n 30 "$DEMO_DIR/logs/$name.log"
    exit 1
  fi
  log "  $name ready on http://127.0.0.1:$port"
done

MLOPS="services/Mlops.Cli/bin/$CONFIG/net10.0/mlops.dll"
# The demo's webhook receiver (mlops webhooks listen, docs/webhooks.md): a process of its own, subscribed registry-wide through
# the API by the demo, that verifies each delivery's signature with the subscription's secret and prints every verified
# event into this output as a [webhook] line. The demo then promotes its code dev -> staging -> prod (--promote-to-prod).
WEBHOOK_PORT=$(( 5120 + PORT_OFFSET ))
MLOPS_WEBHOOK_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export MLOPS_WEBHOOK_SECRET
dotnet "$MLOPS" webhooks listen --port "$WEBHOOK_PORT" &
pids+=($!)
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WEBHOOK_PORT/" 2>/dev/null)" = 404 ] && break
  sleep 0.2
done
set -- --promote-to-prod --webhook-url "http://127.0.0.1:$WEBHOOK_PORT/webhook" "$@"
log "bootstrapping the first admin (mlops bootstrap-admin --name root: the one command besides migrate that writes the database directly)"
token=$(dotnet "$MLOPS" bootstrap-admin --name root) || exit 1
# Everything from here on goes through the API with tokens: root's, then those of the principals the demo creates.
export MLOPS_API_URL="http://127.0.0.1:$((5110 + PORT_OFFSET))" MLOPS_TOKEN="$token"
dashboard="$MLOPS_API_URL/dashboard/"
log "web dashboard: $dashboard (served by Mlops.Api; sign in with an API token)"
dotnet "$MLOPS" demo --serving-url "http://127.0.0.1:$((5107 + PORT_OFFSET))" "$@" | sed -u -E "s#trace ([0-9a-f]{32})#trace ${MLOPS_TRACE_URL:-}\1#g"
demo_status=${PIPESTATUS[0]}
[ "$demo_status" = 0 ] || exit "$demo_status"

if [ "${MLOPS_DEMO_SCREENSHOTS:-1}" != 0 ]; then
  log "the web dashboard over the demo's data, in headless Chromium: artifacts/dashboard/demo/"
  if [ ! -x "${MLOPS_CHROMIUM:-/usr/bin/chromium}" ] && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
  fi
  dotnet "tools/Mlops.DashboardScreenshots/bin/$CONFIG/net10.0/mlops-dashboard-screenshots.dll" --api-url "$MLOPS_API_URL" \
    --out artifacts/dashboard/demo || { log "DEMO FAILED: the web dashboard does not show the demo's data (above)"; exit 1; }
fi

log "web dashboard: $dashboard"
log "trace UI: $trace_ui"
if [ "${MLOPS_DEMO_STAY:-0}" = 1 ]; then
  (umask 077 && printf '%s\n' "$token" >"$DEMO_DIR/root.token")
  log "the services stay up (MLOPS_DEMO_STAY=1): sign in with root's token, in $DEMO_DIR/root.token; Ctrl-C stops them"
  while sleep 3600; do :; done
else
  log "the services stop now; MLOPS_DEMO_STAY=1 keeps them (and the web dashboard) up"
fi
