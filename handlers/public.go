package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"toasoan/db"
	"toasoan/views"
)

// List sizes of the public pages.
const (
	homeLatest       = 6
	homePerSection   = 3
	sectionPageSize  = 15
	neighbourCount   = 5
	relatedCount     = 3 // one row of the three-column grid
	maxPageParameter = 1_000_000
)

// homePage is the home page's data.
type homePage struct {
	Lead     *db.Article
	Featured []db.Article // "Tin nổi bật": the editors' pins after the lead
	Latest   []db.Article
	Blocks   []sectionBlock
}

type sectionBlock struct {
	Category db.Category
	Articles []db.Article
}

func (a *App) home(w http.ResponseWriter, r *http.Request) error {
	ctx, now := r.Context(), a.Now()
	p := a.newPage(r, "")
	p.Description = p.Site.Description
	p.Canonical = a.absoluteURL("/")
	if err := a.withNav(r, &p); err != nil {
		return err
	}
	// The editors' pins lead (the first is the lead story); without pins the newest
	// article does. "Tin mới" then lists the newest of the rest.
	featured, err := a.DB.FeaturedArticles(ctx, now)
	if err != nil {
		return err
	}
	latest, err := a.DB.PublicArticles(ctx, db.PublicListQuery{Limit: homeLatest + 1 + len(featured)}, now)
	if err != nil {
		return err
	}
	var data homePage
	shown := map[int64]bool{}
	if len(featured) > 0 {
		data.Lead, data.Featured = &featured[0], featured[1:]
		for _, f := range featured {
			shown[f.ID] = true
		}
	} else if len(latest) > 0 {
		data.Lead = &latest[0]
		shown[latest[0].ID] = true
	}
	for _, l := range latest {
		if !shown[l.ID] && len(data.Latest) < homeLatest {
			data.Latest = append(data.Latest, l)
		}
	}
	for _, c := range p.Nav {
		list, err := a.DB.PublicArticles(ctx, db.PublicListQuery{CategoryID: c.ID, Limit: homePerSection}, now)
		if err != nil {
			return err
		}
		if len(list) > 0 {
			data.Blocks = append(data.Blocks, sectionBlock{Category: c, Articles: list})
		}
	}
	p.Main = data
	a.homeSEO(r, &p)
	return a.render(w, http.StatusOK, "home", p)
}

// sectionPage is a section page's data.
type sectionPage struct {
	Category   db.Category
	Articles   []db.Article
	Pagination views.Pagination
}

func (a *App) section(w http.ResponseWriter, r *http.Request) error {
	ctx, now := r.Context(), a.Now()
	slug := r.PathValue("slug")
	c, err := a.DB.CategoryBySlug(ctx, slug)
	if errors.Is(err, db.ErrNotFound) {
		if current, rerr := a.DB.CategoryRedirect(ctx, slug); rerr == nil {
			http.Redirect(w, r, views.SectionPath(current), http.StatusMovedPermanently)
			return nil
		}
		return errNotFound()
	}
	if err != nil {
		return err
	}
	if c.Hidden {
		return errNotFound()
	}
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	total, err := a.DB.CountPublicArticles(ctx, c.ID, now)
	if err != nil {
		return err
	}
	pages := pageCount(total, sectionPageSize)
	if page > pages {
		return &Error{Status: http.StatusNotFound, Message: "Chuyên mục không có trang này."}
	}
	list, err := a.DB.PublicArticles(ctx, db.PublicListQuery{CategoryID: c.ID, Limit: sectionPageSize, Offset: (page - 1) * sectionPageSize}, now)
	if err != nil {
		return err
	}
	title := c.Name
	if page > 1 {
		title += " - Trang " + strconv.Itoa(page)
	}
	p := a.newPage(r, title)
	p.Section = c.Slug
	p.Description = c.Description
	canonical := views.SectionPath(c.Slug)
	if page > 1 {
		canonical += "?page=" + strconv.Itoa(page)
	}
	p.Canonical = a.absoluteURL(canonical)
	if err := a.withNav(r, &p); err != nil {
		return err
	}
	p.Main = sectionPage{Category: c, Articles: list,
		Pagination: views.Pagination{Page: page, Pages: pages, BasePath: views.SectionPath(c.Slug)}}
	sectionSEO(&p, c)
	return a.render(w, http.StatusOK, "section", p)
}

// parsePage reads ?page=, which must be a whole number from 1.
func parsePage(r *http.Request) (int, error) {
	s := r.URL.Query().Get("page")
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPageParameter {
		return 0, errBadRequest("Số trang không hợp lệ: hãy dùng một số nguyên từ 1 trở lên.")
	}
	return n, nil
}

