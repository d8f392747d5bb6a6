package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"toasoan/db"
	"toasoan/internal/antispam"
	"toasoan/internal/sanitize"
	"toasoan/internal/vntext"
	"toasoan/views"
)

// Limits of the comment form, in characters (vntext.CharCount) unless said otherwise.
const (
	maxCommentName     = 100
	maxCommentTitle    = 200
	minCommentContent  = 2
	maxCommentContent  = 5000
	maxCommentLinks    = 2   // links in title and content together
	maxUserAgent       = 400 // stored for moderators, cut beyond this
	maxCommentBody     = 128 << 10
	commentMinFill     = 3 * time.Second // default: posts sooner after the form was served are refused
	commentTokenMaxAge = 24 * time.Hour
	duplicateWindow    = 24 * time.Hour
	captchaKeep        = 50_000 // live captchas kept at most (each row is under 100 bytes)
	rateLimiterKeys    = 20_000 // addresses whose rate is tracked at most
	commentPollSeconds = 60
)

// Moderation modes: the site setting db.SettingCommentModeration and the -moderation flag.
const (
	ModerationAll       = "true"       // every comment waits for a moderator
	ModerationOff       = "false"      // comments are published at once
	ModerationFirstTime = "first-time" // published at once when the same name and phone had one approved
)

// ValidModeration reports whether s is a moderation mode.
func ValidModeration(s string) bool {
	return s == ModerationAll || s == ModerationOff || s == ModerationFirstTime
}

// Vietnamese messages of the comment form.
const (
	msgCommentPending   = "Cảm ơn bạn. Bình luận sẽ hiển thị sau khi được duyệt."
	msgCommentPublished = "Cảm ơn bạn. Bình luận của bạn đã được đăng."
	msgCommentFix       = "Bình luận chưa được gửi. Vui lòng sửa các mục được đánh dấu bên dưới."
	msgTooFast          = "Bạn gửi nhanh quá. Vui lòng đọc lại bình luận rồi gửi lại sau vài giây."
	msgFormExpired      = "Biểu mẫu đã hết hạn. Vui lòng nhập mã xác nhận mới và gửi lại."
	msgNeedCaptcha      = "Vui lòng nhập mã xác nhận bên dưới rồi gửi lại bình luận."
	msgDuplicate        = "Bình luận này đã được gửi trước đó."
	msgFormUsed         = "Biểu mẫu này đã được dùng để gửi một bình luận. Vui lòng gửi lại bằng biểu mẫu mới bên dưới."
	msgBlocked          = "Bạn không thể gửi bình luận trên trang này."
	msgRateLimited      = "Bạn gửi bình luận quá nhiều trong thời gian ngắn. Vui lòng thử lại sau ít phút."
	msgTooLarge         = "Bình luận quá dài, không thể gửi. Vui lòng rút gọn nội dung."
	msgCommentsClosed   = "Bài viết này đã đóng bình luận. Các bình luận đã đăng vẫn được giữ lại."
	msgCrossSite        = "Bình luận chỉ được gửi từ chính trang này. Vui lòng tải lại trang và thử lại."
	msgCaptchaLimited   = "Bạn đã lấy quá nhiều mã xác nhận trong thời gian ngắn. Vui lòng thử lại sau ít phút."
	msgCaptchaFull      = "Hệ thống đang bận, chưa thể cấp mã xác nhận. Vui lòng thử lại sau ít phút."
)

// commentKit holds what the comment path builds once: the rate limiter, the fill-time
// signer and the captcha service.
type commentKit struct {
	limiter *antispam.Limiter
	likes   *antispam.Limiter // "Thích" presses per address
	token   *antispam.FormToken
	captcha *antispam.Captcha
	cop     *http.CrossOriginProtection
}

