# gateway: HTTP/JSON gateway (port 8080) serving the web app from /app/web.
# Built by `./bkk images` (deploy/docker/images.sh) from the builder image,
# which compiles every binary once; the context is the repository root.
# Runs as uid 10001 with no shell tricks: every setting is an environment
# variable (see `bkk-gateway --help` and tests/k8s/settings.json).

# The compiled binaries: bkkbudget/builder:local (builder.Dockerfile) or,
# in ./bkk test, an image of the host build (host-binaries.Dockerfile).
ARG BUILDER=bkkbudget/builder:local
FROM ${BUILDER} AS binaries

# ---- runtime: Debian 12, only the shared libraries the binary needs ------------
FROM bkkbudget/debian:bookworm
ARG DEBIAN_FRONTEND=noninteractive
LABEL org.opencontainers.image.title="bkkbudget gateway" \
      org.opencontainers.image.description="Bangkok Budgeting HTTP/JSON gateway and web app"
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 libabsl20220623 libssl3 ca-certificates \
      libprometheus-cpp-pull1.0 libprometheus-cpp-core1.0 libcivetweb1 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 bkk \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin bkk
COPY --from=binaries /out/bkk-gateway /usr/local/bin/bkk-gateway
# Refuse to build an image whose binary would not start: every shared library resolves.
RUN ! ldd /usr/local/bin/bkk-gateway | grep 'not found'
COPY --from=binaries /out/web/ /app/web/
USER 10001:10001
# /app/sources: the source PDFs, mounted read-only (deploy/compose.yaml) or
# filled by the bkkbudget/sources init container (k8s/base/gateway.yaml); the
# 48 MB of district books are kept out of this image's 150 MB budget.
ENV BKK_HTTP_LISTEN=0.0.0.0:8080 \
    BKK_WEB_ROOT=/app/web \
    BKK_SOURCES_ROOT=/app/sources
EXPOSE 8080
# /metrics (BKK_ADMIN_LISTEN), for Prometheus only.
ENV BKK_ADMIN_LISTEN=0.0.0.0:9090
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/bkk-gateway"]
