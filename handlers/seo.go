package handlers

import (
	"net/http"
	"strings"
	"time"

	"toasoan/db"
	"toasoan/views"
)

// printViewParam is the query parameter of an article's print view (?in=1).
const printViewParam = "in"

// ldThing is a schema.org Person or Organization in JSON-LD.
type ldThing struct {
	Type string   `json:"@type"`
	Name string   `json:"name"`
	URL  string   `json:"url,omitempty"`
	Logo *ldImage `json:"logo,omitempty"`
}

// ldImage is a schema.org ImageObject.
type ldImage struct {
	Type string `json:"@type"`
	URL  string `json:"url"`
}

// newsArticleLD is the schema.org NewsArticle search engines read from an article page.
// html/template marshals it with encoding/json inside <script type="application/ld+json">,
// which escapes <, > and & as \u003c..., so no title can close the script element.
type newsArticleLD struct {
	Context          string    `json:"@context"`
	Type             string    `json:"@type"`
	Headline         string    `json:"headline"`
	Description      string    `json:"description,omitempty"`
	URL              string    `json:"url"`
	MainEntityOfPage string    `json:"mainEntityOfPage"`
	Image            []string  `json:"image,omitempty"`
	DatePublished    string    `json:"datePublished"`
	DateModified     string    `json:"dateModified"`
	ArticleSection   string    `json:"articleSection,omitempty"`
	InLanguage       string    `json:"inLanguage"`
	Author           []ldThing `json:"author"`
	Publisher        ldThing   `json:"publisher"`
}

// webSiteLD describes the site itself on the home page.
type webSiteLD struct {
	Context     string  `json:"@context"`
	Type        string  `json:"@type"`
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	URL         string  `json:"url"`
	InLanguage  string  `json:"inLanguage"`
	Publisher   ldThing `json:"publisher"`
}

// publisherLD is the newsroom as a schema.org Organization with its logo.
func (a *App) publisherLD(site views.Site) ldThing {
	return ldThing{Type: "Organization", Name: site.Name, URL: a.absoluteURL("/"),
		Logo: &ldImage{Type: "ImageObject", URL: a.absoluteURL(a.Assets.URL("img/logo.svg"))}}
}

// sectionFeeds are the alternate feeds of a section, advertised on its pages.
func sectionFeeds(slug, name string) []views.Feed {
	return []views.Feed{
		{Title: name + " - RSS", Type: "application/rss+xml", URL: views.SectionRSSPath(slug)},
		{Title: name + " - Atom", Type: "application/atom+xml", URL: views.SectionAtomPath(slug)},
	}
}

// parsePrintView reads ?in=: absent or empty for the normal page, 1 for the print view.
func parsePrintView(r *http.Request) (bool, error) {
	switch v := r.URL.Query().Get(printViewParam); v {
	case "":
		return false, nil
	case "1":
		return true, nil
	default:
		return false, errBadRequest("Tham số in không hợp lệ: dùng ?in=1 để mở bản in của bài viết.")
	}
}

// articleSEO fills an article page's metadata (OpenGraph, Twitter card, JSON-LD,
// share links, feeds), switches to the print view for ?in=1, and sets Last-Modified
// from everything the page shows that has a time: the article, its comments (posted or
// moderated) and the neighbouring articles listed under it.
func (a *App) articleSEO(w http.ResponseWriter, r *http.Request, p *views.Page, art db.Article, data articlePage) error {
	printView, err := parsePrintView(r)
	if err != nil {
		return err
	}
	modified := latest(art.PublishAt, art.UpdatedAt)
	m := views.Meta{
		Type: "article", Published: art.PublishAt, Modified: modified, SectionName: art.CategoryName,
		Feeds:     sectionFeeds(art.CategorySlug, art.CategoryName),
		Share:     &views.Share{URL: p.Canonical, Title: art.Title, PrintPath: views.ArticlePath(art) + "?" + printViewParam + "=1", Published: art.PublishAt},
		PrintView: printView,
	}
	if printView {
		m.Robots = "noindex, follow" // the canonical link already points at the article
	}
	loc := a.Views.Location()
	ld := newsArticleLD{
		Context: "https://schema.org", Type: "NewsArticle", Headline: art.Title, Description: views.Description(art),
		URL: p.Canonical, MainEntityOfPage: p.Canonical,
		DatePublished: art.PublishAt.In(loc).Format(time.RFC3339), DateModified: modified.In(loc).Format(time.RFC3339),
		ArticleSection: art.CategoryName, InLanguage: "vi", Publisher: a.publisherLD(p.Site),
	}
	if art.CoverMediaID != 0 {
		m.Image, m.ImageAlt = a.absoluteURL(views.MediaPath(art.CoverMediaID, 0)), art.CoverAlt
		ld.Image = []string{m.Image}
	}
	if byline := strings.TrimSpace(art.Byline); byline != "" {
		ld.Author = []ldThing{{Type: "Person", Name: byline}}
	} else {
		ld.Author = []ldThing{{Type: "Organization", Name: p.Site.Name, URL: a.absoluteURL("/")}}
	}
	m.LinkedData = ld
	p.Meta = m

	commentsAt, err := a.DB.CommentsChangedAt(r.Context(), art.ID)
	if err != nil {
		return err
	}
	lastModified := latest(modified, commentsAt)
	for _, list := range [][]db.Article{data.Newer, data.Older} {
		for _, n := range list {
			lastModified = latest(lastModified, n.PublishAt, n.UpdatedAt)
		}
	}
	setLastModified(w, lastModified)
	return nil
}

// sectionSEO advertises a section's own feeds on its page, and gives it a description
// when the section has none of its own.
func sectionSEO(p *views.Page, c db.Category) {
	p.Meta.Feeds = sectionFeeds(c.Slug, c.Name)
	if strings.TrimSpace(p.Description) == "" {
		p.Description = "Tin tức, bài viết chuyên mục " + c.Name + " - " + p.Site.Name
	}
}

// homeSEO describes the site as a schema.org WebSite on the home page.
func (a *App) homeSEO(r *http.Request, p *views.Page) {
	p.Meta.LinkedData = webSiteLD{Context: "https://schema.org", Type: "WebSite", Name: p.Site.Name,
		Description: p.Site.Description, URL: a.absoluteURL("/"), InLanguage: "vi", Publisher: a.publisherLD(p.Site)}
}
