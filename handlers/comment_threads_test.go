package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
	t.Parallel()
	s := newCommentSite(t, Config{})
	ids := s.seedThread(t, 45)
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

	// Later pages come from the page cache (a crawler walking ?trang= of a long thread
	// renders nothing), and a comment change retires them with the article.
	hits, renders := s.app.Pages.Stats()
	s.do(t, http.MethodGet, next, hx)
	s.get(t, next)
	if h, r := s.app.Pages.Stats(); h != hits+2 || r != renders {
		t.Errorf("page 2 read twice more: %d cache hits, %d renders", h-hits, r-renders)
	}
	if _, err := s.app.DB.ModerateComments(context.Background(), db.Actor{UserName: "bientap"}, testNow,
		[]int64{ids[24]}, db.CommentDeleted); err != nil {
		t.Fatal(err)
	}
	for _, h := range []http.Header{hx, nil} {
		if _, body := s.do(t, http.MethodGet, next, h); slices.Contains(topLevel(parse(t, body)), "Bình luận số 25") {
			t.Errorf("page 2 (htmx %v) still shows a comment deleted by a moderator", h != nil)
		}
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
	t.Parallel()
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
	if like := find(thread, byClass("like-btn"))[0]; text(like) != "Thích · 3 lượt thích" {
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

// TestCommentReplies: "Trả lời" opens the same form in place (htmx) or on a page of its
// own (no JS); the reply is moderated like any comment, goes through the same captcha and
// fill time, and hangs one level deep under its comment.
func TestCommentReplies(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	ids := s.seedThread(t, 3)
	hx := http.Header{"Hx-Request": {"true"}}
	_, page := s.get(t, views.ArticlePath(s.art))
	th := find(parse(t, page), byID(fmt.Sprintf("binh-luan-%d", ids[2])))[0]
	link := find(th, byClass("reply-link"))
	want := fmt.Sprintf("%s/%d/tra-loi", commentPath(s.art.ID), ids[2])
	if len(link) != 1 || attr(link[0], "href") != want || attr(link[0], "data-hx-get") != want ||
		attr(link[0], "data-hx-target") != fmt.Sprintf("#tra-loi-%d", ids[2]) || len(find(th, byID(fmt.Sprintf("tra-loi-%d", ids[2])))) != 1 {
		t.Fatalf("no reply link opening in place: %v", link)
	}
	// htmx: the form fragment, with its own ids, the parent, a captcha and a token.
	resp, body := s.do(t, http.MethodGet, want, hx)
	doc := parse(t, body)
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" || strings.Contains(body, "<html") {
		t.Fatalf("reply form: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if inputValue(t, doc, "parent") != fmt.Sprint(ids[2]) || len(find(doc, byID(fmt.Sprintf("r%d-name", ids[2])))) != 1 ||
		len(find(doc, byID("c-name"))) != 0 || !strings.Contains(body, "Trả lời Bạn đọc 3") {
		t.Fatalf("reply form fields: %s", body)
	}
	secrets := s.formSecrets(t, doc)
	// Too fast and no captcha: refused like the article's form.
	v := validComment(url.Values{"started": {secrets.Get("started")}, "captcha_id": {secrets.Get("captcha_id")}})
	v.Set("parent", fmt.Sprint(ids[2]))
	resp, body = s.post(t, s.art.ID, v, true, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(parse(t, body), "captcha") == "" {
		t.Fatalf("reply without captcha: %d", resp.StatusCode)
	}
	if !strings.Contains(body, fmt.Sprintf(`id="comment-status-%d"`, ids[2])) {
		t.Error("the refused reply's status does not target its own form")
	}
	secrets = s.formSecrets(t, parse(t, body))
	s.clock.Advance(5 * time.Second)
	v = validComment(secrets)
	v.Set("parent", fmt.Sprint(ids[2]))
	v.Set("content", "Tôi trả lời bạn đọc 3")
	resp, body = s.post(t, s.art.ID, v, true, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, msgCommentPending) {
		t.Fatalf("reply: %d %s", resp.StatusCode, body)
	}
	var parent int64
	var status string
	if err := s.app.DB.Reader().QueryRow(`SELECT parent_id, status FROM comments WHERE body = ?`, "Tôi trả lời bạn đọc 3").Scan(&parent, &status); err != nil {
		t.Fatal(err)
	}
	if parent != ids[2] || status != db.CommentPending {
		t.Fatalf("stored reply: parent %d, %s", parent, status)
	}

	// No JS: the reply page with the parent and the form; a post comes back to the article.
	resp, body = s.get(t, want)
	doc = parse(t, body)
	if resp.StatusCode != 200 || text(find(doc, byTag("h1"))[0]) != "Trả lời bình luận" || !strings.Contains(text(doc), "Bạn đọc 3") {
		t.Fatalf("no-JS reply page: %d", resp.StatusCode)
	}
	secrets = s.formSecrets(t, doc)
	s.clock.Advance(5 * time.Second)
	v = validComment(secrets)
	v.Set("parent", fmt.Sprint(ids[0]))
	v.Set("content", "Trả lời không cần JavaScript")
	if resp, _ := s.post(t, s.art.ID, v, false, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("no-JS reply: %d", resp.StatusCode)
	}
	// Invalid without JS: the reply page again with the error, 422.
	v.Set("name", "")
	resp, body = s.post(t, s.art.ID, v, false, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || text(find(parse(t, body), byTag("h1"))[0]) != "Trả lời bình luận" {
		t.Errorf("invalid no-JS reply: %d", resp.StatusCode)
	}

	// A reply to a reply hangs under the thread's comment (one level).
	reply, err := s.app.DB.InsertComment(context.Background(), db.Comment{ArticleID: s.art.ID, ParentID: ids[1], Name: "A",
		Title: "B", Body: "Trả lời đã duyệt", Status: db.CommentApproved, CreatedAt: testNow})
	if err != nil {
		t.Fatal(err)
	}
	_, body = s.do(t, http.MethodGet, fmt.Sprintf("%s/%d/tra-loi", commentPath(s.art.ID), reply), hx)
	if inputValue(t, parse(t, body), "parent") != fmt.Sprint(ids[1]) {
		t.Error("reply to a reply is not attached to the top-level comment")
	}

	// Wrong parents: missing, pending, of another article, not a number, SQL, traversal.
	pending := must(s.app.DB.InsertComment(context.Background(), db.Comment{ArticleID: s.art.ID, Name: "P", Title: "P",
		Body: "chờ", Status: db.CommentPending, CreatedAt: testNow}))
	other := must(s.app.DB.InsertComment(context.Background(), db.Comment{ArticleID: s.art.ID + 1, Name: "O", Title: "O",
		Body: "khác", Status: db.CommentApproved, CreatedAt: testNow}))
	for _, bad := range []string{"999999", fmt.Sprint(pending), fmt.Sprint(other), "abc", "0", "-1", "1%20OR%201=1", "..%2F..%2Fetc"} {
		resp, body := s.do(t, http.MethodGet, commentPath(s.art.ID)+"/"+bad+"/tra-loi", hx)
		if resp.StatusCode != 404 || !strings.Contains(body, msgNotReplyable) && !strings.Contains(body, "không") {
			t.Errorf("reply form for %q: %d", bad, resp.StatusCode)
		}
		secrets := s.openForm(t)
		v := validComment(secrets)
		v.Set("parent", bad)
		v.Set("content", "Trả lời sai "+bad)
		if resp, _ := s.post(t, s.art.ID, v, true, nil); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("post with parent %q: %d", bad, resp.StatusCode)
		}
	}
	stray := s.queryInt(t, `SELECT count(*) FROM comments WHERE body LIKE 'Trả lời sai%'`)
	if stray != 0 {
		t.Errorf("%d replies to wrong parents stored", stray)
	}
}

// TestCommentLikes: "Thích" counts one per reader (cookie) and a few per address, swaps
// in place with htmx, works as a plain form without JS, and cannot flood writes.
func TestCommentLikes(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	ids := s.seedThread(t, 2)
	like := func(id string, cookie *http.Cookie, htmx bool, ip string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/binh-luan/"+id+"/thich", nil)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if htmx {
			req.Header.Set("HX-Request", "true")
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		if ip != "" {
			req.Header.Set("X-Forwarded-For", ip)
		}
		return s.send(t, req)
	}
	id := fmt.Sprint(ids[0])
	_, page := s.get(t, views.ArticlePath(s.art))
	form := find(find(parse(t, page), byID("binh-luan-"+id))[0], byClass("like-form"))
	if len(form) != 1 || attr(form[0], "action") != "/binh-luan/"+id+"/thich" || attr(form[0], "method") != "post" ||
		attr(form[0], "data-hx-post") != "/binh-luan/"+id+"/thich" {
		t.Fatal("no like form")
	}
	resp, body := like(id, nil, true, "")
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == readerCookie {
			cookie = c
		}
	}
	if resp.StatusCode != 200 || cookie == nil || !cookie.HttpOnly || strings.Contains(body, "<html") {
		t.Fatalf("like: %d, cookie %v", resp.StatusCode, cookie)
	}
	if b := find(parse(t, body), byClass("like-btn")); len(b) != 1 || text(b[0]) != "Đã thích · 1 lượt thích" || attr(b[0], "aria-pressed") != "true" {
		t.Fatalf("like answer: %s", body)
	}
	// The same reader again: no second like.
	if _, body := like(id, cookie, true, ""); text(parse(t, body)) != "Đã thích · 1 lượt thích" {
		t.Errorf("second like by the same reader: %s", body)
	}
	// New cookies from one address: at most likesPerAddress in all.
	for range 5 {
		like(id, nil, true, "")
	}
	n := s.queryInt(t, `SELECT like_count FROM comments WHERE id = ?`, ids[0])
	if n != likesPerAddress {
		t.Errorf("%d likes from one address, want %d", n, likesPerAddress)
	}
	// Without JS: a 303 back to the comment on the article.
	resp, _ = like(fmt.Sprint(ids[1]), nil, false, "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != views.ArticlePath(s.art)+"#binh-luan-"+fmt.Sprint(ids[1]) {
		t.Errorf("no-JS like: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Bad ids and a pending comment: 404; a forged cookie is replaced, not stored.
	pending := must(s.app.DB.InsertComment(context.Background(), db.Comment{ArticleID: s.art.ID, Name: "P", Title: "P",
		Body: "chờ", Status: db.CommentPending, CreatedAt: testNow}))
	for _, bad := range []string{"999999", fmt.Sprint(pending), "abc", "0", "-5", "1%27--"} {
		if resp, _ := like(bad, nil, true, ""); resp.StatusCode != 404 {
			t.Errorf("like %q: %d", bad, resp.StatusCode)
		}
	}
	resp, _ = like(fmt.Sprint(ids[1]), &http.Cookie{Name: readerCookie, Value: "<script>x</script>' OR 1=1"}, true, "")
	stored := s.queryInt(t, `SELECT count(*) FROM comment_likes WHERE reader LIKE '%script%' OR reader LIKE '%''%'`)
	if resp.StatusCode != 200 || stored != 0 {
		t.Errorf("forged cookie: %d, %d stored", resp.StatusCode, stored)
	}
	// Cross-site posts are refused.
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/binh-luan/"+id+"/thich", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, _ := s.send(t, req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site like: %d", resp.StatusCode)
	}
	// A flood from one address is cut at likesPerMinute presses a minute, 429.
	limited := 0
	for range likesPerMinute + 5 {
		if resp, _ := like(id, nil, true, ""); resp.StatusCode == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Error("a like flood is never limited")
	}
}

// TestCaptchaAudio: the captcha is also a WAV, labelled in Vietnamese.
func TestCaptchaAudio(t *testing.T) {
	t.Parallel()
	s := newCommentSite(t, Config{})
	_, page := s.get(t, views.ArticlePath(s.art)+"?binh-luan=viet")
	doc := parse(t, page)
	id := inputValue(t, doc, "captcha_id")
	a := find(doc, byClass("captcha-audio"))
	if len(a) != 1 || !strings.HasPrefix(text(a[0]), "Nghe mã xác nhận") {
		t.Fatal("no audio link")
	}
	resp, wav := s.get(t, "/ma-bao-mat/"+id+"/am-thanh")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "audio/wav" || !strings.HasPrefix(wav, "RIFF") ||
		!strings.Contains(wav[:16], "WAVE") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("audio: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Listening does not use the challenge up: the image is still there.
	if resp, _ := s.get(t, "/ma-bao-mat/"+id); resp.StatusCode != 200 {
		t.Error("listening used the captcha up")
	}
	for _, bad := range []string{"AAAAAAAAAAAAAAAAAAAA", "x", "..%2F..%2Fetc"} {
		if resp, _ := s.get(t, "/ma-bao-mat/"+bad+"/am-thanh"); resp.StatusCode != 404 {
			t.Errorf("audio %q: %d", bad, resp.StatusCode)
		}
	}
}

// TestNewsroomReply: an editor answers a reader's comment from the moderation queue; the
// answer shows under it as "Ban biên tập trả lời" in the page, in the list fragment htmx
// swaps, and without JS.
func TestNewsroomReply(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	art := s.article(t, 1)
	c := s.pendingComment(t, art.ID, "Lê Thị Cúc", "Hỏi về thủ tục hồ sơ đất đai")
	path := "/admin/binh-luan/" + fmt.Sprint(c) + "/tra-loi"
	// Not approved yet: refused.
	if resp, _ := editor.post(path, url.Values{"body": {"Trả lời sớm"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("reply to a pending comment: %d", resp.StatusCode)
	}
	editor.htmx("/admin/binh-luan/"+fmt.Sprint(c)+"/duyet", url.Values{})
	_, queue := editor.get("/admin/binh-luan?status=approved")
	row := find(parse(t, queue), byID("comment-"+fmt.Sprint(c)))
	if len(row) != 1 || len(find(row[0], func(n *html.Node) bool { return n.Data == "form" && attr(n, "action") == path })) != 1 {
		t.Fatal("no reply form in the moderation row")
	}
	for _, bad := range []string{"", "   ", strings.Repeat("a", maxStaffReply+1)} {
		if resp, _ := editor.post(path, url.Values{"body": {bad}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("reply %d chars: %d", len(bad), resp.StatusCode)
		}
	}
	resp, frag := editor.htmx(path, url.Values{"body": {"Chào bạn <b>Cúc</b>,\nhồ sơ nộp tại bộ phận một cửa UBND huyện."}})
	if resp.StatusCode != 200 || !strings.Contains(frag, "comment-"+fmt.Sprint(c)) {
		t.Fatalf("htmx reply: %d", resp.StatusCode)
	}
	if resp, _ := editor.post(path, url.Values{"body": {"Bổ sung: mang theo CCCD."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("no-JS reply: %d", resp.StatusCode)
	}
	// Others cannot: an author, a reader, a cross-site post.
	if resp, _ := s.loginAs(t, db.RoleAuthor).post(path, url.Values{"body": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author reply: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader("body=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, _ := s.send(t, req); resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous reply: %d", resp.StatusCode)
	}
	check := func(what, body string) {
		t.Helper()
		th := find(parse(t, body), byID("binh-luan-"+fmt.Sprint(c)))
		if len(th) != 1 {
			t.Fatalf("%s: no comment", what)
		}
		nr := find(th[0], byClass("newsroom-reply"))
		if len(nr) != 2 || text(find(nr[0], byClass("newsroom-label"))[0]) != "Ban biên tập trả lời" {
			t.Fatalf("%s: %d newsroom replies", what, len(nr))
		}
		if body := text(find(nr[0], byClass("comment-body"))[0]); body != "Chào bạn Cúc, hồ sơ nộp tại bộ phận một cửa UBND huyện." {
			t.Errorf("%s: reply text %q", what, body)
		}
	}
	_, page := s.get(t, views.ArticlePath(art))
	check("article page", page)
	_, frag = s.do(t, http.MethodGet, commentPath(art.ID)+"?sap-xep=moi", http.Header{"Hx-Request": {"true"}})
	check("htmx list", frag)
	_, page = s.get(t, commentPath(art.ID)+"?sap-xep=thich&trang=1")
	check("no-JS comments page", page)
	audited := s.queryInt(t, `SELECT count(*) FROM audit_log WHERE action = 'comment.reply'`)
	if audited != 2 {
		t.Errorf("%d audit entries", audited)
	}
}
