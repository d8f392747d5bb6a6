package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"toasoan/db"
)

// TestScheduledIsItsOwnState: the editor has one publish-time field; a future time saved
// with the article schedules it when "Hẹn giờ đăng" is pressed; lists label it "Hẹn giờ",
// count it under its own tab and not as published; when the time comes it is published.
func TestScheduledIsItsOwnState(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	_, list := editor.get("/admin/bai-viet")
	publishedBefore := tabCount(t, list, "published")

	when := testNow.Add(48 * time.Hour).In(s.app.Views.Location())
	f := newArticleForm("Thông báo lịch cúp điện tuần sau")
	f.Set("byline", "Trần Minh")
	f.Set("publish_at", when.Format(dateTimeLocal))
	id := createArticle(t, editor, f)
	_, page := editor.get("/admin/bai-viet/" + strconv.FormatInt(id, 10))
	doc := parse(t, page)
	if n := len(find(doc, func(n *html.Node) bool { return n.Data == "input" && attr(n, "type") == "datetime-local" })); n != 1 {
		t.Errorf("the editor has %d publish-time fields, want 1", n)
	}
	var publishBtn string
	for _, b := range find(doc, byTag("button")) {
		if strings.Contains(text(b), "Hẹn giờ đăng") {
			publishBtn = text(b)
		}
	}
	if !strings.Contains(publishBtn, when.Format("15:04 02/01/2006")) {
		t.Errorf("publish button %q does not say it schedules", publishBtn)
	}
	a := s.article(t, id)
	if r, _ := postTransition(editor, id, a.Version, db.StatusPublished, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.StatusCode)
	}
	a = s.article(t, id)
	if a.Status != db.StatusPublished || !a.PublishAt.Equal(when.Truncate(time.Minute)) {
		t.Fatalf("not scheduled: %s %v", a.Status, a.PublishAt)
	}
	_, list = editor.get("/admin/bai-viet")
	if n := tabCount(t, list, "scheduled"); n != 1 {
		t.Errorf("Hẹn giờ tab counts %d", n)
	}
	if n := tabCount(t, list, "published"); n != publishedBefore {
		t.Errorf("a scheduled article counted as published: %d → %d", publishedBefore, n)
	}
	_, sched := editor.get("/admin/bai-viet?status=scheduled")
	rows := find(parse(t, sched), byTag("tr"))
	if len(rows) != 2 || !strings.Contains(text(rows[1]), "Hẹn giờ") || strings.Contains(text(rows[1]), "Đã đăng") ||
		!strings.Contains(text(rows[1]), "Trần Minh") {
		t.Errorf("scheduled list: %d rows: %v", len(rows), text(rows[len(rows)-1]))
	}
	_, pub := editor.get("/admin/bai-viet?status=published")
	if strings.Contains(pub, "Thông báo lịch cúp điện") {
		t.Error("the scheduled article is listed as published")
	}
	for _, th := range find(parse(t, list), byTag("th")) {
		if text(th) == "Tác giả" && !strings.Contains(attr(th, "class"), "nowrap") {
			t.Error("the author header may wrap")
		}
	}
	// The demo's articles have bylines and no account: the column shows the byline.
	if !strings.Contains(list, "<td>") {
		t.Fatal("no rows")
	}
	for _, row := range find(parse(t, list), byTag("tr"))[1:] {
		cells := find(row, byTag("td"))
		if len(cells) > 2 && text(cells[2]) == "" {
			t.Errorf("empty author cell in %q", text(row))
			break
		}
	}
	// When the time comes it is published.
	s.clock.Advance(49 * time.Hour)
	_, list = editor.get("/admin/bai-viet")
	if tabCount(t, list, "scheduled") != 0 || tabCount(t, list, "published") != publishedBefore+1 {
		t.Error("the article did not move to published when its time came")
	}
	if r, _ := editor.get("/admin/bai-viet?status=bogus"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bogus status: %d", r.StatusCode)
	}
	// "scheduled" is a list state, never a status to move an article to.
	if r, _ := postTransition(editor, id, s.article(t, id).Version, db.ListScheduled, url.Values{}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("transition to scheduled: %d", r.StatusCode)
	}
}

// tabCount reads "(N)" from the list's status tab.
func tabCount(t *testing.T, page, status string) int {
	t.Helper()
	for _, a := range find(parse(t, page), byTag("a")) {
		if attr(a, "href") == "/admin/bai-viet?status="+status {
			txt := text(a)
			i, j := strings.LastIndex(txt, "("), strings.LastIndex(txt, ")")
			n, err := strconv.Atoi(strings.ReplaceAll(txt[i+1:j], ".", ""))
			if err != nil {
				t.Fatalf("tab %q", txt)
			}
			return n
		}
	}
	t.Fatalf("no %s tab", status)
	return 0
}

