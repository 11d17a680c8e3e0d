package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/article"
	"github.com/warta-news/warta/pkg/bus"
	"github.com/warta-news/warta/pkg/bus/proc"
	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/ingest/split"
)

// publishConfig is the configuration of "wartactl publish".
type publishConfig struct {
	NATS            bus.NATSConfig
	Wait            bool
	Timeout         time.Duration
	MaxArticleBytes int
	// DefaultLang must be the service's: it enters the article's version,
	// which --wait waits for.
	DefaultLang string
	Files       []string
}

func runPublish(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var c publishConfig
	f := proc.NewFlags("wartactl publish", getenv, stderr)
	f.Usage = func() {
		fmt.Fprint(stderr, "Usage: wartactl publish [flags] FILE...\n\n"+
			"Drops each FILE (plain text or JSON; - reads standard input) on articles.new and\n"+
			"prints its article id. With --wait, waits until each article is searchable.\n\nFlags:\n")
		f.PrintDefaults()
	}
	c.NATS.Register(f)
	f.BoolVar(&c.Wait, "wait", false, "wait until every article is indexed and searchable")
	f.DurationVar(&c.Timeout, "timeout", 2*time.Minute, "how long --wait waits for each article")
	f.IntVar(&c.MaxArticleBytes, "max-article-bytes", 512<<10, "largest article accepted, as the service's setting")
	f.Env("max-article-bytes", "MAX_ARTICLE_BYTES")
	f.StringVar(&c.DefaultLang, "default-lang", "DEFAULT_LANG", "", "language assumed when detection is unsure, as the service's setting")
	if err := f.Parse(args); err != nil {
		if proc.IsHelp(err) {
			return nil
		}
		return err
	}
	c.Files = f.Args()
	if len(c.Files) == 0 {
		f.Usage()
		return errors.New("no FILE given: name one or more article files, or - for standard input")
	}
	if err := c.NATS.Validate(); err != nil {
		return err
	}
	log := zap.NewNop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second+time.Duration(len(c.Files))*c.Timeout)
	defer cancel()
	nc, js, err := bus.Connect(ctx, c.NATS, "wartactl-publish", log)
	if err != nil {
		return err
	}
	defer nc.Close()

	var failed int
	for _, name := range c.Files {
		if err := publishFile(ctx, js, c, nc.MaxPayload(), name, stdin, stdout); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d articles not published", failed, len(c.Files))
	}
	return nil
}

// publishFile drops one article on articles.new. maxPayload is the
// server's largest message: a larger article is refused here, with the
// limit named, rather than by the connection.
func publishFile(ctx context.Context, js jetstream.JetStream, c publishConfig, maxPayload int64, name string, stdin io.Reader, stdout io.Writer) error {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return err
	}
	if limit := maxPayload - split.HeaderRoom; int64(len(data)) > limit {
		return fmt.Errorf("%w: the article is %d bytes and the NATS server takes messages of at most %d bytes "+
			"(its max_payload of %d, less %d for headers); split the article, or raise max_payload in the "+
			"server's configuration (and MAX_ARTICLE_BYTES with it)",
			events.ErrTooLarge, len(data), limit, maxPayload, split.HeaderRoom)
	}
	// Reading the article here as ingest will tells its id, and rejects bad
	// input before it travels.
	a, err := article.Parse(data, article.Options{MaxBytes: c.MaxArticleBytes, DefaultLang: c.DefaultLang})
	if err != nil {
		return err
	}
	start := time.Now()
	nonce := make([]byte, 8)
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("message id: %w", err)
	}
	seq, note, err := publishArticle(ctx, js, data, events.ArticleMsgID(a.ID, a.Version, hex.EncodeToString(nonce)))
	if err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintf(stdout, "%s: %s\n", a.ID, note)
	}
	if !c.Wait {
		fmt.Fprintf(stdout, "published %s %q\n", a.ID, a.Title)
		return nil
	}
	done, err := waitIndexed(ctx, js, a, seq, c.Timeout)
	if err != nil {
		return err
	}
	if done.ArticleSeq > seq && done.Version != a.Version {
		fmt.Fprintf(stdout, "superseded %s %q: a newer revision of the article (ARTICLES sequence %d, version %s) was indexed after %v\n",
			a.ID, a.Title, done.ArticleSeq, done.Version, time.Since(start).Round(time.Millisecond))
		return nil
	}
	fmt.Fprintf(stdout, "indexed %s %q: %s searchable after %v\n", a.ID, a.Title,
		paragraphs(done.Paragraphs), time.Since(start).Round(time.Millisecond))
	return nil
}

// paragraphs counts paragraphs in English: "1 paragraph", "17 paragraphs".
func paragraphs(n int) string {
	if n == 1 {
		return "1 paragraph"
	}
	return fmt.Sprintf("%d paragraphs", n)
}

// publishArticle publishes data, an article, on articles.new under msgID,
// new for each publication (events.ArticleMsgID), and returns the sequence in
// ARTICLES of the message that carries it. Should JetStream report the id a
// duplicate, the message stored under it is read back: if it is this
// article (a retry of this publication), its sequence is returned; if it is
// another message that took the id, the article is published again without
// an id, with a note saying so, rather than being reported published and
// never ingested.
func publishArticle(ctx context.Context, js jetstream.JetStream, data []byte, msgID string) (seq uint64, note string, err error) {
	ack, err := js.Publish(ctx, events.SubjectArticlesNew, data, jetstream.WithMsgID(msgID))
	if err != nil {
		return 0, "", fmt.Errorf("publish to %s: %w (is the pipeline running? start it with make run)", events.SubjectArticlesNew, err)
	}
	if !ack.Duplicate {
		return ack.Sequence, "", nil
	}
	stream, err := js.Stream(ctx, events.StreamArticles)
	if err == nil {
		var stored *jetstream.RawStreamMsg
		if stored, err = stream.GetMsg(ctx, ack.Sequence); err == nil && bytes.Equal(stored.Data, data) {
			return ack.Sequence, "", nil
		}
	}
	why := "another message took its message id " + msgID
	if err != nil {
		why = fmt.Sprintf("its message id %s was taken, and the message under it could not be read back (%v)", msgID, err)
	}
	ack, err = js.Publish(ctx, events.SubjectArticlesNew, data)
	if err != nil {
		return 0, "", fmt.Errorf("publish to %s: %w", events.SubjectArticlesNew, err)
	}
	return ack.Sequence, why + "; published again without it", nil
}

// waitIndexed polls the INDEXED stream until the article's current revision
// is the one at seq in ARTICLES, or a newer one.
func waitIndexed(ctx context.Context, js jetstream.JetStream, a events.Article, seq uint64, timeout time.Duration) (events.ArticleIndexed, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var done events.ArticleIndexed
	stream, err := js.Stream(ctx, events.StreamIndexed)
	if err != nil {
		return done, fmt.Errorf("stream %s: %w", events.StreamIndexed, err)
	}
	for {
		m, err := stream.GetLastMsgForSubject(ctx, events.IndexedSubject(a.ID))
		if err == nil {
			if err := events.Unmarshal(m.Data, &done); err == nil && done.ArticleSeq >= seq {
				return done, nil
			}
		} else if !errors.Is(err, jetstream.ErrMsgNotFound) && ctx.Err() == nil {
			return done, fmt.Errorf("read %s: %w", events.StreamIndexed, err)
		}
		select {
		case <-ctx.Done():
			return done, fmt.Errorf("article %s not indexed within %v: check the services' logs and the dead letters", a.ID, timeout)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
