# gateway: HTTP/JSON gateway (port 8080) serving the web app from /app/web.
# Build from the repository root (the context must be the whole tree):
#   docker build -f deploy/docker/gateway.Dockerfile -t bkkbudget/gateway:TAG .
# Runs as uid 10001 with no shell tricks: every setting is an environment
# variable (see `bkk-gateway --help` and tests/k8s/settings.json).
# Three stages: the web app (node), the C++ binary, the runtime image.

# ---- web: the static web app (Vite) ------------------------------------------
FROM node:20.19-bookworm-slim AS web
ARG DEBIAN_FRONTEND=noninteractive
# The page's API types are generated from the protos at build time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends protobuf-compiler golang-github-gogo-googleapis-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src/gateway/web
COPY gateway/web/package.json gateway/web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY protos/ /src/protos/
COPY gateway/web/ ./
RUN npm run build

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
COPY gateway/ gateway/
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DBKK_SERVICES="" -DBKK_WITH_GATEWAY=ON -DBUILD_TESTING=OFF \
 && cmake --build build --target bkk-gateway \
 && strip --strip-unneeded build/gateway/bkk-gateway

# ---- runtime: Debian 12, only the shared libraries the binary needs ------------
FROM debian:12.11-slim
ARG DEBIAN_FRONTEND=noninteractive
LABEL org.opencontainers.image.title="bkkbudget gateway" \
      org.opencontainers.image.description="Bangkok Budgeting HTTP/JSON gateway and web app"
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 libabsl20220623 libssl3 ca-certificates \
      libprometheus-cpp-pull1.0 libprometheus-cpp-core1.0 libcivetweb1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 bkk \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin bkk
COPY --from=build /src/build/gateway/bkk-gateway /usr/local/bin/bkk-gateway
# Refuse to build an image whose binary would not start: every shared library resolves.
RUN ! ldd /usr/local/bin/bkk-gateway | grep 'not found'
COPY --from=web /src/gateway/web/dist/ /app/web/
USER 10001:10001
ENV BKK_HTTP_LISTEN=0.0.0.0:8080 \
    BKK_WEB_ROOT=/app/web
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/bkk-gateway"]
