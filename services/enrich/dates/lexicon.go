package dates

// unit is a calendar unit named by a word ("hari", "weeks").
type unit uint8

const (
	noUnit unit = iota
	uDay
	uWeek
	uMonth
	uYear
)

// Which kinds of expression a leading preposition joins the span of.
const (
	absDay    uint8 = 1 << iota // weekdays and "hari …": "pada hari Selasa", "on Monday"
	absPeriod                   // years, months, weeks: "Pada tahun 2024", "in 2024"
)

// Number word kinds.
const (
	nkNone    int8 = iota
	nkDigit        // 1–9: "dua", "seven"
	nkPuluh        // "puluh": multiplies the digit before it by ten
	nkBelas        // "belas": adds ten to the digit before it
	nkWhole        // a whole number on its own: "sepuluh", "sebelas", "twelve"
	nkTens         // English tens that take a digit after them: "twenty", "thirty"
	nkArticle      // "a", "an": one, directly before a unit
)

// word is what the grammar knows about one spelling. A spelling can carry
// several senses at once ("minggu" is both Sunday and a week; "kemarin" is
// both yesterday and a suffix that points backwards), so the fields are
// independent and each rule reads the ones it needs.
type word struct {
	mod          string // fuzzy modifier: "START", "MID", "END"
	month        int8   // 1–12
	wday         int8   // time.Weekday + 1, so that 0 means "not a weekday"
	num          int8   // value of a number word
	numKind      int8
	rel          int8 // direction of a relative word: -1 "lalu"/"last", 0 "ini"/"this", +1 "depan"/"next"
	dayOff       int8 // day offset of "kemarin", "today", …
	absorb       uint8
	unit         unit
	abbr         bool // month abbreviation: may take a full stop, can't stand alone
	se           bool // "sehari", "setahun": the number one fused to a unit
	plural       bool // "days", "years"
	hasRel       bool
	hasDay       bool
	modOf        bool // English "end", "beginning", …: needs "of" after it
	head         bool // Indonesian unit noun that heads a date: "hari", "tahun", …
	tanggal      bool // "tanggal": heads an explicit date
	cueYear      bool // makes a following bare year a date: "pada 2024", "sejak 2019"
	cueMon       bool // makes a following bare month name a date: "pada Mei", "in May"
	quant        bool // makes a following unit vague: "beberapa tahun lalu", "the last year"
	block        bool // makes a following weekday a habit, not a date: "setiap Senin"
	count        bool // a noun that turns a number before it into a count: "2000 orang"
	ago          bool // "lalu", "silam", "ago"
	tz           bool // time zone: "WIB", "UTC"
	dayName      bool // makes a following weekday a name: "Pasar Minggu", "Good Friday"
	dayNameAfter bool // makes a weekday before it a name: "Jumat Agung", "Rabu Abu"
	approx       bool // "sekitar", "about"
	the          bool // English "the"
	// tense is what a word says of the time of its sentence: +1 the
	// future ("akan", "dijadwalkan", "will"), -1 the past ("telah",
	// "mengatakan", "said"). The nearest such word decides which way a
	// bare weekday points.
	tense int8
}

// lexicon maps lower-case spellings to what the grammar knows about them.
type lexicon map[string]*word

// at returns the entry of s, adding an empty one if there is none yet.
func (l lexicon) at(s string) *word {
	w := l[s]
	if w == nil {
		w = &word{}
		l[s] = w
	}
	return w
}

func (l lexicon) set(f func(*word), spellings ...string) {
	for _, s := range spellings {
		f(l.at(s))
	}
}

func (l lexicon) months(names [12][]string) {
	for i, spellings := range names {
		for j, s := range spellings {
			w := l.at(s)
			w.month = int8(i + 1)
			w.abbr = j > 0
		}
	}
}

func (l lexicon) weekdays(names [7][]string) {
	for i, spellings := range names {
		l.set(func(w *word) { w.wday = int8(i + 1) }, spellings...)
	}
}

func (l lexicon) units(u unit, head bool, spellings ...string) {
	l.set(func(w *word) { w.unit = u; w.head = head }, spellings...)
}

