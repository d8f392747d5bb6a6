package briefcache

import (
	"testing"
	"time"
)

// TestCacheRules pins what the hot paths rely on: an answer lives its ttl and no longer,
// a read that began before a forgetting is not stored after it, forgetting some keys
// leaves the others, and the number held is bounded.
func TestCacheRules(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	c := New[int64, string](time.Second, 1024)

	_, gen, ok := c.Get(1, now)
	if ok {
		t.Fatal("empty cache answered")
	}
	c.Put(1, "một", gen, now)
	if v, _, ok := c.Get(1, now); !ok || v != "một" {
		t.Fatalf("stored answer not found: %v %q", ok, v)
	}
	if _, _, ok := c.Get(1, now.Add(time.Second-time.Millisecond)); !ok {
		t.Error("answer gone before its ttl")
	}
	if _, _, ok := c.Get(1, now.Add(time.Second)); ok {
		t.Error("answer kept past its ttl")
	}
	c.Put(1, "một", gen, now)
	if _, _, ok := c.Get(1, now.Add(-time.Millisecond)); ok {
		t.Error("answer served to a clock that went back")
	}

	// A read that began before a forgetting must not store what it read.
	_, gen, _ = c.Get(2, now)
	c.Forget(99)
	c.Put(2, "hai", gen, now)
	if _, _, ok := c.Get(2, now); ok {
		t.Error("an answer read before a change was stored after it")
	}

	_, gen, _ = c.Get(3, now)
	c.Put(3, "ba", gen, now)
	c.Put(4, "bốn", gen, now)
	c.Forget(3)
	if _, _, ok := c.Get(3, now); ok {
		t.Error("forgotten answer still served")
	}
	if _, _, ok := c.Get(4, now); !ok {
		t.Error("forgetting key 3 dropped key 4")
	}
	c.ForgetAll()
	if _, _, ok := c.Get(4, now); ok {
		t.Error("answer kept after ForgetAll")
	}

	_, gen, _ = c.Get(0, now)
	for k := range int64(1024 + 10) {
		c.Put(k+1, "x", gen, now)
	}
	if n := c.Len(); n > 1024 {
		t.Errorf("%d answers held, bound 1024", n)
	}
	if _, _, ok := c.Get(1024+10, now); !ok {
		t.Error("the newest answer was not kept")
	}
}
