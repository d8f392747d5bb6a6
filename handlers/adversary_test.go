package handlers

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"toasoan/db"
	"toasoan/views"
)

// TestHostHeaderCannotPoisonPages: a client choosing its own Host header must not change
// the bytes any other client receives. The first request of each URL (a cold cache
// entry) comes with a foreign Host; then a reader asks normally: no page, feed or file
// may carry the foreign host, and the foreign client's own copy carries the site's.
func TestHostHeaderCannotPoisonPages(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	art := latestArticle(t, s)
	paths := []string{"/", views.ArticlePath(art), views.ArticlePath(art) + "?in=1", "/chuyen-muc/" + art.CategorySlug,
		"/rss.xml", "/atom.xml", "/chuyen-muc/" + art.CategorySlug + "/rss.xml", "/sitemap.xml", "/robots.txt", "/en/about"}
	for _, p := range paths {
		for _, host := range []string{"evil.example", "evil.example:8080"} {
			req, _ := http.NewRequest("GET", s.srv.URL+p, nil)
			req.Host = host
			resp, body := s.send(t, req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s with Host %s: %d", p, host, resp.StatusCode)
			}
			if strings.Contains(body, "evil.example") {
				t.Errorf("%s: the answer to Host %s names it", p, host)
			}
		}
		_, body := s.get(t, p)
		if strings.Contains(body, "evil.example") {
			t.Errorf("%s: a reader got the poisoned host", p)
		}
		if !strings.Contains(body, s.app.Config.BaseURL) {
			t.Errorf("%s: no absolute URL on the base %s", p, s.app.Config.BaseURL)
		}
	}
}

// TestLoginThrottleHoldsUnderConcurrency: 60 wrong passwords for one account at once
// must not all be checked; the attempt is counted before the password is, so only the
// free ones reach bcrypt and the right password afterwards still waits.
func TestLoginThrottleHoldsUnderConcurrency(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	var checked, throttled atomic.Int64
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			b := s.newBrowser(t)
			r, _ := b.post("/admin/login", url.Values{"name": {"editor1"}, "password": {"sai-mat-khau-" + strconv.Itoa(i)}})
			switch r.StatusCode {
			case http.StatusUnprocessableEntity:
				checked.Add(1)
			case http.StatusTooManyRequests:
				throttled.Add(1)
			default:
				t.Errorf("status %d", r.StatusCode)
			}
		})
	}
	wg.Wait()
	if checked.Load() != freeFailuresUser || throttled.Load() != 60-freeFailuresUser {
		t.Errorf("%d passwords checked, %d throttled; want %d checked", checked.Load(), throttled.Load(), freeFailuresUser)
	}
	if r, _ := s.newBrowser(t).post("/admin/login", url.Values{"name": {"editor1"}, "password": {adminTestPassword}}); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right password after the flood: %d, want 429", r.StatusCode)
	}
}

// TestOwnLoginDoesNotResetAddressCount: an author logging into their own account between
// guesses at other accounts gets no more guesses than the address's free ones.
func TestOwnLoginDoesNotResetAddressCount(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	b := s.newBrowser(t)
	guesses, refused := 0, 0
	for i := range 60 {
		if i%4 == 3 {
			b.post("/admin/login", url.Values{"name": {"author1"}, "password": {adminTestPassword}})
			continue
		}
		name := "nguoi-" + strconv.Itoa(i)
		switch r, _ := b.post("/admin/login", url.Values{"name": {name}, "password": {"doan-mo-" + strconv.Itoa(i)}}); r.StatusCode {
		case http.StatusUnprocessableEntity:
			guesses++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("guess %d: %d", i, r.StatusCode)
		}
	}
	if guesses > freeFailuresIP || refused == 0 {
		t.Errorf("%d guesses checked, %d refused; the address may have %d", guesses, refused, freeFailuresIP)
	}
}

// TestSetupLinkOnceUnderConcurrency: the one-time setup link used 10 times at once
// creates one admin; the other nine are told the link is used.
func TestSetupLinkOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	s := openAdminSite(t, t.TempDir(), Config{}, false)
	ctx := context.Background()
	if err := s.app.BootstrapAccounts(ctx, false, s.srv.URL); err != nil {
		t.Fatal(err)
	}
	token := s.app.back.setupToken
	var created, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			r, _ := s.newBrowser(t).post("/admin/thiet-lap", url.Values{"token": {token}, "name": {"quantri" + strconv.Itoa(i)},
				"password": {adminTestPassword}, "password2": {adminTestPassword}})
			switch r.StatusCode {
			case http.StatusSeeOther:
				created.Add(1)
			case http.StatusNotFound:
				refused.Add(1)
			default:
				t.Errorf("status %d", r.StatusCode)
			}
		})
	}
	wg.Wait()
	n, err := s.app.DB.CountUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || created.Load() != 1 || refused.Load() != 9 {
		t.Errorf("%d accounts, %d created, %d refused; want 1, 1, 9", n, created.Load(), refused.Load())
	}
}

