package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/events"
)

// goodArticle is published after every bad input: the service must still
// turn it into its two paragraphs.
const goodArticle = "Gempa mengguncang Cianjur\n\n" +
	"Gempa bermagnitudo 5,6 mengguncang Cianjur, Jawa Barat, pada Senin siang.\n" +
	"Warga berhamburan keluar rumah dan petugas memeriksa bangunan yang retak."

// TestBadInput runs the real ingest service against a real server, once per
// bad input: each one is dead-lettered at once (one delivery) with its
// original payload and a reason that says what was wrong and what to do,
// the same reason is logged, nothing of it reaches PARAGRAPHS, and the
// service goes on to ingest a good article. The inputs the service accepts
// (control characters, mixed scripts, thousands of tiny paragraphs) are
// checked paragraph by paragraph instead.
func TestBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every kind of bad input through the service")
	}
	rng := rand.New(rand.NewPCG(4, 4))
	png := []byte("\x89PNG\r\n\x1a\n")
	for range 2048 {
		png = append(png, byte(rng.Uint32()))
	}
	// Random bytes with the PNG signature cut off: no magic number to go by.
	garbage := bytes.ReplaceAll(png[8:], []byte{0}, []byte{1})

	tests := []struct {
		name    string
		env     map[string]string
		payload []byte
		// For input that is dead-lettered: words the reason must contain,
		// and whether the stored payload is a truncated copy.
		reason    []string
		truncated bool
		// For input that is ingested: checks on its paragraphs.
		accept func(t *testing.T, ps []events.Paragraph)
	}{
		{
			name:    "invalid JSON",
			payload: []byte(`{"title": "Gempa", "body": "Isi berita`),
			reason:  []string{"not decodable", "JSON article", "missing", `publish one JSON object {"title"`},
		},
		{
			name:    "JSON array",
			payload: []byte(`[{"title": "Gempa", "body": "Isi."}, {"title": "Banjir", "body": "Isi."}]`),
			reason:  []string{"not decodable", "JSON array", "one article per message"},
		},
		{
			name:    "title is a number",
			payload: []byte(`{"title": 42, "body": "Isi berita."}`),
			reason:  []string{"not decodable", `"title" must be a string, not a number`, "string fields"},
		},
		{
			name:    "schema version 2",
			payload: []byte(`{"v": 2, "title": "Gempa", "body": "Isi berita."}`),
			reason:  []string{"unsupported schema version", "v=2", "reads v=1", `omit "v" or set it to 1`},
		},
		{
			name:    "empty title",
			payload: []byte(`{"title": "  ", "body": "Isi berita."}`),
			reason:  []string{"empty title", `no "title"`, `set "title" to the headline`},
		},
		{
			name:    "empty body",
			payload: []byte(`{"title": "Gempa", "body": ""}`),
			reason:  []string{"empty body", `"Gempa" has no "body"`, `set "body" to the article text`},
		},
		{
			name:    "invalid UTF-8",
			payload: []byte("Gempa di Cianjur\n\nCaf\xe9 di Cianjur rusak \x96 kata warga."),
			reason:  []string{"not valid UTF-8", "invalid byte 0xe9 at offset 21", "re-encode the article as UTF-8"},
		},
		{
			name:    "PNG image",
			payload: png,
			reason:  []string{"binary data", "PNG image", "not an article", "send the article as UTF-8 text"},
		},
		{
			name:    "binary garbage",
			payload: garbage,
			reason:  []string{"binary data", "not UTF-8", "send UTF-8 text or a JSON article"},
		},
		{
			name:    "over MAX_ARTICLE_BYTES",
			env:     map[string]string{"MAX_ARTICLE_BYTES": "16384"},
			payload: []byte("Gempa di Cianjur\n\n" + strings.Repeat("Warga berhamburan keluar rumah.\n", 1000)),
			reason:  []string{"too large", "32018 bytes", "limit is 16384 bytes", "split the article", "MAX_ARTICLE_BYTES"},
		},
		{
			name:    "body all markup",
			payload: []byte(`{"title": "Gempa", "body": "<div><br/><script>x</script></div>"}`),
			reason:  []string{"empty body", "only markup", `set "body"`},
		},
		{
			name:    "plain-text body all markup",
			payload: []byte("Gempa di Cianjur\n<div><br/><script>alert(1)</script></div>"),
			reason:  []string{"empty body", "no body (or only markup", "title on the first line and the body below it"},
		},
		{
			// Prose about markup is text: the <script> once ended the
			// article there, four paragraphs becoming one.
			name: "text that mentions a script tag",
			payload: []byte("Security news\n\nThe attack began on Monday.\nHackers used a <script> tag to steal cookies.\n" +
				"Customers were told to change their passwords.\nIf a<b and c>d, nothing is <!-- hidden."),
			accept: func(t *testing.T, ps []events.Paragraph) {
				want := []string{"The attack began on Monday.", "Hackers used a <script> tag to steal cookies.",
					"Customers were told to change their passwords.", "If a<b and c>d, nothing is <!-- hidden."}
				if len(ps) != len(want) {
					t.Fatalf("%d paragraphs, want %d", len(ps), len(want))
				}
				for i, p := range ps {
					if p.Text != want[i] {
						t.Errorf("paragraph %d = %q, want %q", i, p.Text, want[i])
					}
				}
			},
		},
		{
			name:    "3000 one-word paragraphs",
			payload: []byte("Daftar kata\n\n" + strings.Repeat("kata\n", 3000)),
			accept: func(t *testing.T, ps []events.Paragraph) {
				if len(ps) != 3000 {
					t.Fatalf("%d paragraphs, want 3000", len(ps))
				}
				for i, p := range ps {
					if p.Index != i || p.Count != 3000 || p.Text != "kata" || p.Title != "Daftar kata" {
						t.Fatalf("paragraph %d = %+v", i, p)
					}
				}
			},
		},
		{
			name:    "over MAX_PARAGRAPHS",
			payload: []byte("Daftar kata\n\n" + strings.Repeat("kata\n", article.DefaultMaxParagraphs+1)),
			reason:  []string{"too large", "5001 paragraphs", "limit is 5000", "one paragraph per line", "MAX_PARAGRAPHS"},
		},
		{
			name:    "over a lowered MAX_PARAGRAPHS",
			env:     map[string]string{"MAX_PARAGRAPHS": "10"},
			payload: []byte("Daftar kata\n\n" + strings.Repeat("kata\n", 11)),
			reason:  []string{"too large", "11 paragraphs", "limit is 10"},
		},
		{
			// 1,000,000 bytes of quoted speech on one line: its paragraph
			// event would not fit in a NATS message, nor would its tags, so
			// it is cut at sentence ends into paragraphs that do.
			name:    "one paragraph of 1 MB",
			env:     map[string]string{"MAX_ARTICLE_BYTES": strconv.Itoa(2 << 20)},
			payload: []byte("Pidato panjang\n\n" + strings.Repeat(`"Ya," katanya. `, 1_000_000/15)),
			accept: func(t *testing.T, ps []events.Paragraph) {
				if len(ps) < 1_000_000/events.MaxParagraphBytes {
					t.Fatalf("%d paragraphs, want the speech cut into paragraphs of at most %d bytes", len(ps), events.MaxParagraphBytes)
				}
				total := 0
				for i, p := range ps {
					if len(p.Text) > events.MaxParagraphBytes || !strings.HasSuffix(p.Text, "katanya.") {
						t.Fatalf("paragraph %d is %d bytes and ends %q: want at most %d, cut at a sentence end",
							i, len(p.Text), p.Text[max(0, len(p.Text)-20):], events.MaxParagraphBytes)
					}
					total += len(p.Text) + 1
				}
				if want := 1_000_000 / 15 * 15; total != want {
					t.Errorf("paragraphs hold %d bytes with their spaces, want %d: nothing may be lost", total, want)
				}
			},
		},
		{
			name: "control characters",
			payload: []byte("Gempa\x07 di\x1b[31m Cianjur\x1b[0m\n\n" +
				"Gempa\x7f mengguncang\x0b Cianjur\x0c pada\u0080 Senin\u009b siang.\n" +
				"Warga\x01 berhamburan\x1f keluar rumah."),
			accept: func(t *testing.T, ps []events.Paragraph) {
				want := []string{"Gempa mengguncang Cianjur pada Senin siang.", "Warga berhamburan keluar rumah."}
				if len(ps) != len(want) {
					t.Fatalf("%d paragraphs, want %d", len(ps), len(want))
				}
				for i, p := range ps {
					if strings.IndexFunc(p.Text+p.Title, unicode.IsControl) >= 0 {
						t.Errorf("paragraph %d keeps a control character: %q (title %q)", i, p.Text, p.Title)
					}
					if p.Text != want[i] {
						t.Errorf("paragraph %d = %q, want %q", i, p.Text, want[i])
					}
				}
				if ps[0].Title != "Gempa di[31m Cianjur[0m" {
					t.Errorf("title = %q, want the escape codes' control characters dropped", ps[0].Title)
				}
			},
		},
		{
			name: "mixed scripts",
			payload: []byte("Xi Jinping (习近平) bertemu Mohammed bin Salman (محمد بن سلمان) di Beijing 🇨🇳🇸🇦\n\n" +
				"Presiden Tiongkok Xi Jinping (习近平) menerima Putra Mahkota Arab Saudi Mohammed bin Salman " +
				"(محمد بن سلمان) di Balai Agung Rakyat pada hari Selasa. 🤝\n" +
				"Kedua pemimpin membahas kerja sama energi, perdagangan dan investasi antara kedua negara, " +
				"termasuk proyek kilang minyak di Provinsi Fujian (福建省). 👩\u200d💻 cafe\u0301\n"),
			accept: func(t *testing.T, ps []events.Paragraph) {
				want := []string{
					"Presiden Tiongkok Xi Jinping (习近平) menerima Putra Mahkota Arab Saudi Mohammed bin Salman " +
						"(محمد بن سلمان) di Balai Agung Rakyat pada hari Selasa. 🤝",
					"Kedua pemimpin membahas kerja sama energi, perdagangan dan investasi antara kedua negara, " +
						"termasuk proyek kilang minyak di Provinsi Fujian (福建省). 👩\u200d💻 caf\u00e9",
				}
				if len(ps) != len(want) {
					t.Fatalf("%d paragraphs, want %d", len(ps), len(want))
				}
				for i, p := range ps {
					// Every script and emoji sequence (flags, ZWJ) comes
					// through byte for byte, and "e" with a combining acute
					// is composed (NFC), so the byte offsets later stages
					// compute in Text are offsets into valid, composed text.
					if p.Text != want[i] || !utf8.ValidString(p.Text) {
						t.Errorf("paragraph %d = %q, want %q", i, p.Text, want[i])
					}
					if p.Lang != "id" {
						t.Errorf("paragraph %d lang = %q, want id", i, p.Lang)
					}
					if p.Index != i || p.Count != len(want) || p.ID != events.ParagraphID(p.ArticleID, i) {
						t.Errorf("paragraph %d has index %d of %d, id %q", i, p.Index, p.Count, p.ID)
					}
				}
				if !strings.HasSuffix(ps[0].Title, "(محمد بن سلمان) di Beijing 🇨🇳🇸🇦") {
					t.Errorf("title = %q, lost its scripts or flags", ps[0].Title)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startIngest(t, tt.env)
			h.publish(tt.payload)
			h.publish([]byte(goodArticle))
			h.waitIdle()
			if tt.accept != nil {
				ps := h.paragraphs()
				var mine []events.Paragraph
				for _, p := range ps {
					if p.ArticleID != h.goodID {
						mine = append(mine, p)
					}
				}
				if len(ps)-len(mine) != 2 {
					t.Errorf("the good article has %d paragraphs in the stream, want 2", len(ps)-len(mine))
				}
				tt.accept(t, mine)
				if n := h.streamMsgs(events.StreamDeadLetter); n != 0 {
					t.Errorf("%d dead letters, want none", n)
				}
				h.stop()
				return
			}

			if n := h.streamMsgs(events.StreamDeadLetter); n != 1 {
				t.Fatalf("%d dead letters, want 1", n)
			}
			dl := h.deadLetter()
			switch {
			case dl.Stage != events.StageIngest, dl.Subject != events.SubjectArticlesNew, dl.Stream != events.StreamArticles:
				t.Errorf("dead letter stage %q, subject %q, stream %q; want ingest, articles.new, ARTICLES", dl.Stage, dl.Subject, dl.Stream)
			case dl.Deliveries != 1:
				t.Errorf("dead-lettered after %d deliveries; bad input is permanent and must not be retried", dl.Deliveries)
			case dl.PayloadBytes != len(tt.payload):
				t.Errorf("payload_bytes = %d, want %d", dl.PayloadBytes, len(tt.payload))
			case dl.PayloadTruncated != tt.truncated:
				t.Errorf("payload_truncated = %v, want %v", dl.PayloadTruncated, tt.truncated)
			case !tt.truncated && !bytes.Equal(dl.Payload, tt.payload):
				t.Errorf("stored payload (%d bytes) is not the original (%d bytes)", len(dl.Payload), len(tt.payload))
			case tt.truncated && (len(dl.Payload) == 0 || !bytes.HasPrefix(tt.payload, dl.Payload)):
				t.Errorf("stored payload (%d bytes) is not a prefix of the original", len(dl.Payload))
			}
			for _, w := range tt.reason {
				if !strings.Contains(dl.Reason, w) {
					t.Errorf("reason %q does not say %q", dl.Reason, w)
				}
			}
			if len(dl.Reason) > 1000 {
				t.Errorf("reason is %d bytes; keep it to a readable line", len(dl.Reason))
			}
			// Nothing of the bad input was published: the service went on
			// to the good article, and only its paragraphs are there.
			ps := h.paragraphs()
			for _, p := range ps {
				if p.ArticleID != h.goodID {
					t.Errorf("paragraph %s of the bad input was published", p.ID)
				}
			}
			if len(ps) != 2 {
				t.Errorf("PARAGRAPHS has %d messages, want the good article's 2", len(ps))
			}
			h.stop()
			if !h.logged("dead letter", dl.Reason) {
				t.Errorf("no %q log line with reason %q", "dead letter", dl.Reason)
			}
		})
	}
}

