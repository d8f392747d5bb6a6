package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"toasoan/db"
)

func (s *adminSite) pendingComment(t *testing.T, articleID int64, name, body string) int64 {
	t.Helper()
	id, err := s.app.DB.InsertComment(context.Background(), db.Comment{ArticleID: articleID, Name: name, Phone: "0987654321",
		Title: "Góp ý", Body: body, Status: db.CommentPending, IP: "203.0.113.5", CreatedAt: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestModerationQueueWithHTMX(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	art := s.article(t, 1)
	c1 := s.pendingComment(t, art.ID, "Trần Văn <b>Bình</b>", "Đường làng đã được bê tông hóa.")
	c2 := s.pendingComment(t, art.ID, "Lê Thị Cúc", "Cảm ơn tòa soạn.")
	_, page := editor.get("/admin/binh-luan")
	doc := parse(t, page)
	rows := find(doc, byClass("comment-row"))
	if len(rows) < 2 || attr(rows[0], "id") != "comment-"+strconv.FormatInt(c2, 10) && attr(rows[0], "id") != "comment-"+strconv.FormatInt(c1, 10) {
		t.Fatalf("pending comments are not first")
	}
	if !strings.Contains(text(rows[0]), "0987654321") || !strings.Contains(text(rows[0]), "203.0.113.5") {
		t.Error("the moderator does not see phone and address")
	}
	if strings.Contains(page, "<b>Bình</b>") {
		t.Error("comment name rendered as HTML")
	}
	if badge := find(doc, func(n *html.Node) bool { return attr(n, "id") == "pending-count" }); len(badge) != 1 || text(badge[0]) != "2" {
		t.Errorf("pending badge wrong")
	}
	// Approve one with htmx: the row comes back updated, with the new pending count out of band.
	r, frag := editor.htmx("/admin/binh-luan/"+strconv.FormatInt(c1, 10)+"/duyet", url.Values{})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d", r.StatusCode)
	}
	fd := parse(t, "<table><tbody>"+frag+"</tbody></table>")
	row := find(fd, byClass("comment-row"))
	badge := find(fd, func(n *html.Node) bool { return attr(n, "id") == "pending-count" })
	if len(row) != 1 || !strings.Contains(attr(row[0], "class"), "approved") || len(badge) != 1 || text(badge[0]) != "1" || attr(badge[0], "hx-swap-oob") != "true" {
		t.Fatalf("fragment: %s", frag)
	}
	if strings.Contains(frag, "<html") {
		t.Error("htmx got a whole page")
	}
	if got := s.article(t, art.ID).CommentCount; got != art.CommentCount+1 {
		t.Errorf("comment_count %d, want %d", got, art.CommentCount+1)
	}
	_, public := s.get(t, "/bai-viet/"+art.Slug+"-"+strconv.FormatInt(art.ID, 10))
	if !strings.Contains(public, "Đường làng đã được bê tông hóa.") || strings.Contains(public, "0987654321") {
		t.Error("approved comment not public, or phone shown")
	}
	// Without htmx, the same URL redirects back to the queue.
	r, _ = editor.post("/admin/binh-luan/"+strconv.FormatInt(c1, 10)+"/spam", url.Values{"back": {"/admin/binh-luan?status=approved"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/binh-luan?status=approved" {
		t.Errorf("plain moderation: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if got := s.article(t, art.ID).CommentCount; got != art.CommentCount {
		t.Errorf("after spam comment_count %d, want %d", got, art.CommentCount)
	}
	r, _ = editor.post("/admin/binh-luan/"+strconv.FormatInt(c1, 10)+"/spam", url.Values{"back": {"https://evil.example/"}})
	if r.Header.Get("Location") != "/admin/binh-luan" {
		t.Errorf("open redirect through back: %q", r.Header.Get("Location"))
	}
	for _, p := range []string{"/admin/binh-luan/abc/duyet", "/admin/binh-luan/99999/duyet", "/admin/binh-luan/1/nuke"} {
		if r, _ := editor.post(p, url.Values{}); r.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d", p, r.StatusCode)
		}
	}
	// Bulk: approve both, then count.
	r, _ = editor.post("/admin/binh-luan", url.Values{"action": {"duyet"}, "ids": {strconv.FormatInt(c1, 10), strconv.FormatInt(c2, 10), "99999"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk: %d", r.StatusCode)
	}
	if got := s.article(t, art.ID).CommentCount; got != art.CommentCount+2 {
		t.Errorf("after bulk approve comment_count %d, want %d", got, art.CommentCount+2)
	}
	for _, f := range []url.Values{{"action": {"duyet"}}, {"action": {"nuke"}, "ids": {"1"}}, {"action": {"duyet"}, "ids": {"1; DROP TABLE comments"}}} {
		if r, _ := editor.post("/admin/binh-luan", f); r.StatusCode != http.StatusBadRequest {
			t.Errorf("bulk %v: %d", f, r.StatusCode)
		}
	}
	var many []string
	for i := range maxBulkIDs + 1 {
		many = append(many, strconv.Itoa(i+1))
	}
	if r, _ := editor.post("/admin/binh-luan", url.Values{"action": {"xoa"}, "ids": many}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("too many ids: %d", r.StatusCode)
	}
	// Filters.
	for _, q := range []string{"?status=spam", "?article=1", "?status=pending&article=1&page=1"} {
		if r, _ := editor.get("/admin/binh-luan" + q); r.StatusCode != http.StatusOK {
			t.Errorf("queue %s: %d", q, r.StatusCode)
		}
	}
	for _, q := range []string{"?status=bogus", "?article=x", "?page=-2"} {
		if r, _ := editor.get("/admin/binh-luan" + q); r.StatusCode != http.StatusBadRequest {
			t.Errorf("queue %s: %d", q, r.StatusCode)
		}
	}
	if r, _ := editor.get("/admin/binh-luan?article=424242"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown article filter: %d", r.StatusCode)
	}
	acts := strings.Join(s.auditActions(t), " ")
	if strings.Count(acts, "comment.approved") != 3 || !strings.Contains(acts, "comment.spam") {
		t.Errorf("audit: %s", acts)
	}
}

func TestEditCommentAndBlock(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	id := s.pendingComment(t, 1, "Bạn đọc", "Nội dung gốc có số điện thoại.")
	path := "/admin/binh-luan/" + strconv.FormatInt(id, 10) + "/sua"
	bad := []struct {
		name string
		form url.Values
	}{
		{"missing", url.Values{}},
		{"blank body", url.Values{"title": {"Tiêu đề"}, "body": {"  <b></b> "}}},
		{"oversized", url.Values{"title": {"Tiêu đề"}, "body": {strings.Repeat("ả", maxEditedCommentBody+1)}}},
	}
	for _, c := range bad {
		if r, _ := editor.post(path, c.form); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", c.name, r.StatusCode)
		}
	}
	nfd := "Nội dung đa\u0303 sư\u0309a <script>alert(1)</script>& O'Neil"
	if r, _ := editor.post(path, url.Values{"title": {"Tiêu đề <i>mới</i>"}, "body": {nfd}}); r.StatusCode != http.StatusSeeOther {
		t.Fatal("edit")
	}
	c, err := s.app.DB.ModerationComment(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "Tiêu đề mới" || c.Body != "Nội dung đã sửa & O'Neil" {
		t.Errorf("stored %q / %q", c.Title, c.Body)
	}
	entries, _, err := s.app.DB.AuditLog(context.Background(), db.AuditQuery{Action: "comment.edit", Limit: 5})
	if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Detail, "Nội dung gốc có số điện thoại.") {
		t.Errorf("edit audit %+v", entries)
	}
	// Escaped markup is cleaned as on the reader's path: it must not come back as a tag
	// once unescaped (a single strip-and-unescape stored "<b>").
	if r, _ := editor.post(path, url.Values{"title": {"&lt;b&gt;Tiêu&lt;/b&gt; đề"}, "body": {"&lt;script&gt;x&lt;/script&gt;Nội dung\r\ndòng hai"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatal("edit with escaped markup")
	}
	if c, err = s.app.DB.ModerationComment(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if c.Title != "Tiêu đề" || c.Body != "Nội dung\ndòng hai" {
		t.Errorf("escaped markup stored as %q / %q", c.Title, c.Body)
	}
	// Block the address with htmx: the row shows it is blocked.
	r, frag := editor.htmx("/admin/chan", url.Values{"kind": {"ip"}, "value": {"203.0.113.5"}, "comment": {strconv.FormatInt(id, 10)}})
	if r.StatusCode != http.StatusOK || !strings.Contains(frag, "Đang bị chặn") {
		t.Fatalf("block: %d %s", r.StatusCode, frag)
	}
	// Twice is harmless; the phone too.
	editor.post("/admin/chan", url.Values{"kind": {"ip"}, "value": {"203.0.113.5"}})
	editor.post("/admin/chan", url.Values{"kind": {"phone"}, "value": {"0987654321"}})
	blocks := must(s.app.DB.CommentBlocks(context.Background()))
	if len(blocks) != 2 {
		t.Errorf("%d blocks", len(blocks))
	}
	for _, f := range []url.Values{{"kind": {"email"}, "value": {"x"}}, {"kind": {"ip"}}, {"kind": {"ip"}, "value": {strings.Repeat("9", 65)}}} {
		if r, _ := editor.post("/admin/chan", f); r.StatusCode != http.StatusBadRequest {
			t.Errorf("block %v: %d", f, r.StatusCode)
		}
	}
	if r, _ := editor.post("/admin/chan/go", url.Values{"kind": {"ip"}, "value": {"203.0.113.5"}}); r.StatusCode != http.StatusSeeOther {
		t.Error("unblock")
	}
	blocks = must(s.app.DB.CommentBlocks(context.Background()))
	if len(blocks) != 1 || blocks[0].Kind != "phone" {
		t.Errorf("after unblock %+v", blocks)
	}
	acts := strings.Join(s.auditActions(t), " ")
	if strings.Count(acts, "block.add") != 2 || !strings.Contains(acts, "block.remove") {
		t.Errorf("audit: %s", acts)
	}
}
