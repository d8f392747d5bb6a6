// Package sanitize owns the HTML policies: what markup an article body may keep, and the
// plain-text cleaning of reader input. Each policy is built once (building one is costly)
// and is never changed after, so sharing it between goroutines is safe.
package sanitize

import (
	"html"
	"regexp"
	"slices"
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
var articlePolicy = buildArticlePolicy(MediaSrc)

// importedPolicy is the article policy for bodies brought from WordPress: their pictures
// may also keep an absolute http(s) address (the old site's uploads) when they were not
// brought into the media library. The Content-Security-Policy still decides whether a
// browser loads them.
var importedPolicy = buildArticlePolicy(importedSrc)

var importedSrc = regexp.MustCompile(`^(?:/media/[0-9]{1,18}(?:\?w=[0-9]{1,5})?|https?://[^\s<>"'\\]+)$`)

// plainPolicy keeps no markup at all: reader input is plain text.
var plainPolicy = bluemonday.StrictPolicy()

// MediaSrc matches the only image sources an article may use: the site's own stored images
// (/media/{id}, optionally ?w=), so an article can neither hot-link nor track readers.
var MediaSrc = regexp.MustCompile(`^/media/[0-9]{1,18}(\?w=[0-9]{1,5})?$`)

func buildArticlePolicy(imgSrc *regexp.Regexp) *bluemonday.Policy {
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
	p.AllowAttrs("src").Matching(imgSrc).OnElements("img")
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.Integer).OnElements("img")
	// Figures wrap a picture and its caption; <small> in a caption is the photo credit.
	// Two kinds of figure are ours, named by class: a gallery (a list of pictures) and a
	// video embed, stored as its provider and video id only (never an iframe or a URL):
	// tidy checks the pair, ForReaders turns it into a click-to-load link.
	p.AllowElements("figure", "figcaption", "small")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(gallery|embed)$`)).OnElements("figure")
	p.AllowAttrs("data-provider").Matching(regexp.MustCompile(`^(youtube|facebook)$`)).OnElements("figure")
	p.AllowAttrs("data-id").Matching(regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`)).OnElements("figure")
	// Nothing of an editor's own bookkeeping (Trix's data-trix-attachment JSON can hold
	// markup and javascript: URLs; contenteditable, draggable, its classes): not allowed.
	// No style, id or event attributes anywhere and no class but the figure kinds above:
	// the site's CSS styles the body (bluemonday has no CSS sanitizer).
	return p
}

// ArticleHTML returns body HTML safe to render as template.HTML: NFC-normalized first
// (bluemonday does not normalize), then reduced to the article policy.
func ArticleHTML(s string) string {
	return tidy(articlePolicy.Sanitize(norm.NFC.String(s)))
}

// ImportedHTML is ArticleHTML for a body imported from WordPress: pictures not brought
// into the media library keep their absolute address.
func ImportedHTML(s string) string {
	return tidy(importedPolicy.Sanitize(norm.NFC.String(s)))
}

// tidy re-serializes a body through the HTML parser, so every element it opens is
// closed inside it (bluemonday keeps an unclosed <table> or <blockquote>, which would
// swallow the rest of the page, the comment form, the footer, when rendered). On the way
// it checks what the policy cannot see across attributes: a video embed keeps its
// provider and id only when the id has that provider's shape (else the figure goes), no
// other element keeps them, and every picture has an alt attribute (empty when unknown,
// so a screen reader skips it rather than reading its address).
func tidy(body string) string {
	nodes, ok := parseBody(body)
	if !ok {
		return "" // unreachable for a string reader; never pass on what could not be parsed
	}
	root := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	walkTidy(root)
	nodes = nodes[:0]
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		nodes = append(nodes, c)
	}
	return renderBody(nodes)
}

func parseBody(body string) ([]*xhtml.Node, bool) {
	ctx := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := xhtml.ParseFragment(strings.NewReader(body), ctx)
	return nodes, err == nil
}

func renderBody(nodes []*xhtml.Node) string {
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

// walkTidy applies tidy's checks below n; a figure that is not a valid embed loses its
// embed attributes, and one claiming to be an embed without a valid id is removed.
func walkTidy(n *xhtml.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == xhtml.ElementNode {
			switch c.DataAtom {
			case atom.Img:
				if _, ok := attrOf(c, "alt"); !ok {
					c.Attr = append(c.Attr, xhtml.Attribute{Key: "alt"})
				}
			case atom.P:
				// An empty paragraph (an editor's trailing line, two Enters) is only space;
				// in a table cell it is the cell's content and stays.
				if emptyElement(c) && n.DataAtom != atom.Td && n.DataAtom != atom.Th {
					n.RemoveChild(c)
					c = next
					continue
				}
			case atom.Figure:
				_, _, valid := Embed(c)
				if cls, _ := attrOf(c, "class"); cls == "embed" && !valid {
					n.RemoveChild(c)
					c = next
					continue
				}
				if !valid {
					dropAttrs(c, "data-provider", "data-id")
				}
			}
			walkTidy(c)
		}
		c = next
	}
}

