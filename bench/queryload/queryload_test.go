package queryload_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/warta-news/warta/bench/queryload"
	"github.com/warta-news/warta/bench/querymix"
)

func query(kind querymix.Kind, q string) querymix.Query {
	return querymix.Query{Kind: kind, Params: url.Values{"q": {q}}}
}

// TestFire checks that searches go out at their pace without waiting for
// the answers before them, and that each answer's status and hits are
// recorded and summed up by kind.
func TestFire(t *testing.T) {
	second := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("q") {
		case "slow":
			// Answers only once the next search has come in: a loader
			// that waited for this answer before sending it would not
			// get one for 5 s, and the test sees a 504.
			select {
			case <-second:
			case <-time.After(5 * time.Second):
				w.WriteHeader(http.StatusGatewayTimeout)
				return
			}
			fmt.Fprint(w, `{"total": 7, "took_ms": 1.5, "hits": []}`)
		case "next":
			once.Do(func() { close(second) })
			fmt.Fprint(w, `{"total": 0, "took_ms": 0.25, "hits": []}`)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	qs := []querymix.Query{query(querymix.Common, "slow"), query(querymix.Rare, "next"), query(querymix.Rare, "busy")}
	as := queryload.Fire(context.Background(), queryload.Config{URL: srv.URL, Rate: 50, Wait: 10 * time.Second}, qs)
	if len(as) != 3 {
		t.Fatalf("%d answers, want 3", len(as))
	}
	if as[0].Status != http.StatusOK || as[0].Total != 7 || as[0].Took != 1500*time.Microsecond {
		t.Errorf("first search: %+v, want 200 with 7 hits in 1.5 ms (the second one must go out before it is answered)", as[0])
	}
	if as[1].Status != http.StatusOK || as[1].Total != 0 || as[2].Status != http.StatusServiceUnavailable {
		t.Errorf("second and third searches: %+v, %+v", as[1], as[2])
	}
	// 50 a second: the third goes out 40 ms after the first, not sooner.
	if as[2].Sent < 40*time.Millisecond || as[1].Sent > as[2].Sent {
		t.Errorf("sent at %v, %v, %v: not at 20 ms apart", as[0].Sent, as[1].Sent, as[2].Sent)
	}
	all, kinds := queryload.Summarize(qs, as)
	if all.N != 3 || all.Non200 != 1 || all.NoHits != 1 || all.Max < as[0].Latency {
		t.Errorf("all: %+v", all)
	}
	if len(kinds) != 2 || kinds[0].Kind != querymix.Common || kinds[0].MedianTotal != 7 ||
		kinds[1].Kind != querymix.Rare || kinds[1].N != 2 || kinds[1].Non200 != 1 {
		t.Errorf("by kind: %+v", kinds)
	}
}

// TestFireCancelled checks that a cancelled run stops sending and marks
// what it did not send.
func TestFireCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"total": 1}`)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	qs := []querymix.Query{query(querymix.Common, "a"), query(querymix.Common, "b")}
	as := queryload.Fire(ctx, queryload.Config{URL: srv.URL, Rate: 1, Wait: time.Second}, qs)
	for _, a := range as {
		if a.Status == http.StatusOK || a.Err == "" {
			t.Errorf("search %d after cancelling: %+v", a.Query, a)
		}
	}
}

// TestStatsJSON checks that the summary reads back as it was written.
func TestStatsJSON(t *testing.T) {
	s := queryload.Stats{Kind: querymix.Phrase, N: 10, Non200: 1, P50: 1500 * time.Microsecond, P90: 2 * time.Millisecond,
		P99: 30 * time.Millisecond, Max: time.Second, NoHits: 2, MedianTotal: 40, TookP50: time.Millisecond, TookP99: 9 * time.Millisecond}
	b, err := s.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var back queryload.Stats
	if err := back.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if back != s {
		t.Errorf("%s read back as %+v, want %+v", b, back, s)
	}
}