// TestModerationTabsFollowInPlaceActions: approving in place (htmx) swaps the row and,
// out of band, every tab's count; the comment's line breaks are kept in the queue.
func TestModerationTabsFollowInPlaceActions(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	c1 := s.pendingComment(t, 1, "Lê Văn An", "Dòng một.\nDòng hai.")
	s.pendingComment(t, 1, "Phạm Thị Bình", "Ý kiến khác")
	_, page := editor.get("/admin/binh-luan")
	pending := oobCount(t, page, "tab-count-pending")
	approved := oobCount(t, page, "tab-count-approved")
	bodies := find(parse(t, page), byClass("comment-body"))
	if len(bodies) == 0 {
		t.Fatal("no comment bodies")
	}
	var kept bool
	for _, b := range bodies {
		if b.FirstChild != nil && strings.Contains(b.FirstChild.Data, "Dòng một.\nDòng hai.") {
			kept = true
		}
	}
	if !kept {
		t.Error("the comment's line break is lost in the queue")
	}
	r, frag := editor.htmx("/admin/binh-luan/"+strconv.FormatInt(c1, 10)+"/duyet", url.Values{})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d", r.StatusCode)
	}
	if got := oobCount(t, frag, "tab-count-pending"); got != pending-1 {
		t.Errorf("pending tab after approve: %d, want %d", got, pending-1)
	}
	if got := oobCount(t, frag, "tab-count-approved"); got != approved+1 {
		t.Errorf("approved tab after approve: %d, want %d", got, approved+1)
	}
	for _, span := range find(parse(t, frag), func(n *html.Node) bool { return strings.HasPrefix(attr(n, "id"), "tab-count-") }) {
		if attr(span, "hx-swap-oob") != "true" {
			t.Errorf("%s is not swapped out of band", attr(span, "id"))
		}
	}
}

// oobCount reads the number in the element with this id: "(12)" → 12.
func oobCount(t *testing.T, page, id string) int {
	t.Helper()
	for _, n := range find(parse(t, page), func(n *html.Node) bool { return attr(n, "id") == id }) {
		n, err := strconv.Atoi(strings.ReplaceAll(strings.Trim(text(n), "()"), ".", ""))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		return n
	}
	t.Fatalf("no #%s", id)
	return 0
}

// TestAuditLogInVietnamese: the log names actions, actors and objects in Vietnamese, and
// the codes inside details too; no "login", "user.create", "user #4", "cli" or "demo".
func TestAuditLogInVietnamese(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	admin := s.loginAs(t, db.RoleAdmin)
	ctx := t.Context()
	for _, e := range []struct {
		by     db.Actor
		action string
		obj    string
		id     int64
		detail string
	}{
		{db.Actor{UserName: "cli"}, "user.create", db.ObjectUser, 4, "hoa (editor)"},
		{db.Actor{UserName: "demo"}, "user.create", db.ObjectUser, 5, "demo (admin)"},
		{db.Actor{UserName: "admin1"}, "comment.approved", db.ObjectComment, 7, "pending → approved"},
		{db.Actor{UserName: "admin1"}, "block.add", db.ObjectBlock, 0, "ip 203.0.113.5"},
		{db.Actor{}, "media.purge", db.ObjectMedia, 9, "cu.jpg"},
		{db.Actor{UserName: "admin1"}, "widget.spin", "widget", 3, "x"},
	} {
		if err := s.app.DB.Audit(ctx, e.by, testNow, e.action, e.obj, e.id, e.detail); err != nil {
			t.Fatal(err)
		}
	}
	r, page := admin.get("/admin/nhat-ky")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("audit: %d", r.StatusCode)
	}
	var rows []string
	for _, tr := range find(parse(t, page), byTag("tr"))[1:] {
		rows = append(rows, text(tr))
	}
	all := strings.Join(rows, "\n")
	for _, want := range []string{"Dòng lệnh trên máy chủ", "Dữ liệu mẫu", "Hệ thống", "Tạo tài khoản", "Tài khoản số 4",
		"hoa (" + roleLabel(db.RoleEditor) + ")", "chờ duyệt → đã duyệt", "IP 203.0.113.5", "Đăng nhập", "Bình luận số 7", "Thao tác khác"} {
		if !strings.Contains(all, want) {
			t.Errorf("audit log lacks %q:\n%s", want, all)
		}
	}
	for _, code := range []string{"user.create", "comment.approved", "#4", "(editor)", "pending", " cli ", "widget.spin"} {
		if strings.Contains(" "+all+" ", code) {
			t.Errorf("audit log shows the code %q:\n%s", code, all)
		}
	}
	if !strings.Contains(page, `href="/admin/binh-luan/7/sua"`) {
		t.Error("a comment entry does not link the comment")
	}
}

// TestBackOfficeErrorsUseItsLayout: a 403, 404 or 409 inside /admin is shown in the back
// office's layout (its menu when signed in), not the public site's.
func TestBackOfficeErrorsUseItsLayout(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	author := s.loginAs(t, db.RoleAuthor)
	cases := []struct {
		path   string
		status int
	}{
		{"/admin/nguoi-dung", http.StatusForbidden},
		{"/admin/bai-viet/999999", http.StatusNotFound},
		{"/admin/anh/999999", http.StatusNotFound},
		{"/admin/bai-viet?status=bogus", http.StatusBadRequest},
	}
	for _, c := range cases {
		r, page := author.get(c.path)
		doc := parse(t, page)
		if r.StatusCode != c.status || len(find(doc, byClass("admin-error"))) != 1 || len(find(doc, byClass("admin-nav"))) != 1 ||
			len(find(doc, byClass("site-footer"))) != 0 {
			t.Errorf("%s: %d, admin layout with menu: %v", c.path, r.StatusCode, strings.Contains(page, "admin-nav"))
		}
	}
	// Without a session, an unknown /admin path is still answered in the back office's look.
	r, page := s.newBrowser(t).get("/admin/khong-co")
	if r.StatusCode != http.StatusNotFound || !strings.Contains(page, "admin-error") {
		t.Errorf("unknown admin path: %d", r.StatusCode)
	}
	// The dashboard speaks to staff, not to the server's operator.
	admin := s.loginAs(t, db.RoleAdmin)
	if _, dash := admin.get("/admin/"); strings.Contains(dash, "-backup-dir") || strings.Contains(dash, "cờ ") {
		t.Error("the dashboard tells staff about server flags")
	}
}
