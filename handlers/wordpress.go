package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"toasoan/db"
	"toasoan/views"
)

// wordpressRedirects keeps a WordPress site's old addresses working after
// `toasoan import-wxr`: /?p=123, /?page_id=7, /?cat=5 and /YYYY/MM/post-name/ (also with /DD/) answer
// 301 to the imported article or section. It is a middleware, not a mux route, because a
// pattern like /{year}/{month}/{slug}/ conflicts with /static/{path...} on the stdlib mux.
// Anything it does not recognise, or that was not imported, goes on to the routes.
func (a *App) wordpressRedirects(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			target, gone := a.wordpressTarget(r)
			if target != "" {
				http.Redirect(w, r, target, http.StatusMovedPermanently)
				return
			}
			if gone {
				// WordPress answers 404 for an id it does not show; the home page here
				// would be a soft 404 that search engines keep indexing.
				a.fail(w, r, errNotFound())
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// wordpressTarget is the new path for an old WordPress URL, "" when there is none;
// gone reports a WordPress id (?p=, ?cat=) that is unknown or not public: a 404.
func (a *App) wordpressTarget(r *http.Request) (target string, gone bool) {
	ctx := r.Context()
	if r.URL.Path == "/" {
		if r.URL.RawQuery == "" {
			return "", false // the home page itself: no lookup
		}
		q := r.URL.Query()
		if id, ok := wordpressNumber(q.Get("p")); ok {
			local, err := a.DB.WordPressArticle(ctx, id)
			if err != nil && !errors.Is(err, db.ErrNotFound) {
				a.Log.Error("wordpress redirect", "err", err)
			}
			if err == nil {
				target = a.publicArticlePath(r, local)
			}
			return target, target == ""
		}
		if id, ok := wordpressNumber(q.Get("page_id")); ok {
			slug, err := a.DB.WordPressPage(ctx, id)
			if err != nil && !errors.Is(err, db.ErrNotFound) {
				a.Log.Error("wordpress redirect", "err", err)
			}
			if err != nil {
				return "", true
			}
			return views.StaticPagePath(slug), false
		}
		if id, ok := wordpressNumber(q.Get("cat")); ok {
			if c, err := a.DB.WordPressCategory(ctx, id); err == nil && !c.Hidden {
				return views.SectionPath(c.Slug), false
			}
			return "", true
		}
		return "", false
	}
	year, month, name, ok := parseWordPressPermalink(r.URL.Path)
	if !ok {
		return "", false
	}
	local, err := a.DB.WordPressPermalink(ctx, year, month, name)
	if err != nil {
		if !errors.Is(err, db.ErrNotFound) {
			a.Log.Error("wordpress redirect", "err", err)
		}
		return "", false
	}
	return a.publicArticlePath(r, local), false
}

// publicArticlePath is the article's path when readers may see it; drafts stay hidden.
func (a *App) publicArticlePath(r *http.Request, id int64) string {
	art, err := a.DB.PublicArticle(r.Context(), id, a.Now())
	if err != nil {
		return ""
	}
	return views.ArticlePath(art)
}

// wordpressNumber reads a WordPress id from a query value: digits only, at most 18.
func wordpressNumber(s string) (int64, bool) {
	if s == "" || len(s) > 18 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// parseWordPressPermalink reads /YYYY/MM/name/ or /YYYY/MM/DD/name/ (trailing slash
// optional). name is as WordPress compares it: lower case, NFC.
func parseWordPressPermalink(path string) (year, month int, name string, ok bool) {
	// Every GET passes here: leave at once when the path cannot start with a year.
	trimmed := strings.Trim(path, "/")
	if trimmed == "" || trimmed[0] < '0' || trimmed[0] > '9' {
		return 0, 0, "", false
	}
	parts := strings.Split(trimmed, "/")
	if len(parts) != 3 && len(parts) != 4 {
		return 0, 0, "", false
	}
	if !allDigits(parts[0], 4) || !allDigits(parts[1], 2) {
		return 0, 0, "", false
	}
	if len(parts) == 4 && !allDigits(parts[2], 2) {
		return 0, 0, "", false
	}
	year, _ = strconv.Atoi(parts[0])
	month, _ = strconv.Atoi(parts[1])
	name = strings.ToLower(norm.NFC.String(parts[len(parts)-1]))
	if month < 1 || month > 12 || name == "" || len(name) > 400 {
		return 0, 0, "", false
	}
	return year, month, name, true
}

func allDigits(s string, n int) bool {
	return len(s) == n && strings.TrimLeft(s, "0123456789") == ""
}