func (l lexicon) rels(rel int8, spellings ...string) {
	l.set(func(w *word) { w.rel = rel; w.hasRel = true }, spellings...)
}

func (l lexicon) days(off int8, spellings ...string) {
	l.set(func(w *word) { w.dayOff = off; w.hasDay = true }, spellings...)
}

func (l lexicon) mods(mod string, of bool, spellings ...string) {
	l.set(func(w *word) { w.mod = mod; w.modOf = of }, spellings...)
}

func (l lexicon) numbers(kind int8, first int, spellings ...string) {
	for i, s := range spellings {
		w := l.at(s)
		w.num = int8(first + i)
		w.numKind = kind
	}
}

// lexID and lexEN are read-only after they are built, so Find is safe for
// concurrent use.
var (
	lexID = newIDLexicon()
	lexEN = newENLexicon()
)

func newIDLexicon() lexicon {
	l := lexicon{}
	// The first spelling of each month is its full name; the others are
	// abbreviations, including old spellings ("Pebruari", "Nopember") that
	// only ever appear with a day or a year.
	l.months([12][]string{
		{"januari", "jan"},
		{"februari", "feb", "peb", "pebruari"},
		{"maret", "mar"},
		{"april", "apr"},
		{"mei"},
		{"juni", "jun"},
		{"juli", "jul"},
		{"agustus", "agu", "agt", "ags", "agus", "aug"},
		{"september", "sep", "sept"},
		{"oktober", "okt", "oct"},
		{"november", "nov", "nop", "nopember"},
		{"desember", "des", "dec"},
	})
	l.weekdays([7][]string{
		{"minggu", "ahad"}, {"senin"}, {"selasa"}, {"rabu"}, {"kamis"}, {"jumat"}, {"sabtu"},
	})
	l.units(uDay, true, "hari")
	l.units(uWeek, true, "minggu", "pekan")
	l.units(uMonth, true, "bulan")
	l.units(uYear, true, "tahun")
	l.set(func(w *word) { w.head = true; w.tanggal = true }, "tanggal")
	l.set(func(w *word) { w.se = true; w.num = 1; w.unit = uDay }, "sehari")
	l.set(func(w *word) { w.se = true; w.num = 1; w.unit = uWeek }, "seminggu", "sepekan")
	l.set(func(w *word) { w.se = true; w.num = 1; w.unit = uMonth }, "sebulan")
	l.set(func(w *word) { w.se = true; w.num = 1; w.unit = uYear }, "setahun")
	l.numbers(nkDigit, 1, "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
	l.numbers(nkWhole, 10, "sepuluh", "sebelas")
	l.at("puluh").numKind = nkPuluh
	l.at("belas").numKind = nkBelas
	l.rels(-1, "lalu", "kemarin")
	l.rels(0, "ini")
	l.rels(1, "depan", "mendatang")
	l.set(func(w *word) { w.ago = true }, "lalu", "silam")
	l.days(-1, "kemarin")
	l.days(1, "besok")
	l.days(2, "lusa")
	l.mods("START", false, "awal", "permulaan")
	l.mods("MID", false, "pertengahan", "medio")
	l.mods("END", false, "akhir", "penghujung")
	l.set(func(w *word) { w.cueYear = true; w.cueMon = true; w.absorb = absDay | absPeriod }, "pada")
	l.set(func(w *word) { w.cueYear = true; w.cueMon = true }, "sejak", "hingga", "sampai", "selama")
	l.set(func(w *word) { w.cueMon = true }, "bulan")
	l.set(func(w *word) { w.quant = true }, "beberapa", "berapa", "banyak", "belasan", "puluhan", "ratusan", "ribuan", "sekian")
	l.set(func(w *word) { w.block = true }, "setiap", "tiap")
	l.set(func(w *word) { w.count = true }, "persen", "orang", "unit", "kali")
	l.set(func(w *word) { w.tz = true }, "wib", "wita", "wit", "utc", "gmt")
	l.set(func(w *word) { w.approx = true }, "sekitar", "kira")
	l.set(func(w *word) { w.dayName = true }, "pasar")
	l.set(func(w *word) { w.tense = 1 }, "akan", "bakal", "hendak", "dijadwalkan", "terjadwal", "rencananya",
		"berencana", "direncanakan", "merencanakan", "mendatang", "nanti", "nantinya")
	l.set(func(w *word) { w.tense = -1 }, "telah", "sudah", "sempat", "pernah", "tadi", "mengatakan", "kata",
		"ujar", "ucap", "tutur", "berkata", "menyatakan", "mengumumkan", "menyebutkan", "menegaskan",
		"menjelaskan", "mengungkapkan", "menambahkan", "melaporkan", "dilaporkan", "diumumkan")
	l.set(func(w *word) { w.dayNameAfter = true }, "agung", "abu", "putih", "suci", "palma", "paskah", "kliwon", "legi", "pahing", "pon", "wage")
	return l
}

func newENLexicon() lexicon {
	l := lexicon{}
	l.months([12][]string{
		{"january", "jan"},
		{"february", "feb"},
		{"march", "mar"},
		{"april", "apr"},
		{"may"},
		{"june", "jun"},
		{"july", "jul"},
		{"august", "aug"},
		{"september", "sep", "sept"},
		{"october", "oct"},
		{"november", "nov"},
		{"december", "dec"},
	})
	l.weekdays([7][]string{
		{"sunday"}, {"monday"}, {"tuesday"}, {"wednesday"}, {"thursday"}, {"friday"}, {"saturday"},
	})
	l.units(uDay, false, "day")
	l.units(uWeek, false, "week")
	l.units(uMonth, false, "month")
	l.units(uYear, false, "year")
	l.units(uDay, false, "days")
	l.units(uWeek, false, "weeks")
	l.units(uMonth, false, "months")
	l.units(uYear, false, "years")
	l.set(func(w *word) { w.plural = true }, "days", "weeks", "months", "years")
	l.numbers(nkDigit, 1, "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
	l.numbers(nkWhole, 10, "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
		"sixteen", "seventeen", "eighteen", "nineteen")
	for i, s := range []string{"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"} {
		w := l.at(s)
		w.num = int8(20 + 10*i)
		w.numKind = nkTens
	}
	l.set(func(w *word) { w.num = 1; w.numKind = nkArticle }, "a", "an")
	l.rels(-1, "last")
	l.rels(0, "this")
	l.rels(1, "next")
	l.at("ago").ago = true
	l.days(-1, "yesterday")
	l.days(0, "today", "tonight")
	l.days(1, "tomorrow")
	l.mods("START", false, "early")
	l.mods("MID", false, "mid")
	l.mods("END", false, "late")
	l.mods("START", true, "beginning", "start")
	l.mods("MID", true, "middle")
	l.mods("END", true, "end")
	l.at("on").absorb = absDay
	l.set(func(w *word) { w.cueYear = true; w.cueMon = true; w.absorb = absPeriod }, "in")
	l.set(func(w *word) { w.cueYear = true; w.cueMon = true }, "since", "until", "till", "during")
	l.set(func(w *word) { w.quant = true }, "several", "few", "many", "some", "couple", "recent", "past")
	l.set(func(w *word) { w.block = true }, "every", "each")
	l.set(func(w *word) { w.the = true; w.quant = true; w.block = true }, "the")
	l.set(func(w *word) { w.count = true }, "percent", "people", "times")
	l.set(func(w *word) { w.tz = true }, "utc", "gmt")
	l.set(func(w *word) { w.approx = true }, "about", "around", "roughly", "approximately", "some")
	// "ll" is the end of "he'll"; "won't" is left out, "won" being a past.
	l.set(func(w *word) { w.tense = 1 }, "will", "ll", "shall", "scheduled", "upcoming", "expected", "due",
		"plans", "planning", "intends", "next", "tomorrow")
	l.set(func(w *word) { w.tense = -1 }, "said", "told", "announced", "reported", "added", "met", "was", "were",
		"had", "did", "arrived", "visited", "held", "signed", "earlier", "ago", "yesterday", "last")
	l.set(func(w *word) { w.dayName = true }, "good", "black", "cyber", "super", "ash", "maundy",
		"holy", "easter", "palm", "bloody", "blue", "giving")
	return l
}
