package handlers

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"toasoan/db"
	"toasoan/internal/antispam"
	"toasoan/internal/httpcache"
	"toasoan/internal/metrics"
	"toasoan/views"
)

// Limits of the reader conversation.
const (
	commentsPerPage  = 20     // top-level comments per page of a thread
	maxCommentPage   = 10_000 // pages beyond this are refused before any query
	likesPerAddress  = 3      // likes one address can give one comment (a family or office shares one)
	likesPerMinute   = 30     // likes a minute per address
	readerCookie     = "toasoan_doc_gia"
	readerCookieLife = 365 * 24 * 3600
)

// Vietnamese messages of threads and likes.
const (
	msgBadCommentPage = "Số trang bình luận không hợp lệ."
	msgBadCommentSort = "Cách sắp xếp bình luận không hợp lệ."
	msgNoCommentPage  = "Không có trang bình luận này."
	msgNotReplyable   = "Bình luận này không còn để trả lời."
	msgLikeRate       = "Bạn bấm thích quá nhiều trong thời gian ngắn. Vui lòng thử lại sau ít phút."
	msgNoComment      = "Không tìm thấy bình luận này."
)

// commentThread loads one page of an article's thread in an order, with the count and
// version the list's heading and poll need.
func (a *App) commentThread(ctx context.Context, art db.Article, sort string, page int) (commentList, error) {
	tp, err := a.DB.CommentThreads(ctx, art.ID, sort, (page-1)*commentsPerPage, commentsPerPage)
	if err != nil {
		return commentList{}, err
	}
	version, total, err := a.DB.CommentListState(ctx, art.ID)
	if err != nil {
		return commentList{}, err
	}
	return commentList{ArticleID: art.ID, Threads: tp.Threads, More: tp.More, Total: total,
		Sort: sort, Page: page, Version: version, Closed: art.CommentsClosed}, nil
}

// threadQuery reads ?sap-xep= and ?trang= of a thread URL; both are optional.
func threadQuery(r *http.Request) (sort string, page int, given bool, err error) {
	q := r.URL.Query()
	sort, page = db.SortNewest, 1
	if s, ok := q["sap-xep"]; ok {
		given = true
		if !db.ValidCommentSort(s[0]) {
			return "", 0, true, errBadRequest(msgBadCommentSort)
		}
		sort = s[0]
	}
	if p, ok := q["trang"]; ok {
		given = true
		n, err := strconv.Atoi(p[0])
		if err != nil || n < 1 || n > maxCommentPage || strings.HasPrefix(p[0], "+") {
			return "", 0, true, errBadRequest(msgBadCommentPage)
		}
		page = n
	}
	return sort, page, given, nil
}

