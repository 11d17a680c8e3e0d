package article

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// htmlTag finds a tag that marks a text as HTML rather than prose that
// happens to contain '<'. One search per text, never per character.
var htmlTag = regexp.MustCompile(`(?i)<(?:(?:p|br|div|span|li|ul|ol|h[1-6]|blockquote|table|tbody|thead|tr|td|th|` +
	`a|b|i|u|em|strong|html|body|head|title|article|section|header|footer|main|nav|aside|figure|figcaption|` +
	`pre|code|img|script|style|hr|sup|sub|small|font|center)(?:\s[^<>]*)?/?|/[a-z][a-z0-9]*\s*|!doctype\s[^<>]*)>|<!--`)

// normalizeText turns s into clean text: HTML to text, then cleanText.
func normalizeText(s string) string {
	if htmlTag.MatchString(s) {
		s = htmlToText(s)
	}
	return cleanText(s)
}

// normalizeLine is normalizeText for one-line fields such as a title: line
// breaks become spaces.
func normalizeLine(s string) string {
	s = normalizeText(s)
	if !strings.Contains(s, "\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// cleanText normalises text without interpreting markup. It drops control
// characters other than line breaks and tabs, turns "\r\n" and "\r" into
// "\n", collapses each run of spaces and tabs (any Unicode space, NBSP
// included) to one space, trims every line, collapses three or more line
// breaks into one blank line, trims the whole, and composes to Unicode NFC.
// Other characters, typographic quotes included, are kept as they are.
// cleanText is idempotent.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var (
		space    bool // a space is pending before the next visible rune
		newlines int  // line breaks pending before the next visible rune
		prevCR   bool
	)
	for _, r := range s {
		cr := prevCR
		prevCR = r == '\r'
		switch {
		case r == '\n' && cr:
			// The second half of "\r\n", already counted.
		case r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028':
			newlines++
		case r == '\u2029':
			newlines += 2
		case r == '\t' || unicode.IsSpace(r):
			space = true
		case unicode.IsControl(r) || r == '\uFEFF':
			// Dropped without a trace: not even a space.
		default:
			if b.Len() > 0 {
				switch {
				case newlines >= 2:
					b.WriteString("\n\n")
				case newlines == 1:
					b.WriteByte('\n')
				case space:
					b.WriteByte(' ')
				}
			}
			space, newlines = false, 0
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// htmlToText renders HTML as plain text: block elements become paragraph
// breaks, <br> a line break, script and style are dropped, and entities are
// decoded. Whitespace inside elements is collapsed as a browser would, but
// line breaks in text outside any element are kept, so a plain-text article
// with a stray tag keeps its lines.
//
// It reads tokens rather than building a tree: html.Parse gives up on
// documents nested deeper than 512 elements, and a tree is not needed to
// find paragraph breaks.
func htmlToText(s string) string {
	var (
		b     strings.Builder
		depth int // open elements other than html, head, body and void ones
		pre   int // open <pre> and <textarea> elements
		skip  int // open elements whose content is dropped
	)
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// io.EOF: a strings.Reader fails in no other way.
			return b.String()
		case html.TextToken:
			switch {
			case skip > 0:
			case pre > 0 || depth == 0:
				b.Write(z.Text())
			default:
				b.WriteString(strings.Map(lineBreakToSpace, string(z.Text())))
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			start := tt != html.EndTagToken
			open := tt == html.StartTagToken && !void[a]
			if skipped[a] {
				switch {
				case open:
					skip++
				case tt == html.EndTagToken && skip > 0:
					skip--
				}
				continue
			}
			if a != atom.Html && a != atom.Head && a != atom.Body {
				switch {
				case open:
					depth++
				case tt == html.EndTagToken && depth > 0:
					depth--
				}
			}
			if a == atom.Pre || a == atom.Textarea {
				switch {
				case open:
					pre++
				case tt == html.EndTagToken && pre > 0:
					pre--
				}
			}
			if skip > 0 {
				continue
			}
			switch {
			case a == atom.Br:
				b.WriteByte('\n')
			case (a == atom.Td || a == atom.Th) && start:
				b.WriteByte(' ')
			case blocks[a]:
				b.WriteString("\n\n")
			}
		}
		// Comments and doctypes carry no text.
	}
}

func lineBreakToSpace(r rune) rune {
	if r == '\n' || r == '\r' {
		return ' '
	}
	return r
}

// blocks are the elements that start and end a paragraph.
var blocks = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Caption: true, atom.Dd: true, atom.Details: true, atom.Div: true, atom.Dl: true,
	atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true,
	atom.Footer: true, atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true, atom.Hr: true,
	atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true, atom.P: true,
	atom.Pre: true, atom.Section: true, atom.Summary: true, atom.Table: true,
	atom.Title: true, atom.Tr: true, atom.Ul: true,
}

// skipped are the elements whose content is not text a reader sees. Most
// are raw-text elements, which the tokenizer always closes.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Noembed: true,
	atom.Noframes: true, atom.Iframe: true, atom.Template: true, atom.Svg: true,
	atom.Math: true,
}

// void are the elements that have no end tag.
var void = map[atom.Atom]bool{
	atom.Area: true, atom.Base: true, atom.Br: true, atom.Col: true, atom.Embed: true,
	atom.Hr: true, atom.Img: true, atom.Input: true, atom.Link: true, atom.Meta: true,
	atom.Source: true, atom.Track: true, atom.Wbr: true,
}
