package article

import (
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
)

// Undetermined is the language code of an article whose language is unknown
// (ISO 639-2 "und").
const Undetermined = "und"

// detectBytes bounds the text given to the detector. whatlanggo's cost is
// mostly fixed per call (it compares the text's trigrams with every
// profile of its script), but it grows with the text too: half a kilobyte
// (the title and the first paragraph or two) decides the language of news
// as reliably as 8 KiB did in the tests, at 0.5 ms per article instead of 2.
const detectBytes = 1 << 9

// NormalizeLang turns a BCP 47 language tag into the lower-case primary
// language subtag the pipeline uses: "EN-us" becomes "en", "id_ID" becomes
// "id", and an ISO 639-3 code that has an ISO 639-1 one is shortened ("ind"
// becomes "id"). A tag whose primary subtag is not an ISO 639 code of 2 or 3
// ASCII letters ("bahasa", "english") is rejected with an error matching
// ErrBadLang (and events.ErrInvalid). BCP 47 also allows 5 to 8 letters, but
// no such language subtag has ever been registered.
func NormalizeLang(tag string) (string, error) {
	primary, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
	primary, _, _ = strings.Cut(primary, "_")
	primary = strings.ToLower(primary)
	if len(primary) < 2 || len(primary) > 3 || strings.IndexFunc(primary, notASCIILetter) >= 0 {
		return "", fmt.Errorf("%w: lang %q is not a language code; use an ISO 639-1 code such as "+
			`"id" or "en", or omit "lang" to have it detected`, ErrBadLang, tag)
	}
	if len(primary) == 3 {
		if short := whatlanggo.CodeToLang(primary).Iso6391(); short != "" {
			return short, nil
		}
	}
	return primary, nil
}

func notASCIILetter(r rune) bool { return r < 'a' || r > 'z' }

// detectLang returns the ISO 639-1 code of the language of an article, or
// fallback (else Undetermined) when the detector is not confident: see
// DetectLang.
func detectLang(title, body, fallback string) string {
	return DetectLang(title+"\n"+body, fallback)
}

