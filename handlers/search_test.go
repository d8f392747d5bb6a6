package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"toasoan/db"
	"toasoan/views"
)

// searchPath is /tim-kiem with the given parameters (name, value, name, value, ...).
func searchPath(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return "/tim-kiem?" + v.Encode()
}

// hitTitles lists the titles of the search hits on a page.
func hitTitles(doc *html.Node) []string {
	var out []string
	for _, h := range find(doc, byClass("search-hit-title")) {
		out = append(out, text(h))
	}
	return out
}

// marks lists the text of every <mark> in the results.
func marks(doc *html.Node) []string {
	var out []string
	for _, m := range find(doc, byTag("mark")) {
		out = append(out, text(m))
	}
	return out
}

func searchOK(t *testing.T, s *testSite, path string) *html.Node {
	t.Helper()
	resp, body := s.get(t, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", path, resp.StatusCode)
	}
	return parse(t, body)
}

var countPattern = regexp.MustCompile(`^Tìm thấy ([\d.]+) kết quả`)

func resultCount(t *testing.T, doc *html.Node) string {
	t.Helper()
	c := find(doc, byClass("search-count"))
	if len(c) != 1 {
		t.Fatalf("no result count")
	}
	m := countPattern.FindStringSubmatch(text(c[0]))
	if m == nil {
		t.Fatalf("result count reads %q", text(c[0]))
	}
	return m[1]
}

func TestSearchFindsWhatReadersMean(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	for _, group := range []struct {
		queries []string
		title   string // a word of the title of the article that must come first
		mark    string // marked text that must appear, with its accents: the whole phrase
	}{
		{[]string{"chat doc da cam", "CHẤT ĐỘC DA CAM", "chất độc da cam", norm.NFD.String("chất độc da cam")}, "chất độc da cam", "chất độc da cam"},
		{[]string{"da nang", "Đà Nẵng", "ĐÀ NẴNG", norm.NFD.String("Đà Nẵng")}, "Đà Nẵng", "Đà Nẵng"},
		{[]string{"hai ba trung", "Hai Bà Trưng"}, "Hai Bà Trưng", "Hai Bà Trưng"},
		{[]string{`"tet vi nguoi ngheo"`, "Tết vì người nghèo", "“TẾT VÌ NGƯỜI NGHÈO”"}, "Tết vì người nghèo", "Tết vì người nghèo"},
		{[]string{"yen hoa", "Yên Hoà", "Yên Hòa"}, "Yên Hòa", "Yên Hòa"},
	} {
		var want []string
		for _, q := range group.queries {
			doc := searchOK(t, s, searchPath("q", q))
			titles := hitTitles(doc)
			if resultCount(t, doc) != resultCount(t, searchOK(t, s, searchPath("q", group.queries[0]))) {
				t.Errorf("%q and %q find different numbers of articles", q, group.queries[0])
			}
			if len(titles) == 0 {
				t.Errorf("%q finds nothing", q)
				continue
			}
			if !strings.Contains(strings.ToLower(titles[0]), strings.ToLower(group.title)) {
				t.Errorf("%q: first hit %q, want one about %q", q, titles[0], group.title)
			}
			found := false
			for _, m := range marks(doc) {
				found = found || m == group.mark
			}
			if !found {
				t.Errorf("%q: no <mark>%s</mark> among %v", q, group.mark, marks(doc))
			}
			for _, it := range find(doc, byClass("search-hit")) {
				times := find(it, byTag("time"))
				if len(times) != 1 || !regexp.MustCompile(`^\d\d:\d\d \d\d/\d\d/\d{4}$`).MatchString(text(times[0])) {
					t.Errorf("hit without a 10:57 04/12/2019 time: %q", text(it))
				}
			}
			// The same articles; their order may differ, since accents typed rank exact
			// spellings first, so only a single page can be compared as a set.
			titles = slices.Sorted(slices.Values(titles))
			if len(titles) == searchPageSize {
				continue
			}
			if want == nil {
				want = titles
			} else if strings.Join(titles, "|") != strings.Join(want, "|") {
				t.Errorf("%q finds %v, %q found %v", q, titles, group.queries[0], want)
			}
		}
	}
}

