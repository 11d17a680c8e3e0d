package link_test

import (
	"strings"
	"testing"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/link"
)

// para builds a paragraph of text with entities given as surface/TYPE/canonical.
func para(t *testing.T, i int, text string, ents ...string) *events.EnrichedParagraph {
	t.Helper()
	p := &events.EnrichedParagraph{Paragraph: events.Paragraph{V: events.Version, ID: events.ParagraphID("a", i),
		ArticleID: "a", Version: "v", Index: i, Count: 9, Text: text}}
	for _, e := range ents {
		f := strings.Split(e, "/")
		at := strings.Index(text, f[0])
		if at < 0 {
			t.Fatalf("%q not in %q", f[0], text)
		}
		p.Entities = append(p.Entities, events.Entity{Text: f[0], Type: events.EntityType(f[1]), Start: at, End: at + len(f[0]), Canonical: f[2]})
	}
	return p
}

func canonicals(p *events.EnrichedParagraph) string {
	var out []string
	for _, e := range p.Entities {
		out = append(out, e.Text+"="+e.Canonical)
	}
	return strings.Join(out, ",")
}

func TestBuildAndApply(t *testing.T) {
	full := para(t, 0, "Presiden Xi Jinping menyambut Vladimir Putin dan Organisasi Kerjasama Shanghai (SCO).",
		"Xi Jinping/PERSON/Xi Jinping", "Vladimir Putin/PERSON/Vladimir Putin", "Organisasi Kerjasama Shanghai/ORGANIZATION/Shanghai Cooperation Organisation",
		"SCO/ORGANIZATION/SCO")
	short := para(t, 1, "XI dan Putin bicara di KTT SCO; Tiongkok senang.",
		"XI/PERSON/XI", "Putin/PERSON/", "SCO/ORGANIZATION/SCO", "Tiongkok/LOCATION/China")
	table := link.Build([]*events.EnrichedParagraph{full, short})
	for _, tc := range []struct {
		p    *events.EnrichedParagraph
		want string
	}{
		{short, "XI=Xi Jinping,Putin=Vladimir Putin,SCO=Shanghai Cooperation Organisation,Tiongkok=China"},
		{full, "Xi Jinping=Xi Jinping,Vladimir Putin=Vladimir Putin,Organisasi Kerjasama Shanghai=Shanghai Cooperation Organisation,SCO=Shanghai Cooperation Organisation"},
	} {
		before := canonicals(tc.p)
		got, changed := table.Apply(tc.p)
		if canonicals(got) != tc.want || !changed {
			t.Errorf("Apply(%d) = %s (changed %v), want %s", tc.p.Index, canonicals(got), changed, tc.want)
		}
		if canonicals(tc.p) != before {
			t.Errorf("Apply modified its argument: %s", canonicals(tc.p))
		}
	}
}

func TestAmbiguousNamesStay(t *testing.T) {
	ps := []*events.EnrichedParagraph{
		para(t, 0, "Joe Biden bertemu Hunter Biden.", "Joe Biden/PERSON/Joe Biden", "Hunter Biden/PERSON/Hunter Biden"),
		para(t, 1, "Biden tersenyum.", "Biden/PERSON/Biden"),
	}
	table := link.Build(ps)
	if got, changed := table.Apply(ps[1]); changed || canonicals(got) != "Biden=Biden" {
		t.Errorf("Apply = %s (changed %v), want Biden left alone: two longer names share it", canonicals(got), changed)
	}
	if !link.Build(ps[1:]).Empty() {
		t.Error("a table from short names only links something")
	}
}
