package handlers

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"toasoan/db"
	"toasoan/internal/antispam"
	"toasoan/internal/sanitize"
	"toasoan/views"
)

// testClock is a clock the comment tests move forward instead of sleeping.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type commentSite struct {
	*testSite
	clock *testClock
	art   db.Article // a published demo article
}

// newCommentSite is newTestSite with a comment configuration and a movable clock.
func newCommentSite(t *testing.T, cfg Config) *commentSite {
	t.Helper()
	clock := &testClock{t: testNow}
	site := openTestSite(t, t.TempDir(), cfg, true, clock.Now)
	list, err := site.app.DB.PublicArticles(context.Background(), db.PublicListQuery{Limit: 1}, testNow)
	if err != nil || len(list) == 0 {
		t.Fatalf("no demo article: %v", err)
	}
	return &commentSite{testSite: site, clock: clock, art: list[0]}
}

// openForm loads the article page, fetches the deferred form's one-time values the way
// htmx does when the form scrolls into view, finds the captcha answer in the store (as a
// moderator's database would), and lets 5 s pass.
func (s *commentSite) openForm(t *testing.T) url.Values {
	t.Helper()
	resp, body := s.get(t, views.ArticlePath(s.art))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("article: %d", resp.StatusCode)
	}
	slot := find(parse(t, body), byID("form-secrets"))
	if len(slot) != 1 || attr(slot[0], "data-hx-get") == "" {
		t.Fatalf("article page has no deferred form slot")
	}
	resp, body = s.do(t, http.MethodGet, attr(slot[0], "data-hx-get"), http.Header{"Hx-Request": {"true"}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("form secrets: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	v := s.formSecrets(t, parse(t, body))
	s.clock.Add(5 * time.Second)
	return v
}

// formSecrets reads the hidden values of a rendered form and the captcha's answer.
func (s *commentSite) formSecrets(t *testing.T, doc *html.Node) url.Values {
	t.Helper()
	v := url.Values{}
	v.Set("started", inputValue(t, doc, "started"))
	hasCaptcha := len(find(doc, func(n *html.Node) bool { return attr(n, "name") == "captcha_id" })) > 0
	if !s.app.Config.CaptchaOff && hasCaptcha {
		id := inputValue(t, doc, "captcha_id")
		answer, err := s.app.DB.CaptchaDigits(context.Background(), id, s.clock.Now())
		if err != nil {
			t.Fatalf("captcha %q not in the store: %v", id, err)
		}
		v.Set("captcha_id", id)
		v.Set("captcha", answer)
	}
	return v
}

// validComment fills a form's secrets with a valid comment.
func validComment(secrets url.Values) url.Values {
	v := url.Values{}
	for k, vs := range secrets {
		v[k] = vs
	}
	v.Set("name", "Nguyễn Thị Hoa")
	v.Set("phone", "0912 345 678")
	v.Set("title", "Góp ý về đường liên xã")
	v.Set("content", "Đường qua cầu Khe Đá\nmùa mưa rất trơn, mong huyện sớm sửa.")
	v.Set("website", "")
	return v
}

// post sends the form; htmx adds the headers htmx sends.
func (s *commentSite) post(t *testing.T, articleID int64, v url.Values, htmx bool, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+commentPath(articleID), strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "Mozilla/5.0 (test) Trình duyệt")
	if htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", s.srv.URL)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	return s.send(t, req)
}

// storedComments lists every comment of an article, any status, with moderator fields.
func (s *commentSite) storedComments(t *testing.T, articleID int64) []db.Comment {
	t.Helper()
	rows, err := s.app.DB.Reader().Query(`SELECT id, name, phone, title, body, status, ip, user_agent, created_at
		FROM comments WHERE article_id = ? ORDER BY id`, articleID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []db.Comment
	for rows.Next() {
		var c db.Comment
		var created int64
		if err := rows.Scan(&c.ID, &c.Name, &c.Phone, &c.Title, &c.Body, &c.Status, &c.IP, &c.UserAgent, &created); err != nil {
			t.Fatal(err)
		}
		c.CreatedAt = time.Unix(created, 0)
		out = append(out, c)
	}
	return out
}

func (s *commentSite) countComments(t *testing.T) int {
	t.Helper()
	var n int
	if err := s.app.DB.Reader().QueryRow(`SELECT count(*) FROM comments`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func inputValue(t *testing.T, doc *html.Node, name string) string {
	t.Helper()
	in := find(doc, func(n *html.Node) bool { return attr(n, "name") == name })
	if len(in) != 1 {
		t.Fatalf("%d inputs named %q", len(in), name)
	}
	if in[0].Data == "textarea" {
		if in[0].FirstChild == nil {
			return ""
		}
		return in[0].FirstChild.Data
	}
	return attr(in[0], "value")
}

// fieldError is the error shown inside the field block of the input with that name.
func fieldError(doc *html.Node, name string) string {
	for _, f := range find(doc, byClass("field")) {
		if len(find(f, func(n *html.Node) bool { return attr(n, "name") == name })) == 0 {
			continue
		}
		if errs := find(f, byClass("field-error")); len(errs) > 0 {
			return text(errs[0])
		}
	}
	return ""
}

func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attr(n, "id") == id }
}

func TestCommentFormMarkup(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	// The no-JS form: the article with the one-time values inline (what htmx fills in too).
	resp, body := s.get(t, views.ArticlePath(s.art)+"?binh-luan=viet")
	if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("page with an inline captcha is cacheable: %q", cc)
	}
	doc := parse(t, body)
	forms := find(doc, byID("comment-form"))
	if len(forms) != 1 {
		t.Fatalf("%d comment forms", len(forms))
	}
	form := forms[0]
	action := commentPath(s.art.ID)
	if attr(form, "method") != "post" || attr(form, "action") != action || attr(form, "data-hx-post") != action {
		t.Errorf("form method=%q action=%q hx-post=%q", attr(form, "method"), attr(form, "action"), attr(form, "data-hx-post"))
	}
	// The visible fields, in the issue's order, with labels tied to them.
	var names []string
	for _, n := range find(form, func(n *html.Node) bool {
		return (n.Data == "input" || n.Data == "textarea") && attr(n, "type") != "hidden" && attr(n, "name") != "website"
	}) {
		names = append(names, attr(n, "name"))
		id := attr(n, "id")
		labels := find(form, func(l *html.Node) bool { return l.Data == "label" && attr(l, "for") == id })
		if id == "" || len(labels) != 1 {
			t.Errorf("field %q has no label", attr(n, "name"))
			continue
		}
		required := attr(n, "name") != "phone"
		if hasStar := len(find(labels[0], byClass("req"))) == 1; hasStar != required {
			t.Errorf("field %q: required mark %v, want %v", attr(n, "name"), hasStar, required)
		}
	}
	if got := strings.Join(names, ","); got != "name,phone,title,content,captcha" {
		t.Errorf("fields %s", got)
	}
	wantLabels := []string{"Họ tên *", "Số điện thoại", "Tiêu đề *", "Nội dung *", "Mã xác nhận *"}
	for i, l := range find(form, byTag("label"))[:5] {
		if text(l) != wantLabels[i] {
			t.Errorf("label %d = %q, want %q", i, text(l), wantLabels[i])
		}
	}
	if links := find(form, byClass("captcha-refresh")); len(links) != 1 || text(links[0]) != "Lấy lại mã bảo mật" || attr(links[0], "data-hx-get") == "" {
		t.Error("no captcha refresh link")
	}
	if st := find(doc, byID("comment-status")); len(st) != 1 || attr(st[0], "aria-live") != "polite" {
		t.Error("no aria-live status region")
	}
	list := find(doc, byID("comment-list"))
	if len(list) != 1 || !strings.HasPrefix(attr(list[0], "data-hx-get"), action+"?v=") || attr(list[0], "data-hx-trigger") != "every 60s" {
		t.Error("comment list does not poll")
	}
	// The image answers with a PNG.
	img := find(form, byClass("captcha-img"))[0]
	resp, png := s.get(t, attr(img, "src"))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(png, "\x89PNG") {
		t.Errorf("captcha image: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("captcha image is cacheable: %q", resp.Header.Get("Cache-Control"))
	}
}

// TestDeferredFormKeepsArticleCacheable checks that the plain article page carries no
// one-time values — the same bytes for every reader, no captcha written per view — and
// that the form's slot fetches them (and offers readers without JavaScript a way in).
func TestDeferredFormKeepsArticleCacheable(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	captchas := func() int64 { return s.queryInt(t, "SELECT count(*) FROM captchas") }
	before := captchas()
	resp1, page1 := s.get(t, views.ArticlePath(s.art))
	_, page2 := s.get(t, views.ArticlePath(s.art))
	if captchas() != before {
		t.Errorf("reading the article wrote %d captchas", captchas()-before)
	}
	if strings.Contains(resp1.Header.Get("Cache-Control"), "private") {
		t.Errorf("plain article page is private: %q", resp1.Header.Get("Cache-Control"))
	}
	doc := parse(t, page1)
	slot := find(doc, byID("form-secrets"))
	if len(slot) != 1 || attr(slot[0], "data-hx-get") != commentPath(s.art.ID)+"/bieu-mau" || !strings.Contains(attr(slot[0], "data-hx-trigger"), "intersect once") {
		t.Fatalf("no deferred slot: %v", slot)
	}
	if len(find(doc, byTag("noscript"))) != 1 || !strings.Contains(page1, "?binh-luan=viet#viet-binh-luan") {
		t.Error("no way in for readers without JavaScript")
	}
	if len(find(doc, func(n *html.Node) bool { return attr(n, "name") == "captcha_id" || attr(n, "name") == "started" })) != 0 {
		t.Error("one-time values in the cacheable page")
	}
	stripViews := func(s string) string { return regexp.MustCompile(`[\d.]+ lượt xem`).ReplaceAllString(s, "") }
	if stripViews(page1) != stripViews(page2) {
		t.Error("two readers got different article pages")
	}
	// Without htmx the slot URL sends the reader to the inline form.
	resp, _ := s.get(t, commentPath(s.art.ID)+"/bieu-mau")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "?binh-luan=viet") {
		t.Errorf("no-JS slot: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if r, _ := s.do(t, http.MethodGet, "/bai-viet/999999/binh-luan/bieu-mau", http.Header{"Hx-Request": {"true"}}); r.StatusCode != 404 {
		t.Errorf("secrets for a missing article: %d", r.StatusCode)
	}
}

func TestCommentHTMXSuccess(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	secrets := s.openForm(t)
	resp, body := s.post(t, s.art.ID, validComment(secrets), true, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if strings.Contains(body, "<html") {
		t.Fatal("htmx got a whole page")
	}
	doc := parse(t, body)
	status := find(doc, byID("comment-status"))
	if len(status) != 1 || text(status[0]) != msgCommentPending || attr(status[0], "data-hx-swap-oob") == "" {
		t.Fatalf("no thank-you notice in the response: %s", body)
	}
	for _, name := range []string{"name", "phone", "title", "content"} {
		if v := inputValue(t, doc, name); v != "" {
			t.Errorf("field %s not emptied: %q", name, v)
		}
	}
	if id := inputValue(t, doc, "captcha_id"); id == secrets.Get("captcha_id") || id == "" {
		t.Errorf("no fresh captcha: %q", id)
	}
	got := s.storedComments(t, s.art.ID)
	last := got[len(got)-1]
	if last.Status != db.CommentPending || last.Name != "Nguyễn Thị Hoa" || last.Phone != "0912345678" ||
		last.Body != "Đường qua cầu Khe Đá\nmùa mưa rất trơn, mong huyện sớm sửa." || last.IP != "127.0.0.1" ||
		last.UserAgent != "Mozilla/5.0 (test) Trình duyệt" || !last.CreatedAt.Equal(s.clock.Now()) {
		t.Fatalf("stored %+v", last)
	}
	// Pending: not public yet, phone never public.
	_, page := s.get(t, views.ArticlePath(s.art))
	if strings.Contains(page, "Góp ý về đường liên xã") || strings.Contains(page, "0912345678") || strings.Contains(page, "0912 345 678") {
		t.Error("pending comment or phone on the public page")
	}
}

func TestCommentNoJSPaths(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	secrets := s.openForm(t)
	resp, _ := s.post(t, s.art.ID, validComment(secrets), false, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, views.ArticlePath(s.art)+"?binh-luan=cho-duyet") {
		t.Fatalf("Location %q", loc)
	}
	_, page := s.get(t, loc)
	if st := find(parse(t, page), byID("comment-status")); len(st) != 1 || text(st[0]) != msgCommentPending {
		t.Fatal("no notice after the redirect")
	}

	// Invalid without JS: the whole page, 422, errors and the text kept.
	secrets = s.openForm(t)
	v := validComment(secrets)
	v.Set("name", "")
	v.Set("content", "Nội dung 5 < 7 giữ lại\nhai dòng")
	resp, page = s.post(t, s.art.ID, v, false, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	doc := parse(t, page)
	if h1 := find(doc, byTag("h1")); len(h1) != 1 || text(h1[0]) != s.art.Title {
		t.Fatal("422 without JS is not the article page")
	}
	if e := fieldError(doc, "name"); e != "Vui lòng nhập họ tên." {
		t.Errorf("name error %q", e)
	}
	if got := inputValue(t, doc, "content"); got != "Nội dung 5 < 7 giữ lại\nhai dòng" {
		t.Errorf("content not kept: %q", got)
	}
	if got := inputValue(t, doc, "title"); got != v.Get("title") {
		t.Errorf("title not kept: %q", got)
	}
}

func TestCommentHTMXValidation(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("ệ", n) }
	cases := []struct {
		name, field, value string
		wantField          string // the field whose error appears
		wantErr            string // substring of the error
	}{
		{"missing name", "name", "", "name", "Vui lòng nhập họ tên."},
		{"blank name", "name", " \t\u200b ", "name", "Vui lòng nhập họ tên."},
		{"name of markup only", "name", "<b></b><script>x</script>", "name", "Vui lòng nhập họ tên."},
		{"name 101 chars", "name", long(101), "name", "tối đa 100 ký tự (bạn đã nhập 101)"},
		{"name with a link", "name", "Mua tại http://spam.example", "name", "không được chứa liên kết"},
		{"bad phone letters", "phone", "0912abc678", "phone", "Số điện thoại không hợp lệ"},
		{"phone too short", "phone", "091234", "phone", "Số điện thoại không hợp lệ"},
		{"phone SQL", "phone", "0912345678'; DROP TABLE comments;--", "phone", "Số điện thoại không hợp lệ"},
		{"foreign phone", "phone", "+1 202 555 0100", "phone", "Số điện thoại không hợp lệ"},
		{"missing title", "title", "", "title", "Vui lòng nhập tiêu đề."},
		{"title 201 chars", "title", long(201), "title", "tối đa 200 ký tự (bạn đã nhập 201)"},
		{"missing content", "content", "", "content", "Vui lòng nhập nội dung bình luận."},
		{"content 1 char", "content", "Ạ", "content", "ít nhất 2 ký tự"},
		{"content 5001 chars", "content", long(5001), "content", "tối đa 5.000 ký tự (bạn đã nhập 5.001)"},
		{"three links", "content", "http://a.example/ https://b.example/ www.c.example", "content", "quá nhiều liên kết (tối đa 2)"},
		{"missing captcha", "captcha", "", "captcha", "Vui lòng nhập mã xác nhận."},
		{"wrong captcha", "captcha", "abcde", "captcha", "Mã xác nhận không đúng"},
		{"captcha of another id", "captcha_id", "AAAAAAAAAAAAAAAAAAAA", "captcha", "Mã xác nhận không đúng"},
		{"captcha id traversal", "captcha_id", "../../../etc/passwd", "captcha", "Mã xác nhận không đúng"},
	}
	s := newCommentSite(t, Config{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.countComments(t)
			v := validComment(s.openForm(t))
			v.Set(c.field, c.value)
			resp, body := s.post(t, s.art.ID, v, true, nil)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			doc := parse(t, body)
			if got := fieldError(doc, c.wantField); !strings.Contains(got, c.wantErr) {
				t.Fatalf("error beside %s = %q, want %q", c.wantField, got, c.wantErr)
			}
			if st := find(doc, byID("comment-status")); len(st) != 1 || text(st[0]) != msgCommentFix {
				t.Error("no summary in the status region")
			}
			// The other fields keep what was typed; the captcha is new.
			for _, f := range []string{"name", "title", "phone"} {
				if f == c.field {
					continue
				}
				if got, want := inputValue(t, doc, f), v.Get(f); got != want {
					t.Errorf("%s = %q, want %q kept", f, got, want)
				}
			}
			if inputValue(t, doc, "captcha_id") == v.Get("captcha_id") || inputValue(t, doc, "captcha") != "" {
				t.Error("refused form does not have a fresh, empty captcha")
			}
			if after := s.countComments(t); after != before {
				t.Errorf("refused comment stored: %d → %d", before, after)
			}
		})
	}
}

func TestCommentNormalizesAndStoresNFC(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{Moderation: ModerationOff})
	v := validComment(s.openForm(t))
	nfd := norm.NFD.String
	v.Set("name", nfd("  Đặng   Thị\u200b Thuỷ  "))
	v.Set("title", nfd("Tiêu đề\u0007 có\tký tự điều khiển"))
	v.Set("content", nfd("Dòng một  \r\n\r\n\r\n\r\nDòng hai\u00a0có\u200d khoảng trắng"))
	v.Set("phone", "＋８４　９１２．３４５．６７８")
	resp, body := s.post(t, s.art.ID, v, true, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	got := s.storedComments(t, s.art.ID)
	c := got[len(got)-1]
	want := db.Comment{Name: "Đặng Thị Thuỷ", Title: "Tiêu đề có ký tự điều khiển", Body: "Dòng một\n\nDòng hai có khoảng trắng", Phone: "0912345678"}
	if c.Name != want.Name || c.Title != want.Title || c.Body != want.Body || c.Phone != want.Phone {
		t.Fatalf("stored %q / %q / %q / %q", c.Name, c.Title, c.Body, c.Phone)
	}
	for _, f := range []string{c.Name, c.Title, c.Body} {
		if !norm.NFC.IsNormalString(f) {
			t.Errorf("%q is not NFC", f)
		}
	}
	// Published at once: it is in the list (swapped out of band), line breaks kept.
	list := find(parse(t, body), byID("comment-list"))
	if len(list) != 1 || attr(list[0], "data-hx-swap-oob") != "true" {
		t.Fatalf("no out-of-band list in the response")
	}
	if !strings.Contains(text(list[0]), "Đặng Thị Thuỷ") {
		t.Error("new comment not in the swapped list")
	}
	if st := find(parse(t, body), byID("comment-status")); text(st[0]) != msgCommentPublished {
		t.Errorf("notice %q", text(st[0]))
	}
	_, page := s.get(t, views.ArticlePath(s.art))
	doc := parse(t, page)
	var found bool
	for _, b := range find(doc, byClass("comment-body")) {
		if b.FirstChild != nil && b.FirstChild.Data == "Dòng một\n\nDòng hai có khoảng trắng" {
			found = true
		}
	}
	if !found {
		t.Error("comment body with its line breaks not on the page")
	}
	if strings.Contains(page, "0912345678") {
		t.Error("phone shown publicly")
	}
	// The count is kept on the article and shown in lists.
	art, err := s.app.DB.PublicArticle(context.Background(), s.art.ID, s.clock.Now())
	if err != nil || art.CommentCount != s.art.CommentCount+1 {
		t.Fatalf("comment_count %d, want %d (%v)", art.CommentCount, s.art.CommentCount+1, err)
	}
	_, home := s.get(t, "/")
	if !strings.Contains(home, fmt.Sprintf("%d bình luận", art.CommentCount)) {
		t.Error("comment count not in the home list")
	}
}

func TestCommentSanitizerXSSCorpus(t *testing.T) {
	t.Parallel()
	payloads := readCorpus(t)
	if len(payloads) < 50 {
		t.Fatalf("corpus has %d payloads, want at least 50", len(payloads))
	}
	s := newCommentSite(t, Config{CaptchaOff: true, Moderation: ModerationOff})
	stored := 0
	for i, p := range payloads {
		v := validComment(s.openForm(t))
		v.Set("name", fmt.Sprintf("Bạn đọc %d %s", i, p))
		v.Set("title", "Tiêu đề "+p)
		v.Set("content", fmt.Sprintf("Nội dung số %d: %s", i, p))
		resp, body := s.post(t, s.art.ID, v, true, nil)
		switch resp.StatusCode {
		case http.StatusOK:
			stored++
		case http.StatusUnprocessableEntity:
		default:
			t.Fatalf("payload %q: status %d", p, resp.StatusCode)
		}
		assertNoInjectedMarkup(t, "response to "+p, body)
	}
	if stored < len(payloads)*3/4 {
		t.Fatalf("only %d of %d payload comments stored: the test would prove little", stored, len(payloads))
	}
	_, page := s.get(t, views.ArticlePath(s.art))
	assertNoInjectedMarkup(t, "article page", page)
	// Stored text holds no markup, judged by a policy of its own (not the code under test).
	strict := bluemonday.StrictPolicy()
	for _, c := range s.storedComments(t, s.art.ID) {
		for _, f := range []string{c.Name, c.Title, c.Body} {
			if html.UnescapeString(strict.Sanitize(f)) != f {
				t.Errorf("stored text still holds markup: %q", f)
			}
		}
	}
}

// assertNoInjectedMarkup parses a page or fragment and fails on any element or attribute
// that only a payload could have put there: inside the comment list only the template's
// own elements may appear, and nowhere a script, an inline handler or a javascript: URL.
func assertNoInjectedMarkup(t *testing.T, what, body string) {
	t.Helper()
	doc := parse(t, body)
	allowed := map[string]bool{"div": true, "h2": true, "ol": true, "li": true, "p": true, "strong": true, "span": true, "time": true}
	for _, list := range find(doc, byID("comment-list")) {
		for _, n := range find(list, func(*html.Node) bool { return true }) {
			if !allowed[n.Data] {
				t.Errorf("%s: <%s> inside the comment list", what, n.Data)
			}
		}
	}
	for _, n := range find(doc, func(*html.Node) bool { return true }) {
		if n.Data == "script" && attr(n, "src") == "" && attr(n, "type") != "application/ld+json" {
			t.Errorf("%s: inline script", what)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || strings.HasPrefix(a.Key, "hx-on") ||
				strings.Contains(strings.ToLower(a.Val), "javascript:") {
				t.Errorf("%s: <%s %s=%q>", what, n.Data, a.Key, a.Val)
			}
		}
		if n.Data == "img" && !strings.HasPrefix(attr(n, "src"), "/") {
			t.Errorf("%s: foreign image %q", what, attr(n, "src"))
		}
	}
}

func readCorpus(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/xss.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"0912345678":          "0912345678",
		"0912 345 678":        "0912345678",
		"0912.345.678":        "0912345678",
		"091-234-5678":        "0912345678",
		"+84 912 345 678":     "0912345678",
		"+84912345678":        "0912345678",
		"+84 (0) 912 345 678": "0912345678",
		"0084 912 345 678":    "0912345678",
		"(024) 3825 1234":     "02438251234",
		"+84 24 3825 1234":    "02438251234",
		"０９１２３４５６７８":          "0912345678",
		"0387654321":          "0387654321",
		"0 5 8 1 2 3 4 5 6 7": "0581234567",
	}
	for in, want := range good {
		if got, ok := normalizePhone(in); !ok || got != want {
			t.Errorf("normalizePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "0", "091234567", "09123456789", "02438251234 5", "1912345678", "0012345678",
		"0112345678", "+1 202 555 0100", "84912345678", "+84", "0912-345-67x", "0912345678; DROP TABLE",
		"<script>", "٠٩١٢٣٤٥٦٧٨", strings.Repeat("0", 50), "09+12345678", "0412345678", "0612345678"} {
		if got, ok := normalizePhone(bad); ok {
			t.Errorf("normalizePhone(%q) accepted as %q", bad, got)
		}
	}
}

func TestCommentHoneypot(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	before := s.countComments(t)
	v := validComment(s.openForm(t))
	v.Set("website", "http://spam.example")
	resp, body := s.post(t, s.art.ID, v, true, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, msgCommentPending) {
		t.Fatalf("honeypot: status %d, want a plain thank-you", resp.StatusCode)
	}
	resp, _ = s.post(t, s.art.ID, v, false, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("honeypot without JS: %d", resp.StatusCode)
	}
	if after := s.countComments(t); after != before {
		t.Fatal("honeypot comment stored")
	}
}

func TestCommentFillTime(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true})
	before := s.countComments(t)
	_, body := s.get(t, views.ArticlePath(s.art)+"?binh-luan=viet")
	secrets := s.formSecrets(t, parse(t, body))
	s.clock.Add(2900 * time.Millisecond)
	resp, body := s.post(t, s.art.ID, validComment(secrets), true, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msgTooFast) {
		t.Fatalf("posted after 2.9 s: status %d", resp.StatusCode)
	}
	// The refused form carries a new token; 3 s after it, the same text goes through.
	secrets = s.formSecrets(t, parse(t, body))
	s.clock.Add(3 * time.Second)
	if resp, _ := s.post(t, s.art.ID, validComment(secrets), true, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("posted after 3 s: status %d", resp.StatusCode)
	}
	for name, token := range map[string]string{
		"missing": "", "forged": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"other article": s.app.comments.token.Issue(s.art.ID+1, s.clock.Now().Add(-time.Minute)),
		"two days old":  s.app.comments.token.Issue(s.art.ID, s.clock.Now().Add(-48*time.Hour)),
	} {
		v := validComment(url.Values{})
		v.Set("content", "Lần thử với mã "+name)
		v.Set("started", token)
		resp, body := s.post(t, s.art.ID, v, true, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msgFormExpired) {
			t.Errorf("%s token: status %d", name, resp.StatusCode)
		}
	}
	if after := s.countComments(t); after != before+1 {
		t.Fatalf("%d comments stored, want 1", after-before)
	}
}

func TestCommentRateLimit(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true, CommentRate: 2})
	for i := range 2 {
		v := validComment(s.openForm(t))
		v.Set("content", fmt.Sprintf("Bình luận thứ %d", i))
		if resp, _ := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("post %d: %d", i, resp.StatusCode)
		}
	}
	v := validComment(s.openForm(t))
	v.Set("content", "Bình luận thứ ba")
	resp, body := s.post(t, s.art.ID, v, true, nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("HX-Retarget") != "#comment-status" || !strings.Contains(body, msgRateLimited) {
		t.Fatalf("3rd post: %d retarget=%q", resp.StatusCode, resp.Header.Get("HX-Retarget"))
	}
	resp, body = s.post(t, s.art.ID, v, false, nil)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, msgRateLimited) || !strings.Contains(body, "<html") {
		t.Fatalf("3rd post without JS: %d", resp.StatusCode)
	}
	// Another address behind a trusted proxy is not limited; the limit counts per client.
	s.clock.Add(30 * time.Second)
	if resp, _ := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("after 30 s: %d", resp.StatusCode)
	}
}

