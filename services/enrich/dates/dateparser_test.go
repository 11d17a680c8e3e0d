package dates

import (
	"testing"
	"time"
)

// TestFindDateparserLanguages checks go-dateparser behind the wrapper's
// rules on real-looking sentences in French, German, Spanish and Malay:
// exact spans, TIMEX values against published (Tuesday 2 September 2025),
// and no bare numbers, durations, day numbers without a month or clock times.
func TestFindDateparserLanguages(t *testing.T) {
	checkFind(t, []findCase{
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
		// Dates without a digit, which only a date word lets through to
		// go-dateparser (see dateWords.windows). go-dateparser does not
		// read "premier": the month is what it finds.
		{"fr", "Le premier mars, la ville a voté; il y a trois jours, le maire a démissionné.", []string{"mars=2025-03", "il y a trois jours=2025-08-30"}},
		{"fr", "Hier, le maire a démissionné; avant-hier, il avait nié.", []string{"Hier=2025-09-01", "avant-hier=2025-08-31"}},
		{"fr", "Aujourd'hui, la ville vote; demain, elle proclame les résultats.", []string{"Aujourd'hui=2025-09-02", "demain=2025-09-03"}},
		{"de", "Vor drei Tagen stimmte die Stadt ab; gestern wurde das Ergebnis bekannt.", []string{"Vor drei Tagen=2025-08-30", "gestern=2025-09-01"}},
		{"de", "Vorgestern stimmte die Stadt ab, heute tagt der Rat.", []string{"Vorgestern=2025-08-31", "heute=2025-09-02"}},
		{"de", "Letzte Woche stimmte die Stadt ab.", []string{"Letzte Woche=2025-W35"}},
		{"es", "Ayer la ciudad votó; anteayer hubo protestas.", []string{"Ayer=2025-09-01", "anteayer=2025-08-31"}},
		{"es", "Hace un año la ciudad votó.", []string{"Hace un año=2024"}},
		{"ms", "Semalam bandar itu mengundi; kelmarin ada bantahan.", []string{"Semalam=2025-09-01"}},
		{"pt", "Ontem a cidade votou.", []string{"Ontem=2025-09-01"}},
		{"it", "Ieri la città ha votato.", []string{"Ieri=2025-09-01"}},
		{"nl", "Gisteren stemde de stad; vorige week waren er protesten.", []string{"Gisteren=2025-09-01", "vorige week=2025-W35"}},
		// Weeks as ISO weeks, as the grammar gives "last week" and "minggu
		// lalu"; relative phrases of several words that go-dateparser's
		// search misses ("la semaine dernière", "el mes pasado").
		{"fr", "La semaine dernière, le gouvernement a présenté son projet de loi.", []string{"La semaine dernière=2025-W35"}},
		{"fr", "Le ministre l'avait annoncé la semaine dernière à Bruxelles.", []string{"la semaine dernière=2025-W35"}},
		{"fr", "Le chômage a reculé le mois dernier et reculera encore l'année prochaine.", []string{"le mois dernier=2025-08", "l'année prochaine=2026"}},
		{"fr", "Les résultats seront connus la semaine prochaine.", []string{"la semaine prochaine=2025-W37"}},
		{"es", "La semana pasada el Gobierno aprobó el presupuesto; el mes pasado, la reforma.", []string{"La semana pasada=2025-W35", "el mes pasado=2025-08"}},
		{"it", "La settimana scorsa il governo ha approvato la legge.", []string{"settimana scorsa=2025-W35"}},
		{"de", "Vor zwei Wochen hatte die Regierung den Plan vorgestellt.", []string{"Vor zwei Wochen=2025-W34"}},
		// Numbers in words, which go-dateparser rewrites to digits in
		// French and German only; the wrapper does it in the others.
		{"es", "Hace tres días, la delegación llegó a Pekín.", []string{"Hace tres días=2025-08-30"}},
		{"es", "El acuerdo se firmó hace dos semanas en Madrid.", []string{"hace dos semanas=2025-W34"}},
		{"fr", "Il y a deux ans, la ville avait déjà voté.", []string{"Il y a deux ans=2023"}},
		{"pt", "Há três dias, o governo anunciou o plano.", []string{"Há três dias=2025-08-30"}},
		{"pt", "O acordo foi assinado há cinco meses.", []string{"há cinco meses=2025-04"}},
		{"it", "Il premier è arrivato tre giorni fa a Bruxelles.", []string{"tre giorni fa=2025-08-30"}},
		{"nl", "De minister trad drie dagen geleden af.", []string{"drie dagen geleden=2025-08-30"}},
		{"ms", "Perdana Menteri tiba tiga hari lalu di Beijing.", []string{"tiga hari lalu=2025-08-30"}},
		// The future: forward, never back.
		{"fr", "Dans un mois, les députés voteront le budget.", []string{"Dans un mois=2025-10"}},
		{"fr", "Le verdict est attendu dans 3 jours.", []string{"dans 3 jours=2025-09-05"}},
		{"es", "El Parlamento votará la ley dentro de dos semanas.", []string{"dentro de dos semanas=2025-W38"}},
		{"de", "Die Wahl findet in zwei Wochen statt.", []string{"in zwei Wochen=2025-W38"}},
		{"ms", "Keputusan akan diumumkan dalam dua minggu.", []string{"dalam dua minggu=2025-W38"}},
		// No date at all: no window, no search.
		{"fr", "Le gouvernement a présenté son projet devant les députés, qui en débattront longuement.", nil},
		{"de", "Die Regierung hat die Reform vorgestellt, die Abgeordneten werden darüber beraten.", nil},
	})
}

