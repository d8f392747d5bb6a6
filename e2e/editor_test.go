package e2e

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// uploadThree puts three pictures into the media library the way the picker's upload does
// (POST /admin/anh, JSON answer) and returns their ids.
const uploadThree = `(async () => {
  const ids = [];
  for (const [i, color] of ["#2a6f97", "#8a1c1c", "#3d7a2a"].entries()) {
    const c = document.createElement("canvas"); c.width = 1200; c.height = 800;
    const g = c.getContext("2d"); g.fillStyle = color; g.fillRect(0, 0, 1200, 800);
    g.fillStyle = "#fff"; g.fillRect(100 + i * 200, 200, 300, 300);
    const blob = await new Promise(r => c.toBlob(r, "image/png"));
    const body = new FormData(); body.append("file", new File([blob], "le-hoi-" + (i + 1) + ".png", { type: "image/png" }));
    const r = await fetch("/admin/anh", { method: "POST", body, headers: { Accept: "application/json" } });
    const j = await r.json();
    ids.push(j.id);
  }
  return ids;
})()`

// pickerLoaded is the media picker once its list has loaded: opening the picker again
// shows the previous list until the new one replaces it, so a pick found before that
// is gone when clicked ("Could not find node with given id").
const pickerLoaded = "#media-picker [data-picker-results]:not([aria-busy])"

// pressEnter presses Enter as a keyboard does: one key down and up. (SendKeys's "\r" also
// sends a char event, which a contenteditable takes as a second line break.)
func pressEnter() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter",
				WindowsVirtualKeyCode: 13}); err != nil {
				return err
			}
		}
		return nil
	})
}