func TestSearchRanksAccentedWordsFirst(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	var hits []*html.Node
	for page := 1; ; page++ {
		doc := searchOK(t, s, searchPath("q", "đường", "page", strconv.Itoa(page)))
		hits = append(hits, find(doc, byClass("search-hit"))...)
		if len(find(doc, func(n *html.Node) bool { return attr(n, "rel") == "next" })) == 0 {
			break
		}
	}
	if len(hits) < 3 {
		t.Fatalf("%d hits", len(hits))
	}
	// Every article with "dương" but not "đường" comes after every article with "đường".
	other := false
	for _, h := range hits {
		link := find(h, byTag("a"))[0]
		id, _ := parseArticleRef(strings.TrimPrefix(attr(link, "href"), "/bai-viet/"))
		a, err := s.app.DB.ArticleByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		exact := strings.Contains(strings.ToLower(a.Title+a.Lead+a.BodyHTML), "đường")
		if exact && other {
			t.Errorf("%q has đường but ranks below an article without it", a.Title)
		}
		other = other || !exact
	}
	if !other {
		t.Error("no dương-only article among the hits; the demo has some")
	}
}

func TestSearchResultsPage(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	doc := searchOK(t, s, searchPath("q", "huyện"))
	n := resultCount(t, doc)
	if len(hitTitles(doc)) != searchPageSize {
		t.Errorf("%d hits on the first page", len(hitTitles(doc)))
	}
	if !strings.Contains(n, ".") && len(n) > 3 {
		t.Errorf("count %q is not formatted with vntext", n)
	}
	pager := find(doc, byClass("pager"))
	if len(pager) != 1 {
		t.Fatal("no pager")
	}
	var next string
	for _, a := range find(pager[0], byTag("a")) {
		if attr(a, "rel") == "next" {
			next = attr(a, "href")
		}
	}
	if next != "/tim-kiem?page=2&q=huy%E1%BB%87n" {
		t.Errorf("next page link %q", next)
	}
	second := searchOK(t, s, next)
	if resultCount(t, second) != n {
		t.Error("count changed between pages")
	}
	first := map[string]bool{}
	for _, title := range hitTitles(doc) {
		first[title] = true
	}
	for _, title := range hitTitles(second) {
		if first[title] {
			t.Errorf("%q on both pages", title)
		}
	}
	if resp, body := s.get(t, searchPath("q", "huyện", "page", "999")); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(body, "Trang kết quả này không tồn tại") {
		t.Errorf("page past the end: %d", resp.StatusCode)
	}
	// The title says what was searched; robots are told not to index result pages.
	if !strings.Contains(text(find(doc, byTag("title"))[0]), "Tìm kiếm: huyện") {
		t.Error("title does not name the query")
	}
	robots := find(doc, func(n *html.Node) bool { return n.Data == "meta" && attr(n, "name") == "robots" })
	if len(robots) != 1 || !strings.Contains(attr(robots[0], "content"), "noindex") {
		t.Error("search page can be indexed")
	}
	// Sections in the filter are sorted by Vietnamese collation.
	var names []string
	for _, o := range find(doc, byTag("option")) {
		if attr(o, "value") != "" && attr(o, "value") != sortRelevance && attr(o, "value") != sortNewest {
			names = append(names, text(o))
		}
	}
	if strings.Join(names, "|") != "Giáo dục|Kinh tế|Nông nghiệp - Nông thôn|Thời sự|Văn hóa - Xã hội|Y tế" {
		t.Errorf("section options %v", names)
	}
}

func TestSearchFiltersAndSort(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	all := resultCount(t, searchOK(t, s, searchPath("q", "huyện")))
	doc := searchOK(t, s, searchPath("q", "huyện", "section", "y-te"))
	if resultCount(t, doc) == all {
		t.Error("section filter changed nothing")
	}
	for _, h := range find(doc, byClass("search-hit")) {
		if !strings.Contains(text(find(h, byClass("meta"))[0]), "Y tế") {
			t.Errorf("hit outside Y tế: %q", text(h))
		}
	}
	// Both date spellings mean the same days; the last day is included.
	local := testNow.In(s.loc)
	dmy, iso := local.AddDate(0, 0, -60).Format("02/01/2006"), local.AddDate(0, 0, -60).Format("2006-01-02")
	today := local.Format("02/01/2006")
	a := searchOK(t, s, searchPath("q", "huyện", "from", dmy, "to", today))
	b := searchOK(t, s, searchPath("q", "huyện", "from", iso, "to", local.Format("2006-01-02")))
	if resultCount(t, a) != resultCount(t, b) || resultCount(t, a) == all {
		t.Errorf("date range: %s vs %s of %s", resultCount(t, a), resultCount(t, b), all)
	}
	from, _ := time.ParseInLocation("02/01/2006", dmy, s.loc)
	for _, tm := range find(a, byTag("time")) {
		at, err := time.Parse(time.RFC3339, attr(tm, "datetime"))
		if err != nil || at.Before(from) {
			t.Errorf("hit at %s before %s", attr(tm, "datetime"), dmy)
		}
	}
	// Newest first.
	doc = searchOK(t, s, searchPath("q", "huyện", "sort", "newest"))
	var prev time.Time
	for i, tm := range find(doc, byTag("time")) {
		at, _ := time.Parse(time.RFC3339, attr(tm, "datetime"))
		if i > 0 && at.After(prev) {
			t.Fatal("sort=newest is not newest first")
		}
		prev = at
	}
	if len(find(doc, func(n *html.Node) bool { return n.Data == "details" && attr(n, "open") == "" && hasAttr(n, "open") })) != 1 {
		t.Error("filters are folded away while one is in use")
	}
}

