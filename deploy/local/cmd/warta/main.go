// Command warta runs the whole pipeline on one machine, as "make run" does:
// an embedded NATS server with JetStream, ingest, enrichers and index as
// child processes. It drops the sample article in, prints what was indexed,
// and keeps running with every service's logs until Ctrl-C.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/warta-news/warta/deploy/local/stack"
	"github.com/warta-news/warta/pkg/bus/access"
	"github.com/warta-news/warta/pkg/bus/proc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "warta:", err)
		os.Exit(1)
	}
}

type config struct {
	BinDir, DataDir, HTTPAddr, Sample, LogFormat, LogLevel string
	NATSPort, Enrichers                                    int
	SummaryInterval                                        time.Duration
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	f := proc.NewFlags("warta", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, "Usage: warta [flags]\n\nRuns the pipeline on this machine: NATS with JetStream on 127.0.0.1, ingest,\n"+
			"enrichers and index. Drops the sample article in, prints what was indexed, then\n"+
			"streams every service's logs until Ctrl-C, which stops everything cleanly.\n\nFlags:\n")
		f.PrintDefaults()
	}
	self, _ := os.Executable()
	f.StringVar(&c.BinDir, "bin-dir", "WARTA_BIN_DIR", filepath.Dir(self), "folder with the ingest, enrich, index and wartactl binaries")
	f.StringVar(&c.DataDir, "data-dir", "WARTA_DATA_DIR", "./.data", "folder for NATS storage and the index")
	f.IntVar(&c.NATSPort, "nats-port", 4222, "NATS client port on 127.0.0.1")
	f.Env("nats-port", "NATS_PORT")
	f.StringVar(&c.HTTPAddr, "http-addr", "HTTP_ADDR", "127.0.0.1:8080", "address of the search API")
	f.IntVar(&c.Enrichers, "enrichers", 2, "enrich processes to run")
	f.Env("enrichers", "ENRICHERS")
	f.StringVar(&c.Sample, "sample", "WARTA_SAMPLE", "samples/xi-putin-beijing.id.txt", "article to drop in at start (empty: none)")
	f.StringVar(&c.LogFormat, "log-format", "LOG_FORMAT", "console", "services' log format: console or json")
	f.StringVar(&c.LogLevel, "log-level", "LOG_LEVEL", "info", "services' log level")
	f.DurationVar(&c.SummaryInterval, "summary-interval", 15*time.Second, "how often each service looks for a summary line (logged when something changed, or once a minute when idle)")
	f.Env("summary-interval", "SUMMARY_INTERVAL")
	if err := f.Parse(args[1:]); err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	if c.Enrichers < 1 {
		return fmt.Errorf("enrichers %d: run at least 1", c.Enrichers)
	}

	fmt.Fprintf(stdout, "warta: starting NATS on 127.0.0.1:%d, ingest, %d enrichers and index (data in %s)\n", c.NATSPort, c.Enrichers, c.DataDir)
	s, err := stack.Start(ctx, stack.Config{
		BinDir: c.BinDir, DataDir: c.DataDir, NATSPort: c.NATSPort, HTTPAddr: c.HTTPAddr, Enrichers: c.Enrichers,
		Env:    []string{"LOG_FORMAT=" + c.LogFormat, "LOG_LEVEL=" + c.LogLevel, "SUMMARY_INTERVAL=" + c.SummaryInterval.String()},
		Output: stdout,
	})
	if err != nil {
		return err
	}
	if c.Sample != "" {
		if err := ingestSample(ctx, s, c, stdout, stderr); err != nil {
			fmt.Fprintln(stderr, "warta: sample:", err)
		}
	}
	fmt.Fprintf(stdout, "\nwarta: running. Search:  curl '%s/search?q=Putin'   or   %s search Putin\n"+
		"       Drop articles: %s publish --wait FILE...     Stop: Ctrl-C\n"+
		"       Dead letters:  NATS_NKEY=%s %s deadletters list   (each service is its own NATS user;\n"+
		"                      without a key you may drop articles and search, the admin key does the rest)\n\n",
		s.HTTPURL, filepath.Join(c.BinDir, "wartactl"), filepath.Join(c.BinDir, "wartactl"),
		s.Keys[access.Admin].SeedFile, filepath.Join(c.BinDir, "wartactl"))

	var runErr error
	select {
	case <-ctx.Done():
		fmt.Fprintln(stdout, "\nwarta: stopping (in-flight work finishes first)…")
	case p := <-s.Exited():
		runErr = fmt.Errorf("%s exited unexpectedly: %v; stopping the rest", p.Name, p.Err)
		fmt.Fprintln(stderr, "warta:", runErr)
	}
	if err := s.Stop(); err != nil {
		return errors.Join(runErr, err)
	}
	fmt.Fprintln(stdout, "warta: stopped cleanly")
	return runErr
}

// ingestSample drops the sample in with the real client and prints what the
// index made of it.
func ingestSample(ctx context.Context, s *stack.Stack, c config, stdout, stderr io.Writer) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, "wartactl"), "publish", "--wait", "--timeout", "60s", c.Sample)
	cmd.Env = append(os.Environ(), "NATS_URL="+s.NATSURL)
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("wartactl publish: %w", err)
	}
	fmt.Fprintf(stdout, "\nwarta: %s", out)
	id, err := articleID(out)
	if err != nil {
		return err
	}
	return printSummary(ctx, stdout, s.HTTPURL, id)
}
