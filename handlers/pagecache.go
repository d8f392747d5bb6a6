package handlers

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"toasoan/db"
	"toasoan/internal/httpcache"
	"toasoan/internal/metrics"
	"toasoan/internal/pagecache"
	"toasoan/static"
)

// Page cache settings: a cached page lives until a content change or pageCacheTTL (which
// bounds how stale the view count on it gets); all pages together stay under
// pageCacheBytes, so memory stays bounded whatever is requested.
const (
	pageCacheTTL = 30 * time.Second
	// pageCacheBytes holds some 350 article pages with their gzip copies; with the other
	// two budgets it stays under the server's default memory limit (internal/cli).
	pageCacheBytes = 16 << 20
	// searchCacheBytes bounds the search cache, a cache of its own so that a flood of
	// distinct queries evicts other searches, never the article pages.
	searchCacheBytes = 8 << 20
	// Feeds and sitemaps show no counters, so only a content change retires them; the
	// TTL is a safety net. A sitemap of 50,000 URLs is about 5 MB (and 0.5 MB gzipped):
	// the budget holds two such files with the feeds beside them.
	feedCacheTTL   = 10 * time.Minute
	feedCacheBytes = 12 << 20
	// commentGrace is how long a thread's page may go on without a reader's comment
	// published at once. Without it every such comment made the next reader render the
	// whole article: with moderation off, a busy thread was rendered as often as readers
	// posted (the 85/10/5 mix served 184 req/s against 11,435 with moderation on). With
	// it, a page is rendered at most about once a second however fast they post; the
	// poster sees the comment at once in the answer to the post.
	commentGrace = time.Second
)

// pageCapture records what a handler writes when it renders a page for the cache, and
// which article the page shows.
type pageCapture struct {
	httpcache.Recorder
	articleID int64  // the article shown, whose views are counted at every serve
	tag       int64  // the article whose comments the page shows (pagecache.Page.Tag)
	version   string // pagecache.Page.Version
}

// countView counts a read of an article: straight away, or — when the page is being
// rendered for the cache — every time the cached page is served.
func (a *App) countView(w http.ResponseWriter, id int64) {
	if c, ok := w.(*pageCapture); ok {
		c.articleID, c.tag = id, id
		return
	}
	a.Counts.Add(id)
}

// queryParam is a query parameter a cached route uses. Every other parameter, a
// repeated or empty one, or one given its default value, is not part of the page: the
// request is redirected to the URL without it, so junk queries (and the same page under
// many spellings) cannot fill the cache nor make the server render anything.
type queryParam struct {
	name string
	// dflt is the value that means the same as leaving the parameter out ("1" for a page
	// number): it is redirected away.
	dflt string
	// values, when set, are the only values the page knows; others are redirected away.
	// Values not listed here are the handler's to refuse (400, 404), and refusals are
	// never cached.
	values []string
	// private marks a parameter whose page is for one reader (one-time form values):
	// rendered afresh, never cached nor shared with a concurrent request.
	private bool
}

// The query parameters of the cached routes.
var (
	// pageParam is a list's page number; page 1 is the bare URL.
	pageParam = queryParam{name: "page", dflt: "1"}
	// sitemapPageParam is a sitemap file's number; without it, the index (or the only file).
	sitemapPageParam = queryParam{name: "page"}
	// printParam (?in=1) is an article's print view.
	printParam = queryParam{name: printViewParam}
	// commentFormParam is the no-JS comment form (?binh-luan=viet) and the notices after
	// a no-JS post: the page carries one-time values for one reader.
	commentFormParam = queryParam{name: "binh-luan", values: []string{"viet", "cho-duyet", "da-dang"}, private: true}
)

// canonicalQuery returns the query the page at r uses, in one spelling (the cache key's),
// whether r carried anything else (then it is redirected there), and whether the page is
// for one reader.
func canonicalQuery(r *http.Request, params []queryParam) (query string, junk, private bool) {
	if r.URL.RawQuery == "" {
		return "", false, false
	}
	q := r.URL.Query()
	kept := url.Values{}
	for _, p := range params {
		v, ok := q[p.name]
		if !ok || len(v) != 1 || v[0] == "" || v[0] == p.dflt || (p.values != nil && !slices.Contains(p.values, v[0])) {
			continue
		}
		kept.Set(p.name, v[0])
		private = private || p.private
	}
	return kept.Encode(), len(kept) != len(q), private
}

