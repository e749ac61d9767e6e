# voting: PB rounds, proposals and ballots over gRPC (port 50053); also `migrate`.
# Built by `./bkk images` (deploy/docker/images.sh) from the builder image,
# which compiles every binary once; the context is the repository root.
# Runs as uid 10001 with no shell tricks: every setting is an environment
# variable (see `voting --help` and tests/k8s/settings.json).

# The compiled binaries: bkkbudget/builder:local (builder.Dockerfile) or,
# in ./bkk test, an image of the host build (host-binaries.Dockerfile).
ARG BUILDER=bkkbudget/builder:local
FROM ${BUILDER} AS binaries

# ---- runtime: Debian 12, only the shared libraries the binary needs ------------
FROM bkkbudget/debian:bookworm
ARG DEBIAN_FRONTEND=noninteractive
LABEL org.opencontainers.image.title="bkkbudget voting" \
      org.opencontainers.image.description="Bangkok Budgeting voting gRPC service"
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 libpqxx-6.4 libhiredis0.14 libabsl20220623 libssl3 ca-certificates \
      libprometheus-cpp-pull1.0 libprometheus-cpp-core1.0 libcivetweb1 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 bkk \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin bkk
COPY --from=binaries /out/voting /usr/local/bin/voting
# Refuse to build an image whose binary would not start: every shared library resolves.
RUN ! ldd /usr/local/bin/voting | grep 'not found'
# The ordinance's agencies: the only units a tracked project may be assigned to.
COPY data/budget/bma-ordinance-2566-items.csv /data/budget/bma-ordinance-2566-items.csv
USER 10001:10001
ENV BKK_LISTEN=0.0.0.0:50053 \
    BKK_ORDINANCE_CSV=/data/budget/bma-ordinance-2566-items.csv
EXPOSE 50053
# /metrics (BKK_ADMIN_LISTEN), for Prometheus only.
ENV BKK_ADMIN_LISTEN=0.0.0.0:9090
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/voting"]
