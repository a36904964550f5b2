# linger as an image to copy from: `COPY --from=<image> /linger /linger`.
#
# The build stage runs on the build machine's own platform and cross compiles for the target
# (BuildKit's TARGETARCH) with clang against Debian's musl for that architecture, so a
# multi-platform build needs no emulation:
#   docker buildx build --platform linux/amd64,linux/arm64 -t <image> .
FROM --platform=$BUILDPLATFORM docker.io/library/debian:bookworm AS build
WORKDIR /src
# Packages first, in their own layers, so that a change to the source does not install them again:
# the build machine's toolchain before TARGETARCH is declared, so that the builds for every target
# share that layer; then what the target adds (a cross build's musl and libraries).
COPY scripts/lib.sh scripts/build scripts/
RUN scripts/build --no-tests --packages-only
ARG TARGETARCH
# TARGETARCH is left unquoted: without BuildKit it is empty and scripts/build builds for this
# machine.
RUN scripts/build --no-tests --packages-only $TARGETARCH
COPY . .
RUN scripts/build --no-tests --output /linger $TARGETARCH

# Nothing but the static binary (musl linked in): it needs no libc, no shell and no /etc.
FROM scratch
ARG VERSION=unknown
ARG REVISION=unknown
LABEL org.opencontainers.image.title="linger" \
      org.opencontainers.image.description="Graceful shutdown for containers that have no shell: preStop sleep, wait-http, exec-with-delay, install" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION"
# Mode 0755, owned by root: any user id can run it, no user id can change it.
COPY --from=build /linger /linger
# The distroless non-root user; the binary needs no privilege for any command.
USER 65532:65532
ENTRYPOINT ["/linger"]
