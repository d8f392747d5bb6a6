package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"toasoan/db"
)

// TestRoleActionMatrix calls every back-office action as each role: a role below the
// action's gets 403 (and nothing changes); a role allowed gets past the check (any answer
// but 403 or a trip to the login page).
func TestRoleActionMatrix(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	ctx := context.Background()
	author := s.users[db.RoleAuthor]
	// An article of the author's own, a demo article of nobody's, a comment.
	own, _, err := s.app.DB.CreateDraft(ctx, db.Actor{UserID: author.ID, UserName: author.Name}, testNow,
		db.ArticleInput{Title: "Bài của phóng viên", Slug: "bai-cua-phong-vien", CategoryID: 1}, "")
	if err != nil {
		t.Fatal(err)
	}
	other := int64(1)
	cid, err := s.app.DB.InsertComment(ctx, db.Comment{ArticleID: other, Name: "Bạn đọc", Title: "Hỏi", Body: "Nội dung",
		Status: db.CommentPending, IP: "198.51.100.7", CreatedAt: testNow})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(n int64) string { return strconv.FormatInt(n, 10) }
	type action struct {
		name    string
		method  string
		path    string
		form    url.Values
		minRole string
	}
	actions := []action{
		{"dashboard", "GET", "/admin/", nil, db.RoleAuthor},
		{"article list", "GET", "/admin/bai-viet", nil, db.RoleAuthor},
		{"new article form", "GET", "/admin/bai-viet/moi", nil, db.RoleAuthor},
		{"create article (invalid)", "POST", "/admin/bai-viet", url.Values{}, db.RoleAuthor},
		{"open own article", "GET", "/admin/bai-viet/" + ids(own), nil, db.RoleAuthor},
		{"open another's article", "GET", "/admin/bai-viet/" + ids(other), nil, db.RoleEditor},
		{"edit another's article", "POST", "/admin/bai-viet/" + ids(other), url.Values{"version": {"1"}}, db.RoleEditor},
		{"preview another's article", "GET", "/admin/bai-viet/" + ids(other) + "/xem-truoc", nil, db.RoleEditor},
		{"revisions of another's", "GET", "/admin/bai-viet/" + ids(other) + "/phien-ban", nil, db.RoleEditor},
		{"archive another's article", "POST", "/admin/bai-viet/" + ids(other) + "/trang-thai", url.Values{"to": {"archived"}, "version": {"99"}}, db.RoleEditor},
		{"publish own draft", "POST", "/admin/bai-viet/" + ids(own) + "/trang-thai", url.Values{"to": {"published"}, "version": {"99"}}, db.RoleEditor},
		{"media library", "GET", "/admin/anh", nil, db.RoleAuthor},
		{"upload (empty)", "POST", "/admin/anh", url.Values{}, db.RoleAuthor},
		{"moderation queue", "GET", "/admin/binh-luan", nil, db.RoleEditor},
		{"approve a comment", "POST", "/admin/binh-luan/" + ids(cid) + "/xoa", url.Values{}, db.RoleEditor},
		{"bulk moderation", "POST", "/admin/binh-luan", url.Values{}, db.RoleEditor},
		{"edit a comment page", "GET", "/admin/binh-luan/" + ids(cid) + "/sua", nil, db.RoleEditor},
		{"edit a comment", "POST", "/admin/binh-luan/" + ids(cid) + "/sua", url.Values{}, db.RoleEditor},
		{"block an address", "POST", "/admin/chan", url.Values{}, db.RoleEditor},
		{"unblock", "POST", "/admin/chan/go", url.Values{}, db.RoleEditor},
		{"sections", "GET", "/admin/chuyen-muc", nil, db.RoleAdmin},
		{"create section", "POST", "/admin/chuyen-muc", url.Values{}, db.RoleAdmin},
		{"rename section", "POST", "/admin/chuyen-muc/1", url.Values{}, db.RoleAdmin},
		{"move section", "POST", "/admin/chuyen-muc/1/di-chuyen", url.Values{}, db.RoleAdmin},
		{"users", "GET", "/admin/nguoi-dung", nil, db.RoleAdmin},
		{"create user", "POST", "/admin/nguoi-dung", url.Values{}, db.RoleAdmin},
		{"change a user", "POST", "/admin/nguoi-dung/" + ids(author.ID), url.Values{}, db.RoleAdmin},
		{"reset a password", "POST", "/admin/nguoi-dung/" + ids(author.ID) + "/mat-khau", url.Values{}, db.RoleAdmin},
		{"settings", "GET", "/admin/cai-dat", nil, db.RoleAdmin},
		{"save settings", "POST", "/admin/cai-dat", url.Values{}, db.RoleAdmin},
		{"audit log", "GET", "/admin/nhat-ky", nil, db.RoleAdmin},
	}
	browsers := map[string]*adminBrowser{}
	for _, role := range db.Roles {
		browsers[role] = s.loginAs(t, role)
	}
	for _, a := range actions {
		for _, role := range db.Roles {
			t.Run(a.name+"/"+role, func(t *testing.T) {
				b := browsers[role]
				var resp *http.Response
				if a.method == "GET" {
					resp, _ = b.get(a.path)
				} else {
					resp, _ = b.post(a.path, a.form)
				}
				allowed := roleRank(role) >= roleRank(a.minRole)
				switch {
				case allowed && resp.StatusCode == http.StatusForbidden:
					t.Errorf("%s may %s, got 403", role, a.name)
				case allowed && resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/admin/login":
					t.Errorf("%s was logged out by %s", role, a.name)
				case allowed && resp.StatusCode >= 500:
					t.Errorf("%s %s: %d", role, a.name, resp.StatusCode)
				case !allowed && resp.StatusCode != http.StatusForbidden:
					t.Errorf("%s may not %s, got %d", role, a.name, resp.StatusCode)
				}
			})
		}
	}
	// Nothing the author was refused changed anything.
	c, err := s.app.DB.ModerationComment(ctx, cid)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != db.CommentDeleted { // the editor's and admin's delete went through
		t.Errorf("comment status %q", c.Status)
	}
	art, err := s.app.DB.ArticleByID(ctx, own)
	if err != nil || art.Status != db.StatusDraft {
		t.Errorf("own draft after refused publish: %q %v", art.Status, err)
	}
	// The author's list shows only the author's articles.
	_, body := browsers[db.RoleAuthor].get("/admin/bai-viet")
	rows := find(parse(t, body), byTag("tbody"))
	if len(rows) != 1 || len(find(rows[0], byTag("tr"))) != 1 {
		t.Errorf("author's list is not limited to their own article")
	}
}
