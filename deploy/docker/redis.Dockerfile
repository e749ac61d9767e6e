# Redis 7 from Debian's packages, for the Compose stack: a cache of the vote
# tallies (rebuilt from PostgreSQL), so no persistence; arguments go to the
# server. Runs as Debian's redis user.
FROM bkkbudget/debian:bookworm
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
USER redis
EXPOSE 6379
HEALTHCHECK --interval=2s --timeout=3s --retries=30 CMD redis-cli ping | grep -q PONG
ENTRYPOINT ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
