package e2e

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestOtherSitesCannotFrameThePortal: clickjacking. A page on another origin frames the
// portal's home and an article (cached the second time) and the back office's login;
// Chromium must refuse each from the CSP's frame-ancestors alone (toasoan sends no
// X-Frame-Options: README, Security). A portal started with -frame-ancestors naming that
// origin is framed, so the refusal comes from the setting and not from a broken frame;
// its back office still is not.
func TestOtherSitesCannotFrameThePortal(t *testing.T) {
	browserTest(t, 4)
	framer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="vi"><title>Trang khác</title><iframe name="portal" src="%s"></iframe>`,
			html.EscapeString(r.URL.Query().Get("u")))
	}))
	defer framer.Close()
	closed := startServer(t, "", "-demo")
	open := startServer(t, "", "-demo", "-frame-ancestors", "'self' "+framer.URL)
	ctx := newBrowser(t, 800, 600)
	// framed opens the framing page and waits for the frame to commit a document: the
	// portal's page, or Chromium's error page for a refused frame (unreachableUrl then
	// names the portal's).
	framed := func(pageURL string) (committed, unreachable string) {
		t.Helper()
		do(t, ctx, "open the framing page", chromedp.Navigate(framer.URL+"/?u="+pageURL))
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			do(t, ctx, "read the frame tree", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				tree, err := cdp.Call(ctx, tg, page.GetFrameTree, cdp.Empty{})
				if err != nil {
					return err
				}
				for _, c := range tree.FrameTree.ChildFrames {
					committed, unreachable = c.Frame.URL, c.Frame.UnreachableURL
				}
				return nil
			}))
			if committed != "" && committed != "about:blank" {
				return committed, unreachable
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("%s: the frame committed nothing in 15 s", pageURL)
		return
	}
	article := firstArticlePath(t, func(path string, _ http.Header, _ string) (int, string) {
		resp, err := http.Get(closed.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	})
	refused := func(srv *server, path string) {
		t.Helper()
		got, unreachable := framed(srv.URL + path)
		if got == srv.URL+path || unreachable != srv.URL+path {
			t.Errorf("%s framed by another origin: the frame shows %q (unreachable %q), want Chromium's refusal", path, got, unreachable)
		}
	}
	for _, path := range []string{"/", article, article} {
		refused(closed, path)
		if got, _ := framed(open.URL + path); got != open.URL+path {
			t.Errorf("%s with -frame-ancestors naming the framing origin: the frame shows %q, want the page", path, got)
		}
	}
	refused(closed, "/admin/login")
	refused(open, "/admin/login")
}
