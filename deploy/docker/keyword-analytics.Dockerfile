# keyword-analytics: the in-memory Thai keyword index over gRPC (port 50052).
# Build from the repository root (the context must be the whole tree):
#   docker build -f deploy/docker/keyword-analytics.Dockerfile -t bkkbudget/keyword-analytics:TAG .
# Runs as uid 10001 with no shell tricks: every setting is an environment
# variable (see `keyword-analytics --help` and tests/k8s/settings.json).

# ---- build: compile the one binary this image runs ----------------------------
FROM debian:12.11-slim AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      libpqxx-dev libhiredis-dev libabsl-dev libicu-dev libssl-dev libboost1.74-dev prometheus-cpp-dev \
      golang-github-gogo-googleapis-dev libgtest-dev libgmock-dev googletest \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The CMake project configures tests/ too (its targets are not built here).
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY protos/ protos/
COPY common/ common/
COPY services/ services/
COPY tests/ tests/
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DBKK_SERVICES="keyword_analytics" -DBUILD_TESTING=OFF \
 && cmake --build build --target keyword-analytics \
 && strip --strip-unneeded build/services/keyword_analytics/keyword-analytics

# ---- runtime: Debian 12, only the shared libraries the binary needs ------------
FROM debian:12.11-slim
ARG DEBIAN_FRONTEND=noninteractive
LABEL org.opencontainers.image.title="bkkbudget keyword-analytics" \
      org.opencontainers.image.description="Bangkok Budgeting keyword-analytics gRPC service"
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 libabsl20220623 libicu72 libssl3 ca-certificates \
      libprometheus-cpp-pull1.0 libprometheus-cpp-core1.0 libcivetweb1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 bkk \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin bkk
COPY --from=build /src/build/services/keyword_analytics/keyword-analytics /usr/local/bin/keyword-analytics
# Refuse to build an image whose binary would not start: every shared library resolves.
RUN ! ldd /usr/local/bin/keyword-analytics | grep 'not found'
USER 10001:10001
ENV BKK_LISTEN=0.0.0.0:50052
EXPOSE 50052
# /metrics (BKK_ADMIN_LISTEN), for Prometheus only.
ENV BKK_ADMIN_LISTEN=0.0.0.0:9090
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/keyword-analytics"]
