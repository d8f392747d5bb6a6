package handlers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"toasoan/db"
	"toasoan/views"
)

func TestCommentModerationModes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	postAs := func(t *testing.T, s *commentSite, name, phone, content string) db.Comment {
		t.Helper()
		v := validComment(s.openForm(t))
		v.Set("name", name)
		v.Set("phone", phone)
		v.Set("content", content)
		if resp, body := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("post: %d %s", resp.StatusCode, body)
		}
		got := s.storedComments(t, s.art.ID)
		return got[len(got)-1]
	}
	t.Run("default waits", func(t *testing.T) {
		s := newCommentSite(t, Config{CaptchaOff: true})
		if c := postAs(t, s, "An", "", "Chờ duyệt"); c.Status != db.CommentPending {
			t.Fatal(c.Status)
		}
	})
	t.Run("setting false publishes", func(t *testing.T) {
		s := newCommentSite(t, Config{CaptchaOff: true})
		if err := s.app.DB.SetSetting(ctx, db.SettingCommentModeration, ModerationOff); err != nil {
			t.Fatal(err)
		}
		if c := postAs(t, s, "An", "", "Đăng ngay"); c.Status != db.CommentApproved {
			t.Fatal(c.Status)
		}
	})
	t.Run("flag overrides setting", func(t *testing.T) {
		s := newCommentSite(t, Config{CaptchaOff: true, Moderation: ModerationAll})
		if err := s.app.DB.SetSetting(ctx, db.SettingCommentModeration, ModerationOff); err != nil {
			t.Fatal(err)
		}
		if c := postAs(t, s, "An", "", "Cờ thắng"); c.Status != db.CommentPending {
			t.Fatal(c.Status)
		}
	})
	t.Run("unknown setting waits", func(t *testing.T) {
		s := newCommentSite(t, Config{CaptchaOff: true})
		if err := s.app.DB.SetSetting(ctx, db.SettingCommentModeration, "maybe"); err != nil {
			t.Fatal(err)
		}
		if c := postAs(t, s, "An", "", "Giá trị lạ"); c.Status != db.CommentPending {
			t.Fatal(c.Status)
		}
	})
	t.Run("first-time", func(t *testing.T) {
		s := newCommentSite(t, Config{CaptchaOff: true, Moderation: ModerationFirstTime})
		first := postAs(t, s, "Trần Văn Bình", "0912 000 111", "Lần đầu")
		if first.Status != db.CommentPending {
			t.Fatalf("first comment %s", first.Status)
		}
		// A moderator approves it (the back office's job; done here directly).
		if _, err := s.app.DB.Writer().ExecContext(ctx, `UPDATE comments SET status = 'approved' WHERE id = ?`, first.ID); err != nil {
			t.Fatal(err)
		}
		if c := postAs(t, s, "Trần Văn Bình", "+84 912 000 111", "Lần hai"); c.Status != db.CommentApproved {
			t.Fatalf("known commenter: %s", c.Status)
		}
		if c := postAs(t, s, "Trần Văn Bình", "0912 000 222", "Số khác"); c.Status != db.CommentPending {
			t.Fatalf("same name, other phone: %s", c.Status)
		}
		if c := postAs(t, s, "Kẻ mạo danh", "0912 000 111", "Tên khác"); c.Status != db.CommentPending {
			t.Fatalf("same phone, other name: %s", c.Status)
		}
		if c := postAs(t, s, "Trần Văn Bình", "", "Không số"); c.Status != db.CommentPending {
			t.Fatalf("no phone: %s", c.Status)
		}
	})
}

