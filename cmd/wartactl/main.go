// Command wartactl is the operator's command for a running pipeline: it
// drops articles on articles.new ("wartactl publish"), lists and replays the
// dead letters of every stage ("wartactl deadletters"), searches the index
// ("wartactl search") and manages standing searches and follows their alerts
// ("wartactl alerts"). The services themselves are ingest, enrich and index.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/warta-news/warta/pkg/bus/proc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil && !proc.StoppedEarly(ctx, err) {
		fmt.Fprintln(os.Stderr, "wartactl:", err)
		os.Exit(1)
	}
}

const usage = `wartactl: the operator's command for a running warta pipeline.

Usage:
  wartactl publish [flags] FILE...       drop articles (plain text or JSON; - for stdin) on articles.new
  wartactl deadletters list [flags]      list dead letters (of every stage) with their reasons
  wartactl deadletters replay SEQ...     republish dead letters to their original subjects after a fix
  wartactl search [flags] QUERY          search a running index and print the results for people
  wartactl alerts add|ls|rm|follow       manage standing searches and follow their alerts ("wartactl alerts help")
  wartactl help                          show this help

publish, deadletters and alerts follow talk to NATS (--nats-url and the other
NATS flags, as the services take them); search and alerts add, ls and rm to
the index's HTTP API (--url). Under make run, dropping articles, searching and
following alerts need no credentials; dead letters need the admin key:
NATS_NKEY=.data/nats/keys/admin.nk.

Run "wartactl COMMAND --help" for the flags of each. Every flag can also be
set by the environment variable shown in brackets.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("name a command: publish, deadletters, search or alerts")
	}
	switch args[1] {
	case "publish":
		return runPublish(ctx, args[2:], getenv, stdin, stdout, stderr)
	case "deadletters":
		return runDeadletters(ctx, args[2:], getenv, stdout, stderr)
	case "search":
		return runSearch(ctx, args[2:], getenv, stdout, stderr)
	case "alerts":
		return runAlerts(ctx, args[2:], getenv, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q: use publish, deadletters, search or alerts", args[1])
}
