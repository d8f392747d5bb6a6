package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"toasoan/db"
	"toasoan/views"
)

// tagPageSize is how many articles a tag page lists.
const tagPageSize = 15

// tagPage is a tag's (chủ đề) page data.
type tagPage struct {
	Tag        db.Tag
	Articles   []db.Article
	Total      int
	Pagination views.Pagination
}

// findTag reads {slug}: a renamed tag's old slug redirects to pathOf(current slug) (ok
// false, response written); an unknown one is 404.
func (a *App) findTag(w http.ResponseWriter, r *http.Request, pathOf func(string) string) (db.Tag, bool, error) {
	slug := r.PathValue("slug")
	t, err := a.DB.TagBySlug(r.Context(), slug)
	if errors.Is(err, db.ErrNotFound) {
		if current, rerr := a.DB.TagRedirect(r.Context(), slug); rerr == nil {
			target := pathOf(current)
			if q := r.URL.RawQuery; q != "" {
				target += "?" + q
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return t, false, nil
		}
		return t, false, errNotFound()
	}
	return t, err == nil, err
}

// tag serves /chu-de/{slug}: the tag's public articles, newest first, paged.
func (a *App) tag(w http.ResponseWriter, r *http.Request) error {
	ctx, now := r.Context(), a.Now()
	t, ok, err := a.findTag(w, r, views.TagPath)
	if err != nil || !ok {
		return err
	}
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	total, err := a.DB.CountPublicTagArticles(ctx, t.ID, now)
	if err != nil {
		return err
	}
	pages := pageCount(total, tagPageSize)
	if page > pages {
		return &Error{Status: http.StatusNotFound, Message: "Chủ đề không có trang này."}
	}
	list, err := a.DB.PublicTagArticles(ctx, t.ID, tagPageSize, (page-1)*tagPageSize, now)
	if err != nil {
		return err
	}
	title := "Chủ đề: " + t.Name
	if page > 1 {
		title += " - Trang " + strconv.Itoa(page)
	}
	p := a.newPage(r, title)
	p.Description = "Tin tức, bài viết về " + t.Name + " - " + p.Site.Name
	canonical := views.TagPath(t.Slug)
	if page > 1 {
		canonical += "?page=" + strconv.Itoa(page)
	}
	p.Canonical = a.absoluteURL(canonical)
	if err := a.withNav(r, &p); err != nil {
		return err
	}
	p.Meta.Feeds = []views.Feed{
		{Title: t.Name + " - RSS", Type: "application/rss+xml", URL: views.TagRSSPath(t.Slug)},
		{Title: t.Name + " - Atom", Type: "application/atom+xml", URL: views.TagAtomPath(t.Slug)},
	}
	p.Main = tagPage{Tag: t, Articles: list, Total: total,
		Pagination: views.Pagination{Page: page, Pages: pages, BasePath: views.TagPath(t.Slug)}}
	return a.render(w, http.StatusOK, "tag", p)
}

// tagFeed loads a tag's feed; an old slug redirects (ok false, response written).
func (a *App) tagFeed(w http.ResponseWriter, r *http.Request, pathOf func(string) string) (feedSource, bool, error) {
	t, ok, err := a.findTag(w, r, pathOf)
	if err != nil || !ok {
		return feedSource{}, false, err
	}
	list, err := a.DB.PublicTagArticles(r.Context(), t.ID, feedSize, 0, a.Now())
	if err != nil {
		return feedSource{}, false, err
	}
	site := a.site.Load()
	return feedSource{title: t.Name + " - " + site.Name, description: "Chủ đề " + t.Name + " - " + site.Name,
		pagePath: views.TagPath(t.Slug), selfPath: pathOf(t.Slug), articles: list}, true, nil
}

func (a *App) tagRSS(w http.ResponseWriter, r *http.Request) error {
	f, ok, err := a.tagFeed(w, r, views.TagRSSPath)
	if err != nil || !ok {
		return err
	}
	return a.writeRSS(w, r, f)
}

func (a *App) tagAtom(w http.ResponseWriter, r *http.Request) error {
	f, ok, err := a.tagFeed(w, r, views.TagAtomPath)
	if err != nil || !ok {
		return err
	}
	return a.writeAtom(w, r, f)
}

// staticPage is a static page's data.
type staticPage struct {
	Page db.Page
}

// staticPageView serves /trang/{slug}: a published static page.
func (a *App) staticPageView(w http.ResponseWriter, r *http.Request) error {
	pg, err := a.DB.PublicPage(r.Context(), r.PathValue("slug"))
	if errors.Is(err, db.ErrNotFound) {
		return errNotFound()
	}
	if err != nil {
		return err
	}
	p := a.newPage(r, pg.Title)
	p.Canonical = a.absoluteURL(views.StaticPagePath(pg.Slug))
	p.Description = pg.Title + " - " + p.Site.Name
	if err := a.withNav(r, &p); err != nil {
		return err
	}
	p.Main = staticPage{Page: pg}
	return a.render(w, http.StatusOK, "static_page", p)
}
