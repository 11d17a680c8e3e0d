package entities

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/warta-news/warta/pkg/events"
)

const samplePath = "../../../samples/xi-putin-beijing.id.txt"

func sampleLines(tb testing.TB) []string {
	tb.Helper()
	data, err := os.ReadFile(samplePath)
	if err != nil {
		tb.Fatalf("read sample: %v", err)
	}
	return strings.Split(string(data), "\n")
}

// compact renders entities as "Text/TYPE" or "Text/TYPE=Canonical" when the
// canonical name differs from the text.
func compact(es []events.Entity) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		s := e.Text + "/" + string(e.Type)
		if e.Canonical != e.Text {
			s += "=" + e.Canonical
		}
		out = append(out, s)
	}
	return out
}

// checkSpans asserts what every Tag result must satisfy.
func checkSpans(t *testing.T, text string, es []events.Entity) {
	t.Helper()
	if es == nil {
		t.Errorf("Tag(%q) = nil, want an empty slice", text)
	}
	end := 0
	for _, e := range es {
		if e.Start < 0 || e.End > len(text) || e.Start >= e.End {
			t.Errorf("Tag(%q): bad span %+v", text, e)
			continue
		}
		if text[e.Start:e.End] != e.Text {
			t.Errorf("Tag(%q): text[%d:%d] = %q, entity says %q", text, e.Start, e.End, text[e.Start:e.End], e.Text)
		}
		if e.Start < end {
			t.Errorf("Tag(%q): %+v overlaps or precedes the entity before it", text, e)
		}
		end = e.End
		if !slices.Contains(events.EntityTypes, e.Type) {
			t.Errorf("Tag(%q): %+v has an unknown type", text, e)
		}
		if strings.TrimSpace(e.Canonical) == "" || !utf8.ValidString(e.Canonical) {
			t.Errorf("Tag(%q): %+v has a bad canonical name", text, e)
		}
	}
}

