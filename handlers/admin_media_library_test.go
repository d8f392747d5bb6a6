package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"toasoan/db"
)

// uploadJSON uploads a picture as the picker does and returns its id.
func uploadJSON(t *testing.T, b *adminBrowser, name string, shade uint8) uploadReply {
	t.Helper()
	r, body := b.upload(name, testJPEG(t, 800, 600, shade), true)
	var rep uploadReply
	if err := json.Unmarshal([]byte(body), &rep); err != nil || r.StatusCode != http.StatusOK || rep.ID == 0 {
		t.Fatalf("upload %s: %d %s", name, r.StatusCode, body)
	}
	return rep
}

// mediaItems are the library grid's entries.
func mediaItems(doc *html.Node) []*html.Node {
	var out []*html.Node
	for _, ul := range find(doc, byClass("media-grid")) {
		out = append(out, find(ul, byTag("li"))...)
	}
	return out
}

func mediaPath(id int64, rest string) string { return "/admin/anh/" + strconv.FormatInt(id, 10) + rest }

// TestMediaLibraryNamesUsesAndEdits: the library lists each image's file name, size,
// dimensions and the articles that use it; alt, caption and credit are edited with
// checks; search folds accents.
func TestMediaLibraryNamesUsesAndEdits(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	author := s.loginAs(t, db.RoleAuthor)
	// A browser may send a path as the name; only its last part is kept, NFC.
	rep := uploadJSON(t, author, `C:\Users\hoa\`+norm.NFD.String("Cầu Bến Thủy.jpg"), 10)
	if rep.Name != "Cầu Bến Thủy.jpg" || rep.Width != 800 || rep.Height != 600 {
		t.Errorf("upload reply %+v", rep)
	}
	other := uploadJSON(t, author, "../../etc/passwd.jpg", 90)
	if other.Name != "passwd.jpg" {
		t.Errorf("path in a name: %q", other.Name)
	}
	// An article shows the first picture in its body.
	f := newArticleForm("Bài có ảnh trong thân")
	f.Set("body", `<p>Mở đầu</p><figure><img src="/media/`+strconv.FormatInt(rep.ID, 10)+`?w=960" alt="Cầu"></figure>`)
	art := createArticle(t, author, f)

	r, page := author.get("/admin/anh")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("library: %d", r.StatusCode)
	}
	doc := parse(t, page)
	items := mediaItems(doc)
	if len(items) != 2 {
		t.Fatalf("library shows %d images", len(items))
	}
	first := text(items[1]) // newest first: passwd.jpg, then the bridge
	for _, want := range []string{"Cầu Bến Thủy.jpg", "800×600", "KB", "Dùng trong 1 bài", "Bài có ảnh trong thân", "Chưa có mô tả"} {
		if !strings.Contains(first, want) {
			t.Errorf("library item lacks %q: %s", want, first)
		}
	}
	if !strings.Contains(text(items[0]), "Chưa dùng trong bài nào") {
		t.Errorf("unused image: %s", text(items[0]))
	}
	// Every thumbnail link has an accessible name (its visible file name).
	for _, a := range find(doc, byClass("media-link")) {
		if strings.TrimSpace(text(a)) == "" {
			t.Error("a thumbnail link without a name")
		}
	}

	// Edit alt, caption, credit: stored NFC, markup kept as text, shown escaped.
	form := url.Values{"alt": {norm.NFD.String("Cầu Bến Thủy lúc bình minh")}, "caption": {`<script>alert(1)</script> Cầu mới`}, "credit": {"Ảnh: Văn Hùng"}}
	if r, body := author.post(mediaPath(rep.ID, ""), form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.StatusCode, body)
	}
	m, err := s.app.DB.MediaInfo(t.Context(), rep.ID)
	if err != nil || m.Alt != "Cầu Bến Thủy lúc bình minh" || m.Caption != `<script>alert(1)</script> Cầu mới` || m.Credit != "Ảnh: Văn Hùng" {
		t.Errorf("stored %+v %v", m, err)
	}
	r, page = author.get(mediaPath(rep.ID, ""))
	if r.StatusCode != http.StatusOK || strings.Contains(page, "<script>alert(1)") || !strings.Contains(page, "Bài có ảnh trong thân") {
		t.Errorf("detail page: %d", r.StatusCode)
	}
	if !strings.Contains(page, `href="/admin/bai-viet/`+strconv.FormatInt(art, 10)+`"`) {
		t.Error("the detail page does not link the article using the image")
	}
	// Too long: 422, the typed text kept, nothing stored.
	long := url.Values{"alt": {strings.Repeat("ả", 301)}, "caption": {"x"}, "credit": {""}}
	r, page = author.post(mediaPath(rep.ID, ""), long)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Mô tả ảnh tối đa 300 ký tự") {
		t.Errorf("long alt: %d", r.StatusCode)
	}
	if m2 := must(s.app.DB.MediaInfo(t.Context(), rep.ID)); m2.Alt != m.Alt {
		t.Error("a refused edit was stored")
	}

	// Search: accents and case optional, over name, alt, caption and credit.
	for q, want := range map[string]int{"cau ben thuy": 1, "VĂN HÙNG": 1, "passwd": 1, "bình minh": 1, "không có": 0, "' OR 1=1 --": 0} {
		r, page := author.get("/admin/anh?q=" + url.QueryEscape(q))
		if n := len(find(parse(t, page), byClass("media-link"))); r.StatusCode != http.StatusOK || n != want {
			t.Errorf("search %q: %d, %d images, want %d", q, r.StatusCode, n, want)
		}
	}
	if r, _ := author.get("/admin/anh?q=" + strings.Repeat("a", 201)); r.StatusCode != http.StatusBadRequest {
		t.Errorf("long search: %d", r.StatusCode)
	}
	// The picker: the same images as buttons, each named by its file name.
	r, page = author.get("/admin/anh/chon?q=cau")
	picks := find(parse(t, page), byClass("pick"))
	if r.StatusCode != http.StatusOK || len(picks) != 1 || !strings.Contains(text(picks[0]), "Cầu Bến Thủy.jpg") ||
		attr(picks[0], "data-alt") != "Cầu Bến Thủy lúc bình minh" || attr(picks[0], "data-src") != "/media/"+strconv.FormatInt(rep.ID, 10)+"?w=960" {
		t.Errorf("picker: %d %d", r.StatusCode, len(picks))
	}
	for _, p := range []string{"/admin/anh/0", "/admin/anh/abc", "/admin/anh/99999", "/admin/anh/-1", "/admin/anh/%2e%2e"} {
		if r, _ := author.get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, r.StatusCode)
		}
	}
}

// TestMediaTrashRestoreDelete: an image in use cannot be trashed (the answer names the
// article); an unused one goes to the trash, out of the library and the picker, comes
// back, and is deleted for good by an admin only, or purged after 30 days.
func TestMediaTrashRestoreDelete(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	author := s.loginAs(t, db.RoleAuthor)
	admin := s.loginAs(t, db.RoleAdmin)
	used := uploadJSON(t, editor, "dang-dung.jpg", 10)
	free := uploadJSON(t, editor, "khong-dung.jpg", 120)
	f := newArticleForm("Bài dùng ảnh bìa")
	f.Set("cover_media_id", strconv.FormatInt(used.ID, 10))
	createArticle(t, editor, f)

	r, page := editor.post(mediaPath(used.ID, "/xoa"), nil)
	if r.StatusCode != http.StatusConflict || !strings.Contains(page, "Ảnh đang được dùng trong «Bài dùng ảnh bìa»") {
		t.Errorf("trash an image in use: %d", r.StatusCode)
	}
	if m := must(s.app.DB.MediaInfo(t.Context(), used.ID)); m.InTrash() {
		t.Error("an image in use went to the trash")
	}
	// Authors may not trash; editors may.
	if r, _ := author.post(mediaPath(free.ID, "/xoa"), nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("author trashes: %d", r.StatusCode)
	}
	if r, _ := editor.post(mediaPath(free.ID, "/xoa"), nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("trash: %d", r.StatusCode)
	}
	if r, _ := editor.post(mediaPath(free.ID, "/xoa"), nil); r.StatusCode != http.StatusConflict {
		t.Errorf("trash twice: %d", r.StatusCode)
	}
	_, page = editor.get("/admin/anh")
	if strings.Contains(page, "khong-dung.jpg") {
		t.Error("a trashed image is still in the library")
	}
	if _, page = editor.get("/admin/anh/chon"); strings.Contains(page, "khong-dung.jpg") {
		t.Error("a trashed image is still in the picker")
	}
	_, page = editor.get("/admin/anh/thung-rac")
	if !strings.Contains(page, "khong-dung.jpg") || !strings.Contains(page, "Thùng rác (1)") {
		t.Error("the trash does not list the image")
	}
	// A trashed image cannot become a cover.
	g := newArticleForm("Bài muốn ảnh đã xóa")
	g.Set("cover_media_id", strconv.FormatInt(free.ID, 10))
	if r, page := editor.post("/admin/bai-viet", g); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "không còn trong thư viện") {
		t.Errorf("trashed cover: %d", r.StatusCode)
	}
	// Restore, trash again; an editor cannot delete for good, an admin can (only from the trash).
	if r, _ := editor.post(mediaPath(free.ID, "/khoi-phuc"), nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d", r.StatusCode)
	}
	if r, _ := admin.post(mediaPath(free.ID, "/xoa-vinh-vien"), nil); r.StatusCode != http.StatusConflict {
		t.Errorf("delete an image not in the trash: %d", r.StatusCode)
	}
	editor.post(mediaPath(free.ID, "/xoa"), nil)
	if r, _ := editor.post(mediaPath(free.ID, "/xoa-vinh-vien"), nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("editor deletes for good: %d", r.StatusCode)
	}
	if r, _ := admin.post(mediaPath(free.ID, "/xoa-vinh-vien"), nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin deletes: %d", r.StatusCode)
	}
	if r, _ := editor.get("/media/" + strconv.FormatInt(free.ID, 10)); r.StatusCode != http.StatusNotFound {
		t.Errorf("a deleted image is still served: %d", r.StatusCode)
	}
	// Purge: 30 days in the trash, then gone when the trash is next opened; one put back
	// into an article meanwhile stays.
	old := uploadJSON(t, editor, "cu.jpg", 200)
	reused := uploadJSON(t, editor, "dung-lai.jpg", 230)
	editor.post(mediaPath(old.ID, "/xoa"), nil)
	editor.post(mediaPath(reused.ID, "/xoa"), nil)
	h := newArticleForm("Bài dán lại ảnh cũ")
	h.Set("body", `<figure><img src="/media/`+strconv.FormatInt(reused.ID, 10)+`" alt="x"></figure>`)
	createArticle(t, editor, h)
	s.clock.Advance(29 * 24 * time.Hour)
	editor.get("/admin/anh/thung-rac")
	if _, err := s.app.DB.MediaInfo(t.Context(), old.ID); err != nil {
		t.Errorf("purged before 30 days: %v", err)
	}
	s.clock.Advance(2 * 24 * time.Hour)
	editor.get("/admin/anh/thung-rac")
	if _, err := s.app.DB.MediaInfo(t.Context(), old.ID); err == nil {
		t.Error("not purged after 30 days")
	}
	if _, err := s.app.DB.MediaInfo(t.Context(), reused.ID); err != nil {
		t.Errorf("an image in use was purged: %v", err)
	}
	acts := strings.Join(s.auditActions(t), " ")
	for _, a := range []string{"media.trash", "media.restore", "media.delete", "media.purge"} {
		if !strings.Contains(acts, a) {
			t.Errorf("audit log lacks %s", a)
		}
	}
	// Uploading a trashed picture again brings it back.
	again := uploadJSON(t, editor, "dung-lai.jpg", 230)
	if m := must(s.app.DB.MediaInfo(t.Context(), again.ID)); again.ID != reused.ID || m.InTrash() {
		t.Errorf("re-upload of a trashed picture: %d vs %d, in trash %v", again.ID, reused.ID, m.InTrash())
	}
}
