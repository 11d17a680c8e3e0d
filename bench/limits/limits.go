// Package limits measures each part of the pipeline on its own, on the
// benchmark's corpus, in this process: splitting articles (ingest's work),
// tagging paragraphs (enrich's), writing them to the index with the
// project's store and, as the baseline, with plain Bleve batches of the same
// documents and mapping, and one JetStream hop (pull, publish, ack). The
// pipeline's end-to-end rate is then read as a fraction of these.
package limits

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/warta-news/warta/bench/corpus"
	"github.com/warta-news/warta/deploy/local/stack"
	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/bus/natsd"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/enrich/tag"
	"github.com/warta-news/warta/services/index/store"
)

// Rate is one part's measured rate.
type Rate struct {
	Part string
	// Items is how many paragraphs (messages, documents) it handled.
	Items int
	Wall  time.Duration
	// CPU is this process's CPU time during the measurement: it includes
	// the part's background work (Bleve's persister and merger; the
	// embedded NATS server for the hop).
	CPU time.Duration
}

// PerSecond is the rate over wall-clock time.
func (r Rate) PerSecond() float64 { return float64(r.Items) / r.Wall.Seconds() }

// PerCPUSecond is the rate per second of CPU: what one core carries.
func (r Rate) PerCPUSecond() float64 { return float64(r.Items) / r.CPU.Seconds() }

// measure times f, wall clock and CPU.
func measure(part string, f func() (int, error)) (Rate, error) {
	cpu0, t0 := stack.SelfCPU(), time.Now()
	n, err := f()
	return Rate{Part: part, Items: n, Wall: time.Since(t0), CPU: stack.SelfCPU() - cpu0}, err
}

// Split parses and splits each article and encodes its paragraph events,
// as ingest does, and returns the paragraphs.
func Split(articles []corpus.Article) (Rate, []events.Paragraph, error) {
	var out []events.Paragraph
	r, err := measure("split (ingest)", func() (int, error) {
		for _, a := range articles {
			parsed, err := article.Parse(a.Data, article.Options{})
			if err != nil {
				return 0, fmt.Errorf("article %s: %w", a.ID, err)
			}
			ps := article.Split(parsed)
			for i := range ps {
				if _, err := events.Marshal(&ps[i]); err != nil {
					return 0, err
				}
			}
			out = append(out, ps...)
		}
		return len(out), nil
	})
	return r, out, err
}

// Tag decodes each paragraph event, tags it and encodes the result, as
// enrich does, on one goroutine, and returns the enriched paragraphs.
func Tag(ps []events.Paragraph) (Rate, []events.EnrichedParagraph, error) {
	t := tag.New()
	data := make([][]byte, len(ps))
	for i := range ps {
		var err error
		if data[i], err = events.Marshal(&ps[i]); err != nil {
			return Rate{}, nil, err
		}
	}
	out := make([]events.EnrichedParagraph, 0, len(ps))
	r, err := measure("tag (enrich)", func() (int, error) {
		for _, d := range data {
			p, err := events.DecodeParagraph(d)
			if err != nil {
				return 0, err
			}
			e := t.Enrich(p)
			if _, err := events.Marshal(&e); err != nil {
				return 0, err
			}
			out = append(out, e)
		}
		return len(out), nil
	})
	return r, out, err
}

// Index writes ps in batches of size into a new store in dir with Apply,
// and the same paragraphs into another new index with plain Bleve batches
// (indexPlain); both times include closing the index.
func Index(dir string, ps []events.EnrichedParagraph, size int) (apply, raw Rate, err error) {
	raw, err = measure("index: plain Bleve batches", func() (int, error) {
		return len(ps), indexPlain(filepath.Join(dir, "raw"), ps, size)
	})
	if err != nil {
		return apply, raw, err
	}
	apply, err = measure("index: store.Apply", func() (int, error) {
		s, err := store.Open(filepath.Join(dir, "store"))
		if err != nil {
			return 0, err
		}
		for rest := ps; len(rest) > 0; {
			n := min(size, len(rest))
			if _, err := s.Apply(context.Background(), rest[:n]); err != nil {
				_ = s.Close()
				return 0, err
			}
			rest = rest[n:]
		}
		return len(ps), s.Close()
	})
	return apply, raw, err
}