// DetectLang returns the ISO 639-1 code of the language of text, from its
// first half kilobyte, or fallback (else Undetermined) when it cannot tell.
//
// English, Indonesian and Malay, the languages of the news this pipeline
// reads, are told by their function words, which a single sentence has:
// "Joe Biden met Narendra Modi in New Delhi on Monday." is English by "in"
// and "on", where a trigram profile sees mostly names. Indonesian and Malay
// share most of them; words of one and not the other ("bahwa", "karena",
// "uang" against "bahawa", "kerana", "wang") tell them apart, and without
// such a word the text is Indonesian. Text that these words do not explain
// (other languages, other scripts, a line of names) goes to whatlanggo,
// whose answer is taken when it is reliable. whatlanggo has no Malay
// profile; its near neighbour is Javanese ("jv"), which it returns,
// unreliably, for some short Indonesian sentences: the reliability check
// sends those to fallback.
func DetectLang(text, fallback string) string {
	if len(text) > detectBytes {
		cut := detectBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	lang, lean := byWords(text)
	if lang != "" {
		return lang
	}
	info := whatlanggo.Detect(text)
	if code := info.Lang.Iso6391(); code != "" && info.IsReliable() {
		return code
	}
	if fallback != "" {
		if lang, err := NormalizeLang(fallback); err == nil {
			return lang
		}
	}
	if lean != "" {
		return lean
	}
	return Undetermined
}

// What a function word says of the language of a text.
const (
	fwEnglish   = 1 << iota
	fwMalayic   // Indonesian and Malay alike
	fwIndonesia // Indonesian, not Malay
	fwMalay     // Malay, not Indonesian
	fwOther     // a function word of another language written in Latin script
)

// functionWords returns the table of function words. The words are common
// in running text of their language and rare in the others: English words
// that are also German, Dutch or Romance words ("in", "a", "was", "die")
// are left out of English, and Indonesian words that Malay writes otherwise
// ("karena" for "kerana") mark Indonesian.
func functionWords() map[string]uint8 {
	m := map[string]uint8{}
	add := func(kind uint8, words string) {
		for _, w := range strings.Fields(words) {
			m[w] |= kind
		}
	}
	add(fwEnglish, `the of and to for on that with as by at from he his it its is be are were been has have
		had this which who will would said says not but or they their she her after about than more also into
		over new there what when we you your our them can could should may might do does did just how
		because while where these those some any being such only other up out if so my`)
	add(fwMalayic, `yang dan di ke dari ini itu dengan untuk pada dalam tidak akan oleh juga ada adalah atau
		kepada telah sebagai mereka kami kita saya ia dia lebih sudah belum masih hanya para tersebut tetapi
		namun bagi antara sejak hingga sampai secara seperti jika kalau agar serta setiap semua banyak
		beberapa pun lagi sangat harus dapat perlu ketika saat kini hari tahun bulan menurut terhadap
		bukan maka lalu yakni dimana bahkan pernah sedang tengah baru orang sebuah seorang kata kali`)
	add(fwIndonesia, `bahwa karena saja bisa uang pemerintah yaitu sesudah kemarin besok polisi kasus proyek
		mobil kantor senin kamis jumat desember agustus juli juni maret rp rupiah kabupaten
		kecamatan provinsi terkait lewat bilang nggak gak enggak aja sih dong kok nih deh banget yg dgn utk
		mengatakan ujar tutur dikatakan mau`)
	add(fwMalay, `bahawa kerana sahaja wang kerajaan baharu iaitu selepas esok polis kes projek
		isnin khamis jumaat disember ogos julai jun mac ringgit menerusi
		membabitkan ekoran setakat seramai mangsa terjejas kenderaan mahu kanak-kanak memaklumkan manakala
		encik universiti kualiti aktiviti`)
	add(fwOther, `der die das und ist nicht mit sich des dem den ein eine einen auf für im zu von auch wird
		le la les et est une du dans pour que qui pas sur au aux avec ce il elle sont
		de el las y en es del por con una para lo se su como más
		os não uma em da dos das ao pelo pela mais
		il che della gli sono anche alla
		het een van niet zijn op voor dat ook zich er aan bij`)
	return m
}

// functionWordKinds are the function words of DetectLang, built once.
var functionWordKinds = functionWords()

// byWords returns "en", "id" or "ms" when the words of text say so, and ""
// when they don't. Function words decide first; without them, and without
// a function word of another language, the other words do, by how often
// langwords.txt says each occurs in English and Indonesian text: naive
// Bayes, equal priors, and one language at least 20 times likelier. When
// one is likelier, but not by that much, by a word of three letters or
// more, it is returned as lean: what DetectLang says when neither
// whatlanggo nor the caller's default can tell ("Phillip Allen").
func byWords(text string) (lang, lean string) {
	var en, malayic, id, ms, other, known, long int
	odds := 0.0
	LangWords(text, func(w string) {
		if v, ok := langOdds[w]; ok {
			odds += float64(v)
			known++
			if len(w) >= 3 {
				long++
			}
		}
		kind := functionWordKinds[w]
		switch {
		case kind&fwIndonesia != 0:
			id++
		case kind&fwMalay != 0:
			ms++
		}
		if kind&(fwMalayic|fwIndonesia|fwMalay) != 0 {
			malayic++
		}
		if kind&fwEnglish != 0 {
			en++
		}
		if kind&fwOther != 0 {
			other++
		}
	})
	malay := "id"
	if ms >= 2 && ms > id {
		malay = "ms"
	}
	switch {
	case en > 0 && en > 2*(malayic+other):
		return "en", ""
	case malayic > 0 && malayic > 2*(en+other):
		return malay, ""
	case other > 0 || known == 0:
		return "", ""
	case odds >= math.Log(20):
		return "en", ""
	case odds <= -math.Log(20):
		return malay, ""
	case long == 0:
		return "", ""
	case odds > 0:
		return "", "en"
	case odds < 0:
		return "", malay
	}
	return "", ""
}

// LangWords calls fn with every word of text as DetectLang reads words:
// runs of ASCII letters (joined by hyphens: "anak-anak"), lower-cased; fn
// must not keep the string, whose bytes are reused. Words with other
// letters ("café", "Jürgen") are skipped: none of the words DetectLang
// knows has them; so are the parts of a name joined by "&" ("AT&T" is no
// English "at"). gen_langwords.go counts words with it.
func LangWords(text string, fn func(w string)) {
	var buf [32]byte
	for i := 0; i < len(text); {
		if !isASCIIWordByte(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && (isASCIIWordByte(text[j]) || text[j] == '-' && j+1 < len(text) && isASCIIWordByte(text[j+1])) {
			j++
		}
		if j < len(text) && text[j] >= utf8.RuneSelf {
			for j < len(text) && text[j] != ' ' && text[j] != '\n' {
				j++
			}
			i = j
			continue
		}
		if i > 0 && text[i-1] == '&' || j < len(text) && text[j] == '&' {
			i = j
			continue
		}
		if w := text[i:j]; len(w) <= len(buf) {
			lw := buf[:len(w)]
			for k := range len(w) {
				lw[k] = w[k] | 0x20
			}
			// string(lw) in a map index does not allocate.
			fn(string(lw))
		}
		i = j
	}
}

// langWordsFile is langwords.txt: how often common words occur in English
// and in Indonesian text (see langwords.md).
//
//go:embed langwords.txt
var langWordsFile string

// wordOdds maps a word of langwords.txt to the log of how much likelier it
// is in English than in Indonesian text.
type wordOdds map[string]float32

// loadWordOdds reads data, a file like langwords.txt. A word one language
// never showed is counted as half a word there.
func loadWordOdds(data string) wordOdds {
	m := wordOdds{}
	var totEn, totID float64
	for line := range strings.Lines(data) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		if len(f) != 3 {
			continue
		}
		en, err1 := strconv.Atoi(f[1])
		id, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil {
			continue
		}
		if f[0] == "=total" {
			totEn, totID = float64(en), float64(id)
			continue
		}
		m[f[0]] = float32(math.Log((max(float64(en), 0.5) / totEn) / (max(float64(id), 0.5) / totID)))
	}
	return m
}

// langOdds are the word odds of DetectLang, built once.
var langOdds = loadWordOdds(langWordsFile)

func isASCIIWordByte(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
