package sanitize

import (
	"encoding/json"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ForReaders turns a stored (sanitized) body into what a reader's page carries: a video
// embed becomes a click-to-load link, so no third party is contacted until the reader
// asks (static/js/site.js swaps in the player; without JS the link opens the video), and a
// body stored by the old editor (Trix) loses that editor's bookkeeping and the file name
// and size it put in captions. A body with neither is returned as it is, unparsed: the
// common case costs two substring searches.
func ForReaders(body string) string {
	if strings.Contains(body, "data-trix") {
		body = ArticleHTML(withoutTrixCaptions(body))
	} else if imgWithoutAlt(body) {
		body = tidy(body)
	}
	if !strings.Contains(body, `class="embed"`) {
		return body
	}
	nodes, ok := parseBody(body)
	if !ok {
		return ""
	}
	for _, n := range nodes {
		walkEmbeds(n)
	}
	return renderBody(nodes)
}

// videoPage is where a reader's click goes without JS, and what site.js reads the
// player's address from.
func videoPage(provider, id string) (url, label string) {
	if provider == "facebook" {
		return "https://www.facebook.com/watch/?v=" + id, "Xem video trên Facebook"
	}
	return "https://www.youtube.com/watch?v=" + id, "Xem video trên YouTube"
}

func walkEmbeds(n *xhtml.Node) {
	if provider, id, ok := Embed(n); ok {
		url, label := videoPage(provider, id)
		n.Attr = []xhtml.Attribute{{Key: "class", Val: "embed embed-" + provider}}
		a := &xhtml.Node{Type: xhtml.ElementNode, Data: "a", DataAtom: atom.A, Attr: []xhtml.Attribute{
			{Key: "class", Val: "embed-load"}, {Key: "href", Val: url}, {Key: "rel", Val: "noopener"}}}
		a.AppendChild(&xhtml.Node{Type: xhtml.TextNode, Data: label})
		note := &xhtml.Node{Type: xhtml.ElementNode, Data: "span", DataAtom: atom.Span, Attr: []xhtml.Attribute{{Key: "class", Val: "embed-note"}}}
		note.AppendChild(&xhtml.Node{Type: xhtml.TextNode, Data: "Video chỉ được tải khi bạn bấm."})
		a.AppendChild(note)
		n.InsertBefore(a, n.FirstChild)
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xhtml.ElementNode {
			walkEmbeds(c)
		}
	}
}

// imgWithoutAlt reports whether some <img> tag of a body has no alt attribute (bodies
// stored before every picture got one).
func imgWithoutAlt(body string) bool {
	for rest := body; ; {
		i := strings.Index(rest, "<img ")
		if i < 0 {
			return false
		}
		rest = rest[i:]
		end := strings.IndexByte(rest, '>')
		if end < 0 {
			return true
		}
		if !strings.Contains(rest[:end], ` alt="`) {
			return true
		}
		rest = rest[end:]
	}
}

// withoutTrixCaptions drops the caption Trix wrote for a picture nobody captioned: its
// file name and size ("test-photo.jpg 69.43 KB"). A caption someone typed is in the
// figure's data-trix-attributes and stays.
func withoutTrixCaptions(body string) string {
	nodes, ok := parseBody(body)
	if !ok {
		return ""
	}
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.DataAtom == atom.Figure {
			if _, ok := attrOf(n, "data-trix-attachment"); ok {
				var attrs map[string]any
				raw, _ := attrOf(n, "data-trix-attributes")
				if json.Unmarshal([]byte(raw), &attrs) != nil || attrs["caption"] == nil {
					for c := n.FirstChild; c != nil; {
						next := c.NextSibling
						if c.DataAtom == atom.Figcaption {
							n.RemoveChild(c)
						}
						c = next
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return renderBody(nodes)
}
