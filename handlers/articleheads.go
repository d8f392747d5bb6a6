package handlers

import (
	"time"

	"toasoan/db"
	"toasoan/internal/briefcache"
)

// articleHeadTTL is how long a public article's head, read for one comment post, like or
// form, serves the next ones (App.heads). On a busy thread every post read the same row
// again, and since every commit drops SQLite's per-connection page caches, that read went
// back to the file: 12 % of a post's CPU with 100,000 articles. The server forgets heads
// on every change it commits itself (contentChanged); another process (an import, the
// command line) may change the database too, and a head outlives such a change by at most
// this. The post's transaction checks again that the article is public and open to
// comments, so a stale head cannot store a comment.
const articleHeadTTL = time.Second

// articleHeadsMax bounds the heads kept.
const articleHeadsMax = 1024

func newArticleHeads() *briefcache.Cache[int64, db.Article] {
	return briefcache.New[int64, db.Article](articleHeadTTL, articleHeadsMax)
}
