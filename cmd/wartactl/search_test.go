package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/events"
)

// startIndex runs the index binary against a NATS server of its own and
// returns the server's URL, a JetStream context on it and the base URL of
// the index's API, once the index is ready.
func startIndex(t *testing.T, ctx context.Context) (natsURL string, js jetstream.JetStream, base string) {
	t.Helper()
	srv := bustest.Server(t)
	ix := startService(t, "index", "NATS_URL="+srv.ClientURL(), "HTTP_ADDR=127.0.0.1:0", "INDEX_DIR="+t.TempDir(), "SUMMARY_INTERVAL=0")
	base = bustest.ServedURL(t, ix.logs, "serving search")
	bustest.WaitFor(t, func() bool { return bustest.Status(base+"/readyz") == http.StatusOK })
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return srv.ClientURL(), bustest.JetStream(t, nc), base
}

// entity is a name a test paragraph mentions.
type entity struct {
	text, canonical string
	typ             events.EntityType
}

// indexArticle publishes an article as enriched paragraphs, each text
// tagged with the names of names it contains, and waits until the index
// has announced it complete.
func indexArticle(t *testing.T, ctx context.Context, js jetstream.JetStream, id, title string, texts []string, names ...entity) {
	t.Helper()
	for i, text := range texts {
		p := events.EnrichedParagraph{Paragraph: events.Paragraph{V: 1, ID: events.ParagraphID(id, i), ArticleID: id,
			Version: "v1", ArticleSeq: 1, Index: i, Count: len(texts), Title: title, Lang: "id", PublishedAt: "2025-09-02T00:00:00Z", Text: text},
			Entities: []events.Entity{}, Dates: []events.Date{}}
		for _, n := range names {
			if at := strings.Index(text, n.text); at >= 0 {
				p.Entities = append(p.Entities, events.Entity{Text: n.text, Type: n.typ, Start: at, End: at + len(n.text), Canonical: n.canonical})
			}
		}
		data, err := events.Marshal(&p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish(ctx, events.SubjectEnriched, data); err != nil {
			t.Fatal(err)
		}
	}
	bustest.WaitFor(t, func() bool {
		indexed, err := js.Stream(ctx, events.StreamIndexed)
		if err != nil {
			return false
		}
		_, err = indexed.GetLastMsgForSubject(ctx, events.IndexedSubject(id))
		return err == nil
	})
}

// TestSearchCommand runs "wartactl search" against a running index: flags
// after the words, an entity as written, plain text (no colour codes) when
// the output is not a terminal, and the API's JSON with --json.
func TestSearchCommand(t *testing.T) {
	binary(t, "index") // built before the test's clock starts
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, js, base := startIndex(t, ctx)
	indexArticle(t, ctx, js, "art1", "Xi menyambut Putin", []string{
		"Presiden Tiongkok Xi Jinping telah menyambut Putin di Beijing.",
		"Putin memuji hubungan Moskow dengan Beijing pada hari Selasa.",
	}, entity{"Tiongkok", "China", events.Location}, entity{"Xi Jinping", "Xi Jinping", events.Person},
		entity{"Putin", "Vladimir Putin", events.Person}, entity{"Moskow", "Moscow", events.Location})
	getenv := func(string) string { return "" }

	var out bytes.Buffer
	if err := run(ctx, []string{"wartactl", "search", "--url", base, "Beijing", "--entity", "tiongkok"}, getenv, nil, &out, &out); err != nil {
		t.Fatalf("search: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "1 article matches") || !strings.Contains(out.String(), "Xi Jinping") ||
		!strings.Contains(out.String(), "*Beijing*") || strings.Contains(out.String(), "\x1b[") {
		t.Errorf("search for Beijing with entity tiongkok:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"wartactl", "search", "--url", base, "--json", "putin", "--group", "paragraph"}, getenv, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"total":2`) || !strings.Contains(out.String(), `\u003cmark\u003ePutin`) {
		t.Errorf("search for putin: want 2 paragraph hits with highlights:\n%s", out.String())
	}
	out.Reset()
	err := run(ctx, []string{"wartactl", "search", "--url", base, "--type", "ANIMAL"}, getenv, nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "ANIMAL") {
		t.Errorf("search --type ANIMAL: %v, want the API's error naming it\n%s", err, out.String())
	}
}

// TestAlertsCommand runs "wartactl alerts": add, ls, follow (the alert of
// an article indexed afterwards, from NATS) and rm, against a running index.
func TestAlertsCommand(t *testing.T) {
	binary(t, "index") // built before the test's clock starts
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	natsURL, js, base := startIndex(t, ctx)
	env := map[string]string{"INDEX_URL": base, "NATS_URL": natsURL}
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"wartactl", "alerts"}, args...), func(k string) string { return env[k] }, nil, &out, &out)
		return out.String(), err
	}

	out, err := cli("add", "floods", "--entity", "Semarang", "banjir")
	if err != nil || !strings.Contains(out, `standing search floods: "banjir" --entity Semarang; its alerts go to alerts.floods`) {
		t.Fatalf("alerts add: %v\n%s", err, out)
	}
	if out, err := cli("ls"); err != nil || out != "floods\t\"banjir\" --entity Semarang\n" {
		t.Errorf("alerts ls: %v\n%q", err, out)
	}
	indexArticle(t, ctx, js, "flood-1", "Banjir melanda Semarang", []string{"Banjir besar melanda Semarang sejak Senin malam."},
		entity{"Semarang", "Semarang", events.Location})
	if out, err := cli("follow", "floods", "--since", "1h", "--count", "1"); err != nil ||
		!strings.Contains(out, `"alert":"floods","article_id":"flood-1"`) || strings.Count(out, "\n") != 1 {
		t.Errorf("alerts follow floods --since 1h --count 1: %v\n%s", err, out)
	}
	if out, err := cli("rm", "floods"); err != nil || !strings.Contains(out, "standing search floods deleted") {
		t.Errorf("alerts rm: %v\n%s", err, out)
	}
	if out, err := cli("ls"); err != nil || out != "" {
		t.Errorf("alerts ls after rm: %v\n%q", err, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "needs a command"},
		{[]string{"add", "china.tariffs", "China", "tariffs"}, `"china.tariffs" contains '.'`},
		{[]string{"rm", "floods"}, "floods"},
		{[]string{"follow", "a", "b"}, "at most one NAME"},
	} {
		if out, err := cli(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("alerts %v: error %v, want %q\n%s", tc.args, err, tc.want, out)
		}
	}
}

// TestHitPlace: the CLI shows a hit's id, language and date, leaving out
// what is missing, and a date made from a dateline as the date.
func TestHitPlace(t *testing.T) {
	for _, tc := range []struct{ id, lang, published, want string }{
		{"a1", "id", "2025-09-02T00:00:00Z", "a1, id, 2025-09-02"},
		{"a1", "en", "", "a1, en"},
		{"a1", "en", "2025-09-02T10:30:00+07:00", "a1, en, 2025-09-02T10:30:00+07:00"},
	} {
		if got := joinSet(tc.id, tc.lang, shortTime(tc.published)); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc, got, tc.want)
		}
	}
}