func TestSearchNothingFound(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	doc := searchOK(t, s, searchPath("q", "chất độc xyzxyz"))
	empty := find(doc, byClass("search-empty"))
	if len(empty) != 1 || !strings.Contains(text(empty[0]), "Không tìm thấy kết quả") {
		t.Fatal("no 'Không tìm thấy kết quả'")
	}
	var sugg []string
	for _, li := range find(doc, byClass("search-suggestions")) {
		for _, a := range find(li, byTag("a")) {
			sugg = append(sugg, text(a)+" "+attr(a, "href"))
		}
	}
	if len(sugg) == 0 || !strings.Contains(strings.Join(sugg, "|"), "chất /tim-kiem?q=ch%E1%BA%A5t") {
		t.Errorf("suggestions %v", sugg)
	}
	if len(find(empty[0], byClass("link-list"))) != 1 {
		t.Error("no latest news beside the empty result")
	}
	// Filters that exclude everything suggest the search without them.
	doc = searchOK(t, s, searchPath("q", `"Hai Bà Trưng"`, "section", "y-te"))
	if got := text(find(doc, byClass("search-suggestions"))[0]); !strings.Contains(got, "mọi chuyên mục") {
		t.Errorf("suggestions %q", got)
	}
	// An empty query and a query with no letters explain themselves.
	for _, q := range []string{"", "   ", "!!! ***", `""`} {
		doc := searchOK(t, s, searchPath("q", q))
		if len(find(doc, byClass("search-hint"))) != 1 {
			t.Errorf("%q: no hint", q)
		}
	}
	if resp, _ := s.get(t, "/tim-kiem"); resp.StatusCode != http.StatusOK {
		t.Errorf("bare /tim-kiem: %d", resp.StatusCode)
	}
}

func TestSearchHostileInput(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	for _, q := range []string{
		`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `'; DROP TABLE articles; --`,
		`" OR 1=1 --`, `NEAR(chat doc)`, `title:da*`, `chat AND OR NOT`, `^đường`, `-dương`, `(((`, `{title}: x`,
		`"""`, `*`, `da + nang`, "\x00đà\x01", "\u200bđà\u200b nẵng", `%27%22`, `../../etc/passwd`,
	} {
		resp, body := s.get(t, searchPath("q", q))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%q: status %d", q, resp.StatusCode)
			continue
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%q reflected unescaped", q)
		}
	}
	// The articles are still there.
	if resultCount(t, searchOK(t, s, searchPath("q", "đà nẵng"))) == "0" {
		t.Error("articles gone")
	}
	_, body := s.get(t, searchPath("q", `<script>alert(1)</script>`))
	if !strings.Contains(body, `value="&lt;script&gt;alert(1)&lt;/script&gt;"`) {
		t.Error("query not echoed, escaped, in the form")
	}
}

