# syntax=docker/dockerfile:1
# index: the pipeline's search stage (Bleve index on /data, HTTP API on 8080).
# Build from the repository root:
#   docker build -f deploy/docker/index.Dockerfile --build-arg VERSION=$(git describe --always) -t warta/index .
# One index process writes one index folder: run it once per volume.

# The service's own module is built alone (GOWORK=off, as "make vet" checks),
# with the shared pkg/ modules it replaces to ../../pkg/...

# build a static binary of services/index
FROM golang:1.26 AS build
ENV GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false
WORKDIR /src
# Module files first: the download layer is rebuilt only when they change.
COPY pkg/article/go.mod pkg/article/go.sum pkg/article/
COPY pkg/bus/go.mod pkg/bus/go.sum pkg/bus/
COPY pkg/events/go.mod pkg/events/go.sum pkg/events/
COPY services/index/go.mod services/index/go.sum services/index/
WORKDIR /src/services/index
RUN --mount=type=cache,target=/go/pkg/mod go mod download
WORKDIR /src
COPY pkg/ pkg/
COPY services/index/ services/index/
WORKDIR /src/services/index
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/index .
# The data folder, owned by nonroot: a fresh named volume mounted on /data
# takes the image folder's owner, so the service can write its index there.
RUN mkdir -p /out/data/index && chown -R 65532:65532 /out/data

# Final stage: a static binary on distroless, as user nonroot (65532), no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/index /usr/local/bin/index
COPY --from=build --chown=65532:65532 /out/data /data
USER nonroot:nonroot
# The API listens on every interface in a container (the binary's default is
# 127.0.0.1); /healthz and /metrics are on the same port.
ENV INDEX_DIR=/data/index HTTP_ADDR=0.0.0.0:8080 LOG_FORMAT=json
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/index"]
