#!/usr/bin/env bash
# Brings up, checks and stops what Mlops runs on: RabbitMQ (with its management plugin) and PostgreSQL,
# on loopback, without Docker. When a Docker engine answers (and MLOPS_INFRA_MODE is not "local"),
# docker-compose.yml is used instead. Idempotent: "up" on a running stack and "down" on a stopped one do nothing.
#
#   deploy/infra.sh up | down | status | env
#   deploy/infra.sh start|stop rabbitmq|postgres, restart postgres   (one part only: the fault suite's outages)
#   deploy/infra.sh grant-vhost <vhost>   gives every service's RabbitMQ user its permissions on another virtual host
#
# Settings (environment):
#   MLOPS_INFRA_MODE          auto (default), local or docker
#   MLOPS_INFRA_DIR           data, logs and sockets of the local stack (default /var/tmp/mlops-infra)
#   MLOPS_PG_PORT             PostgreSQL port (default 55432)
#   MLOPS_RABBITMQ_PORT       AMQP port (default 5672)
#   MLOPS_RABBITMQ_MGMT_PORT  management API/UI port (default 15672)
#   MLOPS_RABBITMQ_CONSUMER_TIMEOUT_MS  RabbitMQ's consumer_timeout (default: RabbitMQ's, 30 minutes); when set, the node
#                             also checks it every second instead of every minute (the fault suite sets a few seconds)
#   MLOPS_SERVICES            the services that get a PostgreSQL role and a RabbitMQ user of their own (default below)
# Another port set and directory gives a second, independent stack: the node name and Erlang distribution port derive from
# MLOPS_RABBITMQ_PORT, so two nodes share one epmd without clashing.
#
# Identities (docs/security.md, "Trust boundaries"): PostgreSQL asks every TCP connection for a password (scram-sha-256);
# the cluster's OS user alone gets in without one, over the unix socket in a directory only it can enter. Roles: mlops
# (superuser: administration, tests), mlops_owner (owns every schema, runs migrations), mlops_services (a group) and one login
# role per service, mlops_<service>. Their passwords are generated on first "up" into $MLOPS_INFRA_DIR/secrets, one
# directory per principal holding one file per configuration key (mlops_training/Database__Password, ...), never in the
# repository; "env" exports Secrets__Directory (read by every service) and PGPASSFILE (the admin's, for psql and tests).
# An existing cluster from before (trust everywhere, everything owned by mlops) is upgraded in place by "up".
set -euo pipefail

MODE=${MLOPS_INFRA_MODE:-auto}
DIR=${MLOPS_INFRA_DIR:-/var/tmp/mlops-infra}
PG_PORT=${MLOPS_PG_PORT:-55432}
MQ_PORT=${MLOPS_RABBITMQ_PORT:-5672}
MQ_MGMT_PORT=${MLOPS_RABBITMQ_MGMT_PORT:-15672}
MQ_DIST_PORT=$((MQ_PORT + 20000))
MQ_NODE=mlops-${MQ_PORT}@localhost
MQ_CONSUMER_TIMEOUT_MS=${MLOPS_RABBITMQ_CONSUMER_TIMEOUT_MS:-}
PG_BIN=${MLOPS_PG_BIN:-}
SECRETS=$DIR/secrets
# A new service: add its name here (role mlops_<name>, RabbitMQ user mlops_<name>) and its schemas to DatabaseAccessPolicy.
SERVICES=${MLOPS_SERVICES:-api compliance featurerefresh monitoring notifications orchestrator promotion serving training}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

use_docker() {
  case "$MODE" in
    docker) return 0 ;;
    local) return 1 ;;
    *) command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 ;;
  esac
}

apt_install() {
  [ "$(id -u)" = 0 ] || die "$* is not installed and installing it needs root (apt-get install -y $*)"
  log "installing $* from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the package's own service from starting on the default ports: this script runs its own instance.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created=1; fi
  if [ ! -f /var/lib/apt/lists/lock ] || [ -z "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e lock -e partial)" ]; then
    apt-get update -qq
  fi
  apt-get install -y -qq "$@" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$@" >/dev/null; }
  [ "$created" = 1 ] && rm -f "$policy"
  return 0
}

