// Command index is the pipeline's last stage: it writes enriched paragraphs
// to an on-disk Bleve index, announces each article once all its paragraphs
// are in, and serves search over HTTP.
//
// The search client for people is wartactl: "wartactl search QUERY".
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/warta-news/warta/pkg/bus/proc"
)

// version is the build's version, set with -ldflags "-X main.version=…"; it
// is in the "starting" log line, warta_build_info and the micro service.
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil && !proc.StoppedEarly(ctx, err) {
		fmt.Fprintln(os.Stderr, "index:", err)
		os.Exit(1)
	}
}

const usage = `index: the pipeline's search stage (Bleve index and HTTP search API).

Usage:
  index [flags]                  run the service: consume enriched paragraphs, serve the HTTP API
  index healthcheck              exit 0 if the index running here is ready (container health check)
  index help                     show this help

HTTP API (default http://127.0.0.1:8080):
  GET /search?q=…&entity=…&type=…&lang=…&from=…&to=…&mentioned_from=…&mentioned_to=…
              &group=article|paragraph&sort=relevance|published&size=…&offset=…&search_after=…
  GET /articles/{id}    GET /stats    GET /healthz
  PUT /alerts/{name}  {"q": …, "entity": […], "type", "lang", "from", "to", "mentioned_from", "mentioned_to"}
  GET /alerts    GET /alerts/{name}    DELETE /alerts/{name}
              standing searches: each article that completes is checked against them,
              and each match is published on alerts.<name> (stream ALERTS)

Search for people with "wartactl search QUERY"; manage standing searches and
follow their alerts with "wartactl alerts add|ls|rm|follow".

Rebuild an index from the stream (ENRICHED replayed from its start) into a
fresh folder, next to the running one:
  index --data-dir ./.data/index-new --consumer index-rebuild --http-addr 127.0.0.1:8081 --alerts=false

Run "index --help" for the flags. Every flag can also be set by the
environment variable shown in brackets.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 1 {
		switch args[1] {
		case "search", "alerts":
			return fmt.Errorf("%q moved to wartactl: run \"wartactl %s\"", "index "+args[1], args[1])
		case "healthcheck":
			return proc.RunHealthcheck(ctx, "index", "HTTP_ADDR", args[2:], getenv, stdout, stderr)
		case "help":
			fmt.Fprint(stdout, usage)
			return nil
		}
	}
	return runService(ctx, args[1:], getenv, stdout, stderr)
}