// TestJunkQueriesRedirectAndStayOutOfTheCache: a page given a query it does not use
// answers a redirect to its canonical URL (404 past a section's last page), and a flood
// of such requests adds nothing to the page cache.
func TestJunkQueriesRedirectAndStayOutOfTheCache(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	art := latestArticle(t, s)
	ap, sp := views.ArticlePath(art), views.SectionPath(art.CategorySlug)
	for _, c := range []struct{ path, want string }{
		{"/?page=100000", "/"},
		{"/?page=2", "/"},
		{"/?utm_source=zalo", "/"},
		{ap + "?page=7", ap},
		{ap + "?binh-luan=bat-ky", ap},
		{ap + "?in=1&x=1", ap + "?in=1"},
		{ap + "?in=1&in=1", ap},
		{sp + "?page=1", sp},
		{sp + "?page=", sp},
		{sp + "?trang=2", sp},
		{"/rss.xml?v=1", "/rss.xml"},
		{"/sitemap.xml?x=1", "/sitemap.xml"},
		{"/robots.txt?a=b", "/robots.txt"},
		{"/en/about?x", "/en/about"},
	} {
		resp, _ := s.get(t, c.path)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != c.want {
			t.Errorf("%s: %d to %q, want 301 to %q", c.path, resp.StatusCode, resp.Header.Get("Location"), c.want)
		}
	}
	for _, p := range []string{sp + "?page=100000", sp + "?page=abc", ap + "?in=2"} {
		if resp, _ := s.get(t, p); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 404 or 400", p, resp.StatusCode)
		}
	}
	// Warm the real pages, then flood: the cache holds exactly what it held.
	for _, p := range []string{"/", ap, sp} {
		s.get(t, p)
	}
	before := s.app.Pages.Len()
	for i := range 1500 {
		for _, p := range []string{"/?page=" + strconv.Itoa(100000+i), ap + "?page=" + strconv.Itoa(i), sp + "?page=" + strconv.Itoa(1000+i)} {
			s.get(t, p)
		}
	}
	if after := s.app.Pages.Len(); after != before {
		t.Errorf("page cache went from %d to %d entries under junk queries", before, after)
	}
}

// TestHTMXRequestCostsACacheHit: an HX-Request header on a cached route is served from
// the cache, not rendered afresh.
func TestHTMXRequestCostsACacheHit(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ap := views.ArticlePath(latestArticle(t, s))
	s.get(t, ap)
	_, missesBefore := s.app.Pages.Stats()
	for range 50 {
		if resp, _ := s.do(t, "GET", ap, http.Header{"Hx-Request": {"true"}}); resp.StatusCode != http.StatusOK {
			t.Fatalf("htmx GET: %d", resp.StatusCode)
		}
	}
	if _, misses := s.app.Pages.Stats(); misses != missesBefore {
		t.Errorf("%d htmx requests rendered the page", misses-missesBefore)
	}
}

// TestFeedsAndSitemapAreCached: feeds, sitemaps and robots.txt are rendered once and
// served from the feeds cache until content changes.
func TestFeedsAndSitemapAreCached(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	paths := []string{"/rss.xml", "/atom.xml", "/sitemap.xml", "/robots.txt"}
	for _, p := range paths {
		s.get(t, p)
	}
	_, misses := s.app.Feeds.Stats()
	for range 20 {
		for _, p := range paths {
			if resp, _ := s.get(t, p); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", p, resp.StatusCode)
			}
		}
	}
	if hits, m := s.app.Feeds.Stats(); m != misses || hits < 80 {
		t.Errorf("feeds cache: %d hits, %d new misses", hits, m-misses)
	}
	// A content change retires them: the new title is in the next feed.
	art := latestArticle(t, s)
	if _, err := s.app.DB.Writer().Exec(`UPDATE articles SET title = 'Tiêu đề mới sau khi sửa' WHERE id = ?`, art.ID); err != nil {
		t.Fatal(err)
	}
	s.app.invalidateCaches()
	if _, body := s.get(t, "/rss.xml"); !strings.Contains(body, "Tiêu đề mới sau khi sửa") {
		t.Error("the feed kept the old title after a content change")
	}
}

