package db

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"toasoan/internal/vntext"
)

// Search ranking and bounds. Vietnamese words are written as syllables and the index holds
// them folded, so two common syllables can match half of all articles; the bounds keep
// every search cheap all the same (see README "Search"). Ranking weighs a match in the
// title most (scoreNewest).
const (
	// MaxSearchResults bounds counting and paging: with more matches the count says "more
	// than" and relevance is ranked among the newest MaxSearchResults of them, which for
	// news is what a reader of a very broad query wants anyway.
	MaxSearchResults = 1000
	// rerankWindow is how many of the best-ranked candidates are re-ordered in Go by exact
	// accented matches; pages beyond it keep the plain ranking. It is rounded up to whole
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
	Total int  // at most MaxSearchResults
	More  bool // more than Total articles match; only the first Total can be paged through
}

// searchFilter is what every search shares: the match, and what readers may see and
// asked for. The covering index answers visibility without reading article rows.
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
	// CROSS JOIN keeps the full-text match as the outer loop: left to itself the planner
	// walks every published article and runs the match once per row (seconds on 100,000
	// articles instead of milliseconds).
	return `FROM articles_fts CROSS JOIN articles a INDEXED BY articles_search_idx ON a.id = articles_fts.rowid
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
	match := p.Query.MatchExpression()
	from, args := searchFilter(p, now)
	// One pass gathers the visible matches, newest created first, up to one past the
	// bound: its length is the count, and ranking happens on it in Go. Past the bound a
	// broad query costs no more than a narrow one, and bm25 is computed a bounded number
	// of times.
	pool, err := d.searchPool(ctx, `SELECT a.id, a.publish_at `+from+`
		ORDER BY articles_fts.rowid DESC LIMIT ?`, append(args, MaxSearchResults+1))
	if err != nil {
		return res, fmt.Errorf("db: search %q: %w", match, err)
	}
	res.Total = len(pool)
	if res.Total > MaxSearchResults {
		res.Total, res.More = MaxSearchResults, true
		pool = pool[:MaxSearchResults]
	}
	if !p.Newest {
		if err := d.scoreNewest(ctx, match, pool); err != nil {
			return res, fmt.Errorf("db: search %q: %w", match, err)
		}
	}
	if p.Offset >= res.Total {
		return res, nil
	}
	window := (rerankWindow + p.Limit - 1) / p.Limit * p.Limit
	rerank := !p.Newest && p.Query.Accented && p.Offset < window
	limit, offset := p.Limit, p.Offset
	if rerank {
		limit, offset = window, 0
	}
	limit = min(limit, res.Total-offset)

	var ids []int64
	if p.Newest && res.More {
		// The newest matches need not be among the newest created: walk the articles
		// newest first and stop at the page, checking each against the match set.
		fromT, toT := int64(math.MinInt64), int64(math.MaxInt64)
		if !p.From.IsZero() {
			fromT = unix(p.From)
		}
		if !p.To.IsZero() {
			toT = unix(p.To)
		}
		ids, err = d.searchIDs(ctx, `SELECT a.id FROM articles a INDEXED BY articles_public_idx
			JOIN categories c ON c.id = a.category_id
			WHERE a.status = 'published' AND a.publish_at <= ? AND c.hidden = 0 AND (? = 0 OR a.category_id = ?)
			  AND a.publish_at >= ? AND a.publish_at < ?
			  AND a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)
			ORDER BY a.publish_at DESC, a.id DESC LIMIT ? OFFSET ?`,
			[]any{unix(now), p.CategoryID, p.CategoryID, fromT, toT, match, limit, offset})
		if err != nil {
			return res, fmt.Errorf("db: search %q newest: %w", match, err)
		}
	} else {
		slices.SortFunc(pool, func(x, y poolEntry) int {
			if !p.Newest && x.score != y.score {
				return cmp.Compare(x.score, y.score) // bm25: lower is better
			}
			if x.at != y.at {
				return cmp.Compare(y.at, x.at)
			}
			return cmp.Compare(y.id, x.id)
		})
		for _, e := range pool[offset : offset+limit] {
			ids = append(ids, e.id)
		}
	}
	if rerank {
		// Ranking reads only the texts of the window; whole articles are loaded for the
		// page alone (20 columns for 10 rows instead of 100).
		texts, err := d.articleTexts(ctx, ids)
		if err != nil {
			return res, fmt.Errorf("db: search %q: %w", match, err)
		}
		texts = rankExact(texts, p.Query)
		texts = texts[min(p.Offset, len(texts)):min(p.Offset+p.Limit, len(texts))]
		ids = ids[:0]
		for _, a := range texts {
			ids = append(ids, a.ID)
		}
	}
	list, err := d.articlesByID(ctx, ids)
	if err != nil {
		return res, fmt.Errorf("db: search %q: %w", match, err)
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

// poolEntry is a matching article with what ranking needs.
type poolEntry struct {
	id, at int64
	score  float64
}

// scoreNewest ranks the pool by where the words occur — all of them in the title weighs
// most, then in the lead, then only in the body — the weights bm25 was given (10, 4, 1)
// without its cost: bm25 counts every document holding each term, a full pass over the
// doclists of common syllables (5 of 8 ms per broad query on 100,000 articles). Two column
// filters over the same id range cost a fraction of that.
func (d *DB) scoreNewest(ctx context.Context, match string, pool []poolEntry) error {
	if len(pool) == 0 {
		return nil
	}
	oldest := pool[len(pool)-1].id
	inTitle, err := d.matchingIDs(ctx, "{title} : ("+match+")", oldest)
	if err != nil {
		return err
	}
	inLead, err := d.matchingIDs(ctx, "{lead} : ("+match+")", oldest)
	if err != nil {
		return err
	}
	for i := range pool {
		score := 1.0
		if inTitle[pool[i].id] {
			score += 10
		}
		if inLead[pool[i].id] {
			score += 4
		}
		pool[i].score = -score // lower sorts first, as bm25 does
	}
	return nil
}

// matchingIDs is the set of ids from oldest up that match an FTS5 expression.
func (d *DB) matchingIDs(ctx context.Context, match string, oldest int64) (map[int64]bool, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= ?`, match, oldest)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids[id] = true
	}
	return ids, rows.Err()
}

