#!/usr/bin/env bash
# Who is who below the API (docs/security.md, "Trust boundaries"): one PostgreSQL role and one RabbitMQ user per service,
# the owner role that runs migrations, the admin. Their passwords live in a directory, one directory per principal holding
# one file per configuration key (mlops_training/Database__Password, ...), the layout the services read through
# Secrets:Directory. deploy/infra.sh (the local stack), docker-compose.yml (its identities job) and the Kubernetes overlays
# (their secretGenerators) all use this one script, so the roles are the same everywhere.
#
#   deploy/identities.sh secrets <dir>          generate the passwords that are missing (never in the repository)
#   deploy/identities.sh roles-sql <dir>        the psql script that makes the roles with those passwords, and the database
#                                               (idempotent; run it as a superuser: ... | psql -v ON_ERROR_STOP=1 -d postgres -f -)
#   deploy/identities.sh rabbitmq-users <dir> <management URL> <vhost>...
#                                               the services' RabbitMQ users, with those passwords, and their permissions on each
#                                               virtual host (deploy/rabbitmq-permissions.txt), through the management API as
#                                               MLOPS_RABBITMQ_USER / MLOPS_RABBITMQ_PASSWORD (guest/guest by default)
#
# Sourced by deploy/infra.sh for its functions (with SECRETS set); run as a script otherwise.
set -euo pipefail

IDENTITIES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# A new service: add its name here (role mlops_<name>, RabbitMQ user mlops_<name>) and its schemas to DatabaseAccessPolicy.
SERVICES=${MLOPS_SERVICES:-api batchscoring compliance featurerefresh monitoring notifications orchestrator promotion serving training}
MQ_PERMISSIONS=${MLOPS_RABBITMQ_PERMISSIONS:-$IDENTITIES_DIR/rabbitmq-permissions.txt}

identities_die() { printf '[identities] error: %s\n' "$*" >&2; exit 1; }

# secret <principal> <configuration key>: prints it, generating it on first use (alphanumeric, ~64 characters).
secret() {
  local file=$SECRETS/$1/$2
  if [ ! -s "$file" ]; then
    (umask 077; mkdir -p "$SECRETS/$1"; head -c 48 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' >"$file")
  fi
  cat "$file"
}

# Every password any principal needs, generated where missing.
all_secrets() {
  local service
  secret mlops Database__Password >/dev/null
  secret mlops_owner Database__Password >/dev/null
  cp "$SECRETS/mlops_owner/Database__Password" "$SECRETS/mlops_owner/Database__MigrationsPassword"
  for service in $SERVICES; do
    secret "mlops_$service" Database__Password >/dev/null
    secret "mlops_$service" Messaging__RabbitMq__Password >/dev/null
  done
}

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
    [[ "$service" =~ ^[a-z][a-z0-9]*$ ]] || identities_die "service name '$service' in MLOPS_SERVICES: use lower-case letters and digits"
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

# mq_put <management URL> <path>, the JSON body on standard input: with curl where there is one, else bash's /dev/tcp (the
# postgres image compose runs the identities job in has bash but no curl; plain HTTP only).
mq_put() {
  local base=${1%/} path=$2 auth body
  auth="${MLOPS_RABBITMQ_USER:-guest}:${MLOPS_RABBITMQ_PASSWORD:-guest}"
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -u "$auth" -X PUT -H 'content-type: application/json' --data-binary @- "$base/api/$path" >/dev/null
    return
  fi
  body=$(cat)
  local rest=${base#http://} host port status
  host=${rest%%[:/]*}; port=80
  [[ "$rest" == "$host:"* ]] && { port=${rest#"$host:"}; port=${port%%/*}; }
  exec 3<>"/dev/tcp/$host/$port" || return 1
  printf 'PUT /api/%s HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$path" "$host" "$(printf '%s' "$auth" | base64 -w0)" "${#body}" "$body" >&3
  read -r _ status _ <&3 || status=000
  exec 3>&-
  [[ "$status" =~ ^2 ]] || { printf '[identities] PUT /api/%s answered %s\n' "$path" "$status" >&2; return 1; }
}

# mq_users <management URL>: every service's user, with its password.
mq_users() {
  local service rest password
  while read -r service rest; do
    password=$(secret "mlops_$service" Messaging__RabbitMq__Password)
    printf '{"password":"%s","tags":""}' "$password" | mq_put "$1" "users/mlops_$service" || identities_die "creating RabbitMQ user mlops_$service failed"
  done < <(mq_services)
}

# mq_grant <management URL> <vhost>: every service user's permissions on <vhost> (%2F is the default "/").
mq_grant() {
  local service endpoints types
  while read -r service endpoints types; do
    # shellcheck disable=SC2086
    mq_permissions_json "$endpoints" $types | mq_put "$1" "permissions/$2/mlops_$service" \
      || identities_die "granting mlops_$service its permissions on virtual host $2 failed"
  done < <(mq_services)
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  [ $# -ge 2 ] || { sed -n '8,14p' "$0" >&2; exit 2; }
  command=$1 SECRETS=$2
  shift 2
  case "$command" in
    secrets) all_secrets ;;
    roles-sql) pg_roles_sql ;;
    rabbitmq-users)
      [ $# -ge 2 ] || identities_die "usage: $0 rabbitmq-users <dir> <management URL> <vhost>..."
      url=$1; shift
      mq_users "$url"
      for vhost in "$@"; do mq_grant "$url" "$( [ "$vhost" = / ] && echo %2F || echo "$vhost")"; done
      ;;
    *) sed -n '8,14p' "$0" >&2; exit 2 ;;
  esac
fi
