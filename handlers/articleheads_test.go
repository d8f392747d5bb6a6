package handlers

import (
	"context"
	"net/http"
	"testing"

	"toasoan/db"
)

// TestArticleHeadsFollowChanges: the comment routes keep an article's head for a second.
// A change this server commits shows at once; a change made by another process (the
// command line, an import) shows within articleHeadTTL — and a comment posted in between
// is still refused by its transaction, never stored on a withdrawn or closed article.
func TestArticleHeadsFollowChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	clock := newTestClock()
	site := openTestSite(t, dir, Config{CaptchaOff: true, Moderation: ModerationAll}, true, clock.Now)
	list, err := site.app.DB.PublicArticles(ctx, db.PublicListQuery{Limit: 2}, testNow)
	if err != nil || len(list) < 2 {
		t.Fatalf("demo articles: %v", err)
	}
	s := &commentSite{testSite: site, clock: clock, art: list[0]}
	secrets := func(id int64) int {
		resp, _ := s.do(t, http.MethodGet, commentPath(id)+"/bieu-mau", http.Header{"Hx-Request": {"true"}})
		return resp.StatusCode
	}
	forms := s.openForms(t, 3)

	// Another process withdraws the article: this server is not told.
	other, err := db.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if code := secrets(s.art.ID); code != http.StatusOK { // the head is read and kept now
		t.Fatalf("form before the change: %d", code)
	}
	before := s.countComments(t)
	if err := other.TrashArticle(ctx, db.Actor{UserName: "cli"}, clock.Now(), s.art.ID); err != nil {
		t.Fatal(err)
	}
	resp, body := s.post(t, s.art.ID, validComment(forms[0]), false, nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("post on a withdrawn article within the head's second: %d %.200s", resp.StatusCode, body)
	}
	if n := s.countComments(t); n != before {
		t.Errorf("a comment was stored on a withdrawn article: %d → %d", before, n)
	}
	clock.Advance(articleHeadTTL)
	if code := secrets(s.art.ID); code != http.StatusNotFound {
		t.Errorf("form a second after another process withdrew the article: %d, want 404", code)
	}

	// This server's own change shows at once, with no time passing.
	s.art = list[1]
	if code := secrets(s.art.ID); code != http.StatusOK {
		t.Fatalf("second article's form: %d", code)
	}
	if err := s.app.DB.SetCommentsClosed(ctx, db.Actor{UserName: "test"}, clock.Now(), s.art.ID, true); err != nil {
		t.Fatal(err)
	}
	if code := secrets(s.art.ID); code != http.StatusForbidden {
		t.Errorf("form right after this server closed comments: %d, want 403", code)
	}
	resp, body = s.post(t, s.art.ID, validComment(forms[1]), true, nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("post after comments closed: %d %.200s", resp.StatusCode, body)
	}
	if n := s.countComments(t); n != before {
		t.Errorf("a comment was stored on a closed article: %d → %d", before, n)
	}
}
