// Package sanitize owns the HTML policies: what markup an article body may keep, and the
// plain-text cleaning of reader input. Each policy is built once (building one is costly)
// and is never changed after, so sharing it between goroutines is safe.
package sanitize

import (
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"

	"toasoan/internal/vntext"
)

// articlePolicy is the one policy for article bodies — the back office's editor and the
// WordPress import both go through it. The editor's HTML is never trusted: everything not
// allowed here is stripped.
var articlePolicy = buildArticlePolicy()

// plainPolicy keeps no markup at all: reader input is plain text.
var plainPolicy = bluemonday.StrictPolicy()

// MediaSrc matches the only image sources an article may use: the site's own stored images
// (/media/{id}, optionally ?w=), so an article can neither hot-link nor track readers.
var MediaSrc = regexp.MustCompile(`^/media/[0-9]{1,18}(\?w=[0-9]{1,5})?$`)

func buildArticlePolicy() *bluemonday.Policy {
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
	p.AllowAttrs("src").Matching(MediaSrc).OnElements("img")
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.Integer).OnElements("img")
	// Figures with captions wrap pictures. Trix keeps what it needs to edit a picture again
	// (its URL, type and caption) in data attributes of the figure: inert for readers.
	p.AllowElements("figure", "figcaption")
	p.AllowAttrs("data-trix-attachment", "data-trix-attributes").OnElements("figure")
	p.AllowAttrs("data-trix-content-type").Matching(regexp.MustCompile(`^image/(jpeg|png|webp|gif)$`)).OnElements("figure")
	// No style, class, id or event attributes anywhere: the site's CSS styles the body
	// (bluemonday has no CSS sanitizer).
	return p
}

// ArticleHTML returns body HTML safe to render as template.HTML: NFC-normalized first
// (bluemonday does not normalize), then reduced to the article policy.
func ArticleHTML(s string) string {
	return balanced(articlePolicy.Sanitize(norm.NFC.String(s)))
}

// balanced re-serializes a body through the HTML parser, so every element it opens is
// closed inside it: bluemonday keeps an unclosed <table> or <blockquote>, which would
// swallow the rest of the page (the comment form, the footer) when rendered.
func balanced(body string) string {
	ctx := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := xhtml.ParseFragment(strings.NewReader(body), ctx)
	if err != nil {
		return "" // unreachable for a string reader; never pass on what could not be parsed
	}
	var sb strings.Builder
	for _, n := range nodes {
		if err := xhtml.Render(&sb, n); err != nil {
			return ""
		}
	}
	// The renderer writes void elements XML-style (<br/>, <img …/>); HTML needs no slash.
	// Attribute values are escaped, so `"/>` can only end a tag.
	return voidSlash.Replace(sb.String())
}

var voidSlash = strings.NewReplacer(`"/>`, `">`, "<br/>", "<br>", "<hr/>", "<hr>")

// PlainText turns submitted text — a reader's comment, a moderator's edit, an imported
// excerpt or comment — into plain text to store, keeping its line breaks: NFC,
// zero-width and control characters out, spaces collapsed, every tag stripped and
// entities decoded, so html/template escapes it exactly once on output.
func PlainText(s string) string {
	return vntext.NormalizeMultiline(stripMarkup(vntext.NormalizeMultiline(s)))
}

// PlainLine is PlainText for a one-line field (a name, a title): line breaks become spaces.
func PlainLine(s string) string {
	return vntext.Normalize(stripMarkup(vntext.Normalize(s)))
}

// stripMarkup removes every tag and unescapes what the policy escaped. It repeats until
// nothing changes: "&lt;b&gt;" would otherwise unescape into a tag-like "<b>" stored for
// the next reader of the text. If that does not settle (deeply nested escapes), angle
// brackets are dropped.
func stripMarkup(s string) string {
	for range 8 {
		out := html.UnescapeString(plainPolicy.Sanitize(s))
		if out == s {
			return s
		}
		s = out
	}
	return strings.NewReplacer("<", "", ">", "").Replace(s)
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
