package wxr

import (
	"html"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// This file turns what WordPress stores in post_content into the HTML WordPress would
// show for it: block delimiters dropped, paragraphs made from blank lines (wpautop) for
// classic posts, shortcodes WordPress itself registers rendered, <!--more--> and
// <!--nextpage--> resolved. The article policy (package sanitize) cleans the result.

// images says what the converter needs to know about the site's pictures.
type images interface {
	// attachment returns a stored attachment's URL, alt text and caption by WordPress id.
	attachment(id string) (url, alt, caption string, ok bool)
	// childrenOf lists the attachments of a post by WordPress id.
	childrenOf(postID string) []string
}

// converted is a post body made ready to sanitize, with what the conversion noticed.
type converted struct {
	html       string
	shortcodes map[string]int // unknown shortcodes left as text, by name
	dynamic    int            // dynamic blocks (latest posts, archives...) that render nothing here
}

var (
	blockDelimiter = regexp.MustCompile(`<!--\s+/?wp:[a-z][a-z0-9_/-]*(?:\s+\{[\s\S]*?\})?\s+/?-->`)
	dynamicBlock   = regexp.MustCompile(`<!--\s+wp:[a-z][a-z0-9_/-]*(?:\s+\{[\s\S]*?\})?\s+/-->`)
	moreTag        = regexp.MustCompile(`<!--more(?:.*?)?-->|<!--noteaser-->`)
	nextPage       = regexp.MustCompile(`\s*<!--nextpage-->\s*`)
	blankLines     = regexp.MustCompile(`\n\s*\n`)
	// An embed block keeps the URL it embeds as the text of its wrapper.
	embedWrapper = regexp.MustCompile(`(?s)<figure[^>]*\bwp-block-embed\b[^>]*>\s*<div[^>]*wp-block-embed__wrapper[^>]*>\s*(https?://[^\s<]+)\s*</div>(.*?)</figure>`)
	// A URL alone on its line is an embed in WordPress (WP_Embed::autoembed).
	loneURL = regexp.MustCompile(`(?m)^[ \t]*(https?://[^\s<>"']+)[ \t]*$`)
)

// convert renders a post's stored content.
func convert(content string, im images, postID string) converted {
	c := converted{shortcodes: map[string]int{}}
	s := strings.ReplaceAll(content, "\r\n", "\n")
	if strings.Contains(s, "<!--") {
		s = moreTag.ReplaceAllString(s, "")
		// The pages of a paginated post follow each other on one page here.
		s = nextPage.ReplaceAllString(s, "\n\n")
	}
	blocks := strings.Contains(s, "<!-- wp:")
	if blocks {
		c.dynamic = len(dynamicBlock.FindAllStringIndex(s, -1))
		s = blockDelimiter.ReplaceAllString(s, "")
		s = strings.TrimSpace(blankLines.ReplaceAllString(s, "\n"))
		s = embedWrapper.ReplaceAllStringFunc(s, func(m string) string {
			sub := embedWrapper.FindStringSubmatch(m)
			return embedHTML(html.UnescapeString(sub[1]), captionOf(sub[2]))
		})
	}
	if strings.Contains(s, "http") {
		s = loneURL.ReplaceAllStringFunc(s, func(m string) string {
			return embedHTML(strings.TrimSpace(m), "")
		})
	}
	if !blocks {
		// WordPress runs wpautop on classic posts only (do_blocks turns it off), before
		// shortcodes, then unwraps the shortcodes that stand alone in a paragraph.
		s = autop(s)
		for _, re := range unautop {
			if strings.Contains(s, "[") {
				s = re.ReplaceAllString(s, "$1")
			}
		}
	}
	s = c.shortcodes_(s, im, postID)
	c.html = s
	return c
}

// unautop is WordPress's shortcode_unautop for the shortcodes rendered here: a shortcode
// alone in its paragraph loses the <p> around it (the enclosing forms first, each closed
// by its own name).
var unautop = func() []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, name := range []string{"caption", "wp_caption", "embed", "video", "audio"} {
		out = append(out, regexp.MustCompile(`(?s)<p>\s*(\[`+name+`\b[^\]]*\].*?\[/`+name+`\])\s*</p>`))
	}
	return append(out, regexp.MustCompile(`<p>\s*(\[(?:gallery|embed|video|audio)\b[^\]]*\])\s*</p>`))
}()

