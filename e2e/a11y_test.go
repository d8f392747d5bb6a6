package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axeFile is axe-core vendored from npm (`npm pack axe-core`), MPL-2.0, license beside it.
const axeFile = "testdata/axe-core-4.14.1.min.js"

// axeViolation is one failed axe rule with the elements that fail it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// runAxe injects axe-core into the open page and runs the WCAG 2.1 A/AA rules and the
// best practices; it returns every violation.
func runAxe(t *testing.T, ctx context.Context, axeSource string) []axeViolation {
	t.Helper()
	do(t, ctx, "inject axe-core", chromedp.Evaluate[chromedp.Void](axeSource))
	return must(t, ctx, "run axe", chromedp.Evaluate[[]axeViolation](`axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
		resultTypes: ["violations"]
	}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help,
		nodes: v.nodes.map(n => n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\s+/g, " "))
	})))`, chromedp.EvalAwaitPromise))
}

// exists reports whether a path answers 200 on the running server (a page another
// branch adds, such as search, is checked only once it exists).
func exists(t *testing.T, url string) bool {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// TestAccessibilityWithAxe runs axe-core on every kind of public page, on a desktop and
// a phone, and fails on any serious or critical violation.
func TestAccessibilityWithAxe(t *testing.T) {
	browserTest(t, 29)
	axeSource, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, "", "-demo")
	pages := []struct{ name, path, ready string }{
		{"home", "/", ".top-story h2 a"},
		{"section", "/chuyen-muc/thoi-su", "h1.page-title"},
		{"article", "", "h1.article-title"}, // the lead story, found on the home page
		{"print", "", "h1.article-title"},
		{"about-en", "/en/about", "#about-title"},
		{"not-found", "/khong-ton-tai", ".error-code"},
		{"search", "/tim-kiem?q=n%C3%B4ng+th%C3%B4n", "main"},
	}
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1440, 900}, {"phone", 360, 740}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := newBrowser(t, size.width, size.height)
			// Record every Content-Security-Policy violation on every page: the strict CSP
			// must block nothing the site itself does (JSON-LD, htmx, the site's script).
			do(t, ctx, "watch CSP", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
					Source: `window.__csp = []; document.addEventListener("securitypolicyviolation",
						e => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || "")));`,
				})
				return err
			}))
			do(t, ctx, "open home", chromedp.EmulateViewport(int64(size.width), int64(size.height)),
				chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".top-story h2 a"), retry))
			article := must(t, ctx, "lead story", chromedp.Evaluate[string](`document.querySelector(".top-story h2 a").getAttribute("href")`))
			for _, p := range pages {
				path := p.path
				switch p.name {
				case "article":
					path = article
				case "print":
					path = article + "?in=1"
				case "search":
					if !exists(t, srv.URL+path) {
						t.Logf("no search page on this branch yet: %s skipped", path)
						continue
					}
				}
				do(t, ctx, "open "+p.name, chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS(p.ready), retry))
				if p.name == "article" {
					hasForm := must(t, ctx, "comment form?", chromedp.Evaluate[bool](`!!document.querySelector("#binh-luan form")`))
					t.Logf("article page: comment form present = %v", hasForm)
				}
				if csp := must(t, ctx, "CSP violations", chromedp.Evaluate[[]string](`window.__csp || ["watcher missing"]`)); len(csp) > 0 {
					t.Errorf("%s: Content-Security-Policy violations: %v", p.name, csp)
				}
				for _, v := range runAxe(t, ctx, string(axeSource)) {
					msg := v.ID + " (" + v.Impact + "): " + v.Help + "\n    " + strings.Join(v.Nodes, "\n    ")
					if v.Impact == "serious" || v.Impact == "critical" {
						t.Errorf("%s: %s", p.name, msg)
					} else {
						t.Logf("%s: minor: %s", p.name, msg)
					}
				}
			}
			// axe itself works here: an image without alt and an unlabelled field fail.
			do(t, ctx, "break the page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("main"), retry),
				chromedp.Evaluate[chromedp.Void](`document.querySelector("main").insertAdjacentHTML("beforeend",
					'<img src="/static/nothing.png"><input type="text" name="x">')`))
			found := map[string]string{}
			for _, v := range runAxe(t, ctx, string(axeSource)) {
				found[v.ID] = v.Impact
			}
			if found["image-alt"] != "critical" || found["label"] != "critical" {
				t.Errorf("axe missed planted violations: %v", found)
			}
			// And the CSP watcher works: an image from another host is blocked and recorded.
			do(t, ctx, "plant a foreign image", chromedp.Evaluate[chromedp.Void](
				`document.querySelector("main").insertAdjacentHTML("beforeend", '<img alt="" src="https://example.invalid/x.png">')`))
			csp := must(t, ctx, "planted CSP violation", chromedp.Poll[[]string](`window.__csp.length ? window.__csp : null`,
				chromedp.WithPollingTimeout(5*time.Second)))
			if len(csp) == 0 || !strings.HasPrefix(csp[0], "img-src") {
				t.Errorf("CSP watcher missed a planted violation: %v", csp)
			}
		})
	}
}

