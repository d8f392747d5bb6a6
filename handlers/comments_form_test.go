package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"toasoan/db"
	"toasoan/internal/sanitize"
	"toasoan/views"
)

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
	// The visible fields, in the order, with labels tied to them.
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
	// The status holds the notice; site.js focuses it and reads its text into the page's
	// one live region (#thong-bao), so the block is not a second live region.
	if st := find(doc, byID("comment-status")); len(st) != 1 || attr(st[0], "aria-live") != "" {
		t.Error("no status block, or a second live region")
	}
	if len(find(doc, byID("thong-bao"))) != 1 {
		t.Error("no live region")
	}
	list := find(doc, byID("comment-list"))
	if len(list) != 1 || !strings.HasPrefix(attr(list[0], "data-hx-get"), action+"?sap-xep=moi&trang=1&v=") || attr(list[0], "data-hx-trigger") != "every 60s" {
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
	if body := find(doc, byClass("article-body")); len(body) != 1 || len(strings.TrimSpace(text(body[0]))) < 100 {
		t.Error("422 without JS shows the article without its text")
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
	forms := s.openForms(t, len(payloads)) // a form token is good for one accepted post
	for i, p := range payloads {
		v := validComment(forms[i])
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
	// Every page of the thread, so that each stored payload is rendered in a page.
	shown := 0
	for n := 1; ; n++ {
		resp, body := s.get(t, commentPath(s.art.ID)+"?trang="+strconv.Itoa(n))
		if resp.StatusCode == http.StatusNotFound && n > 1 {
			break
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("comment page %d: %d", n, resp.StatusCode)
		}
		assertAppMarkupOnly(t, "comment page "+strconv.Itoa(n), body)
		shown += len(find(parse(t, body), byClass("comment-body")))
	}
	if shown < stored {
		t.Errorf("the thread's pages show %d comments, %d were stored", shown, stored)
	}
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
