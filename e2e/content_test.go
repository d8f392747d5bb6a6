package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"toasoan/db"
)

// TestContentModelInBrowser drives the content model as an editor would: tags picked
// while typing, the tag page, a static page linked from the footer, featured stories,
// bulk actions with "select all", the trash and the own profile — with the console and
// axe watching, at 1440 and 360 px.
func TestContentModelInBrowser(t *testing.T) {
	browserTest(t, 50)
	chromiumPath(t)
	axeSource, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	srv := startServer(t, dir, "-demo")
	m := passwordInLog.FindStringSubmatch(srv.Log())
	if m == nil {
		t.Fatalf("no demo admin password in the log:\n%s", srv.Log())
	}
	ctx0 := context.Background()
	d, err := db.Open(ctx0, dir)
	if err != nil {
		t.Fatal(err)
	}
	arts, err := d.PublicArticles(ctx0, db.PublicListQuery{Limit: 4}, time.Now())
	d.Close()
	if err != nil || len(arts) < 4 {
		t.Fatalf("demo articles: %v", err)
	}
	target := arts[3]

	// Each browser has a 90 s budget: one for the work, one per width for the look.
	login := func(w, h int) (context.Context, *adminConsoleErrors) {
		ctx := newBrowser(t, w, h)
		console := watchAdminConsole(ctx)
		do(t, ctx, "log in",
			chromedp.EmulateViewport(int64(w), int64(h)),
			chromedp.Navigate(srv.URL+"/admin"),
			chromedp.WaitVisible(chromedp.CSS("#login-name"), retry),
			chromedp.SendKeys(chromedp.CSS("#login-name"), "admin", retry),
			chromedp.SendKeys(chromedp.CSS("#login-password"), m[1], retry),
			chromedp.Submit(chromedp.CSS("#login-password"), retry),
			chromedp.WaitVisible(chromedp.CSS(".cards"), retry))
		return ctx, console
	}
	ctx, console := login(1440, 900)

	// A tag made on the tags page, then picked from the suggestions while typing.
	do(t, ctx, "create a tag",
		chromedp.Navigate(srv.URL+"/admin/chu-de"),
		chromedp.WaitVisible(chromedp.CSS("#t-new-name"), retry),
		chromedp.SendKeys(chromedp.CSS("#t-new-name"), "Giao thông nông thôn", retry),
		chromedp.Submit(chromedp.CSS("#t-new-name"), retry),
		chromedp.WaitVisible(chromedp.CSS(".flash"), retry))
	do(t, ctx, "open the article",
		chromedp.Navigate(srv.URL+"/admin/bai-viet/"+idStr(target.ID)),
		chromedp.WaitVisible(chromedp.CSS("#a-tags"), retry),
		chromedp.SendKeys(chromedp.CSS("#a-tags"), "Hà Nội, giao", retry),
		chromedp.WaitVisible(chromedp.CSS(`#tag-suggestions button[data-tag-add]`), retry))
	screenshot(t, ctx, "content-tag-suggestions-desktop")
	do(t, ctx, "pick the suggestion", chromedp.Click(chromedp.CSS(`#tag-suggestions button[data-tag-add]`), retry))
	if v := must(t, ctx, "tag field", chromedp.Value(chromedp.CSS("#a-tags"), retry)); v != "Hà Nội, Giao thông nông thôn, " {
		t.Errorf("tag field after picking: %q", v)
	}
	do(t, ctx, "save",
		chromedp.Click(chromedp.CSS(`#article-form button[type=submit]`), retry),
		chromedp.WaitVisible(chromedp.CSS(".flash"), retry))
	do(t, ctx, "feature it as the lead",
		chromedp.Click(chromedp.CSS(`button[name=lead][value="1"]`), retry),
		chromedp.WaitVisible(chromedp.CSS("#noi-bat-"+idStr(target.ID)), retry))
	screenshot(t, ctx, "content-featured-desktop")

	// The public side: the lead story, the tag links, the tag page.
	do(t, ctx, "home", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".top-story h2 a"), retry))
	if lead := must(t, ctx, "lead", chromedp.Text(chromedp.CSS(".top-story h2 a"), retry)); strings.TrimSpace(lead) != target.Title {
		t.Errorf("lead %q, want the featured %q", lead, target.Title)
	}
	do(t, ctx, "article", chromedp.Click(chromedp.CSS(".top-story h2 a"), retry), chromedp.WaitVisible(chromedp.CSS(".article-tags a"), retry))
	tags := must(t, ctx, "tag links", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".article-tags a")].map(a => a.getAttribute("href"))`))
	if len(tags) != 2 || tags[0] != "/chu-de/ha-noi" || tags[1] != "/chu-de/giao-thong-nong-thon" {
		t.Errorf("tag links %v", tags)
	}
	do(t, ctx, "tag page", chromedp.Click(chromedp.CSS(`.article-tags a[href="/chu-de/ha-noi"]`), retry), chromedp.WaitVisible(chromedp.CSS("h1.page-title"), retry))
	if h := must(t, ctx, "tag title", chromedp.Text(chromedp.CSS("h1.page-title"), retry)); h != "Chủ đề: Hà Nội" {
		t.Errorf("tag page title %q", h)
	}

	// A static page written in the body editor, published and linked from the footer.
	do(t, ctx, "new page",
		chromedp.Navigate(srv.URL+"/admin/trang/moi"),
		chromedp.WaitVisible(chromedp.CSS(".editor-area"), retry),
		chromedp.SendKeys(chromedp.CSS("#p-title"), "Liên hệ tòa soạn", retry),
		chromedp.Click(chromedp.CSS(".editor-area"), retry),
		chromedp.SendKeys(chromedp.CSS(".editor-area"), "Địa chỉ: số 1 đường Lê Lợi, thị trấn.", retry),
		chromedp.Click(chromedp.CSS(`input[name=status][value=published]`), retry),
		chromedp.SetValue(chromedp.CSS("#p-placement"), "footer", retry),
		chromedp.Click(chromedp.CSS(`#page-form button[type=submit]`), retry),
		chromedp.WaitVisible(chromedp.CSS(".flash"), retry))
	screenshot(t, ctx, "content-page-saved-desktop")
	// A page this browser has not cached yet (public pages may be reused for 60 s).
	do(t, ctx, "footer link", chromedp.Navigate(srv.URL+"/chuyen-muc/thoi-su"), chromedp.WaitVisible(chromedp.CSS(`.site-footer a[href="/trang/lien-he-toa-soan"]`), retry),
		chromedp.Click(chromedp.CSS(`.site-footer a[href="/trang/lien-he-toa-soan"]`), retry), chromedp.WaitVisible(chromedp.CSS("#page-title"), retry))
	if txt := must(t, ctx, "page body", chromedp.Text(chromedp.CSS(".article-body"), retry)); !strings.Contains(txt, "số 1 đường Lê Lợi") {
		t.Errorf("static page body %q", txt)
	}
	console.check(t)

	// Bulk: "select all" ticks every row (script), then two rows go to the trash.
	do(t, ctx, "article list", chromedp.Navigate(srv.URL+"/admin/bai-viet"), chromedp.WaitVisible(chromedp.CSS("#bulk-all"), retry),
		chromedp.Click(chromedp.CSS("#bulk-all"), retry))
	checked := must(t, ctx, "checked", chromedp.Evaluate[[]int](`[document.querySelectorAll("input[form=bulk-form][name=id]:checked").length,
		document.querySelectorAll("input[form=bulk-form][name=id]").length]`))
	if checked[0] == 0 || checked[0] != checked[1] {
		t.Errorf("select all ticked %d of %d", checked[0], checked[1])
	}
	do(t, ctx, "untick all and pick two",
		chromedp.Click(chromedp.CSS("#bulk-all"), retry),
		chromedp.Click(chromedp.CSS("#bulk-"+idStr(arts[1].ID)), retry),
		chromedp.Click(chromedp.CSS("#bulk-"+idStr(arts[2].ID)), retry),
		chromedp.SetValue(chromedp.CSS("#bulk-action"), "trash", retry),
		chromedp.Click(chromedp.CSS("#bulk-form button[type=submit]"), retry),
		chromedp.WaitVisible(chromedp.CSS(".flash"), retry))
	if flash := must(t, ctx, "flash", chromedp.Text(chromedp.CSS(".flash"), retry)); !strings.Contains(flash, "Đã chuyển vào thùng rác 2 bài") {
		t.Errorf("bulk trash: %q", flash)
	}
	do(t, ctx, "trash", chromedp.Navigate(srv.URL+"/admin/bai-viet/thung-rac"), chromedp.WaitVisible(chromedp.CSS("table.list"), retry))
	screenshot(t, ctx, "content-trash-desktop")
	do(t, ctx, "restore one",
		chromedp.Click(chromedp.CSS(`form[action="/admin/bai-viet/`+idStr(arts[1].ID)+`/khoi-phuc"] button`), retry),
		chromedp.WaitVisible(chromedp.CSS(".flash"), retry))
	if n := must(t, ctx, "rows", chromedp.Evaluate[int](`document.querySelectorAll("form[action$='/khoi-phuc']").length`)); n != 1 {
		t.Errorf("%d articles left in the trash, want 1", n)
	}

	// Profile: a new display name shows in the header.
	do(t, ctx, "profile",
		chromedp.Navigate(srv.URL+"/admin/ho-so"),
		chromedp.WaitVisible(chromedp.CSS("#pr-name"), retry),
		chromedp.SetValue(chromedp.CSS("#pr-name"), "Trưởng ban biên tập", retry),
		chromedp.Submit(chromedp.CSS("#pr-name"), retry),
		chromedp.WaitVisible(chromedp.CSS(".flash"), retry))
	if who := must(t, ctx, "header", chromedp.Text(chromedp.CSS(".admin-user a[href='/admin/ho-so']"), retry)); !strings.Contains(who, "Trưởng ban biên tập") {
		t.Errorf("header shows %q", who)
	}
	console.check(t)

	// Both widths: no sideways scrolling, screenshots to look at, axe on the public pages.
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1440, 900}, {"phone", 360, 740}} {
		ctx, console := login(int(size.w), int(size.h))
		for _, p := range []struct {
			name, path, wait string
			axe              bool
		}{
			{"home", "/", ".top-story", true},
			{"tag", "/chu-de/ha-noi", "h1.page-title", true},
			{"static-page", "/trang/lien-he-toa-soan", "#page-title", true},
			{"article", "/bai-viet/" + idStr(target.ID), ".article-tags", true},
			{"admin-article", "/admin/bai-viet/" + idStr(target.ID), "#a-tags", false},
			{"admin-articles", "/admin/bai-viet", "#bulk-form", false},
			{"admin-tags", "/admin/chu-de", "table.list", false},
			{"admin-pages", "/admin/trang", "table.list", false},
			{"admin-page-edit", "/admin/trang/1", ".editor-area", false},
			{"admin-featured", "/admin/noi-bat", "table.list", false},
			{"admin-trash", "/admin/bai-viet/thung-rac", "table.list", false},
			{"admin-profile", "/admin/ho-so", "#pr-name", false},
		} {
			do(t, ctx, p.name, chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait), retry))
			if w := must(t, ctx, "width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > int(size.w) {
				t.Errorf("%s at %s scrolls sideways: %d px", p.name, size.name, w)
			}
			screenshot(t, ctx, "content-"+p.name+"-"+size.name)
			if !p.axe {
				continue
			}
			for _, v := range runAxe(t, ctx, string(axeSource)) {
				msg := v.ID + " (" + v.Impact + "): " + v.Help + "\n    " + strings.Join(v.Nodes, "\n    ")
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s at %s: %s", p.name, size.name, msg)
				} else {
					t.Logf("%s at %s: minor: %s", p.name, size.name, msg)
				}
			}
		}
		console.check(t)
	}
}
