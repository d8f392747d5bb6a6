package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"toasoan/db"
	"toasoan/internal/demo"
)

var searchNow = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// openDemo opens a fresh database with the demo newsroom loaded.
func openDemo(t *testing.T) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, d, searchNow, loc); err != nil {
		t.Fatal(err)
	}
	return d
}

func search(t *testing.T, d *db.DB, q string, p db.SearchParams) db.SearchResults {
	t.Helper()
	p.Query = db.ParseSearchQuery(q)
	if p.Limit == 0 {
		p.Limit = 100
	}
	res, err := d.Search(context.Background(), p, searchNow)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return res
}

func ids(res db.SearchResults) []int64 {
	var out []int64
	for _, h := range res.Hits {
		out = append(out, h.Article.ID)
	}
	return out
}

// marked is the text of a hit's marked segments, title and snippet.
func marked(h db.SearchHit) []string {
	var out []string
	for _, s := range append(append([]db.Segment{}, h.Title...), h.Snippet...) {
		if s.Mark {
			out = append(out, s.Text)
		}
	}
	return out
}

func joined(segs []db.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

func TestSearchIgnoresAccentsCaseAndNormalForm(t *testing.T) {
	t.Parallel()
	d := openDemo(t)
	groups := [][]string{
		{"chat doc da cam", "CHẤT ĐỘC DA CAM", "chất độc da cam", norm.NFD.String("Chất Độc Da Cam"), "Chat Doc Da Cam "},
		{"da nang", "Đà Nẵng", "ĐÀ NẴNG", "đà nẵng", norm.NFD.String("Đà Nẵng")},
		{"hai ba trung", "Hai Bà Trưng", "HAI BÀ TRƯNG"},
		{`"tet vi nguoi ngheo"`, `"Tết vì người nghèo"`, "“TẾT VÌ NGƯỜI NGHÈO”"},
		{"yen hoa", "Yên Hoà", "Yên Hòa", norm.NFD.String("yên hoà")},
	}
	for _, g := range groups {
		want := search(t, d, g[0], db.SearchParams{})
		if want.Total == 0 {
			t.Fatalf("%q finds nothing", g[0])
		}
		for _, q := range g[1:] {
			got := search(t, d, q, db.SearchParams{})
			if got.Total != want.Total {
				t.Errorf("%q finds %d articles, %q finds %d", q, got.Total, g[0], want.Total)
			}
			if fmt.Sprint(sortedIDs(got)) != fmt.Sprint(sortedIDs(want)) {
				t.Errorf("%q and %q find different articles", q, g[0])
			}
		}
	}
	// The demo article about Agent Orange comes first for every spelling.
	for _, q := range []string{"chat doc da cam", "CHẤT ĐỘC DA CAM", norm.NFD.String("chất độc da cam")} {
		res := search(t, d, q, db.SearchParams{})
		h := res.Hits[0]
		if !strings.Contains(strings.ToLower(joined(h.Title)+joined(h.Snippet)), "chất độc da cam") {
			t.Errorf("%q: first hit %q does not show the phrase", q, h.Article.Title)
		}
	}
}

func sortedIDs(res db.SearchResults) []int64 {
	out := ids(res)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// containsExact reports whether an article's title, lead or snippet shows word with its
// exact accents (case ignored).
func showsExact(h db.SearchHit, word string) bool {
	for _, m := range marked(h) {
		if strings.ToLower(m) == word {
			return true
		}
	}
	return false
}

func TestSearchRanksExactAccentsFirst(t *testing.T) {
	t.Parallel()
	d := openDemo(t)
	ctx := context.Background()
	full := func(id int64) string {
		a, err := d.ArticleByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return strings.ToLower(a.Title + " " + a.Lead + " " + a.BodyHTML)
	}
	for _, tt := range []struct{ query, exact string }{{"đường", "đường"}, {"dương", "dương"}, {"Dương", "dương"}} {
		res := search(t, d, tt.query, db.SearchParams{})
		seenOther := false
		exactCount := 0
		for _, h := range res.Hits {
			has := strings.Contains(full(h.Article.ID), tt.exact)
			if has {
				exactCount++
				if seenOther {
					t.Errorf("%q: %q has the exact word but ranks below an article without it", tt.query, h.Article.Title)
				}
				if !showsExact(h, tt.exact) {
					t.Errorf("%q: %q does not mark %q: %v", tt.query, h.Article.Title, tt.exact, marked(h))
				}
			} else {
				seenOther = true
			}
		}
		if exactCount == 0 || exactCount == len(res.Hits) {
			t.Errorf("%q: %d of %d hits exact; the demo has both spellings", tt.query, exactCount, len(res.Hits))
		}
	}
	// Without accents nothing is preferred, but both spellings are found.
	plain := search(t, d, "duong", db.SearchParams{})
	if plain.Total != search(t, d, "đường", db.SearchParams{}).Total {
		t.Error("duong and đường find different sets")
	}
}

func TestSearchPhrasesPrefixesAndSnippets(t *testing.T) {
	t.Parallel()
	d := openDemo(t)
	// A phrase needs its words adjacent: "da cam" as a phrase finds fewer than the words.
	words := search(t, d, "nghèo tết", db.SearchParams{})
	phrase := search(t, d, `"tết vì người nghèo"`, db.SearchParams{})
	if phrase.Total == 0 || phrase.Total > words.Total {
		t.Errorf("phrase %d, words %d", phrase.Total, words.Total)
	}
	// The word being typed matches as a prefix.
	if res := search(t, d, "chính quyề", db.SearchParams{}); res.Total == 0 {
		t.Error("prefix of the last word finds nothing")
	}
	if res := search(t, d, "chính quyề ", db.SearchParams{}); res.Total != 0 {
		t.Error("a finished word still matched as a prefix")
	}
	// Marks fall on the accented original text.
	res := search(t, d, "chat doc da cam", db.SearchParams{})
	got := strings.ToLower(strings.Join(marked(res.Hits[0]), " "))
	for _, w := range []string{"chất", "độc", "da", "cam"} {
		if !strings.Contains(got, w) {
			t.Errorf("marks %q miss %q", got, w)
		}
	}
	snippet := joined(res.Hits[0].Snippet)
	if len(snippet) > 400 || !strings.Contains(strings.ToLower(snippet), "chất độc da cam") {
		t.Errorf("snippet %q", snippet)
	}
	if strings.ContainsAny(snippet, "<>") {
		t.Errorf("snippet has markup: %q", snippet)
	}
	// hoà typed the new way finds and marks hòa.
	res = search(t, d, "Yên Hoà", db.SearchParams{})
	if res.Total == 0 || !showsExact(res.Hits[0], "yên hòa") {
		t.Errorf("Yên Hoà: %d hits, marks %v", res.Total, marked(res.Hits[0]))
	}
}

func TestSearchFiltersSortAndPages(t *testing.T) {
	t.Parallel()
	d := openDemo(t)
	ctx := context.Background()
	all := search(t, d, "huyện", db.SearchParams{})
	if all.Total < 40 {
		t.Fatalf("huyện finds only %d", all.Total)
	}
	// Pages are disjoint and together give every hit once.
	seen := map[int64]bool{}
	for off := 0; off < all.Total; off += 7 {
		for _, id := range ids(search(t, d, "huyện", db.SearchParams{Limit: 7, Offset: off})) {
			if seen[id] {
				t.Fatalf("article %d on two pages", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != all.Total {
		t.Errorf("pages hold %d articles, total %d", len(seen), all.Total)
	}
	// Newest first.
	newest := search(t, d, "huyện", db.SearchParams{Newest: true})
	for i := 1; i < len(newest.Hits); i++ {
		if newest.Hits[i].Article.PublishAt.After(newest.Hits[i-1].Article.PublishAt) {
			t.Fatal("newest sort is not newest first")
		}
	}
	// A section.
	cats, err := d.Categories(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	in := search(t, d, "huyện", db.SearchParams{CategoryID: cats[0].ID})
	if in.Total == 0 || in.Total >= all.Total {
		t.Errorf("section filter: %d of %d", in.Total, all.Total)
	}
	for _, h := range in.Hits {
		if h.Article.CategoryID != cats[0].ID {
			t.Errorf("hit from section %d", h.Article.CategoryID)
		}
	}
	// A date range: the last 30 days.
	from := searchNow.AddDate(0, 0, -30)
	recent := search(t, d, "huyện", db.SearchParams{From: from, To: searchNow})
	if recent.Total == 0 || recent.Total >= all.Total {
		t.Errorf("date filter: %d of %d", recent.Total, all.Total)
	}
	for _, h := range recent.Hits {
		if h.Article.PublishAt.Before(from) || !h.Article.PublishAt.Before(searchNow) {
			t.Errorf("hit published %v outside the range", h.Article.PublishAt)
		}
	}
}

func TestSearchShowsOnlyVisibleArticles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	shown, _ := d.CreateCategory(ctx, db.Category{Slug: "a", Name: "A"})
	hidden, _ := d.CreateCategory(ctx, db.Category{Slug: "b", Name: "B", Hidden: true})
	mk := func(title, status string, cat int64, at time.Time) int64 {
		id, err := d.CreateArticle(ctx, db.Article{Slug: "x", Title: title, CategoryID: cat, Status: status, PublishAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	past, future := searchNow.Add(-time.Hour), searchNow.Add(time.Hour)
	visible := mk("Lễ hội đền Hai Bà Trưng", db.StatusPublished, shown, past)
	mk("Lễ hội đền Hai Bà Trưng (nháp)", db.StatusDraft, shown, past)
	mk("Lễ hội đền Hai Bà Trưng (hẹn giờ)", db.StatusPublished, shown, future)
	mk("Lễ hội đền Hai Bà Trưng (lưu trữ)", db.StatusArchived, shown, past)
	mk("Lễ hội đền Hai Bà Trưng (mục ẩn)", db.StatusPublished, hidden, past)
	res := search(t, d, "hai ba trung", db.SearchParams{})
	if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].Article.ID != visible {
		t.Errorf("found %v (total %d), want only %d", ids(res), res.Total, visible)
	}
}

// TestSearchRerankWindow checks ranking and paging with more hits than the window of best
// bm25 candidates that is re-ordered in Go: within it exact accents come first even where
// bm25 prefers the folded match, and pages stay disjoint across its edge.
func TestSearchRerankWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const n = 260
	err = d.InBulk(ctx, func(b *db.Bulk) error {
		cat, err := b.AddCategory(db.Category{Slug: "a", Name: "A"})
		if err != nil {
			return err
		}
		for i := range n {
			title := fmt.Sprintf("Tin số %d về dương", i)
			switch i % 4 {
			case 0:
				title = fmt.Sprintf("Tin số %d về đường", i)
			case 1: // bm25 alone would put these first
				title += " dương dương"
			}
			if _, err := b.AddArticle(db.Article{Slug: fmt.Sprint("tin-", i), Title: title, CategoryID: cat,
				Status: db.StatusPublished, PublishAt: searchNow.Add(-time.Duration(i) * time.Minute)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	var order []string
	for off := 0; off < n; off += 20 {
		res := search(t, d, "đường", db.SearchParams{Limit: 20, Offset: off})
		if res.Total != n {
			t.Fatalf("total %d", res.Total)
		}
		for _, h := range res.Hits {
			if seen[h.Article.ID] {
				t.Fatalf("article %d on two pages", h.Article.ID)
			}
			seen[h.Article.ID] = true
			order = append(order, h.Article.Title)
		}
	}
	if len(seen) != n {
		t.Fatalf("pages hold %d of %d", len(seen), n)
	}
	if !strings.Contains(order[0], "đường") {
		t.Errorf("first hit %q; an exact match should beat the repeated folded word", order[0])
	}
	other := false
	for i, title := range order[:100] {
		exact := strings.Contains(title, "đường")
		if exact && other {
			t.Fatalf("hit %d %q ranks below an article without the exact word", i, title)
		}
		other = other || !exact
	}
}

// TestSearchManyMatches covers the bounded paths: more matches than MaxSearchResults.
func TestSearchManyMatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const n = db.MaxSearchResults + 150
	var cats []int64
	err = d.InBulk(ctx, func(b *db.Bulk) error {
		for _, s := range []string{"a", "b"} {
			id, err := b.AddCategory(db.Category{Slug: s, Name: s})
			if err != nil {
				return err
			}
			cats = append(cats, id)
		}
		for i := range n {
			word := "dương"
			if i%10 == 0 {
				word = "đường"
			}
			// Publish times go back and forth so id order is not time order.
			at := searchNow.Add(-time.Duration((i*7919)%n+1) * time.Minute)
			status := db.StatusPublished
			if i%50 == 1 {
				status = db.StatusDraft
			}
			if _, err := b.AddArticle(db.Article{Slug: fmt.Sprint("tin-", i), Title: fmt.Sprintf("Con %s số %d", word, i),
				CategoryID: cats[i%2], Status: status, PublishAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res := search(t, d, "duong ", db.SearchParams{Limit: 10})
	if res.Total != db.MaxSearchResults || !res.More {
		t.Fatalf("total %d more %v", res.Total, res.More)
	}
	// Newest first across pages, and exactly the newest visible matches.
	var times []time.Time
	seen := map[int64]bool{}
	for off := 0; off < 200; off += 50 {
		r := search(t, d, "duong ", db.SearchParams{Limit: 50, Offset: off, Newest: true})
		for _, h := range r.Hits {
			if seen[h.Article.ID] || h.Article.Status != db.StatusPublished {
				t.Fatalf("article %d twice or not public", h.Article.ID)
			}
			seen[h.Article.ID] = true
			times = append(times, h.Article.PublishAt)
		}
	}
	for i := 1; i < len(times); i++ {
		if times[i].After(times[i-1]) {
			t.Fatalf("hit %d is newer than hit %d", i, i-1)
		}
	}
	latest, err := d.PublicArticles(ctx, db.PublicListQuery{Limit: 1}, searchNow)
	if err != nil || len(latest) == 0 || !times[0].Equal(latest[0].PublishAt) {
		t.Errorf("newest hit at %v, newest article at %v", times[0], latest[0].PublishAt)
	}
	// Relevance pages are disjoint and the accented query ranks exact words first.
	seen = map[int64]bool{}
	r := search(t, d, "đường ", db.SearchParams{Limit: 10})
	for _, h := range r.Hits {
		if !strings.Contains(h.Article.Title, "đường") {
			t.Errorf("first page holds %q", h.Article.Title)
		}
	}
	for off := 0; off < db.MaxSearchResults; off += 100 {
		for _, h := range search(t, d, "đường ", db.SearchParams{Limit: 100, Offset: off}).Hits {
			if seen[h.Article.ID] {
				t.Fatalf("article %d on two pages", h.Article.ID)
			}
			seen[h.Article.ID] = true
		}
	}
	if len(seen) != db.MaxSearchResults {
		t.Errorf("paged through %d, want %d", len(seen), db.MaxSearchResults)
	}
	// Filters still apply on the bounded paths.
	for _, newest := range []bool{false, true} {
		r := search(t, d, "duong ", db.SearchParams{Limit: 100, CategoryID: cats[1], Newest: newest,
			From: searchNow.Add(-600 * time.Minute), To: searchNow.Add(-100 * time.Minute)})
		if r.Total == 0 {
			t.Errorf("newest %v: filtered search finds nothing", newest)
		}
		for _, h := range r.Hits {
			at := h.Article.PublishAt
			if h.Article.CategoryID != cats[1] || at.Before(searchNow.Add(-600*time.Minute)) || !at.Before(searchNow.Add(-100*time.Minute)) {
				t.Errorf("newest %v: hit %d outside the filters", newest, h.Article.ID)
			}
		}
	}
	// The bounded newest path with a filter: only the date's upper bound, still > the bound.
	to := searchNow.Add(-100 * time.Minute)
	r = search(t, d, "duong ", db.SearchParams{Limit: 20, To: to, Newest: true})
	if !r.More {
		t.Fatalf("expected the bounded path, total %d", r.Total)
	}
	for i, h := range r.Hits {
		if !h.Article.PublishAt.Before(to) || (i > 0 && h.Article.PublishAt.After(r.Hits[i-1].Article.PublishAt)) {
			t.Errorf("hit %d at %v (to %v)", i, h.Article.PublishAt, to)
		}
	}
	if len(r.Hits) == 0 || r.Hits[0].Article.PublishAt.Before(to.Add(-3*time.Minute)) {
		t.Errorf("newest hit before the bound is missing")
	}
}