func TestCommentTrustedProxy(t *testing.T) {
	t.Parallel()
	trusted, _ := antispam.ParseCIDRs("127.0.0.0/8")
	s := newCommentSite(t, Config{CaptchaOff: true, CommentRate: 1, TrustedProxies: trusted})
	for i, ip := range []string{"198.51.100.1", "198.51.100.2"} {
		v := validComment(s.openForm(t))
		v.Set("content", "Từ địa chỉ "+ip)
		resp, _ := s.post(t, s.art.ID, v, true, http.Header{"X-Forwarded-For": {"6.6.6.6, " + ip}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("post %d from %s: %d", i, ip, resp.StatusCode)
		}
		got := s.storedComments(t, s.art.ID)
		if c := got[len(got)-1]; c.IP != ip {
			t.Fatalf("stored IP %q, want %q", c.IP, ip)
		}
	}
	// Untrusted: the header is ignored and the peer address stored.
	s2 := newCommentSite(t, Config{CaptchaOff: true})
	v := validComment(s2.openForm(t))
	s2.post(t, s2.art.ID, v, true, http.Header{"X-Forwarded-For": {"198.51.100.9"}})
	got := s2.storedComments(t, s2.art.ID)
	if c := got[len(got)-1]; c.IP != "127.0.0.1" {
		t.Fatalf("untrusted XFF believed: %q", c.IP)
	}
}

func TestCommentDuplicate(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true})
	v := validComment(s.openForm(t))
	if resp, _ := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusOK {
		t.Fatal(resp.StatusCode)
	}
	v = validComment(s.openForm(t))
	v.Set("name", "Người khác")
	resp, body := s.post(t, s.art.ID, v, true, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msgDuplicate) {
		t.Fatalf("duplicate: %d", resp.StatusCode)
	}
	if got := inputValue(t, parse(t, body), "content"); got != v.Get("content") {
		t.Error("duplicate refusal lost the text")
	}
	s.clock.Add(25 * time.Hour)
	v = validComment(s.openForm(t))
	if resp, _ := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("same text a day later: %d", resp.StatusCode)
	}
}