// setPageVersion records, for a page being rendered for the cache, the version of its
// content that pollers compare (the comment list's).
func setPageVersion(w http.ResponseWriter, v string) {
	if c, ok := w.(*pageCapture); ok {
		c.version = v
	}
}

// tagComments marks a page being rendered for the cache as showing the comments of article
// id, so a change to them retires it.
func tagComments(w http.ResponseWriter, id int64) {
	if c, ok := w.(*pageCapture); ok {
		c.tag = id
	}
}

// cached serves a public page from the page cache, rendering it through fn on a miss —
// once, however many readers ask at the same moment. params are the query parameters
// the page uses (see queryParam); a request with any other query is redirected to the
// page's canonical URL first. htmx requests get the same cached page: these routes
// answer htmx with the whole page, and a header must not buy a fresh render.
func (a *App) cached(fn handlerFunc, params ...queryParam) handlerFunc {
	return a.cachedIn(func() *pagecache.Cache { return a.Pages }, metrics.CachePages, fn, params...)
}

// feed serves a feed, sitemap or robots.txt from the feeds cache, as cached does pages.
func (a *App) feed(fn handlerFunc, params ...queryParam) handlerFunc {
	return a.cachedIn(func() *pagecache.Cache { return a.Feeds }, metrics.CacheFeeds, fn, params...)
}

// cachedIn is cached with the cache chosen at request time (nil: no caching).
func (a *App) cachedIn(cache func() *pagecache.Cache, name string, fn handlerFunc, params ...queryParam) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		query, junk, private := canonicalQuery(r, params)
		if junk {
			target := r.URL.Path
			if query != "" {
				target += "?" + query
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return nil
		}
		c := cache()
		if c == nil || private {
			return fn(w, r)
		}
		key := r.URL.Path
		if query != "" {
			key += "?" + query
		}
		return a.serveCached(w, r, c, name, key, fn)
	}
}

// serveCached serves the page cached under key, rendering it through fn on a miss. fn
// must depend on nothing in the request that key does not name.
func (a *App) serveCached(w http.ResponseWriter, r *http.Request, cache *pagecache.Cache, name, key string, fn handlerFunc) error {
	p, err := a.cachedPage(r, cache, name, key, fn)
	if err != nil {
		return err
	}
	a.servePage(w, r, p)
	return nil
}

// cachedPage is the page cached under key, rendered through fn on a miss.
func (a *App) cachedPage(r *http.Request, cache *pagecache.Cache, name, key string, fn handlerFunc) (*pagecache.Page, error) {
	p, hit, err := cache.Get(key, func() (*pagecache.Page, error) {
		// The render outlives a waiter that gives up: use a context of its own.
		timeout := 10 * time.Second
		if cache == a.Feeds {
			// A sitemap file of 50,000 URLs takes about a second on an idle machine and
			// many on a busy one; it is rendered once per content change, not per request.
			timeout = time.Minute
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), timeout)
		defer cancel()
		c := &pageCapture{Recorder: *httpcache.NewRecorder()}
		if err := fn(c, r.WithContext(ctx)); err != nil {
			return nil, err
		}
		ctype := c.HeaderMap.Get("Content-Type")
		c.HeaderMap.Del("Content-Type")
		c.HeaderMap.Del("Content-Length")
		p := cache.NewPage(c.Code(), ctype, c.HeaderMap, c.Body.Bytes())
		p.ArticleID, p.Tag, p.Version = c.articleID, c.tag, c.version
		// A page for one reader (a cookie, or caching the handler made private) is not kept;
		// a handler may still ask browsers to revalidate (search: no-cache).
		cc := c.HeaderMap.Get("Cache-Control")
		p.NoStore = c.HeaderMap.Get("Set-Cookie") != "" || strings.Contains(cc, "private") || strings.Contains(cc, "no-store")
		prepareHeaders(p)
		return p, nil
	})
	if err != nil {
		return nil, err
	}
	if hit {
		a.Metrics.CacheHit(name)
	} else {
		a.Metrics.CacheMiss(name)
	}
	return p, nil
}