// TestKeyboardAndAnnouncements checks what axe cannot: the skip link is the first Tab
// stop and moves focus to the content, focus is visible, the live region htmx swaps
// report into exists, and the print link prints instead of leaving the page.
func TestKeyboardAndAnnouncements(t *testing.T) {
	browserTest(t, 5)
	srv := startServer(t, "", "-demo")
	ctx := newBrowser(t, 1440, 900)
	do(t, ctx, "open home", chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".top-story h2 a"), retry))
	do(t, ctx, "tab", chromedp.KeyEvent("\t"))
	first := must(t, ctx, "first focus", chromedp.Evaluate[string](`document.activeElement.className`))
	if first != "skip-link" {
		t.Fatalf("first Tab stop is %q, want the skip link", first)
	}
	outline := must(t, ctx, "focus outline", chromedp.Evaluate[string](`getComputedStyle(document.activeElement).outlineStyle`))
	top := must(t, ctx, "skip link position", chromedp.Evaluate[float64](`document.activeElement.getBoundingClientRect().top`))
	if outline == "none" || top < 0 {
		t.Errorf("focused skip link: outline %q, top %v (must be visible)", outline, top)
	}
	do(t, ctx, "follow the skip link", chromedp.KeyEvent("\r"))
	focused := must(t, ctx, "focus after skip", chromedp.Evaluate[string](`document.activeElement.id`))
	if focused != "noi-dung" {
		t.Errorf("skip link moved focus to %q", focused)
	}
	live := must(t, ctx, "live region", chromedp.Evaluate[string](`(document.getElementById("thong-bao") || {getAttribute(){return ""}}).getAttribute("aria-live")`))
	if live != "polite" {
		t.Errorf("no polite live region for htmx announcements: %q", live)
	}

	// An htmx swap is read out through the live region, and the target is busy only
	// while the request runs.
	do(t, ctx, "plant an htmx element", chromedp.Evaluate[chromedp.Void](`(() => {
		document.querySelector("main").insertAdjacentHTML("beforeend",
			'<button type="button" id="swap-test" hx-get="/en/about" hx-select="#about-title" hx-target="#swap-out">Tải</button><div id="swap-out"></div>');
		htmx.process(document.getElementById("swap-test"));
	})()`), chromedp.Click(chromedp.CSS("#swap-test"), retry))
	said := must(t, ctx, "announcement", chromedp.Poll[string](`document.getElementById("thong-bao").textContent`,
		chromedp.WithPollingTimeout(10*time.Second)))
	swapped := must(t, ctx, "swapped", chromedp.Text(chromedp.CSS("#swap-out"), retry))
	busy := must(t, ctx, "busy", chromedp.Evaluate[bool](`document.getElementById("swap-out").hasAttribute("aria-busy")`))
	if said != "Nội dung đã được cập nhật." || !strings.Contains(swapped, "About us") || busy {
		t.Errorf("htmx swap: announced %q, swapped %q, still busy %v", said, swapped, busy)
	}

	// The print link: with JS it opens the print dialog and stays on the article.
	do(t, ctx, "open the article", chromedp.Click(chromedp.CSS(".top-story h2 a"), retry), chromedp.WaitVisible(chromedp.CSS(".share-print"), retry),
		chromedp.Evaluate[chromedp.Void](`window.__printed = 0; window.print = () => { window.__printed++ }`),
		chromedp.Click(chromedp.CSS(".share-print"), retry))
	printed := must(t, ctx, "printed", chromedp.Evaluate[int](`window.__printed`))
	loc := must(t, ctx, "location", chromedp.Location())
	if printed != 1 || strings.Contains(loc, "in=1") {
		t.Errorf("print link: print() called %d times, location %q", printed, loc)
	}
}

// TestShareAndPrintLook takes the screenshots a person checks: the article with its
// share tools on a desktop and a phone, and the article as printed.
func TestShareAndPrintLook(t *testing.T) {
	browserTest(t, 5)
	srv := startServer(t, "", "-demo")
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1440, 900}, {"phone", 360, 740}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := newBrowser(t, size.width, size.height)
			do(t, ctx, "open article", chromedp.EmulateViewport(int64(size.width), int64(size.height)),
				chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".top-story h2 a"), retry),
				chromedp.Click(chromedp.CSS(".top-story h2 a"), retry), chromedp.WaitVisible(chromedp.CSS(".article-tools"), retry))
			width := must(t, ctx, "width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			if width > size.width {
				t.Errorf("article with share tools scrolls sideways: %d px", width)
			}
			visible := must(t, ctx, "share links", chromedp.Evaluate[int](
				`[...document.querySelectorAll(".share-link")].filter(a => a.getBoundingClientRect().height >= 44).length`))
			if visible != 4 {
				t.Errorf("%d of 4 share links visible with a 44 px touch target", visible)
			}
			do(t, ctx, "scroll to the tools", chromedp.ScrollIntoView(chromedp.CSS(".article-tools"), retry))
			screenshot(t, ctx, "share-"+size.name)

			// Printed: only the article, with its URL and date; no menus, comments or tools.
			do(t, ctx, "emulate print", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
				return err
			}))
			hidden := must(t, ctx, "hidden in print", chromedp.Evaluate[[]string](`[".site-nav", ".comments", ".related", ".article-tools", ".site-footer", ".search-box"]
				.filter(s => { const e = document.querySelector(s); return e && getComputedStyle(e).display !== "none" })`))
			if len(hidden) > 0 {
				t.Errorf("printed page still shows %v", hidden)
			}
			info := must(t, ctx, "print info", chromedp.Evaluate[string](`(() => { const e = document.querySelector(".print-info");
				return e && getComputedStyle(e).display !== "none" ? e.textContent : "" })()`))
			url := must(t, ctx, "url", chromedp.Location())
			if !strings.Contains(info, url) || !strings.Contains(info, "Đăng lúc") {
				t.Errorf("printed page lacks its URL and date: %q", info)
			}
			screenshot(t, ctx, "print-"+size.name)
		})
	}
}
