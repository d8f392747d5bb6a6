package db

import (
	"strings"
	"testing"
	"time"
)

// queryPlan is SQLite's plan for query, one step a line.
func queryPlan(t *testing.T, d *DB, query string, args ...any) string {
	t.Helper()
	rows, err := d.r.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestArticlePageQueriesUseTheirIndexes: the queries an article page runs on every render
// read what concerns that article, not the whole site. Both once walked far more: the
// related articles every published article (reading each row, body and all), the replies
// every approved comment of the site, the featured list (in every article's sidebar)
// every published article. With moderation off a busy thread's page is rendered about
// once a second, and these were most of each render.
func TestArticlePageQueriesUseTheirIndexes(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	related := queryPlan(t, d, relatedQuery, 1, 0, 5)
	for _, want := range []string{"articles_search_idx", "USING INTEGER PRIMARY KEY"} {
		if !strings.Contains(related, want) {
			t.Errorf("related articles do not use %s:\n%s", want, related)
		}
	}
	if strings.Contains(related, "articles_public_idx") || strings.Contains(related, "SCAN a") {
		t.Errorf("related articles walk the published articles:\n%s", related)
	}
	featured := queryPlan(t, d, featuredQuery, 0)
	if !strings.Contains(featured, "SCAN f") || strings.Contains(featured, "articles_public_idx") {
		t.Errorf("the featured list walks the published articles:\n%s", featured)
	}
	for name, q := range map[string]string{"tag page": tagArticlesQuery, "tag count": tagCountQuery} {
		args := []any{1, 0, 20, 0}
		if name == "tag count" {
			args = args[:2]
		}
		plan := queryPlan(t, d, q, args...)
		if !strings.Contains(plan, "article_tags_tag_idx") || strings.Contains(plan, "articles_public_idx") {
			t.Errorf("the %s walks the published articles:\n%s", name, plan)
		}
	}
	replies := queryPlan(t, d, repliesQuery("?,?"), 1, 2)
	if !strings.Contains(replies, "comments_parent_idx") || strings.Contains(replies, "comments_status_idx") {
		t.Errorf("replies are not found through comments_parent_idx:\n%s", replies)
	}
}

// TestCommentListVersion: the version pollers compare changes with every write that
// changes an article's public comments — a moderator's edit included, which the old
// fingerprint of ids and moderation times missed — and with nothing else; it is read from
// the article's row, so its cost does not grow with the thread.
func TestCommentListVersion(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	art := f.article(t, "Đường liên xã", StatusPublished, time.Hour)
	other := f.article(t, "Chợ phiên", StatusPublished, time.Hour)
	version := func() string {
		t.Helper()
		v, _, err := f.d.CommentListState(f.ctx, art)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	step := func(what string, wantChange bool, write func() error) {
		t.Helper()
		before := version()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if changed := version() != before; changed != wantChange {
			t.Errorf("%s: version changed %v, want %v", what, changed, wantChange)
		}
	}
	var pending, published Comment
	step("a pending comment", false, func() (err error) {
		pending, err = f.d.PostReaderComment(f.ctx, Comment{ArticleID: art, Name: "Lan", Title: "Hỏi", Body: "Bao giờ làm?",
			Status: CommentPending, CreatedAt: f.now}, ReaderCommentOptions{})
		return err
	})
	step("a comment published at once", true, func() (err error) {
		published, err = f.d.PostReaderComment(f.ctx, Comment{ArticleID: art, Name: "Bình", Title: "Ý kiến", Body: "Nên làm sớm.",
			Status: CommentApproved, CreatedAt: f.now}, ReaderCommentOptions{})
		return err
	})
	step("a comment on another article", false, func() error {
		_, err := f.d.PostReaderComment(f.ctx, Comment{ArticleID: other, Name: "Cúc", Title: "Ý kiến", Body: "Chợ đông.",
			Status: CommentApproved, CreatedAt: f.now}, ReaderCommentOptions{})
		return err
	})
	step("approved by a moderator", true, func() error {
		_, err := f.d.ModerateComments(f.ctx, f.by, f.now, []int64{pending.ID}, CommentApproved)
		return err
	})
	step("edited by a moderator", true, func() error {
		return f.d.EditComment(f.ctx, f.by, f.now, published.ID, "Ý kiến", "Nên làm sớm, trước mùa mưa.")
	})
	step("a like", false, func() error {
		_, err := f.d.LikeComment(f.ctx, published.ID, "doc-gia-1", "192.0.2.9", 10, f.now)
		return err
	})
	step("a newsroom reply", true, func() error {
		_, err := f.d.PostStaffReply(f.ctx, f.by, published.ID, "Ban biên tập", "Cảm ơn bạn.", f.now)
		return err
	})
	step("deleted by a moderator", true, func() error {
		_, err := f.d.ModerateComments(f.ctx, f.by, f.now, []int64{pending.ID}, CommentDeleted)
		return err
	})
	if _, n, err := f.d.CommentListState(f.ctx, art); err != nil || n != 2 {
		t.Errorf("approved comments %d (%v), want 2", n, err)
	}
}