// invisibleNames are names that render blank: Hangul fillers, braille blanks, tag
// characters, the Mongolian vowel separator, zero-width and ideographic spaces.
var invisibleNames = []string{"\u3164\u3164\u3164", "\u2800\u2800", "\u115F\u1160", "\U000E0041\U000E0064\U000E006D\U000E0069\U000E006E",
	"\u180E\u180E", "\u200B\u3000\u200B", "\uFFA0\uFFA0", "\u3164\u0301"}

// TestInvisibleTextIsNotText: a required field made only of code points that render
// blank is empty, on the comment form and in the back office.
func TestInvisibleTextIsNotText(t *testing.T) {
	t.Parallel()
	cs := newCommentSite(t, Config{CaptchaOff: true})
	before := cs.countComments(t)
	for _, blank := range invisibleNames {
		for _, field := range []string{"name", "title", "content"} {
			v := validComment(cs.openForm(t))
			v.Set(field, blank)
			resp, body := cs.post(t, cs.art.ID, v, true, nil)
			if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(parse(t, body), field) == "" {
				t.Errorf("comment %s %+q: %d, no error beside the field", field, blank, resp.StatusCode)
			}
		}
	}
	if after := cs.countComments(t); after != before {
		t.Errorf("%d comments with an invisible field stored", after-before)
	}

	s := newAdminSite(t, Config{})
	admin := s.loginAs(t, db.RoleAdmin)
	for _, blank := range invisibleNames[:3] {
		for _, c := range []struct {
			path string
			form url.Values
		}{
			{"/admin/chuyen-muc", url.Values{"name": {blank}}},
			{"/admin/bai-viet", url.Values{"title": {blank}, "category_id": {"1"}}},
			{"/admin/cai-dat", url.Values{"site_name": {blank}, "time_zone": {"Asia/Ho_Chi_Minh"}, "comment_moderation": {"true"}}},
			{"/admin/nguoi-dung", url.Values{"name": {"nguoi-moi"}, "display_name": {blank}, "role": {"author"},
				"password": {adminTestPassword}, "password2": {adminTestPassword}}},
		} {
			if r, _ := admin.post(c.path, c.form); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s with %+q: %d, want 422", c.path, blank, r.StatusCode)
			}
		}
	}
}

// TestFormTokenIsGoodForOnePost: a fill-time token fetched once is spent by the first
// accepted post; more posts with it (one after another, or ten at once) are refused, and
// the record survives a restart of the server.
func TestFormTokenIsGoodForOnePost(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true, Moderation: ModerationOff})
	before := s.countComments(t)
	secrets := s.openForm(t)
	post := func(n int) int {
		v := validComment(secrets)
		v.Set("content", "Ý kiến số "+strconv.Itoa(n)+" về đường liên xã.")
		resp, _ := s.post(t, s.art.ID, v, false, nil)
		return resp.StatusCode
	}
	if code := post(0); code != http.StatusSeeOther {
		t.Fatalf("first post: %d", code)
	}
	for i := 1; i <= 5; i++ {
		if code := post(i); code != http.StatusUnprocessableEntity {
			t.Errorf("post %d with a spent token: %d, want 422", i, code)
		}
	}
	// Ten different texts with one fresh token, at once: one is stored.
	secrets = s.openForm(t)
	var wg sync.WaitGroup
	var accepted atomic.Int64
	for i := range 10 {
		wg.Go(func() {
			if post(100+i) == http.StatusSeeOther {
				accepted.Add(1)
			}
		})
	}
	wg.Wait()
	if accepted.Load() != 1 {
		t.Errorf("%d posts accepted with one token at once, want 1", accepted.Load())
	}
	// A new server on the same database still refuses the spent token.
	again, err := New(context.Background(), s.app.DB, s.app.Views, s.app.Assets, s.app.Log, s.app.Counts, s.app.Config)
	if err != nil {
		t.Fatal(err)
	}
	again.Now = s.clock.Now
	srv := httptest.NewServer(again.Routes())
	defer srv.Close()
	v := validComment(secrets)
	v.Set("content", "Sau khi khởi động lại máy chủ.")
	resp, err := http.PostForm(srv.URL+commentPath(s.art.ID), v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("spent token after a restart: %d, want 422", resp.StatusCode)
	}
	if after := s.countComments(t); after != before+2 {
		t.Errorf("%d comments stored, want 2", after-before)
	}
}