func TestCommentBlocks(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true})
	ctx := context.Background()
	block := func(kind, value string) {
		if _, err := s.app.DB.Writer().ExecContext(ctx, `INSERT INTO comment_blocks (kind, value, created_at) VALUES (?, ?, 0)`, kind, value); err != nil {
			t.Fatal(err)
		}
	}
	block(db.BlockPhone, "0987654321")
	v := validComment(s.openForm(t))
	v.Set("phone", "+84 987.654.321")
	resp, body := s.post(t, s.art.ID, v, true, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msgBlocked) {
		t.Fatalf("blocked phone: %d", resp.StatusCode)
	}
	v = validComment(s.openForm(t))
	if resp, _ := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("other phone refused: %d", resp.StatusCode)
	}
	block(db.BlockIP, "127.0.0.1")
	v = validComment(s.openForm(t))
	v.Set("content", "Lần thứ hai")
	resp, body = s.post(t, s.art.ID, v, true, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msgBlocked) {
		t.Fatalf("blocked IP: %d", resp.StatusCode)
	}
}

func TestCommentModerationModes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	postAs := func(t *testing.T, s *commentSite, name, phone, content string) db.Comment {
		t.Helper()
		v := validComment(s.openForm(t))
		v.Set("name", name)
		v.Set("phone", phone)
		v.Set("content", content)
		if resp, body := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("post: %d %s", resp.StatusCode, body)
		}
		got := s.storedComments(t, s.art.ID)
		return got[len(got)-1]
	}
	t.Run("default waits", func(t *testing.T) {
		s := newCommentSite(t, Config{CaptchaOff: true})
		if c := postAs(t, s, "An", "", "Chờ duyệt"); c.Status != db.CommentPending {
			t.Fatal(c.Status)
		}
	})
	t.Run("setting false publishes", func(t *testing.T) {
		s := newCommentSite(t, Config{CaptchaOff: true})
		s.app.DB.SetSetting(ctx, db.SettingCommentModeration, ModerationOff)
		if c := postAs(t, s, "An", "", "Đăng ngay"); c.Status != db.CommentApproved {
			t.Fatal(c.Status)
		}
	})
	t.Run("flag overrides setting", func(t *testing.T) {
		s := newCommentSite(t, Config{CaptchaOff: true, Moderation: ModerationAll})
		s.app.DB.SetSetting(ctx, db.SettingCommentModeration, ModerationOff)
		if c := postAs(t, s, "An", "", "Cờ thắng"); c.Status != db.CommentPending {
			t.Fatal(c.Status)
		}
	})
	t.Run("unknown setting waits", func(t *testing.T) {
		s := newCommentSite(t, Config{CaptchaOff: true})
		s.app.DB.SetSetting(ctx, db.SettingCommentModeration, "maybe")
		if c := postAs(t, s, "An", "", "Giá trị lạ"); c.Status != db.CommentPending {
			t.Fatal(c.Status)
		}
	})
	t.Run("first-time", func(t *testing.T) {
		s := newCommentSite(t, Config{CaptchaOff: true, Moderation: ModerationFirstTime})
		first := postAs(t, s, "Trần Văn Bình", "0912 000 111", "Lần đầu")
		if first.Status != db.CommentPending {
			t.Fatalf("first comment %s", first.Status)
		}
		// A moderator approves it (the back office's job; done here directly).
		if _, err := s.app.DB.Writer().ExecContext(ctx, `UPDATE comments SET status = 'approved' WHERE id = ?`, first.ID); err != nil {
			t.Fatal(err)
		}
		if c := postAs(t, s, "Trần Văn Bình", "+84 912 000 111", "Lần hai"); c.Status != db.CommentApproved {
			t.Fatalf("known commenter: %s", c.Status)
		}
		if c := postAs(t, s, "Trần Văn Bình", "0912 000 222", "Số khác"); c.Status != db.CommentPending {
			t.Fatalf("same name, other phone: %s", c.Status)
		}
		if c := postAs(t, s, "Kẻ mạo danh", "0912 000 111", "Tên khác"); c.Status != db.CommentPending {
			t.Fatalf("same phone, other name: %s", c.Status)
		}
		if c := postAs(t, s, "Trần Văn Bình", "", "Không số"); c.Status != db.CommentPending {
			t.Fatalf("no phone: %s", c.Status)
		}
	})
}

