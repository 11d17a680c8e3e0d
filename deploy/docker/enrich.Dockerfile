# syntax=docker/dockerfile:1
# enrich: the tagging stage (scale it out: the processes share one consumer). Build from the repository root:
#   docker build -f deploy/docker/enrich.Dockerfile --build-arg VERSION=$(git describe --always) -t warta/enrich .

# The service's own module is built alone (GOWORK=off, as "make vet" checks),
# with the shared pkg/ modules it replaces to ../../pkg/...

# build a static binary of services/enrich
FROM golang:1.26 AS build
ENV GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false
WORKDIR /src
# Module files first: the download layer is rebuilt only when they change.
COPY pkg/article/go.mod pkg/article/go.sum pkg/article/
COPY pkg/bus/go.mod pkg/bus/go.sum pkg/bus/
COPY pkg/events/go.mod pkg/events/go.sum pkg/events/
COPY services/enrich/go.mod services/enrich/go.sum services/enrich/
WORKDIR /src/services/enrich
RUN --mount=type=cache,target=/go/pkg/mod go mod download
WORKDIR /src
COPY pkg/ pkg/
COPY services/enrich/ services/enrich/
WORKDIR /src/services/enrich
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/enrich .

# Final stage: a static binary on distroless, as user nonroot (65532), no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/enrich /usr/local/bin/enrich
USER nonroot:nonroot
# /metrics, /healthz and /readyz (METRICS_ADDR; off unless set, the image sets it).
ENV METRICS_ADDR=:9090 LOG_FORMAT=json
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/enrich"]