// searchPool runs the query that gathers candidate articles.
func (d *DB) searchPool(ctx context.Context, q string, args []any) ([]poolEntry, error) {
	rows, err := d.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []poolEntry
	for rows.Next() {
		var e poolEntry
		if err := rows.Scan(&e.id, &e.at); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// searchIDs runs a query that selects article ids in order.
func (d *DB) searchIDs(ctx context.Context, q string, args []any) ([]int64, error) {
	rows, err := d.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// articlesByID loads whole articles, in the order of ids. Only the page (or the rerank
// window) is loaded, after ranking, so ranking never reads article bodies.
func (d *DB) articlesByID(ctx context.Context, ids []int64) ([]Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := d.r.QueryContext(ctx, `SELECT `+articleFullColumns+` FROM articles a JOIN categories c ON c.id = a.category_id
		WHERE a.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	list, err := scanArticles(rows)
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(list, func(x, y Article) int { return pos[x.ID] - pos[y.ID] })
	return list, nil
}

// articleTexts loads the id, title, lead and body of articles, in the order of ids: what
// rankExact reads.
func (d *DB) articleTexts(ctx context.Context, ids []int64) ([]Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := d.r.QueryContext(ctx, `SELECT id, title, lead, body_html FROM articles
		WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := make(map[int64]Article, len(ids))
	for rows.Next() {
		var a Article
		if err := rows.Scan(&a.ID, &a.Title, &a.Lead, &a.BodyHTML); err != nil {
			return nil, err
		}
		byID[a.ID] = a
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	list := make([]Article, 0, len(ids))
	for _, id := range ids {
		if a, ok := byID[id]; ok {
			list = append(list, a)
		}
	}
	return list, nil
}

// plainText is an article body without tags and entities: each tag (a "<" up to the next
// ">") becomes a space, and a "<" that is never closed stays as text. Stored text is NFC
// already (normalizeArticle); whitespace is left as it is, since it only separates words.
// It runs on every indexed article and on every body a search reranks or quotes, so it
// cuts by hand in one pass rather than through a regexp (3x less memory per search).
func plainText(bodyHTML string) string {
	var b strings.Builder
	b.Grow(len(bodyHTML))
	for s := bodyHTML; ; {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		b.WriteByte(' ')
		s = s[i+j+1:]
	}
	return html.UnescapeString(b.String())
}

// rankExact stably re-orders articles (given in bm25 order) by how many of the query's
// terms they contain with the exact accents the reader typed.
func rankExact(list []Article, q SearchQuery) []Article {
	type scored struct {
		a     Article
		exact int
	}
	variants := make([][]string, len(q.Terms))
	for i, t := range q.Terms {
		variants[i] = spellings(strings.Join(t.Words, " "))
	}
	s := make([]scored, len(list))
	for i, a := range list {
		body := plainText(a.BodyHTML)
		n := 0
		for j, t := range q.Terms {
			for _, v := range variants[j] {
				if containsWord(a.Title, v, t.Prefix) || containsWord(a.Lead, v, t.Prefix) || containsWord(body, v, t.Prefix) {
					n++
					break
				}
			}
		}
		s[i] = scored{a: a, exact: n}
	}
	slices.SortStableFunc(s, func(x, y scored) int { return y.exact - x.exact })
	for i := range s {
		list[i] = s[i].a
	}
	return list
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
	// firsts holds the first byte of each folded word and prefix: a word of the text that
	// starts with any other ASCII letter cannot match, and is skipped without folding it
	// (most words of a body, at a fraction of the cost).
	firsts [utf8.RuneSelf]bool
	// The same in exactForm, when the query has accents: snippets prefer the passage
	// with the words as the reader wrote them.
	exact         map[string]bool
	exactPrefixes []string
}

func newWordMatcher(q SearchQuery) wordMatcher {
	m := wordMatcher{words: map[string]bool{}, exact: map[string]bool{}}
	for _, t := range q.Terms {
		for i, f := range t.Folded {
			if f != "" && f[0] < utf8.RuneSelf {
				m.firsts[f[0]] = true
			}
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
		// Fold keeps an ASCII letter or digit as it is, lower-cased: a word starting with
		// one folds to a word starting with it.
		if c := text[start]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if !m.firsts[c] {
				start = -1
				return
			}
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
