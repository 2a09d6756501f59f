# syntax=docker/dockerfile:1
# One image recipe for every Mlops service: the build argument SERVICE names the project under services/.
#   docker build --build-arg SERVICE=Mlops.Training -t mlops-training .
#   docker build --build-arg SERVICE=Mlops.Cli -t mlops-cli .       (the CLI: `migrate`, `demo`, ...)
# The image listens on 8080 (Urls), runs as the image's non-root "app" user, and reports healthy while /health/ready
# answers 200 (deploy/docker/healthcheck.sh; bash alone, the runtime image has no curl).
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG SERVICE
WORKDIR /src
# global.json is left out on purpose: the SDK image's tag pins the SDK, and its rollForward policy never goes to an older band.
COPY Directory.Build.props Directory.Packages.props ./
COPY contracts/ contracts/
COPY services/ services/
COPY examples/features/ examples/features/
# Training publishes the example trainers beside its binaries (trainers/, where Training:TrainersDirectory points).
COPY examples/trainers/ examples/trainers/
RUN if [ -z "$SERVICE" ] || [ ! -f "services/$SERVICE/$SERVICE.csproj" ]; then \
      echo "SERVICE must name a project under services/, e.g. --build-arg SERVICE=Mlops.Training (got '$SERVICE')" >&2; exit 1; fi
RUN dotnet restore "services/$SERVICE/$SERVICE.csproj"
RUN dotnet publish "services/$SERVICE/$SERVICE.csproj" -c Release --no-restore -o /app -p:UseAppHost=false \
 && assembly=$(dotnet msbuild "services/$SERVICE/$SERVICE.csproj" -getProperty:AssemblyName) \
 && printf '#!/bin/sh\nexec dotnet /app/%s.dll "$@"\n' "$assembly" > /app/entrypoint.sh \
 && chmod 755 /app/entrypoint.sh
COPY --chmod=755 deploy/docker/healthcheck.sh /app/healthcheck.sh

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
ARG SERVICE
LABEL org.opencontainers.image.title="${SERVICE}"
WORKDIR /app
# State a service keeps on disk (Serving's inference-log spill) goes under /var/lib/mlops, owned by the non-root user so a
# volume mounted there starts out writable.
RUN mkdir -p /var/lib/mlops && chown "$APP_UID" /var/lib/mlops
# Training runs the example trainers (docs/trainers.md) with the distribution's /usr/bin/python3, scikit-learn and onnx;
# every other image stays without Python.
RUN if [ "$SERVICE" = "Mlops.Training" ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends python3 python3-numpy python3-sklearn python3-onnx \
      && rm -rf /var/lib/apt/lists/*; \
    fi
COPY --from=build /app ./
# Kestrel on every interface (appsettings.json binds loopback for local runs); workstation GC suits containers limited to a
# core or two, where server GC would size its heaps for the whole node.
ENV Urls=http://+:8080 \
    DOTNET_gcServer=0
EXPOSE 8080
USER $APP_UID
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 CMD ["/app/healthcheck.sh"]
ENTRYPOINT ["/app/entrypoint.sh"]
