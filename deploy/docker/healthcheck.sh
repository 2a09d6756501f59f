#!/bin/bash
# The image's HEALTHCHECK: healthy while the service's /health/ready answers 200. Plain bash over /dev/tcp, because the
# .NET runtime image carries no curl or wget. HEALTH_PORT and HEALTH_PATH override the defaults (8080, /health/ready).
set -u
exec 3<>"/dev/tcp/127.0.0.1/${HEALTH_PORT:-8080}" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "${HEALTH_PATH:-/health/ready}" >&3
IFS= read -r -t 5 status <&3 || exit 1
[[ $status == "HTTP/"*" 200"* ]]