func TestSample(t *testing.T) {
	tg := New()
	lines := sampleLines(t)
	type found struct {
		line int
		e    events.Entity
	}
	var all []found
	for i, line := range lines {
		es := tg.Tag(line, "id")
		checkSpans(t, line, es)
		if len(es) > 0 {
			t.Logf("%2d: %s", i, strings.Join(compact(es), "  "))
		}
		for _, e := range es {
			all = append(all, found{i, e})
		}
	}

	t.Run("found", func(t *testing.T) {
		for _, w := range []struct {
			text      string
			typ       events.EntityType
			canonical string // "" for any
		}{
			{"Xi Jinping", events.Person, "Xi Jinping"},
			{"Vladimir Putin", events.Person, "Vladimir Putin"},
			{"Putin", events.Person, "Putin"},
			{"Xi", events.Person, ""},
			{"XI", events.Person, "Xi"},
			{"Donald Trump", events.Person, "Donald Trump"},
			{"Trump", events.Person, "Trump"},
			{"Katrina Yu", events.Person, "Katrina Yu"},
			{"Yu", events.Person, "Katrina Yu"},
			{"Yu", events.Person, "Yu"},
			{"Kim Jong Un", events.Person, "Kim Jong Un"},
			{"Masoud Pezeshkian", events.Person, "Masoud Pezeshkian"},
			{"Khurelsukh Ukhnaa", events.Person, "Khurelsukh Ukhnaa"},
			{"Beijing", events.Location, "Beijing"},
			{"Moskow", events.Location, "Moscow"},
			{"Tianjin", events.Location, "Tianjin"},
			{"Pyongyang", events.Location, "Pyongyang"},
			{"Rusia", events.Location, "Russia"},
			{"Tiongkok", events.Location, "China"},
			{"Cina", events.Location, "China"},
			{"China", events.Location, "China"},
			{"Amerika Serikat", events.Location, "United States"},
			{"AS", events.Location, "United States"},
			{"Ukraina", events.Location, "Ukraine"},
			{"Jepang", events.Location, "Japan"},
			{"Mongolia", events.Location, "Mongolia"},
			{"Iran", events.Location, "Iran"},
			{"Korea Utara", events.Location, "North Korea"},
			{"Eropa Barat", events.Location, "Western Europe"},
			{"Asia", events.Location, "Asia"},
			{"Uni Soviet", events.Location, "Soviet Union"},
			{"Barat", events.Location, "the West"},
			{"Organisasi Kerjasama Shanghai", events.Organization, "Shanghai Cooperation Organisation"},
			{"SCO", events.Organization, "Shanghai Cooperation Organisation"},
			{"Al Jazeera", events.Organization, "Al Jazeera"},
			{"ICC", events.Organization, "International Criminal Court"},
			{"pengadilan pidana internasional", events.Organization, "International Criminal Court"},
			{"Perang Dunia II", events.Event, "World War II"},
			{"Perang Ukraina", events.Event, "Russia-Ukraine war"},
		} {
			ok := slices.ContainsFunc(all, func(f found) bool {
				return f.e.Text == w.text && f.e.Type == w.typ && (w.canonical == "" || f.e.Canonical == w.canonical)
			})
			if !ok {
				t.Errorf("no %q %s (canonical %q) in the sample", w.text, w.typ, w.canonical)
			}
		}
	})

	t.Run("not tagged", func(t *testing.T) {
		never := []string{"Pertemuan", "Kedua", "Pembicaraan", "Setelah", "Sebelum", "Hubungan", "Ini", "Itu",
			"Dengan", "Banyak", "Negara", "Pada", "Bekas", "Beberapa", "Diterbitkan", "Presiden", "Sep",
			"Selasa", "Senin", "KTT", "Tiga", "Semakin", "Pemerintahan", "II"}
		for _, f := range all {
			for _, w := range strings.Fields(f.e.Text) {
				if slices.Contains(never, w) && f.e.Text != "Perang Dunia II" {
					t.Errorf("line %d: %q tagged %s as part of %q", f.line, w, f.e.Type, f.e.Text)
				}
			}
			// Acceptable either way, but only as these types.
			switch f.e.Text {
			case "Barat":
				if f.e.Type != events.Location {
					t.Errorf("line %d: Barat tagged %s, want LOCATION", f.line, f.e.Type)
				}
			case "Eurosentris", "Euro-Atlantik":
				if f.e.Type != events.Misc {
					t.Errorf("line %d: %s tagged %s, want MISC or nothing", f.line, f.e.Text, f.e.Type)
				}
			}
		}
	})

	t.Run("short mentions", func(t *testing.T) {
		// A single-word name takes the full name given in the same
		// paragraph, and keeps its own otherwise.
		for _, f := range all {
			if f.e.Type != events.Person || strings.Contains(f.e.Text, " ") {
				continue
			}
			want := titleCase(f.e.Text)
			for _, g := range all {
				if g.line != f.line || g.e.Type != events.Person || !strings.Contains(g.e.Text, " ") {
					continue
				}
				if first, last, _ := firstLast(g.e.Text); strings.EqualFold(first, f.e.Text) || strings.EqualFold(last, f.e.Text) {
					want = g.e.Canonical
					break
				}
			}
			if f.e.Canonical != want {
				t.Errorf("line %d: %q has canonical %q, want %q", f.line, f.e.Text, f.e.Canonical, want)
			}
		}
	})
}

// checkTable checks what the rules alone (TagRules) and the model with the
// rules (Tag) find in text.
func checkTable(t *testing.T, tg *Tagger, text, lang string, want, hybrid []string) {
	t.Helper()
	got := tg.TagRules(text, lang)
	checkSpans(t, text, got)
	if c := compact(got); !slices.Equal(c, want) {
		t.Errorf("TagRules(%q)\n got %q\nwant %q", text, c, want)
	}
	if hybrid == nil {
		hybrid = want
	}
	got = tg.Tag(text, lang)
	checkSpans(t, text, got)
	if c := compact(got); !slices.Equal(c, hybrid) {
		t.Errorf("Tag(%q)\n got %q\nwant %q", text, c, hybrid)
	}
}

