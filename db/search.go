package db

import (
	"context"
	"fmt"
	"html"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"toasoan/vntext"
)

// Search ranking. bm25 weights per column of articles_fts (title, lead, body): a word in
// the title says far more about an article than the same word deep in its body.
const (
	bm25Expr = `bm25(articles_fts, 10.0, 4.0, 1.0)`
	// rerankWindow is how many of the best bm25 candidates are re-ordered in Go by exact
	// accented matches; pages beyond it keep plain bm25 order. It is rounded up to whole
	// pages so no page straddles the two orders.
	rerankWindow = 100
)

// SearchParams is one search: the parsed query, filters and the page wanted.
type SearchParams struct {
	Query      SearchQuery
	CategoryID int64     // 0 for every section
	From, To   time.Time // publish time in [From, To); a zero bound leaves that side open
	Newest     bool      // newest first instead of most relevant first
	Limit      int
	Offset     int
}

// Segment is a piece of text to show, marked when it matched the query. Templates wrap
// marked pieces in <mark> and escape all of them.
type Segment struct {
	Text string
	Mark bool
}

// SearchHit is one found article with its title and an excerpt, both highlighted.
type SearchHit struct {
	Article Article // BodyHTML is left empty
	Title   []Segment
	Snippet []Segment
}

// SearchResults is one page of hits and the number of matching articles.
type SearchResults struct {
	Hits  []SearchHit
	Total int
}

// searchFilter is the WHERE clause every search shares: the match and what readers may see.
func searchFilter(p SearchParams, now time.Time) (string, []any) {
	where := `articles_fts MATCH ? AND a.status = 'published' AND a.publish_at <= ? AND c.hidden = 0`
	args := []any{p.Query.MatchExpression(), unix(now)}
	if p.CategoryID != 0 {
		where += ` AND a.category_id = ?`
		args = append(args, p.CategoryID)
	}
	if !p.From.IsZero() {
		where += ` AND a.publish_at >= ?`
		args = append(args, unix(p.From))
	}
	if !p.To.IsZero() {
		where += ` AND a.publish_at < ?`
		args = append(args, unix(p.To))
	}
	return `FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
		JOIN categories c ON c.id = a.category_id WHERE ` + where, args
}

