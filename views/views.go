// Package views owns all HTML: the embedded templates, their functions, and the renderer
// that parses every page once at start-up and renders into buffers.
package views

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"text/template/parse"
	"time"

	"toasoan/db"
	"toasoan/internal/sanitize"
	"toasoan/internal/vntext"
)

//go:embed layouts partials pages
var templateFiles embed.FS

// Renderer holds one parsed template set per page.
type Renderer struct {
	pages  map[string]*template.Template
	loc    atomic.Pointer[time.Location]
	limits atomic.Pointer[map[string]int]
}

// SetLimits gives the templates the field lengths the handlers enforce, by name, so a
// form's maxlength is the Go constant the handler checks and never a copy of it.
func (r *Renderer) SetLimits(limits map[string]int) { r.limits.Store(&limits) }

// maxlen is a field's length limit for maxlength attributes; an unknown name is a
// template error, so a typo fails the page's tests instead of dropping the limit.
func (r *Renderer) maxlen(name string) (int, error) {
	if m := r.limits.Load(); m != nil {
		if n, ok := (*m)[name]; ok {
			return n, nil
		}
	}
	return 0, fmt.Errorf("views: no length limit named %q", name)
}

// Options are what templates need from the outside.
type Options struct {
	AssetURL func(name string) string // hashed URL of a static asset
	Location *time.Location           // the site's time zone
}

// New parses the base layout, the partials and every page; a broken template stops
// start-up here rather than failing a request later.
func New(opts Options) (*Renderer, error) {
	r := &Renderer{pages: map[string]*template.Template{}}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	r.loc.Store(loc)
	base := template.New("").Funcs(r.funcs(opts))
	shared, err := fs.Glob(templateFiles, "layouts/*.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(templateFiles, "partials/*.html")
	if err != nil {
		return nil, err
	}
	base, err = base.ParseFS(templateFiles, append(shared, partials...)...)
	if err != nil {
		return nil, fmt.Errorf("views: %w", err)
	}
	pages, err := fs.Glob(templateFiles, "pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if t, err = t.ParseFS(templateFiles, p); err != nil {
			return nil, fmt.Errorf("views: %w", err)
		}
		trees := map[string]*parse.Tree{}
		for _, tt := range t.Templates() {
			trees[p+":"+tt.Name()] = tt.Tree
		}
		if err := checkAdminPaths(trees); err != nil {
			return nil, err
		}
		r.pages[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return r, nil
}

// SetLocation changes the time zone dates are shown in (a site setting).
func (r *Renderer) SetLocation(loc *time.Location) { r.loc.Store(loc) }

// Location is the site's time zone.
func (r *Renderer) Location() *time.Location { return r.loc.Load() }

// Page renders a whole page (its "base" layout) into bytes.
func (r *Renderer) Page(name string, data any) ([]byte, error) {
	return r.Fragment(name, "base", data)
}

// Fragment renders one named block of a page, for htmx requests that swap only it.
func (r *Renderer) Fragment(page, block string, data any) ([]byte, error) {
	t, ok := r.pages[page]
	if !ok {
		return nil, fmt.Errorf("views: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		return nil, fmt.Errorf("views: render %s/%s: %w", page, block, err)
	}
	return buf.Bytes(), nil
}

// HasPage reports whether a page template exists.
func (r *Renderer) HasPage(name string) bool {
	_, ok := r.pages[name]
	return ok
}

// ArticlePath is an article's canonical path: its slug and id, so the id finds it and
// the slug tells readers and search engines what it is about.
func ArticlePath(a db.Article) string {
	return "/bai-viet/" + a.Slug + "-" + strconv.FormatInt(a.ID, 10)
}

// SectionPath is a section's path.
func SectionPath(slug string) string { return "/chuyen-muc/" + slug }

// TagPath is a tag's (chủ đề) page.
func TagPath(slug string) string { return "/chu-de/" + slug }

// TagRSSPath is a tag's RSS feed.
func TagRSSPath(slug string) string { return TagPath(slug) + "/rss.xml" }

// TagAtomPath is a tag's Atom feed.
func TagAtomPath(slug string) string { return TagPath(slug) + "/atom.xml" }

// StaticPagePath is a static page's path (Giới thiệu, Liên hệ…).
func StaticPagePath(slug string) string { return "/trang/" + slug }

func (r *Renderer) funcs(opts Options) template.FuncMap {
	in := func(t time.Time) time.Time { return t.In(r.loc.Load()) }
	return template.FuncMap{
		"asset":      opts.AssetURL,
		"maxlen":     r.maxlen,
		"datetime":   func(t time.Time) string { return vntext.FormatDateTime(in(t)) },
		"date":       func(t time.Time) string { return vntext.FormatDate(in(t)) },
		"longdate":   func(t time.Time) string { return vntext.FormatLongDate(in(t)) },
		"isodate":    func(t time.Time) string { return in(t).Format(time.RFC3339) },
		"number":     func(n any) string { return vntext.FormatInt(toInt64(n)) },
		"adminPath":  adminPath,
		"articleURL": ArticlePath,
		"sectionURL": SectionPath,
		"tagURL":     TagPath,
		"pageURL":    StaticPagePath,
		// A sanitized body as readers get it: click-to-load video embeds, no old-editor bookkeeping.
		"articleBody": func(s string) template.HTML { return template.HTML(sanitize.ForReaders(s)) },
		"add":         func(a, b int) int { return a + b },
		"sub":         func(a, b int) int { return a - b },
		"mediaURL":    MediaPath,
		"mediaSrcset": MediaSrcset,
		"likeOf":      LikeOf,
		"telURL":      func(s string) template.URL { return template.URL(TelURL(s)) }, // digits and + only
		"filesize":    FileSize,
	}
}

// FileSize writes a byte count the way the library shows it: "850 B", "69,4 KB", "2,1 MB"
// (Vietnamese decimal comma).
func FileSize(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1000*1000:
		return strings.Replace(strconv.FormatFloat(float64(n)/1000, 'f', 1, 64), ".", ",", 1) + " KB"
	}
	return strings.Replace(strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64), ".", ",", 1) + " MB"
}

// MediaPath is the URL of a stored image at a given width (0 for the full size).
func MediaPath(id int64, width int) string {
	if width <= 0 {
		return "/media/" + strconv.FormatInt(id, 10)
	}
	return "/media/" + strconv.FormatInt(id, 10) + "?w=" + strconv.Itoa(width)
}

// MediaSrcset lists a stored image's resized copies for srcset (the server answers each
// width with the smallest stored copy at least that wide, or the full size).
func MediaSrcset(id int64) string {
	var b strings.Builder
	for i, w := range []int{320, 640, 960, 1280} {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(MediaPath(id, w) + " " + strconv.Itoa(w) + "w")
	}
	return b.String()
}

func toInt64(n any) int64 {
	switch v := n.(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case int32:
		return int64(v)
	}
	return 0
}

// Description is what an article says of itself in its meta description, og:description,
// JSON-LD and feeds: its lead, or for an article without one a text generated from the
// body as WordPress generates an excerpt. List queries load the start of the body only
// for articles without a lead, for this.
func Description(a db.Article) string {
	if a.Lead != "" {
		return a.Lead
	}
	return sanitize.Excerpt(a.BodyHTML)
}
