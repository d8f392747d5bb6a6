package handlers

import (
	"context"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"toasoan/db"
	"toasoan/views"
)

// xssTitle and xssLead are what an attacker-editor might type; they must come out as
// text everywhere: HTML meta tags, JSON-LD, feeds.
const (
	xssTitle = `Tin "nóng" </script><script>alert(1)</script> <b>đậm</b> & 'nháy'`
	xssLead  = `Mở đầu <img src=x onerror=alert(2)> ]]> --> "kết" & thúc`
)

// addPublished stores a published article in the first section, an hour before testNow.
func addPublished(t *testing.T, s *testSite, slug, title, lead string, cover int64) db.Article {
	t.Helper()
	ctx := context.Background()
	cats, err := s.app.DB.Categories(ctx, false)
	if err != nil || len(cats) == 0 {
		t.Fatalf("no sections: %v", err)
	}
	if cover != 0 {
		_, err := s.app.DB.Writer().ExecContext(ctx, `INSERT OR IGNORE INTO media (id, sha256, mime, size, width, height, data, created_at)
			VALUES (?, ?, 'image/jpeg', 3, 1200, 630, x'ffd8ff', 0)`, cover, "sha-"+slug)
		if err != nil {
			t.Fatal(err)
		}
	}
	id, err := s.app.DB.CreateArticle(ctx, db.Article{Slug: slug, Title: title, Lead: lead, BodyHTML: "<p>Nội dung</p>",
		Byline: "Phóng viên <i>A</i>", CategoryID: cats[0].ID, Status: db.StatusPublished,
		PublishAt: testNow.Add(-time.Minute), CoverMediaID: cover, CoverAlt: "Ảnh bìa"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.app.DB.PublicArticle(ctx, id, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type rssResult struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title string `xml:"title"`
		Links []struct {
			XMLName xml.Name
			Href    string `xml:"href,attr"`
			Rel     string `xml:"rel,attr"`
			Text    string `xml:",chardata"`
		} `xml:"link"` // the RSS link and the atom:link rel=self
		Language      string `xml:"language"`
		LastBuildDate string `xml:"lastBuildDate"`
		Items         []struct {
			Title       string `xml:"title"`
			Link        string `xml:"link"`
			GUID        string `xml:"guid"`
			Description string `xml:"description"`
			Category    string `xml:"category"`
			PubDate     string `xml:"pubDate"`
		} `xml:"item"`
	} `xml:"channel"`
}

// link is the channel's RSS <link>; self its atom:link rel=self.
func (r rssResult) link() (link, self string) {
	for _, l := range r.Channel.Links {
		switch {
		case l.XMLName.Space == "":
			link = l.Text
		case l.XMLName.Space == "http://www.w3.org/2005/Atom" && l.Rel == "self":
			self = l.Href
		}
	}
	return link, self
}

func decodeXML(t *testing.T, body string, v any) {
	t.Helper()
	if err := xml.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("not well-formed XML: %v\n%.500s", err, body)
	}
}

func TestRSSFeeds(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	xss := addPublished(t, s, "tin-xss", xssTitle, xssLead, 0)
	all, err := s.app.DB.PublicArticles(ctx, db.PublicListQuery{Limit: feedSize}, testNow)
	if err != nil {
		t.Fatal(err)
	}

	resp, body := s.get(t, "/rss.xml")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/rss+xml; charset=utf-8" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var feed rssResult
	decodeXML(t, body, &feed)
	ch := feed.Channel
	if link, self := feed.link(); feed.Version != "2.0" || ch.Language != "vi" || link != s.srv.URL+"/" || self != s.srv.URL+"/rss.xml" {
		t.Errorf("channel: version %q lang %q link %q self %q", feed.Version, ch.Language, link, self)
	}
	if len(ch.Items) != len(all) || len(all) != feedSize {
		t.Fatalf("%d items, want %d", len(ch.Items), len(all))
	}
	for i, it := range ch.Items {
		want := all[i]
		if it.Title != want.Title || it.Description != want.Lead || it.Category != want.CategoryName {
			t.Errorf("item %d: %q / %q, want %q / %q", i, it.Title, it.Description, want.Title, want.Lead)
		}
		if it.Link != s.srv.URL+views.ArticlePath(want) || it.GUID != it.Link {
			t.Errorf("item %d link %q guid %q", i, it.Link, it.GUID)
		}
		pub, err := time.Parse(time.RFC1123Z, it.PubDate)
		if err != nil || !pub.Equal(want.PublishAt) {
			t.Errorf("item %d pubDate %q (%v), want %v", i, it.PubDate, err, want.PublishAt)
		}
		if !strings.HasSuffix(it.PubDate, "+0700") {
			t.Errorf("pubDate %q not in the site's zone", it.PubDate)
		}
	}
	if ch.Items[0].Title != xss.Title || ch.Items[0].Description != xss.Lead {
		t.Errorf("hostile title/lead not carried as text: %q / %q", ch.Items[0].Title, ch.Items[0].Description)
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "<img") {
		t.Error("raw markup from a title or lead in the feed")
	}
	if lbd, err := time.Parse(time.RFC1123Z, ch.LastBuildDate); err != nil || !lbd.Equal(xss.UpdatedAt) && !lbd.Equal(xss.PublishAt) {
		t.Errorf("lastBuildDate %q: %v", ch.LastBuildDate, err)
	}
	if lm, err := http.ParseTime(resp.Header.Get("Last-Modified")); err != nil || lm.Before(xss.PublishAt.Truncate(time.Second)) {
		t.Errorf("Last-Modified %q", resp.Header.Get("Last-Modified"))
	}

	// A section's feed lists only that section.
	cats, err := s.app.DB.Categories(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	sec := cats[1]
	_, body = s.get(t, views.SectionRSSPath(sec.Slug))
	var sf rssResult
	decodeXML(t, body, &sf)
	n, err := s.app.DB.CountPublicArticles(ctx, sec.ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(sf.Channel.Items) != min(n, feedSize) || n == 0 {
		t.Errorf("section feed has %d items, section has %d", len(sf.Channel.Items), n)
	}
	for _, it := range sf.Channel.Items {
		if it.Category != sec.Name {
			t.Errorf("item of %q in the feed of %q", it.Category, sec.Name)
		}
	}
	if link, self := sf.link(); link != s.srv.URL+views.SectionPath(sec.Slug) || self != s.srv.URL+views.SectionRSSPath(sec.Slug) {
		t.Errorf("section feed link %q self %q", link, self)
	}

	// Unknown, hidden and renamed sections.
	if resp, _ := s.get(t, "/chuyen-muc/khong-co/rss.xml"); resp.StatusCode != 404 {
		t.Errorf("unknown section feed: %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, "/chuyen-muc/%3Cscript%3E/atom.xml"); resp.StatusCode != 404 {
		t.Errorf("hostile slug: %d", resp.StatusCode)
	}
	if _, err := s.app.DB.Writer().ExecContext(ctx, `INSERT INTO category_redirects (old_slug, category_id) VALUES ('cu', ?)`, sec.ID); err != nil {
		t.Fatal(err)
	}
	resp, _ = s.get(t, "/chuyen-muc/cu/rss.xml")
	if resp.StatusCode != 301 || resp.Header.Get("Location") != views.SectionRSSPath(sec.Slug) {
		t.Errorf("old slug: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := s.app.DB.Writer().ExecContext(ctx, `UPDATE categories SET hidden = 1 WHERE id = ?`, sec.ID); err != nil {
		t.Fatal(err)
	}
	s.app.invalidateCaches() // as every write through db does
	if resp, _ := s.get(t, views.SectionRSSPath(sec.Slug)); resp.StatusCode != 404 {
		t.Errorf("hidden section feed: %d", resp.StatusCode)
	}
}

func TestFeedsUseBaseURL(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	s.app.Config.BaseURL = "https://tin.example.vn"
	_, body := s.get(t, "/rss.xml")
	var feed rssResult
	decodeXML(t, body, &feed)
	if link, _ := feed.link(); link != "https://tin.example.vn/" || !strings.HasPrefix(feed.Channel.Items[0].Link, "https://tin.example.vn/bai-viet/") {
		t.Errorf("links ignore -base-url: %q, %q", link, feed.Channel.Items[0].Link)
	}
	_, body = s.get(t, "/robots.txt")
	if !strings.Contains(body, "\nSitemap: https://tin.example.vn/sitemap.xml\n") {
		t.Errorf("robots.txt: %q", body)
	}
}

type atomResult struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
	} `xml:"link"`
	Author struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Published string `xml:"published"`
		Updated   string `xml:"updated"`
		Summary   string `xml:"summary"`
		Link      struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

func TestAtomFeeds(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	xss := addPublished(t, s, "tin-xss", xssTitle, xssLead, 0)
	for _, path := range []string{"/atom.xml", views.SectionAtomPath(xss.CategorySlug)} {
		resp, body := s.get(t, path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("%s: status %d type %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var f atomResult
		decodeXML(t, body, &f)
		if len(f.Entries) == 0 || f.Author.Name == "" {
			t.Fatalf("%s: %d entries, author %q", path, len(f.Entries), f.Author.Name)
		}
		var self bool
		for _, l := range f.Links {
			self = self || (l.Rel == "self" && l.Href == s.srv.URL+path)
		}
		if !self {
			t.Errorf("%s: no rel=self link to itself: %+v", path, f.Links)
		}
		e := f.Entries[0]
		if e.Title != xss.Title || e.Summary != xss.Lead || e.ID != s.srv.URL+views.ArticlePath(xss) || e.Link.Href != e.ID {
			t.Errorf("%s: first entry %+v", path, e)
		}
		for _, ts := range []string{f.Updated, e.Published, e.Updated} {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Errorf("%s: date %q: %v", path, ts, err)
			}
		}
	}
}

type sitemapResult struct {
	XMLName xml.Name
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
	Sitemaps []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"sitemap"`
}

func TestSitemap(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	total, err := s.app.DB.CountPublicArticles(ctx, 0, testNow)
	if err != nil {
		t.Fatal(err)
	}
	cats, err := s.app.DB.Categories(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	// A draft and a scheduled article must not be listed.
	draft := must(s.app.DB.CreateArticle(ctx, db.Article{Slug: "ban-nhap", Title: "Bản nháp", CategoryID: cats[0].ID, Status: db.StatusDraft}))
	later := must(s.app.DB.CreateArticle(ctx, db.Article{Slug: "hen-gio", Title: "Hẹn giờ", CategoryID: cats[0].ID,
		Status: db.StatusPublished, PublishAt: testNow.Add(time.Hour)}))

	resp, body := s.get(t, "/sitemap.xml")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/xml") {
		t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var sm sitemapResult
	decodeXML(t, body, &sm)
	if sm.XMLName.Local != "urlset" || sm.XMLName.Space != "http://www.sitemaps.org/schemas/sitemap/0.9" {
		t.Fatalf("root %v", sm.XMLName)
	}
	want := 2 + len(cats) + total
	if len(sm.URLs) != want {
		t.Errorf("%d URLs, want %d (home, English page, %d sections, %d articles)", len(sm.URLs), want, len(cats), total)
	}
	seen := map[string]bool{}
	for _, u := range sm.URLs {
		if !strings.HasPrefix(u.Loc, s.srv.URL+"/") {
			t.Errorf("relative or foreign loc %q", u.Loc)
		}
		if seen[u.Loc] {
			t.Errorf("duplicate %q", u.Loc)
		}
		seen[u.Loc] = true
		if u.LastMod != "" {
			if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil {
				t.Errorf("lastmod %q: %v", u.LastMod, err)
			}
		} else if u.Loc != s.srv.URL+views.AboutENPath {
			t.Errorf("no lastmod on %q", u.Loc)
		}
		if strings.HasSuffix(u.Loc, "-"+strconv.FormatInt(draft, 10)) || strings.HasSuffix(u.Loc, "-"+strconv.FormatInt(later, 10)) {
			t.Errorf("unpublished article listed: %q", u.Loc)
		}
	}
	for _, c := range cats {
		if !seen[s.srv.URL+views.SectionPath(c.Slug)] {
			t.Errorf("section %q missing", c.Slug)
		}
	}
	a := latestArticle(t, s)
	if !seen[s.srv.URL+views.ArticlePath(a)] {
		t.Errorf("article %q missing", views.ArticlePath(a))
	}

	// Over the limit, /sitemap.xml becomes an index whose files list every URL once.
	s.app.Config.SitemapMaxURLs = 7
	s.app.invalidateCaches() // the sitemap is cached
	_, body = s.get(t, "/sitemap.xml")
	var idx sitemapResult
	decodeXML(t, body, &idx)
	files := (want + 6) / 7
	if idx.XMLName.Local != "sitemapindex" || len(idx.Sitemaps) != files {
		t.Fatalf("index %q with %d files, want %d", idx.XMLName.Local, len(idx.Sitemaps), files)
	}
	paged := map[string]bool{}
	for i, f := range idx.Sitemaps {
		if f.Loc != s.srv.URL+"/sitemap.xml?page="+strconv.Itoa(i+1) {
			t.Errorf("file %d at %q", i+1, f.Loc)
		}
		resp, body := s.get(t, strings.TrimPrefix(f.Loc, s.srv.URL))
		var part sitemapResult
		decodeXML(t, body, &part)
		if resp.StatusCode != 200 || part.XMLName.Local != "urlset" || len(part.URLs) == 0 || len(part.URLs) > 7 {
			t.Fatalf("file %d: status %d, %q with %d URLs", i+1, resp.StatusCode, part.XMLName.Local, len(part.URLs))
		}
		for _, u := range part.URLs {
			if paged[u.Loc] {
				t.Errorf("%q in two files", u.Loc)
			}
			paged[u.Loc] = true
		}
	}
	if len(paged) != len(seen) {
		t.Errorf("index files list %d URLs, the single sitemap %d", len(paged), len(seen))
	}
	for loc := range seen {
		if !paged[loc] {
			t.Errorf("%q lost when split", loc)
		}
	}

	for _, c := range []struct {
		query  string
		status int
	}{
		{"?page=0", 400}, {"?page=-1", 400}, {"?page=abc", 400}, {"?page=1%27%20OR%201=1", 400},
		{"?page=99999999999999999999", 400}, {"?page=" + strconv.Itoa(files+1), 404},
	} {
		resp, body := s.get(t, "/sitemap.xml"+c.query)
		if resp.StatusCode != c.status || !strings.Contains(body, "class=\"site-header\"") {
			t.Errorf("%s: status %d, want %d with the Vietnamese error page", c.query, resp.StatusCode, c.status)
		}
	}
	// An empty page number is no page number: the index.
	if resp, _ := s.get(t, "/sitemap.xml?page="); resp.StatusCode != 301 || resp.Header.Get("Location") != "/sitemap.xml" {
		t.Errorf("?page=: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestRobotsTxt(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	resp, body := s.get(t, "/robots.txt")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if lines[0] != "User-agent: *" {
		t.Errorf("first line %q", lines[0])
	}
	for _, want := range []string{"Disallow: /admin/", "Disallow: /*/binh-luan", "Disallow: /*?binh-luan=", "Disallow: /ma-bao-mat/", "Sitemap: " + s.srv.URL + "/sitemap.xml"} {
		found := false
		for _, l := range lines {
			found = found || l == want
		}
		if !found {
			t.Errorf("robots.txt lacks %q:\n%s", want, body)
		}
	}
	for _, l := range lines {
		if l == "Disallow: /" || l == "Disallow: /bai-viet/" {
			t.Errorf("robots.txt hides the public site: %q", l)
		}
	}
}
