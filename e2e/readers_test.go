package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// openDB opens the server's database file as a second process would.
func openDB(t testing.TB, dataDir string) *sql.DB {
	t.Helper()
	d, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "toasoan.db")+"?_pragma=busy_timeout(5000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// seedReaderSite gives the demo what the reader tests look at, before any page is served
// (so no cached page predates it): 50 approved comments on the most read article, the
// newest with a reader's reply and a newsroom reply; a cover on the home page's lead and
// on one article of a section. It returns the long thread's article id and the id of the
// comment with replies.
func seedReaderSite(t testing.TB, dataDir string) (threadArticle, repliedComment int64) {
	t.Helper()
	d := openDB(t, dataDir)
	if err := d.QueryRow(`SELECT id FROM articles WHERE status = 'published' ORDER BY views DESC LIMIT 1`).Scan(&threadArticle); err != nil {
		t.Fatal(err)
	}
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	now := time.Now().Unix()
	for i := range 50 {
		res, err := tx.Exec(`INSERT INTO comments (article_id, name, title, body, status, created_at, moderated_at, like_count)
			VALUES (?, ?, 'Ý kiến', ?, 'approved', ?, ?, ?)`, threadArticle, fmt.Sprintf("Bạn đọc số %d", i+1),
			fmt.Sprintf("Bình luận thử số %d: năm nay trường có tuyển thêm lớp không?", i+1), now-3600+int64(i)*10, now, i%7)
		if err != nil {
			t.Fatal(err)
		}
		repliedComment, _ = res.LastInsertId()
	}
	if _, err := tx.Exec(`INSERT INTO comments (article_id, parent_id, name, title, body, status, created_at)
		VALUES (?, ?, 'Trần Văn An', 'Trả lời', 'Tôi cũng đang hỏi việc này.', 'approved', ?)`, threadArticle, repliedComment, now); err != nil {
		t.Fatal(err)
	}
	var staff int64
	if err := tx.QueryRow(`SELECT id FROM users ORDER BY id LIMIT 1`).Scan(&staff); err != nil {
		res, err := tx.Exec(`INSERT INTO users (name, display_name, role, password_hash, created_at) VALUES ('bbt', 'Ban biên tập', 'editor', 'x', ?)`, now)
		if err != nil {
			t.Fatal(err)
		}
		staff, _ = res.LastInsertId()
	}
	if _, err := tx.Exec(`INSERT INTO comments (article_id, parent_id, name, title, body, status, created_at, staff_id)
		VALUES (?, ?, 'Cổng thông tin điện tử huyện Sông Lam', 'Trả lời', 'Chào bạn, năm nay trường tuyển thêm 2 lớp 10.', 'approved', ?, ?)`,
		threadArticle, repliedComment, now+1, staff); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE articles SET comment_count = (SELECT count(*) FROM comments WHERE article_id = ? AND status = 'approved') WHERE id = ?`,
		threadArticle, threadArticle); err != nil {
		t.Fatal(err)
	}
	// A 1200×675 picture as cover of the lead and of the newest article of "Kinh tế".
	img := image.NewRGBA(image.Rect(0, 0, 1200, 675))
	for y := range 675 {
		for x := range 1200 {
			img.Set(x, y, color.RGBA{uint8(40 + x/10), uint8(90 + y/8), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 70}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	res, err := tx.Exec(`INSERT INTO media (sha256, mime, size, width, height, alt, data, created_at) VALUES (?, 'image/jpeg', ?, 1200, 675, 'Cánh đồng lúa', ?, ?)`,
		hex.EncodeToString(sum[:]), buf.Len(), buf.Bytes(), now)
	if err != nil {
		t.Fatal(err)
	}
	media, _ := res.LastInsertId()
	for _, q := range []string{
		`UPDATE articles SET cover_media_id = ?, cover_alt = 'Cánh đồng lúa' WHERE id = (SELECT id FROM articles WHERE status = 'published' ORDER BY publish_at DESC, id DESC LIMIT 1)`,
		`UPDATE articles SET cover_media_id = ?, cover_alt = 'Cánh đồng lúa' WHERE id = (SELECT a.id FROM articles a JOIN categories c ON c.id = a.category_id
			WHERE c.slug = 'kinh-te' AND a.status = 'published' ORDER BY a.publish_at DESC, a.id DESC LIMIT 1)`,
	} {
		if _, err := tx.Exec(q, media); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return threadArticle, repliedComment
}

// viewShot saves what the screen shows (cheaper than a full-page shot on a busy machine)
// into $E2E_SHOTS; without it, none (see screenshot).
func viewShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("E2E_SHOTS")
	if dir == "" {
		return
	}
	buf := must(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// consoleProblems fails the test on console exceptions and CSP violations.
func consoleProblems(t *testing.T, ctx context.Context) {
	t.Helper()
	var problems []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "htmx") {
				problems = append(problems, m.String())
			}
		}
	}()
	t.Cleanup(func() {
		select {
		case <-done:
		case <-time.After(100 * time.Millisecond):
		}
		for _, p := range problems {
			t.Errorf("browser console: %s", p)
		}
	})
}

func TestReaderPortalInBrowser(t *testing.T) {
	browserTest(t, 18)
	dataDir := t.TempDir()
	// Load the demo once, stop, seed, start again: the seed is in before any page is cached.
	first := startServer(t, dataDir, "-demo")
	first.Stop(t)
	threadArticle, replied := seedReaderSite(t, dataDir)
	srv := startServer(t, dataDir, "-comment-min-fill", "1ms")
	threadURL := fmt.Sprintf("%s/bai-viet/%d", srv.URL, threadArticle)
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1440, 900}, {"phone", 360, 740}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := newBrowserFor(t, size.width, size.height, 8*time.Minute)
			consoleProblems(t, ctx)
			do(t, ctx, "home", chromedp.EmulateViewport(int64(size.width), int64(size.height)),
				chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".top-story h2 a"), retry))

			// Item 6: the cover is bounded; at 1440 the headline is on the first screen.
			cover := must(t, ctx, "cover", chromedp.Evaluate[[]float64](`(() => { const i = document.querySelector(".top-story img");
				const h = document.querySelector(".top-story h2").getBoundingClientRect();
				return [i.getBoundingClientRect().height, h.bottom] })()`))
			if size.name == "desktop" && (cover[0] > 400 || cover[1] > float64(size.height)) {
				t.Errorf("cover %v px high, headline bottom at %v", cover[0], cover[1])
			}
			if size.name == "phone" && cover[0] > 240 {
				t.Errorf("cover %v px high on a phone", cover[0])
			}
			// Cards in a grid with one picture are even: every title in the first row starts at the same height.
			if size.name == "desktop" {
				tops := must(t, ctx, "card tops", chromedp.Evaluate[[]float64](`(() => {
					const g = [...document.querySelectorAll(".section-block .item-grid")].find(g => g.querySelector(".item-thumb"));
					return [...g.querySelectorAll(".item")].slice(0, 3).map(i => Math.round(i.querySelector(".item-title").getBoundingClientRect().top)) })()`))
				if len(tops) != 3 || tops[0] != tops[1] || tops[1] != tops[2] {
					dbg := must(t, ctx, "debug", chromedp.Evaluate[string](`(() => {
						const g = [...document.querySelectorAll(".section-block .item-grid")].find(g => g.querySelector(".item-thumb"));
						return [...g.querySelectorAll(".item")].slice(0, 3).map(i => { const f = i.firstElementChild; const r = f.getBoundingClientRect();
							const b = getComputedStyle(i, "::before"); return f.className + ":" + r.width + "x" + r.height + " before:" + b.height + " gap:" + getComputedStyle(i).rowGap }).join(" | ") })()`))
					t.Errorf("card titles at %v: uneven (%s)", tops, dbg)
				}
			}
			viewShot(t, ctx, "reader-home-"+size.name)

			// Item 4: every section of the menu is on screen, the current one too.
			do(t, ctx, "section", chromedp.Navigate(srv.URL+"/chuyen-muc/nong-nghiep-nong-thon"), chromedp.WaitVisible(chromedp.CSS(".page-title"), retry))
			off := must(t, ctx, "menu", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".site-nav a")].filter(a => {
				const r = a.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth || r.width === 0 }).map(a => a.textContent)`))
			if len(off) > 0 {
				t.Errorf("sections off screen: %v", off)
			}
			cur := must(t, ctx, "current", chromedp.Evaluate[bool](`(() => { const a = document.querySelector('.site-nav a[aria-current="page"]');
				const r = a.getBoundingClientRect(); return a.getAttribute("href") === "/chuyen-muc/nong-nghiep-nong-thon" && r.left >= 0 && r.right <= window.innerWidth })()`))
			if !cur {
				t.Error("the current section is not in view")
			}
			viewShot(t, ctx, "reader-section-"+size.name)

			// Item 5 and the long thread.
			do(t, ctx, "thread article", chromedp.Navigate(threadURL), chromedp.WaitVisible(chromedp.CSS("#comment-list"), retry))
			side := must(t, ctx, "sidebar", chromedp.Evaluate[[]float64](`(() => { const s = document.querySelector(".sidebar").getBoundingClientRect();
				const a = document.querySelector(".article").getBoundingClientRect(); return [s.left, a.right, s.top, document.querySelectorAll(".sidebar #tin-doc-nhieu ~ ol li").length] })()`))
			if size.name == "desktop" && (side[0] < side[1] || side[2] > 400 || side[3] != 5) {
				t.Errorf("sidebar at x=%v (article ends %v), y=%v, %v most read", side[0], side[1], side[2], side[3])
			}
			if size.name == "phone" && side[0] > 20 {
				t.Errorf("sidebar beside the article on a phone: x=%v", side[0])
			}
			viewShot(t, ctx, "reader-article-"+size.name)
			must(t, ctx, "marker", chromedp.Evaluate[bool](`window.__noReload = 1; true`))
			count := func() int {
				return must(t, ctx, "count", chromedp.Evaluate[int](`document.querySelectorAll("#comment-list .comment-list > li.comment").length`))
			}
			if n := count(); n != 20 {
				t.Fatalf("%d comments at first, want 20", n)
			}
			nr := must(t, ctx, "newsroom", chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector("#binh-luan-%d .newsroom-reply .newsroom-label").textContent`, replied)))
			if nr != "Ban biên tập trả lời" {
				t.Errorf("newsroom label %q", nr)
			}
			var top int
			if err := openDB(t, srv.DataDir).QueryRow(`SELECT count(*) FROM comments WHERE article_id = ? AND status = 'approved' AND parent_id IS NULL`,
				threadArticle).Scan(&top); err != nil {
				t.Fatal(err)
			}
			for want := 40; want < top+20; want += 20 {
				want := min(want, top)
				do(t, ctx, "Xem thêm", chromedp.ScrollIntoView(chromedp.CSS(".comment-more a"), retry), chromedp.Click(chromedp.CSS(".comment-more a"), retry))
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelectorAll("#comment-list .comment-list > li.comment").length === %d`, want),
					chromedp.WithPollingTimeout(20*time.Second))); err != nil {
					state := must(t, ctx, "state", chromedp.Evaluate[string](`document.querySelectorAll("#comment-list .comment-list > li.comment").length + " more:" +
						document.querySelectorAll(".comment-more").length + " " + location.href + " " + (document.querySelector(".comment-more") || {}).outerHTML`))
					t.Fatalf("after 'Xem thêm' want %d: %v (%s)", want, err, state)
				}
			}
			if more := must(t, ctx, "no more", chromedp.Evaluate[int](`document.querySelectorAll(".comment-more").length`)); more != 0 {
				t.Error("'Xem thêm' left after the last page")
			}
			if v := must(t, ctx, "reload", chromedp.Evaluate[int](`window.__noReload || 0`)); v != 1 {
				t.Fatal("the page reloaded")
			}

			// Likes: in place, counted once.
			likeSel := fmt.Sprintf("#binh-luan-%d > .comment-actions .like-btn", replied)
			before := must(t, ctx, "like text", chromedp.Text(chromedp.CSS(likeSel), retry))
			do(t, ctx, "like", chromedp.ScrollIntoView(chromedp.CSS(likeSel), retry), chromedp.Click(chromedp.CSS(likeSel), retry))
			must(t, ctx, "liked", chromedp.Poll[bool](fmt.Sprintf(`document.querySelector(%q).textContent.startsWith("Đã thích")`, likeSel)))
			after := must(t, ctx, "like text", chromedp.Text(chromedp.CSS(likeSel), retry))
			if strings.Contains(after, before) || !strings.Contains(after, "·") {
				t.Errorf("like: %q → %q", before, after)
			}

			// Reply in place: the form opens under the comment, posts, thanks the reader.
			replySel := fmt.Sprintf("#binh-luan-%d .reply-link", replied)
			do(t, ctx, "open reply", chromedp.ScrollIntoView(chromedp.CSS(replySel), retry), chromedp.Click(chromedp.CSS(replySel), retry),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#tra-loi-%d form", replied)), retry))
			p := fmt.Sprintf("#r%d-", replied)
			do(t, ctx, "fill reply",
				chromedp.SendKeys(chromedp.CSS(p+"name"), "Lê Văn Hùng", retry),
				chromedp.SendKeys(chromedp.CSS(p+"title"), "Trả lời bạn", retry),
				chromedp.SendKeys(chromedp.CSS(p+"content"), "Trường có thông báo trên bảng tin ("+size.name+").", retry),
				chromedp.SendKeys(chromedp.CSS(p+"captcha"), captchaAnswer(t, srv.DataDir, must(t, ctx, "captcha id",
					chromedp.Value(chromedp.CSS(fmt.Sprintf("#tra-loi-%d input[name=captcha_id]", replied)), retry))), retry),
				chromedp.Click(chromedp.CSS(fmt.Sprintf("#tra-loi-%d button[type=submit]", replied)), retry),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#comment-status-%d .notice-ok", replied)), retry))
			if v := must(t, ctx, "reload", chromedp.Evaluate[int](`window.__noReload || 0`)); v != 1 {
				t.Fatal("the page reloaded")
			}
			var parent int64
			if err := openDB(t, srv.DataDir).QueryRow(`SELECT parent_id FROM comments WHERE body LIKE ?`, "%bảng tin ("+size.name+")%").Scan(&parent); err != nil || parent != replied {
				t.Errorf("stored reply parent %d (%v)", parent, err)
			}
			viewShot(t, ctx, "reader-reply-"+size.name)

			// Item 1: after posting on the article form, the thank-you is on screen, focused,
			// and read out as itself.
			do(t, ctx, "to the form", chromedp.ScrollIntoView(chromedp.CSS("#comment-form"), retry), chromedp.WaitVisible(chromedp.CSS("#captcha-box img"), retry))
			do(t, ctx, "fill",
				chromedp.SendKeys(chromedp.CSS("#c-name"), "Nguyễn Thị Mai", retry),
				chromedp.SendKeys(chromedp.CSS("#c-title"), "Cảm ơn", retry),
				chromedp.SendKeys(chromedp.CSS("#c-content"), "Bài viết rất hữu ích ("+size.name+").", retry),
				chromedp.SendKeys(chromedp.CSS("#c-captcha"), captchaAnswer(t, srv.DataDir,
					must(t, ctx, "captcha id", chromedp.Value(chromedp.CSS(`#comment-form input[name="captcha_id"]`), retry))), retry),
				chromedp.Click(chromedp.CSS("#comment-form button[type=submit]"), retry),
				chromedp.WaitVisible(chromedp.CSS("#comment-status .notice-ok"), retry))
			must(t, ctx, "announced", chromedp.Poll[bool](`document.getElementById("thong-bao").textContent === "Cảm ơn bạn. Bình luận sẽ hiển thị sau khi được duyệt."`))
			seen := must(t, ctx, "thank-you in view", chromedp.Evaluate[[]float64](`(() => { const n = document.querySelector("#comment-status .notice-ok");
				const r = n.getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight, document.activeElement === n ? 1 : 0] })()`))
			if seen[0] < 0 || seen[1] > seen[2] || seen[3] != 1 {
				t.Errorf("thank-you at %v–%v of %v px, focused=%v", seen[0], seen[1], seen[2], seen[3])
			}
			viewShot(t, ctx, "reader-thanks-"+size.name)
		})
	}
}

