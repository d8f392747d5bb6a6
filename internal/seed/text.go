package seed

import (
	"math/rand/v2"
	"strings"
	"unicode"

	"toasoan/internal/demo"
	"toasoan/internal/vntext"
)

// Words is the running text of the demo newsroom cut into words: sampling runs from it
// gives synthetic articles Vietnamese word frequencies — common words common, names rare —
// so a search over seeded content behaves as it would over a real archive.
func Words() []string {
	var words []string
	for _, a := range demo.Articles {
		for _, s := range append([]string{a.Title, a.Lead}, a.Paragraphs...) {
			words = append(words, strings.FieldsFunc(s, func(r rune) bool {
				return !unicode.IsLetter(r) && !unicode.IsDigit(r)
			})...)
		}
	}
	return words
}

// Sentence strings n words from words, in runs of 3 to 8 starting at random places, so
// that real word pairs ("giải phóng", "mặt bằng") occur as they do in the news.
func Sentence(r *rand.Rand, words []string, n int) string {
	var b strings.Builder
	for b.Len() == 0 || n > 0 {
		start := r.IntN(len(words))
		run := min(n, 3+r.IntN(6))
		for i := 0; i < run && start+i < len(words); i++ {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[start+i])
			n--
		}
	}
	return b.String()
}

// TwoWordQueries draws n two-word searches from the text: adjacent words, as readers
// type them, every other one without accents.
func TwoWordQueries(r *rand.Rand, words []string, n int) []string {
	var qs []string
	for len(qs) < n {
		i := r.IntN(len(words) - 1)
		q := strings.ToLower(words[i] + " " + words[i+1])
		if len(qs)%2 == 1 {
			q = vntext.Fold(q)
		}
		qs = append(qs, q)
	}
	return qs
}
