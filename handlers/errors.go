package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"toasoan/views"

	"toasoan/db"
)

// Error carries a status and a message safe to show readers, apart from the internal
// error that only the log sees.
type Error struct {
	Status  int
	Message string // Vietnamese, shown to the user
	Err     error  // internal, logged
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// errNotFound is the reader-facing 404.
func errNotFound() error {
	return &Error{Status: http.StatusNotFound, Message: "Trang bạn tìm không tồn tại hoặc đã bị gỡ bỏ."}
}

// errBadRequest is a 400 with a specific message.
func errBadRequest(msg string) error {
	return &Error{Status: http.StatusBadRequest, Message: msg}
}

// handlerFunc is a handler that hands its error to one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handlerFunc: any error goes to fail.
func (a *App) handle(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			a.fail(w, r, err)
		}
	}
}

var statusHeadings = map[int]string{
	http.StatusBadRequest:            "Yêu cầu không hợp lệ",
	http.StatusForbidden:             "Không có quyền truy cập",
	http.StatusNotFound:              "Không tìm thấy trang",
	http.StatusMethodNotAllowed:      "Phương thức không được hỗ trợ",
	http.StatusRequestEntityTooLarge: "Dữ liệu gửi lên quá lớn",
	http.StatusRequestURITooLong:     "Địa chỉ quá dài",
	http.StatusTooManyRequests:       "Quá nhiều yêu cầu",
	http.StatusInternalServerError:   "Đã có lỗi xảy ra",
	http.StatusServiceUnavailable:    "Dịch vụ tạm thời gián đoạn",
}

var statusMessages = map[int]string{
	http.StatusBadRequest:            "Yêu cầu gửi lên không hợp lệ. Vui lòng kiểm tra lại địa chỉ.",
	http.StatusForbidden:             "Bạn không có quyền thực hiện thao tác này.",
	http.StatusNotFound:              "Trang bạn tìm không tồn tại hoặc đã bị gỡ bỏ.",
	http.StatusMethodNotAllowed:      "Địa chỉ này không nhận phương thức yêu cầu bạn đã dùng.",
	http.StatusRequestEntityTooLarge: "Dữ liệu gửi lên vượt quá giới hạn cho phép.",
	http.StatusRequestURITooLong:     "Địa chỉ yêu cầu dài quá mức cho phép.",
	http.StatusTooManyRequests:       "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.",
	http.StatusInternalServerError:   "Hệ thống gặp sự cố khi xử lý yêu cầu. Vui lòng thử lại sau.",
	http.StatusServiceUnavailable:    "Hệ thống đang bận hoặc bảo trì. Vui lòng thử lại sau.",
}

// msgWriteUnavailable tells a user their change was not saved because storage refused it.
const msgWriteUnavailable = "Hệ thống tạm thời không lưu được dữ liệu (bộ nhớ máy chủ đầy hoặc đang ở chế độ chỉ đọc). Nội dung bạn gửi chưa được lưu; vui lòng thử lại sau ít phút."

// fail logs an error and shows the Vietnamese error page with the right status; the
// client never sees internal error text.
func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, ""
	var he *Error
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &he): // first: it may wrap one of the causes below with its own message
		status, msg = he.Status, he.Message
	case errors.As(err, &tooLarge):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, db.ErrNotFound):
		status = http.StatusNotFound
	case db.WriteUnavailable(err):
		// Disk full or read-only file: say so plainly; reads keep working meanwhile.
		status, msg = http.StatusServiceUnavailable, msgWriteUnavailable
		w.Header().Set("Retry-After", "60")
	}
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away mid-request: nobody is left to answer, nothing is wrong.
		a.Log.Debug("client gone", "method", r.Method, "path", r.URL.Path)
		return
	}
	if status >= 500 {
		// The path only: query strings can carry what readers typed.
		a.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	a.renderError(w, r, status, msg)
}

// errorPage is the data of the error template.
type errorPage struct {
	Code    int
	Heading string
	Message string
}

// renderError renders the error page; when even that fails, a plain Vietnamese line.
func (a *App) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	heading := statusHeadings[status]
	if heading == "" {
		heading = http.StatusText(status)
	}
	if msg == "" {
		msg = statusMessages[status]
	}
	if r.URL.Path == views.AdminRoot || strings.HasPrefix(r.URL.Path, views.AdminDashboard) {
		if a.renderAdminError(w, r, status, errorPage{Code: status, Heading: heading, Message: msg}) {
			return
		}
	}
	p := a.newPage(r, heading)
	p.Status = status
	p.Meta.Robots = "noindex"
	p.Main = errorPage{Code: status, Heading: heading, Message: msg}
	if r.Context().Err() == nil {
		if nav, err := a.DB.Categories(r.Context(), false); err == nil {
			p.Nav = nav
		}
	}
	body, err := a.Views.Page("error", p)
	if err != nil {
		a.Log.Error("render error page", "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(heading + "\n"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	a.writeHTML(w, status, body)
}

// renderAdminError shows an error inside the back office in the back office's layout,
// with its menu when someone is signed in (the session is only read where adminChain
// loaded it). It reports false when the page could not be rendered.
func (a *App) renderAdminError(w http.ResponseWriter, r *http.Request, status int, e errorPage) bool {
	ad := adminData{Data: e}
	if nonce, ok := r.Context().Value(nonceKey{}).(string); ok && r.Context().Err() == nil {
		ad.Nonce = nonce
		if loaded, _ := r.Context().Value(sessionLoadedKey{}).(bool); loaded {
			if u, ok, err := a.currentUser(r); err == nil && ok {
				ad.User = u
			}
		}
	}
	p := a.newPage(r, e.Heading)
	p.Status = status
	p.Meta.Robots = "noindex"
	p.Main = ad
	body, err := a.Views.Fragment("admin_error", "admin", p)
	if err != nil {
		a.Log.Error("render admin error page", "err", err)
		return false
	}
	w.Header().Set("Cache-Control", "no-store")
	a.writeHTML(w, status, body)
	return true
}
