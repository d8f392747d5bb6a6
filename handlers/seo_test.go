package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"toasoan/db"
	"toasoan/views"
)

// metaContent returns the content of <meta property|name=key>, and how many there are.
func metaContent(doc *html.Node, key string) (string, int) {
	nodes := find(doc, func(n *html.Node) bool {
		return n.Data == "meta" && (attr(n, "property") == key || attr(n, "name") == key)
	})
	if len(nodes) == 0 {
		return "", 0
	}
	return attr(nodes[0], "content"), len(nodes)
}

// linkHref returns the href of the first <link rel=rel [type=typ]>.
func linkHrefs(doc *html.Node, rel, typ string) []string {
	var out []string
	for _, n := range find(doc, byTag("link")) {
		if attr(n, "rel") == rel && (typ == "" || attr(n, "type") == typ) {
			out = append(out, attr(n, "href"))
		}
	}
	return out
}

// jsonLD parses every application/ld+json block of a page.
func jsonLD(t *testing.T, doc *html.Node) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, sc := range find(doc, byTag("script")) {
		if attr(sc, "type") != "application/ld+json" {
			continue
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(text(sc)), &v); err != nil {
			t.Fatalf("JSON-LD does not parse: %v\n%s", err, text(sc))
		}
		out = append(out, v)
	}
	return out
}

