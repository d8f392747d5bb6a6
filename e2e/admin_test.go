package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"toasoan/db"
)

var passwordInLog = regexp.MustCompile(`demo admin created.*password=(\S+)`)

// adminConsoleErrors collects the page's console errors and exceptions (CSP refusals are
// logged there) until the test ends.
type adminConsoleErrors struct {
	mu   sync.Mutex
	msgs []string
}

func watchAdminConsole(ctx context.Context) *adminConsoleErrors {
	c := &adminConsoleErrors{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == "error" || m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				c.mu.Lock()
				c.msgs = append(c.msgs, m.String())
				c.mu.Unlock()
			}
		}
	}()
	return c
}

func (c *adminConsoleErrors) check(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.msgs {
		t.Errorf("browser console: %s", m)
	}
	c.msgs = nil
}

// pastePNG pastes a 1200×800 PNG drawn on a canvas into the editor, the way a reader's
// clipboard image arrives: a paste event whose clipboardData holds one file.
const pastePNG = `(async () => {
  const c = document.createElement("canvas"); c.width = 1200; c.height = 800;
  const g = c.getContext("2d");
  g.fillStyle = "#2a6f97"; g.fillRect(0, 0, 1200, 800);
  g.fillStyle = "#f4d35e"; g.beginPath(); g.arc(600, 400, 250, 0, Math.PI * 2); g.fill();
  const blob = await new Promise(r => c.toBlob(r, "image/png"));
  const file = new File([blob], "cau-ben-thuy.png", { type: "image/png" });
  const dt = new DataTransfer(); dt.items.add(file);
  const ed = document.querySelector(".editor-area");
  ed.focus();
  ed.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  return true;
})()`

