package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"toasoan/db"
	"toasoan/views"
)

// TestEditorBodyOnThePublicPage: a body as the editor writes it (figure with caption and
// credit, gallery, video embed, table) is stored as written, less anything forged, and the
// public page carries click-to-load links and no editor attributes; the CSP lets exactly
// the two players into frames.
func TestEditorBodyOnThePublicPage(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	f := newArticleForm("Bài có video và bộ ảnh")
	f.Set("body", `<p>Một.</p><p>Hai.</p><h2>Mục</h2>`+
		`<figure><img src="/media/1?w=960" alt="Cầu" width="1200" height="800"><figcaption>Cầu mới <small>Ảnh: Văn Hùng</small></figcaption></figure>`+
		`<figure class="gallery"><ul><li><img src="/media/2?w=960" alt="Một"></li><li><img src="/media/3?w=960" alt="Hai"></li></ul></figure>`+
		`<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ"><figcaption>Lễ hội</figcaption></figure>`+
		`<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ&quot; onmouseover=&quot;x"></figure>`+
		`<figure class="embed" data-provider="evil" data-id="12345678901"></figure>`+
		`<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>`+
		`<p data-trix-attachment='{"href":"javascript:alert(1)"}' contenteditable="true">Ba.</p>`+
		`<table><tbody><tr><th><p>Giờ</p></th></tr><tr><td><p>8:00</p></td></tr></tbody></table><p></p>`)
	id := createArticle(t, editor, f)
	stored := s.article(t, id).BodyHTML
	for _, bad := range []string{"onmouseover", "evil", "<iframe", "data-trix", "contenteditable", "<p></p>"} {
		if strings.Contains(stored, bad) {
			t.Errorf("stored body keeps %q: %s", bad, stored)
		}
	}
	if strings.Count(stored, `class="embed"`) != 1 {
		t.Errorf("stored embeds: %s", stored)
	}
	a := s.article(t, id)
	if r, body := postTransition(editor, id, a.Version, db.StatusPublished, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", r.StatusCode, body)
	}
	r, page := s.get(t, views.ArticlePath(s.article(t, id)))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("article: %d", r.StatusCode)
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-src https://www.youtube-nocookie.com https://www.facebook.com;") || strings.Contains(csp, "frame-src *") {
		t.Errorf("CSP %q", csp)
	}
	doc := parse(t, page)
	body := find(doc, byClass("article-body"))
	if len(body) != 1 {
		t.Fatal("no article body")
	}
	find(body[0], func(n *html.Node) bool {
		for _, at := range n.Attr {
			if strings.HasPrefix(at.Key, "data-") || at.Key == "contenteditable" || at.Key == "style" {
				t.Errorf("public body has %s on <%s>", at.Key, n.Data)
			}
		}
		return false
	})
	links := find(body[0], byClass("embed-load"))
	if len(links) != 1 || attr(links[0], "href") != "https://www.youtube.com/watch?v=dQw4w9WgXcQ" || len(find(body[0], byTag("iframe"))) != 0 {
		t.Errorf("click-to-load: %d links", len(links))
	}
	if n := len(find(body[0], byTag("figcaption"))); n != 2 {
		t.Errorf("%d captions", n)
	}
	if n := len(find(body[0], byTag("small"))); n != 1 {
		t.Errorf("%d credits", n)
	}
	for _, img := range find(body[0], byTag("img")) {
		if !hasAttr(img, "alt") {
			t.Errorf("an image without alt: %v", img.Attr)
		}
	}
	// The editor gets the stored body back in its source field, escaped.
	_, edit := editor.get("/admin/bai-viet/" + strconv.FormatInt(id, 10))
	src := find(parse(t, edit), func(n *html.Node) bool { return n.Data == "textarea" && attr(n, "name") == "body" })
	if len(src) != 1 || !strings.Contains(text(src[0]), `data-id="dQw4w9WgXcQ"`) {
		t.Error("the editor does not get the stored body")
	}
}
