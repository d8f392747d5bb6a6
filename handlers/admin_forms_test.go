package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"toasoan/db"
)

// TestHostileInputOnEveryForm sends script, SQL and over-long values in every text field
// of every back-office form: nothing is echoed unescaped, nothing errors, the data stays.
func TestHostileInputOnEveryForm(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	admin := s.loginAs(t, db.RoleAdmin)
	cid := s.pendingComment(t, 1, "Bạn đọc", "Bình thường")
	const xss = `"><script>alert(1)</script><img src=x onerror=alert(2)>`
	const sqli = `'; DROP TABLE articles; --`
	forms := []struct {
		path   string
		fields []string
		extra  url.Values
	}{
		{"/admin/login", []string{"name", "password", "next"}, nil},
		{"/admin/bai-viet", []string{"title", "slug", "lead", "byline", "cover_alt", "publish_at", "category_id", "form_token"}, nil},
		{"/admin/bai-viet/1", []string{"title", "slug", "lead", "byline", "cover_alt", "publish_at"}, url.Values{"version": {"1"}, "category_id": {"1"}}},
		{"/admin/bai-viet/1/trang-thai", []string{"note", "publish_at"}, url.Values{"to": {"draft"}, "version": {"1"}}},
		{"/admin/binh-luan/" + idText(cid) + "/sua", []string{"title", "body"}, nil},
		{"/admin/binh-luan", []string{"action", "ids", "back"}, nil},
		{"/admin/chan", []string{"kind", "value", "comment"}, nil},
		{"/admin/chuyen-muc", []string{"name", "slug", "description"}, nil},
		{"/admin/chuyen-muc/2", []string{"name", "slug", "description"}, nil},
		{"/admin/nguoi-dung", []string{"name", "display_name", "role", "password", "password2"}, nil},
		{"/admin/nguoi-dung/" + idText(s.users[db.RoleAuthor].ID), []string{"display_name", "role"}, nil},
		{"/admin/cai-dat", []string{"site_name", "site_description", "time_zone", "comment_moderation", "about_en"}, url.Values{"time_zone": {"UTC"}}},
	}
	for _, payload := range []string{xss, sqli, strings.Repeat("Ư", 20_000)} {
		for _, f := range forms {
			form := url.Values{}
			for k, v := range f.extra {
				form[k] = v
			}
			for _, field := range f.fields {
				form.Set(field, payload)
			}
			r, body := admin.post(f.path, form)
			if r.StatusCode >= 500 {
				t.Errorf("POST %s with %.20q: %d", f.path, payload, r.StatusCode)
			}
			if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "<img src=x") {
				t.Errorf("POST %s echoes the script unescaped", f.path)
			}
		}
	}
	// Settings were saved with hostile text: the public page escapes it.
	_, home := s.get(t, "/")
	if strings.Contains(home, "<script>alert(1)") {
		t.Error("the home page runs a stored script")
	}
	var n int
	if err := s.app.DB.Reader().QueryRow(`SELECT count(*) FROM articles`).Scan(&n); err != nil || n < 48 {
		t.Errorf("articles after the sweep: %d %v", n, err)
	}
	// Pages that show stored values escape them.
	for _, p := range []string{"/admin/", "/admin/bai-viet", "/admin/binh-luan", "/admin/chuyen-muc", "/admin/nguoi-dung", "/admin/cai-dat", "/admin/nhat-ky"} {
		r, body := admin.get(p)
		if r.StatusCode != http.StatusOK || strings.Contains(body, "<script>alert(1)") {
			t.Errorf("GET %s: %d, escaped: %v", p, r.StatusCode, !strings.Contains(body, "<script>alert(1)"))
		}
	}
}
