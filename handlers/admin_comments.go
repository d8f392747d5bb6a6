package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"toasoan/db"
	"toasoan/internal/sanitize"
	"toasoan/internal/vntext"
	"toasoan/views"
)

// Moderation limits.
const (
	maxEditedCommentTitle = 200
	maxEditedCommentBody  = 5000
	maxBulkIDs            = 200
	queuePageSize         = 30
)

// moderationActions maps the URL word of an action to the status it sets.
var moderationActions = map[string]string{
	"duyet":   db.CommentApproved,
	"tu-choi": db.CommentRejected,
	"spam":    db.CommentSpam,
	"xoa":     db.CommentDeleted,
}

// queueStatusLabels are the Vietnamese names of comment statuses.
var queueStatusLabels = map[string]string{
	db.CommentPending:  "Chờ duyệt",
	db.CommentApproved: "Đã duyệt",
	db.CommentRejected: "Từ chối",
	db.CommentSpam:     "Thư rác",
	db.CommentDeleted:  "Đã xóa",
}

// queuePage is the moderation queue's data.
type queuePage struct {
	Status     string
	ArticleID  int64
	Article    *db.Article
	Tabs       []statusCount
	All        int
	Comments   []db.ModComment
	Total      int
	Blocks     []db.CommentBlock
	Error      string
	Pagination views.Pagination
	PageQuery  string
}

// queueRow is one row of the queue as htmx swaps it, with the menu's pending count.
type queueRow struct {
	C       db.ModComment
	Pending int
	Tabs    []statusCount // the queue's tab counts, swapped out of band
	All     int
}

// StatusLabel is a comment status's Vietnamese name.
func (queuePage) StatusLabel(s string) string { return queueStatusLabels[s] }

// StatusLabel is a comment status's Vietnamese name.
func (queueRow) StatusLabel(s string) string { return queueStatusLabels[s] }

func (a *App) moderationQueue(w http.ResponseWriter, r *http.Request, u db.User) error {
	ctx := r.Context()
	q := r.URL.Query()
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	data := queuePage{Status: q.Get("status")}
	if data.Status != "" && queueStatusLabels[data.Status] == "" {
		return errBadRequest("Trạng thái bình luận không hợp lệ.")
	}
	if s := q.Get("article"); s != "" {
		id, ok := parseAdminID(s)
		if !ok {
			return errBadRequest("Mã bài viết không hợp lệ.")
		}
		art, err := a.DB.ArticleByID(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			return errNotFound()
		}
		if err != nil {
			return err
		}
		data.ArticleID, data.Article = id, &art
	}
	if data.Tabs, data.All, err = a.commentTabs(r); err != nil {
		return err
	}
	if data.Comments, data.Total, err = a.DB.ModerationComments(ctx, db.ModerationQuery{Status: data.Status,
		ArticleID: data.ArticleID, Limit: queuePageSize, Offset: (page - 1) * queuePageSize}); err != nil {
		return err
	}
	if data.Blocks, err = a.DB.CommentBlocks(ctx); err != nil {
		return err
	}
	pages := pageCount(data.Total, queuePageSize)
	data.Pagination = views.Pagination{Page: min(page, pages), Pages: pages, BasePath: views.AdminComments}
	keep := url.Values{}
	for _, k := range []string{"status", "article"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	data.PageQuery = keep.Encode()
	return a.renderAdmin(w, r, http.StatusOK, "admin_comments", "Kiểm duyệt bình luận", "comments", u, data)
}

// backToQueue answers a non-htmx moderation request with a redirect to the queue the
// moderator came from (its filters are in the form's "back" field).
func backToQueue(w http.ResponseWriter, r *http.Request) {
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, views.AdminComments) || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		back = views.AdminComments
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// renderCommentRow answers htmx with the row, updated in place, and the pending count.
func (a *App) renderCommentRow(w http.ResponseWriter, r *http.Request, id int64) error {
	c, err := a.DB.ModerationComment(r.Context(), id)
	if err != nil {
		return err
	}
	n, err := a.DB.CountCommentsByStatus(r.Context(), db.CommentPending)
	if err != nil {
		return err
	}
	row := queueRow{C: c, Pending: n}
	if row.Tabs, row.All, err = a.commentTabs(r); err != nil {
		return err
	}
	return a.renderFragment(w, http.StatusOK, "admin_comments", "comment-row-swap", row)
}

// commentTabs counts comments per status for the queue's tabs, and all of them.
func (a *App) commentTabs(r *http.Request) ([]statusCount, int, error) {
	counts, err := a.DB.CommentStatusCounts(r.Context())
	if err != nil {
		return nil, 0, err
	}
	var tabs []statusCount
	all := 0
	for _, s := range db.ModerationStatuses {
		tabs = append(tabs, statusCount{Status: s, Label: queueStatusLabels[s], Count: counts[s]})
		all += counts[s]
	}
	return tabs, all, nil
}

func (a *App) moderateOne(w http.ResponseWriter, r *http.Request, u db.User) error {
	id, ok := parseAdminID(r.PathValue("id"))
	status := moderationActions[r.PathValue("action")]
	if !ok || status == "" {
		return errNotFound()
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	if _, err := a.DB.ModerationComment(r.Context(), id); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return errNotFound()
		}
		return err
	}
	if _, err := a.DB.ModerateComments(r.Context(), adminActor(r, u), a.Now(), []int64{id}, status); err != nil {
		return err
	}
	if isHTMX(r) {
		return a.renderCommentRow(w, r, id)
	}
	a.flash(r, "Đã chuyển bình luận sang «"+queueStatusLabels[status]+"».")
	backToQueue(w, r)
	return nil
}