// indexPlain writes ps into a new index at path, with the store's mapping
// and paragraph documents, in Bleve batches of size, and does nothing else:
// no reading of article state, no versions, no pending or article
// documents, no linking. It is the baseline that Index compares Apply with:
// plain Bleve batch indexing of the same documents.
func indexPlain(path string, ps []events.EnrichedParagraph, size int) error {
	idx, err := store.NewIndex(path)
	if err != nil {
		return err
	}
	for len(ps) > 0 {
		n := min(size, len(ps))
		b := idx.NewBatch()
		for i := range ps[:n] {
			id, doc, err := store.ParagraphDocument(&ps[i])
			if err != nil {
				_ = idx.Close()
				return err
			}
			if err := b.Index(id, doc); err != nil {
				_ = idx.Close()
				return fmt.Errorf("map document %s: %w", ps[i].ID, err)
			}
		}
		if err := idx.Batch(b); err != nil {
			_ = idx.Close()
			return fmt.Errorf("write batch of %d paragraphs: %w", n, err)
		}
		ps = ps[n:]
	}
	return idx.Close()
}

// Hop measures one JetStream hop on an embedded server with file storage in
// dir: the payloads are stored in a stream first, then pulled in batches of
// size, published to a second stream (with message ids, awaiting the acks)
// and acked, as every stage does with its messages.
func Hop(dir string, payloads [][]byte, size int) (Rate, error) {
	srv, err := natsd.Start(natsd.Config{Host: "127.0.0.1", Port: server.RANDOM_PORT, StoreDir: dir})
	if err != nil {
		return Rate{}, err
	}
	defer func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	}()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		return Rate{}, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(1024))
	if err != nil {
		return Rate{}, err
	}
	ctx := context.Background()
	for _, name := range []string{"IN", "OUT"} {
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{"hop." + name}, Storage: jetstream.FileStorage}); err != nil {
			return Rate{}, err
		}
	}
	for i := 0; i < len(payloads); i += 256 {
		var fs []jetstream.PubAckFuture
		for j := i; j < min(i+256, len(payloads)); j++ {
			f, err := js.PublishAsync("hop.IN", payloads[j])
			if err != nil {
				return Rate{}, err
			}
			fs = append(fs, f)
		}
		for _, f := range fs {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				return Rate{}, err
			}
		}
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, "IN", jetstream.ConsumerConfig{Durable: "hop", AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 4 * size})
	if err != nil {
		return Rate{}, err
	}
	return measure("one JetStream hop (pull, publish, ack)", func() (int, error) {
		done := 0
		for done < len(payloads) {
			b, err := cons.Fetch(min(size, len(payloads)-done), jetstream.FetchMaxWait(5*time.Second))
			if err != nil {
				return done, err
			}
			var msgs []jetstream.Msg
			var fs []jetstream.PubAckFuture
			for m := range b.Messages() {
				msg := nats.NewMsg("hop.OUT")
				msg.Data = m.Data()
				md, err := m.Metadata()
				if err != nil {
					return done, err
				}
				msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprint(md.Sequence.Stream))
				f, err := js.PublishMsgAsync(msg)
				if err != nil {
					return done, err
				}
				msgs, fs = append(msgs, m), append(fs, f)
			}
			if err := b.Error(); err != nil {
				return done, err
			}
			for _, f := range fs {
				select {
				case <-f.Ok():
				case err := <-f.Err():
					return done, err
				}
			}
			for _, m := range msgs {
				if err := m.Ack(); err != nil {
					return done, err
				}
			}
			done += len(msgs)
		}
		return done, nil
	})
}
