# PostgreSQL 15 from Debian's packages, for the Compose stack (no registry is
# reachable here, and Debian's build is the one the host tests run against).
# Same interface as the usual postgres image: POSTGRES_USER, POSTGRES_PASSWORD
# and POSTGRES_DB create the cluster on first start in /var/lib/postgresql/data;
# arguments go to the server (e.g. -c max_connections=200).
FROM bkkbudget/debian:bookworm
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
USER postgres
ENV PGDATA=/var/lib/postgresql/data PATH=/usr/lib/postgresql/15/bin:$PATH
VOLUME /var/lib/postgresql/data
EXPOSE 5432
HEALTHCHECK --interval=2s --timeout=3s --retries=30 CMD pg_isready -h 127.0.0.1 -q
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