// initComments builds the comment kit; the fill-time key is generated at first start
// and kept in the settings table, so tokens survive restarts.
func (a *App) initComments(ctx context.Context) error {
	secret, err := a.DB.InitSetting(ctx, db.SettingCommentFormSecret, randomToken(32))
	if err != nil {
		return err
	}
	clock := func() time.Time { return a.Now() }
	minFill := a.Config.CommentMinFill
	if minFill <= 0 {
		minFill = commentMinFill
	}
	k := &commentKit{
		limiter: antispam.NewLimiter(a.Config.CommentRate, rateLimiterKeys, clock),
		likes:   antispam.NewLimiter(likesPerMinute, rateLimiterKeys, clock),
		token:   antispam.NewFormToken([]byte(secret), minFill, commentTokenMaxAge),
		captcha: antispam.NewCaptcha(a.DB, clock, captchaKeep),
		cop:     http.NewCrossOriginProtection(),
	}
	k.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.renderError(w, r, http.StatusForbidden, msgCrossSite)
	}))
	a.comments = k
	return nil
}

// commentForm is the data of the comment form: what the reader typed, the errors beside
// each field, and the one-time values of this rendering (captcha, fill-time token).
type commentForm struct {
	ArticleID   int64
	ArticlePath string
	Name        string
	Phone       string
	Title       string
	Content     string
	CaptchaOn   bool
	CaptchaID   string
	Token       string
	Errors      map[string]string // by field name
	General     string            // an error about the whole form
	Notice      string            // the thank-you after a post
	// ParentID is the comment a reply form answers (0: the article's own form); ReplyTo
	// is that comment's author, for the form's heading.
	ParentID int64
	ReplyTo  string
	// Deferred: the one-time values (captcha, fill-time token) are not in the page but
	// fetched when the form scrolls into view, so the article page is the same bytes for
	// every reader and can be cached; readers without JavaScript follow NoJSURL instead.
	Deferred bool
}

// SecretsURL is where htmx fetches a deferred form's captcha and token.
func (f commentForm) SecretsURL() string { return commentPath(f.ArticleID) + "/bieu-mau" }

// NoJSURL is the article page with the form's one-time values inline, for readers
// without JavaScript.
func (f commentForm) NoJSURL() string { return f.ArticlePath + "?binh-luan=viet#viet-binh-luan" }

// Action is where the form posts.
func (f commentForm) Action() string { return commentPath(f.ArticleID) }

// captchaImagePrefix is where captcha images are served, /ma-bao-mat/{id}.
const captchaImagePrefix = "/ma-bao-mat/"

// CaptchaURL is the image of the form's captcha.
func (f commentForm) CaptchaURL() string { return captchaImagePrefix + f.CaptchaID }

// AudioURL is the same captcha read aloud (WAV).
func (f commentForm) AudioURL() string { return "/ma-bao-mat/" + f.CaptchaID + "/am-thanh" }

// RefreshURL swaps in a new captcha (htmx), or reloads the article (no JS).
func (f commentForm) RefreshURL() string {
	u := commentPath(f.ArticleID) + "/ma-bao-mat?cu=" + f.CaptchaID
	if f.ParentID != 0 {
		u += "&tra-loi=" + strconv.FormatInt(f.ParentID, 10)
	}
	return u
}

// FieldID is the id of a field: "c-name" in the article's form, "r42-name" in the reply
// form under comment 42, so a page can hold both.
func (f commentForm) FieldID(name string) string {
	if f.ParentID == 0 {
		return "c-" + name
	}
	return "r" + strconv.FormatInt(f.ParentID, 10) + "-" + name
}

// BlockID is the id of a part of the form ("comment-form", "comment-status",
// "captcha-box", "form-secrets"), suffixed by the answered comment in a reply form.
func (f commentForm) BlockID(name string) string {
	if f.ParentID == 0 {
		return name
	}
	return name + "-" + strconv.FormatInt(f.ParentID, 10)
}

// commentField is one labelled field of the form, for the "comment-field" template.
type commentField struct {
	ID, Name, Label, Value, Error string
	Required, Autofocus           bool
}

// Field describes the field name with its label, value and error.
func (f commentForm) Field(name, label string, required bool) commentField {
	v := map[string]string{"name": f.Name, "phone": f.Phone, "title": f.Title, "content": f.Content}[name]
	return commentField{ID: f.FieldID(name), Name: name, Label: label, Value: v, Error: f.Errors[name], Required: required,
		Autofocus: f.FirstError() == name}
}

