# The builder's /out made from a host build instead of compiling again
# (./bkk test: the host build is on the same Debian 12; each runtime image
# still runs ldd on its binary). deploy/docker/images.sh --host-binaries
# stages the stripped binaries and the built web app in out/ of the context.
FROM scratch
COPY out/ /out/
