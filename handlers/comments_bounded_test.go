package handlers

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"toasoan/db"
	"toasoan/views"
)

// TestPostResponseBounded: with moderation off, the htmx answer to a post carries the
// newest page of the thread, not the whole thread: the same size for an article with 20
// comments as for one with 2,000, and so is the article page.
func TestPostResponseBounded(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true, Moderation: ModerationOff})
	sizes := map[int][2]int{}
	for round, total := range []int{20, 2000} {
		have := len(s.storedComments(t, s.art.ID))
		err := s.app.DB.InBulk(context.Background(), func(b *db.Bulk) error {
			for i := have; i < total; i++ {
				if _, err := b.AddComment(db.Comment{ArticleID: s.art.ID, Name: "Bạn đọc", Title: "Ý kiến",
					Body: fmt.Sprintf("Ý kiến thứ %d về con đường mới của xã.", i), Status: db.CommentApproved,
					CreatedAt: testNow.Add(-time.Duration(total-i) * time.Minute)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		v := validComment(s.openForm(t))
		v.Set("content", fmt.Sprintf("Bình luận đăng ngay, lượt %d.", round))
		resp, body := s.post(t, s.art.ID, v, true, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("post with %d comments: %d", total, resp.StatusCode)
		}
		items := len(find(parse(t, body), byClass("comment")))
		if items == 0 || items > commentsPerPage {
			t.Errorf("post with %d comments: the answer lists %d comments, want 1–%d", total, items, commentsPerPage)
		}
		_, page := s.get(t, views.ArticlePath(s.art))
		sizes[total] = [2]int{len(body), len(page)}
	}
	small, large := sizes[20], sizes[2000]
	for i, name := range []string{"post answer", "article page"} {
		if large[i] > small[i]+small[i]/4 {
			t.Errorf("%s grows with the thread: %d bytes with 20 comments, %d with 2,000", name, small[i], large[i])
		}
	}
}