func TestCommentCaptchaRules(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	// Spaces around and inside the answer are fine.
	secrets := s.openForm(t)
	v := validComment(secrets)
	a := v.Get("captcha")
	v.Set("captcha", " "+a[:2]+" "+a[2:]+" ")
	if resp, _ := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("spaced answer: %d", resp.StatusCode)
	}
	// The same captcha again: used up.
	v.Set("content", "Lần hai với mã cũ")
	resp, body := s.post(t, s.art.ID, v, true, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(parse(t, body), "captcha"), "không đúng") {
		t.Fatalf("reused captcha: %d", resp.StatusCode)
	}
	// Eleven minutes later a captcha has expired.
	v = validComment(s.openForm(t))
	s.clock.Add(11 * time.Minute)
	v.Set("content", "Viết lâu quá")
	resp, _ = s.post(t, s.art.ID, v, true, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("expired captcha: %d", resp.StatusCode)
	}
}

func TestCaptchaRefreshAndImage(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	_, page := s.get(t, views.ArticlePath(s.art)+"?binh-luan=viet")
	doc := parse(t, page)
	link := find(doc, byClass("captcha-refresh"))[0]
	oldID := inputValue(t, doc, "captcha_id")
	resp, body := s.do(t, http.MethodGet, attr(link, "data-hx-get"), http.Header{"Hx-Request": {"true"}})
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "<html") {
		t.Fatalf("refresh: %d", resp.StatusCode)
	}
	frag := parse(t, body)
	box := find(frag, byID("captcha-box"))
	if len(box) != 1 {
		t.Fatal("refresh did not answer the captcha box")
	}
	newID := inputValue(t, frag, "captcha_id")
	if newID == oldID || find(frag, byClass("captcha-img"))[0] == nil {
		t.Fatal("same captcha after refresh")
	}
	if resp, _ := s.get(t, "/ma-bao-mat/"+oldID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("replaced captcha image: %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, "/ma-bao-mat/"+newID); resp.StatusCode != http.StatusOK {
		t.Errorf("new captcha image: %d", resp.StatusCode)
	}
	// Without JS the link reloads the article.
	if resp, _ := s.get(t, attr(link, "href")); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("refresh without htmx: %d", resp.StatusCode)
	}
	for _, bad := range []string{"/ma-bao-mat/x", "/ma-bao-mat/..%2F..%2Fetc%2Fpasswd", "/ma-bao-mat/AAAAAAAAAAAAAAAAAAAA",
		"/ma-bao-mat/%3Cscript%3E"} {
		resp, body := s.get(t, bad)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Mã xác nhận") && !strings.Contains(body, "không tồn tại") {
			t.Errorf("%s: %d", bad, resp.StatusCode)
		}
	}
	// Expired captchas have no image.
	s.clock.Add(11 * time.Minute)
	if resp, _ := s.get(t, "/ma-bao-mat/"+newID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("expired captcha image: %d", resp.StatusCode)
	}
}

