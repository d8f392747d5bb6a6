package seed

import (
	"context"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
	"toasoan/db"
	"toasoan/internal/vntext"
)

func TestRunWritesWhatItSays(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	var calls int
	res, err := Run(ctx, d, Options{Articles: 2500, Comments: 3000, Seed: 7, Now: now}, func(done, total int) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if res.Articles != 2500 || res.Comments != 3000 || res.Sections == 0 || calls != 4 {
		t.Fatalf("result %+v, progress calls %d", res, calls)
	}
	if n, err := d.CountPublicArticles(ctx, 0, now); err != nil || n != 2500 {
		t.Errorf("%d public articles (%v)", n, err)
	}
	list, err := d.PublicArticles(ctx, db.PublicListQuery{Limit: 2500}, now)
	if err != nil {
		t.Fatal(err)
	}
	var comments int
	for _, a := range list {
		comments += a.CommentCount
		if !norm.NFC.IsNormalString(a.Title) || vntext.Slug(a.Title) == "" {
			t.Fatalf("bad title %q", a.Title)
		}
	}
	if comments != 3000 {
		t.Errorf("comment counts add up to %d, want 3000", comments)
	}
	if _, err := Run(ctx, d, Options{Articles: 0, Comments: 5}, nil); err == nil {
		t.Error("comments without articles accepted")
	}
	if _, err := Run(ctx, d, Options{Articles: -1}, nil); err == nil {
		t.Error("negative count accepted")
	}
}
