# syntax=docker/dockerfile:1
# ingest: the pipeline's first stage. Build from the repository root:
#   docker build -f deploy/docker/ingest.Dockerfile --build-arg VERSION=$(git describe --always) -t warta/ingest .

# The service's own module is built alone (GOWORK=off, as "make vet" checks),
# with the shared pkg/ modules it replaces to ../../pkg/...

# build a static binary of services/ingest
FROM golang:1.26 AS build
ENV GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false
WORKDIR /src
# Module files first: the download layer is rebuilt only when they change.
COPY pkg/article/go.mod pkg/article/go.sum pkg/article/
COPY pkg/bus/go.mod pkg/bus/go.sum pkg/bus/
COPY pkg/events/go.mod pkg/events/go.sum pkg/events/
COPY services/ingest/go.mod services/ingest/go.sum services/ingest/
WORKDIR /src/services/ingest
RUN --mount=type=cache,target=/go/pkg/mod go mod download
WORKDIR /src
COPY pkg/ pkg/
COPY services/ingest/ services/ingest/
WORKDIR /src/services/ingest
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/ingest .

# Final stage: a static binary on distroless, as user nonroot (65532), no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ingest /usr/local/bin/ingest
USER nonroot:nonroot
# /metrics, /healthz and /readyz (METRICS_ADDR; off unless set, the image sets it).
ENV METRICS_ADDR=:9090 LOG_FORMAT=json
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/ingest"]