func TestNewsroomInBrowser(t *testing.T) {
	browserTest(t, 34)
	chromiumPath(t)
	dir := t.TempDir()
	srv := startServer(t, dir, "-demo")
	m := passwordInLog.FindStringSubmatch(srv.Log())
	if m == nil {
		t.Fatalf("no demo admin password in the log:\n%s", srv.Log())
	}
	password := m[1]

	// A reader's comment waiting for moderation, written by the database layer (the
	// public comment form belongs to the comments feature).
	ctx0 := context.Background()
	d, err := db.Open(ctx0, dir)
	if err != nil {
		t.Fatal(err)
	}
	target, err := d.PublicArticles(ctx0, db.PublicListQuery{Limit: 1}, time.Now())
	if err != nil || len(target) == 0 {
		t.Fatalf("demo article: %v", err)
	}
	commentID, err := d.InsertComment(ctx0, db.Comment{ArticleID: target[0].ID, Name: "Nguyễn Thị Hoa", Phone: "0912345678",
		Title: "Ý kiến về cây cầu", Body: "Cầu mới giúp bà con đi lại thuận tiện hơn nhiều.", Status: db.CommentPending,
		IP: "203.0.113.9", CreatedAt: time.Now()})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}

	ctx := newBrowserFor(t, 1440, 900, 4*time.Minute) // a long walk through every back-office page at two widths
	console := watchAdminConsole(ctx)
	do(t, ctx, "log in",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.URL+"/admin"),
		chromedp.WaitVisible(chromedp.CSS("#login-name"), retry),
		chromedp.SendKeys(chromedp.CSS("#login-name"), "admin", retry),
		chromedp.SendKeys(chromedp.CSS("#login-password"), password, retry))
	screenshot(t, ctx, "admin-login-desktop")
	do(t, ctx, "submit login",
		chromedp.Submit(chromedp.CSS("#login-password"), retry),
		chromedp.WaitVisible(chromedp.CSS(".cards"), retry))
	screenshot(t, ctx, "admin-dashboard-desktop")
	docShot(t, ctx, "newsroom-dashboard")
	if n := must(t, ctx, "chart bars", chromedp.Evaluate[int](`document.querySelectorAll(".chart svg rect").length`)); n != 60 {
		t.Errorf("dashboard charts have %d bars, want 60", n)
	}

	// Write an article: Vietnamese title and text, a pasted picture.
	title := "Khánh thành cầu Bến Thủy mới nối đôi bờ sông Lam"
	do(t, ctx, "open the editor",
		chromedp.Navigate(srv.URL+"/admin/bai-viet/moi"),
		chromedp.WaitVisible(chromedp.CSS(".editor-area"), retry),
		chromedp.SendKeys(chromedp.CSS("#a-title"), title, retry),
		chromedp.SendKeys(chromedp.CSS("#a-lead"), "Sáng nay, người dân hai xã đã đi trên cây cầu mới.", retry),
		chromedp.SetValue(chromedp.CSS("#a-section"), "1", retry),
		chromedp.Click(chromedp.CSS(".editor-area"), retry),
		chromedp.SendKeys(chromedp.CSS(".editor-area"), "Cây cầu dài 320 mét, rộng 12 mét, được xây trong 18 tháng. ", retry))
	// Telex as an input method types it: "Vieetj" composes V, Vi, Vie, Viê, Viêt, Việt
	// before committing the word.
	for _, step := range []string{"V", "Vi", "Vie", "Viê", "Viêt", "Việt"} {
		n := int64(utf8.RuneCountInString(step))
		if _, err := chromedp.Call(ctx, input.ImeSetComposition, input.ImeSetCompositionParams{Text: step, SelectionStart: n, SelectionEnd: n}); err != nil {
			t.Fatalf("IME composition: %v", err)
		}
	}
	if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: "Việt"}); err != nil {
		t.Fatalf("IME commit: %v", err)
	}
	do(t, ctx, "type after the IME", chromedp.SendKeys(chromedp.CSS(".editor-area"), " Nam. ", retry))
	if ok := must(t, ctx, "paste an image", chromedp.Evaluate[bool](pastePNG, chromedp.EvalAwaitPromise)); !ok {
		t.Fatal("paste script failed")
	}
	// The picture is uploaded, then the figure dialog asks for its alt text.
	do(t, ctx, "wait for the upload",
		chromedp.WaitVisible(chromedp.CSS(`#dlg-figure [data-preview][src^="/media/"]`), retry),
		chromedp.SendKeys(chromedp.CSS("#dlg-figure-alt"), "Cầu Bến Thủy mới", retry),
		chromedp.Click(chromedp.CSS(`#dlg-figure button[type=submit]`), retry),
		chromedp.WaitVisible(chromedp.CSS(`.editor-area figure img[src^="/media/"]`), retry))
	body := must(t, ctx, "editor value", chromedp.Value(chromedp.CSS("#a-body"), retry))
	if !strings.Contains(body, "Cây cầu dài 320 mét") || !strings.Contains(body, "Việt Nam.") || strings.Contains(body, "ViêtViệt") ||
		!strings.Contains(body, `src="/media/`) {
		t.Fatalf("editor body %q", body)
	}
	screenshot(t, ctx, "admin-editor-desktop")
	docShot(t, ctx, "newsroom-editor")
	do(t, ctx, "save the draft",
		chromedp.Click(chromedp.CSS(`#article-form button[type=submit]`), retry),
		chromedp.WaitVisible(chromedp.CSS(".flash"), retry))
	flash := must(t, ctx, "flash", chromedp.Text(chromedp.CSS(".flash"), retry))
	if !strings.Contains(flash, "Đã lưu bản nháp") {
		t.Fatalf("after saving: %q", flash)
	}
	// The stored (sanitized) body loads back into the editor with its picture.
	do(t, ctx, "picture back in the editor", chromedp.WaitVisible(chromedp.CSS(`.editor-area figure img[src^="/media/"]`), retry))
	if txt := must(t, ctx, "editor text", chromedp.Text(chromedp.CSS(".editor-area"), retry)); !strings.Contains(txt, "Việt Nam.") {
		t.Errorf("editor after reload: %q", txt)
	}
	do(t, ctx, "publish",
		chromedp.Click(chromedp.CSS(`.workflow form:has(input[name=to][value=published]) button`), retry),
		chromedp.WaitVisible(chromedp.CSS(".page-head .status.published"), retry))
	if flash := must(t, ctx, "flash", chromedp.Text(chromedp.CSS(".flash"), retry)); !strings.Contains(flash, "Đã đăng") {
		t.Fatalf("after publishing: %q", flash)
	}
	do(t, ctx, "home page",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(".top-story h2 a"), retry))
	if lead := must(t, ctx, "lead", chromedp.Text(chromedp.CSS(".top-story h2 a"), retry)); strings.TrimSpace(lead) != title {
		t.Fatalf("home lead story %q, want %q", lead, title)
	}
	do(t, ctx, "open it",
		chromedp.Click(chromedp.CSS(".top-story h2 a"), retry),
		chromedp.WaitVisible(chromedp.CSS(".article-body img"), retry))
	loaded := must(t, ctx, "image loaded", chromedp.Poll[bool](`(() => { const i = document.querySelector(".article-body img"); return i && i.complete && i.naturalWidth > 0 })()`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if !loaded {
		t.Error("the pasted image does not load on the public page")
	}
	if txt := must(t, ctx, "body", chromedp.Text(chromedp.CSS(".article-body"), retry)); !strings.Contains(txt, "Cây cầu dài 320 mét") {
		t.Errorf("article body %q", txt)
	}
	screenshot(t, ctx, "admin-published-article-desktop")

	// Moderate: approve the pending comment in place, then find it on the article.
	row := "#comment-" + idStr(commentID)
	do(t, ctx, "moderation queue",
		chromedp.Navigate(srv.URL+"/admin/binh-luan?status=pending"),
		chromedp.WaitVisible(chromedp.CSS(row), retry))
	before := must(t, ctx, "pending badge", chromedp.Text(chromedp.CSS("#pending-count"), retry))
	screenshot(t, ctx, "admin-comments-desktop")
	docShot(t, ctx, "newsroom-comments")
	do(t, ctx, "approve",
		chromedp.Click(chromedp.CSS(row+` button[data-action=duyet]`), retry),
		chromedp.WaitVisible(chromedp.CSS(row+`.approved`), retry))
	after := must(t, ctx, "pending badge", chromedp.Text(chromedp.CSS("#pending-count"), retry))
	if before != "1" || after != "0" {
		t.Errorf("pending badge %q → %q, want 1 → 0", before, after)
	}
	if url := must(t, ctx, "url", chromedp.Location()); !strings.Contains(url, "/admin/binh-luan") {
		t.Errorf("approving navigated to %s; htmx should swap the row in place", url)
	}
	do(t, ctx, "article with the comment",
		chromedp.Navigate(srv.URL+"/bai-viet/"+idStr(target[0].ID)),
		chromedp.WaitVisible(chromedp.CSS("#binh-luan-"+idStr(commentID)), retry))
	if txt := must(t, ctx, "comment", chromedp.Text(chromedp.CSS("#binh-luan-"+idStr(commentID)), retry)); !strings.Contains(txt, "thuận tiện") || strings.Contains(txt, "0912345678") {
		t.Errorf("public comment %q", txt)
	}
	console.check(t)

	// Bulk: two more pending comments, ticked and rejected at once.
	d, err = db.Open(ctx0, dir)
	if err != nil {
		t.Fatal(err)
	}
	var bulk []int64
	for _, name := range []string{"Quảng cáo 1", "Quảng cáo 2"} {
		id, err := d.InsertComment(ctx0, db.Comment{ArticleID: target[0].ID, Name: name, Title: "Mua bán", Body: "Liên hệ ngay",
			Status: db.CommentPending, IP: "198.51.100.20", CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		bulk = append(bulk, id)
	}
	d.Close()
	do(t, ctx, "bulk",
		chromedp.Navigate(srv.URL+"/admin/binh-luan?status=pending"),
		chromedp.WaitVisible(chromedp.CSS("#comment-"+idStr(bulk[1])), retry),
		chromedp.Click(chromedp.CSS("#comment-"+idStr(bulk[0])+" input[type=checkbox]"), retry),
		chromedp.Click(chromedp.CSS("#comment-"+idStr(bulk[1])+" input[type=checkbox]"), retry),
		chromedp.SetValue(chromedp.CSS("#bulk-action"), "tu-choi", retry),
		chromedp.Click(chromedp.CSS("#bulk-form button[type=submit]"), retry),
		chromedp.WaitVisible(chromedp.CSS(".flash"), retry))
	if flash := must(t, ctx, "flash", chromedp.Text(chromedp.CSS(".flash"), retry)); !strings.Contains(flash, "Đã chuyển 2 bình luận") {
		t.Errorf("bulk: %q", flash)
	}

	// The media library: drop a picture on the zone (the script puts it in the picker
	// and submits the form).
	do(t, ctx, "media library", chromedp.Navigate(srv.URL+"/admin/anh"), chromedp.WaitVisible(chromedp.CSS("[data-dropzone]"), retry))
	if ok := must(t, ctx, "drop", chromedp.Evaluate[bool](dropPNG, chromedp.EvalAwaitPromise)); !ok {
		t.Fatal("drop script failed")
	}
	do(t, ctx, "after the drop", chromedp.WaitVisible(chromedp.CSS(".flash"), retry))
	if n := must(t, ctx, "images", chromedp.Evaluate[int](`document.querySelectorAll(".media-grid img").length`)); n != 2 {
		t.Errorf("media library shows %d images after the drop, want 2", n)
	}
	console.check(t)

	// The other pages, for the README and for a look at both widths.
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1440, 900}, {"phone", 360, 740}} {
		do(t, ctx, "viewport", chromedp.EmulateViewport(size.w, size.h))
		for _, p := range []struct{ name, path, wait string }{
			{"articles", "/admin/bai-viet", "table.list"},
			{"dashboard", "/admin/", ".cards"},
			{"editor", "/admin/bai-viet/1", ".editor-area"},
			{"media", "/admin/anh", ".media-grid"},
			{"comments", "/admin/binh-luan", "table.list"},
			{"users", "/admin/nguoi-dung", "table.list"},
			{"sections", "/admin/chuyen-muc", "table.list"},
			{"settings", "/admin/cai-dat", "#st-name"},
			{"audit", "/admin/nhat-ky", "table.list"},
			{"revisions", "/admin/bai-viet/1/phien-ban", "table.list"},
		} {
			do(t, ctx, p.name, chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait), retry))
			if w := must(t, ctx, "width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > int(size.w) {
				t.Errorf("%s at %s scrolls sideways: %d px", p.name, size.name, w)
			}
			screenshot(t, ctx, "admin-"+p.name+"-"+size.name)
		}
	}
	console.check(t)
}