// FirstError is the first field, in form order, with an error: it gets the focus, so
// keyboard and screen-reader users land on what to fix (htmx focuses [autofocus] after a
// swap; browsers do on load).
func (f commentForm) FirstError() string {
	for _, name := range []string{"name", "phone", "title", "content", "captcha"} {
		if f.Errors[name] != "" {
			return name
		}
	}
	return ""
}

// HasErrors reports whether the form was refused.
func (f commentForm) HasErrors() bool { return len(f.Errors) > 0 || f.General != "" }

func (f *commentForm) fail(field, msg string) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if _, ok := f.Errors[field]; !ok {
		f.Errors[field] = msg
	}
}

// commentList is the data of the approved comments block: one page of the thread in
// one order. The block polls for changes.
type commentList struct {
	ArticleID  int64
	Threads    []db.Thread
	Total      int    // approved comments, replies included (the heading's count)
	Sort       string // db.SortNewest or db.SortLiked
	Page       int    // 1-based page of top-level comments
	More       bool   // a next page exists
	Version    string
	OOB        bool // sent beside the form after a post that was published at once
	Standalone bool // on the no-JS comments page: paged with links instead of "Xem thêm"
	Closed     bool // the article takes no new comments: no "Trả lời"
}

// PollURL is what the list asks every minute; v lets the server answer 204 when
// nothing changed.
func (l commentList) PollURL() string { return l.pageURL(l.Sort, 1) + "&v=" + l.Version }

// PollTrigger is the htmx trigger of the poll.
func (l commentList) PollTrigger() string { return "every " + strconv.Itoa(commentPollSeconds) + "s" }

// SortURL is page 1 of the thread in another order.
func (l commentList) SortURL(sort string) string { return l.pageURL(sort, 1) }

// NextURL is the next page: htmx appends it in place, without JS it is a page of its own.
func (l commentList) NextURL() string { return l.pageURL(l.Sort, l.Page+1) }

// PrevURL is the previous page of the no-JS comments page.
func (l commentList) PrevURL() string { return l.pageURL(l.Sort, l.Page-1) }

// ReplyURL opens the reply form under a comment.
func (l commentList) ReplyURL(commentID int64) string {
	return commentPath(l.ArticleID) + "/" + strconv.FormatInt(commentID, 10) + "/tra-loi"
}

func (l commentList) pageURL(sort string, page int) string {
	return commentPath(l.ArticleID) + "?sap-xep=" + sort + "&trang=" + strconv.Itoa(page)
}

// commentSection is everything under an article about comments.
type commentSection struct {
	List   commentList
	Form   commentForm
	Closed bool // the article takes no new comments: no form
}

// commentPosted is the htmx answer to a post: the form again, the status line, and the
// list when the comment was published at once.
type commentPosted struct {
	Form commentForm
	List *commentList
}

func commentPath(articleID int64) string {
	return "/bai-viet/" + strconv.FormatInt(articleID, 10) + "/binh-luan"
}

// commentSection loads the list and, when form is nil, prepares an empty form (with the
// notice of a post that came back through a redirect).
func (a *App) commentSection(r *http.Request, art db.Article, form *commentForm) (commentSection, error) {
	ctx := r.Context()
	list, err := a.commentThread(ctx, art, db.SortNewest, 1)
	if err != nil {
		return commentSection{}, err
	}
	s := commentSection{List: list}
	if art.CommentsClosed {
		s.Closed = true
		s.Form = commentForm{ArticleID: art.ID, ArticlePath: views.ArticlePath(art), Deferred: true} // nothing one-time: cacheable
		return s, nil
	}
	if form != nil {
		s.Form = *form
		return s, nil
	}
	// The plain article URL is what everyone reads: it gets a deferred form and stays
	// cacheable. Any ?binh-luan= (the no-JS form link, the notice after a no-JS post)
	// gets the one-time values inline and must never be cached.
	notice, inline := r.URL.Query()["binh-luan"]
	if !inline {
		s.Form = commentForm{ArticleID: art.ID, ArticlePath: views.ArticlePath(art), CaptchaOn: a.captchaOn(ctx), Deferred: true}
		return s, nil
	}
	f, err := a.newCommentForm(r, art)
	if err != nil {
		return commentSection{}, err
	}
	switch notice[0] {
	case "cho-duyet":
		f.Notice = msgCommentPending
	case "da-dang":
		f.Notice = msgCommentPublished
	}
	s.Form = f
	return s, nil
}

