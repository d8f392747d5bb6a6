package views

import (
	"time"

	"toasoan/db"
)

// Site is the site-wide information every page shows.
type Site struct {
	Name        string
	Description string
	BaseURL     string // absolute base for canonical links and feeds, without a trailing slash
	Legal       Legal
}

// Legal is the publisher's legal and contact information: the footer of every page, the
// English contact page and the article sidebar show it. Empty fields are left out.
type Legal struct {
	Agency      string // Cơ quan chủ quản
	Responsible string // Người chịu trách nhiệm
	Licence     string // Giấy phép / quyết định thành lập
	Address     string
	Phone       string
	Email       string
	Hotline     string
	Links       []Link // the office's links (sidebar)
}

// Link is a named link the newsroom set.
type Link struct{ Name, URL string }

// TelURL is a tel: link for a phone number as written ("0238 3822 123").
func TelURL(phone string) string {
	var b []byte
	for i := range len(phone) {
		if c := phone[i]; c >= '0' && c <= '9' || c == '+' && len(b) == 0 {
			b = append(b, c)
		}
	}
	return "tel:" + string(b)
}

// Page is the data every page template receives; Main carries the page's own data.
type Page struct {
	Site        Site
	Title       string // the page's own title; the layout appends the site name
	Description string
	Canonical   string
	Path        string
	Nav         []db.Category
	NavPages    []db.Page // published static pages linked from the menu or the footer
	Section     string    // slug of the section to highlight in the menu
	Now         time.Time
	Status      int
	Main        any
	Meta        Meta // search engine and social network metadata (views/meta.go)
}

// MenuPages are the static pages linked in the main menu, after the sections.
func (p Page) MenuPages() []db.Page { return pagesPlaced(p.NavPages, db.PlaceMenu) }

// FooterPages are the static pages linked in the footer.
func (p Page) FooterPages() []db.Page { return pagesPlaced(p.NavPages, db.PlaceFooter) }

func pagesPlaced(pages []db.Page, placement string) []db.Page {
	var out []db.Page
	for _, pg := range pages {
		if pg.Placement == placement {
			out = append(out, pg)
		}
	}
	return out
}

// Pagination describes a paged list for the pager partial.
type Pagination struct {
	Page, Pages int
	BasePath    string // the list's path; the pager adds ?page=N
}

// HasPrev reports whether there is a previous page.
func (p Pagination) HasPrev() bool { return p.Page > 1 }

// HasNext reports whether there is a next page.
func (p Pagination) HasNext() bool { return p.Page < p.Pages }

// Window lists the page numbers to link around the current one.
func (p Pagination) Window() []int {
	var out []int
	for i := max(1, p.Page-2); i <= min(p.Pages, p.Page+2); i++ {
		out = append(out, i)
	}
	return out
}
