// Command ingest is the pipeline's first stage: it takes articles dropped on
// articles.new (JSON or plain text), validates and normalises them, splits
// them into paragraphs and publishes one paragraph event per paragraph.
//
// The client that drops articles is wartactl: "wartactl publish [--wait] FILE...".
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
		fmt.Fprintln(os.Stderr, "ingest:", err)
		os.Exit(1)
	}
}

const usage = `ingest: the pipeline's first stage.

Usage:
  ingest [flags]          run the service: consume articles.new, publish paragraphs
  ingest healthcheck      exit 0 if the ingest running here is ready (container health check)
  ingest help             show this help

Drop articles with "wartactl publish [--wait] FILE...", and list and replay the
dead letters of every stage with "wartactl deadletters list|replay".

Run "ingest --help" for the flags. Every flag can also be set by the
environment variable shown in brackets.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 1 {
		switch args[1] {
		case "publish", "deadletters":
			return fmt.Errorf("%q moved to wartactl: run \"wartactl %s\"", "ingest "+args[1], args[1])
		case "healthcheck":
			return proc.RunHealthcheck(ctx, "ingest", "METRICS_ADDR", args[2:], getenv, stdout, stderr)
		case "help":
			fmt.Fprint(stdout, usage)
			return nil
		}
	}
	return runService(ctx, args[1:], getenv, stdout, stderr)
}
