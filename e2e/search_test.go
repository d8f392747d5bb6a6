package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestActiveSearchInBrowser types a query without accents into the header's search box
// and expects highlighted accented results in place, without a page load, with the URL
// updated; then back and forward work on the pushed URLs.
func TestActiveSearchInBrowser(t *testing.T) {
	browserTest(t, 12)
	srv := startServer(t, "", "-demo")
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1440, 900}, {"phone", 360, 740}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := newBrowser(t, size.width, size.height)
			do(t, ctx, "open home",
				chromedp.EmulateViewport(int64(size.width), int64(size.height)),
				chromedp.Navigate(srv.URL+"/"),
				chromedp.WaitVisible(chromedp.CSS(".top-story h2 a"), retry))
			// A page load would wipe this marker.
			must(t, ctx, "set marker", chromedp.Evaluate[bool](`window.searchMarker = "still here", true`))

			do(t, ctx, "type in the header box", chromedp.SendKeys(chromedp.CSS("#search-q"), "chat doc da cam", retry))
			must(t, ctx, "wait for highlighted results", chromedp.Poll[bool](
				`location.search === "?q=chat+doc+da+cam" && [...document.querySelectorAll("#search-results .search-hit mark")].some(m => m.textContent.toLowerCase() === "chất độc da cam")`))
			marks := must(t, ctx, "marks", chromedp.Evaluate[[]string](
				`[...document.querySelectorAll("#search-results .search-hit:first-child mark")].map(m => m.textContent.toLowerCase())`))
			// The phrase is marked whole.
			if !slices.Contains(marks, "chất độc da cam") {
				t.Errorf("no <mark>chất độc da cam</mark> among %v", marks)
			}
			marker := must(t, ctx, "marker", chromedp.Evaluate[string](`window.searchMarker || ""`))
			if marker != "still here" {
				t.Fatal("the page was reloaded")
			}
			loc := must(t, ctx, "location", chromedp.Evaluate[string](`location.pathname + location.search`))
			if loc != "/tim-kiem?q=chat+doc+da+cam" {
				t.Errorf("URL %q", loc)
			}
			title := must(t, ctx, "title", chromedp.Title())
			if !strings.HasPrefix(title, "Tìm kiếm: chat doc da cam") {
				t.Errorf("title %q", title)
			}
			count := must(t, ctx, "count", chromedp.Text(chromedp.CSS(".search-count"), retry))
			if !strings.HasPrefix(count, "Tìm thấy ") {
				t.Errorf("count %q", count)
			}
			scrollWidth := must(t, ctx, "width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			if scrollWidth > size.width {
				t.Errorf("search page scrolls sideways: %d px in a %d px window", scrollWidth, size.width)
			}
			screenshot(t, ctx, "search-"+size.name)

			// The page's own box refines in place: only the results change.
			do(t, ctx, "refine", chromedp.Clear(chromedp.CSS("#search-page-q"), retry),
				chromedp.SendKeys(chromedp.CSS("#search-page-q"), "ĐÀ NẴNG", retry))
			must(t, ctx, "wait for Đà Nẵng", chromedp.Poll[bool](
				`decodeURIComponent(location.search) === "?q=ĐÀ+NẴNG" && [...document.querySelectorAll("#search-results mark")].some(m => m.textContent === "Đà Nẵng")`))
			loc = must(t, ctx, "location", chromedp.Evaluate[string](`decodeURIComponent(location.search)`))
			if loc != "?q=ĐÀ+NẴNG" {
				t.Errorf("URL after refining %q", loc)
			}

			// Back twice returns to the first search, then home; forward again.
			// On a loaded machine the keys come slower than the 300 ms delay, and half-typed
			// searches are pushed too: go back past them.
			backUntil(t, ctx, "first search again",
				`location.search === "?q=chat+doc+da+cam" && document.querySelector("#search-page-q") && document.querySelector("#search-page-q").value === "chat doc da cam"`)
			backUntil(t, ctx, "home again",
				`location.pathname === "/" && document.querySelector(".top-story h2 a") !== null && document.querySelectorAll("header").length === 1`)
			must(t, ctx, "forward", chromedp.Evaluate[bool](`history.forward(), true`))
			must(t, ctx, "search again", chromedp.Poll[bool](
				`document.querySelectorAll("#search-results mark").length > 0 && document.querySelectorAll("main").length === 1`))

			// A bad date shows its Vietnamese message in place.
			do(t, ctx, "open filters", chromedp.Click(chromedp.CSS(".search-filters summary"), retry),
				chromedp.SendKeys(chromedp.CSS(`input[name="from"]`), "31/02/2026\t", retry))
			msg := must(t, ctx, "error", chromedp.Poll[string](
				`(document.querySelector(".search-error") || {}).textContent || ""`))
			if !strings.Contains(msg, "Từ ngày") {
				t.Errorf("bad date message %q", msg)
			}
			// htmx restored history by fetching whole pages and swapping them in: still no
			// page load.
			if must(t, ctx, "marker", chromedp.Evaluate[string](`window.searchMarker || ""`)) != "still here" {
				t.Error("a page load happened during history navigation or filtering")
			}
			screenshot(t, ctx, "search-error-"+size.name)

			// Nothing found: the message, searches that do find something, the latest news.
			do(t, ctx, "search for nothing", chromedp.Navigate(srv.URL+"/tim-kiem?q=chất+độc+xyzxyz"),
				chromedp.WaitVisible(chromedp.CSS(".search-empty"), retry))
			empty := must(t, ctx, "empty", chromedp.Text(chromedp.CSS(".search-empty"), retry))
			if !strings.Contains(empty, "Không tìm thấy kết quả") || !strings.Contains(strings.ToLower(empty), "tin mới nhất") {
				t.Errorf("empty result reads %q", empty)
			}
			do(t, ctx, "follow a suggestion", chromedp.Click(chromedp.CSS(".search-suggestions a"), retry),
				chromedp.WaitVisible(chromedp.CSS(".search-hit mark"), retry))
			screenshot(t, ctx, "search-suggestion-"+size.name)

			// The pager swaps the results in place and pushes the page's URL.
			must(t, ctx, "set marker", chromedp.Evaluate[bool](`window.searchMarker = "page one", true`))
			do(t, ctx, "next page", chromedp.Click(chromedp.CSS(`.pager a[rel="next"]`), retry))
			must(t, ctx, "page 2", chromedp.Poll[bool](
				`(document.querySelector(".pager [aria-current]") || {}).textContent === "2" && location.search.includes("page=2")`))
			if must(t, ctx, "marker", chromedp.Evaluate[string](`window.searchMarker || ""`)) != "page one" {
				t.Error("the pager reloaded the page")
			}
			if n := must(t, ctx, "hits", chromedp.Evaluate[int](`document.querySelectorAll(".search-hit").length`)); n == 0 {
				t.Error("page 2 has no hits")
			}
		})
	}
}