func TestTagEnglish(t *testing.T) {
	tg := New()
	tests := []struct {
		text   string
		want   []string // from the rules alone, and from Tag unless hybrid is set
		hybrid []string // from Tag, where it differs
	}{
		{"President Joe Biden met Prime Minister Narendra Modi in New Delhi on Monday.",
			[]string{"Joe Biden/PERSON", "Narendra Modi/PERSON", "New Delhi/LOCATION"}, nil},
		{"The United Nations Security Council voted on Friday to extend sanctions on North Korea.",
			[]string{"United Nations Security Council/ORGANIZATION", "North Korea/LOCATION"}, nil},
		{"Russian Foreign Minister Sergei Lavrov said Moscow was ready for talks with Kyiv.",
			[]string{"Russian/MISC", "Sergei Lavrov/PERSON", "Moscow/LOCATION", "Kyiv/LOCATION"}, nil},
		{"Chinese President Xi Jinping told reporters in Beijing that China would not back down.",
			[]string{"Chinese/MISC", "Xi Jinping/PERSON", "Beijing/LOCATION", "China/LOCATION"}, nil},
		{"Ukrainian President Volodymyr Zelensky addressed the European Parliament in Brussels.",
			[]string{"Ukrainian/MISC", "Volodymyr Zelensky/PERSON", "European Parliament/ORGANIZATION", "Brussels/LOCATION"}, nil},
		{"NATO Secretary General Mark Rutte warned that the alliance must spend more on defence.",
			[]string{"NATO/ORGANIZATION", "Mark Rutte/PERSON"}, nil},
		{"Shares of Toyota Motor Corp fell 3% in Tokyo after the company cut its forecast.",
			[]string{"Toyota Motor Corp/ORGANIZATION", "Tokyo/LOCATION"}, nil},
		{"The International Monetary Fund raised its growth forecast for Indonesia and Vietnam.",
			[]string{"International Monetary Fund/ORGANIZATION", "Indonesia/LOCATION", "Vietnam/LOCATION"}, nil},
		{"Iranian President Masoud Pezeshkian arrived in Tianjin for the Shanghai Cooperation Organisation summit.",
			[]string{"Iranian/MISC", "Masoud Pezeshkian/PERSON", "Tianjin/LOCATION", "Shanghai Cooperation Organisation/ORGANIZATION"}, nil},
		{"The International Criminal Court issued an arrest warrant for Putin in March 2023.",
			[]string{"International Criminal Court/ORGANIZATION", "Putin/PERSON"}, nil},
		{"According to Reuters, the talks in Geneva ended without agreement.",
			[]string{"Reuters/ORGANIZATION", "Geneva/LOCATION"}, nil},
		{"Officials in Washington said the United States would send more aid to Ukraine.",
			[]string{"Washington/LOCATION", "United States/LOCATION", "Ukraine/LOCATION"}, nil},
		{"After World War II, the Soviet Union and the US divided Korea.",
			[]string{"World War II/EVENT", "Soviet Union/LOCATION", "US/LOCATION=United States", "Korea/LOCATION"}, nil},
		{"Secretary of State Marco Rubio met his Japanese counterpart in Tokyo.",
			[]string{"Marco Rubio/PERSON", "Japanese/MISC", "Tokyo/LOCATION"}, nil},
		{"Apple chief executive Tim Cook visited a factory in Shenzhen, the company said.",
			[]string{"Apple/ORGANIZATION", "Tim Cook/PERSON", "Shenzhen/LOCATION"}, nil},
		{"Kim Jong Un oversaw a missile launch near Pyongyang, state media KCNA reported.",
			[]string{"Kim Jong Un/PERSON", "Pyongyang/LOCATION", "KCNA/ORGANIZATION=Korean Central News Agency"}, nil},
		{"Al Jazeera's Katrina Yu, reporting from Beijing, said Xi and Putin appeared relaxed.",
			[]string{"Al Jazeera/ORGANIZATION", "Katrina Yu/PERSON", "Beijing/LOCATION", "Xi/PERSON", "Putin/PERSON"}, nil},
		{"Dr. Tedros Adhanom Ghebreyesus, head of the World Health Organization, spoke in Geneva.",
			[]string{"Tedros Adhanom Ghebreyesus/PERSON", "World Health Organization/ORGANIZATION", "Geneva/LOCATION"}, nil},
		{"Former British Prime Minister Boris Johnson visited Kyiv.",
			[]string{"British/MISC", "Boris Johnson/PERSON", "Kyiv/LOCATION"}, nil},
		{"The European Union and ASEAN signed a trade deal in Jakarta.",
			[]string{"European Union/ORGANIZATION", "ASEAN/ORGANIZATION", "Jakarta/LOCATION"}, nil},
		{"Harvard University professor Jane Smith said the study was flawed.",
			[]string{"Harvard University/ORGANIZATION", "Jane Smith/PERSON"}, nil},
		{"Putin, speaking in Moscow, said the West had ignored Russia's concerns.",
			[]string{"Putin/PERSON", "Moscow/LOCATION", "West/LOCATION=the West", "Russia/LOCATION"}, nil},
		{"Police arrested Michael O'Brien in Dublin on Tuesday.",
			[]string{"Michael O'Brien/PERSON", "Dublin/LOCATION"}, nil},
		{"Ursula von der Leyen, president of the European Commission, visited Kyiv.",
			[]string{"Ursula von der Leyen/PERSON", "European Commission/ORGANIZATION", "Kyiv/LOCATION"}, nil},
		{"Defense Secretary Lloyd Austin met Jordan's King Abdullah in Amman.",
			[]string{"Lloyd Austin/PERSON", "Jordan/LOCATION", "Abdullah/PERSON", "Amman/LOCATION"}, nil},
		{"Bashar al-Assad fled Damascus as rebels advanced, the Syrian Observatory for Human Rights said.",
			[]string{"Bashar al-Assad/PERSON", "Damascus/LOCATION", "Syrian Observatory for Human Rights/ORGANIZATION"}, nil},
		{"Goldman Sachs Group Inc cut its forecast, the Bank of England said.",
			[]string{"Goldman Sachs Group Inc/ORGANIZATION", "Bank of England/ORGANIZATION"}, nil},
		{"Biden spoke with Netanyahu on Sunday, White House spokesperson Karine Jean-Pierre said.",
			[]string{"Biden/PERSON", "Netanyahu/PERSON", "White House/ORGANIZATION", "Karine Jean-Pierre/PERSON"}, nil},
		{"MPs debated the Online Safety Act on Tuesday.",
			[]string{"Online Safety Act/MISC"}, nil},
		{"Gen. Mark Milley, the chairman of the Joint Chiefs of Staff, testified before Congress.",
			[]string{"Mark Milley/PERSON", "Joint Chiefs of Staff/ORGANIZATION", "Congress/ORGANIZATION=United States Congress"}, nil},
		{"Brazil's President Luiz Inacio Lula da Silva hosted the BRICS summit in Rio.",
			[]string{"Brazil/LOCATION", "Luiz Inacio Lula da Silva/PERSON", "BRICS/ORGANIZATION", "Rio/LOCATION"}, nil},
		{"Xi Welcomes Old Friend Putin, Praises Unprecedented Ties in Beijing",
			[]string{"Xi/PERSON", "Putin/PERSON", "Beijing/LOCATION"}, nil},
		// Addresses and file names are not names, whatever they spell.
		{"Reuters sent the files to Maria.Lopez@example.com: see CrudeStocks.pdf at www.Example.org/Jakarta.",
			[]string{"Reuters/ORGANIZATION"}, nil},
		{"Read it at (www.Kemlu.go.id) or detik.com/Jakarta, as \u201cBEI.pdf\u201d says.",
			[]string{}, nil},
		{"PUTIN SAYS RUSSIA READY FOR TALKS WITH KYIV",
			[]string{"PUTIN/PERSON=Putin", "RUSSIA/LOCATION=Russia", "KYIV/LOCATION=Kyiv"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			checkTable(t, tg, tt.text, "en", tt.want, tt.hybrid)
		})
	}
}

