// Package pagecache keeps rendered public pages in memory — the body, its ETag and a gzip
// copy — so a popular page is rendered once and served many times. A cold page is
// rendered by one request while the others wait for it (single flight); any content
// change bumps a generation that retires every entry, so a cached page is never staler
// than the last write, and a time-to-live bounds how stale the counters on it (views) get.
package pagecache

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"toasoan/internal/httpcache"
)

// Page is one rendered response.
type Page struct {
	Status      int
	ContentType string
	Header      http.Header // other headers the response carries (Last-Modified, Location)
	Body        []byte
	Gzip        []byte // nil when compressing does not pay
	ETag        string // strong, quoted
	// NoStore marks a response to hand to the requests waiting on this render but not to
	// keep (a redirect, a page meant for one reader).
	NoStore bool
	// ArticleID is the article the page shows, whose view is counted at every serve.
	ArticleID int64

	gen     uint64
	expires time.Time
}

// NewPage wraps a rendered body, computing its ETag and gzip copy once.
func (c *Cache) NewPage(status int, contentType string, header http.Header, body []byte) *Page {
	return &Page{Status: status, ContentType: contentType, Header: header, Body: body,
		ETag: httpcache.ETag(body), Gzip: httpcache.Gzip(body)}
}

// size is what an entry costs in memory, roughly.
func (p *Page) size() int { return len(p.Body) + len(p.Gzip) + 128 }

// Cache holds pages by key, bounded in bytes.
type Cache struct {
	ttl      time.Duration
	maxBytes int
	now      func() time.Time

	gen   atomic.Uint64
	group singleflight.Group

	mu      sync.Mutex
	entries map[string]*Page
	order   []string // insertion order, for eviction
	bytes   int

	hits, misses atomic.Uint64
}

// New returns a cache whose entries live at most ttl and together take at most maxBytes;
// now is the clock (time.Now, or a test's).
func New(ttl time.Duration, maxBytes int, now func() time.Time) *Cache {
	return &Cache{ttl: ttl, maxBytes: maxBytes, now: now, entries: map[string]*Page{}}
}

// Invalidate retires every cached page: call it after any write that can change a public page.
func (c *Cache) Invalidate() { c.gen.Add(1) }

// Stats reports hits and misses since start.
func (c *Cache) Stats() (hits, misses uint64) { return c.hits.Load(), c.misses.Load() }

// Get returns the cached page for key, or renders it with render — once, however many
// requests ask at the same moment. A render error is returned and nothing is cached;
// pages whose status is not 200, or marked NoStore, are not kept either. hit reports
// whether the page came from the cache or from another request's render.
func (c *Cache) Get(key string, render func() (*Page, error)) (*Page, bool, error) {
	if p := c.lookup(key); p != nil {
		c.hits.Add(1)
		return p, true, nil
	}
	gen := c.gen.Load()
	v, err, shared := c.group.Do(key, func() (any, error) {
		if p := c.lookup(key); p != nil { // filled while we queued
			return p, nil
		}
		p, err := render()
		if err != nil {
			return nil, err
		}
		if p.Status == 200 && !p.NoStore {
			p.gen = gen
			p.expires = c.now().Add(c.ttl)
			c.store(key, p)
		}
		return p, nil
	})
	if err != nil {
		return nil, false, err
	}
	c.misses.Add(1)
	return v.(*Page), shared, nil
}

func (c *Cache) lookup(key string) *Page {
	c.mu.Lock()
	p := c.entries[key]
	c.mu.Unlock()
	if p == nil || p.gen != c.gen.Load() || c.now().After(p.expires) {
		return nil
	}
	return p
}

func (c *Cache) store(key string, p *Page) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.bytes -= old.size()
	} else {
		c.order = append(c.order, key)
	}
	c.entries[key] = p
	c.bytes += p.size()
	// Evict oldest first; retired entries go first of all, since they are dead weight.
	cur := c.gen.Load()
	for c.bytes > c.maxBytes && len(c.order) > 1 {
		victim := -1
		for i, k := range c.order {
			if e := c.entries[k]; e != nil && e.gen != cur && k != key {
				victim = i
				break
			}
		}
		if victim < 0 {
			victim = 0
			if c.order[0] == key {
				victim = 1
			}
		}
		k := c.order[victim]
		if e := c.entries[k]; e != nil {
			c.bytes -= e.size()
			delete(c.entries, k)
		}
		c.order = append(c.order[:victim], c.order[victim+1:]...)
	}
}

// Len is the number of entries held (live or retired), for tests and metrics.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
