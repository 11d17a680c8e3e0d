// Package queryload fires a list of searches at the index's GET /search at
// a steady pace and records each one's status, latency and hit count, and
// sums them up by kind: p50, p90, p99 and max latency, answers other than
// 200, searches without hits.
//
// The pace is open-loop: search i is sent at i/rate seconds after the
// start, whether or not the ones before it have been answered, so a slow
// answer shows as its own latency and does not hold back (and hide) the
// searches after it.
package queryload

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/bench/load"
	"github.com/warta-news/warta/bench/querymix"
)

// Config is one round of searches.
type Config struct {
	// URL is the index's search API, such as http://127.0.0.1:8080.
	URL string
	// Rate is how many searches are sent per second.
	Rate float64
	// Wait is the longest a search waits for its answer; one that takes
	// longer counts as no answer (status 0).
	Wait time.Duration
}

// Answer is what one search got.
type Answer struct {
	// Query is the search's position in the list.
	Query int
	// Sent is when it was sent, from the first search.
	Sent time.Duration
	// Latency runs from sending to the last byte of the answer.
	Latency time.Duration
	// Status is the HTTP status; 0 when no answer came.
	Status int
	// Total is the number of matching paragraphs the answer gives; Took
	// the time the index says it took. Both are 0 without a 200 answer.
	Total uint64
	Took  time.Duration
	// Err says why there was no answer, or why it could not be read.
	Err string
}

// Fire sends every query, c.Rate a second, and returns their answers in
// the order of qs once every one is answered or has waited c.Wait. A
// cancelled ctx stops the sending; the searches not sent have status 0 and
// the context's error.
func Fire(ctx context.Context, c Config, qs []querymix.Query) []Answer {
	client := &http.Client{
		Timeout: c.Wait,
		// Enough idle connections for the searches in flight: a new
		// connection per search would add its set-up to the latency.
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
	}
	defer client.CloseIdleConnections()
	out := make([]Answer, len(qs))
	var wg sync.WaitGroup
	start := time.Now()
	for i, q := range qs {
		if d := time.Until(start.Add(time.Duration(float64(i) / c.Rate * float64(time.Second)))); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if err := ctx.Err(); err != nil {
			for j := i; j < len(qs); j++ {
				out[j] = Answer{Query: j, Err: err.Error()}
			}
			break
		}
		wg.Go(func() { out[i] = search(ctx, client, c.URL, i, q, start) })
	}
	wg.Wait()
	return out
}

// search sends one query and reads its whole answer.
func search(ctx context.Context, client *http.Client, base string, i int, q querymix.Query, start time.Time) Answer {
	a := Answer{Query: i}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/search?"+q.Encode(), nil)
	if err != nil {
		a.Err = err.Error()
		return a
	}
	t0 := time.Now()
	a.Sent = t0.Sub(start)
	resp, err := client.Do(req)
	if err != nil {
		a.Latency, a.Err = time.Since(t0), err.Error()
		return a
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	a.Latency = time.Since(t0)
	if err != nil {
		a.Err = fmt.Sprintf("read the answer: %v", err)
		return a
	}
	a.Status = resp.StatusCode
	if a.Status != http.StatusOK {
		a.Err = string(body[:min(len(body), 200)])
		return a
	}
	var v struct {
		Total  uint64  `json:"total"`
		TookMS float64 `json:"took_ms"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		a.Err = fmt.Sprintf("decode the answer: %v", err)
		return a
	}
	a.Total, a.Took = v.Total, time.Duration(v.TookMS*float64(time.Millisecond))
	return a
}

// Stats sums up a group of answers.
type Stats struct {
	// Kind is the kind of query, "" for all of them.
	Kind querymix.Kind `json:"kind,omitempty"`
	N    int           `json:"queries"`
	// Non200 counts the answers other than 200, including none (status 0).
	Non200 int `json:"non_200"`
	// Latency quantiles (nearest rank) over every search, answered or not.
	P50 time.Duration `json:"-"`
	P90 time.Duration `json:"-"`
	P99 time.Duration `json:"-"`
	Max time.Duration `json:"-"`
	// NoHits counts the 200 answers without a hit; MedianTotal is the median
	// number of matching paragraphs of the 200 answers.
	NoHits      int    `json:"no_hits"`
	MedianTotal uint64 `json:"median_total"`
	// TookP50 and TookP99 are quantiles of the time the index says it took.
	TookP50 time.Duration `json:"-"`
	TookP99 time.Duration `json:"-"`
}

// statsJSON is Stats in JSON, its durations in milliseconds.
type statsJSON struct {
	plainStats
	P50     float64 `json:"p50_ms"`
	P90     float64 `json:"p90_ms"`
	P99     float64 `json:"p99_ms"`
	Max     float64 `json:"max_ms"`
	TookP50 float64 `json:"took_p50_ms"`
	TookP99 float64 `json:"took_p99_ms"`
}

// plainStats is Stats without its methods.
type plainStats Stats

// MarshalJSON writes the durations as milliseconds.
func (s Stats) MarshalJSON() ([]byte, error) {
	return json.Marshal(statsJSON{plainStats(s), Millis(s.P50), Millis(s.P90), Millis(s.P99), Millis(s.Max),
		Millis(s.TookP50), Millis(s.TookP99)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Stats) UnmarshalJSON(b []byte) error {
	var v statsJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Stats(v.plainStats)
	s.P50, s.P90, s.P99, s.Max = fromMillis(v.P50), fromMillis(v.P90), fromMillis(v.P99), fromMillis(v.Max)
	s.TookP50, s.TookP99 = fromMillis(v.TookP50), fromMillis(v.TookP99)
	return nil
}

// Millis is d in milliseconds, to the microsecond.
func Millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fromMillis(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// Summarize returns the stats of all answers, then those of each kind in
// the order of querymix.Kinds (kinds without a query left out).
func Summarize(qs []querymix.Query, as []Answer) (all Stats, kinds []Stats) {
	all = summarize("", as)
	for _, k := range querymix.Kinds {
		var of []Answer
		for _, a := range as {
			if qs[a.Query].Kind == k {
				of = append(of, a)
			}
		}
		if len(of) > 0 {
			kinds = append(kinds, summarize(k, of))
		}
	}
	return all, kinds
}

func summarize(k querymix.Kind, as []Answer) Stats {
	s := Stats{Kind: k, N: len(as)}
	var lat, took []time.Duration
	var totals []uint64
	for _, a := range as {
		lat = append(lat, a.Latency)
		if a.Status != http.StatusOK {
			s.Non200++
			continue
		}
		took = append(took, a.Took)
		totals = append(totals, a.Total)
		if a.Total == 0 {
			s.NoHits++
		}
	}
	slices.Sort(lat)
	slices.Sort(took)
	slices.Sort(totals)
	s.P50, s.P90, s.P99, s.Max = load.Quantile(lat, .5), load.Quantile(lat, .9), load.Quantile(lat, .99), load.Quantile(lat, 1)
	s.TookP50, s.TookP99 = load.Quantile(took, .5), load.Quantile(took, .99)
	if len(totals) > 0 {
		s.MedianTotal = totals[(len(totals)-1)/2]
	}
	return s
}