func TestTagIndonesian(t *testing.T) {
	tg := New()
	tests := []struct {
		text   string
		want   []string // from the rules alone, and from Tag unless hybrid is set
		hybrid []string // from Tag, where it differs
	}{
		{"Kementerian Luar Negeri Rusia mengecam keputusan itu.",
			[]string{"Kementerian Luar Negeri Rusia/ORGANIZATION"}, nil},
		{"Lembaga Survei Indonesia (LSI) merilis hasil survei. Menurut LSI, elektabilitas naik.",
			[]string{"Lembaga Survei Indonesia/ORGANIZATION", "LSI/ORGANIZATION=Lembaga Survei Indonesia", "LSI/ORGANIZATION=Lembaga Survei Indonesia"}, nil},
		{"Menteri Luar Negeri Sugiono bertemu Wang Yi di Jakarta pada Selasa (2/9).",
			[]string{"Sugiono/PERSON", "Wang Yi/PERSON", "Jakarta/LOCATION"}, nil},
		{"Gubernur Jawa Barat Dedi Mulyadi meninjau banjir di Kabupaten Bogor.",
			// The regency's name is "Kabupaten Bogor" (not the city, Kota Bogor).
			[]string{"Jawa Barat/LOCATION=West Java", "Dedi Mulyadi/PERSON", "Kabupaten Bogor/LOCATION"}, nil},
		{"Sebelumnya, Presiden Prabowo Subianto menghadiri KTT G20 di Rio de Janeiro.",
			[]string{"Prabowo Subianto/PERSON", "G20/ORGANIZATION", "Rio de Janeiro/LOCATION"}, nil},
		{"Lima orang tewas dalam kecelakaan di Jalan Tol Cipularang.",
			[]string{"Jalan Tol Cipularang/LOCATION"}, nil},
		{"Bank Indonesia menahan suku bunga, kata Gubernur BI Perry Warjiyo.",
			[]string{"Bank Indonesia/ORGANIZATION", "BI/ORGANIZATION=Bank Indonesia", "Perry Warjiyo/PERSON"}, nil},
		{"Partai Komunis Tiongkok menggelar kongres di Beijing.",
			[]string{"Partai Komunis Tiongkok/ORGANIZATION=Chinese Communist Party", "Beijing/LOCATION"}, nil},
		{"Kunjungan Putin ke Pyongyang memicu kekhawatiran di Seoul dan Tokyo.",
			[]string{"Putin/PERSON", "Pyongyang/LOCATION", "Seoul/LOCATION", "Tokyo/LOCATION"}, nil},
		{"Hasyim Asy'ari mengatakan Badan Pusat Statistik mencatat inflasi 2,3 persen.",
			[]string{"Hasyim Asy'ari/PERSON", "Badan Pusat Statistik/ORGANIZATION"}, nil},
		{"Warga Gaza mengungsi ke Rafah setelah serangan Pasukan Pertahanan Israel.",
			[]string{"Gaza/LOCATION", "Rafah/LOCATION", "Pasukan Pertahanan Israel/ORGANIZATION=Israel Defense Forces"}, nil},
		{"Mantan Presiden Susilo Bambang Yudhoyono berbicara di Universitas Indonesia.",
			[]string{"Susilo Bambang Yudhoyono/PERSON", "Universitas Indonesia/ORGANIZATION"}, nil},
		{"Juru bicara Kementerian Luar Negeri Tiongkok Mao Ning mengatakan Beijing menentang sanksi tersebut.",
			[]string{"Kementerian Luar Negeri Tiongkok/ORGANIZATION", "Mao Ning/PERSON", "Beijing/LOCATION"}, nil},
		{"Menurut Direktur Eksekutif Indikator Politik Indonesia Burhanuddin Muhtadi, elektabilitas Prabowo naik.",
			[]string{"Indikator Politik Indonesia/ORGANIZATION", "Burhanuddin Muhtadi/PERSON", "Prabowo/PERSON"}, nil},
		{"Polisi menangkap tersangka berinisial AS di Medan, Sumatera Utara.",
			[]string{"Medan/LOCATION", "Sumatera Utara/LOCATION=North Sumatra"}, nil},
		{"Banjir melanda Jakarta Selatan dan Jakarta Timur sejak Minggu malam.",
			[]string{"Jakarta Selatan/LOCATION", "Jakarta Timur/LOCATION"}, nil},
		{"Tim SAR gabungan masih mencari korban di Sungai Ciliwung.",
			[]string{"Sungai Ciliwung/LOCATION"}, nil},
		{"PT Pertamina (Persero) menaikkan harga BBM nonsubsidi.",
			[]string{"PT Pertamina/ORGANIZATION"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			checkTable(t, tg, tt.text, "id", tt.want, tt.hybrid)
		})
	}
}

