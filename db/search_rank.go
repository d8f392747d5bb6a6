package db

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"toasoan/internal/vntext"
)

// Ranking by proximity. A Vietnamese word is one to four syllables (Hà Nội, bảo hiểm y tế)
// and the index holds syllables, so an article where the query's syllables stand side by
// side, in order, is what the reader means; one holding them apart ("phiền hà … nội dung")
// is a coincidence. Levels, best first (README "Search" → "Ranking"):
const (
	levelScattered   = 1 // every syllable somewhere
	levelNear        = 2 // every syllable within nearWindow words of each other, in one field
	levelPhrase      = 3 // side by side and in order in the lead or the body
	levelPhraseTitle = 4 // side by side and in order in the title
	// nearWindow is how many other words may stand between the query's syllables for
	// levelNear (FTS5 NEAR's distance).
	nearWindow = 4
	// restoreSample is how many close matches, the best ranked, an accented form is
	// learned from: enough to outvote a coincidence ("Hạ nói"), few enough that reading
	// their words stays cheap.
	restoreSample = 20
)

// rankSeq is the query's syllables in order, folded and in the accented form ranked
// first: the one the reader typed, or for a query typed without accents the one the
// matching articles use most (restored in reorderWindow).
type rankSeq struct {
	folded []string
	exact  []string // nil: no accented form to prefer
	prefix bool     // the last syllable is being typed
}

// seq is the query's syllables in reading order, quoted phrases included.
func (q SearchQuery) seq() rankSeq {
	var s rankSeq
	for i, t := range q.Terms {
		s.folded = append(s.folded, t.Folded...)
		if q.Accented {
			s.exact = append(s.exact, t.Words...)
		}
		if i == len(q.Terms)-1 {
			s.prefix = t.Prefix
		}
	}
	return s
}

// multi reports whether the query has several syllables, so that their order and
// distance mean something.
func (s rankSeq) multi() bool { return len(s.folded) > 1 }

// phraseExpression is the FTS5 text for the syllables side by side, in order.
func (s rankSeq) phraseExpression() string {
	e := `"` + strings.ReplaceAll(strings.Join(s.folded, " "), `"`, `""`) + `"`
	if s.prefix {
		e += " *"
	}
	return e
}

// nearExpression is the FTS5 text for every syllable within nearWindow words.
func (s rankSeq) nearExpression() string {
	var b strings.Builder
	b.WriteString("NEAR(")
	for i, f := range s.folded {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`"` + strings.ReplaceAll(f, `"`, `""`) + `"`)
		if s.prefix && i == len(s.folded)-1 {
			b.WriteString(" *")
		}
	}
	b.WriteString(", ")
	b.WriteString(strconv.Itoa(nearWindow))
	b.WriteByte(')')
	return b.String()
}

// rankPool gives every pooled article its folded level (and, for one-word queries, its
// field weight) from FTS5 filters over the pool's id range — doclist walks, never the
// texts — and returns how many reach levelPhrase: the close matches, listed before the
// approximate ones. Each filter costs about what the pool's own match does, so only those
// that can change the first pages run: the title filter only when some article has the
// phrase, NEAR only when approximate matches reach the rerank window, neither while the
// reader is still typing.
func (d *DB) rankPool(ctx context.Context, q SearchQuery, s rankSeq, pool []poolEntry) (int, error) {
	if len(pool) == 0 {
		return 0, nil
	}
	oldest := pool[len(pool)-1].id
	in := func(expr string) (map[int64]bool, error) { return d.matchingIDs(ctx, expr, oldest) }
	for i := range pool {
		pool[i].level, pool[i].weight = levelScattered, 1
	}
	if !s.multi() {
		// One word: where it stands weighs as bm25's column weights did.
		match := q.MatchExpression()
		title, err := in("{title} : (" + match + ")")
		if err != nil {
			return 0, err
		}
		lead, err := in("{lead} : (" + match + ")")
		if err != nil {
			return 0, err
		}
		for i := range pool {
			if title[pool[i].id] {
				pool[i].weight += 10
			}
			if lead[pool[i].id] {
				pool[i].weight += 4
			}
		}
		return 0, nil
	}
	phrase := s.phraseExpression()
	var close map[int64]bool
	if len(q.Terms) == 1 && q.Terms[0].Phrase {
		close = nil // one quoted phrase: every match is close
	} else {
		var err error
		if close, err = in(phrase); err != nil {
			return 0, err
		}
	}
	n := 0
	for i := range pool {
		if close == nil || close[pool[i].id] {
			pool[i].level = levelPhrase
			n++
		}
	}
	if s.prefix {
		// Active search, the last word half typed: a prefix phrase merges the lists of
		// every word it may end in, so each filter costs several plain ones. The phrase
		// alone orders what shows while typing (and is what the accents are learned
		// from); the page load of the finished query ranks in full.
		return n, nil
	}
	if n > 0 {
		title, err := in("{title} : (" + phrase + ")")
		if err != nil {
			return 0, err
		}
		for i := range pool {
			if title[pool[i].id] {
				pool[i].level = levelPhraseTitle
			}
		}
	}
	if n < min(rerankWindow, len(pool)) {
		near, err := in(s.nearExpression())
		if err != nil {
			return 0, err
		}
		for i := range pool {
			if pool[i].level == levelScattered && near[pool[i].id] {
				pool[i].level = levelNear
			}
		}
	}
	return n, nil
}

