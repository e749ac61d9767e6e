# builder: compiles every binary and the web app once, for all runtime images
# (each copies its binary from here: one compile, not four).
#   ./bkk images     builds this, then the runtime images from it
# Its outputs are in /out: budget-data, keyword-analytics, voting, bkk-gateway,
# web/ (the built web app). ccache lives in a BuildKit cache mount, so a
# rebuild after a small change compiles only what changed.
# host-binaries.Dockerfile makes an image with the same /out from a host
# build (./bkk test: the host already compiled them on the same Debian 12).
FROM bkkbudget/debian:bookworm
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config ccache \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      libpqxx-dev libhiredis-dev libabsl-dev libicu-dev libssl-dev libboost1.74-dev prometheus-cpp-dev \
      golang-github-gogo-googleapis-dev libgtest-dev libgmock-dev googletest \
      nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The web app first: its dependencies change less often than the C++.
COPY gateway/web/package.json gateway/web/package-lock.json gateway/web/
# The host's CA bundle comes in as a build secret (never a layer): networks
# that inspect TLS to the npm registry sign with their own CA.
RUN --mount=type=secret,id=ca-bundle,required=false \
    if [ -s /run/secrets/ca-bundle ]; then export npm_config_cafile=/run/secrets/ca-bundle; fi \
 && cd gateway/web && npm ci --no-audit --no-fund --loglevel=error
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY protos/ protos/
COPY common/ common/
COPY services/ services/
COPY tests/ tests/
COPY gateway/ gateway/
# Build inputs from data/: the district map is projected from the boundaries;
# keyword-analytics compiles in the published topical keywords
# (cloud_policy.h); the site serves the source PDFs and dataset files with
# their checksums (gateway/web/scripts/sources.mjs).
COPY data/ data/
RUN cd gateway/web && npm run build
RUN --mount=type=cache,target=/root/.ccache \
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
      -DBKK_WITH_GATEWAY=ON -DBUILD_TESTING=OFF \
 && cmake --build build -j "$(nproc)" --target budget-data keyword-analytics voting bkk-gateway \
 && mkdir -p /out \
 && cp build/services/budget_data/budget-data build/services/keyword_analytics/keyword-analytics \
      build/services/voting/voting build/gateway/bkk-gateway /out/ \
 && strip --strip-unneeded /out/budget-data /out/keyword-analytics /out/voting /out/bkk-gateway \
 && cp -r gateway/web/dist /out/web