// TestOtherLanguages checks the fallback: gazetteer matches only.
func TestOtherLanguages(t *testing.T) {
	tg := New()
	text := "Le président Emmanuel Macron a reçu Xi Jinping à Paris, puis à Beijing, avec l'OTAN et la NATO."
	for _, lang := range []string{"fr", "", "de-DE"} {
		got := compact(tg.Tag(text, lang))
		want := []string{"Paris/LOCATION", "Beijing/LOCATION", "NATO/ORGANIZATION"}
		if !slices.Equal(got, want) {
			t.Errorf("Tag(%q, %q) = %q, want %q", text, lang, got, want)
		}
	}
	// Region subtags and case do not matter for the two full languages.
	for _, lang := range []string{"id-ID", "ID", "in"} {
		if got := compact(tg.Tag("Presiden Joko Widodo tiba di Tokyo.", lang)); !slices.Contains(got, "Joko Widodo/PERSON") {
			t.Errorf("lang %q: got %q, want Joko Widodo/PERSON", lang, got)
		}
	}
}

// TestSpans runs awkward input through Tag and checks the span invariants.
func TestSpans(t *testing.T) {
	tg := New()
	texts := append(sampleLines(t),
		"", " ", "\n\n", "....", "“”", "A", "I", "XI", "AS", "U.S.", "Dr.", "Mr. X.",
		"China's", "Al Jazeera’s Katrina Yu", "Perang Dunia II.", "Bangsa-Bangsa -orang",
		"Presiden", "presiden Iran", "kata", "kata Yu", "di", "di Beijing\r\ndi Tianjin",
		"Xi  Jinping", "Xi\u00a0Jinping bertemu Putin", "Washington, D.C., and St. Petersburg",
		"ÉMILE ZOLA À PARIS", "Ångström Łódź Ōsaka İstanbul", "naïve café Zoë Saldaña",
		"emoji 🇮🇩 Indonesia 🎉 Jakarta", "\xff\xfe Jakarta \xc3", "Jakarta\x00Bogor",
		"al-", "-al", "'s", "’s", "O'", "Bank of", "Kementerian", "Universitas Indonesia (",
		"(SCO)", "Organisasi Kerjasama Shanghai (SCO", strings.Repeat("Xi Jinping ", 200),
		strings.Repeat("A B C D E F G ", 50), "K-Pop BTS G-20 F-16 Su-57 COVID-19 5G iPhone",
	)
	for _, text := range texts {
		for _, lang := range []string{"id", "en", "fr"} {
			checkSpans(t, text, tg.Tag(text, lang))
		}
	}
}

