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

	"toasoan/db"
	"toasoan/internal/demo"
	"toasoan/internal/seed"
	"toasoan/internal/vntext"
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

func buildBenchCorpus(b *testing.B) (*db.DB, []string) {
	b.Helper()
	if testing.Short() {
		b.Skip("builds a 100,000-article database")
	}
	benchCorpus.once.Do(func() {
		ctx := context.Background()
		words := seed.Words()
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
		defer func() { benchCorpus.pairs = seed.TwoWordQueries(rand.New(rand.NewPCG(5, 5)), words, 200) }()
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
						body.WriteString("<p>" + seed.Sentence(r, words, 40+r.IntN(60)) + "</p>\n")
					}
					title := seed.Sentence(r, words, 10+r.IntN(8))
					_, err := bk.AddArticle(db.Article{
						Slug:       fmt.Sprintf("%s-%d", vntext.SlugOr(title, "bai"), i),
						Title:      title,
						Lead:       seed.Sentence(r, words, 25+r.IntN(20)),
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

// BenchmarkSearchNewPairs: two words of the vocabulary at random, as the load bench's
// "every query new" row asks them (accented, finished): pairs that seldom stand side by
// side, so most matches are approximate.
func BenchmarkSearchNewPairs(b *testing.B) {
	seen := map[string]bool{}
	var words []string
	for _, w := range seed.Words() {
		if w = strings.ToLower(w); !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	r := rand.New(rand.NewPCG(7919, 1))
	qs := make([]string, 200)
	for i := range qs {
		qs[i] = words[r.IntN(len(words))] + " " + words[r.IntN(len(words))] + " "
	}
	benchSearch(b, qs, db.SearchParams{Limit: 10})
}
