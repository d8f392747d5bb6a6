package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"toasoan/db"
	"toasoan/internal/antispam"
	"toasoan/views"
)

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
	s.clock.Advance(2900 * time.Millisecond)
	resp, body := s.post(t, s.art.ID, validComment(secrets), true, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msgTooFast) {
		t.Fatalf("posted after 2.9 s: status %d", resp.StatusCode)
	}
	// The refused form carries a new token; 3 s after it, the same text goes through.
	secrets = s.formSecrets(t, parse(t, body))
	s.clock.Advance(3 * time.Second)
	if resp, _ := s.post(t, s.art.ID, validComment(secrets), true, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("posted after 3 s: status %d", resp.StatusCode)
	}
	for name, token := range map[string]string{
		"forged":        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
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
	// No token at all (the form sent before its captcha came): not "expired", but a
	// request to type the captcha, and nothing stored.
	v := validComment(url.Values{})
	v.Set("content", "Lần thử không có mã")
	if resp, body := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusUnprocessableEntity ||
		strings.Contains(body, msgFormExpired) || !strings.Contains(body, msgNeedCaptcha) {
		t.Errorf("missing token: status %d", resp.StatusCode)
	}
	if after := s.countComments(t); after != before+1 {
		t.Fatalf("%d comments stored, want 1", after-before)
	}
}

// TestCommentEmptyFormSentAtOnce: issue #18 item 3. An empty form sent within the
// fill time shows the field errors under the general "fix the fields" line, not "too
// fast" above them.
func TestCommentEmptyFormSentAtOnce(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	_, body := s.get(t, views.ArticlePath(s.art)+"?binh-luan=viet")
	secrets := s.formSecrets(t, parse(t, body))
	v := url.Values{"started": {secrets.Get("started")}, "captcha_id": {secrets.Get("captcha_id")}}
	for _, htmx := range []bool{true, false} {
		resp, body := s.post(t, s.art.ID, v, htmx, nil)
		doc := parse(t, body)
		if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, msgTooFast) {
			t.Errorf("htmx=%v: status %d, too-fast shown: %v", htmx, resp.StatusCode, strings.Contains(body, msgTooFast))
		}
		if st := find(doc, byID("comment-status")); len(st) != 1 || text(st[0]) != msgCommentFix {
			t.Errorf("htmx=%v: status line %v", htmx, st)
		}
		for field, want := range map[string]string{"name": "Vui lòng nhập họ tên.", "title": "Vui lòng nhập tiêu đề.",
			"content": "Vui lòng nhập nội dung bình luận.", "captcha": "Vui lòng nhập mã xác nhận."} {
			if got := fieldError(doc, field); got != want {
				t.Errorf("htmx=%v: %s error %q, want %q", htmx, field, got, want)
			}
		}
		v.Set("captcha_id", inputValue(t, doc, "captcha_id"))
	}
	// A right form sent too fast is still refused as too fast.
	_, body = s.get(t, views.ArticlePath(s.art)+"?binh-luan=viet")
	if resp, body := s.post(t, s.art.ID, validComment(s.formSecrets(t, parse(t, body))), true, nil); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msgTooFast) {
		t.Errorf("valid form at once: %d", resp.StatusCode)
	}
}

// TestCommentWithoutJavaScript: issue #18 item 2. The cached article page promises no
// captcha that never comes; its <noscript> link opens the form with a captcha on the
// page the reader is on; the plain form sent as it is (no token, no captcha) comes back
// with a captcha and the reader's text, never "expired"; the second send is stored.
func TestCommentWithoutJavaScript(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	_, page := s.get(t, views.ArticlePath(s.art))
	doc := parse(t, page)
	pending := find(doc, byClass("captcha-pending"))
	if len(pending) != 1 || strings.Contains(text(pending[0]), "khi bạn tới") {
		t.Errorf("placeholder %v", pending)
	}
	ns := find(doc, byTag("noscript"))
	if len(ns) != 1 || !strings.Contains(text(ns[0]), views.ArticlePath(s.art)+"?binh-luan=viet#viet-binh-luan") {
		t.Fatal("no no-JS link to the form on the article's own URL")
	}
	before := s.countComments(t)
	v := validComment(url.Values{})
	resp, body := s.post(t, s.art.ID, v, false, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, msgFormExpired) {
		t.Fatalf("plain post: %d, expired=%v", resp.StatusCode, strings.Contains(body, msgFormExpired))
	}
	doc = parse(t, body)
	if st := find(doc, byID("comment-status")); len(st) != 1 || text(st[0]) != msgNeedCaptcha {
		t.Errorf("status %v", st)
	}
	if h1 := find(doc, byTag("h1")); len(h1) != 1 || text(h1[0]) != s.art.Title {
		t.Error("not the article page")
	}
	if inputValue(t, doc, "content") != v.Get("content") || inputValue(t, doc, "name") != v.Get("name") {
		t.Error("the reader's text is lost")
	}
	s.clock.Advance(5 * time.Second)
	resp, _ = s.post(t, s.art.ID, validComment(s.formSecrets(t, doc)), false, nil)
	if resp.StatusCode != http.StatusSeeOther || s.countComments(t) != before+1 {
		t.Fatalf("second plain post: %d, %d stored", resp.StatusCode, s.countComments(t)-before)
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
	s.clock.Advance(30 * time.Second)
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
	s.clock.Advance(25 * time.Hour)
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
	s.clock.Advance(11 * time.Minute)
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
	s.clock.Advance(11 * time.Minute)
	if resp, _ := s.get(t, "/ma-bao-mat/"+newID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("expired captcha image: %d", resp.StatusCode)
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
	if kept := must(s.app.DB.Setting(ctx, db.SettingCommentFormSecret, "")); kept != secret {
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
	if err := s.app.DB.SetSetting(context.Background(), db.SettingCommentCaptcha, "true"); err != nil {
		t.Fatal(err)
	}
	if v := s.openForm(t); v.Get("captcha_id") == "" {
		t.Fatal("setting back on: no captcha")
	}
}
