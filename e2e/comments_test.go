package e2e

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	_ "modernc.org/sqlite"
)

// captchaAnswer reads a captcha's answer from the server's database file as a separate,
// read-only reader: the test knows the answer the way the store does; the server has
// no backdoor.
func captchaAnswer(t *testing.T, dataDir, id string) string {
	t.Helper()
	path := filepath.Join(dataDir, "toasoan.db")
	d, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var digits string
	if err := d.QueryRow(`SELECT digits FROM captchas WHERE id = ?`, id).Scan(&digits); err != nil {
		t.Fatalf("captcha %q: %v", id, err)
	}
	return digits
}

func TestCommentFormInBrowser(t *testing.T) {
	browserTest(t, 15)
	// The fill-time floor is set to 1 ms: the HTTP tests check the 3 s rule with a
	// movable clock; here the browser would only wait.
	srv := startServer(t, "", "-demo", "-comment-min-fill", "1ms")
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1440, 900}, {"phone", 360, 740}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := newBrowser(t, size.width, size.height)
			// Console exceptions and CSP violations fail the test (htmx must run under the
			// strict policy); 422 responses logged by the network layer are expected.
			var consoleMu sync.Mutex
			var problems []string
			go func() {
				for m, err := range chromedp.Console(ctx) {
					if err != nil {
						return
					}
					if m.IsException() || strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "htmx:") {
						consoleMu.Lock()
						problems = append(problems, m.String())
						consoleMu.Unlock()
					}
				}
			}()
			defer func() {
				consoleMu.Lock()
				defer consoleMu.Unlock()
				for _, p := range problems {
					t.Errorf("browser console: %s", p)
				}
			}()
			do(t, ctx, "open home",
				chromedp.EmulateViewport(int64(size.width), int64(size.height)),
				chromedp.Navigate(srv.URL+"/"),
				chromedp.WaitVisible(chromedp.CSS(".top-story h2 a"), retry))
			href := must(t, ctx, "lead link", chromedp.Evaluate[string](`document.querySelector(".top-story h2 a").href`))
			do(t, ctx, "open the article",
				chromedp.Navigate(href),
				chromedp.WaitVisible(chromedp.CSS("#comment-form"), retry),
				// The captcha and token arrive when the form scrolls into view.
				chromedp.ScrollIntoView(chromedp.CSS("#comment-form"), retry),
				chromedp.WaitVisible(chromedp.CSS("#captcha-box img"), retry))
			// A marker on window: it survives only if the page never reloads.
			must(t, ctx, "set marker", chromedp.Evaluate[bool](`window.__noReload = "còn đây"; true`))
			stillHere := func(step string) {
				t.Helper()
				if v := must(t, ctx, "marker", chromedp.Evaluate[string](`window.__noReload || ""`)); v != "còn đây" {
					t.Fatalf("%s: the page reloaded", step)
				}
			}

			// 1. "Lấy lại mã bảo mật" swaps in a new image without a reload.
			oldSrc := must(t, ctx, "captcha src", chromedp.AttributeValue(chromedp.CSS("#captcha-box img"), "src", retry)).Value
			do(t, ctx, "refresh captcha", chromedp.Click(chromedp.CSS(".captcha-refresh"), retry))
			must(t, ctx, "new image", chromedp.Poll[bool](`document.querySelector("#captcha-box img").getAttribute("src") !== `+jsString(oldSrc)+
				` && document.querySelector("#captcha-box img").complete && document.querySelector("#captcha-box img").naturalWidth > 0`))
			stillHere("captcha refresh")

			// 2. No name: the error appears beside the name field and the text stays.
			// Each browser writes its own text: the same text twice is refused as a duplicate.
			content := "Tôi đồng ý với ý kiến của bài viết (" + size.name + ").\nĐường qua xã Nghĩa Đàn mùa mưa rất khó đi."
			do(t, ctx, "fill without name",
				chromedp.SendKeys(chromedp.CSS("#c-title"), "Ý kiến về đường giao thông", retry),
				chromedp.SendKeys(chromedp.CSS("#c-content"), content, retry),
				chromedp.SendKeys(chromedp.CSS("#c-captcha"), answerOnPage(t, ctx, srv), retry),
				chromedp.Click(chromedp.CSS("#comment-form button[type=submit]"), retry),
				chromedp.WaitVisible(chromedp.CSS("#c-name-error"), retry))
			stillHere("invalid post")
			nameErr := must(t, ctx, "name error", chromedp.Text(chromedp.CSS("#c-name-error"), retry))
			if strings.TrimSpace(nameErr) != "Vui lòng nhập họ tên." {
				t.Errorf("name error %q", nameErr)
			}
			beside := must(t, ctx, "error placement", chromedp.Evaluate[bool](
				`document.querySelector("#c-name-error").closest(".field").querySelector("#c-name") !== null &&
				 document.querySelector("#c-name").getAttribute("aria-describedby") === "c-name-error"`))
			if !beside {
				t.Error("the name error is not beside the name field")
			}
			if kept := must(t, ctx, "content kept", chromedp.Value(chromedp.CSS("#c-content"), retry)); kept != content {
				t.Errorf("content after the error: %q", kept)
			}
			screenshot(t, ctx, "comment-error-"+size.name)

			// 3. A valid comment with Vietnamese diacritics: the thank-you, no reload.
			do(t, ctx, "fill the name and a new captcha",
				chromedp.SendKeys(chromedp.CSS("#c-name"), "Nguyễn Thị Thuỷ", retry),
				chromedp.SendKeys(chromedp.CSS("#c-phone"), "0912 345 678", retry),
				chromedp.SendKeys(chromedp.CSS("#c-captcha"), answerOnPage(t, ctx, srv), retry),
				chromedp.Click(chromedp.CSS("#comment-form button[type=submit]"), retry),
				chromedp.WaitVisible(chromedp.CSS("#comment-status .notice-ok"), retry))
			stillHere("valid post")
			notice := must(t, ctx, "notice", chromedp.Text(chromedp.CSS("#comment-status .notice-ok"), retry))
			if strings.TrimSpace(notice) != "Cảm ơn bạn. Bình luận sẽ hiển thị sau khi được duyệt." {
				t.Errorf("notice %q", notice)
			}
			if v := must(t, ctx, "emptied", chromedp.Value(chromedp.CSS("#c-content"), retry)); v != "" {
				t.Errorf("form not emptied: %q", v)
			}
			width := must(t, ctx, "width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			if width > size.width {
				t.Errorf("article with the form scrolls sideways: %d px in %d", width, size.width)
			}
			do(t, ctx, "scroll to the form", chromedp.ScrollIntoView(chromedp.CSS("#viet-binh-luan"), retry))
			screenshot(t, ctx, "comment-thanks-"+size.name)
			// 4. A moderator approves the comment; the list's poll brings it in without
			// a reload. The poll is the list's own hx-get, issued now instead of in 60 s.
			if size.name == "desktop" {
				approveComment(t, srv.DataDir, "(desktop)")
				must(t, ctx, "poll", chromedp.Evaluate[bool](`(() => { const el = document.querySelector("#comment-list");
					htmx.ajax("GET", el.getAttribute("data-hx-get"), {source: el, target: el, swap: "outerHTML"}); return true })()`))
				must(t, ctx, "approved comment appears", chromedp.Poll[bool](
					`document.querySelector("#comment-list .comment-name") !== null &&
					 document.querySelector("#comment-list").textContent.includes("Nguyễn Thị Thuỷ")`))
				stillHere("poll")
				body := must(t, ctx, "comment body", chromedp.Text(chromedp.CSS("#comment-list .comment-body"), retry))
				if !strings.Contains(body, "(desktop).\nĐường qua xã") {
					t.Errorf("comment body on the page %q lost its line break", body)
				}
				if h := must(t, ctx, "heading", chromedp.Text(chromedp.CSS("#binh-luan-title"), retry)); !strings.Contains(h, "(1)") {
					t.Errorf("heading after the poll %q", h)
				}
				if strings.Contains(must(t, ctx, "list", chromedp.Text(chromedp.CSS("#comment-list"), retry)), "0912") {
					t.Error("phone number shown in the list")
				}
			}
			if strings.Contains(srv.Log(), "level=ERROR") {
				t.Errorf("server logged errors:\n%s", srv.Log())
			}
		})
	}
	// The comment is stored once per browser, NFC, with the phone normalized.
	d, err := sql.Open("sqlite", "file:"+filepath.Join(srv.DataDir, "toasoan.db")+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow(`SELECT count(*) FROM comments WHERE name = 'Nguyễn Thị Thuỷ' AND phone = '0912345678'
		AND body LIKE 'Tôi đồng ý%'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d stored comments from the browsers, want 2 (%v)", n, err)
	}
}

// answerOnPage reads the captcha id the page shows and looks its answer up.
func answerOnPage(t *testing.T, ctx context.Context, srv *server) string {
	t.Helper()
	id := must(t, ctx, "captcha id", chromedp.Value(chromedp.CSS(`input[name="captcha_id"]`), retry))
	// The row is committed before the page that shows it is served.
	return captchaAnswer(t, srv.DataDir, id)
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// approveComment does what a moderator does to the comment whose body contains marker,
// writing to the server's database file as a second process would.
func approveComment(t *testing.T, dataDir, marker string) {
	t.Helper()
	d, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "toasoan.db")+"?_pragma=busy_timeout(5000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var id, article int64
	if err := tx.QueryRow(`SELECT id, article_id FROM comments WHERE instr(body, ?) > 0`, marker).Scan(&id, &article); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE comments SET status = 'approved', moderated_at = unixepoch() WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE articles SET comment_count = (SELECT count(*) FROM comments WHERE article_id = ? AND status = 'approved') WHERE id = ?`, article, article); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