func TestArticleMetadata(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	a := addPublished(t, s, "tin-xss", xssTitle, xssLead, 42)
	resp, body := s.get(t, views.ArticlePath(a))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := parse(t, body)
	canonical := s.srv.URL + views.ArticlePath(a)
	titles := find(doc, byTag("title"))
	if len(titles) != 1 || !strings.HasPrefix(text(titles[0]), xssTitle) {
		t.Errorf("title %q", text(titles[0]))
	}
	if got := linkHrefs(doc, "canonical", ""); len(got) != 1 || got[0] != canonical {
		t.Errorf("canonical %v", got)
	}
	loc := s.loc
	for key, want := range map[string]string{
		"description":            xssLead,
		"og:title":               xssTitle,
		"og:type":                "article",
		"og:url":                 canonical,
		"og:description":         xssLead,
		"og:image":               s.srv.URL + "/media/42",
		"og:image:alt":           "Ảnh bìa",
		"og:site_name":           s.app.site.Load().Name,
		"og:locale":              "vi_VN",
		"article:published_time": a.PublishAt.In(loc).Format(time.RFC3339),
		"article:section":        a.CategoryName,
		"twitter:card":           "summary_large_image",
		"twitter:title":          xssTitle,
		"twitter:image":          s.srv.URL + "/media/42",
	} {
		if got, n := metaContent(doc, key); got != want || n != 1 {
			t.Errorf("%s = %q (%d tags), want %q", key, got, n, want)
		}
	}
	// The hostile title is text in every place: no element or attribute came from it.
	if len(find(doc, func(n *html.Node) bool { return attr(n, "onerror") != "" })) > 0 || strings.Contains(body, "<script>alert") {
		t.Error("markup from the title or lead reached the page")
	}

	lds := jsonLD(t, doc)
	if len(lds) != 1 {
		t.Fatalf("%d JSON-LD blocks", len(lds))
	}
	ld := lds[0]
	if ld["@type"] != "NewsArticle" || ld["headline"] != xssTitle || ld["description"] != xssLead || ld["mainEntityOfPage"] != canonical {
		t.Errorf("JSON-LD %v", ld)
	}
	if pub, err := time.Parse(time.RFC3339, ld["datePublished"].(string)); err != nil || !pub.Equal(a.PublishAt) {
		t.Errorf("datePublished %v", ld["datePublished"])
	}
	if _, err := time.Parse(time.RFC3339, ld["dateModified"].(string)); err != nil {
		t.Errorf("dateModified %v", ld["dateModified"])
	}
	if img, _ := ld["image"].([]any); len(img) != 1 || img[0] != s.srv.URL+"/media/42" {
		t.Errorf("image %v", ld["image"])
	}
	authors, _ := ld["author"].([]any)
	if len(authors) != 1 || authors[0].(map[string]any)["name"] != a.Byline {
		t.Errorf("author %v", ld["author"])
	}
	pub, _ := ld["publisher"].(map[string]any)
	if pub["@type"] != "Organization" || pub["name"] != s.app.site.Load().Name || pub["logo"] == nil {
		t.Errorf("publisher %v", pub)
	}
	// The raw script text never holds "</script" or "<": encoding/json escaped them.
	for _, sc := range find(doc, byTag("script")) {
		if attr(sc, "type") == "application/ld+json" && strings.Contains(text(sc), "<") {
			t.Errorf("unescaped < inside JSON-LD: %s", text(sc))
		}
	}

	// Feeds: the site's and the section's.
	rss := linkHrefs(doc, "alternate", "application/rss+xml")
	if len(rss) != 2 || rss[0] != views.SiteRSSPath || rss[1] != views.SectionRSSPath(a.CategorySlug) {
		t.Errorf("RSS alternates %v", rss)
	}
	if atom := linkHrefs(doc, "alternate", "application/atom+xml"); len(atom) != 2 || atom[0] != views.SiteAtomPath || atom[1] != views.SectionAtomPath(a.CategorySlug) {
		t.Errorf("Atom alternates %v", atom)
	}
	// No translation of the article exists: no hreflang (issue #18 item 9: a relative
	// English alternate on every page was invalid).
	if en := find(doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "hreflang") != "" }); len(en) != 0 {
		t.Errorf("hreflang on a page without a translation: %v", attr(en[0], "href"))
	}

	// Share links: Facebook and Zalo carry the encoded canonical URL; e-mail and print.
	shares := find(doc, byClass("share-link"))
	if len(shares) != 4 {
		t.Fatalf("%d share links", len(shares))
	}
	for _, sh := range shares {
		href, _ := url.Parse(attr(sh, "href"))
		switch {
		case href.Host == "www.facebook.com":
			if href.Query().Get("u") != canonical {
				t.Errorf("facebook share %q", href)
			}
		case href.Host == "sp.zalo.me":
			if href.Path != "/share_inline" || href.Query().Get("url") != canonical {
				t.Errorf("zalo share %q", href)
			}
		case href.Scheme == "mailto":
			q, _ := url.ParseQuery(href.RawQuery)
			if q.Get("subject") != xssTitle || q.Get("body") != canonical {
				t.Errorf("mailto subject %q body %q", q.Get("subject"), q.Get("body"))
			}
		case href.Path == views.ArticlePath(a) && href.RawQuery == "in=1":
			if !hasAttr(sh, "data-print") {
				t.Error("print link lacks data-print")
			}
		default:
			t.Errorf("unexpected share link %q", href)
		}
		if attr(sh, "target") == "_blank" && !strings.Contains(attr(sh, "rel"), "noopener") {
			t.Errorf("%q opens a window without noopener", href)
		}
	}
	info := find(doc, byClass("print-info"))
	if len(info) != 1 || !strings.Contains(text(info[0]), canonical) {
		t.Errorf("print info %v", info)
	}
	if lm := resp.Header.Get("Last-Modified"); lm == "" {
		t.Error("article without Last-Modified")
	}
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func TestPrintView(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	a := latestArticle(t, s)
	resp, body := s.get(t, views.ArticlePath(a)+"?in=1")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := parse(t, body)
	bodies := find(doc, byTag("body"))
	if attr(bodies[0], "class") != "print-view" {
		t.Errorf("body class %q", attr(bodies[0], "class"))
	}
	if robots, _ := metaContent(doc, "robots"); !strings.Contains(robots, "noindex") {
		t.Errorf("print view robots %q", robots)
	}
	if got := linkHrefs(doc, "canonical", ""); len(got) != 1 || got[0] != s.srv.URL+views.ArticlePath(a) {
		t.Errorf("print view canonical %v", got)
	}
	// Bad values of the parameter: a Vietnamese 400, not the article.
	for _, q := range []string{"?in=2", "?in=%3Cscript%3E", "?in=1%27--", "?in=" + strings.Repeat("1", 500), "?in=%E1%BB%87"} {
		resp, body := s.get(t, views.ArticlePath(a)+q)
		if resp.StatusCode != 400 || !strings.Contains(body, "Tham số in không hợp lệ") {
			t.Errorf("%s: status %d", q, resp.StatusCode)
		}
		if strings.Contains(body, "<script>") {
			t.Errorf("%s reflected", q)
		}
	}
	// An old or bare link to the print view redirects to the canonical print view.
	resp, _ = s.get(t, "/bai-viet/"+strconv.FormatInt(a.ID, 10)+"?in=1")
	if resp.StatusCode != 301 || resp.Header.Get("Location") != views.ArticlePath(a)+"?in=1" {
		t.Errorf("bare id print view: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Parameters the page does not read (campaign tags on shared links) redirect to the
	// canonical URL, so they cannot fill the page cache.
	if resp, _ := s.get(t, views.ArticlePath(a)+"?utm_source=zalo&fbclid=x"); resp.StatusCode != 301 || resp.Header.Get("Location") != views.ArticlePath(a) {
		t.Errorf("tracking parameters: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestPagesOtherThanArticles(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	cats, err := s.app.DB.Categories(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	site := s.app.site.Load()
	cases := []struct {
		path, title, canonical string
		sectionFeed            string
	}{
		{"/", site.Name, s.srv.URL + "/", ""},
		{views.SectionPath(cats[0].Slug), cats[0].Name, s.srv.URL + views.SectionPath(cats[0].Slug), views.SectionRSSPath(cats[0].Slug)},
		{views.AboutENPath, "About us / Contact", s.srv.URL + views.AboutENPath, ""},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			resp, body := s.get(t, c.path)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			doc := parse(t, body)
			if got, _ := metaContent(doc, "og:title"); got != c.title {
				t.Errorf("og:title %q, want %q", got, c.title)
			}
			if got, _ := metaContent(doc, "og:type"); got != "website" {
				t.Errorf("og:type %q", got)
			}
			if got, _ := metaContent(doc, "og:url"); got != c.canonical {
				t.Errorf("og:url %q, want %q", got, c.canonical)
			}
			if got := linkHrefs(doc, "canonical", ""); len(got) != 1 || got[0] != c.canonical {
				t.Errorf("canonical %v", got)
			}
			if got, _ := metaContent(doc, "og:locale"); got != "vi_VN" {
				t.Errorf("og:locale %q", got)
			}
			if got, _ := metaContent(doc, "twitter:card"); got != "summary" {
				t.Errorf("twitter:card %q", got)
			}
			rss := linkHrefs(doc, "alternate", "application/rss+xml")
			if len(rss) == 0 || rss[0] != views.SiteRSSPath {
				t.Errorf("site feed not advertised: %v", rss)
			}
			if c.sectionFeed != "" && (len(rss) != 2 || rss[1] != c.sectionFeed) {
				t.Errorf("section feed not advertised: %v", rss)
			}
			lds := jsonLD(t, doc) // parses, if any
			if c.path == "/" && (len(lds) != 1 || lds[0]["@type"] != "WebSite" || lds[0]["url"] != c.canonical) {
				t.Errorf("home JSON-LD %v", lds)
			}
		})
	}
	// A section without a description of its own still gets one.
	if _, err := s.app.DB.Writer().ExecContext(ctx, `UPDATE categories SET description = '' WHERE id = ?`, cats[0].ID); err != nil {
		t.Fatal(err)
	}
	_, body := s.get(t, views.SectionPath(cats[0].Slug))
	if got, _ := metaContent(parse(t, body), "og:description"); !strings.Contains(got, cats[0].Name) {
		t.Errorf("section without description: og:description %q", got)
	}

	// Error pages are noindex and still advertise the feed.
	_, body = s.get(t, "/khong-co")
	doc := parse(t, body)
	if robots, _ := metaContent(doc, "robots"); robots != "noindex" {
		t.Errorf("404 robots %q", robots)
	}
	if len(linkHrefs(doc, "alternate", "application/rss+xml")) == 0 {
		t.Error("404 page without the feed link")
	}
}

func TestAboutEnglish(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	_, body := s.get(t, views.AboutENPath)
	doc := parse(t, body)
	art := find(doc, byClass("about-en"))
	if len(art) != 1 || attr(art[0], "lang") != "en" {
		t.Fatal("no English article marked lang=en")
	}
	if !strings.Contains(text(art[0]), "editor-in-chief") || !strings.Contains(text(art[0]), s.app.site.Load().Name) {
		t.Errorf("default text missing: %.300s", text(art[0]))
	}
	// The setting replaces the default; markup in it is text, paragraphs split at blank
	// lines, and NFD input is stored... shown as NFC.
	custom := "Contact: Tòa soạn\r\n<script>alert(1)</script>\n\nSecond <b>paragraph</b> with e\u0301 accents."
	if err := s.app.DB.SetSetting(ctx, db.SettingAboutEN, custom); err != nil {
		t.Fatal(err)
	}
	resp, body := s.get(t, views.AboutENPath)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc = parse(t, body)
	art = find(doc, byClass("about-en"))
	ps := find(art[0], byTag("p"))
	if len(ps) < 2 || text(ps[0]) != "Contact: Tòa soạn <script>alert(1)</script>" || text(ps[1]) != "Second <b>paragraph</b> with é accents." {
		t.Errorf("paragraphs: %q", text(art[0]))
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(text(art[0]), "editor-in-chief") {
		t.Error("setting rendered as HTML, or the default text still shown")
	}
	// A setting of only spaces falls back to the default.
	if err := s.app.DB.SetSetting(ctx, db.SettingAboutEN, "  \n\n "); err != nil {
		t.Fatal(err)
	}
	if _, body := s.get(t, views.AboutENPath); !strings.Contains(body, "editor-in-chief") {
		t.Error("blank setting does not fall back to the default text")
	}
	if resp, _ := s.do(t, http.MethodPost, views.AboutENPath, nil); resp.StatusCode != 405 {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}