// ingestHarness is one ingest service running against its own server.
type ingestHarness struct {
	t      *testing.T
	ctx    context.Context
	url    string
	js     jetstream.JetStream
	logs   *bustest.LogBuffer
	goodID string
	stop   func()
}

// startIngest starts a server and the ingest service with env on top of
// the test defaults; the service is stopped at the latest when the test
// ends, and must stop without error.
func startIngest(t *testing.T, env map[string]string) *ingestHarness {
	t.Helper()
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	e := map[string]string{"NATS_URL": srv.ClientURL(), "SUMMARY_INTERVAL": "0"}
	for k, v := range env {
		e[k] = v
	}
	h := &ingestHarness{t: t, ctx: ctx, url: srv.ClientURL(), logs: &bustest.LogBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(h.logs.String())
		}
	})
	runCtx, stopRun := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(runCtx, []string{"ingest"}, func(k string) string { return e[k] }, h.logs, h.logs)
	}()
	var stopped bool
	h.stop = func() {
		if stopped {
			return
		}
		stopped = true
		stopRun()
		if err := <-done; err != nil {
			t.Errorf("service: %v", err)
		}
	}
	t.Cleanup(h.stop)

	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	h.js = bustest.JetStream(t, nc)
	bustest.WaitFor(t, func() bool {
		_, err := h.js.Consumer(ctx, events.StreamArticles, events.ConsumerIngest)
		return err == nil
	})
	good, err := article.Parse([]byte(goodArticle), article.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h.goodID = good.ID
	return h
}