func TestSearchBadParameters(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	long := strings.Repeat("đường ", 40) // 240 characters
	for _, tt := range []struct {
		path, field, msg string
	}{
		{searchPath("q", long), "search-page-q", "Từ khóa quá dài"},
		{searchPath("q", "x", "page", "0"), "", "Số trang không hợp lệ"},
		{searchPath("q", "x", "page", "abc"), "", "Số trang không hợp lệ"},
		{searchPath("q", "x", "page", "-1"), "", "Số trang không hợp lệ"},
		{searchPath("q", "x", "page", "99999999999999999999"), "", "Số trang không hợp lệ"},
		{searchPath("q", "x", "from", "31/02/2026"), "from", "“Từ ngày” không phải là một ngày hợp lệ"},
		{searchPath("q", "x", "from", "hôm qua"), "from", "“Từ ngày” không phải là một ngày hợp lệ"},
		{searchPath("q", "x", "to", "2026-13-01"), "to", "“Đến ngày” không phải là một ngày hợp lệ"},
		{searchPath("q", "x", "to", "<script>"), "to", "“Đến ngày” không phải là một ngày hợp lệ"},
		{searchPath("q", "x", "from", "20/11/2026", "to", "10/11/2026"), "to", "phải bằng hoặc sau"},
		{searchPath("q", "x", "sort", "rank; DROP"), "sort", "Cách sắp xếp không hợp lệ"},
		{searchPath("q", "x", "section", "khong-co"), "section", "Chuyên mục đã chọn không tồn tại"},
		{searchPath("q", "x", "section", "../../etc/passwd"), "section", "Chuyên mục đã chọn không tồn tại"},
	} {
		resp, body := s.get(t, tt.path)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d", tt.path, resp.StatusCode)
			continue
		}
		doc := parse(t, body)
		errs := find(doc, byClass("search-error"))
		if len(errs) != 1 || !strings.Contains(text(errs[0]), tt.msg) {
			t.Errorf("%s: error %q, want %q", tt.path, body[:0], tt.msg)
			continue
		}
		if tt.field != "" {
			bad := find(doc, func(n *html.Node) bool { return attr(n, "aria-invalid") == "true" })
			if len(bad) != 1 || (attr(bad[0], "name") != tt.field && attr(bad[0], "id") != tt.field) {
				t.Errorf("%s: the field at fault is not marked", tt.path)
			}
		}
		if len(find(doc, byClass("search-form"))) != 1 {
			t.Errorf("%s: the form is not shown again", tt.path)
		}
	}
	// 200 characters is allowed, counted after NFC (NFD input is not counted twice).
	ok := strings.Repeat("đà ", 66) + "đà"
	for _, q := range []string{ok, norm.NFD.String(ok)} {
		if resp, _ := s.get(t, searchPath("q", q)); resp.StatusCode != http.StatusOK {
			t.Errorf("a 200-character query: %d", resp.StatusCode)
		}
	}
}