// TestReaderPortalWithoutJavaScript: items 2 and 8 and the no-JS paths of the
// conversation: the form with its captcha from the article page, a like, a reply and the
// next page of a thread, all with scripts off.
func TestReaderPortalWithoutJavaScript(t *testing.T) {
	browserTest(t, 12)
	dataDir := t.TempDir()
	first := startServer(t, dataDir, "-demo")
	first.Stop(t)
	threadArticle, replied := seedReaderSite(t, dataDir)
	srv := startServer(t, dataDir, "-comment-min-fill", "1ms")
	ctx := newBrowserFor(t, 360, 740, 6*time.Minute)
	do(t, ctx, "scripts off", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	do(t, ctx, "article", chromedp.Navigate(fmt.Sprintf("%s/bai-viet/%d", srv.URL, threadArticle)), chromedp.WaitVisible(chromedp.CSS("#comment-form"), retry))
	if js := must(t, ctx, "js", chromedp.Evaluate[bool](`true`)); !js {
		t.Log("evaluate runs in devtools; page scripts are off")
	}
	// No promise of a captcha that never comes; the way in is visible.
	hidden := must(t, ctx, "placeholder", chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".captcha-pending")).visibility`))
	if hidden != "hidden" {
		t.Errorf("captcha placeholder is %s without JS", hidden)
	}
	do(t, ctx, "open the no-JS form", chromedp.Click(chromedp.CSS(`#form-secrets noscript a, #form-secrets a`), retry), chromedp.WaitVisible(chromedp.CSS("#captcha-box img"), retry))
	loc := must(t, ctx, "location", chromedp.Location())
	if !strings.Contains(loc, fmt.Sprintf("-%d?binh-luan=viet", threadArticle)) {
		t.Errorf("no-JS form at %s, not on the article's page", loc)
	}
	if a := must(t, ctx, "audio", chromedp.Text(chromedp.CSS(".captcha-audio a"), retry)); !strings.HasPrefix(a, "Nghe mã xác nhận") {
		t.Errorf("audio link %q", a)
	}
	do(t, ctx, "post",
		chromedp.SendKeys(chromedp.CSS("#c-name"), "Phạm Văn Tư", retry),
		chromedp.SendKeys(chromedp.CSS("#c-title"), "Không dùng JavaScript", retry),
		chromedp.SendKeys(chromedp.CSS("#c-content"), "Gửi từ trình duyệt tắt JavaScript.", retry),
		chromedp.SendKeys(chromedp.CSS("#c-captcha"), answerOnPage(t, ctx, srv), retry),
		chromedp.Click(chromedp.CSS("#comment-form button[type=submit]"), retry),
		chromedp.WaitVisible(chromedp.CSS("#comment-status .notice-ok"), retry))
	viewShot(t, ctx, "reader-nojs-thanks-phone")

	// Like without JS: the form posts and comes back to the comment.
	likeSel := fmt.Sprintf("#binh-luan-%d > .comment-actions .like-btn", replied)
	do(t, ctx, "like", chromedp.Click(chromedp.CSS(likeSel), retry))
	// The page navigates (POST, 303, GET): ask again until the new page answers.
	back := false
	for deadline := time.Now().Add(60 * time.Second); !back && time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		back, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`location.hash === "#binh-luan-%d" && !location.search && document.readyState === "complete"`, replied)))
	}
	if !back {
		t.Fatal("the no-JS like did not come back to the comment")
	}
	var likes int
	if err := openDB(t, srv.DataDir).QueryRow(`SELECT count(*) FROM comment_likes WHERE comment_id = ?`, replied).Scan(&likes); err != nil || likes != 1 {
		t.Errorf("%d likes stored (%v)", likes, err)
	}
	// Reply without JS: its own page, then back to the article.
	do(t, ctx, "reply page", chromedp.Click(chromedp.CSS(fmt.Sprintf("#binh-luan-%d .reply-link", replied)), retry),
		chromedp.WaitVisible(chromedp.CSS(".reply-write form"), retry))
	p := fmt.Sprintf("#r%d-", replied)
	do(t, ctx, "reply",
		chromedp.SendKeys(chromedp.CSS(p+"name"), "Phạm Văn Tư", retry),
		chromedp.SendKeys(chromedp.CSS(p+"title"), "Trả lời", retry),
		chromedp.SendKeys(chromedp.CSS(p+"content"), "Trả lời không cần JavaScript.", retry),
		chromedp.SendKeys(chromedp.CSS(p+"captcha"), answerOnPage(t, ctx, srv), retry),
		chromedp.Click(chromedp.CSS(".reply-write button[type=submit]"), retry),
		chromedp.WaitVisible(chromedp.CSS("#comment-status .notice-ok"), retry))
	// "Xem thêm" without JS is the thread's page 2.
	do(t, ctx, "more", chromedp.Click(chromedp.CSS(".comment-more a"), retry), chromedp.WaitVisible(chromedp.CSS(".pager"), retry))
	if n := must(t, ctx, "page 2", chromedp.Evaluate[int](`document.querySelectorAll(".comment-list > li.comment").length`)); n != 20 {
		t.Errorf("page 2 has %d comments", n)
	}
	viewShot(t, ctx, "reader-nojs-page2-phone")
}
