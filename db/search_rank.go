package db

import (
	"cmp"
	"context"
	"slices"
	"strings"
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
	b.WriteString(string(rune('0' + nearWindow)))
	b.WriteByte(')')
	return b.String()
}

// rankPool gives every pooled article its folded level and field weight from FTS5 column
// and phrase filters over the pool's id range (a few doclist walks, never the texts),
// and returns how many reach levelPhrase: the "close" matches listed before the
// approximate ones.
func (d *DB) rankPool(ctx context.Context, match string, s rankSeq, pool []poolEntry) (int, error) {
	if len(pool) == 0 {
		return 0, nil
	}
	oldest := pool[len(pool)-1].id
	sets := []string{"{title} : (" + match + ")", "{lead} : (" + match + ")"}
	if s.multi() {
		phrase := s.phraseExpression()
		sets = append(sets, "{title} : ("+phrase+")", phrase, s.nearExpression())
	}
	in := make([]map[int64]bool, len(sets))
	for i, e := range sets {
		var err error
		if in[i], err = d.matchingIDs(ctx, e, oldest); err != nil {
			return 0, err
		}
	}
	close := 0
	for i := range pool {
		e := &pool[i]
		e.weight = 1
		if in[0][e.id] {
			e.weight += 10
		}
		if in[1][e.id] {
			e.weight += 4
		}
		e.level = levelScattered
		if s.multi() {
			switch {
			case in[2][e.id]:
				e.level = levelPhraseTitle
			case in[3][e.id]:
				e.level = levelPhrase
			case in[4][e.id]:
				e.level = levelNear
			}
			if e.level >= levelPhrase {
				close++
			}
		}
	}
	return close, nil
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
	m := newSeqMatcher(s)
	for i := range entries {
		a, ok := texts[entries[i].id]
		if !ok {
			continue
		}
		entries[i].exact = m.exactLevel(a)
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
	for rank, e := range entries {
		a, ok := texts[e.id]
		if !ok || e.level < levelPhrase {
			continue
		}
		seen := map[string]bool{}
		for _, text := range [...]string{a.Title, a.Lead, plainText(a.BodyHTML)} {
			toks := m.tokens(text)
			for _, at := range m.phrases(text, toks, false) {
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

// exactIs reports whether a word, as written, is the i-th syllable in the accented form.
func (m *seqMatcher) exactIs(i int, word string) bool {
	e := exactForm(word)
	if m.s.prefix && i == len(m.s.exact)-1 {
		return strings.HasPrefix(e, m.s.exact[i])
	}
	return e == m.s.exact[i]
}

// phrases returns the index in toks of each place where the syllables stand side by side
// in order (in the accented form when exact) — what FTS5 calls a phrase match.
func (m *seqMatcher) phrases(text string, toks []seqToken, exact bool) []int {
	n := len(m.s.folded)
	var out []int
	for i := 0; i+n <= len(toks); i++ {
		ok := true
		for k := 0; k < n && ok; k++ {
			t := toks[i+k]
			ok = t.pos == toks[i].pos+k && m.foldedIs(k, t.folded)
		}
		if ok && exact {
			for k := 0; k < n && ok; k++ {
				t := toks[i+k]
				ok = m.exactIs(k, text[t.start:t.end])
			}
		}
		if ok {
			out = append(out, i)
		}
	}
	return out
}

// exactLevel is how close the syllables stand in the accented form in an article: the
// levels above, 0 when some syllable is never written that way.
func (m *seqMatcher) exactLevel(a Article) int {
	n := len(m.s.folded)
	best, all := 0, make([]bool, n)
	for field, text := range [...]string{a.Title, a.Lead, plainText(a.BodyHTML)} {
		toks := m.tokens(text)
		var ex []seqToken // the words in the accented form, with which syllable each is
		var which []int
		for _, t := range toks {
			w := text[t.start:t.end]
			for i := range n {
				if m.foldedIs(i, t.folded) && m.exactIs(i, w) {
					all[i] = true
					ex = append(ex, t)
					which = append(which, i)
					break
				}
			}
		}
		if n == 1 {
			if len(ex) > 0 {
				best = max(best, levelScattered)
			}
			continue
		}
		// Side by side, in order, each in the accented form.
		if len(m.phrases(text, toks, true)) > 0 {
			best = max(best, levelPhrase)
			if field == 0 {
				best = levelPhraseTitle
			}
		}
		if best < levelNear && nearAll(ex, which, n) {
			best = levelNear
		}
	}
	if best == 0 && !slices.Contains(all, false) {
		best = levelScattered
	}
	return best
}

// nearAll reports whether every syllable (0..n-1) occurs within a window of
// n+nearWindow words of toks (sorted by position; which[i] is toks[i]'s syllable).
func nearAll(toks []seqToken, which []int, n int) bool {
	count := make([]int, n)
	have, lo := 0, 0
	for hi := range toks {
		if count[which[hi]] == 0 {
			have++
		}
		count[which[hi]]++
		for toks[hi].pos-toks[lo].pos >= n+nearWindow {
			count[which[lo]]--
			if count[which[lo]] == 0 {
				have--
			}
			lo++
		}
		if have == n {
			return true
		}
	}
	return false
}
