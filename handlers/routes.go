package handlers

import (
	"net/http"
)

// Routes lists every URL of the portal in one place and wraps them in the middleware.
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()

	// Public site.
	mux.HandleFunc("GET /{$}", a.handle(a.cached(a.home)))
	mux.HandleFunc("GET /chuyen-muc/{slug}", a.handle(a.cached(a.section, pageParam)))
	mux.HandleFunc("GET /bai-viet/{ref}", a.handle(a.cached(a.article, printParam, commentFormParam)))
	mux.HandleFunc("GET /chu-de/{slug}", a.handle(a.cached(a.tag, pageParam)))
	mux.HandleFunc("GET /trang/{slug}", a.handle(a.cached(a.staticPageView)))
	mux.HandleFunc("GET /static/{path...}", a.handle(a.static))
	mux.HandleFunc("GET /healthz", a.healthz)

	// Comments.
	mux.Handle("POST /bai-viet/{id}/binh-luan", a.comments.cop.Handler(a.handle(a.postComment)))
	mux.HandleFunc("GET /bai-viet/{id}/binh-luan", a.handle(a.commentListFragment))
	mux.HandleFunc("GET /bai-viet/{id}/binh-luan/bieu-mau", a.handle(a.formSecrets))
	mux.HandleFunc("GET /bai-viet/{id}/binh-luan/ma-bao-mat", a.handle(a.refreshCaptcha))
	mux.HandleFunc("GET "+captchaImagePrefix+"{id}", a.handle(a.captchaImage))
	mux.HandleFunc("GET "+captchaImagePrefix+"{id}/am-thanh", a.handle(a.captchaAudio))
	mux.HandleFunc("GET /bai-viet/{id}/binh-luan/{cid}/tra-loi", a.handle(a.replyForm))
	mux.Handle("POST /binh-luan/{id}/thich", a.comments.cop.Handler(a.handle(a.likeComment)))

	// Search.
	mux.HandleFunc("GET /tim-kiem", a.handle(a.cachedSearch(a.search)))

	// Feeds, sitemap, robots.
	mux.HandleFunc("GET /rss.xml", a.handle(a.feed(a.siteRSS)))
	mux.HandleFunc("GET /atom.xml", a.handle(a.feed(a.siteAtom)))
	mux.HandleFunc("GET /chuyen-muc/{slug}/rss.xml", a.handle(a.feed(a.sectionRSS)))
	mux.HandleFunc("GET /chuyen-muc/{slug}/atom.xml", a.handle(a.feed(a.sectionAtom)))
	mux.HandleFunc("GET /chu-de/{slug}/rss.xml", a.handle(a.feed(a.tagRSS)))
	mux.HandleFunc("GET /chu-de/{slug}/atom.xml", a.handle(a.feed(a.tagAtom)))
	mux.HandleFunc("GET /sitemap.xml", a.handle(a.feed(a.sitemap, sitemapPageParam)))
	mux.HandleFunc("GET /robots.txt", a.handle(a.feed(a.robots)))
	mux.HandleFunc("GET /en/about", a.handle(a.cached(a.aboutEN)))

	// Media.
	a.mediaRoutes(mux)

	// Back office.
	a.backOfficeRoutes(mux)

	var h http.Handler = a.routeOrError(mux)
	h = a.limitBodies(h)
	h = a.cacheAndCompress(h)
	h = a.pagesBeforeRouting(h) // a cached public page needs no route (handlers/pagecache.go)
	h = a.wordpressRedirects(h) // old WordPress URLs after import-wxr (handlers/wordpress.go)
	h = a.limitURL(h)
	h = a.securityHeaders(h)
	h = a.recoverPanics(h)
	h = a.logRequests(h)
	return h
}
