// Package briefcache keeps answers read from the database for a moment (a second), for
// reads repeated on every request of a hot path. Whoever changes what an answer depends
// on forgets it at once; a change made elsewhere (another process) is seen once the
// answer's time is up. A read that raced a change is not kept.
package briefcache

import (
	"sync"
	"time"
)

// Cache holds up to max answers, each for ttl. Safe for concurrent use.
type Cache[K comparable, V any] struct {
	ttl time.Duration
	max int

	mu sync.Mutex
	// gen counts forgettings: an answer read before one is not stored after it, so a read
	// racing a change cannot bring back what the change made stale.
	gen     uint64
	entries map[K]entry[V]
}

type entry[V any] struct {
	v    V
	read time.Time
}

// New returns an empty cache whose answers live ttl, at most max of them (past it they
// are all dropped: each is a moment old at most, and a flood of distinct keys misses
// anyway).
func New[K comparable, V any](ttl time.Duration, max int) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, max: max, entries: map[K]entry[V]{}}
}

// Get returns k's answer if it was stored less than ttl before now (a clock that went
// back counts as expired), and the generation Put needs to store a fresh read.
func (c *Cache[K, V]) Get(k K, now time.Time) (v V, gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if ok && (now.Sub(e.read) >= c.ttl || now.Before(e.read)) {
		delete(c.entries, k)
		ok = false
	}
	return e.v, c.gen, ok
}

// Put stores v, read after Get returned gen, unless something was forgotten since.
func (c *Cache[K, V]) Put(k K, v V, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[k] = entry[V]{v: v, read: now}
}

// Forget drops the answers of keys.
func (c *Cache[K, V]) Forget(keys ...K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, k := range keys {
		delete(c.entries, k)
	}
}

// ForgetAll drops every answer.
func (c *Cache[K, V]) ForgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// Len is the number of answers held (expired ones included until asked for).
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