// TestFindDateparserNotDates checks that counts, measures and durations are
// no dates, against a publication date at the end of a month too: there
// the rules alone used to let "10 à 15" through as 15 October and "3 Tage
// und" as three days ago, which windows now leave out (see
// dateWords.windows).
func TestFindDateparserNotDates(t *testing.T) {
	tests := []struct{ lang, in string }{
		{"fr", "Les rendements pourraient être inférieurs de 10 à 15 % à ceux de l’an dernier."},
		{"fr", "Cárdenas, 26 ans, s’impose avec 38 secondes d’avance, et 1 min 12 s sur Garnier."},
		{"de", "Die Investitionskosten beziffert das Unternehmen auf etwa 2,8 Milliarden Euro."},
		{"de", "Die Prognosen gehen von einem Höchststand zwischen 10,20 und 10,60 Metern aus."},
		{"de", "Die Gespräche dauerten 3 Tage und seit 80 Jahren gibt es den Vertrag."},
		{"es", "El premio fue para un poeta chileno de 82 años."},
		{"es", "La cumbre duró 3 días y asistieron 2025 delegados a la reunión."},
		{"ms", "Seramai 12,486 mangsa daripada 3,902 keluarga ditempatkan di 48 pusat pemindahan."},
		// Durations in words, and units alone, which go-dateparser reads
		// as so many back and as the publication date.
		{"es", "La cumbre duró tres días y reunió a veinte jefes de Estado."},
		{"de", "Die Gespräche dauerten drei Tage, die Verhandlungen zwei Wochen."},
		{"fr", "Il a fallu un mois pour former le gouvernement."},
		{"nl", "De onderhandelingen duurden drie dagen."},
		{"es", "Los años pasan y la ciudad sigue esperando el metro."},
		{"es", "Durante años la ciudad esperó el metro."},
		{"de", "Jahre später stimmte die Stadt erneut ab."},
		{"de", "Seit Jahren streiten Bund und Länder über die Finanzierung."},
		{"fr", "Des jours durant, les habitants ont attendu les secours."},
		{"it", "Gli anni passano e la città aspetta ancora."},
		// A number of units after a word the language does not use for
		// "from now" is a duration, whatever go-dateparser reads.
		{"es", "Construyeron el puente en 3 meses."},
		{"es", "La obra se terminó en dos semanas."},
		{"it", "Hanno costruito il ponte in 3 mesi."},
		{"fr", "Ils ont construit la maison en 3 jours."},
	}
	for _, ref := range []time.Time{published, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)} {
		for _, tt := range tests {
			t.Run(ref.Format(time.DateOnly)+"/"+tt.lang+"/"+tt.in, func(t *testing.T) {
				if g := got(Find(tt.in, tt.lang, ref)); len(g) != 0 {
					t.Errorf("got %q, want none", g)
				}
			})
		}
	}
}