// comparePool orders by folded level, field weight, then the newest.
func comparePool(x, y poolEntry) int {
	if c := cmp.Compare(y.level, x.level); c != 0 {
		return c
	}
	if c := cmp.Compare(y.weight, x.weight); c != 0 {
		return c
	}
	if x.at != y.at {
		return cmp.Compare(y.at, x.at)
	}
	return cmp.Compare(y.id, x.id)
}

// reorderWindow re-orders the window (the best pooled candidates, with their texts) by the
// accented form: close matches stay before approximate ones, and within each, articles
// with the syllables in the accented form side by side come first, at every level. For a
// query typed without accents the form is learned first from the window's own close
// matches (restore); it is returned, as the article text spells it, for "Có phải bạn muốn
// tìm". The texts are those of the newest and best matches, so the form follows what the
// newsroom writes now, with nothing kept to go stale.
func reorderWindow(entries []poolEntry, texts map[int64]Article, s rankSeq) ([]poolEntry, string) {
	suggestion := ""
	if s.exact == nil && s.multi() {
		var form []string
		form, suggestion = restore(entries, texts, s)
		if form != nil {
			s.exact = form
		}
	}
	if s.exact == nil {
		return entries, ""
	}
	f := newExactFinder(s)
	for i := range entries {
		a, ok := texts[entries[i].id]
		if !ok {
			continue
		}
		entries[i].exact = f.level(a.Title, a.Lead, plainText(a.BodyHTML))
	}
	multi := s.multi()
	slices.SortStableFunc(entries, func(x, y poolEntry) int {
		if multi {
			if xc, yc := x.level >= levelPhrase, y.level >= levelPhrase; xc != yc {
				if xc {
					return -1
				}
				return 1
			}
		}
		if c := cmp.Compare(y.exact, x.exact); c != 0 {
			return c
		}
		return comparePool(x, y)
	})
	return entries, suggestion
}

// restore finds the accented form of the query's syllables that most of the window's
// articles write side by side (counted once per article, then by occurrences), and how
// the first of them spells it. It returns nil when the syllables never stand together or
// the form has no accents.
func restore(entries []poolEntry, texts map[int64]Article, s rankSeq) ([]string, string) {
	type tally struct {
		docs, times int
		first       int // rank of the first article using it
		surface     string
	}
	m := newSeqMatcher(s)
	forms := map[string]*tally{}
	sampled := 0
	for rank, e := range entries {
		a, ok := texts[e.id]
		if !ok || e.level < levelPhrase || sampled == restoreSample {
			continue
		}
		sampled++
		seen := map[string]bool{}
		for _, text := range [...]string{a.Title, a.Lead, plainText(a.BodyHTML)} {
			toks := m.tokens(text)
			for _, at := range m.phrases(toks) {
				words := make([]string, len(s.folded))
				surface := make([]string, len(s.folded))
				for k := range words {
					t := toks[at+k]
					surface[k] = text[t.start:t.end]
					words[k] = exactForm(surface[k])
				}
				key := strings.Join(words, " ")
				f := forms[key]
				if f == nil {
					f = &tally{first: rank, surface: strings.Join(surface, " ")}
					forms[key] = f
				}
				f.times++
				if !seen[key] {
					seen[key] = true
					f.docs++
				}
			}
		}
	}
	best, bestKey := (*tally)(nil), ""
	for k, f := range forms {
		if best == nil || f.docs > best.docs || f.docs == best.docs && (f.times > best.times ||
			f.times == best.times && f.first < best.first) {
			best, bestKey = f, k
		}
	}
	if best == nil || vntext.Fold(bestKey) == bestKey {
		return nil, ""
	}
	return strings.Fields(bestKey), best.surface
}

// seqMatcher finds the query's syllables in article text.
type seqMatcher struct {
	s rankSeq
	// firsts holds the first byte of each folded syllable: a word of the text starting
	// with any other ASCII letter cannot match and is skipped without folding it.
	firsts [utf8.RuneSelf]bool
}

func newSeqMatcher(s rankSeq) *seqMatcher {
	m := &seqMatcher{s: s}
	for _, f := range s.folded {
		if f != "" && f[0] < utf8.RuneSelf {
			m.firsts[f[0]] = true
		}
	}
	return m
}

// seqToken is a word of a text that is one of the query's syllables once folded.
type seqToken struct {
	pos        int // the word's position among all words of the text
	start, end int
	folded     string
}