// watchCSP records Content-Security-Policy violations of every page opened afterwards.
func watchCSP(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "watch CSP", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__csp = []; document.addEventListener("securitypolicyviolation",
				e => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || "")));`,
		})
		return err
	}))
}

func checkCSP(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	if csp := must(t, ctx, "CSP violations", chromedp.Evaluate[[]string](`window.__csp || ["watcher missing"]`)); len(csp) > 0 {
		t.Errorf("%s: Content-Security-Policy violations: %v", where, csp)
	}
}

func checkAxe(t *testing.T, ctx context.Context, axeSource, where string) {
	t.Helper()
	for _, v := range runAxe(t, ctx, axeSource) {
		t.Errorf("%s: axe %s (%s): %s\n    %s", where, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n    "))
	}
}

// TestEditorWritesSemanticArticle writes an article in the real editor as a newsroom
// would: two paragraphs, a heading, a figure from the library with alt text and caption,
// a gallery, a YouTube video and a table; publishes it; and reads the public page's
// markup. axe finds nothing on the editor or the article at 1440 and 360 px.
func TestEditorWritesSemanticArticle(t *testing.T) {
	browserTest(t, 30)
	chromiumPath(t)
	axeSource, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, "", "-demo")
	m := passwordInLog.FindStringSubmatch(srv.Log())
	if m == nil {
		t.Fatalf("no demo admin password in the log:\n%s", srv.Log())
	}
	ctx := newBrowserFor(t, 1440, 900, 5*time.Minute)
	console := watchAdminConsole(ctx)
	watchCSP(t, ctx)
	do(t, ctx, "log in",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.URL+"/admin/login"),
		chromedp.WaitVisible(chromedp.CSS("#login-name"), retry),
		chromedp.SendKeys(chromedp.CSS("#login-name"), "admin", retry),
		chromedp.SendKeys(chromedp.CSS("#login-password"), m[1], retry),
		chromedp.Submit(chromedp.CSS("#login-password"), retry),
		chromedp.WaitVisible(chromedp.CSS(".cards"), retry))
	ids := must(t, ctx, "upload pictures", chromedp.Evaluate[[]int](uploadThree, chromedp.EvalAwaitPromise))
	if len(ids) != 3 || ids[0] == 0 {
		t.Fatalf("uploads: %v", ids)
	}

	title := "Lễ hội đường phố mừng năm mới ở phường Bến Thủy"
	ed := ".editor-area"
	do(t, ctx, "open the editor",
		chromedp.Navigate(srv.URL+"/admin/bai-viet/moi"),
		chromedp.WaitVisible(chromedp.CSS(ed), retry),
		chromedp.SendKeys(chromedp.CSS("#a-title"), title, retry),
		chromedp.SendKeys(chromedp.CSS("#a-lead"), "Hàng nghìn người dân xuống phố xem diễu hành.", retry),
		chromedp.SetValue(chromedp.CSS("#a-section"), "1", retry))
	checkCSP(t, ctx, "editor")
	checkAxe(t, ctx, string(axeSource), "editor 1440")

	// Two paragraphs (Enter makes a new one), then a heading.
	do(t, ctx, "type paragraphs",
		chromedp.Click(chromedp.CSS(ed), retry),
		chromedp.SendKeys(chromedp.CSS(ed), "Sáng nay, đoàn diễu hành đi qua các tuyến phố chính.", retry), pressEnter(),
		chromedp.SendKeys(chromedp.CSS(ed), "Người dân hai bên đường cổ vũ nhiệt tình.", retry), pressEnter(),
		chromedp.SendKeys(chromedp.CSS(ed), "Chương trình trong ngày", retry),
		chromedp.Click(chromedp.CSS(`[data-cmd=h2]`), retry), pressEnter(),
		chromedp.SendKeys(chromedp.CSS(ed), "Buổi tối có bắn pháo hoa.", retry), pressEnter())

	// A figure from the library through the picker: alt text required, a caption.
	do(t, ctx, "figure dialog",
		chromedp.Click(chromedp.CSS(`[data-cmd=figure]`), retry),
		chromedp.WaitVisible(chromedp.CSS("#dlg-figure"), retry),
		chromedp.Click(chromedp.CSS("#dlg-figure [data-pick-open]"), retry),
		chromedp.WaitVisible(chromedp.CSS(pickerLoaded+" .pick"), retry))
	checkAxe(t, ctx, string(axeSource), "media picker")
	do(t, ctx, "pick and refuse without alt",
		chromedp.Click(chromedp.CSS(pickerLoaded+` .pick[data-id="`+strconv.Itoa(ids[0])+`"]`), retry),
		chromedp.WaitNotVisible(chromedp.CSS("#media-picker"), retry),
		chromedp.WaitVisible(chromedp.CSS("#dlg-figure [data-preview]"), retry),
		chromedp.Click(chromedp.CSS(`#dlg-figure button[type=submit]`), retry))
	// The native required check or ours keeps the dialog open until alt text is given.
	if open := must(t, ctx, "dialog still open", chromedp.Evaluate[bool](`document.getElementById("dlg-figure").open`)); !open {
		t.Fatal("the figure dialog closed without alt text")
	}
	do(t, ctx, "alt and caption",
		chromedp.SendKeys(chromedp.CSS("#dlg-figure-alt"), "Đoàn diễu hành đi qua cầu Bến Thủy", retry),
		chromedp.SendKeys(chromedp.CSS("#dlg-figure-caption"), "Đoàn diễu hành sáng 1/12.", retry),
		chromedp.SendKeys(chromedp.CSS("#dlg-figure-credit"), "Ảnh: Văn Hùng", retry),
		chromedp.Click(chromedp.CSS(`#dlg-figure button[type=submit]`), retry),
		chromedp.WaitNotVisible(chromedp.CSS("#dlg-figure"), retry),
		chromedp.WaitVisible(chromedp.CSS(ed+" figure img"), retry))

	// A gallery of two library pictures, each with its alt text.
	do(t, ctx, "gallery",
		chromedp.Click(chromedp.CSS(`[data-cmd=gallery]`), retry),
		chromedp.WaitVisible(chromedp.CSS("#dlg-gallery"), retry),
		chromedp.Click(chromedp.CSS("#dlg-gallery [data-pick-open]"), retry),
		chromedp.WaitVisible(chromedp.CSS(pickerLoaded+` .pick[data-id="`+strconv.Itoa(ids[1])+`"]`), retry),
		chromedp.Click(chromedp.CSS(pickerLoaded+` .pick[data-id="`+strconv.Itoa(ids[1])+`"]`), retry),
		chromedp.WaitNotVisible(chromedp.CSS("#media-picker"), retry),
		chromedp.Click(chromedp.CSS("#dlg-gallery [data-pick-open]"), retry),
		chromedp.WaitVisible(chromedp.CSS(pickerLoaded+` .pick[data-id="`+strconv.Itoa(ids[2])+`"]`), retry),
		chromedp.Click(chromedp.CSS(pickerLoaded+` .pick[data-id="`+strconv.Itoa(ids[2])+`"]`), retry),
		chromedp.WaitNotVisible(chromedp.CSS("#media-picker"), retry),
		chromedp.SendKeys(chromedp.CSS("#g-alt-0"), "Múa lân trước chợ", retry),
		chromedp.SendKeys(chromedp.CSS("#g-alt-1"), "Thiếu nhi cầm đèn ông sao", retry),
		chromedp.SendKeys(chromedp.CSS("#dlg-gallery-caption"), "Những hình ảnh trong ngày hội.", retry),
		chromedp.Click(chromedp.CSS(`#dlg-gallery button[type=submit]`), retry),
		chromedp.WaitNotVisible(chromedp.CSS("#dlg-gallery"), retry),
		chromedp.WaitVisible(chromedp.CSS(ed+" figure.gallery"), retry))

	// A YouTube video: a short link is reduced to provider and id.
	do(t, ctx, "video",
		chromedp.Click(chromedp.CSS(`[data-cmd=embed]`), retry),
		chromedp.WaitVisible(chromedp.CSS("#dlg-embed"), retry),
		chromedp.SendKeys(chromedp.CSS("#dlg-embed-url"), "https://evil.example/watch?v=dQw4w9WgXcQ", retry),
		chromedp.Click(chromedp.CSS(`#dlg-embed button[type=submit]`), retry),
		chromedp.WaitVisible(chromedp.CSS(`#dlg-embed [data-dialog-error]`), retry))
	if msg := must(t, ctx, "refusal", chromedp.Text(chromedp.CSS(`#dlg-embed [data-dialog-error]`), retry)); !strings.Contains(msg, "YouTube hoặc Facebook") {
		t.Errorf("a foreign video address: %q", msg)
	}
	do(t, ctx, "video",
		chromedp.SetValue(chromedp.CSS("#dlg-embed-url"), "https://youtu.be/dQw4w9WgXcQ?si=abc", retry),
		chromedp.SendKeys(chromedp.CSS("#dlg-embed-caption"), "Toàn cảnh lễ hội.", retry),
		chromedp.Click(chromedp.CSS(`#dlg-embed button[type=submit]`), retry),
		chromedp.WaitNotVisible(chromedp.CSS("#dlg-embed"), retry),
		chromedp.WaitVisible(chromedp.CSS(ed+` figure.embed[data-id="dQw4w9WgXcQ"]`), retry))

	// A table: the toolbar's button, a header row, typed cells.
	do(t, ctx, "table",
		chromedp.Click(chromedp.CSS(`[data-cmd=table]`), retry),
		chromedp.WaitVisible(chromedp.CSS(ed+" table"), retry),
		chromedp.WaitVisible(chromedp.CSS(`[data-cmd=rowAfter]`), retry),
		chromedp.SendKeys(chromedp.CSS(ed), "Giờ"+kb.Tab+"Hoạt động"+kb.Tab+"Địa điểm"+kb.Tab+"8:00"+kb.Tab+"Diễu hành"+kb.Tab+"Quảng trường", retry))
	body := must(t, ctx, "editor value", chromedp.Value(chromedp.CSS("#a-body"), retry))
	t.Logf("editor HTML: %s", body)
	for _, bad := range []string{"style=", "contenteditable", "ProseMirror", "colwidth", "<br"} {
		if strings.Contains(body, bad) {
			t.Errorf("editor writes %q: %s", bad, body)
		}
	}
	do(t, ctx, "scroll up", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	screenshot(t, ctx, "editor-semantic-desktop")
	checkAxe(t, ctx, string(axeSource), "editor with content 1440")
	do(t, ctx, "phone", chromedp.EmulateViewport(360, 740))
	screenshot(t, ctx, "editor-semantic-phone")
	if w := must(t, ctx, "width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 360 {
		wide := must(t, ctx, "wide elements", chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")]
		  .filter(e => e.getBoundingClientRect().right > 360.5).slice(0, 8)
		  .map(e => e.tagName + "." + e.className + "#" + e.id + " " + Math.round(e.getBoundingClientRect().right))`))
		t.Errorf("the editor at 360 px scrolls sideways: %d px: %v", w, wide)
	}
	// Every toolbar button is inside the toolbar's box (wrapped, not clipped).
	clipped := must(t, ctx, "toolbar", chromedp.Evaluate[[]string](`(() => {
	  const bar = document.querySelector(".editor-toolbar").getBoundingClientRect();
	  return [...document.querySelectorAll(".editor-toolbar button:not([hidden])")].filter(b => {
	    const r = b.getBoundingClientRect();
	    return r.right > bar.right + 0.5 || r.left < bar.left - 0.5 || r.right > window.innerWidth;
	  }).map(b => b.textContent);
	})()`))
	if len(clipped) > 0 {
		t.Errorf("toolbar buttons clipped at 360 px: %v", clipped)
	}
	checkAxe(t, ctx, string(axeSource), "editor 360")
	do(t, ctx, "desktop", chromedp.EmulateViewport(1440, 900))

	// Tags, typed as an editor does (comma-separated; the suggestions need not be used).
	do(t, ctx, "tags",
		chromedp.ScrollIntoView(chromedp.CSS("#a-tags"), retry),
		chromedp.Click(chromedp.CSS("#a-tags"), retry),
		chromedp.SendKeys(chromedp.CSS("#a-tags"), "Lễ hội, Văn hóa phố cổ", retry))
	do(t, ctx, "save",
		chromedp.Click(chromedp.CSS(`#article-form button[type=submit]`), retry),
		chromedp.WaitVisible(chromedp.CSS(".flash"), retry),
		chromedp.WaitVisible(chromedp.CSS(ed+" figure.gallery"), retry))
	do(t, ctx, "publish",
		chromedp.Click(chromedp.CSS(`.workflow form:has(input[name=to][value=published]) button`), retry),
		chromedp.WaitVisible(chromedp.CSS(".page-head .status.published"), retry))
	articleURL := must(t, ctx, "public link", chromedp.Evaluate[string](`[...document.querySelectorAll(".page-head a")].find(a => a.textContent.includes("Xem trên trang")).getAttribute("href")`))
	console.check(t)

	do(t, ctx, "public article",
		chromedp.Navigate(srv.URL+articleURL),
		chromedp.WaitVisible(chromedp.CSS(".article-body"), retry))
	checkCSP(t, ctx, "article")
	type shape struct {
		Paragraphs, H2, Tables, FigureImgAlt, Captions, GalleryImgs, Embeds, Iframes int
		EmbedHref                                                                    string
		DataAttrs                                                                    []string
		Foreign                                                                      []string
	}
	got := must(t, ctx, "article markup", chromedp.Evaluate[shape](`(() => {
	  const b = document.querySelector(".article-body");
	  const q = s => b.querySelectorAll(s).length;
	  const data = [...b.querySelectorAll("*")].flatMap(e => [...e.attributes].map(a => a.name))
	    .filter(n => n.startsWith("data-") || n === "contenteditable" || n === "draggable" || n === "style");
	  const foreign = performance.getEntriesByType("resource").map(e => new URL(e.name).host).filter(h => h !== location.host);
	  const embed = b.querySelector("figure.embed a.embed-load");
	  return {
	    Paragraphs: q(":scope > p"), H2: q("h2"), Tables: q("table th") && q("table"),
	    FigureImgAlt: q("figure:not(.gallery):not(.embed) > img[alt='Đoàn diễu hành đi qua cầu Bến Thủy']"),
	    Captions: q("figure:not(.gallery):not(.embed) > figcaption"),
	    GalleryImgs: q("figure.gallery li img[alt]"), Embeds: q("figure.embed a.embed-load"), Iframes: q("iframe"),
	    EmbedHref: embed ? embed.getAttribute("href") : "", DataAttrs: data, Foreign: foreign,
	  };
	})()`))
	if got.Paragraphs < 3 || got.H2 != 1 || got.Tables != 1 || got.FigureImgAlt != 1 || got.Captions != 1 || got.GalleryImgs != 2 ||
		got.Embeds != 1 || got.Iframes != 0 || got.EmbedHref != "https://www.youtube.com/watch?v=dQw4w9WgXcQ" {
		t.Errorf("public article markup: %+v", got)
	}
	if len(got.DataAttrs) > 0 {
		t.Errorf("editor attributes on the public page: %v", got.DataAttrs)
	}
	if len(got.Foreign) > 0 {
		t.Errorf("the article contacted other hosts before any click: %v", got.Foreign)
	}
	tags := must(t, ctx, "tag links", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".article-tags a")].map(a => a.getAttribute("href") + " " + a.textContent.trim())`))
	if strings.Join(tags, "|") != "/chu-de/le-hoi Lễ hội|/chu-de/van-hoa-pho-co Văn hóa phố cổ" {
		t.Errorf("tag links on the public article: %q", tags)
	}
	caption := must(t, ctx, "caption", chromedp.Text(chromedp.CSS(".article-body figure:not(.gallery):not(.embed) > figcaption"), retry))
	if !strings.Contains(caption, "Đoàn diễu hành sáng 1/12.") || !strings.Contains(caption, "Ảnh: Văn Hùng") {
		t.Errorf("caption %q", caption)
	}
	do(t, ctx, "to the video", chromedp.ScrollIntoView(chromedp.CSS(".article-body figure.embed"), retry))
	screenshot(t, ctx, "article-semantic-desktop")
	checkAxe(t, ctx, string(axeSource), "article 1440")
	do(t, ctx, "phone", chromedp.EmulateViewport(360, 740), chromedp.ScrollIntoView(chromedp.CSS(".article-body figure"), retry))
	screenshot(t, ctx, "article-semantic-phone")
	if w := must(t, ctx, "width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 360 {
		t.Errorf("the article at 360 px scrolls sideways: %d px", w)
	}
	checkAxe(t, ctx, string(axeSource), "article 360")

	// A click loads the player from youtube-nocookie.com, which the CSP allows as a frame.
	do(t, ctx, "click to load",
		chromedp.Click(chromedp.CSS(".article-body .embed-load"), retry),
		chromedp.WaitReady(chromedp.CSS(".article-body iframe.embed-frame"), retry))
	src := must(t, ctx, "iframe src", chromedp.Evaluate[string](`document.querySelector(".article-body iframe").src`))
	if src != "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1" {
		t.Errorf("player address %q", src)
	}
	time.Sleep(200 * time.Millisecond)
	checkCSP(t, ctx, "article after the click")
}

// pasteHTML pastes HTML into the editor as a clipboard from Word or Google Docs carries it.
const pasteHTML = `((html) => {
  const dt = new DataTransfer(); dt.setData("text/html", html); dt.setData("text/plain", "x");
  const ed = document.querySelector(".editor-area"); ed.focus();
  ed.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  return document.getElementById("a-body").value;
})`

// TestEditorPasteFromWordAndDocs: what Word and Google Docs put on the clipboard arrives as
// plain paragraphs with bold and italic: no styles, classes, spans, Office tags or ids.
func TestEditorPasteFromWordAndDocs(t *testing.T) {
	browserTest(t, 7)
	chromiumPath(t)
	srv := startServer(t, "", "-demo")
	m := passwordInLog.FindStringSubmatch(srv.Log())
	if m == nil {
		t.Fatalf("no demo admin password in the log:\n%s", srv.Log())
	}
	ctx := newBrowserFor(t, 1440, 900, 3*time.Minute)
	do(t, ctx, "log in and open the editor",
		chromedp.Navigate(srv.URL+"/admin/login"),
		chromedp.WaitVisible(chromedp.CSS("#login-name"), retry),
		chromedp.SendKeys(chromedp.CSS("#login-name"), "admin", retry),
		chromedp.SendKeys(chromedp.CSS("#login-password"), m[1], retry),
		chromedp.Submit(chromedp.CSS("#login-password"), retry),
		chromedp.WaitVisible(chromedp.CSS(".cards"), retry),
		chromedp.Navigate(srv.URL+"/admin/bai-viet/moi"),
		chromedp.WaitVisible(chromedp.CSS(".editor-area"), retry))
	word := `<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{margin:0}</style></head><body>` +
		`<!--StartFragment--><p class=MsoNormal style='margin-bottom:0cm'><b><span style='font-size:14pt;color:red'>Thông báo</span></b><o:p></o:p></p>` +
		`<p class=MsoNormal><span lang=VI style='font-family:"Times New Roman"'>Lịch tiếp dân <i>tháng 12</i>.</span><o:p>&nbsp;</o:p></p><!--EndFragment--></body></html>`
	docs := `<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1a2b"><p dir="ltr" style="line-height:1.38;margin-top:0pt">` +
		`<span style="font-size:11pt;font-weight:700;color:#000000">Đậm</span><span style="font-size:11pt"> và thường</span></p>` +
		`<ul style="margin-top:0"><li dir="ltr" style="list-style-type:disc"><p dir="ltr" role="presentation"><span>Mục một</span></p></li></ul></b>`
	for name, html := range map[string]string{"Word": word, "Google Docs": docs} {
		do(t, ctx, "clear", chromedp.Evaluate[chromedp.Void](`(() => { const e = document.querySelector(".editor-area"); e.focus(); document.execCommand("selectAll"); document.execCommand("delete"); })()`))
		got := must(t, ctx, "paste "+name, chromedp.Evaluate[string](pasteHTML+"("+strconv.Quote(html)+")"))
		for _, bad := range []string{"style=", "class=", "<span", "o:p", "docs-internal", "MsoNormal", "dir=", "lang=", "<!--", "font"} {
			if strings.Contains(got, bad) {
				t.Errorf("%s paste keeps %q: %s", name, bad, got)
			}
		}
		want := map[string][]string{"Word": {"<strong>Thông báo</strong>", "<em>tháng 12</em>", "<p>Lịch tiếp dân"},
			"Google Docs": {"<strong>Đậm</strong> và thường", "<ul><li><p>Mục một</p></li></ul>"}}[name]
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s paste lacks %q: %s", name, w, got)
			}
		}
	}
}
