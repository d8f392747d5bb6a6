package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"time"

	"toasoan/db"
	"toasoan/internal/metrics"
	"toasoan/internal/vntext"
	"toasoan/views"
)

// Search page sizes and the element htmx swaps results into.
const (
	searchPageSize        = 10
	searchLatestCount     = 5
	maxSearchSuggestions  = 4
	searchResultsTargetID = "search-results"
)

// Sort orders a reader can choose.
const (
	sortRelevance = "relevance"
	sortNewest    = "newest"
)

// searchForm is the search's query parameters as the reader sent them (normalized), shown
// again in the form.
type searchForm struct {
	Q, Section, From, To, Sort string
}

// values is the form as URL parameters, empty ones left out so shared links stay short.
func (f searchForm) values() url.Values {
	v := url.Values{}
	for _, kv := range [...][2]string{{"q", f.Q}, {"section", f.Section}, {"from", f.From}, {"to", f.To}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if f.Sort == sortNewest {
		v.Set("sort", sortNewest)
	}
	return v
}

// HasFilters reports whether a section, a date or a sort order narrows the search.
func (f searchForm) HasFilters() bool {
	return f.Section != "" || f.From != "" || f.To != "" || f.Sort == sortNewest
}

// searchSuggestion is a search worth trying when nothing was found, with its hit count.
type searchSuggestion struct {
	Label string
	URL   string
	Total int
}

// searchPage is the search page's data.
type searchPage struct {
	Form        searchForm
	Error       string // Vietnamese, for a 400
	ErrorField  string // the parameter at fault: q, section, from, to, sort or page
	Sections    []db.Category
	Query       db.SearchQuery
	Searched    bool // the query had something to search for
	Results     db.SearchResults
	Page, Pages int
	Suggestions []searchSuggestion
	// DidYouMean is the query with the accents the matching articles use, for a query
	// typed without them ("ha noi" → "Hà Nội"); nil when there is none.
	DidYouMean *searchSuggestion
	Latest     []db.Article
}

// approxFrom is the index of the page's first approximate hit (len(hits) when none).
func (p searchPage) approxFrom() int {
	for i, h := range p.Results.Hits {
		if h.Approximate {
			return i
		}
	}
	return len(p.Results.Hits)
}

// CloseHits are the page's hits holding the query's words side by side (every hit of a
// one-word query or of a newest-first search).
func (p searchPage) CloseHits() []db.SearchHit { return p.Results.Hits[:p.approxFrom()] }

// ApproxHits are the page's hits listed under "Kết quả gần đúng": the words are all
// there, but apart.
func (p searchPage) ApproxHits() []db.SearchHit { return p.Results.Hits[p.approxFrom():] }

// ApproxFirst is the rank of the first approximate hit, for the second list's numbering.
func (p searchPage) ApproxFirst() int { return p.First() + p.approxFrom() }

// URL is the search's address for page n (1 for the first page).
func (p searchPage) URL(n int) string {
	v := p.Form.values()
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return searchURL(v)
}

func searchURL(v url.Values) string {
	if len(v) == 0 {
		return "/tim-kiem"
	}
	return "/tim-kiem?" + v.Encode()
}

// First is the rank of the first hit on this page, for the list's numbering.
func (p searchPage) First() int { return (p.Page-1)*searchPageSize + 1 }

// Window lists the page numbers to link around the current one.
func (p searchPage) Window() []int {
	return views.Pagination{Page: p.Page, Pages: p.Pages}.Window()
}

// badSearch is a search parameter the reader got wrong: the form is shown again with the
// message beside it.
type badSearch struct {
	field, msg string
}

func (e *badSearch) Error() string { return e.field + ": " + e.msg }

var (
	dmyDate = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})$`)
	isoDate = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
)

// parseSearchDate reads dd/mm/yyyy (what Vietnamese readers write) or yyyy-mm-dd (what
// date pickers send) as the start of that day in the site's zone.
func parseSearchDate(s string, loc *time.Location) (time.Time, bool) {
	var d, m, y int
	if g := dmyDate.FindStringSubmatch(s); g != nil {
		d, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		y, _ = strconv.Atoi(g[3])
	} else if g := isoDate.FindStringSubmatch(s); g != nil {
		y, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		d, _ = strconv.Atoi(g[3])
	} else {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
	// time.Date normalizes 31/02 into March: a date that does not round-trip is not one.
	if y < 1900 || t.Day() != d || int(t.Month()) != m || t.Year() != y {
		return time.Time{}, false
	}
	return t, true
}

// parseSearch reads and checks the query parameters into the form and the db search.
func (a *App) parseSearch(r *http.Request, nav []db.Category) (searchForm, db.SearchParams, int, error) {
	q := r.URL.Query()
	f := searchForm{
		Q:       vntext.Normalize(q.Get("q")),
		Section: vntext.Normalize(q.Get("section")),
		From:    vntext.Normalize(q.Get("from")),
		To:      vntext.Normalize(q.Get("to")),
		Sort:    vntext.Normalize(q.Get("sort")),
	}
	p := db.SearchParams{Limit: searchPageSize}
	if n := vntext.CharCount(f.Q); n > db.MaxQueryChars {
		return f, p, 0, &badSearch{"q", "Từ khóa quá dài (" + vntext.FormatInt(int64(n)) + " ký tự): hãy nhập tối đa " +
			strconv.Itoa(db.MaxQueryChars) + " ký tự."}
	}
	p.Query = db.ParseSearchQuery(f.Q)
	if !isHTMX(r) {
		// Only active search (htmx, as the reader types) may end in half a word.
		p.Query = p.Query.Finished()
	}
	if f.Section != "" {
		found := false
		for _, c := range nav {
			if c.Slug == f.Section {
				p.CategoryID, found = c.ID, true
			}
		}
		if !found {
			return f, p, 0, &badSearch{"section", "Chuyên mục đã chọn không tồn tại. Hãy chọn lại trong danh sách."}
		}
	}
	loc := a.Views.Location()
	if f.From != "" {
		t, ok := parseSearchDate(f.From, loc)
		if !ok {
			return f, p, 0, &badSearch{"from", "“Từ ngày” không phải là một ngày hợp lệ. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 28/11/2026."}
		}
		p.From = t
	}
	if f.To != "" {
		t, ok := parseSearchDate(f.To, loc)
		if !ok {
			return f, p, 0, &badSearch{"to", "“Đến ngày” không phải là một ngày hợp lệ. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 28/11/2026."}
		}
		p.To = t.AddDate(0, 0, 1) // the whole last day
	}
	if !p.From.IsZero() && !p.To.IsZero() && !p.From.Before(p.To) {
		return f, p, 0, &badSearch{"to", "“Đến ngày” phải bằng hoặc sau “Từ ngày”."}
	}
	switch f.Sort {
	case "", sortRelevance:
		f.Sort = sortRelevance
	case sortNewest:
		p.Newest = true
	default:
		return f, p, 0, &badSearch{"sort", "Cách sắp xếp không hợp lệ: hãy chọn “Liên quan nhất” hoặc “Mới nhất”."}
	}
	page, err := parsePage(r)
	if err != nil {
		var he *Error
		if errors.As(err, &he) {
			return f, p, 0, &badSearch{"page", he.Message}
		}
		return f, p, 0, err
	}
	p.Offset = (page - 1) * searchPageSize
	return f, p, page, nil
}

// searchParamNames are the query parameters the search reads; nothing else in the URL
// changes its answer.
var searchParamNames = [...]string{"q", "section", "from", "to", "sort", "page"}

// cachedSearch serves searches from the search cache: during a breaking story many
// readers search for the same words, and each distinct search is then run and rendered
// once until the next content change (or the cache's time-to-live) retires it.
func (a *App) cachedSearch(fn handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if a.Searches == nil {
			return a.admitSearch(fn)(w, r)
		}
		return a.serveCached(w, r, a.Searches, metrics.CacheSearch, searchCacheKey(r), a.admitSearch(fn))
	}
}

// searchSlots is how many searches run at once: one per core. More only contend for the
// same cores while each holds its candidates and article bodies in memory, so under a
// flood of new queries memory stays flat and the queue stays fair (first come, first
// served).
func searchSlots() int { return runtime.NumCPU() }

// admitSearch runs fn once a search slot is free; a reader who gives up while waiting
// leaves the queue.
func (a *App) admitSearch(fn handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := a.searching.Acquire(r.Context(), 1); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return &Error{Status: http.StatusServiceUnavailable,
					Message: "Máy chủ đang bận vì có quá nhiều lượt tìm kiếm cùng lúc. Xin bạn thử lại sau ít phút."}
			}
			return err
		}
		defer a.searching.Release(1)
		return fn(w, r)
	}
}

// searchCacheKey names everything a search response depends on: the parameters search
// reads (the first value of each, as it reads them) and which part of the page is asked
// for. Other parameters (campaign tags, junk) share the entry of the same search.
func searchCacheKey(r *http.Request) string {
	q := r.URL.Query()
	v := url.Values{}
	for _, name := range searchParamNames {
		if vs, ok := q[name]; ok {
			v.Set(name, vs[0])
		}
	}
	part := "page"
	switch {
	case isHTMX(r) && r.Header.Get(hxTarget) == searchResultsTargetID:
		part = "results"
	case isHTMX(r):
		part = "content"
	}
	return part + " " + v.Encode()
}

// search serves /tim-kiem: the whole page, or for htmx the part it targets — the results
// when the search page's own form asks, the page's main content when the header's box
// asks from any page. Every URL it pushes serves the whole page to a plain request.
func (a *App) search(w http.ResponseWriter, r *http.Request) error {
	ctx, now := r.Context(), a.Now()
	p := a.newPage(r, "Tìm kiếm")
	if err := a.withNav(r, &p); err != nil {
		return err
	}
	data := searchPage{Sections: append([]db.Category(nil), p.Nav...), Page: 1}
	vntext.SortFunc(data.Sections, func(c db.Category) string { return c.Name })
	form, params, page, err := a.parseSearch(r, p.Nav)
	data.Form = form
	status := http.StatusOK
	var bad *badSearch
	switch {
	case errors.As(err, &bad):
		status, data.Error, data.ErrorField = http.StatusBadRequest, bad.msg, bad.field
	case err != nil:
		return err
	default:
		data.Query, data.Page = params.Query, page
		if data.Searched = !params.Query.Empty(); data.Searched {
			if data.Results, err = a.DB.Search(ctx, params, now); err != nil {
				return err
			}
			data.Pages = pageCount(data.Results.Total, searchPageSize)
			if page > data.Pages {
				return &Error{Status: http.StatusNotFound, Message: "Trang kết quả này không tồn tại. Hãy quay lại trang đầu của kết quả tìm kiếm."}
			}
			if data.Results.Total == 0 {
				if err := a.searchAlternatives(r, &data, params, now); err != nil {
					return err
				}
			}
			if sug := data.Results.Suggestion; sug != "" {
				v := form.values()
				v.Set("q", sug)
				data.DidYouMean = &searchSuggestion{Label: sug, URL: searchURL(v)}
			}
		}
	}
	if form.Q != "" && data.Error == "" {
		p.Title = "Tìm kiếm: " + form.Q
		if page > 1 {
			p.Title += " - Trang " + strconv.Itoa(page)
		}
	}
	p.Main = data

	h := w.Header()
	h.Set("Vary", hxRequest+", "+hxTarget+", "+hxHistoryRestore)
	h.Set("Cache-Control", "no-cache")
	if !isHTMX(r) {
		return a.render(w, status, "search", p)
	}
	// The pushed URL is the tidy one (no empty parameters); a wrong search is not pushed.
	if status == http.StatusOK {
		h.Set(hxPushURL, data.URL(page))
	} else {
		h.Set(hxPushURL, "false")
	}
	if r.Header.Get(hxTarget) == searchResultsTargetID {
		return a.renderFragment(w, status, "search", "search-results-fragment", p)
	}
	return a.renderFragment(w, status, "search", "search-content-fragment", p)
}

// searchAlternatives fills what a reader sees when nothing matched: searches that do find
// something (without the filters, without quotes, one word at a time) and the latest news.
func (a *App) searchAlternatives(r *http.Request, data *searchPage, params db.SearchParams, now time.Time) error {
	ctx := r.Context()
	var candidates []searchSuggestion
	if data.Form.HasFilters() {
		candidates = append(candidates, searchSuggestion{Label: data.Form.Q + " (mọi chuyên mục, mọi thời gian)",
			URL: searchURL(url.Values{"q": {data.Form.Q}})})
	}
	words := 0
	for _, t := range params.Query.Terms {
		words += len(t.Words)
	}
	if words > 1 {
		for _, t := range params.Query.Terms {
			for _, w := range t.Words {
				v := data.Form.values()
				v.Set("q", w)
				candidates = append(candidates, searchSuggestion{Label: w, URL: searchURL(v)})
			}
		}
	}
	seen := map[string]bool{}
	for _, c := range candidates {
		if len(data.Suggestions) == maxSearchSuggestions || seen[c.URL] {
			continue
		}
		seen[c.URL] = true
		u, err := url.Parse(c.URL)
		if err != nil {
			return err
		}
		alt := r.Clone(ctx)
		alt.URL = u
		_, sp, _, err := a.parseSearch(alt, data.Sections)
		if err != nil {
			continue
		}
		sp.Limit, sp.Offset = 1, 0
		res, err := a.DB.Search(ctx, sp, now)
		if err != nil {
			return err
		}
		if res.Total > 0 {
			c.Total = res.Total
			data.Suggestions = append(data.Suggestions, c)
		}
	}
	latest, err := a.DB.PublicArticles(ctx, db.PublicListQuery{Limit: searchLatestCount}, now)
	if err != nil {
		return err
	}
	data.Latest = latest
	return nil
}