// Embed reports the provider and video id of a stored video embed
// (<figure class="embed" data-provider="youtube" data-id="…">), checked against the shape
// of that provider's ids.
func Embed(n *xhtml.Node) (provider, id string, ok bool) {
	if n.DataAtom != atom.Figure {
		return "", "", false
	}
	cls, _ := attrOf(n, "class")
	provider, _ = attrOf(n, "data-provider")
	id, _ = attrOf(n, "data-id")
	if cls != "embed" {
		return "", "", false
	}
	switch provider {
	case "youtube":
		ok = youtubeID.MatchString(id)
	case "facebook":
		ok = facebookID.MatchString(id)
	}
	return provider, id, ok
}

// The ids the two video providers use: YouTube's are 11 characters of base64url,
// Facebook's videos are numbers.
var (
	youtubeID  = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
	facebookID = regexp.MustCompile(`^[0-9]{1,20}$`)
)

// emptyElement says whether n holds nothing but white space.
func emptyElement(n *xhtml.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != xhtml.TextNode || strings.TrimSpace(c.Data) != "" {
			return false
		}
	}
	return true
}

func attrOf(n *xhtml.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func dropAttrs(n *xhtml.Node, keys ...string) {
	out := n.Attr[:0]
	for _, a := range n.Attr {
		if !slices.Contains(keys, a.Key) {
			out = append(out, a)
		}
	}
	n.Attr = out
}

var voidSlash = strings.NewReplacer(`"/>`, `">`, "<br/>", "<br>", "<hr/>", "<hr>")

// PlainText turns submitted text — a reader's comment, a moderator's edit, an imported
// excerpt or comment — into plain text to store, keeping its line breaks: NFC,
// zero-width and control characters out, spaces collapsed, every tag stripped and
// entities decoded, so html/template escapes it exactly once on output.
func PlainText(s string) string {
	// Normalizing twice changes nothing (fuzzed in vntext): text stripMarkup left as it
	// was needs no second pass.
	n := vntext.NormalizeMultiline(s)
	if out := stripMarkup(n); out != n {
		return vntext.NormalizeMultiline(out)
	}
	return n
}

// PlainLine is PlainText for a one-line field (a name, a title): line breaks become spaces.
func PlainLine(s string) string {
	n := vntext.Normalize(s)
	if out := stripMarkup(n); out != n {
		return vntext.Normalize(out)
	}
	return n
}

// stripMarkup removes every tag and unescapes what the policy escaped. It repeats until
// nothing changes: "&lt;b&gt;" would otherwise unescape into a tag-like "<b>" stored for
// the next reader of the text. If that does not settle (deeply nested escapes), angle
// brackets are dropped.
func stripMarkup(s string) string {
	// Text without '<' or '&' holds no markup and nothing to unescape: the policy gives it
	// back unchanged (a CR or a NUL it would alter, so those take the long way), and
	// running it anyway was most of what cleaning a plain comment cost.
	if !strings.ContainsAny(s, "<&\r\x00") {
		return s
	}
	return stripMarkupUntilStable(s)
}

// stripMarkupUntilStable is stripMarkup through the policy.
func stripMarkupUntilStable(s string) string {
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

// excerptWords and excerptMore are WordPress's defaults for a generated excerpt
// (excerpt_length, excerpt_more).
const (
	excerptWords = 55
	excerptMore  = " […]"
)

// Excerpt is the description WordPress generates for a post without an excerpt
// (wp_trim_excerpt): the body's text without markup, its first 55 words, then " […]"
// when there were more. A body cut short (as list queries load it) loses only its end.
func Excerpt(bodyHTML string) string {
	z := xhtml.NewTokenizer(strings.NewReader(bodyHTML))
	var words []string
	skip := 0 // inside <script> or <style>, whose text is not prose
	for len(words) <= excerptWords {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return strings.Join(words, " ")
		case xhtml.StartTagToken, xhtml.EndTagToken:
			name, _ := z.TagName()
			if a := atom.Lookup(name); a == atom.Script || a == atom.Style {
				if tt == xhtml.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
		case xhtml.TextToken:
			if skip == 0 {
				words = append(words, strings.Fields(norm.NFC.String(string(z.Text())))...)
			}
		}
	}
	return strings.Join(words[:excerptWords], " ") + excerptMore
}
