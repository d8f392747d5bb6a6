// Package pagecache keeps rendered public pages in memory — the body, its ETag and a gzip
// copy — so a popular page is rendered once and served many times. A cold page is
// rendered by one request while the others wait for it (single flight). A change that can
// touch any page bumps a generation that retires every entry; a change to one article's
// comments retires only the pages tagged with that article (InvalidateTag). Either way a
// cached page is never staler than the last write that concerns it — except that a write
// readers make many times a second (a comment published at once) may retire a page only
// once it is a grace period old (InvalidateTagAfter), so a busy thread is rendered at most
// once per grace — and a time-to-live bounds how stale the counters on it (views, other
// articles' comment counts) get.
package pagecache

import (
	"bytes"
	"net/http"
	"strconv"
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
	// Tag is the article whose comments the page shows (its article page, its comment
	// list); InvalidateTag retires it. 0: no tag.
	Tag int64
	// Version is what pollers compare to learn whether they already have this content
	// (the comment list's version); "" when the page has none.
	Version string
	// Ready and ReadyGzip are the complete headers of a 200 answer, plain and gzipped,
	// built once by whoever serves the page (nil until then, or when not a 200).
	Ready, ReadyGzip http.Header

	gen      uint64
	expires  time.Time
	rendered time.Time   // when its render began: what its content is as new as
	retired  atomic.Bool // by InvalidateTag
	// staleAt (unix nanoseconds, 0: never) is when a deferred retirement
	// (InvalidateTagAfter) takes the page out.
	staleAt atomic.Int64
}

// live reports whether the page may still be served at now, in generation gen.
func (p *Page) live(gen uint64, now time.Time) bool {
	if p.gen != gen || p.retired.Load() || now.After(p.expires) {
		return false
	}
	s := p.staleAt.Load()
	return s == 0 || now.UnixNano() < s
}

// NewPage wraps a rendered body, computing its ETag and gzip copy once.
func (c *Cache) NewPage(status int, contentType string, header http.Header, body []byte) *Page {
	// A body arrives in a render buffer grown by doubling, and its gzip copy likewise: up
	// to twice their length in memory. The cache keeps exact copies, so that its byte
	// budget is what it really holds (the spare capacity was a third of the heap).
	body = bytes.Clone(body)
	gz := httpcache.Gzip(body)
	if gz != nil {
		gz = bytes.Clone(gz)
	}
	return &Page{Status: status, ContentType: contentType, Header: header, Body: body,
		ETag: httpcache.ETag(body), Gzip: gz}
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

	// tagged indexes the keys of tagged pages; retiredAt remembers, per tag, the tagSeq
	// of its last InvalidateTag, so a render that began before it is not stored.
	tagged    map[int64]map[string]struct{}
	retiredAt map[int64]tagRetired
	tagSeq    uint64
	// immediateSeq is the tagSeq of the last InvalidateTag, whatever its tag.
	immediateSeq uint64

	hits, misses atomic.Uint64
}

// tagRetired is what the cache remembers of a tag's last retirements: the tagSeq of the
// last immediate one, of the last deferred one and its grace, and when the last was.
type tagRetired struct {
	seq, deferredSeq uint64
	grace            time.Duration
	at               time.Time
}

// renderLimit is the longest a render may take and still be stored: retiredAt forgets
// older invalidations, so an older render could no longer tell whether it is stale.
const renderLimit = time.Minute

// New returns a cache whose entries live at most ttl and together take at most maxBytes;
// now is the clock (time.Now, or a test's).
func New(ttl time.Duration, maxBytes int, now func() time.Time) *Cache {
	return &Cache{ttl: ttl, maxBytes: maxBytes, now: now, entries: map[string]*Page{},
		tagged: map[int64]map[string]struct{}{}, retiredAt: map[int64]tagRetired{}}
}

// Invalidate retires every cached page: call it after any write that can change a public page.
func (c *Cache) Invalidate() { c.gen.Add(1) }

