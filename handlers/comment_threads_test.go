package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"toasoan/db"
	"toasoan/views"
)

// seedThread stores n approved top-level comments on the site's article, one a minute
// apart, the newest last ("Bình luận số n"), and returns their ids in that order.
func (s *commentSite) seedThread(t *testing.T, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range n {
		id, err := s.app.DB.InsertComment(context.Background(), db.Comment{ArticleID: s.art.ID,
			Name: fmt.Sprintf("Bạn đọc %d", i+1), Title: "Ý kiến", Body: fmt.Sprintf("Bình luận số %d", i+1),
			Status: db.CommentApproved, IP: "192.0.2.1", CreatedAt: testNow.Add(time.Duration(i-n) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

// topLevel lists the bodies of the top-level comments in a list or fragment, in order.
func topLevel(doc *html.Node) []string {
	var out []string
	for _, li := range find(doc, byClass("comment")) {
		if strings.Contains(attr(li, "class"), "reply") {
			continue
		}
		if b := find(li, byClass("comment-body")); len(b) > 0 {
			out = append(out, text(b[0]))
		}
	}
	return out
}

// TestCommentThreadPaging: a long thread shows its newest 20, "Xem thêm bình luận" brings
// the next 20 in place (htmx) or as a page of its own (no JS), and bad paging input is a
// 400 in Vietnamese.
func TestCommentThreadPaging(t *testing.T) {
	s := newCommentSite(t, Config{})
	s.seedThread(t, 45)
	hx := http.Header{"Hx-Request": {"true"}}

	_, page := s.get(t, views.ArticlePath(s.art))
	doc := parse(t, page)
	got := topLevel(find(doc, byID("comment-list"))[0])
	if len(got) != 20 || got[0] != "Bình luận số 45" || got[19] != "Bình luận số 26" {
		t.Fatalf("first page: %d comments, %v", len(got), got)
	}
	if h := text(find(doc, byID("binh-luan-title"))[0]); h != "Bình luận (45)" {
		t.Errorf("heading %q", h)
	}
	more := find(doc, byClass("comment-more"))
	if len(more) != 1 || text(more[0]) != "Xem thêm bình luận" {
		t.Fatal("no 'Xem thêm bình luận'")
	}
	link := find(more[0], byTag("a"))[0]
	next := attr(link, "href")
	if next != commentPath(s.art.ID)+"?sap-xep=moi&trang=2" || attr(link, "data-hx-get") != next ||
		attr(link, "data-hx-target") != "closest li" || attr(link, "data-hx-swap") != "outerHTML" {
		t.Fatalf("more link %q", next)
	}

	// htmx: the next 20 and a new "more" item, as a fragment to put in place of the old one.
	resp, body := s.do(t, http.MethodGet, next, hx)
	frag := parse(t, body)
	got = topLevel(frag)
	if resp.StatusCode != 200 || strings.Contains(body, "<html") || len(got) != 20 || got[0] != "Bình luận số 25" {
		t.Fatalf("page 2: %d, %d comments %v", resp.StatusCode, len(got), got)
	}
	more = find(frag, byClass("comment-more"))
	if len(more) != 1 || attr(find(more[0], byTag("a"))[0], "href") != commentPath(s.art.ID)+"?sap-xep=moi&trang=3" {
		t.Fatal("page 2 has no link to page 3")
	}
	_, body = s.do(t, http.MethodGet, commentPath(s.art.ID)+"?sap-xep=moi&trang=3", hx)
	if got := topLevel(parse(t, body)); len(got) != 5 || got[4] != "Bình luận số 1" || strings.Contains(body, "comment-more") {
		t.Fatalf("last page: %v", got)
	}
	if resp, _ := s.do(t, http.MethodGet, commentPath(s.art.ID)+"?trang=4", hx); resp.StatusCode != 404 {
		t.Errorf("page past the end: %d", resp.StatusCode)
	}

	// Without JS the same URL is a page: the thread's page 2 with links both ways.
	resp, body = s.get(t, next)
	doc = parse(t, body)
	if resp.StatusCode != 200 || text(find(doc, byTag("h1"))[0]) != "Bình luận: "+s.art.Title {
		t.Fatalf("no-JS page 2: %d", resp.StatusCode)
	}
	if got := topLevel(doc); len(got) != 20 || got[0] != "Bình luận số 25" {
		t.Errorf("no-JS page 2: %v", got)
	}
	rel := map[string]string{}
	for _, a := range find(doc, byTag("a")) {
		if r := attr(a, "rel"); r == "prev" || r == "next" {
			rel[r] = attr(a, "href")
		}
	}
	if rel["prev"] != commentPath(s.art.ID)+"?sap-xep=moi&trang=1" || rel["next"] != commentPath(s.art.ID)+"?sap-xep=moi&trang=3" {
		t.Errorf("pager %v", rel)
	}
	if !strings.Contains(body, `<meta name="robots" content="noindex, follow">`) {
		t.Error("the paged comments page is indexable")
	}

	for _, bad := range []string{"?trang=0", "?trang=-1", "?trang=abc", "?trang=%2B2", "?trang=99999999",
		"?trang=1%27%20OR%201=1--", "?sap-xep=%3Cscript%3E", "?sap-xep=c%C5%A9", "?sap-xep=../../etc/passwd"} {
		for _, h := range []http.Header{nil, hx} {
			resp, body := s.do(t, http.MethodGet, commentPath(s.art.ID)+bad, h)
			if resp.StatusCode != http.StatusBadRequest || !(strings.Contains(body, msgBadCommentPage) || strings.Contains(body, msgBadCommentSort)) {
				t.Errorf("%s (htmx %v): %d", bad, h != nil, resp.StatusCode)
			}
			if strings.Contains(body, "<script>") {
				t.Errorf("%s reflected", bad)
			}
		}
	}
}

// TestCommentThreadSortAndReplies: "Thích nhiều nhất" orders by likes; replies and the
// newsroom's answer stay under their comment on every page and in every order.
func TestCommentThreadSortAndReplies(t *testing.T) {
	s := newCommentSite(t, Config{})
	ctx := context.Background()
	ids := s.seedThread(t, 25)
	// Comment 3 gets three likes from three readers, comment 10 one.
	for i, reader := range []string{"A", "B", "C"} {
		if _, err := s.app.DB.LikeComment(ctx, ids[2], strings.Repeat(reader, 26), fmt.Sprintf("198.51.100.%d", i), likesPerAddress, testNow); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.app.DB.LikeComment(ctx, ids[9], strings.Repeat("A", 26), "198.51.100.1", likesPerAddress, testNow); err != nil {
		t.Fatal(err)
	}
	reply, err := s.app.DB.InsertComment(ctx, db.Comment{ArticleID: s.art.ID, ParentID: ids[2], Name: "Trần Văn Bình",
		Title: "Trả lời", Body: "Tôi cũng thấy vậy", Status: db.CommentApproved, CreatedAt: testNow})
	if err != nil {
		t.Fatal(err)
	}
	staffID, err := s.app.DB.CreateUser(ctx, db.Actor{}, testNow, db.NewUser{Name: "bientap", DisplayName: "Biên tập",
		Role: db.RoleEditor, Password: "mật khẩu dài đủ 12"})
	if err != nil {
		t.Fatal(err)
	}
	staff, err := s.app.DB.PostStaffReply(ctx, db.Actor{UserID: staffID, UserName: "admin"}, reply, "Cổng thông tin huyện", "Cảm ơn bạn, huyện đã ghi nhận.", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if staff.ParentID != ids[2] {
		t.Errorf("newsroom reply to a reply hangs under %d, want the thread's comment %d", staff.ParentID, ids[2])
	}
	hx := http.Header{"Hx-Request": {"true"}}
	_, body := s.do(t, http.MethodGet, commentPath(s.art.ID)+"?sap-xep=thich", hx)
	doc := parse(t, body)
	got := topLevel(doc)
	if len(got) != 20 || got[0] != "Bình luận số 3" || got[1] != "Bình luận số 10" || got[2] != "Bình luận số 25" {
		t.Fatalf("most liked order: %v", got)
	}
	if h := text(find(doc, byID("binh-luan-title"))[0]); h != "Bình luận (27)" {
		t.Errorf("heading %q", h)
	}
	thread := find(doc, byID(fmt.Sprintf("binh-luan-%d", ids[2])))[0]
	replies := find(thread, byClass("reply"))
	if len(replies) != 2 || !strings.Contains(text(replies[0]), "Tôi cũng thấy vậy") {
		t.Fatalf("replies under the comment: %d", len(replies))
	}
	if nr := replies[1]; !strings.Contains(attr(nr, "class"), "newsroom-reply") ||
		text(find(nr, byClass("newsroom-label"))[0]) != "Ban biên tập trả lời" || !strings.Contains(text(nr), "Cảm ơn bạn, huyện đã ghi nhận.") {
		t.Errorf("newsroom reply: %q", text(nr))
	}
	if like := find(thread, byClass("like-btn"))[0]; text(like) != "Thích · 3" {
		t.Errorf("like button %q", text(like))
	}
	// Newest order, no JS: comment 3 is on page 2, with its replies.
	_, body = s.get(t, commentPath(s.art.ID)+"?sap-xep=moi&trang=2")
	doc = parse(t, body)
	if th := find(doc, byID(fmt.Sprintf("binh-luan-%d", ids[2]))); len(th) != 1 || len(find(th[0], byClass("reply"))) != 2 {
		t.Error("replies not attached on page 2")
	}
	if len(find(doc, byID(fmt.Sprintf("binh-luan-%d", reply)))) != 1 {
		t.Error("reply missing")
	}
}
