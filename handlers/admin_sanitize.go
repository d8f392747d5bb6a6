package handlers

import (
	"regexp"
	"strconv"

	"github.com/microcosm-cc/bluemonday"

	"toasoan/views"
)

// mediaSrc matches the only image sources an article may use: the site's own stored
// images (views.MediaPath), so an article can neither hot-link nor track readers.
var mediaSrc = regexp.MustCompile(`^/media/[0-9]{1,18}(\?w=[0-9]{1,5})?$`)

// articlePolicy is the one policy for article bodies, built once at start. The editor's
// HTML is never trusted: everything not allowed here is stripped.
func articlePolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	// Paragraph-level structure. Trix writes blocks as <div>; headings are <h2>–<h4> since
	// the page's <h1> is the title.
	p.AllowElements("p", "div", "br", "h2", "h3", "h4", "blockquote", "pre", "hr")
	// Inline emphasis the editor offers, plus sub/sup for units and footnotes.
	p.AllowElements("strong", "b", "em", "i", "del", "s", "u", "sub", "sup", "code")
	// Lists.
	p.AllowLists()
	// Tables for results and schedules; only structure, no styling attributes.
	p.AllowElements("table", "thead", "tbody", "tfoot", "tr", "caption")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowAttrs("scope").Matching(regexp.MustCompile(`^(row|col)$`)).OnElements("th")
	p.AllowElements("td", "th")
	// Links: http(s) and mailto only, parsed; outside links get rel="nofollow noopener"
	// and open in a new tab (target=_blank with noopener, set by the policy).
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	// Images from our own /media/ only, with their size (no layout shift) and alt text.
	p.AllowAttrs("src").Matching(mediaSrc).OnElements("img")
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.Integer).OnElements("img")
	// Figures with captions wrap pictures. Trix keeps what it needs to edit a picture again
	// (its URL, type and caption) in data attributes of the figure: inert for readers.
	p.AllowElements("figure", "figcaption")
	p.AllowAttrs("data-trix-attachment", "data-trix-attributes").OnElements("figure")
	p.AllowAttrs("data-trix-content-type").Matching(regexp.MustCompile(`^image/(jpeg|png|webp|gif)$`)).OnElements("figure")
	// No style, class, id or event attributes anywhere: the site's CSS styles the body.
	return p
}

// bodyImage finds the stored images of a sanitized body (the policy allows no others).
var bodyImage = regexp.MustCompile(`<img src="/media/([0-9]{1,18})(?:\?w=[0-9]{1,5})?"`)

// withSrcset gives every image of a sanitized body the srcset of its resized copies, so
// a phone downloads the 320 or 640 px copy.
func withSrcset(body string) string {
	return bodyImage.ReplaceAllStringFunc(body, func(tag string) string {
		m := bodyImage.FindStringSubmatch(tag)
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return tag
		}
		return tag + ` srcset="` + views.MediaSrcset(id) + `" sizes="(max-width: 760px) 100vw, 760px"`
	})
}

// sanitizeBody is the one way an article body is cleaned before it is stored.
func (a *App) sanitizeBody(s string) string { return withSrcset(a.back.policy.Sanitize(s)) }
