package events_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/warta-news/warta/pkg/events"
)

func TestParagraphValidate(t *testing.T) {
	valid := func() events.Paragraph {
		return events.Paragraph{V: 1, ID: "a-1", ArticleID: "a", Version: "v", Index: 1, Count: 2, Text: "x", Title: "t"}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*events.Paragraph)
		want   error
	}{
		{"valid", func(*events.Paragraph) {}, nil},
		{"no article", func(p *events.Paragraph) { p.ArticleID = "" }, events.ErrMissingField},
		{"no version", func(p *events.Paragraph) { p.Version = "" }, events.ErrMissingField},
		{"index past count", func(p *events.Paragraph) { p.Index = 2 }, events.ErrInvalid},
		{"wrong id", func(p *events.Paragraph) { p.ID = "a-7" }, events.ErrInvalid},
		{"blank text", func(p *events.Paragraph) { p.Text = " \n" }, events.ErrEmptyBody},
		{"bad utf8", func(p *events.Paragraph) { p.Text = "\xff" }, events.ErrInvalidUTF8},
		{"bad date", func(p *events.Paragraph) { p.PublishedAt = "2 Sep" }, events.ErrBadDate},
		{"rfc3339 date", func(p *events.Paragraph) { p.PublishedAt = "2025-09-02T10:30:00+07:00" }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := valid()
			tc.mutate(&p)
			err := p.Validate()
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Validate() = %v, want %v", err, tc.want)
			}
			if err != nil && !errors.Is(err, events.ErrInvalid) {
				t.Errorf("%v does not match ErrInvalid", err)
			}
		})
	}
}

func TestDecodeRejectsGarbage(t *testing.T) {
	for _, in := range []string{``, `not json`, `[1,2]`, `{"v":1,"index":"zero"}`} {
		if _, err := events.DecodeEnriched([]byte(in)); !errors.Is(err, events.ErrDecode) {
			t.Errorf("DecodeEnriched(%q) = %v, want ErrDecode", in, err)
		}
	}
}

func TestEnrichedJSONNeverNull(t *testing.T) {
	e := events.EnrichedParagraph{Entities: []events.Entity{}, Dates: []events.Date{}}
	data, err := events.Marshal(&e)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(data); !strings.Contains(got, `"entities":[]`) || !strings.Contains(got, `"dates":[]`) {
		t.Errorf("got %s", got)
	}
}