// newCommentForm is an empty form with a fresh captcha and token.
func (a *App) newCommentForm(r *http.Request, art db.Article) (commentForm, error) {
	f := commentForm{ArticleID: art.ID, ArticlePath: views.ArticlePath(art)}
	return f, a.refreshFormSecrets(r, &f)
}

// refreshFormSecrets gives a form a new captcha and a new fill-time token: every
// rendering of the form gets its own, and a used captcha is gone.
func (a *App) refreshFormSecrets(r *http.Request, f *commentForm) error {
	ctx := r.Context()
	f.Token = a.comments.token.Issue(f.ArticleID, a.Now())
	f.CaptchaOn = a.captchaOn(ctx)
	if f.CaptchaOn {
		id, err := a.comments.captcha.New(ctx, antispam.ClientIP(r, a.Config.TrustedProxies))
		if err != nil {
			return captchaError(err)
		}
		f.CaptchaID = id
	}
	return nil
}

// captchaRefused answers a refused captcha (too many for the address, a full store):
// under htmx only the form's status line says so, so the form and the reader's text stay;
// without htmx it is the error page. Other errors pass through.
func (a *App) captchaRefused(w http.ResponseWriter, r *http.Request, err error) error {
	if e, ok := errors.AsType[*Error](err); ok {
		return a.commentStatusOnly(w, r, e.Status, e.Message, e)
	}
	return err
}

// captchaError turns the captcha service's refusals into answers for the reader.
func captchaError(err error) error {
	switch {
	case errors.Is(err, antispam.ErrCaptchaLimited):
		return &Error{Status: http.StatusTooManyRequests, Message: msgCaptchaLimited, Err: err}
	case errors.Is(err, db.ErrCaptchaFull):
		return &Error{Status: http.StatusServiceUnavailable, Message: msgCaptchaFull, Err: err}
	}
	return err
}

// commentArticle finds the published article a comment route is about, without its body
// (the one path that shows the whole article, a refused post without JS, reads it), from
// the heads kept for a second when it was read just before.
func (a *App) commentArticle(r *http.Request) (db.Article, error) {
	id, ok := parseArticleRef(r.PathValue("id"))
	if !ok || strconv.FormatInt(id, 10) != r.PathValue("id") {
		return db.Article{}, errNotFound()
	}
	art, gen, ok := a.heads.Get(id, a.Now())
	if ok {
		return art, nil
	}
	art, err := a.DB.PublicArticleHead(r.Context(), id, a.Now())
	if errors.Is(err, db.ErrNotFound) {
		return db.Article{}, errNotFound()
	} else if err != nil {
		return db.Article{}, err
	}
	a.heads.Put(id, art, gen, a.Now())
	return art, nil
}