# ---------------------------------------------------------------- PostgreSQL
pg_bin() {
  if [ -z "$PG_BIN" ]; then
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    apt_install postgresql
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && su postgres -s /bin/sh -c "$*")
  else
    sh -c "$*"
  fi
}

pg_ready() { "${PG_BIN:-/usr/bin}/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null || { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; }; }

# secret <principal> <configuration key>: prints it, generating it on first use (alphanumeric, ~64 characters).
secret() {
  local file=$SECRETS/$1/$2
  if [ ! -s "$file" ]; then
    (umask 077; mkdir -p "$SECRETS/$1"; head -c 48 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' >"$file")
  fi
  cat "$file"
}

# The admin's password for psql and the tests (Npgsql reads PGPASSFILE too, but only for the user a line names).
write_pgpass() {
  (umask 077; mkdir -p "$SECRETS"; printf '*:%s:*:mlops:%s\n' "$PG_PORT" "$(secret mlops Database__Password)" >"$SECRETS/pgpass")
}

pg_admin() { as_pg "'$PG_BIN/psql' -h '$DIR/postgres' -p $PG_PORT -U postgres -X -q -v ON_ERROR_STOP=1 $*"; }

# The psql script that makes the roles (with their passwords) and the database, idempotently.
pg_roles_sql() {
  local service script
  # Passwords go in on standard input (never on a command line); they are alphanumeric, so quoting them is safe.
  script="\\set pw_mlops '$(secret mlops Database__Password)'
\\set pw_owner '$(secret mlops_owner Database__Password)'
SET client_min_messages = warning;
SELECT 'CREATE ROLE mlops' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mlops') \\gexec
ALTER ROLE mlops WITH LOGIN SUPERUSER PASSWORD :'pw_mlops';
SELECT 'CREATE ROLE mlops_owner' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mlops_owner') \\gexec
ALTER ROLE mlops_owner WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'pw_owner';
SELECT 'CREATE ROLE mlops_services' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mlops_services') \\gexec
ALTER ROLE mlops_services WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
"
  cp "$SECRETS/mlops_owner/Database__Password" "$SECRETS/mlops_owner/Database__MigrationsPassword"
  for service in $SERVICES; do
    [[ "$service" =~ ^[a-z][a-z0-9]*$ ]] || die "service name '$service' in MLOPS_SERVICES: use lower-case letters and digits"
    script="$script
\\set pw_$service '$(secret "mlops_$service" Database__Password)'
SELECT 'CREATE ROLE mlops_$service' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mlops_$service') \\gexec
ALTER ROLE mlops_$service WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'pw_$service';
GRANT mlops_services TO mlops_$service;
GRANT mlops_$service TO mlops_owner;"
  done
  # Feature expressions run under this role (SET LOCAL ROLE): it reads raw tables and writes feature rows, nothing else.
  script="$script
SELECT 'CREATE ROLE mlops_featurecompute' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mlops_featurecompute') \\gexec
ALTER ROLE mlops_featurecompute WITH NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;"
  if [[ " $SERVICES " == *" featurerefresh "* ]]; then
    script="$script
GRANT mlops_featurecompute TO mlops_featurerefresh;"
  fi
  script="$script
SELECT 'CREATE DATABASE mlops OWNER mlops_owner' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'mlops') \\gexec
SELECT pg_get_userbyid(datdba) = 'mlops' AS legacy FROM pg_database WHERE datname = 'mlops' \\gset
\\if :legacy
ALTER DATABASE mlops OWNER TO mlops_owner;
\\c mlops
SET client_min_messages = warning;
REASSIGN OWNED BY mlops TO mlops_owner;
\\endif"
  printf '%s\n' "$script"
}

# Roles, passwords and the database, idempotently; then passwords are required over TCP. Runs on every "up", so a cluster
# made by an older infra.sh (trust, no roles, everything owned by mlops) is upgraded: ownership moves to mlops_owner.
pg_setup() {
  local pgdir=$DIR/postgres
  # The unix socket lives here and lets the cluster's OS user in without a password: nobody else may enter.
  chmod 700 "$pgdir"
  pg_roles_sql | pg_admin "-d postgres -f -" || die "setting up PostgreSQL roles failed"
  write_pgpass

  local hba=$pgdir/data/pg_hba.conf wanted
  wanted="# Managed by deploy/infra.sh: no password for the cluster's OS user on the unix socket (its directory is closed to
# everyone else), a password for everything over TCP.
local   all   all                  trust
host    all   all   127.0.0.1/32   scram-sha-256
host    all   all   ::1/128        scram-sha-256"
  if [ "$(cat "$hba" 2>/dev/null)" != "$wanted" ]; then
    log "PostgreSQL: passwords required over TCP from now on (scram-sha-256)"
    as_pg "cat >'$hba'" <<<"$wanted"
    pg_admin "-d postgres -c 'SELECT pg_reload_conf()' >/dev/null"
  fi
}

pg_up() {
  pg_bin
  local pgdir=$DIR/postgres
  if pg_ready; then
    log "PostgreSQL already answers on 127.0.0.1:$PG_PORT"
    if [ -d "$pgdir/data" ]; then pg_setup; fi
    return
  fi
  mkdir -p "$pgdir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$pgdir"
  chmod 700 "$pgdir"
  if [ ! -f "$pgdir/data/PG_VERSION" ]; then
    log "initialising a PostgreSQL cluster in $pgdir/data"
    as_pg "'$PG_BIN/initdb' -D '$pgdir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'$pgdir/initdb.log' 2>&1" \
      || { cat "$pgdir/initdb.log" >&2; die "initdb failed"; }
    cat >>"$pgdir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 256MB
fsync = ${MLOPS_PG_FSYNC:-on}
CONF
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg "'$PG_BIN/pg_ctl' -D '$pgdir/data' -l '$pgdir/postgres.log' -o \"-p $PG_PORT -k '$pgdir'\" -w -t 60 start >/dev/null" \
    || { tail -n 30 "$pgdir/postgres.log" >&2; die "PostgreSQL did not start"; }
  pg_setup
}

pg_restart() {
  pg_bin
  log "restarting PostgreSQL (fast: open sessions are cut)"
  as_pg "'$PG_BIN/pg_ctl' -D '$DIR/postgres/data' -l '$DIR/postgres/postgres.log' -o \"-p $PG_PORT -k '$DIR/postgres'\" -m fast -w -t 60 restart >/dev/null" \
    || { tail -n 30 "$DIR/postgres/postgres.log" >&2; die "PostgreSQL did not restart"; }
}

pg_down() {
  local pgdir=$DIR/postgres
  if [ -f "$pgdir/data/postmaster.pid" ]; then
    pg_bin
    log "stopping PostgreSQL"
    as_pg "'$PG_BIN/pg_ctl' -D '$pgdir/data' -m fast -w stop >/dev/null" || true
  fi
}

# ---------------------------------------------------------------- RabbitMQ
mq_env() {
  local mq=$DIR/rabbitmq
  export HOME=$mq RABBITMQ_NODENAME=$MQ_NODE RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$MQ_PORT \
    RABBITMQ_DIST_PORT=$MQ_DIST_PORT RABBITMQ_MNESIA_BASE=$mq/mnesia RABBITMQ_LOG_BASE=$mq/log \
    RABBITMQ_CONFIG_FILE=$mq/rabbitmq.conf RABBITMQ_ENABLED_PLUGINS_FILE=$mq/enabled_plugins \
    RABBITMQ_PID_FILE=$mq/rabbitmq.pid RABBITMQ_ADVANCED_CONFIG_FILE=$mq/advanced.config
}

mq_ready() {
  port_open "$MQ_PORT" && command -v curl >/dev/null && curl -fsS -u "${MLOPS_RABBITMQ_USER:-guest}:${MLOPS_RABBITMQ_PASSWORD:-guest}" \
    "http://127.0.0.1:$MQ_MGMT_PORT/api/overview" >/dev/null 2>&1
}

mq_up() {
  if mq_ready; then log "RabbitMQ already answers on 127.0.0.1:$MQ_PORT (management $MQ_MGMT_PORT)"; return; fi
  command -v curl >/dev/null || apt_install curl
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || apt_install rabbitmq-server
  local mq=$DIR/rabbitmq
  mkdir -p "$mq/mnesia" "$mq/log"
  cat >"$mq/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$MQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MQ_MGMT_PORT
log.file.level = warning
collect_statistics_interval = 500
CONF
  echo '[rabbitmq_management].' >"$mq/enabled_plugins"
  echo '[].' >"$mq/advanced.config"
  if [ -n "$MQ_CONSUMER_TIMEOUT_MS" ]; then
    [[ "$MQ_CONSUMER_TIMEOUT_MS" =~ ^[0-9]+$ ]] || die "MLOPS_RABBITMQ_CONSUMER_TIMEOUT_MS must be a number of milliseconds"
    echo "consumer_timeout = $MQ_CONSUMER_TIMEOUT_MS" >>"$mq/rabbitmq.conf"
    # RabbitMQ checks consumer_timeout on each channel tick, every 60 s by default: far too coarse for a timeout of seconds.
    echo '[{rabbit, [{channel_tick_interval, 1000}]}].' >"$mq/advanced.config"
  fi
  (
    mq_env
    if port_open "$MQ_PORT"; then die "port $MQ_PORT is taken by something that is not a ready RabbitMQ"; fi
    log "starting RabbitMQ node $MQ_NODE on 127.0.0.1:$MQ_PORT"
    /usr/lib/rabbitmq/bin/rabbitmq-server -detached >"$mq/log/start.out" 2>&1
    /usr/lib/rabbitmq/bin/rabbitmqctl -n "$MQ_NODE" wait --timeout 90 "$RABBITMQ_PID_FILE" >/dev/null 2>&1 \
      || { tail -n 40 "$mq/log/"*.log >&2 2>/dev/null; die "RabbitMQ did not start"; }
  )
  local i
  for i in $(seq 1 120); do mq_ready && return 0; sleep 0.5; done
  die "RabbitMQ started but its management API on port $MQ_MGMT_PORT does not answer"
}

mq_down() {
  local mq=$DIR/rabbitmq
  [ -f "$mq/rabbitmq.pid" ] || return 0
  (
    mq_env
    log "stopping RabbitMQ node $MQ_NODE"
    /usr/lib/rabbitmq/bin/rabbitmqctl -n "$MQ_NODE" shutdown >/dev/null 2>&1 || true
  )
  rm -f "$mq/rabbitmq.pid"
}

# ---------------------------------------------------------------- RabbitMQ users
# One user per line of deploy/rabbitmq-permissions.txt (mlops_<service>), its permissions computed as that file describes.
MQ_PERMISSIONS=$ROOT/deploy/rabbitmq-permissions.txt

mq_api() { # <method> <path>, the JSON body on standard input
  curl -fsS -u "${MLOPS_RABBITMQ_USER:-guest}:${MLOPS_RABBITMQ_PASSWORD:-guest}" -X "$1" -H 'content-type: application/json' \
    --data-binary @- "http://127.0.0.1:$MQ_MGMT_PORT/api/$2" >/dev/null
}

mq_services() { grep -vE '^[[:space:]]*(#|$)' "$MQ_PERMISSIONS"; }

# mq_permissions_json <endpoints> <message types...>: the body of PUT /api/permissions/<vhost>/<user>.
mq_permissions_json() {
  local endpoints=$1 own="" published="" types
  shift
  [ "$endpoints" = - ] || own="(${endpoints//,/|})(_error|_skipped)?|"
  types=$(IFS='|'; echo "$*")
  [ "$types" = - ] || [ -z "$types" ] || published="Mlops[.]Contracts:($types)|"
  printf '{"configure":"^(%sMlops[.]Contracts:.*|MassTransit:Fault--.*|.*_bus_.*)$","write":"^(%s%sMassTransit:Fault--.*|.*_bus_.*)$","read":"^(%sMlops[.]Contracts:.*|.*_bus_.*)$"}' \
    "$own" "$own" "$published" "$own"
}

# mq_grant <vhost>: every service user's permissions on <vhost> (%2F is the default "/").
mq_grant() {
  local vhost=$1 service endpoints types
  while read -r service endpoints types; do
    # shellcheck disable=SC2086
    mq_permissions_json "$endpoints" $types | mq_api PUT "permissions/$vhost/mlops_$service" \
      || die "granting mlops_$service its permissions on virtual host $vhost failed"
  done < <(mq_services)
}

mq_setup() {
  local service rest password
  while read -r service rest; do
    password=$(secret "mlops_$service" Messaging__RabbitMq__Password)
    printf '{"password":"%s","tags":""}' "$password" | mq_api PUT "users/mlops_$service" || die "creating RabbitMQ user mlops_$service failed"
  done < <(mq_services)
  mq_grant %2F
}

# ---------------------------------------------------------------- docker
docker_up() {
  log "a Docker engine answers: using docker-compose.yml"
  # The image makes the superuser mlops with this password on a new volume; the roles are then made as in local mode.
  MLOPS_PG_ADMIN_PASSWORD=$(secret mlops Database__Password) && export MLOPS_PG_ADMIN_PASSWORD
  (cd "$ROOT" && docker compose up -d --wait rabbitmq postgres jaeger)
  pg_roles_sql | (cd "$ROOT" && docker compose exec -T postgres psql -U mlops -d postgres -X -q -v ON_ERROR_STOP=1 -f -) \
    || die "setting up PostgreSQL roles in the container failed"
  write_pgpass
}

docker_down() { (export MLOPS_PG_ADMIN_PASSWORD=unused; cd "$ROOT" && docker compose down); }

print_env() {
  cat <<ENV
export ConnectionStrings__Postgres='Host=127.0.0.1;Port=$PG_PORT;Username=mlops;Database=mlops'
export Secrets__Directory='$SECRETS'
export PGPASSFILE='$SECRETS/pgpass'
export Messaging__RabbitMq__Host=127.0.0.1
export Messaging__RabbitMq__Port=$MQ_PORT
export Messaging__RabbitMq__ManagementPort=$MQ_MGMT_PORT
ENV
}

case "${1:-}" in
  up)
    if use_docker; then docker_up; else pg_up; mq_up; fi
    mq_setup
    log "ready: PostgreSQL 127.0.0.1:$PG_PORT, RabbitMQ 127.0.0.1:$MQ_PORT, management http://127.0.0.1:$MQ_MGMT_PORT"
    ;;
  down)
    if use_docker; then docker_down; else mq_down; pg_down; fi
    ;;
  status)
    pg_bin >/dev/null 2>&1 || true
    if pg_ready; then echo "postgres: up (127.0.0.1:$PG_PORT)"; else echo "postgres: down"; fi
    if mq_ready; then echo "rabbitmq: up (127.0.0.1:$MQ_PORT)"; else echo "rabbitmq: down"; fi
    ;;
  env) print_env ;;
  grant-vhost)
    [ -n "${2:-}" ] || die "usage: $0 grant-vhost <virtual host>"
    mq_grant "$2"
    ;;
  start|stop|restart)
    ! use_docker || die "$1 ${2:-} works on the local stack only"
    case "$1 ${2:-}" in
      "start rabbitmq") mq_up; mq_setup ;;
      "stop rabbitmq") mq_down ;;
      "start postgres") pg_up ;;
      "stop postgres") pg_down ;;
      "restart postgres") pg_restart ;;
      *) echo "usage: $0 start|stop rabbitmq|postgres, $0 restart postgres" >&2; exit 2 ;;
    esac
    ;;
  *) echo "usage: $0 up|down|status|env|grant-vhost|start|stop|restart" >&2; exit 2 ;;
esac
