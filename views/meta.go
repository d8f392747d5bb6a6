package views

import "time"

// Meta is what a page tells search engines, feed readers and social networks about
// itself, beyond its title, description and canonical link (handlers/seo.go fills it).
type Meta struct {
	Type        string    // og:type: "article" for articles, "website" otherwise ("" = website)
	Image       string    // absolute URL of the share image (og:image); "" for none
	ImageAlt    string    // the image's alt text
	Published   time.Time // article:published_time; zero for non-articles
	Modified    time.Time // article:modified_time; zero for non-articles
	SectionName string    // article:section
	Robots      string    // robots meta, e.g. "noindex" for print views and error pages
	Feeds       []Feed    // alternate feeds besides the site's own
	LinkedData  any       // JSON-LD object, rendered by html/template's JS escaper; nil for none
	PrintView   bool      // the article's print view (?in=1): only the article, its URL and date
	Share       *Share    // share, print and e-mail links under an article; nil elsewhere
	// Alternates are the page's translations (<link rel="alternate" hreflang>), with
	// absolute URLs and the page itself among them; empty on pages with no translation,
	// which is every page today: /en/about is a page of its own, not a translation.
	Alternates []Alternate
}

// Alternate is one language version of a page.
type Alternate struct {
	Lang string // BCP 47: "vi", "en", or "x-default"
	URL  string // absolute
}

// Share is what the share links under an article need.
type Share struct {
	URL       string    // the article's absolute canonical URL
	Title     string    // the e-mail subject
	PrintPath string    // the print view
	Published time.Time // printed beside the URL
}

// Feed is an alternate feed a page advertises with <link rel="alternate">.
type Feed struct {
	Title string
	Type  string // MIME type: application/rss+xml or application/atom+xml
	URL   string
}

// Paths of the site-wide feeds and the English page, in one place so links and routes
// agree (views/partials/seo.html spells them out too; a test checks they match).
const (
	SiteRSSPath  = "/rss.xml"
	SiteAtomPath = "/atom.xml"
	AboutENPath  = "/en/about"
)

// SectionRSSPath is a section's RSS feed.
func SectionRSSPath(slug string) string { return SectionPath(slug) + "/rss.xml" }

// SectionAtomPath is a section's Atom feed.
func SectionAtomPath(slug string) string { return SectionPath(slug) + "/atom.xml" }
