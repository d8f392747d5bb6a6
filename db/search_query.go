package db

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"toasoan/internal/vntext"
)

// Limits of a parsed search query: the handler bounds the text's length; these bound the
// work one query can ask of FTS5.
const (
	MaxQueryChars = 200 // characters of reader input, counted after NFC
	maxQueryTerms = 16  // distinct words and phrases; later ones are ignored
	minPrefixLen  = 2   // a last word shorter than this is matched whole, not as a prefix
)

// SearchTerm is one word, or one quoted phrase, of a reader's query.
type SearchTerm struct {
	Words  []string // as typed: NFC, lower case, tone marks placed canonically (hoà → hòa)
	Folded []string // the same words through vntext.Fold: what the index holds
	Phrase bool     // typed in quotes: the words must be adjacent and in order
	Prefix bool     // the last word may be the start of a longer word (the reader is typing)
}

// SearchQuery is a reader's query parsed into terms that are all required (AND).
type SearchQuery struct {
	Terms []SearchTerm
	// Accented is true when the reader typed any diacritic: then they wrote Vietnamese
	// properly and articles with the exact accented words rank first.
	Accented bool
}

// Empty reports whether the query has nothing to search for (no letter or digit).
func (q SearchQuery) Empty() bool { return len(q.Terms) == 0 }

// isTokenRune reports whether r belongs to a word, as FTS5's unicode61 tokenizer sees it:
// letters, digits and private-use characters; combining marks stay with their letter.
func isTokenRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r) || unicode.IsMark(r)
}

// exactForm is the form in which accented words are compared: NFC, lower case, with the
// tone of oa/oe/uy syllables placed one way, so hoà and hòa are the same word.
func exactForm(s string) string {
	return strings.ToLower(vntext.CanonicalTone(vntext.Normalize(s)))
}

// splitWords cuts s into words of token runes.
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isTokenRune(r) })
}

// ParseSearchQuery reads what a reader typed: words are ANDed, "quoted words" form a
// phrase (an unclosed quote runs to the end), and the last word matches as a prefix
// unless the text ends with a space or a closing quote (the reader finished the word).
// Everything else — *, :, ^, -, brackets, AND/OR/NOT/NEAR — is plain text: only letters
// and digits survive, and MatchExpression quotes every word.
func ParseSearchQuery(raw string) SearchQuery {
	if !utf8.ValidString(raw) {
		raw = strings.ToValidUTF8(raw, " ")
	}
	// Curly quotes count as quotes: phones and word processors substitute them.
	raw = strings.NewReplacer("“", `"`, "”", `"`, "„", `"`, "«", `"`, "»", `"`).Replace(raw)
	finished := raw == "" || strings.HasSuffix(raw, `"`)
	if r, _ := utf8.DecodeLastRuneInString(raw); unicode.IsSpace(r) {
		finished = true
	}
	var q SearchQuery
	seen := map[string]bool{}
	add := func(text string, phrase bool) {
		words := splitWords(exactForm(text))
		for _, w := range words {
			if vntext.Fold(w) != w {
				q.Accented = true
			}
		}
		if len(words) == 0 {
			return
		}
		if !phrase {
			for _, w := range words {
				t := SearchTerm{Words: []string{w}, Folded: []string{vntext.Fold(w)}}
				if key := t.Folded[0]; !seen[key] && len(q.Terms) < maxQueryTerms {
					seen[key] = true
					q.Terms = append(q.Terms, t)
				}
			}
			return
		}
		t := SearchTerm{Words: words, Phrase: len(words) > 1}
		for _, w := range words {
			t.Folded = append(t.Folded, vntext.Fold(w))
		}
		if key := `"` + strings.Join(t.Folded, " "); !seen[key] && len(q.Terms) < maxQueryTerms {
			seen[key] = true
			q.Terms = append(q.Terms, t)
		}
	}
	for i, part := range strings.Split(raw, `"`) {
		add(part, i%2 == 1)
	}
	if n := len(q.Terms); n > 0 && !finished {
		last := &q.Terms[n-1]
		if utf8.RuneCountInString(last.Folded[len(last.Folded)-1]) >= minPrefixLen {
			last.Prefix = true
		}
	}
	return q
}

// Finished is the query with its last word matched whole: a search the reader submitted
// (a page load, a link, a reload) is finished, while active search asks as they type.
// "nông thôn" then finds nông thôn, not also nông thông.
func (q SearchQuery) Finished() SearchQuery {
	if n := len(q.Terms); n > 0 && q.Terms[n-1].Prefix {
		q.Terms = slices.Clone(q.Terms)
		q.Terms[n-1].Prefix = false
	}
	return q
}

// MatchExpression is the FTS5 MATCH text for the query: every term a quoted string (a
// quote inside doubled, though words hold none), the last one with * when it is a
// prefix, all joined with AND. No reader text ever reaches FTS5 as syntax.
func (q SearchQuery) MatchExpression() string {
	var b strings.Builder
	for i, t := range q.Terms {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(strings.Join(t.Folded, " "), `"`, `""`))
		b.WriteByte('"')
		if t.Prefix {
			b.WriteString(" *")
		}
	}
	return b.String()
}

// String is the query as a reader would type it again: phrases in quotes.
func (q SearchQuery) String() string {
	parts := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		parts[i] = strings.Join(t.Words, " ")
		if t.Phrase {
			parts[i] = `"` + parts[i] + `"`
		}
	}
	return strings.Join(parts, " ")
}