// contentChanged retires what a committed write changed: a change to some articles'
// comments retires those articles' pages, comment lists and heads (other pages show only their
// comment counts, which may lag by the cache's lifetime, like view counts) — at once, or
// for a reader's comment published without moderation once the page is commentGrace
// old; anything else retires every cached page and search.
func (a *App) contentChanged(c db.Change) {
	if c.All {
		a.heads.ForgetAll()
		a.invalidateCaches()
		return
	}
	if !c.ReaderPost { // a reader's post changes only a count, which no head is used for
		a.heads.Forget(c.CommentsOf...)
	}
	if a.Pages != nil {
		for _, id := range c.CommentsOf {
			if c.ReaderPost {
				a.Pages.InvalidateTagAfter(id, commentGrace)
			} else {
				a.Pages.InvalidateTag(id)
			}
		}
	}
}

// invalidateCaches retires every cached page and search.
func (a *App) invalidateCaches() {
	if a.Pages != nil {
		a.Pages.Invalidate()
	}
	if a.Searches != nil {
		a.Searches.Invalidate()
	}
	if a.Feeds != nil {
		a.Feeds.Invalidate()
	}
}

// pagesBeforeRouting serves a GET or HEAD of a public page straight from the page cache,
// before the router and the caching middleware: on a hit they only led to the same
// lookup, and were a third of what a hit cost in-process. Only what cached keyed by the
// request's path alone qualifies — a request without a query (cached answers every GET of
// that path the same way: the page or a redirect on its query) and a path the router
// would take as it is (a cleaned one is stored, an unclean one misses) — so a hit here is
// what routing would have served, and anything else goes the usual way.
func (a *App) pagesBeforeRouting(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.Pages != nil && r.URL.RawQuery == "" && r.URL.RawPath == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			if p := a.Pages.Cached(r.URL.Path); p != nil {
				a.Metrics.CacheHit(metrics.CachePages)
				a.servePage(w, r, p)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// servePage writes a cached page: the ETag, the gzip copy and the headers of a 200
// answer were made once, when it was rendered; a matching If-None-Match gets 304. The
// page goes straight to the connection, past the caching middleware's buffer.
func (a *App) servePage(w http.ResponseWriter, r *http.Request, p *pagecache.Page) {
	if p.ArticleID != 0 {
		a.Counts.Add(p.ArticleID)
	}
	w = unbuffered(w)
	h := w.Header()
	if p.Status != http.StatusOK || p.NoStore || p.Ready == nil {
		for k, v := range p.Header {
			h[k] = v
		}
		if p.ContentType != "" {
			h.Set("Content-Type", p.ContentType)
		}
		h.Set("Content-Length", strconv.Itoa(len(p.Body)))
		w.WriteHeader(p.Status)
		w.Write(p.Body)
		return
	}
	ready, body := p.Ready, p.Body
	if p.Gzip != nil && static.AcceptsGzip(r) {
		ready, body = p.ReadyGzip, p.Gzip
	}
	for k, v := range ready {
		h[k] = v
	}
	if httpcache.NotModified(r, ready.Get("ETag"), ready.Get("Last-Modified")) {
		delete(h, "Content-Type")
		delete(h, "Content-Length")
		delete(h, "Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// prepareHeaders builds, once per rendering, the headers every 200 answer of a cached
// page carries — plain and gzipped — so a cache hit copies slices instead of building
// them. The slices are clipped, so a later Add on a response copies rather than writes
// into the shared array.
func prepareHeaders(p *pagecache.Page) {
	if p.Status != http.StatusOK || p.NoStore {
		return
	}
	h := http.Header{}
	for k, v := range p.Header {
		h[k] = slices.Clip(slices.Clone(v))
	}
	if p.ContentType != "" {
		h.Set("Content-Type", p.ContentType)
	}
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", publicCacheControl)
	}
	httpcache.AddVary(h, "Accept-Encoding")
	if strings.HasPrefix(p.ContentType, "text/html") {
		httpcache.AddVary(h, hxRequest)
	}
	// Weak: the same page goes out plain and gzipped.
	h.Set("ETag", httpcache.Weak(p.ETag))
	h.Set("Content-Length", strconv.Itoa(len(p.Body)))
	for k, v := range h {
		h[k] = slices.Clip(v)
	}
	p.Ready = h
	if p.Gzip != nil {
		g := maps.Clone(h)
		g["Content-Encoding"] = []string{"gzip"}
		g["Content-Length"] = []string{strconv.Itoa(len(p.Gzip))}
		p.ReadyGzip = g
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