// commentListFragment serves a thread URL. htmx: the poll (?v=: 204 when the version the
// page has is current, 304 for a matching ETag), the list in another order (page 1), or
// the next page's items to append in place of "Xem thêm bình luận". Without htmx: the
// thread's own paged page, or the article when no page was asked for (or a poll URL).
// Page 1 in each order is served from the page cache, like the article page, and retired
// with it when the article's comments change.
func (a *App) commentListFragment(w http.ResponseWriter, r *http.Request) error {
	sort, page, given, err := threadQuery(r)
	if err != nil {
		return err
	}
	_, poll := r.URL.Query()["v"]
	if !isHTMX(r) {
		art, err := a.commentArticle(r)
		if err != nil {
			return err
		}
		if !given || poll {
			http.Redirect(w, r, views.ArticlePath(art)+"#binh-luan", http.StatusSeeOther)
			return nil
		}
		return a.cachedThreadPart(w, r, "page", sort, page, func(w http.ResponseWriter, r *http.Request) error {
			tagComments(w, art.ID)
			return a.commentsPage(w, r, art, sort, page)
		})
	}
	if page > 1 && !poll {
		return a.cachedThreadPart(w, r, "items", sort, page, func(w http.ResponseWriter, r *http.Request) error {
			return a.renderCommentItems(w, r, sort, page)
		})
	}
	if a.Pages == nil {
		return a.commentListUncached(w, r, sort)
	}
	// The key names the order alone: v only decides between 204 and the list, so made-up
	// versions cannot fill the cache, and there are two orders.
	p, err := a.cachedPage(r, a.Pages, metrics.CachePages, r.URL.Path+"?sap-xep="+sort, func(w http.ResponseWriter, r *http.Request) error {
		return a.renderCommentList(w, r, sort)
	})
	if err != nil {
		return err
	}
	if p.Status == http.StatusOK && p.Ready != nil && p.Version != "" && r.URL.Query().Get("v") == p.Version {
		w = unbuffered(w)
		h := w.Header()
		for _, k := range []string{"Etag", "Cache-Control", "Vary"} {
			h[k] = p.Ready[k]
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	a.servePage(w, r, p)
	return nil
}

// cachedThreadPart serves a later page of a thread (the "Xem thêm" items for htmx, the
// no-JS page) from the page cache, tagged with its article like the first page: a
// crawler walking every ?trang= of a long thread reads stored bytes, and a comment change
// retires them with the article. part keeps the two shapes apart.
func (a *App) cachedThreadPart(w http.ResponseWriter, r *http.Request, part, sort string, page int, render handlerFunc) error {
	if a.Pages == nil {
		return render(w, r)
	}
	key := r.URL.Path + "?sap-xep=" + sort + "&trang=" + strconv.Itoa(page) + "\x00" + part
	return a.serveCached(w, r, a.Pages, metrics.CachePages, key, render)
}

// renderCommentList renders page 1 of an article's thread in one order as the list
// fragment.
func (a *App) renderCommentList(w http.ResponseWriter, r *http.Request, sort string) error {
	art, err := a.commentArticle(r)
	if err != nil {
		return err
	}
	tagComments(w, art.ID)
	list, err := a.commentThread(r.Context(), art, sort, 1)
	if err != nil {
		return err
	}
	setPageVersion(w, list.Version)
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", hxRequest)
	return a.renderFragment(w, http.StatusOK, "article", "comment-list", list)
}

// renderCommentItems renders a later page of a thread: the items to put in place of the
// "Xem thêm bình luận" item, with the next one.
func (a *App) renderCommentItems(w http.ResponseWriter, r *http.Request, sort string, page int) error {
	art, err := a.commentArticle(r)
	if err != nil {
		return err
	}
	tagComments(w, art.ID)
	list, err := a.commentThread(r.Context(), art, sort, page)
	if err != nil {
		return err
	}
	if len(list.Threads) == 0 {
		return &Error{Status: http.StatusNotFound, Message: msgNoCommentPage}
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", hxRequest)
	return a.renderFragment(w, http.StatusOK, "article", "comment-items", list)
}

// commentListUncached answers the poll and the order links without the page cache (the
// cache turned off): the version is read from the database on every request.
func (a *App) commentListUncached(w http.ResponseWriter, r *http.Request, sort string) error {
	art, err := a.commentArticle(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	version, err := a.DB.CommentListVersion(ctx, art.ID)
	if err != nil {
		return err
	}
	etag := `"c` + sort + "-" + version + `"`
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", hxRequest)
	h.Set("ETag", etag)
	if r.URL.Query().Get("v") == version {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if httpcache.Match(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	list, err := a.commentThread(ctx, art, sort, 1)
	if err != nil {
		return err
	}
	return a.renderFragment(w, http.StatusOK, "article", "comment-list", list)
}

// commentsPageData is the no-JS page of a thread.
type commentsPageData struct {
	Article db.Article
	List    commentList
}

// commentsPage is one page of a thread as a page of its own, for readers without
// JavaScript ("Xem thêm bình luận" and the order links lead here).
func (a *App) commentsPage(w http.ResponseWriter, r *http.Request, art db.Article, sort string, page int) error {
	list, err := a.commentThread(r.Context(), art, sort, page)
	if err != nil {
		return err
	}
	if page > 1 && len(list.Threads) == 0 {
		return &Error{Status: http.StatusNotFound, Message: msgNoCommentPage}
	}
	list.Standalone = true
	p := a.newPage(r, "Bình luận: "+art.Title)
	p.Section = art.CategorySlug
	p.Meta.Robots = "noindex, follow" // the article is the page to index; this repeats its comments
	if err := a.withNav(r, &p); err != nil {
		return err
	}
	p.Main = commentsPageData{Article: art, List: list}
	w.Header().Set("Cache-Control", "no-cache")
	return a.render(w, http.StatusOK, "comments", p)
}

// replyPageData is the no-JS page with a reply form.
type replyPageData struct {
	Article db.Article
	Parent  db.Comment
	Form    commentForm
}

// replyTarget reads the comment a reply route or form names.
func (a *App) replyTarget(ctx context.Context, art db.Article, ref string) (db.Comment, error) {
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id < 1 || strconv.FormatInt(id, 10) != ref {
		return db.Comment{}, db.ErrNotReplyable
	}
	return a.DB.ReplyTarget(ctx, art.ID, id)
}

// replyForm opens the reply form under a comment: in place for htmx, as a page of its own
// without JavaScript. Each carries its own captcha and token, so it is never cached.
func (a *App) replyForm(w http.ResponseWriter, r *http.Request) error {
	art, err := a.commentArticle(r)
	if err != nil {
		return err
	}
	if art.CommentsClosed {
		return &Error{Status: http.StatusForbidden, Message: msgCommentsClosed}
	}
	parent, err := a.replyTarget(r.Context(), art, r.PathValue("cid"))
	if errors.Is(err, db.ErrNotReplyable) {
		return &Error{Status: http.StatusNotFound, Message: msgNotReplyable}
	}
	if err != nil {
		return err
	}
	f := commentForm{ArticleID: art.ID, ArticlePath: views.ArticlePath(art), ParentID: parent.ID, ReplyTo: parent.Name}
	if err := a.refreshFormSecrets(r, &f); err != nil {
		return a.captchaRefused(w, r, err)
	}
	f.Errors = map[string]string{}
	w.Header().Set("Cache-Control", "no-store")
	if isHTMX(r) {
		return a.renderFragment(w, http.StatusOK, "article", "reply-form", f)
	}
	return a.replyPage(w, r, art, parent, f, http.StatusOK)
}

func (a *App) replyPage(w http.ResponseWriter, r *http.Request, art db.Article, parent db.Comment, f commentForm, status int) error {
	p := a.newPage(r, "Trả lời bình luận: "+art.Title)
	p.Section = art.CategorySlug
	p.Meta.Robots = "noindex, nofollow"
	if err := a.withNav(r, &p); err != nil {
		return err
	}
	p.Main = replyPageData{Article: art, Parent: parent, Form: f}
	w.Header().Set("Cache-Control", "no-store")
	return a.render(w, status, "comment_reply", p)
}

// readerID is the reader's random id from the reader cookie, set when missing: it is
// what makes a like "one per reader" without an account.
func readerID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(readerCookie); err == nil && validReaderID(c.Value) {
		return c.Value
	}
	id := rand.Text()
	http.SetCookie(w, &http.Cookie{Name: readerCookie, Value: id, Path: "/", MaxAge: readerCookieLife,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return id
}

func validReaderID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := range len(s) {
		if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", rune(s[i])) {
			return false
		}
	}
	return true
}

// likeComment takes a reader's "Thích": counted once per reader (cookie) and at most
// likesPerAddress times per address, rate limited per address, so it cannot flood writes.
// htmx gets the button with the new count; without JS it is a 303 back to the comment.
func (a *App) likeComment(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 || strconv.FormatInt(id, 10) != r.PathValue("id") {
		return &Error{Status: http.StatusNotFound, Message: msgNoComment}
	}
	ip := antispam.ClientIP(r, a.Config.TrustedProxies)
	if !a.comments.likes.Allow(ip) {
		return &Error{Status: http.StatusTooManyRequests, Message: msgLikeRate}
	}
	res, err := a.DB.LikeComment(r.Context(), id, readerID(w, r), ip, likesPerAddress, a.Now())
	if errors.Is(err, db.ErrNotFound) {
		return &Error{Status: http.StatusNotFound, Message: msgNoComment}
	}
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	if isHTMX(r) {
		return a.renderFragment(w, http.StatusOK, "article", "like-form",
			views.Like{Action: views.LikePath(id), Count: res.Count, Liked: true})
	}
	art, err := a.DB.PublicArticle(r.Context(), res.ArticleID, a.Now())
	if err != nil {
		return err
	}
	http.Redirect(w, r, views.ArticlePath(art)+"#binh-luan-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}
