package viewcount

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"
)

func TestBurstIsOneWrite(t *testing.T) {
	var calls int
	var got map[int64]int64
	c := New(func(ctx context.Context, day string, m map[int64]int64) error {
		calls++
		got = m
		return nil
	}, func(time.Time) string { return "2026-11-28" }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			for range 1000 {
				c.Add(int64(i%2 + 1))
			}
		})
	}
	wg.Wait()
	if c.Pending(1)+c.Pending(2) != 10000 {
		t.Fatalf("pending %d", c.Pending(1)+c.Pending(2))
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls != 1 || got[1]+got[2] != 10000 {
		t.Fatalf("10,000 views took %d writes with %v", calls, got)
	}
	if c.Pending(1) != 0 {
		t.Error("pending not cleared")
	}
}

func TestFailedFlushKeepsCounts(t *testing.T) {
	fail := true
	var stored int64
	c := New(func(ctx context.Context, day string, m map[int64]int64) error {
		if fail {
			return errors.New("disk full")
		}
		stored += m[7]
		return nil
	}, func(time.Time) string { return "d" }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	c.Add(7)
	c.Add(7)
	if err := c.Flush(context.Background()); err == nil {
		t.Fatal("want error")
	}
	c.Add(7)
	fail = false
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if stored != 3 {
		t.Fatalf("stored %d, want 3: views lost on a failed flush", stored)
	}
}