// postComment takes a reader's comment. With htmx it answers with the form fragment
// (200 after a post, 422 with the errors); without, it redirects back to the article
// (303) or shows the whole page with the errors (422).
func (a *App) postComment(w http.ResponseWriter, r *http.Request) error {
	art, err := a.commentArticle(r)
	if err != nil {
		return err
	}
	if art.CommentsClosed {
		return a.commentStatusOnly(w, r, http.StatusForbidden, msgCommentsClosed, nil)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCommentBody)
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return a.commentStatusOnly(w, r, http.StatusRequestEntityTooLarge, msgTooLarge, err)
		}
		return errBadRequest("Dữ liệu gửi lên không hợp lệ.")
	}
	ctx := r.Context()
	ip := antispam.ClientIP(r, a.Config.TrustedProxies)
	f := a.readCommentForm(r, art)
	var parent db.Comment
	if ref := r.PostForm.Get("parent"); ref != "" {
		if parent, err = a.replyTarget(ctx, art, ref); errors.Is(err, db.ErrNotReplyable) {
			return &Error{Status: http.StatusUnprocessableEntity, Message: msgNotReplyable}
		} else if err != nil {
			return err
		}
		f.ParentID, f.ReplyTo = parent.ID, parent.Name
	}

	// A filled honeypot is a bot: it is told "thanks" and nothing is stored.
	if r.PostForm.Get("website") != "" {
		a.Log.Info("comment honeypot filled", "article", art.ID, "ip", ip)
		return a.commentAccepted(w, r, art, f, db.CommentPending)
	}
	if !a.comments.limiter.Allow(ip) {
		// The form stays as it is (its captcha unused), so the reader can retry.
		return a.commentStatusOnly(w, r, http.StatusTooManyRequests, msgRateLimited, nil)
	}
	// The fill-time verdict is told only about a form whose fields are right: an empty
	// form sent at once needs its field errors, not "too fast" above them.
	tokenMsg := ""
	started := r.PostForm.Get("started")
	switch err := a.comments.token.Check(started, art.ID, a.Now()); {
	case started == "":
		// No token: the form was sent before its captcha came (JavaScript off, or not
		// loaded yet). It comes back with a captcha and the reader's text, not "expired".
		tokenMsg = msgNeedCaptcha
	case errors.Is(err, antispam.ErrTokenTooFast):
		tokenMsg = msgTooFast
	case err != nil:
		tokenMsg = msgFormExpired
	}
	phone := a.validateCommentForm(&f)
	if tokenMsg != "" && len(f.Errors) == 0 {
		f.General = tokenMsg
	}
	if a.captchaOn(ctx) {
		// Checked (and used up) even when other fields are wrong: every answer costs a
		// challenge, so guessing needs a new image each time.
		answer := r.PostForm.Get("captcha")
		if strings.TrimSpace(answer) == "" {
			f.fail("captcha", "Vui lòng nhập mã xác nhận.")
		} else if ok, err := a.comments.captcha.Verify(ctx, r.PostForm.Get("captcha_id"), answer); err != nil {
			return err
		} else if !ok {
			f.fail("captcha", "Mã xác nhận không đúng hoặc đã hết hạn. Vui lòng nhập mã mới.")
		}
	}
	if !f.HasErrors() {
		blocked, err := a.DB.CommentBlocked(ctx, ip, phone, a.Now())
		if err != nil {
			return err
		}
		if blocked {
			a.Log.Info("comment from a blocked address or phone", "article", art.ID, "ip", ip)
			f.General = msgBlocked
		}
	}
	if f.HasErrors() {
		if f.General == "" {
			f.General = msgCommentFix
		}
		return a.commentRefused(w, r, art, f, http.StatusUnprocessableEntity)
	}

	mode, err := a.commentModeration(ctx)
	if err != nil {
		return err
	}
	now := a.Now()
	c := db.Comment{ArticleID: art.ID, ParentID: f.ParentID, Name: f.Name, Phone: phone, Title: f.Title, Body: f.Content,
		Status: db.CommentPending, IP: ip, UserAgent: cleanUserAgent(r.UserAgent()), CreatedAt: now}
	if mode == ModerationOff {
		c.Status = db.CommentApproved
	}
	c, err = a.DB.PostReaderComment(ctx, c, db.ReaderCommentOptions{
		DuplicateSince: now.Add(-duplicateWindow),
		ApproveKnown:   mode == ModerationFirstTime,
		// The token proves one form was filled: it is spent with the comment, in the
		// same transaction, and kept as long as it would have been accepted.
		FormToken:        antispam.TokenID(started),
		FormTokenExpires: now.Add(commentTokenMaxAge),
	})
	switch {
	case errors.Is(err, db.ErrDuplicateComment):
		f.General = msgDuplicate
		return a.commentRefused(w, r, art, f, http.StatusUnprocessableEntity)
	case errors.Is(err, db.ErrFormTokenUsed):
		f.General = msgFormUsed
		return a.commentRefused(w, r, art, f, http.StatusUnprocessableEntity)
	}
	if errors.Is(err, db.ErrCommentsClosed) { // closed while the reader was typing
		return a.commentStatusOnly(w, r, http.StatusForbidden, msgCommentsClosed, nil)
	}
	if errors.Is(err, db.ErrNotFound) { // withdrawn while the reader was typing
		return errNotFound()
	}
	if err != nil {
		return err
	}
	a.Metrics.CommentPosted()
	return a.commentAccepted(w, r, art, f, c.Status)
}

