package article

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// normalizeText turns s into clean text (see cleanText), rendering it
// first if it is HTML.
func normalizeText(s string, isHTML bool) string {
	if isHTML {
		s = htmlToText(s)
	}
	return cleanText(s)
}

// normalizeLine is normalizeText for one-line fields such as a title: line
// breaks become spaces.
func normalizeLine(s string, isHTML bool) string {
	s = normalizeText(s, isHTML)
	if !strings.Contains(s, "\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// isMarkup reports whether s is HTML from its first character to its last:
// a document (it opens with a doctype or <html>), or elements as a CMS
// sends a body, opening (after any comments) with the start tag of an HTML
// element and closing with an end tag or a comment. Prose is not, whatever
// it says about markup: "a <script> tag", "a<b and c>d" or "AT&amp;T"
// neither open nor close so, and rendering them as HTML would lose text.
func isMarkup(s string) bool {
	s = strings.TrimFunc(s, isHTMLSpace)
	for strings.HasPrefix(s, "<!--") {
		end := strings.Index(s[4:], "-->")
		if end < 0 {
			return false
		}
		s = strings.TrimLeftFunc(s[4+end+3:], isHTMLSpace)
	}
	if hasPrefixFold(s, "<!doctype html") {
		return true
	}
	name, ok := tagName(s, "<")
	switch {
	case !ok || !elements[atom.Lookup([]byte(name))]:
		return false
	case name == "html", strings.HasSuffix(s, "-->"):
		return true
	}
	// The last tag is an end tag, "</p>", and nothing follows it.
	i := strings.LastIndex(s, "</")
	if i < 0 {
		return false
	}
	name, ok = tagName(s[i:], "</")
	return ok && elements[atom.Lookup([]byte(name))] &&
		strings.TrimLeftFunc(s[i+2+len(name):], isHTMLSpace) == ">"
}

// tagName returns the lower-cased name after prefix at the start of s, if
// it is followed by what ends a tag name: a space, '/' or '>'.
func tagName(s, prefix string) (string, bool) {
	s = s[min(len(prefix), len(s)):]
	n := 0
	for n < len(s) && (s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z' || n > 0 && s[n] >= '0' && s[n] <= '9') {
		n++
	}
	if n == 0 || n == len(s) || !(isHTMLSpace(rune(s[n])) || s[n] == '/' || s[n] == '>') {
		return "", false
	}
	return strings.ToLower(s[:n]), true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\uFEFF'
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
// line breaks in text outside any element are kept.
//
// Markup that is never closed does not swallow the text after it, as it
// would in a browser: a <script>, <style>, <title> or other element whose
// end tag never comes, a comment that never ends, or a tag cut off at the
// end is kept as text ("a <script> tag"), and what follows it is rendered.
// Each such repair renders the text once more, and there is at most one per
// kind of element, so the cost stays a small multiple of one pass.
//
// It reads tokens rather than building a tree: html.Parse gives up on
// documents nested deeper than 512 elements, and a tree is not needed to
// find paragraph breaks.
func htmlToText(s string) string {
	r := renderer{s: s, literalFrom: map[atom.Atom]int{}}
	for range maxRenders {
		if text, ok := r.render(); ok {
			return text
		}
	}
	// Unreachable by the argument above; should it be reached, the text is
	// kept, markup and all, rather than lost.
	return r.s
}

// maxRenders bounds the passes of htmlToText: the last, plus at most one
// repair for comments, one for a doctype or odd comment ("<?x") and one
// for a tag cut off at the end, and one per element of rawText and
// skipped (12 in all).
const maxRenders = 1 + 3 + 12

// renderer is the state htmlToText keeps between passes.
type renderer struct {
	// s is the HTML, with the '<' of markup found never to close written
	// as "&lt;".
	s string
	// literalFrom holds, for elements found never to close, the byte offset
	// in s from which their tags are text.
	literalFrom map[atom.Atom]int
}

// render renders r.s. It reports false when it found markup that never
// closes, having recorded it in r, and then the caller renders again.
func (r *renderer) render() (string, bool) {
	var (
		b     strings.Builder
		depth int // open elements other than html, head, body and void ones
		pre   int // open <pre> and <textarea> elements
		skip  int // open elements whose content is dropped
		// The outermost open element whose content is dropped, and the
		// open element whose content is raw text: where they start.
		skipAtom, rawAtom atom.Atom
		skipFrom, rawFrom = -1, -1
		off               int // of the next token in r.s
	)
	b.Grow(len(r.s))
	z := html.NewTokenizer(strings.NewReader(r.s))
	for {
		tt := z.Next()
		raw := z.Raw()
		at := off
		off += len(raw)
		if tt != html.TextToken && tt != html.ErrorToken {
			rawFrom = -1 // raw text ends at the element's end tag
		}
		switch tt {
		case html.ErrorToken:
			// io.EOF: a strings.Reader fails in no other way.
			switch {
			case rawFrom >= 0:
				r.literalFrom[rawAtom] = rawFrom
			case skip > 0:
				r.literalFrom[skipAtom] = skipFrom
			case at < len(r.s):
				// A tag cut off by the end, which the tokenizer drops:
				// nothing after its '<' can be a tag.
				r.s = r.s[:at] + strings.ReplaceAll(r.s[at:], "<", "&lt;")
			default:
				return b.String(), true
			}
			return "", false
		case html.CommentToken, html.DoctypeToken:
			// Comments and doctypes carry no text, unless one never ends:
			// then there is no end after it for any other either.
			c := string(raw)
			switch {
			case strings.HasPrefix(c, "<!--") && !strings.HasSuffix(c, "-->") && !strings.HasSuffix(c, "--!>"):
				r.s = r.s[:at] + strings.ReplaceAll(r.s[at:], "<!--", "&lt;!--")
				return "", false
			case !strings.HasSuffix(c, ">"):
				r.s = r.s[:at] + strings.ReplaceAll(r.s[at:], "<", "&lt;")
				return "", false
			}
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
			if from, ok := r.literalFrom[a]; ok && at >= from {
				if start && rawText[a] {
					z.NextIsNotRawText()
				}
				if skip == 0 {
					b.WriteString(strings.Map(lineBreakToSpace, string(raw)))
				}
				continue
			}
			if start && rawText[a] {
				rawAtom, rawFrom = a, at
			}
			open := tt == html.StartTagToken && !void[a]
			if skipped[a] {
				switch {
				case open || start && rawText[a]:
					if skip == 0 {
						skipAtom, skipFrom = a, at
					}
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

// rawText are the elements whose content the tokenizer reads as raw text,
// up to their end tag (or to the end, if it never comes). <plaintext> is
// raw text to the end by definition, and so is left out.
var rawText = map[atom.Atom]bool{
	atom.Iframe: true, atom.Noembed: true, atom.Noframes: true, atom.Noscript: true,
	atom.Script: true, atom.Style: true, atom.Textarea: true, atom.Title: true, atom.Xmp: true,
}

// elements are the names isMarkup takes for HTML elements: the blocks,
// the common inline ones and the document's own.
var elements = func() map[atom.Atom]bool {
	m := map[atom.Atom]bool{}
	for _, set := range []map[atom.Atom]bool{blocks, skipped, void, rawText} {
		for a := range set {
			m[a] = true
		}
	}
	for _, a := range []atom.Atom{
		atom.A, atom.Abbr, atom.B, atom.Bdi, atom.Bdo, atom.Big, atom.Body, atom.Center, atom.Cite,
		atom.Code, atom.Data, atom.Del, atom.Dfn, atom.Em, atom.Font, atom.Head, atom.Html, atom.I,
		atom.Ins, atom.Kbd, atom.Mark, atom.Picture, atom.Q, atom.S, atom.Samp, atom.Small, atom.Span,
		atom.Strike, atom.Strong, atom.Sub, atom.Sup, atom.Tbody, atom.Td, atom.Tfoot, atom.Th,
		atom.Thead, atom.Time, atom.Tt, atom.U, atom.Var, atom.Video, atom.Audio,
	} {
		m[a] = true
	}
	return m
}()

// void are the elements that have no end tag.
var void = map[atom.Atom]bool{
	atom.Area: true, atom.Base: true, atom.Br: true, atom.Col: true, atom.Embed: true,
	atom.Hr: true, atom.Img: true, atom.Input: true, atom.Link: true, atom.Meta: true,
	atom.Source: true, atom.Track: true, atom.Wbr: true,
}
