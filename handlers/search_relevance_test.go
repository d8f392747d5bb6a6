package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"toasoan/db"
)

// didYouMean is the "Có phải bạn muốn tìm" link of a result page: its text and address.
func didYouMean(doc *html.Node) (string, string) {
	for _, p := range find(doc, byClass("search-didyoumean")) {
		if !strings.HasPrefix(text(p), "Có phải bạn muốn tìm:") {
			continue
		}
		for _, a := range find(p, byTag("a")) {
			return text(a), attr(a, "href")
		}
	}
	return "", ""
}

// closeAndApproximate lists the titles of the close hits and of those under "Kết quả gần
// đúng", with the list numbering each starts at.
func closeAndApproximate(t *testing.T, doc *html.Node) (close, approx []string, approxStart string) {
	t.Helper()
	for _, ol := range find(doc, byClass("search-list")) {
		var titles []string
		for _, h := range find(ol, byClass("search-hit-title")) {
			titles = append(titles, text(h))
		}
		if strings.Contains(attr(ol, "class"), "search-list-approx") {
			approx, approxStart = titles, attr(ol, "start")
		} else {
			close = titles
		}
	}
	heading := find(doc, byClass("search-approx-title"))
	if (len(heading) == 1 && text(heading[0]) == "Kết quả gần đúng") != (len(approx) > 0) {
		t.Errorf("the line “Kết quả gần đúng” and the approximate hits disagree: %d lines, %d hits", len(heading), len(approx))
	}
	return close, approx, approxStart
}

// TestSearchCloseMatchesFirst: on the demo, "ha noi" finds one article with Hà Nội and a
// dozen with "phiền hà", "nội dung" or "Hạ": the one comes first, the rest under the line
// "Kết quả gần đúng", numbered on; a search that nothing matches side by side lists all
// under it; a one-word query has no line.
func TestSearchCloseMatchesFirst(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	for _, q := range []string{"ha noi", "hà nội", "HÀ NỘI", norm.NFD.String("Hà Nội")} {
		doc := searchOK(t, s, searchPath("q", q))
		close, approx, start := closeAndApproximate(t, doc)
		if len(close) != 1 || !strings.Contains(close[0], "bưởi đường") || len(approx) == 0 || start != "2" {
			t.Errorf("%q: close %v, approximate %d from %s", q, close, len(approx), start)
		}
		if m := marks(doc); !slices.Contains(m, "Hà Nội") {
			t.Errorf("%q: the phrase is not marked whole: %v", q, m)
		}
		// Page 2 holds only approximate hits, under the line, numbered on.
		doc = searchOK(t, s, searchPath("q", q, "page", "2"))
		if close, approx, start := closeAndApproximate(t, doc); len(close) != 0 || len(approx) == 0 || start != "11" {
			t.Errorf("%q page 2: close %v, approximate %d from %s", q, close, len(approx), start)
		}
	}
	doc := searchOK(t, s, searchPath("q", "duong sat"))
	if close, approx, start := closeAndApproximate(t, doc); len(close) != 0 || len(approx) == 0 || start != "1" {
		t.Errorf("duong sat: close %v, approximate %v from %s", close, approx, start)
	}
	doc = searchOK(t, s, searchPath("q", "huyện"))
	if close, approx, _ := closeAndApproximate(t, doc); len(close) != searchPageSize || len(approx) != 0 {
		t.Errorf("one word: close %d, approximate %d", len(close), len(approx))
	}
	// Newest first is a list by date: no line either.
	doc = searchOK(t, s, searchPath("q", "ha noi", "sort", "newest"))
	if close, approx, _ := closeAndApproximate(t, doc); len(close) == 0 || len(approx) != 0 {
		t.Errorf("newest: close %d, approximate %d", len(close), len(approx))
	}
}

// TestSearchDidYouMean: a query typed without accents is offered the accented form the
// articles use, as a link that keeps the filters; typed with accents, nothing is offered;
// active search (the reader still typing) offers it too.
func TestSearchDidYouMean(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	for q, want := range map[string]string{"ha noi": "Hà Nội", "thu tuc": "thủ tục", "bao hiem y te": "bảo hiểm y tế",
		"CHAT DOC DA CAM": "chất độc da cam", "da nang": "Đà Nẵng"} {
		label, href := didYouMean(searchOK(t, s, searchPath("q", q)))
		if label != want || href != searchPath("q", want) {
			t.Errorf("%q: offered %q (%s), want %q", q, label, href, want)
		}
	}
	for _, q := range []string{"hà nội", "Thủ tục", "huyen", "xyzzy abc", "duong sat"} {
		if label, _ := didYouMean(searchOK(t, s, searchPath("q", q))); label != "" {
			t.Errorf("%q: offered %q", q, label)
		}
	}
	// Filters stay in the link.
	label, href := didYouMean(searchOK(t, s, searchPath("q", "bao hiem", "section", "y-te", "from", "01/01/2020")))
	if label != "bảo hiểm" || href != searchPath("q", "bảo hiểm", "section", "y-te", "from", "01/01/2020") {
		t.Errorf("with filters: %q %s", label, href)
	}
	// While typing: the last word is half written.
	for _, target := range []string{"search-results", ""} {
		h := http.Header{"Hx-Request": {"true"}}
		if target != "" {
			h.Set("Hx-Target", target)
		}
		resp, body := s.do(t, http.MethodGet, searchPath("q", "ha no"), h)
		if label, _ := didYouMean(parse(t, body)); resp.StatusCode != http.StatusOK || label != "Hà Nội" {
			t.Errorf("typing “ha no” (target %q): %d, offered %q", target, resp.StatusCode, label)
		}
	}
}

// TestSearchAccentsFollowPublishing: what "ha noi" is restored to comes from the
// published articles, so publishing and editing change it at once (the search cache is
// retired with every content change).
func TestSearchAccentsFollowPublishing(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	path := searchPath("q", "ha noi")
	for range 2 { // the second is a cache hit
		if label, _ := didYouMean(searchOK(t, s.testSite, path)); label != "Hà Nội" {
			t.Fatalf("before: offered %q", label)
		}
	}
	// An article where Hạ nói stands side by side, more often than the demo's one Hà Nội.
	f := newArticleForm("Ông Hạ nói về nghề đan lưới")
	f.Set("body", "<p>Ông Hạ nói nghề lưới nuôi cả làng. Ông Hạ nói thêm về biển.</p>")
	id := createArticle(t, editor, f)
	art := s.article(t, id)
	if r, _ := postTransition(editor, id, art.Version, db.StatusPublished, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.StatusCode)
	}
	if label, _ := didYouMean(searchOK(t, s.testSite, path)); label != "Hạ nói" {
		t.Errorf("after publishing: offered %q", label)
	}
	// Edited away: back to Hà Nội.
	art = s.article(t, id)
	f = newArticleForm("Ông Hạ kể về nghề đan lưới")
	f.Set("version", strconv.Itoa(art.Version))
	f.Set("slug", art.Slug)
	if r, body := editor.post("/admin/bai-viet/"+strconv.FormatInt(id, 10), f); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %.300s", r.StatusCode, body)
	}
	if label, _ := didYouMean(searchOK(t, s.testSite, path)); label != "Hà Nội" {
		t.Errorf("after editing: offered %q", label)
	}
}