func TestCommentListPolling(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true, Moderation: ModerationOff})
	hx := http.Header{"Hx-Request": {"true"}}
	_, page := s.get(t, views.ArticlePath(s.art))
	poll := attr(find(parse(t, page), byID("comment-list"))[0], "data-hx-get")
	resp, body := s.do(t, http.MethodGet, poll, hx)
	if resp.StatusCode != http.StatusNoContent || body != "" {
		t.Fatalf("unchanged list: %d, want 204", resp.StatusCode)
	}
	etag := resp.Header.Get("ETag")
	resp, _ = s.do(t, http.MethodGet, commentPath(s.art.ID), http.Header{"Hx-Request": {"true"}, "If-None-Match": {etag}})
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("matching ETag: %d, want 304", resp.StatusCode)
	}
	v := validComment(s.openForm(t))
	v.Set("content", "Bình luận mới xuất hiện khi thăm dò")
	if resp, _ := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusOK {
		t.Fatal(resp.StatusCode)
	}
	resp, body = s.do(t, http.MethodGet, poll, hx)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Bình luận mới xuất hiện khi thăm dò") || strings.Contains(body, "<html") {
		t.Fatalf("changed list: %d", resp.StatusCode)
	}
	next := attr(find(parse(t, body), byID("comment-list"))[0], "data-hx-get")
	if next == poll {
		t.Fatal("the new list polls with the old version")
	}
	if resp, _ := s.do(t, http.MethodGet, next, hx); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("poll after update: %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, poll); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("poll URL without htmx: %d", resp.StatusCode)
	}
}