func TestSearchHTMX(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	path := searchPath("q", "da nang", "section", "", "from", "", "to", "", "sort", "relevance")
	// The search page's own form swaps only the results.
	resp, body := s.do(t, http.MethodGet, path, http.Header{"Hx-Request": {"true"}, "Hx-Target": {"search-results"}})
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "<html") || strings.Contains(body, "search-form") {
		t.Fatalf("results fragment: %d %q", resp.StatusCode, body[:min(200, len(body))])
	}
	doc := parse(t, body)
	if len(hitTitles(doc)) == 0 || len(marks(doc)) == 0 {
		t.Error("fragment has no highlighted hits")
	}
	if got := resp.Header.Get("HX-Push-Url"); got != "/tim-kiem?q=da+nang" {
		t.Errorf("pushed URL %q", got)
	}
	if !strings.Contains(resp.Header.Get("Vary"), "HX-Request") {
		t.Error("no Vary: HX-Request")
	}
	if !strings.Contains(text(find(doc, byTag("title"))[0]), "Tìm kiếm: da nang") {
		t.Error("fragment does not carry the new title")
	}
	// The header box on any page swaps the main content: heading, form and results.
	resp, body = s.do(t, http.MethodGet, searchPath("q", "da nang"), http.Header{"Hx-Request": {"true"}, "Hx-Target": {"noi-dung"}})
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "<html") || !strings.Contains(body, `id="search-form"`) ||
		!strings.Contains(body, `id="search-results"`) {
		t.Errorf("main fragment: %d", resp.StatusCode)
	}
	// Going back to a pushed URL asks for the whole page.
	resp, body = s.do(t, http.MethodGet, searchPath("q", "da nang"), http.Header{"Hx-Request": {"true"}, "Hx-History-Restore-Request": {"true"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<html") {
		t.Error("history restore did not get the whole page")
	}
	// So does a plain request to the pushed URL.
	resp, body = s.get(t, "/tim-kiem?q=da+nang")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<html") || !strings.Contains(body, "<mark>") {
		t.Error("pushed URL does not serve the page")
	}
	// A wrong parameter is swapped in (400 is configured to swap) but not pushed.
	resp, body = s.do(t, http.MethodGet, searchPath("q", "x", "from", "32/01/2026"), http.Header{"Hx-Request": {"true"}, "Hx-Target": {"search-results"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "search-error") || resp.Header.Get("HX-Push-Url") != "false" {
		t.Errorf("bad date over htmx: %d push %q", resp.StatusCode, resp.Header.Get("HX-Push-Url"))
	}
	_, home := s.get(t, "/")
	if !strings.Contains(home, `"code":"400|`) {
		t.Error("htmx is not configured to swap 400 responses")
	}
}

// TestSearchLastWordPrefixOnlyWhileTyping: active search treats the last word as the
// start of one (the reader is still typing), a page load searches whole words.
func TestSearchLastWordPrefixOnlyWhileTyping(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	path := searchPath("q", "Đà Nẵn")
	typing := http.Header{"Hx-Request": {"true"}, "Hx-Target": {"search-results"}}
	resp, body := s.do(t, http.MethodGet, path, typing)
	if resp.StatusCode != http.StatusOK || !slices.Contains(marks(parse(t, body)), "Đà Nẵng") {
		t.Errorf("typing “Đà Nẵn”: %d, marks %v", resp.StatusCode, marks(parse(t, body)))
	}
	// Whole words only: "nẵn" folds to nan, so nạn matches, Nẵng does not.
	if got := marks(searchOK(t, s, path)); slices.Contains(got, "Đà Nẵng") || slices.Contains(got, "Nẵng") || !slices.ContainsFunc(got, func(m string) bool { return strings.EqualFold(m, "nạn") }) {
		t.Errorf("a page load of “Đà Nẵn” matched half a word, or not the whole one: %v", got)
	}
	if got := marks(searchOK(t, s, searchPath("q", "Đà Nẵng"))); !slices.Contains(got, "Đà Nẵng") {
		t.Errorf("a page load of “Đà Nẵng”: marks %v", got)
	}
}

func TestSearchOnlyPublicArticles(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	cats, err := s.app.DB.Categories(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		status string
		at     time.Time
	}{{db.StatusDraft, time.Time{}}, {db.StatusPublished, testNow.Add(time.Hour)}, {db.StatusReview, testNow.Add(-time.Hour)}} {
		if _, err := s.app.DB.CreateArticle(ctx, db.Article{Slug: "bi-mat", Title: "Kế hoạch bímậtquốcgia " + st.status,
			CategoryID: cats[0].ID, Status: st.status, PublishAt: st.at}); err != nil {
			t.Fatal(err)
		}
	}
	doc := searchOK(t, s, searchPath("q", "bimatquocgia"))
	if len(hitTitles(doc)) != 0 || len(find(doc, byClass("search-empty"))) != 1 {
		t.Errorf("unpublished articles found: %v", hitTitles(doc))
	}
	if _, err := s.app.DB.CreateArticle(ctx, db.Article{Slug: "cong-khai", Title: "Kế hoạch bímậtquốcgia công khai",
		CategoryID: cats[0].ID, Status: db.StatusPublished, PublishAt: testNow.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if got := hitTitles(searchOK(t, s, searchPath("q", "bimatquocgia"))); len(got) != 1 {
		t.Errorf("published article: %v", got)
	}
}

// TestSearchCache: a repeated search is served from the search cache, byte for byte, with
// the same revalidation as pages; each part of the page htmx asks for is an entry of its
// own; wrong searches are never kept; and a flood of distinct searches cannot push the
// article pages out of their cache.
func TestSearchCache(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	path := searchPath("q", "Đà Nẵng")
	resp, first := s.get(t, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first search: %d", resp.StatusCode)
	}
	hits0, misses0 := s.app.Searches.Stats()
	resp, again := s.get(t, path)
	if hits, misses := s.app.Searches.Stats(); hits != hits0+1 || misses != misses0 {
		t.Fatalf("repeated search not served from the cache: hits %d→%d, misses %d→%d", hits0, hits, misses0, misses)
	}
	if again != first || len(hitTitles(parse(t, again))) == 0 {
		t.Error("the cached search differs from the rendered one, or has no hits")
	}
	// Browsers revalidate a search every time (no-cache), cheaply: the ETag answers 304.
	etag := resp.Header.Get("ETag")
	if resp.Header.Get("Cache-Control") != "no-cache" || etag == "" {
		t.Fatalf("cached search headers: Cache-Control %q, ETag %q", resp.Header.Get("Cache-Control"), etag)
	}
	if r, _ := s.do(t, http.MethodGet, path, http.Header{"If-None-Match": {etag}}); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match on a cached search: %d", r.StatusCode)
	}
	// Campaign tags and junk parameters share the entry of the same search.
	h0, _ := s.app.Searches.Stats()
	if _, body := s.get(t, path+"&utm_source=zalo&fbclid=x"); body != first {
		t.Error("a tagged link shows another page")
	}
	if h, _ := s.app.Searches.Stats(); h != h0+1 {
		t.Error("a tagged link missed the cache")
	}
	// With the whole page cached, htmx still gets the part it asked for.
	for _, c := range []struct {
		header http.Header
		page   bool
	}{
		{http.Header{"Hx-Request": {"true"}, "Hx-Target": {"search-results"}}, false},
		{http.Header{"Hx-Request": {"true"}, "Hx-Target": {"noi-dung"}}, false},
		{http.Header{"Hx-Request": {"true"}, "Hx-History-Restore-Request": {"true"}}, true},
	} {
		for range 2 { // rendered, then from the cache
			resp, body := s.do(t, http.MethodGet, path, c.header)
			if resp.StatusCode != http.StatusOK || strings.Contains(body, "<html") != c.page {
				t.Errorf("%v: status %d, whole page %v", c.header, resp.StatusCode, strings.Contains(body, "<html"))
			}
			if !c.page && resp.Header.Get("HX-Push-Url") != "/tim-kiem?q=%C4%90%C3%A0+N%E1%BA%B5ng" {
				t.Errorf("%v: pushed %q", c.header, resp.Header.Get("HX-Push-Url"))
			}
		}
	}
	if _, body := s.get(t, path); body != first {
		t.Error("a fragment replaced the cached page")
	}
	// A wrong search answers its message every time and is not kept.
	n := s.app.Searches.Len()
	for range 2 {
		resp, body := s.get(t, searchPath("q", "Đà Nẵng", "from", "31/02/2026"))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "không phải là một ngày hợp lệ") {
			t.Fatalf("bad date: %d", resp.StatusCode)
		}
	}
	if s.app.Searches.Len() != n {
		t.Error("a wrong search was cached")
	}
	// A flood of distinct searches (a bot, or a crawler of search URLs) fills the search
	// cache, not the page cache: the article page stays warm.
	art := views.ArticlePath(latestArticle(t, s))
	s.get(t, art)
	pageHits, pageMisses := s.app.Pages.Stats()
	const flood = 1000 // about 20 KB each, so well past the search cache's budget
	for i := range flood {
		if r, _ := s.get(t, searchPath("q", "đường "+strconv.Itoa(i))); r.StatusCode != http.StatusOK {
			t.Fatalf("flood search %d: %d", i, r.StatusCode)
		}
	}
	if n := s.app.Searches.Len(); n >= flood {
		t.Errorf("the search cache holds all %d flooded searches: it is not bounded", n)
	}
	s.get(t, art)
	if h, m := s.app.Pages.Stats(); h != pageHits+1 || m != pageMisses {
		t.Errorf("the article page left its cache during a search flood: hits %d→%d, misses %d→%d", pageHits, h, pageMisses, m)
	}
}

// TestSearchAdmission: searches that must run wait for a free slot (one per core) rather
// than all running at once; one that waits past its deadline is told, in Vietnamese, that
// the server is busy.
func TestSearchAdmission(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	slots := int64(searchSlots())
	if err := s.app.searching.Acquire(ctx, slots); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		resp, _ := s.get(t, searchPath("q", "Đà Nẵng"))
		done <- resp.StatusCode
	}()
	select {
	case code := <-done:
		t.Fatalf("a search ran with every slot taken: %d", code)
	case <-time.After(200 * time.Millisecond):
	}
	s.app.searching.Release(slots)
	select {
	case code := <-done:
		if code != http.StatusOK {
			t.Errorf("the waiting search answered %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting search never ran")
	}

	// Waiting past the deadline (the cache gives a render 10 s) is a 503 with a message.
	if err := s.app.searching.Acquire(ctx, slots); err != nil {
		t.Fatal(err)
	}
	defer s.app.searching.Release(slots)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest(http.MethodGet, searchPath("q", "Đà Nẵng"), nil).WithContext(short)
	err := s.app.admitSearch(s.app.search)(httptest.NewRecorder(), req)
	var he *Error
	if !errors.As(err, &he) || he.Status != http.StatusServiceUnavailable || !strings.Contains(he.Message, "quá nhiều lượt tìm kiếm") {
		t.Errorf("search waiting past its deadline: %v", err)
	}
}
