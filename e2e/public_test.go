package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestHomeAndArticleInBrowser(t *testing.T) {
	browserTest(t, 8)
	srv := startServer(t, "", "-demo")
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1440, 900}, {"phone", 360, 740}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := newBrowser(t, size.width, size.height)
			do(t, ctx, "open home",
				// Headless windows have a minimum width; the viewport can be narrower.
				chromedp.EmulateViewport(int64(size.width), int64(size.height)),
				chromedp.Navigate(srv.URL+"/"),
				chromedp.WaitVisible(chromedp.CSS(".top-story h2 a"), retry))
			leadTitle := must(t, ctx, "lead title", chromedp.Text(chromedp.CSS(".top-story h2 a"), retry))
			htmxVersion := must(t, ctx, "htmx", chromedp.Evaluate[string](`window.htmx ? htmx.version : ""`))
			scrollWidth := must(t, ctx, "width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			if strings.TrimSpace(leadTitle) == "" {
				t.Fatal("no lead story title")
			}
			if !strings.HasPrefix(htmxVersion, "2.0.") {
				t.Errorf("htmx not loaded: version %q", htmxVersion)
			}
			if scrollWidth > size.width {
				t.Errorf("home page scrolls sideways: %d px wide in a %d px window", scrollWidth, size.width)
			}
			screenshot(t, ctx, "home-"+size.name)

			do(t, ctx, "open the lead story",
				chromedp.Click(chromedp.CSS(".top-story h2 a"), retry),
				chromedp.WaitVisible(chromedp.CSS("h1.article-title"), retry))
			h1 := must(t, ctx, "h1", chromedp.Text(chromedp.CSS("h1.article-title"), retry))
			timeText := must(t, ctx, "time", chromedp.Text(chromedp.CSS(".article-time"), retry))
			viewsText := must(t, ctx, "views", chromedp.Text(chromedp.CSS(".views"), retry))
			scrollWidth = must(t, ctx, "width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			if strings.TrimSpace(h1) != strings.TrimSpace(leadTitle) {
				t.Errorf("opened %q, clicked %q", h1, leadTitle)
			}
			if !strings.HasPrefix(timeText, "(") || !strings.Contains(viewsText, "lượt xem") {
				t.Errorf("article time %q, views %q", timeText, viewsText)
			}
			if scrollWidth > size.width {
				t.Errorf("article scrolls sideways: %d px", scrollWidth)
			}
			screenshot(t, ctx, "article-"+size.name)
		})
	}
}