var figcaptionText = regexp.MustCompile(`(?s)<figcaption[^>]*>(.*?)</figcaption>`)

func captionOf(s string) string {
	if m := figcaptionText.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// embedHTML is an embedded video, tweet or page as the site's editor stores it: a
// YouTube or Facebook video as <figure class="embed" data-provider data-id> (the page
// turns it into a click-to-load link), anything else as a link (no iframes here), with
// WordPress's caption.
func embedHTML(url, caption string) string {
	cap := ""
	if strings.TrimSpace(caption) != "" {
		cap = "<figcaption>" + caption + "</figcaption>"
	}
	if provider, id := videoOf(url); provider != "" {
		return `<figure class="embed" data-provider="` + provider + `" data-id="` + id + `">` + cap + "</figure>\n"
	}
	u := html.EscapeString(url)
	link := `<p><a href="` + u + `">` + u + `</a></p>`
	if cap == "" {
		return link + "\n"
	}
	return "<figure>" + link + cap + "</figure>\n"
}

var (
	youtubeURL  = regexp.MustCompile(`^https?://(?:www\.|m\.)?(?:youtube\.com/(?:watch\?(?:.*&)?v=|embed/|shorts/|live/)|youtu\.be/)([A-Za-z0-9_-]{11})(?:[?&#/].*)?$`)
	facebookURL = regexp.MustCompile(`^https?://(?:www\.|m\.|web\.)?facebook\.com/(?:[^/?#]+/videos/(?:[^/?#]+/)?|watch/?\?v=|video\.php\?v=)([0-9]{1,20})(?:[/?&#].*)?$`)
)

// videoOf recognises the video addresses the editor embeds: provider and id, or "".
func videoOf(url string) (provider, id string) {
	if m := youtubeURL.FindStringSubmatch(url); m != nil {
		return "youtube", m[1]
	}
	if m := facebookURL.FindStringSubmatch(url); m != nil {
		return "facebook", m[1]
	}
	return "", ""
}

// shortcode matches one [name attrs] (closed by [/name] when the name is
// caption-like); names are ASCII as WordPress registers them.
var (
	shortcodeOpen = regexp.MustCompile(`\[([a-zA-Z][a-zA-Z0-9_-]*)((?:\s[^\]]*)?)\]`)
	shortcodeAttr = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))`)
	imgTag        = regexp.MustCompile(`(?is)<img\b[^>]*>`)
	linkedImg     = regexp.MustCompile(`(?is)^\s*(<a\b[^>]*>\s*<img\b[^>]*>\s*</a>|<img\b[^>]*>)\s*`)
)

// enclosing are the shortcodes WordPress registers that wrap content.
var enclosing = map[string]bool{"caption": true, "wp_caption": true, "video": true, "audio": true, "embed": true}

// shortcodes_ renders the shortcodes WordPress itself registers; others stay as text
// (as WordPress shows a shortcode whose plugin is gone) and are counted.
func (c *converted) shortcodes_(s string, im images, postID string) string {
	var b strings.Builder
	for {
		loc := shortcodeOpen.FindStringSubmatchIndex(s)
		if loc == nil {
			b.WriteString(s)
			return b.String()
		}
		// [[name]] is WordPress's escape for a literal shortcode.
		if loc[0] > 0 && s[loc[0]-1] == '[' && loc[1] < len(s) && s[loc[1]] == ']' {
			b.WriteString(s[:loc[0]-1] + s[loc[0]:loc[1]])
			s = s[loc[1]+1:]
			continue
		}
		name := strings.ToLower(s[loc[2]:loc[3]])
		attrs := parseAttrs(strings.TrimSuffix(strings.TrimSpace(s[loc[4]:loc[5]]), "/"))
		b.WriteString(s[:loc[0]])
		rest := s[loc[1]:]
		inner := ""
		if enclosing[name] {
			if end := strings.Index(strings.ToLower(rest), "[/"+name+"]"); end >= 0 {
				inner, rest = rest[:end], rest[end+len(name)+3:]
			}
		}
		switch name {
		case "caption", "wp_caption":
			b.WriteString(captionHTML(inner, attrs))
		case "gallery":
			b.WriteString(galleryHTML(attrs, im, postID))
		case "embed":
			b.WriteString(embedHTML(strings.TrimSpace(html.UnescapeString(inner)), ""))
		case "video", "audio":
			src := attrs["src"]
			for _, k := range []string{"mp4", "m4v", "webm", "ogv", "mp3", "ogg", "wav", "m4a"} {
				if src == "" {
					src = attrs[k]
				}
			}
			if src == "" {
				src = strings.TrimSpace(inner)
			}
			if src != "" {
				b.WriteString(embedHTML(src, ""))
			}
		default:
			c.shortcodes[name]++
			b.WriteString(s[loc[0]:loc[1]])
		}
		s = rest
	}
}

func parseAttrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range shortcodeAttr.FindAllStringSubmatch(s, -1) {
		out[strings.ToLower(m[1])] = m[2] + m[3] + m[4]
	}
	return out
}

// captionHTML is WordPress's img_caption_shortcode: the picture (linked or not) in a
// figure, the rest of the content (or the caption attribute) as its caption.
func captionHTML(inner string, attrs map[string]string) string {
	inner = strings.TrimSpace(inner)
	pic, caption := "", attrs["caption"]
	if m := linkedImg.FindStringIndex(inner); m != nil {
		pic, inner = inner[:m[1]], inner[m[1]:]
	}
	if caption == "" {
		caption = strings.TrimSpace(inner)
	}
	if pic == "" {
		return inner
	}
	out := "<figure>" + strings.TrimSpace(pic)
	if caption != "" {
		out += "<figcaption>" + caption + "</figcaption>"
	}
	return out + "</figure>\n"
}

// galleryHTML renders [gallery ids="…"] as the editor's gallery, pictures in the
// order given (WordPress's default "menu_order ID" order needs the attachments' parents,
// which a gallery with ids does not use).
func galleryHTML(attrs map[string]string, im images, postID string) string {
	var ids []string
	for _, id := range strings.Split(attrs["ids"]+","+attrs["include"], ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		// Without ids WordPress shows the pictures attached to the post (or to attrs["id"]).
		if id := strings.TrimSpace(attrs["id"]); id != "" {
			postID = id
		}
		ids = im.childrenOf(postID)
	}
	if attrs["orderby"] == "ID" {
		sort.Strings(ids)
	}
	// The editor's gallery: a list of pictures in one figure.
	var b strings.Builder
	for _, id := range ids {
		url, alt, _, ok := im.attachment(id)
		if !ok || url == "" {
			continue
		}
		b.WriteString(`<li><img src="` + html.EscapeString(url) + `" alt="` + html.EscapeString(alt) + `" class="wp-image-` + html.EscapeString(id) + `"></li>`)
	}
	if b.Len() == 0 {
		return ""
	}
	return `<figure class="gallery"><ul>` + b.String() + "</ul></figure>\n"
}

// Elements WordPress's wpautop treats as blocks: never wrapped in <p>.
const allBlocks = `(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)`

var (
	autopPre        = regexp.MustCompile(`(?is)<pre[\s>].*?</pre>`)
	autopBrBr       = regexp.MustCompile(`<br\s*/?>\s*<br\s*/?>`)
	autopOpenBlock  = regexp.MustCompile(`(?i)(<` + allBlocks + `[\s/>])`)
	autopCloseBlock = regexp.MustCompile(`(?i)(</` + allBlocks + `>)`)
	autopHr         = regexp.MustCompile(`(?i)(<hr\s*?/?>)`)
	autopManyNL     = regexp.MustCompile(`\n\n+`)
	autopSplit      = regexp.MustCompile(`\n\s*\n`)
	autopEmptyP     = regexp.MustCompile(`<p>\s*</p>`)
	autopPBlock     = regexp.MustCompile(`(?i)<p>\s*(</?` + allBlocks + `[^>]*>)\s*</p>`)
	autopPLi        = regexp.MustCompile(`(?is)<p>(<li.+?)</p>`)
	autopPQuote     = regexp.MustCompile(`(?i)<p><blockquote([^>]*)>`)
	autopQuoteP     = regexp.MustCompile(`(?i)</blockquote></p>`)
	autopPOpen      = regexp.MustCompile(`(?i)<p>\s*(</?` + allBlocks + `[^>]*>)`)
	autopPClose     = regexp.MustCompile(`(?i)(</?` + allBlocks + `[^>]*>)\s*</p>`)
	autopTagNL      = regexp.MustCompile(`(?s)<[^>]*>`)
	autopBr         = regexp.MustCompile(`\s*\n`)
	autopBlockBr    = regexp.MustCompile(`(?i)(</?` + allBlocks + `[^>]*>)\s*<br />`)
	autopBrBlock    = regexp.MustCompile(`(?i)<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)`)
)

// autop is WordPress's wpautop: blank lines separate paragraphs, single newlines become
// <br />, and block elements are never wrapped in <p>. <pre> is left alone.
func autop(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	s = strings.ReplaceAll(s, "\r\n", "\n") + "\n"
	s = strings.NewReplacer("<br>", "<br />", "<br/>", "<br />").Replace(s)
	var pres []string
	s = autopPre.ReplaceAllStringFunc(s, func(m string) string {
		pres = append(pres, m)
		return "<pre wp-pre-tag-" + strconv.Itoa(len(pres)-1) + "></pre>"
	})
	s = autopBrBr.ReplaceAllString(s, "\n\n")
	s = autopOpenBlock.ReplaceAllString(s, "\n\n$1")
	s = autopCloseBlock.ReplaceAllString(s, "$1\n\n")
	s = autopHr.ReplaceAllString(s, "$1\n\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = autopManyNL.ReplaceAllString(s, "\n\n")
	var b strings.Builder
	for _, p := range autopSplit.Split(s, -1) {
		if strings.TrimSpace(p) == "" {
			continue
		}
		b.WriteString("<p>" + strings.Trim(p, "\n") + "</p>\n")
	}
	s = b.String()
	s = autopEmptyP.ReplaceAllString(s, "")
	s = autopPBlock.ReplaceAllString(s, "$1")
	s = autopPLi.ReplaceAllString(s, "$1")
	s = autopPQuote.ReplaceAllString(s, "<blockquote$1><p>")
	s = autopQuoteP.ReplaceAllString(s, "</p></blockquote>")
	s = autopPOpen.ReplaceAllString(s, "$1")
	s = autopPClose.ReplaceAllString(s, "$1")
	// Newlines inside tags are not line breaks.
	s = autopTagNL.ReplaceAllStringFunc(s, func(m string) string { return strings.ReplaceAll(m, "\n", " ") })
	s = brLines(s)
	s = autopBlockBr.ReplaceAllString(s, "$1")
	s = autopBrBlock.ReplaceAllString(s, "$1")
	for i, p := range pres {
		s = strings.Replace(s, "<pre wp-pre-tag-"+strconv.Itoa(i)+"></pre>", p, 1)
	}
	return strings.TrimSpace(s) + "\n"
}

// brLines turns a newline that does not follow <br /> into "<br />\n" (wpautop's
// (?<!<br />)\s*\n, which Go's regexp cannot say), with the spaces before it.
func brLines(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/16)
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '\n' || i < last {
			continue
		}
		start := i
		for start > last && isSpace(s[start-1]) {
			start--
		}
		// The run of spaces and newlines ends at the last newline in it.
		end := i + 1
		for j := i + 1; j < len(s) && isSpace(s[j]); j++ {
			if s[j] == '\n' {
				end = j + 1
			}
		}
		b.WriteString(s[last:start])
		if strings.HasSuffix(s[:start], "<br />") {
			b.WriteString(s[start:end])
		} else {
			b.WriteString("<br />\n")
		}
		last = end
		i = end - 1
	}
	b.WriteString(s[last:])
	return b.String()
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
