# sources: the documents the budget lines cite (data/sources: the FY2566
# ordinance and the 50 FY2565 district books, 48 MB), for the gateway's
# /sources/. Kubernetes runs this image as the gateway pod's init container:
# it copies the documents into a volume the gateway reads at
# BKK_SOURCES_ROOT (/app/sources). Kept apart from the gateway image, whose
# code changes far more often than the city's PDFs, and which stays small.
# Built by `./bkk images` (deploy/docker/images.sh); the context is the root.
FROM bkkbudget/debian:bookworm
LABEL org.opencontainers.image.title="bkkbudget sources" \
      org.opencontainers.image.description="Bangkok Budgeting: the budget PDFs the data was read from"
COPY data/sources/ /sources/
USER 10001:10001
ENTRYPOINT ["cp", "-R", "/sources/.", "/app/sources/"]
