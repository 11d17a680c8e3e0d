package dates

import (
	"slices"
	"testing"
)

// TestFindDateparserLanguages checks go-dateparser behind the wrapper's
// rules on real-looking sentences in French, German, Spanish and Malay:
// exact spans, TIMEX values against published (Tuesday 2 September 2025),
// and no bare numbers, durations, day numbers without a month or clock times.
func TestFindDateparserLanguages(t *testing.T) {
	tests := []struct {
		lang, in string
		want     []string
	}{
		// French.
		{"fr", "Le président est arrivé le 2 septembre 2025 à Pékin, hier, pour un sommet.", []string{"2 septembre 2025=2025-09-02", "hier=2025-09-01"}},
		{"fr", "Xi a reçu Putin mardi; les deux hommes s'étaient vus lundi.", []string{"mardi=2025-09-02", "lundi=2025-09-01"}},
		{"fr", "La Russie a envahi l'Ukraine en 2022 et l'inflation a ralenti en septembre 2024.", []string{"en 2022=2022", "septembre 2024=2024-09"}},
		{"fr", "Le sommet s'est ouvert le 2 septembre 2025 à 10h30.", []string{"2 septembre 2025 à 10h30=2025-09-02T10:30"}},
		{"fr", "Il y a 3 jours, la délégation est partie.", []string{"Il y a 3 jours=2025-08-30"}},
		{"fr", "Les 80 ans de la victoire: 20 accords signés à 10h30.", nil},
		{"fr", "La fête nationale du 14 juillet a réuni 2000 personnes.", []string{"14 juillet=2025-07-14"}},
		// German.
		{"de", "Am 2. September 2025 traf Xi in Peking ein; gestern sprach er 20 Minuten.", []string{"Am 2. September 2025=2025-09-02", "gestern=2025-09-01"}},
		{"de", "Vor 3 Tagen unterzeichneten beide Seiten 20 Abkommen.", []string{"Vor 3 Tagen=2025-08-30"}},
		{"de", "Die Gespräche dauerten 3 Tage und seit 80 Jahren gibt es den Vertrag.", nil},
		{"de", "Im September 2024 stieg die Inflation, der Bericht ist vom 02.09.2025.", []string{"September 2024=2024-09", "02.09.2025=2025-09-02"}},
		// Spanish.
		{"es", "El martes 2 de septiembre de 2025 Xi recibió a Putin en Pekín.", []string{"2 de septiembre de 2025=2025-09-02"}},
		{"es", "Hace 3 días llegó la delegación; ayer firmó 20 acuerdos.", []string{"Hace 3 días=2025-08-30", "ayer=2025-09-01"}},
		{"es", "La guerra comenzó en 2022 y duró 80 años según el libro.", []string{"en 2022=2022"}},
		{"es", "La cumbre duró 3 días y asistieron 2025 delegados a la reunión.", nil},
		// Malay.
		{"ms", "Pada 2 September 2025, Xi menerima Putin di Beijing; semalam dia tiba.", []string{"2 September 2025=2025-09-02", "semalam=2025-09-01"}},
		{"ms", "Beliau tiba 3 hari lalu dan menandatangani 20 perjanjian selama 3 hari.", []string{"3 hari lalu=2025-08-30"}},
		{"ms", "Ekonomi pulih pada tahun 2022 selepas 80 tahun.", []string{"tahun 2022=2022"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.in, func(t *testing.T) {
			ds := Find(tt.in, tt.lang, published)
			checkSpans(t, tt.in, ds)
			if g := got(ds); !slices.Equal(g, tt.want) && len(g)+len(tt.want) > 0 {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	text := "Am  2.\u00a0September 2025 und am 2. September 2025."
	for _, tc := range []struct {
		frag       string
		from       int
		start, end int
		ok         bool
	}{
		{"2. September 2025", 0, 30, 47, true},
		{"Am 2. September 2025", 0, 0, 22, true},
		{"2. September 2025", 33, 0, 0, false},
		{"Mai", 0, 0, 0, false},
	} {
		s, e, ok := locate(text, tc.frag, tc.from)
		if ok != tc.ok || (ok && (s != tc.start || e != tc.end)) {
			t.Errorf("locate(%q, %d) = %d, %d, %v; want %d, %d, %v", tc.frag, tc.from, s, e, ok, tc.start, tc.end, tc.ok)
		}
	}
}

// BenchmarkFindDateparser measures a paragraph in a language read by
// go-dateparser through the wrapper.
func BenchmarkFindDateparser(b *testing.B) {
	lines := []string{
		"Le président est arrivé le 2 septembre 2025 à Pékin, hier, pour un sommet de l'Organisation de coopération de Shanghai, où il a rencontré Vladimir Poutine et une vingtaine de dirigeants.",
		"Les deux dirigeants ont signé 20 accords et annoncé un nouveau gazoduc; la Russie a envahi l'Ukraine en 2022 et les échanges ont depuis doublé, selon les douanes chinoises.",
		"Mardi, une parade militaire a marqué les 80 ans de la fin de la Seconde Guerre mondiale sur la place Tiananmen.",
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, l := range lines {
			Find(l, "fr", published)
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "paragraphs/s")
}
