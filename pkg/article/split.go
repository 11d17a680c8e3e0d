package article

import (
	"strings"

	"github.com/warta-news/warta/pkg/events"
)

// Split cuts a parsed article into its paragraphs, in order, each carrying
// the article's id, version, title, language, date, URL and source, so that
// later stages need nothing but the paragraph. Paragraph i has the id
// events.ParagraphID(a.ID, i). For an article returned by Parse every
// paragraph passes (*events.Paragraph).Validate; an article with an empty
// body has no paragraphs.
func Split(a events.Article) []events.Paragraph {
	texts := SplitText(a.Body)
	if len(texts) == 0 {
		return nil
	}
	ps := make([]events.Paragraph, len(texts))
	for i, text := range texts {
		ps[i] = events.Paragraph{
			V:           events.Version,
			ID:          events.ParagraphID(a.ID, i),
			ArticleID:   a.ID,
			Version:     a.Version,
			Index:       i,
			Count:       len(texts),
			Title:       a.Title,
			Lang:        a.Lang,
			PublishedAt: a.PublishedAt,
			URL:         a.URL,
			Source:      a.Source,
			Text:        text,
		}
	}
	return ps
}

// SplitText returns the paragraphs of a body: every non-blank line, trimmed.
// Blank lines and single line breaks both end a paragraph, because plain-text
// news ("one paragraph per line") and HTML turned into text ("blank line
// between paragraphs") both occur. It does not otherwise normalise the text.
func SplitText(body string) []string {
	lines := strings.FieldsFunc(body, isLineBreak)
	out := lines[:0]
	for _, line := range lines {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func isLineBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029'
}
