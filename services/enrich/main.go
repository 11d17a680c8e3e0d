// Command enrich is the pipeline's second stage: it tags each paragraph with
// named entities and dates and publishes the enriched paragraph. Run as many
// as you need: they share one durable consumer.
//
// It also tags articles offline: "enrich tag [--lang id] [--published DATE] [FILE]".
// The entity model and the word clusters it embeds are made by the
// developer's command warta-train (cmd/warta-train: train, eval, clusters).
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
	if err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil && !proc.StoppedEarly(ctx, err) {
		fmt.Fprintln(os.Stderr, "enrich:", err)
		os.Exit(1)
	}
}

const usage = `enrich: the pipeline's tagging stage (named entities and dates).

Usage:
  enrich [flags]                                      run the service: consume paragraphs, publish enriched ones
  enrich tag [--lang L] [--published DATE] [FILE]     tag one article offline (stdin without FILE) and print
                                                      its enriched paragraph events as JSON lines
  enrich healthcheck                                  exit 0 if the enrich running here is ready (container health check)
  enrich help                                         show this help

The entity model and word clusters enrich embeds are trained, evaluated and
learnt by warta-train (make model, make eval, make clusters).

Run "enrich --help" or "enrich tag --help" for the flags. Every flag can also
be set by the environment variable shown in brackets.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 1 {
		switch args[1] {
		case "tag":
			return runTag(args[2:], getenv, stdin, stdout, stderr)
		case "train", "eval", "clusters":
			return fmt.Errorf("%q moved to warta-train: run \"warta-train %s\" (make model, make eval, make clusters)", "enrich "+args[1], args[1])
		case "healthcheck":
			return proc.RunHealthcheck(ctx, "enrich", "METRICS_ADDR", args[2:], getenv, stdout, stderr)
		case "help":
			fmt.Fprint(stdout, usage)
			return nil
		}
	}
	return runService(ctx, args[1:], getenv, stdout, stderr)
}
