package dateparser

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	dps "github.com/markusmobius/go-dateparser"
)

// TestWordsVersion fails when go-dateparser was upgraded without running
// go generate: dateparser_words.txt must come from the locale data of the
// version the module builds with.
func TestWordsVersion(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	version := ""
	for line := range strings.Lines(string(mod)) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "github.com/markusmobius/go-dateparser" {
			version = f[1]
		}
	}
	header, _, _ := strings.Cut(dateparserWords, "\n")
	if version == "" || !strings.HasSuffix(header, " "+version+"; DO NOT EDIT.") {
		t.Errorf("dateparser_words.txt is from %q, go.mod requires go-dateparser %q: run go generate ./dates/dateparser/", header, version)
	}
	for _, lang := range []string{"fr", "de", "es", "ms", "pt", "it", "nl", "ru"} {
		if wordsFor(lang) == nil {
			t.Errorf("no words for %s", lang)
		}
	}
	for _, lang := range []string{"zh", "ja", "xx", ""} {
		if wordsFor(lang) != nil {
			t.Errorf("words for %q, a language written without spaces or unknown", lang)
		}
	}
}

func TestWindows(t *testing.T) {
	tests := []struct {
		lang, in string
		want     []string
	}{
		{"fr", "Le gouvernement a présenté son projet devant les députés, qui en débattront.", nil},
		{"fr", "Le président est arrivé le 2 septembre 2025 à Pékin pour un sommet.", []string{"arrivé le 2 septembre 2025 à Pékin"}},
		{"fr", "Il est arrivé hier soir.", []string{"arrivé hier soir."}},
		{"fr", "Il y a trois jours, la délégation est partie.", []string{"Il y a trois jours, la délégation"}},
		// One short word, a numeral with fillers, a count, a duration: the
		// search finds nothing in them that refine keeps.
		{"fr", "Les deux dirigeants, et une vingtaine de ministres.", nil},
		{"de", "Die Stadt stimmte ab.", nil},
		{"de", "Rund 350 Einsatzkräfte waren vor Ort.", nil},
		{"de", "Die Gespräche dauerten 3 Tage und endeten.", nil},
		{"de", "Vor 3 Tagen stimmte die Stadt ab.", []string{"Vor 3 Tagen stimmte"}},
		{"de", "Der Pegel lag bei 12,89 Metern am 3. Juni 2013.", []string{"Metern am 3. Juni 2013."}},
		{"es", "El 20 de julio de 1969 y el 30/09/2025.", []string{"El 20 de julio de 1969 y el 30/09/2025."}},
		// A time zone after a date joins the run; a clock time alone is no
		// date.
		{"de", "Die Sitzung begann am 2. September um 10:30 Uhr MEZ in Berlin.", []string{"begann am 2. September um 10:30 Uhr MEZ in Berlin."}},
		{"de", "Die Sitzung begann um 10:30 Uhr MEZ in Berlin.", nil},
		// Number words the wrapper spells out in digits join the run, and
		// make a duration of it like digits; a quotation mark is
		// punctuation.
		{"es", "“Hace tres días vinieron los técnicos.", []string{"“Hace tres días vinieron"}},
		{"es", "La cumbre duró tres días y terminó.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.in, func(t *testing.T) {
			var g []string
			for _, w := range wordsFor(tt.lang).windows(tt.in) {
				g = append(g, tt.in[w.start:w.end])
			}
			if !slices.Equal(g, tt.want) {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
}

func TestIsCount(t *testing.T) {
	for in, want := range map[string]bool{
		"165": true, "8.000.": true, "12,486": true, "10:30": true, "2,8": true, "20": true, "14.07.": true,
		"1.2.": true, "-5": true, "3,2-4,5": true,
		"2025": false, "1969,": false, "02.09.2025": false, "30/09/25": false, "2-9-25": false, "(2024)": false, "1.2/3/4": false,
	} {
		if got := isCount(in); got != want {
			t.Errorf("isCount(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestTrimFillers(t *testing.T) {
	fr := wordsFor("fr")
	for in, want := range map[string]string{
		"le 2 septembre 2025 a": "2 septembre 2025",
		"2022 et":               "2022",
		"le mois dernier":       "le mois dernier",
		"il y a 3 jours":        "il y a 3 jours",
		"3 jours, il y a":       "3 jours, il y a",
		"et":                    "et",
		"Le, 2 mars":            "2 mars",
		"le. 2 mars":            "le. 2 mars",
	} {
		if got := fr.trimFillers(in); got != want {
			t.Errorf("trimFillers(%q) = %q, want %q", in, got, want)
		}
	}
}

// refs are publication dates to try the rules against: the sample's, the
// end of a month, a leap day and a new year's day.
var refs = []time.Time{
	published,
	time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC),
	time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
}

// otherSentences are sentences in languages read by go-dateparser, with
// dates of many kinds, for the tests that compare its readings.
var otherSentences = []benchParagraph{
	{"fr", "Le président est arrivé le 2 septembre 2025 à Pékin, hier, pour un sommet de l'Organisation de coopération de Shanghai, où il a rencontré Vladimir Poutine et une vingtaine de dirigeants."},
	{"fr", "Les deux dirigeants ont signé 20 accords et annoncé un nouveau gazoduc; la Russie a envahi l'Ukraine en 2022 et les échanges ont depuis doublé, selon les douanes chinoises."},
	{"fr", "Mardi, une parade militaire a marqué les 80 ans de la fin de la Seconde Guerre mondiale sur la place Tiananmen."},
	{"fr", "Le premier mars, il y a trois jours, hier et avant-hier, la semaine dernière et l'année dernière, le ministre a parlé."},
	{"fr", "Aujourd'hui, le 1er mars 2024 à 14h, puis dans deux semaines, le 15 avril, et mardi prochain."},
	{"fr", "La réunion du 3 au 5 octobre 2023 a été reportée au lundi 9 octobre; elle durera deux heures, de 9h à 11h UTC."},
	{"fr", "En septembre 2024, il y a un an, le déficit atteignait 5,5 % du PIB, contre 4,9 % en 2023."},
	{"de", "Vor drei Tagen, gestern und vorgestern sprach der Kanzler; letzte Woche war er in Paris, nächsten Monat in Rom."},
	{"de", "Am Montag, dem 4. März 2024, um 10:30 Uhr MEZ begann die Sitzung, die bis zum 8. März dauerte."},
	{"de", "Seit dem 1. Januar gilt das neue Gesetz, das der Bundestag am 15.11.2024 beschlossen hatte."},
	{"es", "Ayer, anteayer y hace tres días hubo protestas; el próximo lunes y la semana pasada también."},
	{"es", "El 1 de enero de 2024, a las 10:00, entró en vigor la ley aprobada el pasado 15 de diciembre."},
	{"es", "Desde enero, los precios subieron un 3,2 %, y en agosto la inflación fue del 2,7 %."},
	{"ms", "Semalam dan kelmarin hujan lebat; minggu lepas banjir, tahun lepas kemarau, esok cerah."},
	{"ms", "Pada 1 Januari 2024 jam 10 pagi, menteri mengumumkan dasar baharu yang berkuat kuasa bulan depan."},
	{"pt", "Ontem, há três dias e na semana passada, o presidente visitou Lisboa; em 12 de março de 2024 voltou."},
	{"it", "Ieri, tre giorni fa e il 5 maggio 2023 il governo ha approvato la legge; lunedì prossimo il voto."},
	{"nl", "Gisteren, drie dagen geleden en op 5 mei 2023 keurde de regering de wet goed; volgende week stemt de Kamer."},
	{"tr", "Dün, üç gün önce ve 5 Mayıs 2023 tarihinde hükümet yasayı onayladı; gelecek hafta oylama var."},
	{"ru", "Вчера, три дня назад и 5 мая 2023 года правительство одобрило закон; на следующей неделе голосование."},
	{"pl", "Wczoraj, trzy dni temu i 5 maja 2023 rząd przyjął ustawę; w przyszłym tygodniu głosowanie."},
	{"cs", "Dne 2. září 2025 se v Pekingu konala přehlídka; včera se vůdci setkali."},
	{"el", "Στις 2 Σεπτεμβρίου 2025 έγινε η παρέλαση στο Πεκίνο· χθες συναντήθηκαν οι ηγέτες."},
	{"vi", "Ngày 2 tháng 9 năm 2025, lễ duyệt binh diễn ra tại Bắc Kinh; hôm qua các nhà lãnh đạo gặp nhau."},
}

// TestWindowsKeepDates checks that searching the windows finds what
// searching the whole paragraph finds, under the same rules, on the
// benchmark corpus and otherSentences: all of it but counts and durations
// ("10 à 15", "3 Tage und", "de 82 años"), which windows leave out.
func TestWindowsKeepDates(t *testing.T) {
	paras := append(benchParagraphs(t), otherSentences...)
	for _, ref := range refs {
		for _, p := range paras {
			dw := wordsFor(p.lang)
			if dw == nil {
				t.Fatalf("no words for %s", p.lang)
			}
			whole := newParser(p.lang, ref).find(p.text, []window{{0, len(p.text)}}, nil)
			var want []string
			for _, d := range whole {
				if !dw.countOrDuration(d.Text) {
					want = append(want, d.Text+"="+d.Value)
				}
			}
			if g := got(Find(p.text, p.lang, ref, nil)); !slices.Equal(g, want) {
				t.Errorf("%s %s %q:\nwindows %q\nwhole   %q", ref.Format(time.DateOnly), p.lang, p.text, g, got(whole))
			}
		}
	}
}

// countOrDuration reports whether the fields of s are counts, units of
// time and fillers only, with a count, or have no anchor but counts.
func (dw *dateWords) countOrDuration(s string) bool {
	counts, duration, count := true, true, false
	for _, f := range strings.Fields(s) {
		c := dw.classify(f)
		counts = counts && (!c.anchor || c.count)
		duration = duration && (c.count || c.unit || c.filler)
		count = count || c.count
	}
	return counts || (duration && count)
}

// TestParseShortcuts checks, on every run of one to three fields of the
// benchmark corpus and otherSentences, what parser.parse takes for
// granted about go-dateparser: that it reads a string and the string
// folded alike, and without fillers at its ends alike; that it fails on a
// string with a word it does not know; and that a string that reads the
// same three years away reads the same a day and a year away.
func TestParseShortcuts(t *testing.T) {
	if testing.Short() {
		t.Skip("parses some thousands of strings")
	}
	p := &dps.Parser{ParserTypes: dateparserTypes}
	same := func(lang, s1, s2 string) bool {
		cfg := newParser(lang, published).cfg
		a, errA := p.Parse(cfg, s1)
		b, errB := p.Parse(cfg, s2)
		return (errA == nil) == (errB == nil) && sameDate(a, b)
	}
	n := 0
	for _, para := range append(benchParagraphs(t), otherSentences...) {
		dw := wordsFor(para.lang)
		fields := strings.Fields(para.text)
		for i := range fields {
			for k := 1; k <= 3 && i+k <= len(fields); k++ {
				s := strings.Join(fields[i:i+k], " ")
				folded := fold(s)
				anchored := false
				for _, f := range fields[i : i+k] {
					anchored = anchored || dw.classify(f).anchor
				}
				if !anchored {
					continue
				}
				n++
				if folded != s && !same(para.lang, s, folded) {
					t.Errorf("%s: %q and %q read differently", para.lang, s, folded)
				}
				if trimmed := dw.trimFillers(folded); trimmed != folded && !same(para.lang, folded, trimmed) {
					t.Errorf("%s: %q and %q read differently", para.lang, folded, trimmed)
				}
				if dw.unreadable(folded) {
					if d, err := p.Parse(newParser(para.lang, published).cfg, folded); err == nil {
						t.Errorf("%s: %q reads as %s, but has a word go-dateparser does not know", para.lang, folded, timexValue(d))
					}
					continue
				}
				if sameAcross(p, para.lang, folded, atRef, atOther) &&
					(!sameAcross(p, para.lang, folded, atRef, atNextDay) || !sameAcross(p, para.lang, folded, atRef, atNextYMD)) {
					t.Errorf("%s: %q reads the same three years away, not a day or a year away", para.lang, folded)
				}
			}
		}
	}
	if n < 500 {
		t.Errorf("only %d strings tried", n)
	}
}

// sameAcross reports whether s parses, and to the same date, against the
// publication date moved as a and as b say.
func sameAcross(p *dps.Parser, lang, s string, a, b refShift) bool {
	op := newParser(lang, published)
	da, errA := p.Parse(op.config(a), s)
	db, errB := p.Parse(op.config(b), s)
	return errA == nil && errB == nil && sameDate(da, db)
}

func TestSpell(t *testing.T) {
	tests := []struct {
		lang, in string
		pad      bool
		want     string
	}{
		{"es", "Hace tres días llegó", true, "Hace 3    días llegó"},
		{"es", "hace tres dias", false, "hace 3 dias"},
		{"pt", "Há três dias", true, "Há 3     dias"},
		{"nl", "drie dagen geleden", false, "3 dagen geleden"},
		{"ms", "dalam dua minggu.", false, "dalam 2 minggu."},
		// Only before a unit of time: "tres" alone, or before a noun, is
		// left as it is.
		{"es", "Los tres ministros", true, "Los tres ministros"},
		{"it", "tu sei oggi", false, "tu sei oggi"},
		// French and German number words go-dateparser reads itself.
		{"fr", "il y a trois jours", false, "il y a trois jours"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.in, func(t *testing.T) {
			if g := wordsFor(tt.lang).spell(tt.in, tt.pad); g != tt.want {
				t.Errorf("spell(%q, %v) = %q, want %q", tt.in, tt.pad, g, tt.want)
			}
			if tt.pad && len(tt.want) != len(tt.in) {
				t.Errorf("padded %q is %d bytes, %q %d", tt.want, len(tt.want), tt.in, len(tt.in))
			}
		})
	}
}
