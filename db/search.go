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
	"unicode/utf8"

	"toasoan/internal/vntext"
)

// Search ranking and bounds. Vietnamese words are written as syllables and the index holds
// them folded, so two common syllables can match half of all articles; the bounds keep
// every search cheap all the same (see README "Search"). Ranking puts syllables side by
// side first (search_rank.go).
const (
	// MaxSearchResults bounds counting and paging: with more matches the count says "more
	// than" and relevance is ranked among the newest MaxSearchResults of them, which for
	// news is what a reader of a very broad query wants anyway.
	MaxSearchResults = 1000
	// rerankWindow is how many of the best-ranked candidates are re-ordered in Go by the
	// accented form; pages beyond it keep the folded ranking. It is rounded up to whole
	// pages so no page straddles the two orders.
	rerankWindow = 100
	// restoredWindow is the same for a query typed without accents, re-ordered by the
	// accented form learned from its matches (search_rank.go): the first three pages.
	restoredWindow = 30
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
	// Approximate is true for a hit listed after the close matches: it holds a query's
	// syllables only apart, while other articles hold them side by side.
	Approximate bool
}

// SearchResults is one page of hits and the number of matching articles.
type SearchResults struct {
	Hits  []SearchHit
	Total int  // at most MaxSearchResults
	More  bool // more than Total articles match; only the first Total can be paged through
	// Close is how many of the Total, ranked first, hold a multi-syllable query's
	// syllables side by side; the rest are approximate (Hit.Approximate). Not counted for
	// one-syllable queries and newest-first order.
	Close int
	// Suggestion is, for a query typed without accents, the accented form the matching
	// articles use most ("Hà Nội" for "ha noi"), as they spell it; empty when there is
	// none or the query had accents.
	Suggestion string
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
	seq := p.Query.seq()
	if !p.Newest {
		close, err := d.rankPool(ctx, p.Query, seq, pool)
		if err != nil {
			return res, fmt.Errorf("db: search %q: %w", match, err)
		}
		if seq.multi() {
			res.Close = close
		}
	}
	if p.Offset >= res.Total {
		return res, nil
	}
	size := rerankWindow
	if !p.Query.Accented {
		// The restored form re-orders fewer pages: reading a hundred bodies for every
		// query typed without accents cost a third more per search.
		size = restoredWindow
	}
	window := (size + p.Limit - 1) / p.Limit * p.Limit
	// The window is re-ordered by the accented form: the one typed, or for a query typed
	// without accents the one its close matches use (which needs some to learn from).
	rerank := !p.Newest && p.Offset < window && (p.Query.Accented || res.Close > 0)
	limit, offset := p.Limit, p.Offset
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
		if p.Newest {
			slices.SortFunc(pool, func(x, y poolEntry) int {
				if x.at != y.at {
					return cmp.Compare(y.at, x.at)
				}
				return cmp.Compare(y.id, x.id)
			})
		} else {
			slices.SortFunc(pool, comparePool)
		}
		if rerank {
			// Ranking reads only the texts of the window; whole articles are loaded for
			// the page alone (20 columns for 10 rows instead of 100).
			win := pool[:min(window, len(pool))]
			wids := make([]int64, len(win))
			for i, e := range win {
				wids[i] = e.id
			}
			texts, err := d.articleTexts(ctx, wids)
			if err != nil {
				return res, fmt.Errorf("db: search %q: %w", match, err)
			}
			_, res.Suggestion = reorderWindow(win, texts, seq)
		}
		for _, e := range pool[offset : offset+limit] {
			ids = append(ids, e.id)
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
		res.Hits[i] = m.hit(a, body)
		res.Hits[i].Approximate = seq.multi() && !p.Newest && p.Offset+i >= res.Close
	}
	return res, nil
}

// poolEntry is a matching article with what ranking needs.
type poolEntry struct {
	id, at int64
	level  int // how close the syllables stand, folded (levelScattered … levelPhraseTitle)
	weight int // one-word queries: the title 10, the lead 4, plus 1
	exact  int // the level in the accented form; set within the rerank window only
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

// articleTexts loads the id, title, lead and body of articles: what the rerank window
// reads.
func (d *DB) articleTexts(ctx context.Context, ids []int64) (map[int64]Article, error) {
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
	return byID, rows.Err()
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
	// seq finds the query's syllables side by side, marked as one piece.
	seq *seqMatcher
}

func newWordMatcher(q SearchQuery) wordMatcher {
	m := wordMatcher{words: map[string]bool{}, exact: map[string]bool{}, seq: newSeqMatcher(q.seq())}
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
	pos        int // the word's position among all words of the text
	folded     string
	exact      bool
}

// matches lists the matched words of text in order.
func (m wordMatcher) matches(text string) []span {
	var out []span
	start, pos := -1, -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		pos++
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
			sp := span{start: start, end: end, pos: pos, folded: f}
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
	return m.snippetOf(lead, m.matches(lead), body, m.matches(body))
}

// hit builds a result's title and excerpt. When the article holds a multi-syllable
// query's syllables side by side, only those places are marked, each as one piece ("Hà
// Nội", not "Hà" and "Nội" apart, nor the "hà" of "phiền hà"); otherwise every matched
// word is.
func (m wordMatcher) hit(a Article, body string) SearchHit {
	ts, ls, bs := m.matches(a.Title), m.matches(a.Lead), m.matches(body)
	if m.seq.s.multi() {
		pt, pl, pb := m.phraseSpans(ts), m.phraseSpans(ls), m.phraseSpans(bs)
		if len(pt)+len(pl)+len(pb) > 0 {
			ts, ls, bs = pt, pl, pb
		}
	}
	return SearchHit{Article: a, Title: segments(a.Title, ts, 0, len(a.Title)), Snippet: m.snippetOf(a.Lead, ls, body, bs)}
}

// phraseSpans merges the matched words that stand side by side in the query's order into
// one span each, and drops the others.
func (m wordMatcher) phraseSpans(spans []span) []span {
	n := len(m.seq.s.folded)
	var out []span
	for i := 0; i+n <= len(spans); i++ {
		ok, exact := true, true
		for k := 0; k < n && ok; k++ {
			sp := spans[i+k]
			ok = sp.pos == spans[i].pos+k && m.seq.foldedIs(k, sp.folded)
			exact = exact && sp.exact
		}
		if !ok {
			continue
		}
		out = append(out, span{start: spans[i].start, end: spans[i+n-1].end, pos: spans[i].pos,
			folded: "\x00phrase", exact: exact})
		i += n - 1
	}
	return out
}

// snippetOf picks the excerpt from the lead and body with their matched spans.
func (m wordMatcher) snippetOf(lead string, leadSpans []span, body string, bodySpans []span) []Segment {
	text, spans := body, bodySpans
	if len(spans) == 0 {
		if len(leadSpans) > 0 || body == "" {
			text, spans = lead, leadSpans
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
