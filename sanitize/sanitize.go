// Package sanitize owns the HTML policies: what markup an article body may keep, and the
// plain-text cleaning of reader input. Each policy is built once (building one is costly)
// and is never changed after, so sharing it between goroutines is safe.
package sanitize

import (
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/text/unicode/norm"
)

// articlePolicy is what an article body may contain: the structure of news writing
// (paragraphs, headings, lists, quotes, tables, figures with captions, links, images),
// and nothing that runs code or restyles the page.
var articlePolicy = buildArticlePolicy()

// plainPolicy keeps no markup at all.
var plainPolicy = bluemonday.StrictPolicy()

func buildArticlePolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	// Text structure of an article.
	p.AllowElements("p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code",
		"ul", "ol", "li", "dl", "dt", "dd")
	// Inline emphasis editors use; <span> and <div> stay only as plain wrappers (no attributes).
	p.AllowElements("b", "strong", "i", "em", "u", "s", "sub", "sup", "small", "mark", "span", "div")
	// Tables: election results, schedules, price lists.
	p.AllowElements("table", "caption", "thead", "tbody", "tfoot", "tr")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowElements("td", "th")
	// Photos with captions, the main illustration of news articles.
	p.AllowElements("figure", "figcaption")
	p.AllowImages() // <img src alt width height>, with src limited to safe URL schemes below
	// Links: only http(s), mailto and relative URLs; external links get rel=nofollow
	// noopener and open in a new tab, so a linked site cannot script the portal's window.
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").Globally()
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	// Text alignment and language classes from editors are deliberately NOT allowed: no
	// class, no style (bluemonday has no CSS sanitizer), no id (would clash with the page).
	return p
}

// ArticleHTML returns body HTML safe to render as template.HTML: NFC-normalized first
// (bluemonday does not normalize), then reduced to the article policy.
func ArticleHTML(s string) string {
	return articlePolicy.Sanitize(norm.NFC.String(s))
}

var spaceRun = regexp.MustCompile(`[ \t]+`)

// PlainText strips all markup from s and returns plain text to store (the template
// escapes it on output): NFC, tags removed, entities decoded, runs of spaces collapsed.
func PlainText(s string) string {
	t := html.UnescapeString(plainPolicy.Sanitize(norm.NFC.String(s)))
	return strings.TrimSpace(spaceRun.ReplaceAllString(t, " "))
}

// tagLike is an HTML tag: "<" or "</", an ASCII tag name, then a space, "/" or ">". A
// Vietnamese word in angle brackets ("<không>") is not a tag, so titles keep it.
var tagLike = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9]*(?:[\s/][^>]*)?>`)

// Title returns a one-line plain-text title from text that may hold HTML tags and
// entities (WordPress titles do): tags dropped, entities decoded, NFC, spaces collapsed.
// Unlike PlainText it keeps text that merely looks bracketed, like "<không chuyên mục>".
func Title(s string) string {
	t := html.UnescapeString(tagLike.ReplaceAllString(norm.NFC.String(s), ""))
	return strings.Join(strings.Fields(t), " ")
}