// Search finds the published, visible articles matching the query. Matching is accent-
// and case-insensitive (the index holds folded text); when the reader typed accents,
// articles containing the exact accented words rank above those that match only once
// folded ("đường" before "dương").
func (d *DB) Search(ctx context.Context, p SearchParams, now time.Time) (SearchResults, error) {
	var res SearchResults
	if p.Query.Empty() || p.Limit <= 0 {
		return res, nil
	}
	from, args := searchFilter(p, now)
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) `+from, args...).Scan(&res.Total); err != nil {
		return res, fmt.Errorf("db: count search %q: %w", p.Query.MatchExpression(), err)
	}
	if p.Offset >= res.Total {
		return res, nil
	}
	order := bm25Expr + `, a.publish_at DESC, a.id DESC`
	if p.Newest {
		order = `a.publish_at DESC, a.id DESC`
	}
	window := (rerankWindow + p.Limit - 1) / p.Limit * p.Limit
	rerank := !p.Newest && p.Query.Accented && p.Offset < window
	limit, offset := p.Limit, p.Offset
	if rerank {
		limit, offset = window, 0
	}
	rows, err := d.r.QueryContext(ctx, `SELECT `+articleFullColumns+` `+from+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return res, fmt.Errorf("db: search %q: %w", p.Query.MatchExpression(), err)
	}
	list, err := scanArticles(rows)
	if err != nil {
		return res, fmt.Errorf("db: search %q: %w", p.Query.MatchExpression(), err)
	}
	if rerank {
		list = rankExact(list, p.Query)
		list = list[min(p.Offset, len(list)):min(p.Offset+p.Limit, len(list))]
	}
	m := newWordMatcher(p.Query)
	res.Hits = make([]SearchHit, len(list))
	for i, a := range list {
		body := plainText(a.BodyHTML)
		a.BodyHTML = ""
		res.Hits[i] = SearchHit{Article: a, Title: m.highlightAll(a.Title), Snippet: m.snippet(a.Lead, body)}
	}
	return res, nil
}

// plainText is an article body without tags and entities, whitespace collapsed, NFC.
func plainText(bodyHTML string) string {
	return vntext.Normalize(html.UnescapeString(tagPattern.ReplaceAllString(bodyHTML, " ")))
}

// rankExact stably re-orders articles (given in bm25 order) by how many of the query's
// terms they contain with the exact accents the reader typed.
func rankExact(list []Article, q SearchQuery) []Article {
	type scored struct {
		a     Article
		exact int
	}
	s := make([]scored, len(list))
	for i, a := range list {
		text := exactForm(a.Title + " \n " + a.Lead + " \n " + plainText(a.BodyHTML))
		s[i] = scored{a: a, exact: exactTerms(text, q)}
	}
	slices.SortStableFunc(s, func(x, y scored) int { return y.exact - x.exact })
	for i := range s {
		list[i] = s[i].a
	}
	return list
}

// exactTerms counts the query's terms found in text (in exactForm) as whole words with
// the same letters and marks; the prefix term only needs to start a word.
func exactTerms(text string, q SearchQuery) int {
	n := 0
	for _, t := range q.Terms {
		if containsWord(text, strings.Join(t.Words, " "), t.Prefix) {
			n++
		}
	}
	return n
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

func tokenRuneBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return isTokenRune(r)
}

func tokenRuneAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	for _, r := range s[i:] {
		return isTokenRune(r)
	}
	return false
}

// wordMatcher tells which words of an article's original text matched the query once
// folded, so the marks fall on the accented text readers see.
type wordMatcher struct {
	words    map[string]bool // folded words of the query
	prefixes []string        // folded prefixes (the word being typed)
	// The same in exactForm, when the query has accents: snippets prefer the passage
	// with the words as the reader wrote them.
	exact         map[string]bool
	exactPrefixes []string
}

func newWordMatcher(q SearchQuery) wordMatcher {
	m := wordMatcher{words: map[string]bool{}, exact: map[string]bool{}}
	for _, t := range q.Terms {
		for i, f := range t.Folded {
			switch {
			case t.Prefix && i == len(t.Folded)-1:
				m.prefixes = append(m.prefixes, f)
				if q.Accented {
					m.exactPrefixes = append(m.exactPrefixes, t.Words[i])
				}
			default:
				m.words[f] = true
				if q.Accented {
					m.exact[t.Words[i]] = true
				}
			}
		}
	}
	return m
}

// span is a matched word's byte range in a text, with its folded form and whether it
// also matched with the reader's accents.
type span struct {
	start, end int
	folded     string
	exact      bool
}

// matches lists the matched words of text in order.
func (m wordMatcher) matches(text string) []span {
	var out []span
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		f := vntext.Fold(text[start:end])
		ok := m.words[f]
		for _, p := range m.prefixes {
			ok = ok || strings.HasPrefix(f, p)
		}
		if ok {
			sp := span{start: start, end: end, folded: f}
			if len(m.exact) > 0 || len(m.exactPrefixes) > 0 {
				e := exactForm(text[start:end])
				sp.exact = m.exact[e]
				for _, p := range m.exactPrefixes {
					sp.exact = sp.exact || strings.HasPrefix(e, p)
				}
			}
			out = append(out, sp)
		}
		start = -1
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

// segments cuts text[from:to] into plain and marked pieces.
func segments(text string, spans []span, from, to int) []Segment {
	var out []Segment
	pos := from
	for _, s := range spans {
		if s.start < from || s.end > to {
			continue
		}
		if s.start > pos {
			out = append(out, Segment{Text: text[pos:s.start]})
		}
		out = append(out, Segment{Text: text[s.start:s.end], Mark: true})
		pos = s.end
	}
	if pos < to {
		out = append(out, Segment{Text: text[pos:to]})
	}
	return out
}

// highlightAll marks the matched words of a whole text (a title).
func (m wordMatcher) highlightAll(text string) []Segment {
	return segments(text, m.matches(text), 0, len(text))
}

// Snippet sizes, in bytes of UTF-8 (Vietnamese letters take 1 to 3).
const (
	snippetBytes   = 320
	snippetLeadIn  = 70
	snippetMaxSpan = 200 // matches considered when choosing the window
)

// snippet picks the excerpt to show under a hit's title: the part of the body (or, when
// the body has no match, the lead) around the densest cluster of matched words, cut at
// word boundaries, with "…" where text was cut.
func (m wordMatcher) snippet(lead, body string) []Segment {
	text, spans := body, m.matches(body)
	if len(spans) == 0 {
		if ls := m.matches(lead); len(ls) > 0 || body == "" {
			text, spans = lead, ls
		}
	}
	if text == "" {
		return nil
	}
	// The window start that covers the most distinct query words wins, words with the
	// reader's exact accents counting twice; ties go to the earliest, which is usually
	// the most telling sentence.
	best, bestScore := 0, 0
	for i := 0; i < len(spans) && i < snippetMaxSpan; i++ {
		seen := map[string]bool{}
		for j := i; j < len(spans) && spans[j].end-spans[i].start <= snippetBytes-snippetLeadIn; j++ {
			seen[spans[j].folded] = true
			if spans[j].exact {
				seen["\x00"+spans[j].folded] = true
			}
		}
		if len(seen) > bestScore {
			best, bestScore = i, len(seen)
		}
	}
	start := 0
	if len(spans) > 0 && spans[best].start > snippetLeadIn {
		start = wordStartAfter(text, spans[best].start-snippetLeadIn, spans[best].start)
	}
	end := len(text)
	if end-start > snippetBytes {
		end = wordEndBefore(text, start+snippetBytes, start)
	}
	segs := segments(text, spans, start, end)
	if len(segs) == 0 {
		return nil
	}
	if start > 0 {
		segs = append([]Segment{{Text: "… "}}, segs...)
	}
	if end < len(text) {
		segs = append(segs, Segment{Text: " …"})
	}
	return segs
}

// wordStartAfter returns the start of the first word beginning at or after i, but not
// after limit.
func wordStartAfter(text string, i, limit int) int {
	for i < limit && (!isRuneStart(text, i) || tokenRuneBefore(text, i) || !tokenRuneAt(text, i)) {
		i++
	}
	return i
}

// wordEndBefore returns the end of the last word ending at or before i, not before floor.
func wordEndBefore(text string, i, floor int) int {
	for i > floor && (!isRuneStart(text, i) || tokenRuneAt(text, i) || !tokenRuneBefore(text, i)) {
		i--
	}
	if i == floor { // one enormous word: cut it at a rune boundary
		i = floor + snippetBytes
		for !isRuneStart(text, i) {
			i--
		}
	}
	return i
}

func isRuneStart(s string, i int) bool {
	return i >= len(s) || (s[i]&0xC0) != 0x80
}
