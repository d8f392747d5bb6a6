package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"toasoan/db"
)

func TestSectionsCreateRenameReorderHide(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	admin := s.loginAs(t, db.RoleAdmin)
	ctx := context.Background()
	if r, _ := admin.post("/admin/chuyen-muc", url.Values{"name": {"Pha\u0301p luâ\u0323t"}, "description": {"Tin pháp luật"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", r.StatusCode)
	}
	c, err := s.app.DB.CategoryBySlug(ctx, "phap-luat")
	if err != nil || c.Name != "Pháp luật" {
		t.Fatalf("created %+v %v", c, err)
	}
	for _, f := range []url.Values{{}, {"name": {"Pháp luật"}}, {"name": {strings.Repeat("x", 101)}}, {"name": {"Mới"}, "slug": {"thoi-su"}}, {"name": {"!!!"}}} {
		if r, _ := admin.post("/admin/chuyen-muc", f); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("bad create %v: %d", f, r.StatusCode)
		}
	}
	// Rename with a new slug: the old URL redirects.
	old := must(s.app.DB.CategoryByID(ctx, 1))
	if r, _ := admin.post("/admin/chuyen-muc/1", url.Values{"name": {"Thời sự - Chính trị"}, "slug": {"thoi-su-chinh-tri"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatal("rename")
	}
	r, _ := s.get(t, "/chuyen-muc/"+old.Slug)
	if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != "/chuyen-muc/thoi-su-chinh-tri" {
		t.Errorf("old section slug: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	// Another section may not take the old slug (it still redirects).
	if r, _ := admin.post("/admin/chuyen-muc/2", url.Values{"name": {"X"}, "slug": {old.Slug}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("taking a redirected slug: %d", r.StatusCode)
	}
	// Reorder: move the second up.
	before, err := s.app.DB.Categories(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := admin.post("/admin/chuyen-muc/2/di-chuyen", url.Values{"dir": {"up"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatal("move")
	}
	after, err := s.app.DB.Categories(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if after[0].ID != before[1].ID || after[1].ID != before[0].ID {
		t.Errorf("order %d,%d", after[0].ID, after[1].ID)
	}
	if r, _ := admin.post("/admin/chuyen-muc/2/di-chuyen", url.Values{"dir": {"sideways"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad dir: %d", r.StatusCode)
	}
	if r, _ := admin.post("/admin/chuyen-muc/999/di-chuyen", url.Values{"dir": {"up"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown section: %d", r.StatusCode)
	}
	// Hide: gone from the menu and its page.
	c2 := must(s.app.DB.CategoryByID(ctx, 2))
	if r, _ := admin.post("/admin/chuyen-muc/2", url.Values{"name": {c2.Name}, "slug": {c2.Slug}, "hidden": {"1"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatal("hide")
	}
	if r, _ := s.get(t, "/chuyen-muc/"+c2.Slug); r.StatusCode != http.StatusNotFound {
		t.Errorf("hidden section page: %d", r.StatusCode)
	}
	if acts := strings.Join(s.auditActions(t), " "); !strings.Contains(acts, "section.create") || strings.Count(acts, "section.update") != 2 || !strings.Contains(acts, "section.move") {
		t.Errorf("audit: %s", acts)
	}
}

func TestUsersPage(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	admin := s.loginAs(t, db.RoleAdmin)
	ctx := context.Background()
	good := url.Values{"name": {"pv.hoa"}, "display_name": {"Nguyễn Hoa"}, "role": {"author"}, "password": {adminTestPassword}, "password2": {adminTestPassword}}
	if r, body := admin.post("/admin/nguoi-dung", good); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.StatusCode, body)
	}
	for name, f := range map[string]url.Values{
		"duplicate": good,
		"weak":      {"name": {"pv2"}, "role": {"author"}, "password": {"ngan"}, "password2": {"ngan"}},
		"bad role":  {"name": {"pv3"}, "role": {"boss"}, "password": {adminTestPassword}, "password2": {adminTestPassword}},
		"bad name":  {"name": {"<script>"}, "role": {"author"}, "password": {adminTestPassword}, "password2": {adminTestPassword}},
		"mismatch":  {"name": {"pv4"}, "role": {"author"}, "password": {adminTestPassword}, "password2": {adminTestPassword + "x"}},
	} {
		r, body := admin.post("/admin/nguoi-dung", f)
		if r.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "<script>") && !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s: %d", name, r.StatusCode)
		}
	}
	u, err := s.app.DB.UserByName(ctx, "pv.hoa")
	if err != nil {
		t.Fatal(err)
	}
	hoa := s.newBrowser(t)
	if r, _ := hoa.post("/admin/login", url.Values{"name": {"pv.hoa"}, "password": {adminTestPassword}}); r.StatusCode != http.StatusSeeOther {
		t.Fatal("new user logs in")
	}
	// Promote, then disable: the session ends.
	path := "/admin/nguoi-dung/" + idText(u.ID)
	if r, _ := admin.post(path, url.Values{"display_name": {"Nguyễn Thị Hoa"}, "role": {"editor"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatal("promote")
	}
	if r, _ := admin.post(path, url.Values{"display_name": {"Nguyễn Thị Hoa"}, "role": {"editor"}, "disabled": {"1"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatal("disable")
	}
	if r, _ := hoa.get("/admin/"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("disabled user still in: %d", r.StatusCode)
	}
	// An admin cannot lock themselves out, and the last admin stays.
	me := s.users[db.RoleAdmin]
	if r, _ := admin.post("/admin/nguoi-dung/"+idText(me.ID), url.Values{"role": {"author"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("self-demotion: %d", r.StatusCode)
	}
	if err := s.app.DB.UpdateUser(ctx, db.Actor{}, testNow, me.ID, "", db.RoleEditor, false); err != db.ErrLastAdmin {
		t.Errorf("demoting the last admin: %v", err)
	}
	// Reset a password.
	if r, _ := admin.post(path+"/mat-khau", url.Values{"password": {"ngan"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("weak reset: %d", r.StatusCode)
	}
	if r, _ := admin.post(path+"/mat-khau", url.Values{"password": {"mot-mat-khau-moi-dai"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatal("reset")
	}
	if _, err := s.app.DB.Authenticate(ctx, "editor1", adminTestPassword); err != nil {
		t.Error("another user's password changed")
	}
	if r, _ := admin.post("/admin/nguoi-dung/99999", url.Values{"role": {"author"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown user: %d", r.StatusCode)
	}
}

func idText(n int64) string { return strconv.FormatInt(n, 10) }

func TestSettingsReloadAndTimeZone(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	admin := s.loginAs(t, db.RoleAdmin)
	ctx := context.Background()
	form := url.Values{"site_name": {"Báo Sông Lam <i>điện tử</i>"}, "site_description": {"Tin nhanh mỗi ngày"}, "time_zone": {"Asia/Tokyo"},
		"comment_moderation": {"first-time"}, "comment_captcha": {""}, "about_en": {"About us: a district news portal.\nContact: toa-soan@example.vn"}}
	if r, body := admin.post("/admin/cai-dat", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.StatusCode, body)
	}
	_, home := s.get(t, "/")
	if !strings.Contains(home, "Báo Sông Lam &lt;i&gt;điện tử&lt;/i&gt;") {
		t.Error("site name not reloaded (or not escaped)")
	}
	if s.app.Views.Location().String() != "Asia/Tokyo" {
		t.Errorf("zone %s", s.app.Views.Location())
	}
	if d := must(s.app.DB.Setting(ctx, db.SettingSiteDescription, "")); d != "Tin nhanh mỗi ngày" {
		t.Errorf("description not NFC: %q", d)
	}
	for k, want := range map[string]string{db.SettingCommentModeration: "first-time", db.SettingCommentCaptcha: "false",
		db.SettingAboutEN: "About us: a district news portal.\nContact: toa-soan@example.vn"} {
		if v := must(s.app.DB.Setting(ctx, k, "")); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	// The zone survives a restart.
	s.srv.Close()
	s.app.DB.Close()
	s2 := openAdminSite(t, s.dataDir, Config{}, false)
	if s2.app.Views.Location().String() != "Asia/Tokyo" {
		t.Errorf("zone after restart: %s", s2.app.Views.Location())
	}
	admin = s2.loginAs(t, db.RoleAdmin)
	for name, edit := range map[string]func(url.Values){
		"no name":      func(f url.Values) { f.Set("site_name", " ") },
		"long name":    func(f url.Values) { f.Set("site_name", strings.Repeat("a", 151)) },
		"bad zone":     func(f url.Values) { f.Set("time_zone", "Mars/Olympus") },
		"path zone":    func(f url.Values) { f.Set("time_zone", "../../etc/passwd") },
		"local zone":   func(f url.Values) { f.Set("time_zone", "Local") },
		"bad mode":     func(f url.Values) { f.Set("comment_moderation", "sometimes") },
		"long english": func(f url.Values) { f.Set("about_en", strings.Repeat("a", maxAboutEN+1)) },
	} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		edit(f)
		if r, _ := admin.post("/admin/cai-dat", f); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", name, r.StatusCode)
		}
	}
	if s2.app.Views.Location().String() != "Asia/Tokyo" {
		t.Error("a refused form changed the zone")
	}
}

func TestAuditPageAndDashboard(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	admin := s.loginAs(t, db.RoleAdmin)
	ctx := context.Background()
	// Views over the last days for the chart and the most-read list.
	day := testNow.In(s.loc).Format(time.DateOnly)
	if err := s.app.DB.AddViews(ctx, day, map[int64]int64{3: 500, 4: 20}); err != nil {
		t.Fatal(err)
	}
	_, page := admin.get("/admin/")
	doc := parse(t, page)
	if n := len(find(doc, byClass("chart-bar"))); n != 2*chartDays {
		t.Errorf("%d chart bars", n)
	}
	if list := find(doc, byClass("most-read")); len(list) != 1 || !strings.Contains(text(list[0]), "500 lượt xem") {
		t.Error("most read list")
	}
	// Audit filters.
	s.newBrowser(t).post("/admin/login", url.Values{"name": {"admin1"}, "password": {"sai-mat-khau"}})
	_, page = admin.get("/admin/nhat-ky?action=login.failed")
	rows := find(parse(t, page), byTag("tr"))
	if len(rows) != 2 { // header + one failure
		t.Errorf("filtered audit rows: %d", len(rows))
	}
	for _, q := range []string{"?user=admin1", "?object=user", "?from=2026-11-01&to=2026-11-30", "?id=1", "?action=%25"} {
		if r, _ := admin.get("/admin/nhat-ky" + q); r.StatusCode != http.StatusOK {
			t.Errorf("audit %s: %d", q, r.StatusCode)
		}
	}
	for _, q := range []string{"?object=bogus", "?id=x", "?from=28/11/2026", "?page=0"} {
		if r, _ := admin.get("/admin/nhat-ky" + q); r.StatusCode != http.StatusBadRequest {
			t.Errorf("audit %s: %d", q, r.StatusCode)
		}
	}
}

// TestDashboardShowsBackupStatus: admins see when the automatic backup last worked and,
// loudly, when it last failed; editors do not see the panel.
func TestDashboardShowsBackupStatus(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	admin, editor := s.loginAs(t, db.RoleAdmin), s.loginAs(t, db.RoleEditor)
	_, body := admin.get("/admin/")
	if !strings.Contains(body, "Chưa có bản sao lưu tự động nào") {
		t.Error("no backup state shown before any backup")
	}
	ctx := t.Context()
	if err := s.app.DB.RecordBackup(ctx, testNow.Add(-time.Hour), "/sao-luu/toasoan-1.db", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.app.DB.RecordBackup(ctx, testNow, "", errors.New("no space left on device")); err != nil {
		t.Fatal(err)
	}
	_, body = admin.get("/admin/")
	doc := parse(t, body)
	panel := find(doc, byClass("backup-failing"))
	if len(panel) != 1 || attr(panel[0], "role") != "alert" {
		t.Fatal("failing backup not shown as an alert")
	}
	if txt := text(panel[0]); !strings.Contains(txt, "no space left on device") || !strings.Contains(txt, "/sao-luu/toasoan-1.db") {
		t.Errorf("backup panel: %q", txt)
	}
	if _, body := editor.get("/admin/"); strings.Contains(body, "Sao lưu tự động") {
		t.Error("editors see the backup panel")
	}
}
