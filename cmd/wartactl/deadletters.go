package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/deadletter"
	"github.com/warta-news/warta/pkg/bus/proc"
)

const deadlettersUsage = `Usage:
  wartactl deadletters list [flags]                     list dead letters with their reasons
  wartactl deadletters replay [flags] SEQ... | --all    republish dead letters to their original subjects

A dead letter is a message a stage (ingest, enrich, index) could not process,
kept in the DEADLETTER stream with the stage, the reason, the delivery count
and the original payload. Fix the cause (a bug, a full disk, a bad article),
then replay: each payload is published again to the subject it came from with
a fresh message id, and its dead letter is deleted (--keep keeps it). SEQ is
the number "list" shows.

Run "wartactl deadletters list --help" or "wartactl deadletters replay --help" for the flags.
`

func runDeadletters(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, deadlettersUsage)
		return errors.New("deadletters: name a command, list or replay")
	}
	switch args[0] {
	case "list":
		return runDeadlettersList(ctx, args[1:], getenv, stdout, stderr)
	case "replay":
		return runDeadlettersReplay(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, deadlettersUsage)
		return nil
	}
	fmt.Fprint(stderr, deadlettersUsage)
	return fmt.Errorf("deadletters: unknown command %q: use list or replay", args[0])
}

func runDeadlettersList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var conf bus.NATSConfig
	var f deadletter.Filter
	var asJSON bool
	fs := proc.NewFlags("wartactl deadletters list", getenv, stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: wartactl deadletters list [flags]\n\n"+
			"Lists the most recent dead letters, oldest first: SEQ (the number to replay), when,\n"+
			"the stage, deliveries, the reason, the original subject and the payload's size and start.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	conf.Register(fs)
	fs.FlagSet.StringVar(&f.Stage, "stage", "", "only the dead letters of this stage (ingest, enrich, index)")
	fs.IntVar(&f.Limit, "limit", 100, "show the most recent N (0 = all)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object per line, with the whole payload (base64)")
	if err := fs.Parse(args); err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: list takes only flags", fs.Arg(0))
	}
	if f.Limit < 0 {
		return fmt.Errorf("limit %d: use 0 (all) or more", f.Limit)
	}
	return withJetStream(ctx, conf, func(ctx context.Context, js deadletter.JetStream) error {
		entries, err := deadletter.List(ctx, js, f)
		if err != nil {
			return err
		}
		if asJSON {
			for _, e := range entries {
				line, err := json.Marshal(e)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%s\n", line)
			}
			return nil
		}
		if len(entries) == 0 {
			fmt.Fprintln(stdout, "no dead letters")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tTIME\tSTAGE\tDELIVERIES\tSUBJECT\tPAYLOAD\tREASON")
		for _, e := range entries {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", e.Seq, e.Time.UTC().Format(time.RFC3339), e.Stage,
				e.Deliveries, e.Subject, payloadSummary(e), oneLine(e.Reason, 200))
		}
		return tw.Flush()
	})
}

// payloadSummary shows a payload's size and its first bytes.
func payloadSummary(e deadletter.Entry) string {
	s := fmt.Sprintf("%dB", e.PayloadBytes)
	if e.PayloadTruncated {
		s += " (truncated)"
	}
	return s + " " + strconv.Quote(oneLine(string(e.Payload), 40))
}

// oneLine cuts s to n bytes on a rune boundary, newlines shown as spaces.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func runDeadlettersReplay(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var conf bus.NATSConfig
	var stage string
	var all, keep bool
	fs := proc.NewFlags("wartactl deadletters replay", getenv, stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: wartactl deadletters replay [flags] SEQ... | --all\n\n"+
			"Publishes the payload of each dead letter again to its original subject, with a fresh\n"+
			"message id, then deletes the dead letter. SEQ is the number \"wartactl deadletters list\"\n"+
			"shows. A dead letter whose payload was truncated is replayed from the original message\n"+
			"if its stream still has it, and refused otherwise.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	conf.Register(fs)
	fs.FlagSet.StringVar(&stage, "stage", "", "only dead letters of this stage (with --all: every one of it)")
	fs.BoolVar(&all, "all", false, "replay every dead letter (of --stage, if given)")
	fs.BoolVar(&keep, "keep", false, "keep the dead letters after replaying them")
	if err := fs.Parse(args); err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	var seqs []uint64
	for _, a := range fs.Args() {
		n, err := strconv.ParseUint(a, 10, 64)
		if err != nil || n == 0 {
			return fmt.Errorf("%q is not a dead letter number: give the SEQ that \"wartactl deadletters list\" shows", a)
		}
		seqs = append(seqs, n)
	}
	switch {
	case all && len(seqs) > 0:
		return errors.New("give either SEQ numbers or --all, not both")
	case !all && len(seqs) == 0:
		fs.Usage()
		return errors.New("nothing to replay: give SEQ numbers, or --all")
	}
	return withJetStream(ctx, conf, func(ctx context.Context, js deadletter.JetStream) error {
		var entries []deadletter.Entry
		var failed int
		if all {
			var err error
			if entries, err = deadletter.List(ctx, js, deadletter.Filter{Stage: stage}); err != nil {
				return err
			}
		}
		for _, seq := range seqs {
			e, err := deadletter.Get(ctx, js, seq, stage)
			if err != nil {
				fmt.Fprintf(stderr, "%d: %v\n", seq, err)
				failed++
				continue
			}
			entries = append(entries, e)
		}
		total := failed + len(entries)
		for _, e := range entries {
			r, err := deadletter.Replay(ctx, js, e, deadletter.Options{Keep: keep})
			if err != nil {
				fmt.Fprintf(stderr, "%d: %v\n", e.Seq, err)
				failed++
				continue
			}
			from := ""
			if r.FromStream {
				from = fmt.Sprintf(" (whole payload from %s %d)", e.Stream, e.StreamSeq)
			}
			fmt.Fprintf(stdout, "replayed %d (%s) to %s as %s %d%s\n", e.Seq, e.Stage, e.Subject, r.NewStream, r.NewSeq, from)
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d dead letters not replayed", failed, total)
		}
		if total == 0 {
			fmt.Fprintln(stdout, "no dead letters to replay")
		}
		return nil
	})
}

// withJetStream connects, runs fn, and disconnects.
func withJetStream(ctx context.Context, conf bus.NATSConfig, fn func(context.Context, deadletter.JetStream) error) error {
	if err := conf.Validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// A person is waiting: give up on an unreachable server after 15s.
	cctx, ccancel := context.WithTimeout(ctx, 15*time.Second)
	defer ccancel()
	nc, js, err := bus.Connect(cctx, conf, "wartactl-deadletters", zap.NewNop())
	if err != nil {
		return err
	}
	defer nc.Close()
	// The server answers a subject this user may not use with an error on
	// the connection, not on the call: end the call at once with it.
	ctx, refuse := context.WithCancelCause(ctx)
	defer refuse(nil)
	nc.SetErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		if errors.Is(err, nats.ErrPermissionViolation) {
			refuse(err)
		}
	})
	err = fn(ctx, js)
	if cause := context.Cause(ctx); errors.Is(cause, nats.ErrPermissionViolation) {
		return fmt.Errorf("the NATS server refused this user: %v; dead letters need an operator's credentials "+
			"(under make run: NATS_NKEY=.data/nats/keys/admin.nk, which it prints at start)", cause)
	}
	return err
}
