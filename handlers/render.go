package handlers

import (
	"net/http"
	"strconv"

	"toasoan/views"
)

// htmx header names, in one place.
const (
	// Request headers.
	hxRequest = "HX-Request"
	hxTarget  = "HX-Target"
	// hxHistoryRestore marks htmx's request for a whole page after the back button.
	hxHistoryRestore = "HX-History-Restore-Request"

	// Response headers.
	hxPushURL  = "HX-Push-Url"
	hxRedirect = "HX-Redirect"
	hxRefresh  = "HX-Refresh"
	hxRetarget = "HX-Retarget"
	hxReswap   = "HX-Reswap"
)

// isHTMX reports whether htmx sent the request and wants a fragment. A history restore
// (the back button, once the page has left htmx's cache) comes from htmx too but needs the
// whole page.
func isHTMX(r *http.Request) bool {
	return r.Header.Get(hxRequest) == "true" && r.Header.Get(hxHistoryRestore) != "true"
}

// newPage fills the data every page needs.
func (a *App) newPage(r *http.Request, title string) views.Page {
	site := *a.site.Load()
	return views.Page{
		Site:  site,
		Title: title,
		Path:  r.URL.Path,
		Now:   a.Now(),
	}
}

// absoluteURL turns a path into an absolute URL on the configured base URL. It never
// reads the request: the Host header is the client's to choose, and a page rendered for
// one client is served from the cache (and by shared caches) to every other.
func (a *App) absoluteURL(path string) string {
	return a.Config.BaseURL + path
}

// withNav loads the menu's sections and the static pages linked from the menu and the
// footer into the page.
func (a *App) withNav(r *http.Request, p *views.Page) error {
	nav, err := a.DB.Categories(r.Context(), false)
	if err != nil {
		return err
	}
	p.Nav = nav
	if p.NavPages, err = a.DB.LinkedPages(r.Context()); err != nil {
		return err
	}
	return nil
}

// render renders a whole page into a buffer first, so a template error becomes a clean
// 500 instead of half a page.
func (a *App) render(w http.ResponseWriter, status int, name string, p views.Page) error {
	body, err := a.Views.Page(name, p)
	if err != nil {
		return err
	}
	a.writeHTML(w, status, body)
	return nil
}

// renderFragment renders one block of a page for an htmx swap.
func (a *App) renderFragment(w http.ResponseWriter, status int, name, block string, data any) error {
	body, err := a.Views.Fragment(name, block, data)
	if err != nil {
		return err
	}
	a.writeHTML(w, status, body)
	return nil
}

func (a *App) writeHTML(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// fieldLimits are the length limits the handlers enforce, by the name templates use for
// them in maxlength="{{maxlen "…"}}": the browser stops the reader where the server would.
var fieldLimits = map[string]int{
	"comment.name":             maxCommentName,
	"comment.title":            maxCommentTitle,
	"comment.edit.title":       maxEditedCommentTitle,
	"comment.edit.body":        maxEditedCommentBody,
	"article.title":            maxArticleTitle,
	"article.slug":             maxArticleSlug,
	"article.lead":             maxArticleLead,
	"article.byline":           maxArticleByline,
	"article.coverAlt":         maxCoverAlt,
	"article.note":             maxReviewNote,
	"article.search":           maxAdminSearch,
	"section.name":             maxSectionName,
	"section.description":      maxSectionDesc,
	"settings.siteName":        maxSiteName,
	"settings.siteDescription": maxSiteDesc,
	"page.title":               maxPageTitle,
	"page.slug":                maxPageSlug,
	"login.name":               maxUserNameLen,
}

// pageCount is how many pages of perPage items hold total items: at least one, so an
// empty list is page 1 of 1.
func pageCount(total, perPage int) int {
	return max(1, (total+perPage-1)/perPage)
}