func (h *ingestHarness) publish(payload []byte) {
	h.t.Helper()
	if _, err := h.js.Publish(h.ctx, events.SubjectArticlesNew, payload); err != nil {
		h.t.Fatalf("publish %d bytes: %v", len(payload), err)
	}
}

func (h *ingestHarness) streamMsgs(stream string) uint64 {
	h.t.Helper()
	s, err := h.js.Stream(h.ctx, stream)
	if err != nil {
		h.t.Fatal(err)
	}
	info, err := s.Info(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return info.State.Msgs
}

// waitIdle waits until the ingest consumer has acked (or terminated) every
// article in ARTICLES: a message is acked only once its paragraphs or
// its dead letter are stored, so then every output is in its stream. (The
// consumer's pending counts alone can lag just after a publish.)
func (h *ingestHarness) waitIdle() {
	h.t.Helper()
	s, err := h.js.Stream(h.ctx, events.StreamArticles)
	if err != nil {
		h.t.Fatal(err)
	}
	info, err := s.Info(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	last := info.State.LastSeq
	bustest.WaitFor(h.t, func() bool {
		c, err := h.js.Consumer(h.ctx, events.StreamArticles, events.ConsumerIngest)
		if err != nil {
			return false
		}
		info, err := c.Info(h.ctx)
		return err == nil && info.AckFloor.Stream >= last && info.NumPending == 0 && info.NumAckPending == 0
	})
}

// deadLetter reads the one dead letter of the ingest stage.
func (h *ingestHarness) deadLetter() events.DeadLetter {
	h.t.Helper()
	cons, err := h.js.OrderedConsumer(h.ctx, events.StreamDeadLetter, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{events.DeadLetterSubject(events.StageIngest)},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		h.t.Fatalf("no dead letter on %s: %v", events.DeadLetterSubject(events.StageIngest), err)
	}
	var dl events.DeadLetter
	if err := events.Unmarshal(m.Data(), &dl); err != nil {
		h.t.Fatal(err)
	}
	return dl
}

// paragraphs reads every paragraph event in the stream.
func (h *ingestHarness) paragraphs() []events.Paragraph {
	h.t.Helper()
	n := h.streamMsgs(events.StreamParagraphs)
	cons, err := h.js.OrderedConsumer(h.ctx, events.StreamParagraphs, jetstream.OrderedConsumerConfig{})
	if err != nil {
		h.t.Fatal(err)
	}
	ps := make([]events.Paragraph, 0, n)
	for uint64(len(ps)) < n {
		batch, err := cons.Fetch(int(min(n-uint64(len(ps)), 1000)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			h.t.Fatal(err)
		}
		got := 0
		for m := range batch.Messages() {
			p, err := events.DecodeParagraph(m.Data())
			if err != nil {
				h.t.Fatalf("paragraph event: %v", err)
			}
			ps = append(ps, p)
			got++
		}
		if batch.Error() != nil || got == 0 {
			h.t.Fatalf("read %d of %d paragraphs: %v", len(ps), n, batch.Error())
		}
	}
	return ps
}

// logged reports whether the service logged a line with message msg and
// reason reason.
func (h *ingestHarness) logged(msg, reason string) bool {
	for _, line := range strings.Split(h.logs.String(), "\n") {
		var l struct {
			Msg    string `json:"msg"`
			Reason string `json:"reason"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == msg && l.Reason == reason {
			return true
		}
	}
	return false
}