func (a *App) moderateBulk(w http.ResponseWriter, r *http.Request, u db.User) error {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	status := moderationActions[r.PostFormValue("action")]
	if status == "" {
		return errBadRequest("Vui lòng chọn thao tác cho các bình luận đã chọn.")
	}
	raw := r.PostForm["ids"]
	if len(raw) == 0 {
		return errBadRequest("Chưa chọn bình luận nào.")
	}
	if len(raw) > maxBulkIDs {
		return errBadRequest(fmt.Sprintf("Mỗi lần chỉ xử lý tối đa %d bình luận.", maxBulkIDs))
	}
	var ids []int64
	for _, s := range raw {
		id, ok := parseAdminID(s)
		if !ok {
			return errBadRequest("Mã bình luận không hợp lệ.")
		}
		ids = append(ids, id)
	}
	n, err := a.DB.ModerateComments(r.Context(), adminActor(r, u), a.Now(), ids, status)
	if err != nil {
		return err
	}
	a.flash(r, fmt.Sprintf("Đã chuyển %d bình luận sang «%s».", n, queueStatusLabels[status]))
	if isHTMX(r) {
		w.Header().Set(hxRefresh, "true")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	backToQueue(w, r)
	return nil
}

// commentEditForm is the comment edit page's data.
type commentEditForm struct {
	C      db.ModComment
	Title  string
	Body   string
	Errors map[string]string
}

func (a *App) loadModComment(r *http.Request) (db.ModComment, error) {
	id, ok := parseAdminID(r.PathValue("id"))
	if !ok {
		return db.ModComment{}, errNotFound()
	}
	c, err := a.DB.ModerationComment(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return c, errNotFound()
	}
	return c, err
}

func (a *App) editCommentPage(w http.ResponseWriter, r *http.Request, u db.User) error {
	c, err := a.loadModComment(r)
	if err != nil {
		return err
	}
	return a.renderAdmin(w, r, http.StatusOK, "admin_comment_edit", "Sửa bình luận", "comments", u,
		commentEditForm{C: c, Title: c.Title, Body: c.Body})
}

func (a *App) editComment(w http.ResponseWriter, r *http.Request, u db.User) error {
	c, err := a.loadModComment(r)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	f := commentEditForm{C: c, Title: sanitize.PlainLine(r.PostFormValue("title")),
		Body: sanitize.PlainText(r.PostFormValue("body")), Errors: map[string]string{}}
	switch n := vntext.CharCount(f.Title); {
	case vntext.IsBlank(f.Title):
		f.Errors["title"] = "Vui lòng nhập tiêu đề."
	case n > maxEditedCommentTitle:
		f.Errors["title"] = fmt.Sprintf("Tiêu đề tối đa %d ký tự.", maxEditedCommentTitle)
	}
	switch n := vntext.CharCount(f.Body); {
	case vntext.IsBlank(f.Body):
		f.Errors["body"] = "Vui lòng nhập nội dung."
	case n > maxEditedCommentBody:
		f.Errors["body"] = fmt.Sprintf("Nội dung tối đa %d ký tự.", maxEditedCommentBody)
	}
	if len(f.Errors) > 0 {
		return a.renderAdmin(w, r, http.StatusUnprocessableEntity, "admin_comment_edit", "Sửa bình luận", "comments", u, f)
	}
	if err := a.DB.EditComment(r.Context(), adminActor(r, u), a.Now(), c.ID, f.Title, f.Body); err != nil {
		return err
	}
	a.flash(r, "Đã sửa bình luận.")
	http.Redirect(w, r, views.AdminComments, http.StatusSeeOther)
	return nil
}

// readBlock reads kind and value of a block form.
func readBlock(r *http.Request) (string, string, error) {
	kind, value := r.PostFormValue("kind"), strings.TrimSpace(vntext.Normalize(r.PostFormValue("value")))
	if kind != "ip" && kind != "phone" {
		return "", "", errBadRequest("Loại chặn không hợp lệ.")
	}
	if value == "" || len(value) > 64 {
		return "", "", errBadRequest("Giá trị cần chặn không hợp lệ.")
	}
	return kind, value, nil
}

func (a *App) blockCommenter(w http.ResponseWriter, r *http.Request, u db.User) error {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	kind, value, err := readBlock(r)
	if err != nil {
		return err
	}
	if err := a.DB.BlockCommenter(r.Context(), adminActor(r, u), a.Now(), kind, value); err != nil {
		return err
	}
	if id, ok := parseAdminID(r.PostFormValue("comment")); ok && isHTMX(r) {
		return a.renderCommentRow(w, r, id)
	}
	label := "địa chỉ IP"
	if kind == "phone" {
		label = "số điện thoại"
	}
	a.flash(r, "Đã chặn "+label+" "+value+".")
	backToQueue(w, r)
	return nil
}

func (a *App) unblockCommenter(w http.ResponseWriter, r *http.Request, u db.User) error {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	kind, value, err := readBlock(r)
	if err != nil {
		return err
	}
	if err := a.DB.UnblockCommenter(r.Context(), adminActor(r, u), a.Now(), kind, value); err != nil {
		return err
	}
	a.flash(r, "Đã bỏ chặn "+value+".")
	backToQueue(w, r)
	return nil
}
