# budget-data: the budget records over gRPC (port 50051); also `import DIR` and `migrate`.
# Build from the repository root (the context must be the whole tree):
#   docker build -f deploy/docker/budget-data.Dockerfile -t bkkbudget/budget-data:TAG .
# Runs as uid 10001 with no shell tricks: every setting is an environment
# variable (see `budget-data --help` and tests/k8s/settings.json).
# The default dataset is baked in at /data: `budget-data import /data`.

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
      -DBKK_SERVICES="budget_data" -DBUILD_TESTING=OFF \
 && cmake --build build --target budget-data \
 && strip --strip-unneeded build/services/budget_data/budget-data

# ---- runtime: Debian 12, only the shared libraries the binary needs ------------
FROM debian:12.11-slim
ARG DEBIAN_FRONTEND=noninteractive
LABEL org.opencontainers.image.title="bkkbudget budget-data" \
      org.opencontainers.image.description="Bangkok Budgeting budget-data gRPC service"
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 libpqxx-6.4 libabsl20220623 libssl3 ca-certificates \
      libprometheus-cpp-pull1.0 libprometheus-cpp-core1.0 libcivetweb1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 bkk \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin bkk
COPY --from=build /src/build/services/budget_data/budget-data /usr/local/bin/budget-data
# Refuse to build an image whose binary would not start: every shared library resolves.
RUN ! ldd /usr/local/bin/budget-data | grep 'not found'
COPY data/ /data/
USER 10001:10001
ENV BKK_LISTEN=0.0.0.0:50051
EXPOSE 50051
# /metrics (BKK_ADMIN_LISTEN), for Prometheus only.
ENV BKK_ADMIN_LISTEN=0.0.0.0:9090
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/budget-data"]
CMD ["serve"]
