package article

import (
	"strings"
	"unicode"
	"unicode/utf8"

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

// MaxParagraphBytes is the longest paragraph SplitText returns: the
// contract's limit (see events.MaxParagraphBytes).
const MaxParagraphBytes = events.MaxParagraphBytes

// SplitText returns the paragraphs of a body: every non-blank line, trimmed,
// cut at sentence ends into pieces of at most MaxParagraphBytes where it is
// longer. Blank lines and single line breaks both end a paragraph, because
// plain-text news ("one paragraph per line") and HTML turned into text
// ("blank line between paragraphs") both occur. It does not otherwise
// normalise the text, and drops none of it but the spaces around the cuts.
func SplitText(body string) []string {
	var out []string
	for _, line := range strings.FieldsFunc(body, isLineBreak) {
		for line = strings.TrimSpace(line); line != ""; {
			var piece string
			piece, line = cutParagraph(line, MaxParagraphBytes)
			out = append(out, piece)
		}
	}
	return out
}

// cutParagraph returns the first paragraph of text, a trimmed line, of at
// most limit bytes, and the trimmed rest: the whole text when it fits; else
// up to the last sentence end in the second half of the limit, or the last
// space there, or the last whole character.
func cutParagraph(text string, limit int) (piece, rest string) {
	if len(text) <= limit {
		return text, ""
	}
	window := text[:limit]
	cut := -1
	for i, r := range window {
		if i < limit/2 || !unicode.IsSpace(r) {
			continue
		}
		if endsSentence(window[:i]) {
			cut = i
		}
	}
	if cut < 0 {
		cut = strings.LastIndexFunc(window[limit/2:], unicode.IsSpace)
		if cut >= 0 {
			cut += limit / 2
		}
	}
	if cut <= 0 {
		cut = limit
		for cut > limit-utf8.UTFMax && !utf8.RuneStart(text[cut]) {
			cut--
		}
		if !utf8.RuneStart(text[cut]) {
			cut = limit // not UTF-8 there: any cut will do
		}
	}
	return strings.TrimSpace(text[:cut]), strings.TrimSpace(text[cut:])
}

// endsSentence reports whether s ends a sentence: in a full stop, question
// or exclamation mark, perhaps followed by a closing quote or bracket.
func endsSentence(s string) bool {
	r, n := utf8.DecodeLastRuneInString(s)
	switch r {
	case '"', '\'', '\u201d', '\u2019', '\u00bb', ')':
		r, _ = utf8.DecodeLastRuneInString(s[:len(s)-n])
	}
	switch r {
	case '.', '!', '?', '\u2026', '\u3002', '\uff01', '\uff1f':
		return true
	}
	return false
}

func isLineBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029'
}
