package dates

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warta-news/warta/pkg/events"
)

const samplePath = "../../../samples/xi-putin-beijing.id.txt"

// published is the sample's publication time: Tuesday 2 September 2025.
var published = time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC)

func sampleLines(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open(samplePath)
	if err != nil {
		tb.Fatalf("open sample: %v", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read sample: %v", err)
	}
	return lines
}

// checkSpans fails unless ds are sorted, disjoint, and each Text is exactly
// its byte span of text.
func checkSpans(t *testing.T, text string, ds []events.Date) {
	t.Helper()
	if ds == nil {
		t.Errorf("Find(%q) = nil, want a non-nil slice", text)
	}
	end := 0
	for _, d := range ds {
		if d.Start < end || d.End <= d.Start || d.End > len(text) {
			t.Errorf("Find(%q): span [%d,%d) of %q overlaps, is out of order or out of range", text, d.Start, d.End, d.Text)
			continue
		}
		if text[d.Start:d.End] != d.Text {
			t.Errorf("Find(%q): Text %q != text[%d:%d] %q", text, d.Text, d.Start, d.End, text[d.Start:d.End])
		}
		end = d.End
	}
}

// got renders dates as "text=value" or "text=value/mod" for comparison.
func got(ds []events.Date) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		s := d.Text + "=" + d.Value
		if d.Mod != "" {
			s += "/" + d.Mod
		}
		out = append(out, s)
	}
	return out
}

// sampleDates are the eight dates of the reference article, title and
// dateline included.
var sampleDates = []string{
	"2 Sep 2025=2025-09-02",
	"pada hari Selasa=2025-09-02",
	"pada hari Selasa=2025-09-02",
	"pada hari Senin=2025-09-01",
	"awal 2022=2022/START",
	"1930 -an=193X",
	"Pada tahun 2024=2024",
	"tahun lalu=2024",
}

func TestFindSample(t *testing.T) {
	var all []string
	for _, line := range sampleLines(t) {
		ds := Find(line, "id", published)
		checkSpans(t, line, ds)
		all = append(all, got(ds)...)
	}
	want := slices.Clone(sampleDates)
	slices.Sort(all)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Errorf("dates in the sample:\n got  %q\n want %q", all, want)
	}
}

// sampleSentenceCases are the reference article's tricky sentences.
var sampleSentenceCases = []struct {
	in   string
	want []string
}{
	{"Presiden Xi menerima Putin di Beijing pada 2 Sep 2025 setelah KTT SCO.", []string{"2 Sep 2025=2025-09-02"}},
	{"Pertemuan kedua pemimpin datang sehari sebelum parade militer yang menandai penyerahan Jepang dalam Perang Dunia II.", nil},
	{"Pembicaraan datang sehari setelah keduanya menghadiri puncak dari Organisasi Kerjasama Shanghai (SCO).", nil},
	{"Sebelum akhir kunjungannya di Beijing, Putin diharapkan “menandatangani 20 kesepakatan meningkatkan kerja sama”.", nil},
	{"Hubungan antara Cina dan Rusia telah menguat dalam beberapa tahun terakhir, terutama setelah invasi Rusia ke Ukraina pada awal 2022.", []string{"awal 2022=2022/START"}},
	{"parade militer Tiongkok besar di Beijing untuk menandai peringatan ke -80 kekalahan Jepang dan akhir Perang Dunia II.", nil},
	{"Ini akan dihadiri oleh sekitar dua lusin pemimpin dunia.", nil},
	{"pasukan Jepang yang menyerang pada 1930 -an. Itu juga menyatakan perang terhadap Jepang pada hari-hari terakhir Perang Dunia II.", []string{"1930 -an=193X"}},
	{"kata Presiden Cina Xi Jinping kepada KTT pada hari Senin, dalam komentar", []string{"pada hari Senin=2025-09-01"}},
	{"Pada tahun 2024, Putin melakukan kunjungan resmi ke Mongolia, yang mengeluarkan surat perintah penangkapan untuk Putin tahun lalu.", []string{"Pada tahun 2024=2024", "tahun lalu=2024"}},
}

