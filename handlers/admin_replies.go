package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"toasoan/db"
	"toasoan/internal/sanitize"
	"toasoan/internal/vntext"
)

// Limits of a newsroom reply, in characters.
const maxStaffReply = 5000

// replyToComment posts the newsroom's answer under a reader's comment, from the
// moderation queue. It is published at once under the site's name ("Ban biên tập trả
// lời"), attached to the thread's top-level comment. htmx gets the row back with the
// answer noted; without JS it is a 303 back to the queue with a flash.
func (a *App) replyToComment(w http.ResponseWriter, r *http.Request, u db.User) error {
	c, err := a.loadModComment(r)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	body := sanitize.PlainText(r.PostFormValue("body"))
	msg := ""
	switch n := vntext.CharCount(body); {
	case c.Status != db.CommentApproved:
		msg = "Chỉ trả lời được bình luận đã duyệt. Hãy duyệt bình luận trước."
	case n == 0:
		msg = "Vui lòng nhập nội dung trả lời."
	case n > maxStaffReply:
		msg = fmt.Sprintf("Nội dung trả lời tối đa %s ký tự.", vntext.FormatInt(maxStaffReply))
	}
	if msg != "" {
		return &Error{Status: http.StatusUnprocessableEntity, Message: msg}
	}
	name := a.site.Load().Name
	if _, err := a.DB.PostStaffReply(r.Context(), adminActor(r, u), c.ID, name, body, a.Now()); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return errNotFound()
		}
		return err
	}
	if isHTMX(r) {
		return a.renderCommentRow(w, r, c.ID)
	}
	a.flash(r, "Đã đăng trả lời của ban biên tập.")
	backToQueue(w, r)
	return nil
}
