package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/bustest"
	"github.com/warta-news/warta/pkg/bus/message"
	"github.com/warta-news/warta/pkg/events"
)

// TestRequestsBounded runs the real service with MAX_REQUESTS=1 and
// REQUEST_TIMEOUT=4s. A client that asks for a large article and never
// reads it holds the one slot only until the deadline: meanwhile a search,
// over HTTP or NATS, gets 503 with Retry-After at once instead of waiting
// or piling up; past the deadline the index gives up on the slow reader
// (its answer is cut) and answers again. Before, nothing bounded the
// requests at once, the 10 s request timeout did not cover writing, and
// the slow reader held its answer in memory for as long as it stayed
// connected.
func TestRequestsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the service with slow requests")
	}
	srv := bustest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base, logs, stop := startService(ctx, t, map[string]string{"NATS_URL": srv.ClientURL(), "INDEX_DIR": t.TempDir(),
		"SUMMARY_INTERVAL": "0", "MAX_REQUESTS": "1", "REQUEST_TIMEOUT": "4s"})
	addr := strings.TrimPrefix(base, "http://")

	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js := bustest.JetStream(t, nc)
	// An article of 400 paragraphs of 16 KB (the longest there are), 6.4 MB
	// in all: far more than the kernel buffers of a connection hold, so its
	// writer blocks on a client that does not read.
	const paragraphs = 400
	var outs []message.Out
	for i := range paragraphs {
		text := fmt.Sprintf("Paragraf %d. ", i) + strings.Repeat("kata yang panjang sekali ", (events.MaxParagraphBytes-100)/25)
		e := events.EnrichedParagraph{Paragraph: events.Paragraph{V: 1, ID: events.ParagraphID("big", i), ArticleID: "big",
			Version: "v1", Index: i, Count: paragraphs, Title: "Artikel besar", Lang: "id", PublishedAt: "2025-09-02",
			Text: text}, Entities: []events.Entity{}, Dates: []events.Date{}}
		data, err := events.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, message.Out{Subject: events.SubjectEnriched, Data: data})
	}
	if err := bus.Publish(ctx, js, outs, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// 6.4 MB of text to index takes long under the race detector on a
	// loaded machine (over WaitFor's 20 s once).
	bustest.WaitWithin(t, 80*time.Second, func() bool { return strings.Contains(logs.String(), `"article indexed"`) })

	// The slow reader: a small receive window, and it reads nothing.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.(*net.TCPConn).SetReadBuffer(4 << 10)
	if _, err := io.WriteString(conn, "GET /articles/big HTTP/1.1\r\nHost: index\r\n\r\n"); err != nil {
		t.Fatal(err)
	}

	// While it holds the slot, a search is turned away at once.
	var busy *http.Response
	bustest.WaitFor(t, func() bool {
		resp, err := http.Get(base + "/search?q=kata")
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			busy = resp
			return true
		}
		return false
	})
	if ra := busy.Header.Get("Retry-After"); ra == "" {
		t.Errorf("503 without Retry-After: %v", busy.Header)
	}
	msg, err := nc.Request(events.SubjectSearch, []byte(`{"q": "kata"}`), 5*time.Second)
	switch {
	case err != nil:
		t.Errorf("search over NATS while busy: %v", err)
	case msg.Header.Get(micro.ErrorCodeHeader) != "503" || msg.Header.Get("Retry-After") == "":
		t.Errorf("search over NATS while busy: code %q, Retry-After %q (%s), want 503 with Retry-After",
			msg.Header.Get(micro.ErrorCodeHeader), msg.Header.Get("Retry-After"), msg.Header.Get(micro.ErrorHeader))
	}

	// Past the deadline the index gives up on the slow reader, whose
	// connection still holds the only slot if it did not, and answers again.
	bustest.WaitFor(t, func() bool { return bustest.Status(base+"/search?q=kata") == http.StatusOK })
	// What the slow reader gets now is cut: the index stopped writing. (A
	// whole answer would come in well under a second over loopback; a cut
	// one ends in a timeout, as the kernel drops what the index had queued.)
	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("slow reader: %v", err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil || n >= resp.ContentLength {
		t.Errorf("the slow reader got %d of %d bytes (%v), long after the deadline; want a cut answer", n, resp.ContentLength, err)
	}

	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