// TestCaptchaFloodSparesOtherReaders: one address asking for comment forms as fast as
// it can is refused past its rate and cannot evict the challenge another reader holds,
// whose right answer then still goes through. ?binh-luan=viet counts the same.
func TestCaptchaFloodSparesOtherReaders(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	reader := s.openForm(t) // from 127.0.0.1
	limited := 0
	for i := range 400 {
		path := commentPath(s.art.ID) + "/bieu-mau"
		h := http.Header{"Hx-Request": {"true"}, "X-Forwarded-For": {"192.0.2.66"}}
		if i%2 == 1 {
			path, h = views.ArticlePath(s.art)+"?binh-luan=viet", http.Header{"X-Forwarded-For": {"192.0.2.66"}}
		}
		resp, body := s.do(t, "GET", path, h)
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusTooManyRequests:
			limited++
			// htmx: only the form's status line changes, with the reason in Vietnamese.
			if i%2 == 0 && (resp.Header.Get("HX-Retarget") != "#comment-status" || !strings.Contains(body, msgCaptchaLimited)) {
				t.Fatalf("htmx refusal: retarget %q, body %.200s", resp.Header.Get("HX-Retarget"), body)
			}
		default:
			t.Fatalf("flood request %d: %d", i, resp.StatusCode)
		}
	}
	if limited < 300 {
		t.Errorf("only %d of 400 captcha requests from one address refused", limited)
	}
	var rows int
	if err := s.app.DB.Reader().QueryRow(`SELECT count(*) FROM captchas WHERE owner = '192.0.2.66'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows > 100 {
		t.Errorf("the flooding address holds %d live captchas", rows)
	}
	if resp, body := s.post(t, s.art.ID, validComment(reader), true, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("the reader's right answer after the flood: %d %s", resp.StatusCode, fieldError(parse(t, body), "captcha"))
	}
}

// TestImageDecodesShareAMemoryBudget: a picture whose header announces more memory than
// an upload may take is refused before decoding, in Vietnamese; and while the decode
// budget is taken, even a small upload waits for it rather than decode beside.
func TestImageDecodesShareAMemoryBudget(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	small := testJPEG(t, 8, 8, 90)
	bomb16 := pngBomb16(t)
	if r, body := editor.upload("bom.png", bomb16, true); r.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(body, "bộ nhớ") {
		t.Errorf("16-bit 7071×7071 PNG: %d %s", r.StatusCode, body)
	}
	// Take the whole budget, as four huge decodes would: a small upload now waits.
	ctx := context.Background()
	if err := s.app.back.decoding.Acquire(ctx, decodeBudget); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		r, _ := editor.upload("nho.jpg", small, true)
		done <- r.StatusCode
	}()
	select {
	case code := <-done:
		t.Fatalf("an upload was decoded while the budget was taken: %d", code)
	case <-time.After(500 * time.Millisecond):
	}
	s.app.back.decoding.Release(decodeBudget)
	if code := <-done; code != http.StatusOK && code != http.StatusCreated {
		t.Errorf("upload after the budget came back: %d", code)
	}
}

// pngBomb16 is a PNG header claiming 7071×7071 pixels of 16-bit RGBA.
func pngBomb16(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	ihdr := data[16 : 16+13]
	binary.BigEndian.PutUint32(ihdr[0:], 7071)
	binary.BigEndian.PutUint32(ihdr[4:], 7071)
	ihdr[8], ihdr[9] = 16, 6
	binary.BigEndian.PutUint32(data[12+4+13:], crc32.ChecksumIEEE(data[12:12+4+13]))
	return data
}

// TestRefusedLoginsKeepThePageCache: a failed or throttled login writes to the audit log
// but changes no public page, so it must not retire the page cache; a login flood
// otherwise turns every reader's request into a render (found by the attack suite).
func TestRefusedLoginsKeepThePageCache(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	ap := views.ArticlePath(latestArticle(t, s.testSite))
	b := s.newBrowser(t)
	b.get(ap)
	_, missesBefore := s.app.Pages.Stats()
	for i := range 10 {
		b.post("/admin/login", url.Values{"name": {"editor1"}, "password": {"sai-" + strconv.Itoa(i)}})
		if r, _ := b.get(ap); r.StatusCode != http.StatusOK {
			t.Fatalf("article: %d", r.StatusCode)
		}
	}
	if _, misses := s.app.Pages.Stats(); misses != missesBefore {
		t.Errorf("10 refused logins caused %d page renders", misses-missesBefore)
	}
}