// commentAccepted answers a stored (or silently dropped) comment: an empty form with the
// thank-you for htmx, and the list too when the comment is already public; a 303 back
// to the article without JS.
func (a *App) commentAccepted(w http.ResponseWriter, r *http.Request, art db.Article, posted commentForm, status string) error {
	if !isHTMX(r) {
		state := "cho-duyet"
		if status == db.CommentApproved {
			state = "da-dang"
		}
		http.Redirect(w, r, views.ArticlePath(art)+"?binh-luan="+state+"#viet-binh-luan", http.StatusSeeOther)
		return nil
	}
	f, err := a.newCommentForm(r, art)
	if err != nil {
		return a.captchaRefused(w, r, err)
	}
	f.ParentID, f.ReplyTo = posted.ParentID, posted.ReplyTo
	f.Notice = msgCommentPending
	out := commentPosted{Form: f}
	if status == db.CommentApproved {
		f.Notice = msgCommentPublished
		out.Form = f
		sec, err := a.commentSection(r, art, &f)
		if err != nil {
			return err
		}
		sec.List.OOB = true
		out.List = &sec.List
	}
	w.Header().Set("Cache-Control", "no-store")
	return a.renderFragment(w, http.StatusOK, "article", "comment-posted", out)
}

// commentRefused shows the form again with its errors, what the reader typed, and a new
// captcha: the fragment for htmx, the whole article page without JS.
func (a *App) commentRefused(w http.ResponseWriter, r *http.Request, art db.Article, f commentForm, status int) error {
	f.Errors = nonNil(f.Errors)
	if err := a.refreshFormSecrets(r, &f); err != nil {
		return a.captchaRefused(w, r, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	if isHTMX(r) {
		return a.renderFragment(w, status, "article", "comment-posted", commentPosted{Form: f})
	}
	if f.ParentID != 0 {
		parent, err := a.DB.ReplyTarget(r.Context(), art.ID, f.ParentID)
		if err != nil {
			return err
		}
		return a.replyPage(w, r, art, parent, f, status)
	}
	full, err := a.DB.PublicArticle(r.Context(), art.ID, a.Now())
	if errors.Is(err, db.ErrNotFound) {
		return errNotFound()
	} else if err != nil {
		return err
	}
	p, err := a.articleView(w, r, full, &f)
	if err != nil {
		return err
	}
	return a.render(w, status, "article", p)
}

// commentStatusOnly answers a post that was not read (too large, too many): htmx
// replaces only the status line, so the reader's text stays in the form; without JS it
// is the error page (err, when set, decides its status).
func (a *App) commentStatusOnly(w http.ResponseWriter, r *http.Request, status int, msg string, err error) error {
	if !isHTMX(r) {
		if err != nil {
			return &Error{Status: status, Message: msg, Err: err}
		}
		return &Error{Status: status, Message: msg}
	}
	target := "#comment-status"
	if p, err := strconv.ParseInt(r.PostForm.Get("parent"), 10, 64); err == nil && p > 0 {
		target += "-" + strconv.FormatInt(p, 10)
	}
	w.Header().Set(hxRetarget, target)
	w.Header().Set(hxReswap, "innerHTML")
	w.Header().Set("Cache-Control", "no-store")
	return a.renderFragment(w, status, "article", "comment-status-error", msg)
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// commentModeration is the mode in force: the -moderation flag, else the site setting,
// else every comment waits. An unknown stored value also means every comment waits.
func (a *App) commentModeration(ctx context.Context) (string, error) {
	if a.Config.Moderation != "" {
		return a.Config.Moderation, nil
	}
	mode, err := a.DB.Setting(ctx, db.SettingCommentModeration, ModerationAll)
	if err != nil {
		return "", err
	}
	if !ValidModeration(mode) {
		return ModerationAll, nil
	}
	return mode, nil
}

// readCommentForm reads and cleans the fields; validateCommentForm then checks them.
func (a *App) readCommentForm(r *http.Request, art db.Article) commentForm {
	pf := r.PostForm
	f := commentForm{ArticleID: art.ID, ArticlePath: views.ArticlePath(art)}
	f.Name = sanitize.PlainLine(pf.Get("name"))
	f.Title = sanitize.PlainLine(pf.Get("title"))
	f.Content = sanitize.PlainText(pf.Get("content"))
	f.Phone = vntext.Normalize(pf.Get("phone"))
	return f
}

// validateCommentForm checks the cleaned fields and returns the phone number normalized
// for storage (the form keeps it as typed).
func (a *App) validateCommentForm(f *commentForm) (phone string) {
	switch n := vntext.CharCount(f.Name); {
	case vntext.IsBlank(f.Name):
		f.fail("name", "Vui lòng nhập họ tên.")
	case n > maxCommentName:
		f.fail("name", fmt.Sprintf("Họ tên dài tối đa %d ký tự (bạn đã nhập %s).", maxCommentName, vntext.FormatInt(int64(n))))
	case antispam.CountLinks(f.Name) > 0:
		f.fail("name", "Họ tên không được chứa liên kết.")
	}
	if f.Phone != "" {
		if p, ok := normalizePhone(f.Phone); ok {
			phone = p
		} else {
			f.fail("phone", "Số điện thoại không hợp lệ. Ví dụ: 0912 345 678 hoặc +84 912 345 678.")
		}
	}
	switch n := vntext.CharCount(f.Title); {
	case vntext.IsBlank(f.Title):
		f.fail("title", "Vui lòng nhập tiêu đề.")
	case n > maxCommentTitle:
		f.fail("title", fmt.Sprintf("Tiêu đề dài tối đa %d ký tự (bạn đã nhập %s).", maxCommentTitle, vntext.FormatInt(int64(n))))
	}
	switch n := vntext.CharCount(f.Content); {
	case vntext.IsBlank(f.Content):
		f.fail("content", "Vui lòng nhập nội dung bình luận.")
	case n < minCommentContent:
		f.fail("content", fmt.Sprintf("Nội dung cần ít nhất %d ký tự.", minCommentContent))
	case n > maxCommentContent:
		f.fail("content", fmt.Sprintf("Nội dung dài tối đa %s ký tự (bạn đã nhập %s).",
			vntext.FormatInt(maxCommentContent), vntext.FormatInt(int64(n))))
	case antispam.CountLinks(f.Title)+antispam.CountLinks(f.Content) > maxCommentLinks:
		f.fail("content", fmt.Sprintf("Bình luận chứa quá nhiều liên kết (tối đa %d).", maxCommentLinks))
	}
	return phone
}

// normalizePhone checks a Vietnamese phone number and returns it as 0xxxxxxxxx: mobile
// numbers have 10 digits (03, 05, 07, 08, 09), landlines 11 (02…). "+84" or "0084"
// stands for the leading 0 (a "(0)" after it is dropped); spaces, dots, hyphens and
// parentheses are allowed between digits; full-width digits count as digits.
func normalizePhone(s string) (string, bool) {
	s = norm.NFKC.String(s)
	if len(s) > 40 {
		return "", false
	}
	var digits []byte
	plus := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || unicode.IsSpace(r):
		default:
			return "", false
		}
	}
	d := string(digits)
	switch {
	case plus:
		if !strings.HasPrefix(d, "84") {
			return "", false
		}
		d = strings.TrimPrefix(d[2:], "0")
		d = "0" + d
	case strings.HasPrefix(d, "0084"):
		d = "0" + strings.TrimPrefix(d[4:], "0")
	}
	if len(d) < 2 || d[0] != '0' {
		return "", false
	}
	switch d[1] {
	case '2':
		return d, len(d) == 11
	case '3', '5', '7', '8', '9':
		return d, len(d) == 10
	}
	return "", false
}

// cleanUserAgent keeps a user agent readable and bounded for the moderators' pages.
func cleanUserAgent(s string) string {
	s = vntext.Normalize(s)
	if r := []rune(s); len(r) > maxUserAgent {
		s = string(r[:maxUserAgent])
	}
	return s
}

// formSecrets answers a deferred form's request for its captcha and fill-time token.
func (a *App) formSecrets(w http.ResponseWriter, r *http.Request) error {
	art, err := a.commentArticle(r)
	if err != nil {
		return err
	}
	if art.CommentsClosed { // no form: no captcha or token to hand out
		return &Error{Status: http.StatusForbidden, Message: msgCommentsClosed}
	}
	if !isHTMX(r) {
		http.Redirect(w, r, views.ArticlePath(art)+"?binh-luan=viet#viet-binh-luan", http.StatusSeeOther)
		return nil
	}
	f, err := a.newCommentForm(r, art)
	if err != nil {
		return a.captchaRefused(w, r, err)
	}
	f.Errors = map[string]string{}
	w.Header().Set("Cache-Control", "no-store")
	return a.renderFragment(w, http.StatusOK, "article", "form-secrets", f)
}

// refreshCaptcha swaps in a new captcha (the "Lấy lại mã bảo mật" link) and drops the
// old one. Without htmx it goes back to the article, whose form has a new one.
func (a *App) refreshCaptcha(w http.ResponseWriter, r *http.Request) error {
	art, err := a.commentArticle(r)
	if err != nil {
		return err
	}
	if art.CommentsClosed { // no form: no captcha or token to hand out
		return &Error{Status: http.StatusForbidden, Message: msgCommentsClosed}
	}
	if !isHTMX(r) || !a.captchaOn(r.Context()) {
		http.Redirect(w, r, views.ArticlePath(art)+"#viet-binh-luan", http.StatusSeeOther)
		return nil
	}
	id, err := a.comments.captcha.Replace(r.Context(), r.URL.Query().Get("cu"), antispam.ClientIP(r, a.Config.TrustedProxies))
	if err != nil {
		return a.captchaRefused(w, r, captchaError(err))
	}
	w.Header().Set("Cache-Control", "no-store")
	f := commentForm{ArticleID: art.ID, CaptchaOn: true, CaptchaID: id, Errors: map[string]string{}}
	if p, err := strconv.ParseInt(r.URL.Query().Get("tra-loi"), 10, 64); err == nil && p > 0 {
		f.ParentID = p // only shapes the ids of the box, to match the reply form it sits in
	}
	return a.renderFragment(w, http.StatusOK, "article", "captcha-box", f)
}

// captchaImage draws a live captcha as PNG; used or expired ones are 404.
func (a *App) captchaImage(w http.ResponseWriter, r *http.Request) error {
	img, err := a.comments.captcha.Image(r.Context(), r.PathValue("id"))
	if errors.Is(err, db.ErrNotFound) {
		return &Error{Status: http.StatusNotFound, Message: "Mã xác nhận đã hết hạn. Vui lòng lấy mã mới."}
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.Itoa(len(img)))
	h.Set("Cache-Control", "no-store")
	w.Write(img)
	return nil
}

// captchaAudio reads a live captcha aloud as WAV; used or expired ones are 404.
func (a *App) captchaAudio(w http.ResponseWriter, r *http.Request) error {
	wav, err := a.comments.captcha.Audio(r.Context(), r.PathValue("id"))
	if errors.Is(err, db.ErrNotFound) {
		return &Error{Status: http.StatusNotFound, Message: "Mã xác nhận đã hết hạn. Vui lòng lấy mã mới."}
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "audio/wav")
	h.Set("Content-Length", strconv.Itoa(len(wav)))
	h.Set("Content-Disposition", `attachment; filename="ma-xac-nhan.wav"`)
	h.Set("Cache-Control", "no-store")
	w.Write(wav)
	return nil
}

// captchaOn reports whether the comment form asks for a captcha: not when the operator
// turned it off for this run (-captcha=false), nor when the settings page did.
func (a *App) captchaOn(ctx context.Context) bool {
	if a.Config.CaptchaOff {
		return false
	}
	v, err := a.DB.Setting(ctx, db.SettingCommentCaptcha, "true")
	if err != nil {
		a.Log.Error("read captcha setting", "err", err)
		return true // fail closed: keep the captcha
	}
	return v != "false"
}