// dropPNG drops a small PNG file on the media library's drop zone.
const dropPNG = `(async () => {
  const c = document.createElement("canvas"); c.width = 640; c.height = 360;
  const g = c.getContext("2d"); g.fillStyle = "#8a1c1c"; g.fillRect(0, 0, 640, 360);
  const blob = await new Promise(r => c.toBlob(r, "image/png"));
  const dt = new DataTransfer(); dt.items.add(new File([blob], "tha-vao.png", { type: "image/png" }));
  const zone = document.querySelector("[data-dropzone]");
  zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
  zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  return true;
})()`

// docShot saves a viewport screenshot into $DOCS_SHOTS (the README's pictures) when set.
func docShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("DOCS_SHOTS")
	if dir == "" {
		return
	}
	buf := must(t, ctx, "doc screenshot "+name, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

func idStr(n int64) string { return strconv.FormatInt(n, 10) }

var setupLinkInLog = regexp.MustCompile(`link="?(http://[^"\s]+/admin/thiet-lap\?token=[^"\s]+)`)

// TestFirstStartSetupLink: a fresh database prints a one-time link that creates the
// first admin; after a restart the old link is dead and a new one is printed.
func TestFirstStartSetupLink(t *testing.T) {
	parallelTest(t)
	dir := t.TempDir()
	srv := startServer(t, dir)
	m := setupLinkInLog.FindStringSubmatch(srv.Log())
	if m == nil {
		t.Fatalf("no setup link in the log:\n%s", srv.Log())
	}
	link := m[1]
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("setup link: %d", resp.StatusCode)
	}
	srv.Stop(t)
	srv2 := startServer(t, dir)
	if resp, err := http.Get(strings.Replace(link, srv.URL, srv2.URL, 1)); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("old setup link after a restart: %v %v", resp.StatusCode, err)
	}
	if setupLinkInLog.FindStringSubmatch(srv2.Log()) == nil {
		t.Error("no new setup link after the restart")
	}
}
