package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/alerts"
)

const alertsUsage = `Usage:
  wartactl alerts add NAME [flags] [QUERY...]   create or replace the standing search NAME
  wartactl alerts ls [--json]                   list the standing searches
  wartactl alerts rm NAME                       delete the standing search NAME
  wartactl alerts follow [NAME] [--since DURATION] [--count N]
                                                print the alerts of NAME (every search without NAME) as JSON lines

A standing search is a search kept running: each article that becomes searchable
after "add" returns is checked against it, and for each match the index publishes
an alert on the NATS subject alerts.NAME (stream ALERTS). QUERY and the filters
are those of "wartactl search". NAME is letters, digits, '-' and '_'.

  wartactl alerts add floods --entity Semarang banjir
  wartactl alerts follow floods --since 1h

add, ls and rm use the index's HTTP API (--url); follow reads the ALERTS stream
from NATS (--nats-url and the other NATS flags): from now, or --since DURATION
ago. Run "wartactl alerts CMD --help" for the flags of each.
`

// runAlerts runs "wartactl alerts CMD".
func runAlerts(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, alertsUsage)
		return errors.New(`"wartactl alerts" needs a command: add, ls, rm or follow`)
	}
	switch args[0] {
	case "add":
		return alertsAdd(ctx, args[1:], getenv, stdout, stderr)
	case "ls", "list":
		return alertsList(ctx, args[1:], getenv, stdout, stderr)
	case "rm", "delete":
		return alertsRemove(ctx, args[1:], getenv, stdout, stderr)
	case "follow":
		return alertsFollow(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, alertsUsage)
		return nil
	}
	return fmt.Errorf("unknown command %q: use wartactl alerts add, ls, rm or follow", args[0])
}

// alertsFlags returns the flags of an alerts command with the index's URL.
func alertsFlags(cmd, usage string, getenv func(string) string, stderr io.Writer) (*proc.Flags, *string) {
	f := proc.NewFlags("wartactl alerts "+cmd, getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, usage, "\nFlags:\n")
		f.PrintDefaults()
	}
	base := new(string)
	f.StringVar(base, "url", "INDEX_URL", "http://127.0.0.1:8080", "base URL of the index's HTTP API")
	return f, base
}

func alertURL(base, name string) string {
	return strings.TrimRight(base, "/") + "/alerts/" + url.PathEscape(name)
}

func alertsAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, base := alertsFlags("add", "Usage: wartactl alerts add NAME [flags] [QUERY...]\n\n"+
		"Creates the standing search NAME, or replaces it. QUERY is what \"wartactl search\" takes\n"+
		"(words, \"a phrase\", -excluded, OR); it may be empty when a filter is given. Flags may\n"+
		"come anywhere: wartactl alerts add china-tariffs China tariffs --lang en\n", getenv, stderr)
	filters := matchFlags(f)
	words, err := parseInterspersed(f, args)
	if err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	if len(words) == 0 {
		return errors.New("wartactl alerts add needs a NAME: wartactl alerts add NAME [flags] [QUERY...]")
	}
	name := words[0]
	if err := events.CheckAlertName(name); err != nil {
		return err
	}
	search := map[string]any{"q": strings.Join(words[1:], " ")}
	for k, v := range filters() {
		search[k] = v
		if k == "entity" || k == "type" {
			search[k] = commaList(v)
		}
	}
	body, err := json.Marshal(search)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	answer, err := call(ctx, "PUT", alertURL(*base, name), body)
	if err != nil {
		return err
	}
	var e alerts.EntryJSON
	if err := json.Unmarshal(answer, &e); err != nil {
		return fmt.Errorf("read the answer: %w", err)
	}
	fmt.Fprintf(stdout, "standing search %s: %s; its alerts go to %s\n", e.Name, describe(e.StandingSearch), events.AlertSubject(e.Name))
	return nil
}

