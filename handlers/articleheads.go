package handlers

import (
	"sync"
	"time"

	"toasoan/db"
)

// articleHeadTTL is how long a public article's head, read for one comment post, like or
// form, serves the next ones. The server retires heads on every change it commits
// itself; another process (an import, the command line) may change the database too, and
// a head outlives such a change by at most this. The post's transaction checks again that
// the article is public and open to comments, so a stale head cannot store a comment.
const articleHeadTTL = time.Second

// articleHeadsMax bounds the heads kept: past it they are all dropped (each is a second
// old at most, and a flood of distinct articles misses anyway).
const articleHeadsMax = 1024

// articleHeads keeps the heads of recently used public articles for the comment routes.
// On a busy thread every post read the same row again, and since every commit drops
// SQLite's per-connection page caches, that read went back to the file: 12 % of a post's
// CPU with 100,000 articles.
type articleHeads struct {
	now func() time.Time

	mu sync.Mutex
	// gen counts retirements: a head read before one is not stored after it, so a read
	// racing a change cannot bring back what the change retired.
	gen     uint64
	entries map[int64]articleHead
}

type articleHead struct {
	art  db.Article
	read time.Time
}

func newArticleHeads(now func() time.Time) *articleHeads {
	return &articleHeads{now: now, entries: map[int64]articleHead{}}
}

// get returns article id's head if it was read less than articleHeadTTL ago; gen is
// what put needs to store a fresh read.
func (h *articleHeads) get(id int64) (art db.Article, gen uint64, ok bool) {
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.entries[id]
	if ok && now.Sub(e.read) >= articleHeadTTL {
		delete(h.entries, id)
		ok = false
	}
	return e.art, h.gen, ok
}

// put stores a head read after get returned gen, unless something was retired since.
func (h *articleHeads) put(art db.Article, gen uint64) {
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if gen != h.gen {
		return
	}
	if len(h.entries) >= articleHeadsMax {
		clear(h.entries)
	}
	h.entries[art.ID] = articleHead{art: art, read: now}
}

// retire forgets the heads of ids, or every head when all is set.
func (h *articleHeads) retire(all bool, ids []int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gen++
	if all {
		clear(h.entries)
		return
	}
	for _, id := range ids {
		delete(h.entries, id)
	}
}
