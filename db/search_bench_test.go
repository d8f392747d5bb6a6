package db_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"toasoan/db"
	"toasoan/demo"
	"toasoan/vntext"
)

// benchArticles is how many synthetic articles the search benchmarks index.
const benchArticles = 100_000

// benchCorpus is the generated database, built once per `go test -bench` run (it takes a
// minute or two) and shared by the search benchmarks; TestMain removes it.
var benchCorpus struct {
	once  sync.Once
	dir   string
	d     *db.DB
	pairs []string // two-word queries taken from the text
	err   error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchCorpus.d != nil {
		benchCorpus.d.Close()
	}
	if benchCorpus.dir != "" {
		os.RemoveAll(benchCorpus.dir)
	}
	os.Exit(code)
}

// demoWords is the running text of the demo newsroom cut into words: sampling from it
// gives Vietnamese word frequencies (common words common, names rare).
func demoWords() []string {
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

// sentence strings n words from the corpus, starting at random places so that real word
// pairs ("giải phóng", "mặt bằng") occur as they do in the news.
func sentence(r *rand.Rand, words []string, n int) string {
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

func buildBenchCorpus(b *testing.B) (*db.DB, []string) {
	b.Helper()
	benchCorpus.once.Do(func() {
		ctx := context.Background()
		words := demoWords()
		r := rand.New(rand.NewPCG(2026, 11))
		// TOASOAN_SEARCH_BENCH_DIR keeps the generated database between runs (for
		// profiling); it is built there when empty and never removed.
		dir := os.Getenv("TOASOAN_SEARCH_BENCH_DIR")
		keep := dir != ""
		if !keep {
			var err error
			if dir, err = os.MkdirTemp("", "toasoan-search-bench-"); err != nil {
				benchCorpus.err = err
				return
			}
			benchCorpus.dir = dir
		}
		d, err := db.Open(ctx, dir)
		if err != nil {
			benchCorpus.err = err
			return
		}
		benchCorpus.d = d
		defer func() { benchCorpus.pairs = benchQueries(rand.New(rand.NewPCG(5, 5)), words) }()
		if has, err := d.HasArticles(ctx); err != nil || has {
			benchCorpus.err = err
			return
		}
		start := time.Now()
		var cats []int64
		err = d.InBulk(ctx, func(bk *db.Bulk) error {
			for i, s := range demo.Sections {
				id, err := bk.AddCategory(db.Category{Slug: s.Slug, Name: s.Name, Position: i})
				if err != nil {
					return err
				}
				cats = append(cats, id)
			}
			return nil
		})
		if err != nil {
			benchCorpus.err = err
			return
		}
		now := time.Now()
		const batch = 5000
		for from := 0; from < benchArticles && benchCorpus.err == nil; from += batch {
			benchCorpus.err = d.InBulk(ctx, func(bk *db.Bulk) error {
				for i := from; i < from+batch; i++ {
					var body strings.Builder
					for range 3 + r.IntN(4) {
						body.WriteString("<p>" + sentence(r, words, 40+r.IntN(60)) + "</p>\n")
					}
					title := sentence(r, words, 10+r.IntN(8))
					_, err := bk.AddArticle(db.Article{
						Slug:       fmt.Sprintf("%s-%d", vntext.SlugOr(title, "bai"), i),
						Title:      title,
						Lead:       sentence(r, words, 25+r.IntN(20)),
						BodyHTML:   body.String(),
						CategoryID: cats[r.IntN(len(cats))],
						Status:     db.StatusPublished,
						PublishAt:  now.Add(-time.Duration(r.IntN(5*365*24)) * time.Hour),
					})
					if err != nil {
						return err
					}
				}
				return nil
			})
		}
		if benchCorpus.err != nil {
			return
		}
		b.Logf("generated %d articles in %s", benchArticles, time.Since(start).Round(time.Second))
	})
	if benchCorpus.err != nil {
		b.Fatal(benchCorpus.err)
	}
	return benchCorpus.d, benchCorpus.pairs
}

// benchQueries are two-word queries: adjacent words of the text (so real pairs such as
// "giải phóng"), half of them typed without accents.
func benchQueries(r *rand.Rand, words []string) []string {
	var qs []string
	for len(qs) < 200 {
		i := r.IntN(len(words) - 1)
		q := strings.ToLower(words[i] + " " + words[i+1])
		if len(qs)%2 == 1 {
			q = vntext.Fold(q)
		}
		qs = append(qs, q)
	}
	return qs
}

// benchSearch runs the queries round robin, one search per iteration, and reports the
// latency percentiles the README quotes.
func benchSearch(b *testing.B, queries []string, p db.SearchParams) {
	if testing.Short() {
		b.Skip("builds a 100,000-article database")
	}
	d, _ := buildBenchCorpus(b)
	ctx := context.Background()
	now := time.Now()
	var lat []time.Duration
	hits := 0
	for i := 0; b.Loop(); i++ {
		p.Query = db.ParseSearchQuery(queries[i%len(queries)])
		t0 := time.Now()
		res, err := d.Search(ctx, p, now)
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		hits += res.Total
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(q float64) float64 {
		return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(hits)/float64(len(lat)), "hits/query")
}

// BenchmarkSearchTwoWords: finished two-word queries (as submitted), most relevant first.
func BenchmarkSearchTwoWords(b *testing.B) {
	_, pairs := buildBenchCorpus(b)
	qs := make([]string, len(pairs))
	for i, q := range pairs {
		qs[i] = q + " " // finished: no prefix on the last word
	}
	benchSearch(b, qs, db.SearchParams{Limit: 10})
}

// BenchmarkSearchTwoWordsTyping: the same queries as active search sends them while the
// reader types, the last word a prefix.
func BenchmarkSearchTwoWordsTyping(b *testing.B) {
	_, pairs := buildBenchCorpus(b)
	benchSearch(b, pairs, db.SearchParams{Limit: 10})
}

// BenchmarkSearchTwoWordsNewest: finished two-word queries, newest first.
func BenchmarkSearchTwoWordsNewest(b *testing.B) {
	_, pairs := buildBenchCorpus(b)
	qs := make([]string, len(pairs))
	for i, q := range pairs {
		qs[i] = q + " "
	}
	benchSearch(b, qs, db.SearchParams{Limit: 10, Newest: true})
}

// BenchmarkSearchIndexSize reports the size of the search index and of the whole file.
func BenchmarkSearchIndexSize(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 100,000-article database")
	}
	d, _ := buildBenchCorpus(b)
	ctx := context.Background()
	var index, content int64
	// Measured once: the figures do not change, and reading 300 MB 400 times would not
	// tell anything more.
	if err := d.Reader().QueryRowContext(ctx, `SELECT coalesce(sum(length(block)), 0) FROM articles_fts_data`).Scan(&index); err != nil {
		b.Fatal(err)
	}
	if err := d.Reader().QueryRowContext(ctx, `SELECT coalesce(sum(length(c0) + length(c1) + length(c2)), 0) FROM articles_fts_content`).Scan(&content); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
	}
	st, err := os.Stat(benchCorpus.d.Path())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(index)/1e6, "index-MB")
	b.ReportMetric(float64(content)/1e6, "folded-copy-MB")
	b.ReportMetric(float64(st.Size())/1e6, "file-MB")
}
