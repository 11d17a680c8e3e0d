package analysis

import "testing"

// TestStemIndonesian: the cases of Lucene's TestIndonesianStemmer (the same
// published rules), where the lexicon agrees with them, and the cases where
// it mends them; and the word forms search must bring together.
func TestStemIndonesian(t *testing.T) {
	st := NewIndonesianStemmer()
	for _, tc := range []struct{ word, want string }{
		// Particles and possessive pronouns.
		{"kampunglah", "kampung"}, {"kampungkah", "kampung"},
		{"bukumu", "buku"}, {"bukuku", "buku"}, {"bukunya", "buku"},
		// First-order prefixes.
		{"mengukur", "ukur"}, {"menyapu", "sapu"}, {"menduga", "duga"},
		{"membaca", "baca"}, {"merusak", "rusak"}, {"pengukur", "ukur"},
		{"penduga", "duga"}, {"pembaca", "baca"}, {"diukur", "ukur"},
		{"kekasih", "kasih"}, {"penulis", "tulis"},
		// Second-order prefixes.
		{"berlari", "lari"}, {"belajar", "ajar"}, {"bekerja", "kerja"}, {"perjelas", "jelas"},
		{"pelajar", "ajar"}, {"pekerja", "kerja"},
		// Suffixes, and confixes.
		{"ambilkan", "ambil"}, {"mengambilkan", "ambil"}, {"makanan", "makan"},
		{"perjanjian", "janji"}, {"tandai", "tanda"}, {"dapati", "dapat"},
		{"mendapati", "dapat"}, {"kedatangan", "datang"}, {"pembangunan", "bangun"},
		// Two syllables or fewer are left alone.
		{"buku", "buku"}, {"temu", "temu"}, {"ini", "ini"}, {"di", "di"},
		// Where the rules alone err and the lexicon mends them: an ending
		// that belongs to the root, a root that lost its first sound to a
		// nasal prefix, a root that merely ends like a suffix.
		{"bertemu", "temu"}, {"menuduh", "tuduh"}, {"dituduh", "tuduh"}, {"pantai", "pantai"},
		// What search relies on: one stem for the forms of a word.
		{"pertemuan", "temu"}, {"kunjungan", "kunjung"}, {"mengunjungi", "kunjung"},
		// A name none of whose readings is a word: the rules' reading.
		{"prabowo", "prabowo"},
	} {
		if got := st.Stem(tc.word); got != tc.want {
			t.Errorf("Stem(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
	for _, pair := range [][2]string{{"memimpin", "pemimpin"}, {"pertemuan", "bertemu"}, {"penulis", "menulis"}} {
		if a, b := st.Stem(pair[0]), st.Stem(pair[1]); a != b {
			t.Errorf("%s → %q and %s → %q: want one stem", pair[0], a, pair[1], b)
		}
	}
}
