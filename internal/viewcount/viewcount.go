// Package viewcount counts article views in memory and writes them in batches, so a burst
// of readers costs one write transaction per interval instead of one per view.
package viewcount

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Store writes a batch of counts for one day (YYYY-MM-DD in the site's zone).
type Store func(ctx context.Context, day string, counts map[int64]int64) error

// Counter buffers view counts until the next flush.
type Counter struct {
	store Store
	day   func(time.Time) string
	log   *slog.Logger

	mu      sync.Mutex
	pending map[int64]int64
	flushMu sync.Mutex // one flush at a time, so a failed batch merges back in order
}

// New returns a counter that writes through store; day turns a time into the day key.
func New(store Store, day func(time.Time) string, log *slog.Logger) *Counter {
	return &Counter{store: store, day: day, log: log, pending: map[int64]int64{}}
}

// Add counts one view of an article.
func (c *Counter) Add(id int64) {
	c.mu.Lock()
	c.pending[id]++
	c.mu.Unlock()
}

// Pending is the number of views of an article not yet written, so pages can show the
// true total before the next flush.
func (c *Counter) Pending(id int64) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending[id]
}

// Flush writes everything counted so far. On failure the counts are kept for the next try.
func (c *Counter) Flush(ctx context.Context) error {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	c.mu.Lock()
	batch := c.pending
	c.pending = map[int64]int64{}
	c.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := c.store(ctx, c.day(time.Now()), batch); err != nil {
		c.mu.Lock()
		for id, n := range c.pending {
			batch[id] += n
		}
		c.pending = batch
		c.mu.Unlock()
		return err
	}
	return nil
}

// Run flushes every interval until ctx is done. The owner calls Flush once more after
// the HTTP server has stopped, so views counted by the last requests are kept.
func (c *Counter) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := c.Flush(ctx); err != nil {
				c.log.Error("flush view counts", "err", err)
			}
		case <-ctx.Done():
			return
		}
	}
}