func TestCommentRequestGuards(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true})
	before := s.countComments(t)
	v := validComment(s.openForm(t))

	t.Run("cross-site post", func(t *testing.T) {
		for _, h := range []http.Header{
			{"Sec-Fetch-Site": {"cross-site"}},
			{"Origin": {"https://evil.example"}},
		} {
			resp, body := s.post(t, s.art.ID, v, false, h)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, msgCrossSite) {
				t.Fatalf("%v: %d", h, resp.StatusCode)
			}
		}
	})
	t.Run("oversized body", func(t *testing.T) {
		big := validComment(v)
		// Over the comment limit, under the site-wide 1 MiB body cap (9 bytes encoded each).
		big.Set("content", strings.Repeat("ệ", maxCommentBody/2))
		resp, body := s.post(t, s.art.ID, big, false, nil)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, msgTooLarge) {
			t.Fatalf("no JS: %d", resp.StatusCode)
		}
		resp, body = s.post(t, s.art.ID, big, true, nil)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || resp.Header.Get("HX-Retarget") != "#comment-status" || !strings.Contains(body, msgTooLarge) {
			t.Fatalf("htmx: %d %q", resp.StatusCode, resp.Header.Get("HX-Retarget"))
		}
	})
	t.Run("unknown or unpublished article", func(t *testing.T) {
		for _, id := range []string{"999999", "abc", "1-2", "0", "-1", "99999999999999999999"} {
			req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/bai-viet/"+id+"/binh-luan", strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := s.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s: %d", id, resp.StatusCode)
			}
		}
	})
	t.Run("wrong method", func(t *testing.T) {
		resp, _ := s.do(t, http.MethodDelete, commentPath(s.art.ID), nil)
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("DELETE: %d", resp.StatusCode)
		}
	})
	if after := s.countComments(t); after != before {
		t.Fatalf("guarded requests stored %d comments", after-before)
	}
}

