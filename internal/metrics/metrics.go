// Package metrics owns the portal's Prometheus metrics: HTTP requests by route and status,
// comment moderation counters, page-cache hits, database pool waits and backup age. A
// Metrics is built in main on a registry made there (no global registry) and handed to
// whoever counts; every method is safe on a nil *Metrics, so code that counts works
// unchanged when metrics are off.
package metrics

import (
	"crypto/subtle"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the counters the portal updates.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	comments  *prometheus.CounterVec
	cache     *prometheus.CounterVec
	backupRun *prometheus.CounterVec
}

// Sources are the live values the metrics read when scraped.
type Sources struct {
	// Pools are the database pools by name ("writer", "reader"): wait time and counts
	// come from sql.DBStats.
	Pools map[string]*sql.DB
	// LastBackup returns the time of the last successful backup, zero when none; nil
	// when automatic backups are off.
	LastBackup func() time.Time
	// Now is the clock for the backup age; time.Now when nil.
	Now func() time.Time
}

// New registers the portal's metrics (and the Go runtime and process collectors) on reg.
func New(reg *prometheus.Registry, src Sources) *Metrics {
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toasoan_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "toasoan_http_request_duration_seconds",
			Help: "Time to answer HTTP requests, by route pattern and status.",
			// From a cached page (~1 ms) to a slow search or upload (several seconds).
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "status"}),
		comments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toasoan_comments_total",
			Help: "Reader comments by event: posted, approved, rejected, spam, deleted.",
		}, []string{"event"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toasoan_page_cache_requests_total",
			Help: "Lookups in the rendered-page caches, by cache (pages or search) and result (hit or miss).",
		}, []string{"cache", "result"}),
		backupRun: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toasoan_backups_total",
			Help: "Automatic backups attempted, by result (ok or error).",
		}, []string{"result"}),
	}
	// Zero series exist from the start, so a rate() or an alert sees 0 rather than nothing.
	for _, e := range []string{"posted", "approved", "rejected", "spam", "deleted"} {
		m.comments.WithLabelValues(e)
	}
	for _, c := range []string{CachePages, CacheSearch, CacheFeeds} {
		m.cache.WithLabelValues(c, "hit")
		m.cache.WithLabelValues(c, "miss")
	}
	m.backupRun.WithLabelValues("ok")
	m.backupRun.WithLabelValues("error")
	reg.MustRegister(m.requests, m.latency, m.comments, m.cache, m.backupRun,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, pool := range src.Pools {
		// go_sql_wait_duration_seconds_total{db_name=...} is the database wait time.
		reg.MustRegister(collectors.NewDBStatsCollector(pool, name))
	}
	if src.LastBackup != nil {
		now := src.Now
		if now == nil {
			now = time.Now
		}
		reg.MustRegister(&backupCollector{last: src.LastBackup, now: now})
	}
	return m
}

// CommentPosted counts a reader's comment accepted for storage.
func (m *Metrics) CommentPosted() { m.comment("posted") }

// CommentModerated counts a moderation decision; status is the comment's new status
// (db.CommentApproved, CommentRejected, CommentSpam, CommentDeleted).
func (m *Metrics) CommentModerated(status string) {
	switch status {
	case "approved", "rejected", "spam", "deleted":
		m.comment(status)
	}
}

func (m *Metrics) comment(event string) {
	if m == nil {
		return
	}
	m.comments.WithLabelValues(event).Inc()
}

// The rendered-page caches, as the cache label names them.
const (
	CachePages  = "pages"  // home, section and article pages
	CacheSearch = "search" // search results, kept apart so a flood of queries evicts only searches
	CacheFeeds  = "feeds"  // feeds, sitemaps and robots.txt, kept apart: a sitemap is megabytes
)

// CacheHit counts a page served from the named rendered-page cache.
func (m *Metrics) CacheHit(cache string) {
	if m != nil {
		m.cache.WithLabelValues(cache, "hit").Inc()
	}
}

// CacheMiss counts a page the named cache did not hold, so it had to be rendered.
func (m *Metrics) CacheMiss(cache string) {
	if m != nil {
		m.cache.WithLabelValues(cache, "miss").Inc()
	}
}

// BackupDone counts an automatic backup attempt.
func (m *Metrics) BackupDone(err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.backupRun.WithLabelValues("error").Inc()
		return
	}
	m.backupRun.WithLabelValues("ok").Inc()
}

// statusRecorder remembers a response's status for the request metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Instrument counts and times every request by its route pattern (r.Pattern, which the
// ServeMux sets on the request it routes), never by raw path: one series per route, not
// one per article. Unrouted requests (404s, 405s) share the route label "unmatched".
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		status := strconv.Itoa(rec.status)
		m.requests.WithLabelValues(route, r.Method, status).Inc()
		m.latency.WithLabelValues(route, status).Observe(time.Since(start).Seconds())
	})
}

// Handler serves the metrics in Prometheus text format. With a token, it answers only
// requests bearing "Authorization: Bearer TOKEN" (401 otherwise); without one it answers
// everyone, which is for a listener of its own (-metrics-addr) that the public cannot reach.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// backupCollector reports the last successful backup's time and age when scraped.
type backupCollector struct {
	last func() time.Time
	now  func() time.Time
}

var (
	backupTimeDesc = prometheus.NewDesc("toasoan_backup_last_success_timestamp_seconds",
		"Unix time of the last successful automatic backup (0 when none yet).", nil, nil)
	backupAgeDesc = prometheus.NewDesc("toasoan_backup_age_seconds",
		"Seconds since the last successful automatic backup; absent when none yet.", nil, nil)
)

func (c *backupCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- backupTimeDesc
	ch <- backupAgeDesc
}

func (c *backupCollector) Collect(ch chan<- prometheus.Metric) {
	last := c.last()
	if last.IsZero() {
		ch <- prometheus.MustNewConstMetric(backupTimeDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(backupTimeDesc, prometheus.GaugeValue, float64(last.Unix()))
	ch <- prometheus.MustNewConstMetric(backupAgeDesc, prometheus.GaugeValue, c.now().Sub(last).Seconds())
}
