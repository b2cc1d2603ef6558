# The iacfix container image: a static binary on distroless, run as a
# user without privileges, with the current folder mounted at /src:
#
#   docker run --rm -v "$PWD:/src" ghcr.io/iacfix/iacfix:0.1.0 --dry-run .
#
# To let --write change the mounted files, run as their owner:
# --user "$(id -u):$(id -g)". The release workflow builds it for amd64 and
# arm64 and pushes it to ghcr.io; .dockerignore sends only what the build
# needs (the files Cargo.toml's `include` lists).

FROM rust:1.95-alpine AS build
# musl's headers and start files, for the C parts (the tree-sitter grammars).
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /build
COPY . .
# Rust links musl statically: the binary needs nothing from the image.
RUN cargo build --release --locked --bin iacfix \
    && install -D -m 0755 target/release/iacfix /out/iacfix \
    && /out/iacfix --version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/iacfix /usr/local/bin/iacfix
COPY LICENSE README.md /usr/share/doc/iacfix/
WORKDIR /src
# distroless's "nonroot" user, by number so that a cluster can verify it.
USER 65532:65532
ENTRYPOINT ["iacfix"]
