package handlers

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"toasoan/internal/httpcache"
	"toasoan/internal/metrics"
	"toasoan/internal/pagecache"
	"toasoan/static"
)

// Page cache settings: a cached page lives until a content change or pageCacheTTL (which
// bounds how stale the view count on it gets); all pages together stay under
// pageCacheBytes, so memory stays bounded whatever is requested.
const (
	pageCacheTTL   = 30 * time.Second
	pageCacheBytes = 24 << 20
	// searchCacheBytes bounds the search cache, a cache of its own so that a flood of
	// distinct queries evicts other searches, never the article pages.
	searchCacheBytes = 8 << 20
)

// pageCapture records what a handler writes when it renders a page for the cache, and
// which article the page shows.
type pageCapture struct {
	httpcache.Recorder
	articleID int64 // the article shown, whose views are counted at every serve
}

// countView counts a read of an article: straight away, or — when the page is being
// rendered for the cache — every time the cached page is served.
func (a *App) countView(w http.ResponseWriter, id int64) {
	if c, ok := w.(*pageCapture); ok {
		c.articleID = id
		return
	}
	a.Counts.Add(id)
}

// cacheableQuery is the only query a cached page may carry: a page number. Anything else
// (print view, notices, campaign tags) is rendered afresh, so junk queries cannot push
// popular pages out of the cache.
var cacheableQuery = regexp.MustCompile(`^(page=[1-9][0-9]{0,5})?$`)

// cached serves a public page from the page cache, rendering it through fn on a miss —
// once, however many readers ask at the same moment. htmx requests (fragments) and
// requests with other queries go straight to fn.
func (a *App) cached(fn handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if a.Pages == nil || isHTMX(r) || !cacheableQuery.MatchString(r.URL.RawQuery) {
			return fn(w, r)
		}
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		return a.serveCached(w, r, a.Pages, metrics.CachePages, key, fn)
	}
}

// serveCached serves the page cached under key, rendering it through fn on a miss. fn
// must depend on nothing in the request that key does not name.
func (a *App) serveCached(w http.ResponseWriter, r *http.Request, cache *pagecache.Cache, name, key string, fn handlerFunc) error {
	p, hit, err := cache.Get(key, func() (*pagecache.Page, error) {
		// The render outlives a waiter that gives up: use a context of its own.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
		defer cancel()
		c := &pageCapture{Recorder: *httpcache.NewRecorder()}
		if err := fn(c, r.WithContext(ctx)); err != nil {
			return nil, err
		}
		ctype := c.HeaderMap.Get("Content-Type")
		c.HeaderMap.Del("Content-Type")
		c.HeaderMap.Del("Content-Length")
		p := cache.NewPage(c.Code(), ctype, c.HeaderMap, c.Body.Bytes())
		p.ArticleID = c.articleID
		// A page for one reader (a cookie, or caching the handler made private) is not kept;
		// a handler may still ask browsers to revalidate (search: no-cache).
		cc := c.HeaderMap.Get("Cache-Control")
		p.NoStore = c.HeaderMap.Get("Set-Cookie") != "" || strings.Contains(cc, "private") || strings.Contains(cc, "no-store")
		return p, nil
	})
	if err != nil {
		return err
	}
	if hit {
		a.Metrics.CacheHit(name)
	} else {
		a.Metrics.CacheMiss(name)
	}
	a.servePage(w, r, p)
	return nil
}

// invalidateCaches retires every cached page and search.
func (a *App) invalidateCaches() {
	if a.Pages != nil {
		a.Pages.Invalidate()
	}
	if a.Searches != nil {
		a.Searches.Invalidate()
	}
}

// servePage writes a cached page: the ETag and gzip copy were made once, when it was
// rendered; a matching If-None-Match gets 304.
func (a *App) servePage(w http.ResponseWriter, r *http.Request, p *pagecache.Page) {
	if p.ArticleID != 0 {
		a.Counts.Add(p.ArticleID)
	}
	h := w.Header()
	for k, v := range p.Header {
		h[k] = v
	}
	if p.ContentType != "" {
		h.Set("Content-Type", p.ContentType)
	}
	if p.Status != http.StatusOK || p.NoStore {
		h.Set("Content-Length", strconv.Itoa(len(p.Body)))
		w.WriteHeader(p.Status)
		w.Write(p.Body)
		return
	}
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", publicCacheControl)
	}
	httpcache.AddVary(h, "Accept-Encoding")
	httpcache.AddVary(h, hxRequest)
	// Weak: the same page goes out plain and gzipped.
	etag := httpcache.Weak(p.ETag)
	h.Set("ETag", etag)
	if httpcache.NotModified(r, etag, h.Get("Last-Modified")) {
		h.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := p.Body
	if p.Gzip != nil && static.AcceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = p.Gzip
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// WatchSchedule retires cached pages when a scheduled article's publish time passes —
// no write happens then, so nothing else would. It checks every interval until ctx ends.
func (a *App) WatchSchedule(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	last := a.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := a.Now()
			due, err := a.DB.PublishedBetween(ctx, last, now)
			if err != nil {
				a.Log.Error("check scheduled articles", "err", err)
				continue
			}
			if due {
				a.invalidateCaches()
			}
			last = now
		}
	}
}
