package events_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/warta-news/warta/pkg/events"
)

// A paragraph event round-trips through the codec; its id is derived from
// the article id and index.
func ExampleDecodeParagraph() {
	p := events.Paragraph{
		V: events.Version, ID: events.ParagraphID("a1b2", 0), ArticleID: "a1b2", Version: "v1",
		Index: 0, Count: 2, Title: "Xi menyambut Putin", Lang: "id", PublishedAt: "2025-09-02",
		Text: "Presiden Tiongkok Xi Jinping telah menyambut Vladimir Putin.",
	}
	data, _ := events.Marshal(&p)
	fmt.Println(string(data))
	got, err := events.DecodeParagraph(data)
	fmt.Println(got.ID, err)
	// Output:
	// {"v":1,"id":"a1b2-0","article_id":"a1b2","version":"v1","index":0,"count":2,"title":"Xi menyambut Putin","lang":"id","published_at":"2025-09-02","text":"Presiden Tiongkok Xi Jinping telah menyambut Vladimir Putin."}
	// a1b2-0 <nil>
}

// Events of a schema version this build does not know are rejected with a
// sentinel error that also matches ErrInvalid, the mark of a permanent failure.
func ExampleUnmarshal_version() {
	_, err := events.DecodeParagraph([]byte(`{"v":2,"id":"x-0","article_id":"x","version":"v","count":1,"text":"t"}`))
	fmt.Println(errors.Is(err, events.ErrUnsupportedVersion), errors.Is(err, events.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true true
	// invalid event: unsupported schema version: got v=2, this build reads v=1
}

// An enriched paragraph's tags carry byte offsets into its text.
func ExampleEnrichedParagraph() {
	text := "Putin memanggil Xi pada hari Selasa."
	e := events.EnrichedParagraph{
		Paragraph: events.Paragraph{V: events.Version, ID: "a-0", ArticleID: "a", Version: "v", Count: 1, Lang: "id",
			PublishedAt: "2025-09-02", Text: text},
		Entities: []events.Entity{{Text: "Putin", Type: events.Person, Start: 0, End: 5, Canonical: "Vladimir Putin"}},
		Dates:    []events.Date{{Text: "pada hari Selasa", Value: "2025-09-02", Start: 19, End: 35}},
	}
	fmt.Println(e.Validate())
	e.Dates[0].End = 99
	fmt.Println(errors.Is(e.Validate(), events.ErrBadSpan))
	// Output:
	// <nil>
	// true
}

// Events carry a publication time in one form, RFC 3339: a date that a
// user published, or that an event written before ingest normalised it
// carries, is midnight UTC.
func ExampleNormalizeTime() {
	for _, s := range []string{"2025-09-02", "2025-09-02T10:30:00+07:00", "2 Sep 2025"} {
		t, err := events.NormalizeTime(s)
		fmt.Printf("%q %v\n", t, err)
	}
	// Output:
	// "2025-09-02T00:00:00Z" <nil>
	// "2025-09-02T10:30:00+07:00" <nil>
	// "" invalid event: unreadable date: "2 Sep 2025" (use RFC 3339, e.g. 2025-09-02T10:30:00+07:00, or 2025-09-02)
}

// Every message of the pipeline carries a Nats-Msg-Id built here, so that
// JetStream stores a redelivered stage's output, or a retried publish,
// once; the services' micro endpoints have their subjects here too.
func ExampleMsgID() {
	p := events.Paragraph{ArticleID: "a1b2", ArticleSeq: 7, Index: 3}
	fmt.Println(events.ArticleMsgID("a1b2", "v1", "n0nce"))
	fmt.Println(events.MsgID(events.StageIngest, &p))
	fmt.Println(events.MsgID(events.StageEnrich, &p))
	fmt.Println(events.IndexedMsgID(&events.ArticleIndexed{ArticleID: "a1b2", ArticleSeq: 7, Version: "v1"}))
	fmt.Println(events.AlertMsgID("china-tariffs", "a1b2", 7, "v1"))
	fmt.Println(events.DeadLetterMsgID(events.StageEnrich, events.StreamParagraphs, 42))
	fmt.Println(events.ReplayMsgID(5, time.Unix(1764900000, 0)))
	fmt.Println(events.StatsSubject(events.StageEnrich), events.SubjectSearch, events.MicroName(events.StageIndex))
	// Output:
	// article:a1b2:v1:n0nce
	// ingest:a1b2:7:3
	// enrich:a1b2:7:3
	// indexed:a1b2:7:v1
	// alert:china-tariffs:a1b2:7:v1
	// dl:enrich:PARAGRAPHS:42
	// replay:5:1764900000000000000
	// warta.enrich.stats warta.index.search warta-index
}