// TestCommentConcurrentPosts: 50 readers post at once; every comment is stored once,
// intact, and the count matches.
// TestCommentConcurrentPosts: 50 goroutines post 2,000 comments at once through the real
// routes, with moderation on (the default). Every one is answered 200 (no SQLITE_BUSY, no
// 500), stored once and intact, waiting for moderation, and the database is sound. (With
// moderation off each answer also carries the whole list; TestCommentModerationModes covers
// that path.)
func TestCommentConcurrentPosts(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true, Moderation: ModerationAll})
	secrets := s.openForm(t)
	before := len(s.storedComments(t, s.art.ID))
	const goroutines, each = 50, 40
	const n = goroutines * each
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for g := range goroutines {
		wg.Go(func() {
			for k := range each {
				v := validComment(secrets)
				v.Set("name", fmt.Sprintf("Bạn đọc số %02d", g))
				v.Set("content", fmt.Sprintf("Ý kiến %02d-%02d về chuyện đường sá, cầu cống.\nDòng thứ hai của %02d-%02d.", g, k, g, k))
				req, _ := http.NewRequest(http.MethodPost, s.srv.URL+commentPath(s.art.ID), strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("HX-Request", "true")
				resp, err := s.client.Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Sprintf("post %d-%d: status %d", g, k, resp.StatusCode)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	got := s.storedComments(t, s.art.ID)[before:]
	if len(got) != n {
		t.Fatalf("%d comments stored, want %d", len(got), n)
	}
	seen := map[string]bool{}
	for _, c := range got {
		var g, k int
		if _, err := fmt.Sscanf(c.Body, "Ý kiến %02d-%02d", &g, &k); err != nil {
			t.Fatalf("body corrupted: %q", c.Body)
		}
		want := fmt.Sprintf("Ý kiến %02d-%02d về chuyện đường sá, cầu cống.\nDòng thứ hai của %02d-%02d.", g, k, g, k)
		if c.Body != want || c.Name != fmt.Sprintf("Bạn đọc số %02d", g) || seen[c.Body] || c.Status != db.CommentPending {
			t.Fatalf("comment %q: body %q status %s", c.Name, c.Body, c.Status)
		}
		seen[c.Body] = true
	}
	art, err := s.app.DB.PublicArticle(context.Background(), s.art.ID, s.clock.Now())
	if err != nil || art.CommentCount != s.art.CommentCount {
		t.Fatalf("comment_count %d, want %d (nothing approved)", art.CommentCount, s.art.CommentCount)
	}
	var check string
	if err := s.app.DB.Reader().QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check %q %v", check, err)
	}
}

// FuzzCommentCleaning: whatever arrives, validating the cleaned form does not panic (the
// cleaning itself is fuzzed in package sanitize).
func FuzzCommentCleaning(f *testing.F) {
	for _, p := range []string{"", "Xin chào", "<script>alert(1)</script>", "&lt;b&gt;", "a\r\nb\u2028c", norm.NFD.String("Thuỷ"),
		"\x00\x01\u200b", "<<img src=x onerror=alert(1)//>", "&amp;lt;x&amp;gt;", "\xff\xfe", "+84 912 345 678"} {
		f.Add(p)
	}
	a := &App{Now: time.Now, comments: &commentKit{}}
	f.Fuzz(func(t *testing.T, in string) {
		form := commentForm{Name: sanitize.PlainLine(in), Title: sanitize.PlainLine(in), Content: sanitize.PlainText(in), Phone: in}
		a.validateCommentForm(&form)
		normalizePhone(in)
	})
}

// TestCommentOddInputs: SQL and path-like text is stored as typed; query parameters that
// are not what the server wrote are ignored or answered safely.
func TestCommentOddInputs(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{Moderation: ModerationOff})
	v := validComment(s.openForm(t))
	v.Set("name", "Robert'); DROP TABLE comments;--")
	v.Set("title", "../../etc/passwd %00 ${jndi:ldap://x}")
	v.Set("content", "SELECT * FROM users WHERE 1=1; -- và {{.Site}} {{template \"x\"}}")
	if resp, body := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	got := s.storedComments(t, s.art.ID)
	c := got[len(got)-1]
	if c.Name != v.Get("name") || c.Title != v.Get("title") || c.Body != v.Get("content") {
		t.Fatalf("stored %q / %q / %q", c.Name, c.Title, c.Body)
	}
	_, page := s.get(t, views.ArticlePath(s.art))
	if !strings.Contains(text(parse(t, page)), "SELECT * FROM users WHERE 1=1; -- và {{.Site}} {{template \"x\"}}") {
		t.Error("template-looking text not shown as typed")
	}

	// A notice parameter other than those the server writes redirects to the article.
	resp, page := s.get(t, views.ArticlePath(s.art)+"?binh-luan=%3Cscript%3Ealert(1)%3C/script%3E")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != views.ArticlePath(s.art) {
		t.Errorf("unknown notice: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	assertNoInjectedMarkup(t, "notice parameter", page)

	// A replaced captcha id that is not one is ignored: a new captcha, nothing else gone.
	_, page = s.get(t, views.ArticlePath(s.art)+"?binh-luan=viet")
	live := inputValue(t, parse(t, page), "captcha_id")
	for _, cu := range []string{"' OR 1=1 --", "../../x", strings.Repeat("A", 1000), "%"} {
		resp, body := s.do(t, http.MethodGet, commentPath(s.art.ID)+"/ma-bao-mat?cu="+url.QueryEscape(cu), http.Header{"Hx-Request": {"true"}})
		if resp.StatusCode != http.StatusOK || len(find(parse(t, body), byID("captcha-box"))) != 1 {
			t.Errorf("refresh with cu=%.20q: %d", cu, resp.StatusCode)
		}
	}
	if resp, _ := s.get(t, "/ma-bao-mat/"+live); resp.StatusCode != http.StatusOK {
		t.Error("a refresh with a bogus id removed another reader's captcha")
	}

	// A poll with a made-up version gets the list; a bad article id is 404.
	resp, body := s.do(t, http.MethodGet, commentPath(s.art.ID)+"?v=%3Cx%3E", http.Header{"Hx-Request": {"true"}})
	if resp.StatusCode != http.StatusOK || len(find(parse(t, body), byID("comment-list"))) != 1 {
		t.Errorf("poll with a bogus version: %d", resp.StatusCode)
	}
	for _, p := range []string{"/bai-viet/999999/binh-luan", "/bai-viet/abc/binh-luan", "/bai-viet/999999/binh-luan/ma-bao-mat"} {
		if resp, _ := s.do(t, http.MethodGet, p, http.Header{"Hx-Request": {"true"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}

// TestCommentSecretSurvivesRestart: the fill-time key is generated once and kept, so a
// form served before a restart can be posted after it.
func TestCommentSecretSurvivesRestart(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true})
	ctx := context.Background()
	secret, err := s.app.DB.Setting(ctx, db.SettingCommentFormSecret, "")
	if err != nil || len(secret) != 43 { // 32 random bytes, base64url
		t.Fatalf("secret %q, %v", secret, err)
	}
	token := s.app.comments.token.Issue(s.art.ID, testNow)
	again, err := New(ctx, s.app.DB, s.app.Views, s.app.Assets, s.app.Log, s.app.Counts, Config{BaseURL: s.app.Config.BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	if err := again.comments.token.Check(token, s.art.ID, testNow.Add(time.Minute)); err != nil {
		t.Fatalf("token from before the restart: %v", err)
	}
	if kept, _ := s.app.DB.Setting(ctx, db.SettingCommentFormSecret, ""); kept != secret {
		t.Fatal("the secret changed on restart")
	}
}

// TestCaptchaSettingFromBackOffice checks the settings page's captcha switch: off, the
// form asks for no captcha and a post without one is taken; the -captcha=false flag wins
// over a setting left on.
func TestCaptchaSettingFromBackOffice(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	if err := s.app.DB.SetSetting(context.Background(), db.SettingCommentCaptcha, "false"); err != nil {
		t.Fatal(err)
	}
	v := s.openForm(t)
	if v.Get("captcha_id") != "" {
		t.Fatal("captcha still asked for with the setting off")
	}
	resp, body := s.post(t, s.art.ID, validComment(v), true, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, msgCommentPending) {
		t.Fatalf("post without captcha: %d", resp.StatusCode)
	}
	s.app.DB.SetSetting(context.Background(), db.SettingCommentCaptcha, "true")
	if v := s.openForm(t); v.Get("captcha_id") == "" {
		t.Fatal("setting back on: no captcha")
	}
}

// TestCommentDoubleSubmitAtOnce posts the same form 10 times at the same moment (a double
// click, a flaky connection retried): one comment is stored, the others are refused as
// duplicates.
func TestCommentDoubleSubmitAtOnce(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{CaptchaOff: true})
	v := validComment(s.openForm(t))
	before := len(s.storedComments(t, s.art.ID))
	var wg sync.WaitGroup
	var ok, dup atomic.Int32
	for range 10 {
		wg.Go(func() {
			resp, _ := s.post(t, s.art.ID, v, true, nil)
			switch resp.StatusCode {
			case http.StatusOK:
				ok.Add(1)
			case http.StatusUnprocessableEntity:
				dup.Add(1)
			default:
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if got := len(s.storedComments(t, s.art.ID)) - before; got != 1 || ok.Load() != 1 || dup.Load() != 9 {
		t.Fatalf("%d stored, %d accepted, %d refused; want 1, 1, 9", got, ok.Load(), dup.Load())
	}
}