// TestSearchSuggestionWhileTyping types "ha noi" into the header's box as a reader
// without a Vietnamese keyboard would: while the results swap in, the page offers "Có phải
// bạn muốn tìm: Hà Nội", lists the article with Hà Nội first with the phrase marked whole,
// and puts the rest under "Kết quả gần đúng"; following the offer searches "Hà Nội".
func TestSearchSuggestionWhileTyping(t *testing.T) {
	browserTest(t, 10)
	srv := startServer(t, "", "-demo")
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1440, 900}, {"phone", 360, 740}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := newBrowser(t, size.width, size.height)
			do(t, ctx, "open home",
				chromedp.EmulateViewport(int64(size.width), int64(size.height)),
				chromedp.Navigate(srv.URL+"/"),
				chromedp.WaitVisible(chromedp.CSS(".top-story h2 a"), retry))
			must(t, ctx, "set marker", chromedp.Evaluate[bool](`window.searchMarker = "typing", true`))
			// Typed without a pause at the end: the last word is still half a word.
			do(t, ctx, "type", chromedp.SendKeys(chromedp.CSS("#search-q"), "ha no", retry))
			offer := must(t, ctx, "wait for the offer", chromedp.Poll[string](
				`(document.querySelector("#search-results .search-didyoumean") || {}).textContent || ""`))
			if strings.TrimSpace(offer) != "Có phải bạn muốn tìm: Hà Nội" {
				t.Errorf("offer reads %q", offer)
			}
			if must(t, ctx, "marker", chromedp.Evaluate[string](`window.searchMarker || ""`)) != "typing" {
				t.Fatal("typing reloaded the page")
			}
			do(t, ctx, "finish the word", chromedp.SendKeys(chromedp.CSS("#search-q"), "i", retry))
			must(t, ctx, "wait for the finished query", chromedp.Poll[bool](
				`location.search === "?q=ha+noi" && document.querySelector(".search-approx-title") !== null`))
			first := must(t, ctx, "first hit marks", chromedp.Evaluate[[]string](
				`[...document.querySelectorAll("#search-results .search-list:not(.search-list-approx) .search-hit mark")].map(m => m.textContent)`))
			if !slices.Contains(first, "Hà Nội") {
				t.Errorf("the close hit marks %v, want Hà Nội whole", first)
			}
			line := must(t, ctx, "line", chromedp.Text(chromedp.CSS(".search-approx-title"), retry))
			if line != "Kết quả gần đúng" {
				t.Errorf("line reads %q", line)
			}
			visible := must(t, ctx, "offer visible", chromedp.Evaluate[bool](
				`(() => { const r = document.querySelector(".search-didyoumean a").getBoundingClientRect(); return r.width > 0 && r.right <= window.innerWidth })()`))
			if !visible {
				t.Error("the offer is not visible on screen")
			}
			screenshot(t, ctx, "search-didyoumean-"+size.name)

			// A plain link: the browser loads the accented search's page.
			do(t, ctx, "follow the offer", chromedp.Click(chromedp.CSS(".search-didyoumean a"), retry))
			ok := false
			for range 100 {
				// The poll runs in the page, which the navigation replaces: ask again.
				got, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
					`decodeURIComponent(location.search) === "?q=Hà+Nội" && document.readyState === "complete" && document.querySelector(".search-didyoumean") === null && document.querySelector(".search-hit mark") !== null`))
				if ok = err == nil && got; ok {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if !ok {
				t.Error("following the offer did not search “Hà Nội”")
			}
		})
	}
}

// backUntil goes back in history until cond holds in the page, at most 8 steps.
func backUntil(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	for range 8 {
		must(t, ctx, "back", chromedp.Evaluate[bool](`history.back(), true`))
		pollCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(pollCtx, chromedp.Poll[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
	}
	t.Fatalf("%s: not reached going back", what)
}
