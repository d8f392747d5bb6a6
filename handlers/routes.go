package handlers

import (
	"net/http"
)

// Routes lists every URL of the portal in one place and wraps them in the middleware.
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()

	// Public site.
	mux.HandleFunc("GET /{$}", a.handle(a.home))
	mux.HandleFunc("GET /chuyen-muc/{slug}", a.handle(a.section))
	mux.HandleFunc("GET /bai-viet/{ref}", a.handle(a.article))
	mux.HandleFunc("GET /static/{path...}", a.handle(a.static))
	mux.HandleFunc("GET /healthz", a.healthz)

	// Comments.

	// Search.

	// Feeds, sitemap, robots.

	// Media.
	a.mediaRoutes(mux)

	// Back office.
	a.backOfficeRoutes(mux)

	var h http.Handler = a.routeOrError(mux)
	h = a.limitURL(h)
	h = securityHeaders(h)
	h = a.recoverPanics(h)
	h = a.logRequests(h)
	return h
}