// TestConcurrent runs Tag from many goroutines on one Tagger; run with -race.
func TestConcurrent(t *testing.T) {
	tg := New()
	lines := sampleLines(t)
	want := make([][]events.Entity, len(lines))
	for i, line := range lines {
		want[i] = tg.Tag(line, "id")
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Go(func() {
			for r := range 20 {
				i := (g + r) % len(lines)
				if got := tg.Tag(lines[i], "id"); !slices.Equal(got, want[i]) {
					errs <- fmt.Sprintf("line %d: got %v, want %v", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestGazetteer checks the embedded data: no alias names two entities.
func TestGazetteer(t *testing.T) {
	tg := New()
	seen := map[string]*gazEntry{}
	aliases := 0
	for _, e := range tg.lex {
		for _, a := range e.aliases {
			aliases++
			key := fmt.Sprint(a.lower, a.modes, a.gaps)
			if prev, ok := seen[key]; ok && prev != a.entry {
				t.Errorf("alias %q is both %s %q and %s %q", strings.Join(a.words, " "),
					prev.typ, prev.canonical, a.entry.typ, a.entry.canonical)
			}
			seen[key] = a.entry
		}
	}
	if aliases < 1000 {
		t.Errorf("only %d aliases loaded", aliases)
	}
}

// FuzzTag checks the span invariants on arbitrary input.
func FuzzTag(f *testing.F) {
	for _, line := range sampleLines(f) {
		f.Add(line, "id")
	}
	f.Add("Chinese President Xi Jinping met Vladimir Putin in Moscow.", "en")
	f.Add("Organisasi Kerjasama Shanghai (SCO) di Tianjin", "fr")
	tg := New()
	f.Fuzz(func(t *testing.T, text, lang string) {
		checkSpans(t, text, tg.Tag(text, lang))
	})
}

// BenchmarkTag tags the sample article, paragraph by paragraph.
func BenchmarkTag(b *testing.B) {
	tg := New()
	var lines []string
	for _, l := range sampleLines(b) {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	bytes := 0
	for _, l := range lines {
		bytes += len(l)
	}
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			tg.Tag(l, "id")
		}
	}
	b.ReportMetric(float64(b.N*len(lines))/b.Elapsed().Seconds(), "paragraphs/s")
}

// BenchmarkNew measures loading the gazetteers.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		New()
	}
}

// TestTagModel checks the model-only view that "warta-train eval --model-only"
// measures: well-formed spans from the model, the gazetteer's additions left
// out, and no model for a language without one.
func TestTagModel(t *testing.T) {
	tg := New()
	text := "Presiden Joko Widodo bertemu Xi Jinping di Beijing pada hari Selasa."
	got := tg.TagModel(text, "id")
	checkSpans(t, text, got)
	if len(got) == 0 {
		t.Errorf("TagModel(%q): no entities", text)
	}
	if len(got) > len(tg.Tag(text, "id")) {
		t.Errorf("TagModel(%q) = %q: more than Tag, which adds the gazetteer's names", text, compact(got))
	}
	fr := "Emmanuel Macron a rencontré Xi Jinping à Pékin."
	if a, b := compact(tg.TagModel(fr, "fr")), compact(tg.Tag(fr, "fr")); !slices.Equal(a, b) {
		t.Errorf("TagModel(%q, fr) = %q, Tag gives %q: both are the gazetteer's alone", fr, a, b)
	}
}

func TestIsAddress(t *testing.T) {
	for _, tt := range []struct {
		word string
		want bool
	}{
		{"Maria.Lopez@example.com", true},
		{"https://warta.example/berita", true},
		{"www.Example.org/Jakarta", true},
		{"CrudeStocks.pdf", true},
		{"Laporan_Tahunan.XLSX", true},
		{"@prabowo", false}, // a handle, not an address
		{"U.S.", false},
		{"Jl.", false},
		{"Amazon.com", false}, // a company's name as often as an address
		{"detik.com/Jakarta", true},
		{"reuters.com/world/Asia-Pacific", true},
		{"Jakarta/Bandung", false},
		{"U.S./Mexico", false},
		{"2,3", false},
	} {
		if got := isAddress(tt.word); got != tt.want {
			t.Errorf("isAddress(%q) = %v, want %v", tt.word, got, tt.want)
		}
	}
}

// TestCanonicalWithoutLeadingWords checks that ordinary lower-case words a
// span takes in ahead of the name ("kota Tianjin", as nergrit marks places)
// stay out of its canonical name, and that a name's particles ("de Gaulle")
// stay in.
func TestCanonicalWithoutLeadingWords(t *testing.T) {
	tg := New()
	for _, tt := range []struct {
		text, lang string
		want       map[string]string // entity text → canonical, for the entities named
	}{
		{"Para pemimpin bertemu di kota Tianjin pada hari Senin.", "id", map[string]string{"kota Tianjin": "Tianjin", "Tianjin": "Tianjin"}},
		{"They laid a wreath where de Gaulle spoke in 1940.", "en", map[string]string{"de Gaulle": "de Gaulle", "Gaulle": "Gaulle"}},
	} {
		got := tg.Tag(tt.text, tt.lang)
		found := false
		for _, e := range got {
			if want, ok := tt.want[e.Text]; ok {
				found = true
				if e.Canonical != want {
					t.Errorf("Tag(%q): %q has canonical %q, want %q", tt.text, e.Text, e.Canonical, want)
				}
			}
		}
		if !found {
			t.Errorf("Tag(%q) = %v: none of %v", tt.text, got, tt.want)
		}
	}
}

// TestSpansAreWords checks that entities start and end on words, also where
// a model's span is cut at titles inside it.
func TestSpansAreWords(t *testing.T) {
	tg := New()
	for _, tt := range []struct{ text, lang string }{
		{"RUSSIA head Paulo chairman House \u201d ", "id"},
		{"Acme Corp chairman John Smith spokesman Bob Jones said the deal was done.", "en"},
		{"Partai Gerindra ketua umum Prabowo Subianto hadir di Jakarta.", "id"},
	} {
		for _, e := range tg.Tag(tt.text, tt.lang) {
			if e.Text != strings.TrimFunc(e.Text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '.' }) {
				t.Errorf("Tag(%q): entity %q does not start and end on a word", tt.text, e.Text)
			}
		}
	}
}

// TestNamesAsWritten checks names as people write them: two organisations
// joined by "and" or "dan" are two mentions, one whose name has "and" in it
// is one, and a name written in lower case gets the gazetteer's canonical
// name or capitals, so that facets do not split one name in two.
func TestNamesAsWritten(t *testing.T) {
	tg := New()
	for _, tt := range []struct {
		text, lang string
		want       []string // ends of entities as compact writes them, in order; others may come between
	}{
		{"The pact was signed by the US Department of Energy and India's Ministry of New and Renewable Energy on Monday.", "en",
			[]string{"US Department of Energy/ORGANIZATION", "Ministry of New and Renewable Energy/ORGANIZATION"}},
		{"Officials of the Ministry of New and Renewable Energy declined to comment.", "en",
			[]string{"Ministry of New and Renewable Energy/ORGANIZATION"}},
		{"Perjanjian itu diteken Kementerian Luar Negeri dan Kementerian Pertahanan di Jakarta.", "id",
			[]string{"Kementerian Luar Negeri/ORGANIZATION", "Kementerian Pertahanan/ORGANIZATION"}},
		// A city's name the model reads as its team stays an organisation.
		{"Pada pertandingan terakhir, Napoli mampu memetik kemenangan atas Verona di kandang.", "id",
			[]string{"Napoli/ORGANIZATION"}},
		{"menteri luar negeri retno marsudi bertemu presiden joko widodo di jakarta.", "id",
			[]string{"retno marsudi/PERSON=Retno Marsudi", "joko widodo/PERSON=Joko Widodo", "jakarta/LOCATION=Jakarta"}},
	} {
		t.Run(tt.text, func(t *testing.T) {
			es := tg.Tag(tt.text, tt.lang)
			checkSpans(t, tt.text, es)
			got := compact(es)
			k := 0
			for _, g := range got {
				if k < len(tt.want) && strings.HasSuffix(g, tt.want[k]) {
					k++
				}
			}
			if k < len(tt.want) {
				t.Errorf("Tag = %q, want %q among them, in order", got, tt.want)
			}
		})
	}
}

// TestLowerWordInIndonesianProse checks that a single lower-case word in
// capitalised Indonesian prose is not taken for a name, even one the
// gazetteer knows capitalised ("padang" is grassland, "Padang" a city).
func TestLowerWordInIndonesianProse(t *testing.T) {
	text := "Negara padang rumput dan tambang mineral yang terkurung daratan itu bergantung pada Rusia."
	es := New().Tag(text, "id")
	checkSpans(t, text, es)
	if got := compact(es); !slices.Equal(got, []string{"Rusia/LOCATION=Russia"}) {
		t.Errorf("Tag(%q) = %q, want only Rusia", text, got)
	}
}

// TestCurrencyIsNotAPlace checks that the country of a currency in a price
// ("dolar AS") is not a mention of the place, while the place itself is.
func TestCurrencyIsNotAPlace(t *testing.T) {
	tg := New()
	for _, tt := range []struct {
		text, lang string
		want       []string
	}{
		{"Rupiah melemah ke Rp 16.200 per dolar AS pada Senin.", "id", []string{}},
		{"Harga minyak mentah naik menjadi 78 dolar AS per barel, sementara AS menambah cadangan.", "id", []string{"AS/LOCATION=United States"}},
	} {
		es := tg.Tag(tt.text, tt.lang)
		checkSpans(t, tt.text, es)
		if got := compact(es); !slices.Equal(got, tt.want) {
			t.Errorf("Tag(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