// articlePage is an article page's data.
type articlePage struct {
	Article  db.Article
	Views    int64
	Tags     []db.Tag
	Related  []db.Article // sharing its tags first, then of its section
	Newer    []db.Article
	Older    []db.Article
	Comments commentSection
	Sidebar  articleSidebar
}

// articleSidebar is the article page's side column at desktop widths (below the comments
// on a phone): most read, newest, and the office's links and hotline (from Site.Legal).
type articleSidebar struct {
	Featured []db.Article // the editors' pins ("Tin nổi bật"), in their order
	MostRead []db.Article
	Latest   []db.Article
}

// sidebarCount is how many articles each sidebar list shows.
const sidebarCount = 5

// articleSidebar loads the sidebar's lists.
func (a *App) articleSidebar(ctx context.Context) (articleSidebar, error) {
	var s articleSidebar
	var err error
	now := a.Now()
	if s.Featured, err = a.DB.FeaturedArticles(ctx, now); err != nil {
		return s, err
	}
	if s.MostRead, err = a.DB.MostReadArticles(ctx, sidebarCount, now); err != nil {
		return s, err
	}
	s.Latest, err = a.DB.PublicArticles(ctx, db.PublicListQuery{Limit: sidebarCount}, now)
	return s, err
}

// parseArticleRef reads the id at the end of "slug-123" (or a bare "123").
func parseArticleRef(ref string) (int64, bool) {
	idPart := ref
	if i := strings.LastIndexByte(ref, '-'); i >= 0 {
		idPart = ref[i+1:]
	}
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil || id < 1 || strings.HasPrefix(idPart, "+") {
		return 0, false
	}
	return id, true
}

func (a *App) article(w http.ResponseWriter, r *http.Request) error {
	ctx, now := r.Context(), a.Now()
	ref := r.PathValue("ref")
	id, ok := parseArticleRef(ref)
	if !ok {
		return errNotFound()
	}
	art, err := a.DB.PublicArticle(ctx, id, now)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return errNotFound()
		}
		return err
	}
	canonical := views.ArticlePath(art)
	if r.URL.Path != canonical {
		target := canonical
		if q := r.URL.RawQuery; q != "" { // keep ?in=1 (print view) and campaign tags
			target += "?" + q
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return nil
	}
	a.countView(w, art.ID)
	p, err := a.articleView(w, r, art, nil)
	if err != nil {
		return err
	}
	if !p.Main.(articlePage).Comments.Form.Deferred {
		// One-time form values are inline: this copy is for one reader only.
		w.Header().Set("Cache-Control", "private, no-store")
	}
	return a.render(w, http.StatusOK, "article", p)
}

// articleView builds an article page. form is the comment form to show (nil: a fresh
// one); the comment handler passes a refused form to show it again with its errors.
// It sets the page's Last-Modified on w.
func (a *App) articleView(w http.ResponseWriter, r *http.Request, art db.Article, form *commentForm) (views.Page, error) {
	ctx, now := r.Context(), a.Now()
	var err error
	data := articlePage{Article: art}
	if data.Tags, err = a.DB.ArticleTags(ctx, art.ID); err != nil {
		return views.Page{}, err
	}
	if data.Related, err = a.DB.RelatedArticles(ctx, art, relatedCount, now); err != nil {
		return views.Page{}, err
	}
	if data.Newer, err = a.DB.NeighbourArticles(ctx, art, true, neighbourCount, now); err != nil {
		return views.Page{}, err
	}
	if data.Older, err = a.DB.NeighbourArticles(ctx, art, false, neighbourCount, now); err != nil {
		return views.Page{}, err
	}
	if data.Comments, err = a.commentSection(r, art, form); err != nil {
		return views.Page{}, err
	}
	if data.Sidebar, err = a.articleSidebar(ctx); err != nil {
		return views.Page{}, err
	}
	data.Views = art.Views + a.Counts.Pending(art.ID)
	p := a.newPage(r, art.Title)
	p.Section = art.CategorySlug
	p.Description = views.Description(art)
	p.Canonical = a.absoluteURL(views.ArticlePath(art))
	if err := a.withNav(r, &p); err != nil {
		return views.Page{}, err
	}
	p.Main = data
	if err := a.articleSEO(w, r, &p, art, data); err != nil {
		return views.Page{}, err
	}
	return p, nil
}

func (a *App) static(w http.ResponseWriter, r *http.Request) error {
	if !a.Assets.Serve(w, r, r.PathValue("path")) {
		return errNotFound()
	}
	return nil
}

// healthz answers 200 when the database answers a query, 503 when it does not.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := a.DB.Ping(ctx); err != nil {
		a.Log.Error("health check", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}
