package handlers

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"time"

	"toasoan/db"
	"toasoan/views"
)

// feedSize is how many of the newest articles a feed carries.
const feedSize = 30

// sitemapProtocolLimit is the most URLs one sitemap file may list (sitemaps.org).
const sitemapProtocolLimit = 50_000

// rssDoc is an RSS 2.0 document. Every text goes through encoding/xml, which escapes it
// and replaces characters XML cannot carry.
type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Generator     string    `xml:"generator"`
	Self          atomLink  `xml:"http://www.w3.org/2005/Atom link"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	GUID        rssGUID `xml:"guid"`
	Description string  `xml:"description,omitempty"`
	Category    string  `xml:"category,omitempty"`
	PubDate     string  `xml:"pubDate"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// atomFeed is an Atom (RFC 4287) document.
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"xml:lang,attr"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Entries  []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Link      atomLink    `xml:"link"`
	Published string      `xml:"published"`
	Updated   string      `xml:"updated"`
	Summary   string      `xml:"summary,omitempty"`
	Author    *atomPerson `xml:"author,omitempty"`
	Category  *atomCat    `xml:"category,omitempty"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

// feedSource is what one feed lists: the whole site or one section.
type feedSource struct {
	title, description string
	pagePath           string // the HTML page the feed mirrors
	selfPath           string
	articles           []db.Article
}

// newest is the latest publish or update time among the feed's articles.
func (f feedSource) newest() time.Time {
	var t time.Time
	for _, a := range f.articles {
		t = latest(t, a.PublishAt, a.UpdatedAt)
	}
	return t
}

// latest returns the latest of some times.
func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

func (a *App) siteFeed(r *http.Request, selfPath string) (feedSource, error) {
	list, err := a.DB.PublicArticles(r.Context(), db.PublicListQuery{Limit: feedSize}, a.Now())
	if err != nil {
		return feedSource{}, err
	}
	site := a.site.Load()
	return feedSource{title: site.Name, description: site.Description, pagePath: "/", selfPath: selfPath, articles: list}, nil
}

// sectionFeed loads a section's feed; an old slug redirects (ok false, response written).
func (a *App) sectionFeed(w http.ResponseWriter, r *http.Request, pathOf func(string) string) (feedSource, bool, error) {
	slug := r.PathValue("slug")
	c, err := a.DB.CategoryBySlug(r.Context(), slug)
	if errors.Is(err, db.ErrNotFound) {
		if current, rerr := a.DB.CategoryRedirect(r.Context(), slug); rerr == nil {
			http.Redirect(w, r, pathOf(current), http.StatusMovedPermanently)
			return feedSource{}, false, nil
		}
		return feedSource{}, false, errNotFound()
	}
	if err != nil {
		return feedSource{}, false, err
	}
	if c.Hidden {
		return feedSource{}, false, errNotFound()
	}
	list, err := a.DB.PublicArticles(r.Context(), db.PublicListQuery{CategoryID: c.ID, Limit: feedSize}, a.Now())
	if err != nil {
		return feedSource{}, false, err
	}
	site := a.site.Load()
	desc := c.Description
	if desc == "" {
		desc = c.Name + " - " + site.Name
	}
	return feedSource{title: c.Name + " - " + site.Name, description: desc, pagePath: views.SectionPath(c.Slug),
		selfPath: pathOf(c.Slug), articles: list}, true, nil
}

func (a *App) siteRSS(w http.ResponseWriter, r *http.Request) error {
	f, err := a.siteFeed(r, views.SiteRSSPath)
	if err != nil {
		return err
	}
	return a.writeRSS(w, r, f)
}

func (a *App) siteAtom(w http.ResponseWriter, r *http.Request) error {
	f, err := a.siteFeed(r, views.SiteAtomPath)
	if err != nil {
		return err
	}
	return a.writeAtom(w, r, f)
}

func (a *App) sectionRSS(w http.ResponseWriter, r *http.Request) error {
	f, ok, err := a.sectionFeed(w, r, views.SectionRSSPath)
	if err != nil || !ok {
		return err
	}
	return a.writeRSS(w, r, f)
}

func (a *App) sectionAtom(w http.ResponseWriter, r *http.Request) error {
	f, ok, err := a.sectionFeed(w, r, views.SectionAtomPath)
	if err != nil || !ok {
		return err
	}
	return a.writeAtom(w, r, f)
}

// rssDate is RFC 1123 with a numeric zone, the RFC 822 form RSS 2.0 asks for, in the
// site's zone so readers see Vietnamese local times.
func (a *App) rssDate(t time.Time) string { return t.In(a.Views.Location()).Format(time.RFC1123Z) }

// atomDate is RFC 3339 in the site's zone.
func (a *App) atomDate(t time.Time) string { return t.In(a.Views.Location()).Format(time.RFC3339) }

func (a *App) writeRSS(w http.ResponseWriter, r *http.Request, f feedSource) error {
	ch := rssChannel{
		Title: f.title, Link: a.absoluteURL(f.pagePath), Description: f.description, Language: "vi",
		Generator: "toasoan", Self: atomLink{Href: a.absoluteURL(f.selfPath), Rel: "self", Type: "application/rss+xml"},
	}
	if newest := f.newest(); !newest.IsZero() {
		ch.LastBuildDate = a.rssDate(newest)
	}
	for _, art := range f.articles {
		link := a.absoluteURL(views.ArticlePath(art))
		ch.Items = append(ch.Items, rssItem{Title: art.Title, Link: link, GUID: rssGUID{IsPermaLink: "true", Value: link},
			Description: views.Description(art), Category: art.CategoryName, PubDate: a.rssDate(art.PublishAt)})
	}
	return a.writeXML(w, "application/rss+xml; charset=utf-8", f.newest(), rssDoc{Version: "2.0", Channel: ch})
}

func (a *App) writeAtom(w http.ResponseWriter, r *http.Request, f feedSource) error {
	site := a.site.Load()
	updated := f.newest()
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	feed := atomFeed{
		Lang: "vi", ID: a.absoluteURL(f.pagePath), Title: f.title, Subtitle: f.description, Updated: a.atomDate(updated),
		Links: []atomLink{
			{Href: a.absoluteURL(f.selfPath), Rel: "self", Type: "application/atom+xml"},
			{Href: a.absoluteURL(f.pagePath), Rel: "alternate", Type: "text/html"},
		},
		Author: atomPerson{Name: site.Name},
	}
	for _, art := range f.articles {
		link := a.absoluteURL(views.ArticlePath(art))
		e := atomEntry{ID: link, Title: art.Title, Link: atomLink{Href: link, Rel: "alternate", Type: "text/html"},
			Published: a.atomDate(art.PublishAt), Updated: a.atomDate(latest(art.PublishAt, art.UpdatedAt)),
			Summary: views.Description(art), Category: &atomCat{Term: art.CategoryName}}
		if art.Byline != "" {
			e.Author = &atomPerson{Name: art.Byline}
		}
		feed.Entries = append(feed.Entries, e)
	}
	return a.writeXML(w, "application/atom+xml; charset=utf-8", f.newest(), feed)
}

// writeXML encodes a document into a buffer first (an encoding error is a clean 500),
// then sends it with Last-Modified when known.
func (a *App) writeXML(w http.ResponseWriter, ctype string, modified time.Time, doc any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	buf.WriteByte('\n')
	setLastModified(w, modified)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// sitemapURLSet is one sitemap file.
type sitemapURLSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemapIndex lists sitemap files once there are more URLs than one file may hold.
type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

// sitemap serves /sitemap.xml: every section, static page, tag with public articles,
// every public article and the fixed pages,
// with lastmod. Past SitemapMaxURLs URLs it is an index of /sitemap.xml?page=N files, kept
// at the root path because a sitemap may only list URLs under its own directory.
func (a *App) sitemap(w http.ResponseWriter, r *http.Request) error {
	ctx, now := r.Context(), a.Now()
	perFile := a.Config.SitemapMaxURLs
	if perFile <= 0 || perFile > sitemapProtocolLimit {
		perFile = sitemapProtocolLimit
	}
	page := 0
	if q := r.URL.Query(); q.Has("page") {
		n, err := strconv.Atoi(q.Get("page"))
		if err != nil || n < 1 || n > maxPageParameter {
			return errBadRequest("Số trang sơ đồ trang không hợp lệ: hãy dùng một số nguyên từ 1 trở lên.")
		}
		page = n
	}
	sections, err := a.DB.Categories(ctx, false)
	if err != nil {
		return err
	}
	lastBySection, err := a.DB.SectionsLastPublished(ctx, now)
	if err != nil {
		return err
	}
	total, err := a.DB.CountPublicArticles(ctx, 0, now)
	if err != nil {
		return err
	}
	newest := lastBySection[0]
	// The fixed URLs come first: home, the English page, then every section.
	fixed := []sitemapURL{{Loc: a.absoluteURL("/"), LastMod: w3cDate(newest)}, {Loc: a.absoluteURL(views.AboutENPath)}}
	for _, c := range sections {
		fixed = append(fixed, sitemapURL{Loc: a.absoluteURL(views.SectionPath(c.Slug)), LastMod: w3cDate(lastBySection[c.ID])})
	}
	// Then the published static pages and the tags that have public articles.
	pages, err := a.DB.Pages(ctx)
	if err != nil {
		return err
	}
	for _, pg := range pages {
		if pg.Status == db.PagePublished {
			fixed = append(fixed, sitemapURL{Loc: a.absoluteURL(views.StaticPagePath(pg.Slug)), LastMod: w3cDate(pg.UpdatedAt)})
		}
	}
	tags, err := a.DB.SitemapTags(ctx, now)
	if err != nil {
		return err
	}
	for _, t := range tags {
		fixed = append(fixed, sitemapURL{Loc: a.absoluteURL(views.TagPath(t.Slug)), LastMod: w3cDate(t.Modified)})
	}
	all := len(fixed) + total
	files := pageCount(all, perFile)
	if page == 0 && files > 1 {
		idx := sitemapIndex{}
		for i := 1; i <= files; i++ {
			idx.Sitemaps = append(idx.Sitemaps, sitemapURL{Loc: a.absoluteURL("/sitemap.xml?page=" + strconv.Itoa(i)), LastMod: w3cDate(newest)})
		}
		return a.writeXML(w, "application/xml; charset=utf-8", newest, idx)
	}
	if page == 0 {
		page = 1
	}
	if page > files {
		return &Error{Status: http.StatusNotFound, Message: "Sơ đồ trang không có trang này."}
	}
	start, end := (page-1)*perFile, min(page*perFile, all)
	set := sitemapURLSet{}
	if start < len(fixed) {
		set.URLs = append(set.URLs, fixed[start:min(end, len(fixed))]...)
	}
	if end > len(fixed) {
		offset := max(0, start-len(fixed))
		list, err := a.DB.SitemapArticles(ctx, now, end-len(fixed)-offset, offset)
		if err != nil {
			return err
		}
		for _, art := range list {
			set.URLs = append(set.URLs, sitemapURL{
				Loc:     a.absoluteURL(views.ArticlePath(db.Article{ID: art.ID, Slug: art.Slug})),
				LastMod: w3cDate(art.Modified),
			})
		}
	}
	return a.writeXML(w, "application/xml; charset=utf-8", newest, set)
}

// w3cDate is the W3C datetime form sitemaps use; "" for an unknown time.
func w3cDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// robotsRules keep crawlers out of the back office, the comment-posting endpoints under
// every article (POST /bai-viet/{ref}/binh-luan and its siblings) and captcha images.
const robotsRules = `User-agent: *
Disallow: /admin
Disallow: /admin/
Disallow: /*/binh-luan
Disallow: /*?binh-luan=
Disallow: ` + captchaImagePrefix + "\n"

// robots serves /robots.txt with the sitemap's absolute URL.
func (a *App) robots(w http.ResponseWriter, r *http.Request) error {
	body := robotsRules + "\nSitemap: " + a.absoluteURL("/sitemap.xml") + "\n"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write([]byte(body))
	return nil
}