// TestFindSampleSentences pins the sample's tricky sentences one by one, with
// the dateline as a sentence, since ingest removes the dateline from the body.
func TestFindSampleSentences(t *testing.T) {
	tests := sampleSentenceCases
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ds := Find(tt.in, "id", published)
			checkSpans(t, tt.in, ds)
			if g := got(ds); !slices.Equal(g, tt.want) && len(g)+len(tt.want) > 0 {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
}

// findCases are real sentences in both languages with the dates they hold,
// resolved against published.
var findCases = []findCase{
	// Indonesian: explicit dates.
	{"id", "Jakarta, Selasa, 2 September 2025 pukul 10.30 WIB — Presiden membuka sidang.", []string{"Selasa, 2 September 2025 pukul 10.30 WIB=2025-09-02T10:30"}},
	{"id", "Proklamasi dibacakan pada tanggal 17 Agustus 1945 di Jakarta.", []string{"pada tanggal 17 Agustus 1945=1945-08-17"}},
	{"id", "Menteri Luar Negeri tiba di Jakarta, Senin (1/9/2025), untuk pertemuan bilateral.", []string{"Senin (1/9/2025)=2025-09-01"}},
	{"id", "Presiden Prabowo, Jum'at (29/8), menerima delegasi Rusia.", []string{"Jum'at (29/8)=2025-08-29"}},
	{"id", "Data per 02/09/2025 menunjukkan kenaikan ekspor.", []string{"02/09/2025=2025-09-02"}},
	{"id", "Laporan yang dirilis 2025-08-30 itu memuat angka baru.", []string{"2025-08-30=2025-08-30"}},
	{"id", "Inflasi pada September 2025 turun menjadi 2,3 persen.", []string{"September 2025=2025-09"}},
	{"id", "Kebijakan itu berlaku mulai 1 Jan. 2026 dan dievaluasi 31 Des 2026.", []string{"1 Jan. 2026=2026-01-01", "31 Des 2026=2026-12-31"}},
	{"id", "Warga memperingati 17 Agustus lalu dengan upacara.", []string{"17 Agustus lalu=2025-08-17"}},
	{"id", "Tarif baru berlaku mulai 1 Januari.", []string{"1 Januari=2026-01-01"}},
	// Indonesian: years, months, decades.
	{"id", "Undang-undang itu berlaku sejak 2019 dan diubah pada 2024.", []string{"2019=2019", "pada 2024=2024"}},
	{"id", "Ia menjabat hingga tahun 2029.", []string{"tahun 2029=2029"}},
	{"id", "Harga minyak naik sejak Mei lalu.", []string{"Mei lalu=2025-05"}},
	{"id", "Panen raya diperkirakan pada bulan Oktober.", []string{"pada bulan Oktober=2025-10"}},
	{"id", "Musik dangdut populer pada tahun 1970-an dan tahun 90-an.", []string{"pada tahun 1970-an=197X", "tahun 90-an=199X"}},
	// Indonesian: fuzzy parts.
	{"id", "Proyek itu selesai pada akhir 2022 dan diperluas pertengahan 2023.", []string{"akhir 2022=2022/END", "pertengahan 2023=2023/MID"}},
	{"id", "Panen raya berlangsung awal September 2025.", []string{"awal September 2025=2025-09/START"}},
	{"id", "Harga naik sejak akhir tahun lalu.", []string{"akhir tahun lalu=2024/END"}},
	{"id", "Demonstrasi terjadi akhir pekan lalu di Jakarta.", []string{"akhir pekan lalu=2025-W35-WE"}},
	// Indonesian: weekdays.
	{"id", "Putin memanggil Xi sebagai teman baik pada hari Selasa.", []string{"pada hari Selasa=2025-09-02"}},
	{"id", "Selasa lalu, harga saham anjlok.", []string{"Selasa lalu=2025-08-26"}},
	{"id", "Ia akan kembali ke Moskow Jumat depan.", []string{"Jumat depan=2025-09-05"}},
	{"id", "Sidang lanjutan digelar pada Jumat ini.", []string{"pada Jumat ini=2025-09-05"}},
	{"id", "Keduanya bertemu hari Minggu di Tianjin.", []string{"hari Minggu=2025-08-31"}},
	{"id", "Putin tiba di Tianjin pada Minggu lalu.", []string{"pada Minggu lalu=2025-08-31"}},
	{"id", "Minggu lalu, harga emas naik.", []string{"Minggu lalu=2025-W35"}},
	{"id", "Rapat kabinet digelar Senin pekan depan.", []string{"Senin pekan depan=2025-09-08"}},
	// Indonesian: relative.
	{"id", "Putin mengatakan kemarin bahwa hubungan kedua negara kuat.", []string{"kemarin=2025-09-01"}},
	{"id", "Pertemuan lanjutan akan digelar besok, bukan kemarin lusa.", []string{"besok=2025-09-03", "kemarin lusa=2025-08-31"}},
	{"id", "Hari ini, kedua pemimpin menandatangani perjanjian.", []string{"Hari ini=2025-09-02"}},
	{"id", "Harga beras naik tajam bulan lalu dan pekan lalu.", []string{"bulan lalu=2025-08", "pekan lalu=2025-W35"}},
	{"id", "Pemilu akan digelar tahun depan, bukan tahun ini.", []string{"tahun depan=2026", "tahun ini=2025"}},
	{"id", "Gempa terjadi tiga hari yang lalu di Sulawesi dan 5 hari lalu di Jawa.", []string{"tiga hari yang lalu=2025-08-30", "5 hari lalu=2025-08-28"}},
	{"id", "Perusahaan itu didirikan dua puluh satu tahun lalu, setahun silam direstrukturisasi.", []string{"dua puluh satu tahun lalu=2004", "setahun silam=2024"}},
	{"id", "Jepang menyerah 80 tahun lalu.", []string{"80 tahun lalu=1945"}},
	{"id", "Kasus itu mencuat sekitar dua tahun lalu.", []string{"dua tahun lalu=2023/APPROX"}},
	// Indonesian: not dates.
	{"id", "Perang itu berlangsung selama 80 tahun.", nil},
	{"id", "Kerugian mencapai beberapa tahun lalu dan beberapa hari lalu dilaporkan.", nil},
	{"id", "Sebanyak 2024 orang hadir, dan target 2025 tercapai.", nil},
	{"id", "Rapat digelar setiap Senin; kantor buka Senin-Jumat pukul 08.00.", nil},
	{"id", "Kenaikan 10.30 persen diumumkan pukul 10.30 WIB.", nil},
	{"id", "Bintang film Meiliana dan penyanyi Mei tampil di Sept Hotel.", nil},
	{"id", "Ia memakai nomor punggung 19 dan menyebut COVID-19 sebagai pandemi abad ke-21.", nil},
	{"id", "Selama 2000 tahun kota itu berdiri.", nil},
	{"id", "Banjir melanda Pasar Minggu dan peringatan Gerakan 30 September digelar.", nil},
	{"id", "Umat Kristiani merayakan Jumat Agung, tetapi warga belanja di pasar Minggu pagi.", []string{"Minggu=2025-08-31"}},
	// English: explicit dates.
	{"en", "The summit opened on September 2, 2025, in Beijing.", []string{"September 2, 2025=2025-09-02"}},
	{"en", "Published 2 Sep 2025 by the wire service.", []string{"2 Sep 2025=2025-09-02"}},
	{"en", "The deal was signed Sept. 2, 2025, and ratified on the 2nd of October 2025.", []string{"Sept. 2, 2025=2025-09-02", "2nd of October 2025=2025-10-02"}},
	{"en", "Tuesday, September 2, 2025 at 10:30 a.m. GMT: leaders arrive.", []string{"Tuesday, September 2, 2025 at 10:30 a.m. GMT=2025-09-02T10:30"}},
	{"en", "The filing is dated 02/09/2025, the hearing 25/09/2025.", []string{"02/09/2025=2025-02-09", "25/09/2025=2025-09-25"}},
	{"en", "Exports fell in May 2025 and recovered in July.", []string{"May 2025=2025-05", "in July=2025-07"}},
	{"en", "Rates rose in 2024 and have been flat since 2019.", []string{"in 2024=2024", "2019=2019"}},
	{"en", "The law comes into force on January 1.", []string{"January 1=2026-01-01"}},
	// English: weekdays and relative.
	{"en", "Xi met Putin on Tuesday, a day after the summit ended Monday.", []string{"on Tuesday=2025-09-02", "Monday=2025-09-01"}},
	{"en", "Putin arrived last Tuesday and leaves next Tuesday.", []string{"last Tuesday=2025-08-26", "next Tuesday=2025-09-09"}},
	{"en", "Yesterday's talks, today's parade and tomorrow's flight.", []string{"Yesterday=2025-09-01", "today=2025-09-02", "tomorrow=2025-09-03"}},
	{"en", "Sales fell last year, rose this year and will slow next month.", []string{"last year=2024", "this year=2025", "next month=2025-10"}},
	{"en", "The strike began last week and ended last weekend.", []string{"last week=2025-W35", "last weekend=2025-W35-WE"}},
	{"en", "It happened three days ago, twenty-one days ago, two years ago and a year ago.", []string{"three days ago=2025-08-30", "twenty-one days ago=2025-08-12", "two years ago=2023", "a year ago=2024"}},
	{"en", "Troops massed in early 2022, late 2022 and mid-2023.", []string{"early 2022=2022/START", "late 2022=2022/END", "mid-2023=2023/MID"}},
	{"en", "The plant closes by the end of 2026; sales dipped late last year.", []string{"the end of 2026=2026/END", "late last year=2024/END"}},
	{"en", "Japan invaded in the 1930s; the music of the '90s and 1960s.", []string{"the 1930s=193X", "the '90s=199X", "1960s=196X"}},
	// English: not dates.
	{"en", "Prices may rise, and the march may continue.", nil},
	{"en", "They met the day before the parade.", nil},
	{"en", "Ties have deepened in recent years and several years ago.", nil},
	{"en", "The council meets every Monday, and the last year has been hard.", nil},
	{"en", "Markets were shut on Good Friday, The Sunday Times reported.", nil},
	{"en", "Theresa May said the plan would pass; prices may 2025 rise.", nil},
	{"en", "Some 80 years after World War II, 2000 people marched in 2,000 cities.", nil},
}

// findCase is a text in a language and the dates Find gives for it
// against published, as "text=value".
type findCase struct {
	lang, in string
	want     []string
}

// checkFind runs Find on each case, as a subtest: its spans must be the
// text's and its dates the wanted ones.
func checkFind(t *testing.T, cases []findCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.lang+"/"+tt.in, func(t *testing.T) {
			ds := Find(tt.in, tt.lang, published)
			checkSpans(t, tt.in, ds)
			if g := got(ds); !slices.Equal(g, tt.want) && len(g)+len(tt.want) > 0 {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
}

func TestFind(t *testing.T) { checkFind(t, findCases) }

// TestFindWithoutReference checks that without a publication time only
// absolute dates come out.
func TestFindWithoutReference(t *testing.T) {
	in := "Pada hari Selasa, kemarin, tahun lalu dan 17 Agustus, bukan 2 Sep 2025 atau pada tahun 2024."
	g := got(Find(in, "id", time.Time{}))
	want := []string{"2 Sep 2025=2025-09-02", "pada tahun 2024=2024"}
	if !slices.Equal(g, want) {
		t.Errorf("got %q, want %q", g, want)
	}
}

// TestFindOtherLanguages checks that a language neither the grammar nor
// go-dateparser reads yields ISO dates only, as does any other language
// without a publication date.
func TestFindOtherLanguages(t *testing.T) {
	in := "Le 2 septembre 2025 (2025-09-02), hier, 02/09/2025."
	want := []string{"2025-09-02=2025-09-02"}
	for _, lang := range []string{"", "xx", "tlh"} {
		if g := got(Find(in, lang, published)); !slices.Equal(g, want) {
			t.Errorf("lang %q: got %q, want %q", lang, g, want)
		}
	}
	if g := got(Find(in, "fr", time.Time{})); !slices.Equal(g, want) {
		t.Errorf("fr without reference: got %q, want %q", g, want)
	}
	// Regional tags read as their language.
	if g := got(Find("pada hari Senin", "id-ID", published)); len(g) != 1 {
		t.Errorf("id-ID: got %q, want one date", g)
	}
	if g := got(Find("Il est arrivé hier.", "fr-CA", published)); !slices.Equal(g, []string{"hier=2025-09-01"}) {
		t.Errorf("fr-CA: got %q, want hier", g)
	}
}

// TestWeekdayResolution checks the news convention for every weekday and
// direction against a Tuesday reference.
func TestWeekdayResolution(t *testing.T) {
	days := []string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}
	// 2025-09-02 is a Tuesday: the past week runs from Wednesday 27 August.
	plain := []string{"2025-08-31", "2025-09-01", "2025-09-02", "2025-08-27", "2025-08-28", "2025-08-29", "2025-08-30"}
	last := []string{"2025-08-31", "2025-09-01", "2025-08-26", "2025-08-27", "2025-08-28", "2025-08-29", "2025-08-30"}
	next := []string{"2025-09-07", "2025-09-08", "2025-09-09", "2025-09-03", "2025-09-04", "2025-09-05", "2025-09-06"}
	for i, d := range days {
		for _, c := range []struct{ in, want string }{
			{"pada hari " + d, plain[i]},
			{"hari " + d + " lalu", last[i]},
			{"hari " + d + " depan", next[i]},
		} {
			ds := Find(c.in, "id", published)
			if len(ds) != 1 || ds[0].Value != c.want || ds[0].Text != c.in {
				t.Errorf("Find(%q) = %+v, want %s over the whole phrase", c.in, ds, c.want)
			}
		}
	}
}

// FuzzFind checks the span invariants on any input in both languages.
func FuzzFind(f *testing.F) {
	for _, line := range sampleLines(f) {
		f.Add(line)
	}
	f.Add("Selasa, 2 September 2025 pukul 10.30 WIB (2/9) 1930 -an 2025-09-02T10:30 Jum’at")
	f.Add("Tuesday, Sept. 2, 2025 at 10:30 a.m. the '90s mid-2022 twenty-one days ago")
	f.Fuzz(func(t *testing.T, s string) {
		for _, lang := range []string{"id", "en", "fr"} {
			ds := Find(s, lang, published)
			checkSpans(t, s, ds)
			for _, d := range ds {
				if !validValue(d.Value) {
					t.Errorf("Find(%q, %s): bad value %q", s, lang, d.Value)
				}
				switch d.Mod {
				case "", "START", "MID", "END", "APPROX":
				default:
					t.Errorf("Find(%q, %s): bad mod %q", s, lang, d.Mod)
				}
			}
		}
	})
}

// validValue tells whether v has one of the documented value shapes and names
// a real calendar day, month, year, decade or week.
func validValue(v string) bool {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02", "2006-01", "2006"} {
		if _, err := time.Parse(layout, v); err == nil {
			return true
		}
	}
	if len(v) == 4 && v[3] == 'X' {
		_, err := time.Parse("2006", v[:3]+"0")
		return err == nil
	}
	v = strings.TrimSuffix(v, "-WE")
	var y, w int
	if n, err := fmt.Sscanf(v, "%4d-W%2d", &y, &w); err != nil || n != 2 || len(v) != 8 || w < 1 || w > 53 {
		return false
	}
	return true
}

func BenchmarkFind(b *testing.B) {
	lines := sampleLines(b)
	bytes := 0
	for _, l := range lines {
		bytes += len(l)
	}
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	rounds := 0
	for b.Loop() {
		for _, l := range lines {
			Find(l, "id", published)
		}
		rounds++
	}
	b.ReportMetric(float64(rounds*len(lines))/b.Elapsed().Seconds(), "paragraphs/s")
}

func ExampleFind() {
	ref := time.Date(2025, 9, 2, 10, 30, 0, 0, time.FixedZone("WIB", 7*3600))
	for _, d := range Find("Putin tiba pada hari Senin, sehari sebelum parade, dan menginvasi Ukraina pada awal 2022.", "id", ref) {
		if d.Mod == "" {
			d.Mod = "-"
		}
		fmt.Printf("%s = %s %s\n", d.Text, d.Value, d.Mod)
	}
	// Output:
	// pada hari Senin = 2025-09-01 -
	// awal 2022 = 2022 START
}

// TestWeekdayTense checks that a bare weekday points ahead in a sentence
// about the future, and back, the news convention, otherwise: the nearest
// word that tells the time decides, before the weekday first.
func TestWeekdayTense(t *testing.T) {
	thursday := time.Date(2024, 3, 14, 9, 0, 0, 0, time.UTC) // 2024-03-14
	monday := time.Date(2025, 1, 20, 9, 0, 0, 0, time.UTC)   // 2025-01-20
	for _, tt := range []struct {
		lang      string
		published time.Time
		in        string
		want      []string
	}{
		{"en", thursday, "Biden will travel to Tokyo on Friday.", []string{"on Friday=2024-03-15"}},
		{"en", thursday, "Biden travelled to Tokyo on Friday.", []string{"on Friday=2024-03-08"}},
		{"en", thursday, "On Friday, Biden will meet Kishida in Tokyo.", []string{"On Friday=2024-03-15"}},
		{"en", thursday, "He'll be in Tokyo on Thursday, officials said.", []string{"on Thursday=2024-03-14"}},
		{"en", thursday, "The summit is scheduled for Monday.", []string{"Monday=2024-03-18"}},
		{"en", thursday, "Biden said on Monday that he will travel to Tokyo on Friday.", []string{"on Monday=2024-03-11", "on Friday=2024-03-15"}},
		{"en", thursday, "Biden will travel to Tokyo on Friday, the White House said on Tuesday.", []string{"on Friday=2024-03-15", "on Tuesday=2024-03-12"}},
		{"en", thursday, "Talks will resume. They met on Monday.", []string{"on Monday=2024-03-11"}},
		{"id", monday, "Kedua menteri dijadwalkan bertemu di Jakarta pada hari Rabu.", []string{"pada hari Rabu=2025-01-22"}},
		{"id", monday, "Kedua menteri bertemu di Jakarta pada hari Rabu.", []string{"pada hari Rabu=2025-01-15"}},
		{"id", monday, "Presiden akan berkunjung ke Tokyo pada Jumat.", []string{"pada Jumat=2025-01-24"}},
		{"id", monday, "Rencananya, pertemuan digelar Kamis di Istana.", []string{"Kamis=2025-01-23"}},
		{"id", monday, "Pada Selasa, delegasi itu akan tiba di Bali.", []string{"Pada Selasa=2025-01-21"}},
		{"id", monday, "Ia mengatakan pada Jumat bahwa sidang akan digelar pada Senin.", []string{"pada Jumat=2025-01-17", "pada Senin=2025-01-20"}},
		{"id", monday, "Sidang telah digelar pada hari Kamis.", []string{"pada hari Kamis=2025-01-16"}},
	} {
		t.Run(tt.in, func(t *testing.T) {
			ds := Find(tt.in, tt.lang, tt.published)
			checkSpans(t, tt.in, ds)
			if g := got(ds); !slices.Equal(g, tt.want) {
				t.Errorf("published %s: got %q, want %q", tt.published.Format("Monday 2006-01-02"), g, tt.want)
			}
		})
	}
}