// tokens lists the words of text that match one of the query's syllables, folded.
func (m *seqMatcher) tokens(text string) []seqToken {
	var out []seqToken
	start, pos := -1, 0
	flush := func(end int) {
		if start < 0 {
			return
		}
		p := pos
		pos++
		s := start
		start = -1
		if c := text[s]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if !m.firsts[c] {
				return
			}
		}
		f := vntext.Fold(text[s:end])
		for i := range m.s.folded {
			if m.foldedIs(i, f) {
				out = append(out, seqToken{pos: p, start: s, end: end, folded: f})
				return
			}
		}
	}
	for i, r := range text {
		if isTokenRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
	return out
}

// foldedIs reports whether a folded word is the query's i-th syllable (or, typing, starts
// the last one).
func (m *seqMatcher) foldedIs(i int, f string) bool {
	if m.s.prefix && i == len(m.s.folded)-1 {
		return strings.HasPrefix(f, m.s.folded[i])
	}
	return f == m.s.folded[i]
}

// phrases returns the index in toks of each place where the syllables stand side by side
// in order — what FTS5 calls a phrase match.
func (m *seqMatcher) phrases(toks []seqToken) []int {
	n := len(m.s.folded)
	var out []int
	for i := 0; i+n <= len(toks); i++ {
		ok := true
		for k := 0; k < n && ok; k++ {
			t := toks[i+k]
			ok = t.pos == toks[i].pos+k && m.foldedIs(k, t.folded)
		}
		if ok {
			out = append(out, i)
		}
	}
	return out
}

// level is how close the syllables stand in the accented form in an article:
// levelPhraseTitle, levelPhrase, levelScattered when each is there in that form but not
// side by side, 0 when some is not. It searches the stored text for the form's spellings
// (capitalized, upper case, either tone placement) rather than folding every word: a
// fraction of the cost on the window's hundred bodies.
func (e *exactFinder) level(title, lead, body string) int {
	has := func(forms []string) (inTitle, elsewhere bool) {
		for _, f := range forms {
			inTitle = inTitle || containsWord(title, f, e.prefix)
			elsewhere = elsewhere || containsWord(lead, f, e.prefix) || containsWord(body, f, e.prefix)
		}
		return inTitle, elsewhere
	}
	switch t, o := has(e.phrase); {
	case t:
		return levelPhraseTitle
	case o:
		return levelPhrase
	}
	for i, forms := range e.words {
		// The last word may be typed halfway only as the phrase's end; alone it must be
		// whole unless it is the word being typed.
		prefix := e.prefix && i == len(e.words)-1
		found := false
		for _, f := range forms {
			found = found || containsWord(title, f, prefix) || containsWord(lead, f, prefix) || containsWord(body, f, prefix)
		}
		if !found {
			return 0
		}
	}
	return levelScattered
}

// exactFinder holds the spellings of the accented form searched in article text.
type exactFinder struct {
	phrase []string   // spellings of all the syllables side by side
	words  [][]string // spellings of each syllable
	prefix bool
}

func newExactFinder(s rankSeq) *exactFinder {
	e := &exactFinder{phrase: spellings(strings.Join(s.exact, " ")), prefix: s.prefix}
	for _, w := range s.exact {
		e.words = append(e.words, spellings(w))
	}
	return e
}

// newStyleTone moves the tone of a final oa, oe or uy to the second vowel (hòa → hoà):
// the other spelling in use, which CanonicalTone maps back.
var newStyleTone = strings.NewReplacer(
	"òa", "oà", "óa", "oá", "ỏa", "oả", "õa", "oã", "ọa", "oạ",
	"òe", "oè", "óe", "oé", "ỏe", "oẻ", "õe", "oẽ", "ọe", "oẹ",
	"ùy", "uỳ", "úy", "uý", "ủy", "uỷ", "ũy", "uỹ", "ụy", "uỵ")

// spellings lists how a query word (in exactForm: lower case, canonical tones) can be
// written in NFC article text with the same accents: lower case, capitalized or upper
// case, each with either tone placement. Searching the stored text for these is far
// cheaper than transforming whole articles into exactForm.
func spellings(w string) []string {
	forms := []string{w}
	if alt := newStyleTone.Replace(w); alt != w {
		forms = append(forms, alt)
	}
	var out []string
	for _, f := range forms {
		out = append(out, f, strings.ToUpper(f))
		if r, size := utf8.DecodeRuneInString(f); size > 0 {
			var b strings.Builder
			b.WriteRune(unicode.ToUpper(r))
			// Every word of a phrase capitalized too: "Hai Bà Trưng".
			prevSpace := false
			for _, c := range f[size:] {
				if prevSpace {
					c = unicode.ToUpper(c)
				}
				prevSpace = c == ' '
				b.WriteRune(c)
			}
			out = append(out, b.String())
			if i := strings.IndexByte(f, ' '); i > 0 {
				out = append(out, string(unicode.ToUpper(r))+f[size:]) // "Tết vì người nghèo"
			}
		}
	}
	return out
}

// containsWord reports whether w occurs in text at word boundaries (only at its start
// when prefix).
func containsWord(text, w string, prefix bool) bool {
	for off := 0; off < len(text); {
		i := strings.Index(text[off:], w)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(w)
		if !tokenRuneBefore(text, start) && (prefix || !tokenRuneAt(text, end)) {
			return true
		}
		off = start + 1
	}
	return false
}