// describe writes a standing search as the flags that make it.
func describe(s events.StandingSearch) string {
	var parts []string
	if s.Q != "" {
		parts = append(parts, fmt.Sprintf("%q", s.Q))
	}
	for _, p := range []struct{ name, v string }{
		{"entity", strings.Join(s.Entity, ",")}, {"type", strings.Join(s.Type, ",")}, {"lang", s.Lang},
		{"from", s.From}, {"to", s.To}, {"mentioned-from", s.MentionedFrom}, {"mentioned-to", s.MentionedTo},
	} {
		if p.v != "" {
			parts = append(parts, "--"+p.name+" "+p.v)
		}
	}
	return strings.Join(parts, " ")
}

func alertsList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, base := alertsFlags("ls", "Usage: wartactl alerts ls [--json]\n\nLists the standing searches, one a line: NAME and what it asks for.\n", getenv, stderr)
	asJSON := f.Bool("json", false, "print the API's JSON answer as it is")
	if err := f.Parse(args); err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	answer, err := get(ctx, strings.TrimRight(*base, "/")+"/alerts")
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := stdout.Write(answer)
		return err
	}
	var list struct {
		Alerts []alerts.EntryJSON `json:"alerts"`
	}
	if err := json.Unmarshal(answer, &list); err != nil {
		return fmt.Errorf("read the answer: %w", err)
	}
	for _, e := range list.Alerts {
		fmt.Fprintf(stdout, "%s\t%s\n", e.Name, describe(e.StandingSearch))
	}
	return nil
}

func alertsRemove(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, base := alertsFlags("rm", "Usage: wartactl alerts rm NAME\n\nDeletes the standing search NAME: no alert of it is published after this returns.\n", getenv, stderr)
	names, err := parseInterspersed(f, args)
	if err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	if len(names) != 1 {
		return errors.New("wartactl alerts rm takes one NAME")
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := call(ctx, "DELETE", alertURL(*base, names[0]), nil); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "standing search %s deleted\n", names[0])
	return nil
}

func alertsFollow(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := proc.NewFlags("wartactl alerts follow", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, "Usage: wartactl alerts follow [NAME] [--since DURATION] [--count N]\n\n"+
			"Prints the alerts of the standing search NAME (of every one without NAME) as JSON\n"+
			"lines, as they come, until interrupted: from now, or from DURATION ago (--since 1h)\n"+
			"out of the ALERTS stream.\n\nFlags:\n")
		f.PrintDefaults()
	}
	var nc bus.NATSConfig
	nc.Register(f)
	since := f.Duration("since", 0, "print the alerts of this long ago first (1h, 30m); 0 starts from now")
	count := f.Int("count", 0, "stop after this many alerts (0: follow until interrupted)")
	names, err := parseInterspersed(f, args)
	if err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	subject := events.SubjectAlertsPrefix + ">"
	switch len(names) {
	case 0:
	case 1:
		if err := events.CheckAlertName(names[0]); err != nil {
			return err
		}
		subject = events.AlertSubject(names[0])
	default:
		return errors.New("wartactl alerts follow takes at most one NAME")
	}
	if *since < 0 || *count < 0 {
		return errors.New("--since and --count must not be negative")
	}
	if err := nc.Validate(); err != nil {
		return err
	}
	conn, js, err := bus.Connect(ctx, nc, "wartactl-alerts-follow", zap.NewNop())
	if err != nil {
		return err
	}
	defer conn.Close()
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}, DeliverPolicy: jetstream.DeliverNewPolicy}
	if *since > 0 {
		start := time.Now().Add(-*since)
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &start
	}
	cons, err := js.OrderedConsumer(ctx, events.StreamAlerts, cfg)
	if err != nil {
		return fmt.Errorf("follow %s: %w (is the index running? it creates the stream)", events.StreamAlerts, err)
	}
	msgs, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("follow %s: %w", events.StreamAlerts, err)
	}
	defer msgs.Stop()
	go func() {
		<-ctx.Done()
		msgs.Stop()
	}()
	for n := 0; *count == 0 || n < *count; n++ {
		m, err := msgs.Next()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return nil
			}
			return fmt.Errorf("follow %s: %w", events.StreamAlerts, err)
		}
		if _, err := fmt.Fprintf(stdout, "%s\n", m.Data()); err != nil {
			return err
		}
	}
	return nil
}

// commaList reads a comma-separated flag value.
func commaList(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