// InvalidateTag retires the pages tagged with tag (see Page.Tag), including one being
// rendered right now: it is handed to the requests waiting for it but not kept.
func (c *Cache) InvalidateTag(tag int64) {
	if tag == 0 {
		return
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tagSeq++
	for k := range c.tagged[tag] {
		if p := c.entries[k]; p != nil && p.Tag == tag {
			p.retired.Store(true)
		}
	}
	delete(c.tagged, tag)
	r := c.remember(tag, now)
	r.seq = c.tagSeq
	c.retiredAt[tag] = r
	c.immediateSeq = c.tagSeq
}

// InvalidateTagAfter retires the pages tagged with tag once they are grace old: a page
// whose render began grace ago or earlier goes at once, a younger one when it reaches
// that age, and a render under way is kept only until then. It is for writes readers
// make many times a second (a comment published at once): however fast they come, a
// page is rendered at most about once per grace, and it never lags a write by more than
// grace. A later InvalidateTag still retires everything at once.
func (c *Cache) InvalidateTagAfter(tag int64, grace time.Duration) {
	if tag == 0 {
		return
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tagSeq++
	for k := range c.tagged[tag] {
		p := c.entries[k]
		if p == nil || p.Tag != tag {
			continue
		}
		deadline := p.rendered.Add(grace)
		if !now.Before(deadline) {
			p.retired.Store(true)
			continue
		}
		// The earliest deadline wins: the page must not outlive the first write it lacks.
		if s := p.staleAt.Load(); s == 0 || deadline.UnixNano() < s {
			p.staleAt.Store(deadline.UnixNano())
		}
	}
	r := c.remember(tag, now)
	if r.deferredSeq <= r.seq || grace < r.grace {
		// No deferred retirement since the last immediate one, or a shorter grace: this
		// one decides how long a render under way may be kept.
		r.grace = grace
	}
	r.deferredSeq = c.tagSeq
	c.retiredAt[tag] = r
}

// remember returns tag's retirement record stamped now, first forgetting records too old
// to matter when there are many. c.mu is held.
func (c *Cache) remember(tag int64, now time.Time) tagRetired {
	if len(c.retiredAt) >= 4096 {
		for t, r := range c.retiredAt {
			if now.Sub(r.at) > renderLimit {
				delete(c.retiredAt, t)
			}
		}
	}
	r := c.retiredAt[tag]
	r.at = now
	return r
}

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
	c.mu.Lock()
	seq, epoch := c.tagSeq, c.flightEpoch(key)
	c.mu.Unlock()
	// A request that arrives after an invalidation must not join a render that began
	// before it (that render may predate the write): the flight is per key and per
	// invalidation epoch — of the key's own tag, so that a comment on one article does not
	// make readers of another start a second render of a page already under way.
	flight := key + "\x00" + strconv.FormatUint(gen, 36) + "." + strconv.FormatUint(epoch, 36)
	v, err, shared := c.group.Do(flight, func() (any, error) {
		if p := c.lookup(key); p != nil { // filled while we queued
			return p, nil
		}
		start := c.now()
		p, err := render()
		if err != nil {
			return nil, err
		}
		if p.Status == 200 && !p.NoStore {
			p.gen = gen
			p.rendered = start
			p.expires = c.now().Add(c.ttl)
			c.store(key, p, seq, start)
		}
		return p, nil
	})
	if err != nil {
		return nil, false, err
	}
	c.misses.Add(1)
	return v.(*Page), shared, nil
}

// flightEpoch is what changes, for key, when a write retires it at once: the last
// InvalidateTag of the tag its page had, 0 for an untagged page, and — for a key not held
// (its tag unknown) — the count of every InvalidateTag. Deferred retirements do not change
// it: a render under way is at most their grace behind. c.mu is held.
func (c *Cache) flightEpoch(key string) uint64 {
	if p := c.entries[key]; p != nil {
		if p.Tag == 0 {
			return 0
		}
		return c.retiredAt[p.Tag].seq
	}
	return c.immediateSeq
}

// Cached returns the live page under key, counted as a hit, or nil — never rendering.
func (c *Cache) Cached(key string) *Page {
	p := c.lookup(key)
	if p != nil {
		c.hits.Add(1)
	}
	return p
}

func (c *Cache) lookup(key string) *Page {
	c.mu.Lock()
	p := c.entries[key]
	c.mu.Unlock()
	if p == nil || !p.live(c.gen.Load(), c.now()) {
		return nil
	}
	return p
}

// store keeps p under key, unless its tag was retired after its render began (at seq,
// time start): the render may have read what that write changed. After a deferred
// retirement it is kept until its grace from start runs out.
func (c *Cache) store(key string, p *Page, seq uint64, start time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p.Tag != 0 {
		now := c.now()
		r, ok := c.retiredAt[p.Tag]
		if (ok && r.seq > seq) || now.Sub(start) > renderLimit {
			return
		}
		if ok && r.deferredSeq > seq {
			deadline := start.Add(r.grace)
			if !now.Before(deadline) {
				return
			}
			p.staleAt.Store(deadline.UnixNano())
		}
		keys := c.tagged[p.Tag]
		if keys == nil {
			keys = map[string]struct{}{}
			c.tagged[p.Tag] = keys
		}
		keys[key] = struct{}{}
	}
	if old, ok := c.entries[key]; ok {
		c.bytes -= old.size()
		c.untag(key, old, p.Tag)
	} else {
		c.order = append(c.order, key)
	}
	c.entries[key] = p
	c.bytes += p.size()
	// Evict oldest first; retired entries go first of all, since they are dead weight.
	cur, now := c.gen.Load(), c.now()
	for c.bytes > c.maxBytes && len(c.order) > 1 {
		victim := -1
		for i, k := range c.order {
			if e := c.entries[k]; e != nil && !e.live(cur, now) && k != key {
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
			c.untag(k, e, 0)
			delete(c.entries, k)
		}
		c.order = append(c.order[:victim], c.order[victim+1:]...)
	}
}

// untag drops key from the index of old's tag, unless the entry replacing it keeps it.
func (c *Cache) untag(key string, old *Page, keep int64) {
	if old.Tag == 0 || old.Tag == keep {
		return
	}
	if keys := c.tagged[old.Tag]; keys != nil {
		delete(keys, key)
		if len(keys) == 0 {
			delete(c.tagged, old.Tag)
		}
	}
}

// Len is the number of entries held (live or retired), for tests and metrics.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