func TestCommentListPolling(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true, Moderation: ModerationOff})
	hx := http.Header{"Hx-Request": {"true"}}
	_, page := s.get(t, views.ArticlePath(s.art))
	poll := attr(find(parse(t, page), byID("comment-list"))[0], "data-hx-get")
	resp, body := s.do(t, http.MethodGet, poll, hx)
	if resp.StatusCode != http.StatusNoContent || body != "" {
		t.Fatalf("unchanged list: %d, want 204", resp.StatusCode)
	}
	etag := resp.Header.Get("ETag")
	resp, _ = s.do(t, http.MethodGet, commentPath(s.art.ID), http.Header{"Hx-Request": {"true"}, "If-None-Match": {etag}})
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("matching ETag: %d, want 304", resp.StatusCode)
	}
	// Polls are served from the page cache: no render, no database read; made-up
	// versions get the list and add no entry.
	_, misses := s.app.Pages.Stats()
	entries := s.app.Pages.Len()
	for i := range 5 {
		if resp, _ := s.do(t, http.MethodGet, poll, hx); resp.StatusCode != http.StatusNoContent || resp.Header.Get("ETag") != etag {
			t.Fatalf("repeated poll: %d %q", resp.StatusCode, resp.Header.Get("ETag"))
		}
		if resp, _ := s.do(t, http.MethodGet, commentPath(s.art.ID)+"?v=x"+strconv.Itoa(i), hx); resp.StatusCode != http.StatusOK {
			t.Fatalf("poll with another version: %d", resp.StatusCode)
		}
	}
	if _, m := s.app.Pages.Stats(); m != misses || s.app.Pages.Len() != entries {
		t.Errorf("polls rendered the list %d times and added %d entries", m-misses, s.app.Pages.Len()-entries)
	}
	v := validComment(s.openForm(t))
	v.Set("content", "Bình luận mới xuất hiện khi thăm dò")
	if resp, _ := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusOK {
		t.Fatal(resp.StatusCode)
	}
	resp, body = s.do(t, http.MethodGet, poll, hx)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Bình luận mới xuất hiện khi thăm dò") || strings.Contains(body, "<html") {
		t.Fatalf("changed list: %d", resp.StatusCode)
	}
	next := attr(find(parse(t, body), byID("comment-list"))[0], "data-hx-get")
	if next == poll {
		t.Fatal("the new list polls with the old version")
	}
	if resp, _ := s.do(t, http.MethodGet, next, hx); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("poll after update: %d", resp.StatusCode)
	}
	// A moderator's edit reaches the open pages too: the version once missed edits, and
	// the poll kept answering 204 with the old text on screen.
	stored := s.storedComments(t, s.art.ID)
	last := stored[len(stored)-1]
	if err := s.app.DB.EditComment(context.Background(), db.Actor{UserName: "bientap"}, testNow, last.ID, last.Title,
		"Ban biên tập đã sửa lỗi chính tả."); err != nil {
		t.Fatal(err)
	}
	if resp, body := s.do(t, http.MethodGet, next, hx); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Ban biên tập đã sửa lỗi chính tả.") {
		t.Fatalf("poll after a moderator's edit: %d, shows the edit: %v", resp.StatusCode, strings.Contains(body, "đã sửa lỗi"))
	}
	if resp, _ := s.get(t, poll); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("poll URL without htmx: %d", resp.StatusCode)
	}
}

// TestCommentConcurrentPosts: 50 goroutines post 2,000 comments at once through the real
// routes, with moderation on (the default). Every one is answered 200 (no SQLITE_BUSY, no
// 500), stored once and intact, waiting for moderation, and the database is sound. (With
// moderation off each answer also carries the whole list; TestCommentModerationModes covers
// that path.)
func TestCommentConcurrentPosts(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true, Moderation: ModerationAll})
	before := len(s.storedComments(t, s.art.ID))
	const goroutines, each = 50, 40
	const n = goroutines * each
	// A form token is good for one accepted post: each post gets a form of its own.
	forms := s.openForms(t, n)
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for g := range goroutines {
		wg.Go(func() {
			for k := range each {
				v := validComment(forms[g*each+k])
				v.Set("name", fmt.Sprintf("Bạn đọc số %02d", g))
				v.Set("content", fmt.Sprintf("Ý kiến %02d-%02d về chuyện đường sá, cầu cống.\nDòng thứ hai của %02d-%02d.", g, k, g, k))
				req, _ := http.NewRequest(http.MethodPost, s.srv.URL+commentPath(s.art.ID), strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("HX-Request", "true")
				resp, err := s.client.Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Sprintf("post %d-%d: status %d", g, k, resp.StatusCode)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	got := s.storedComments(t, s.art.ID)[before:]
	if len(got) != n {
		t.Fatalf("%d comments stored, want %d", len(got), n)
	}
	seen := map[string]bool{}
	for _, c := range got {
		var g, k int
		if _, err := fmt.Sscanf(c.Body, "Ý kiến %02d-%02d", &g, &k); err != nil {
			t.Fatalf("body corrupted: %q", c.Body)
		}
		want := fmt.Sprintf("Ý kiến %02d-%02d về chuyện đường sá, cầu cống.\nDòng thứ hai của %02d-%02d.", g, k, g, k)
		if c.Body != want || c.Name != fmt.Sprintf("Bạn đọc số %02d", g) || seen[c.Body] || c.Status != db.CommentPending {
			t.Fatalf("comment %q: body %q status %s", c.Name, c.Body, c.Status)
		}
		seen[c.Body] = true
	}
	art, err := s.app.DB.PublicArticle(context.Background(), s.art.ID, s.clock.Now())
	if err != nil || art.CommentCount != s.art.CommentCount {
		t.Fatalf("comment_count %d, want %d (nothing approved)", art.CommentCount, s.art.CommentCount)
	}
	var check string
	if err := s.app.DB.Reader().QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check %q %v", check, err)
	}
}

// TestCommentDoubleSubmitAtOnce posts the same form 10 times at the same moment (a double
// click, a flaky connection retried): one comment is stored, the others are refused as
// duplicates.
func TestCommentDoubleSubmitAtOnce(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true})
	v := validComment(s.openForm(t))
	before := len(s.storedComments(t, s.art.ID))
	var wg sync.WaitGroup
	var ok, dup atomic.Int32
	for range 10 {
		wg.Go(func() {
			resp, _ := s.post(t, s.art.ID, v, true, nil)
			switch resp.StatusCode {
			case http.StatusOK:
				ok.Add(1)
			case http.StatusUnprocessableEntity:
				dup.Add(1)
			default:
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if got := len(s.storedComments(t, s.art.ID)) - before; got != 1 || ok.Load() != 1 || dup.Load() != 9 {
		t.Fatalf("%d stored, %d accepted, %d refused; want 1, 1, 9", got, ok.Load(), dup.Load())
	}
}
