package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"toasoan/db"
	"toasoan/views"
)

const auditPageSize = 50

// auditPage is the audit log page's data.
type auditPage struct {
	Entries    []db.AuditEntry
	Total      int
	Users      []db.User
	Actions    []string
	User       string
	Action     string
	Object     string
	ObjectID   string
	From, To   string
	Pagination views.Pagination
	PageQuery  string
}

// auditActionLabels name the logged actions in Vietnamese.
var auditActionLabels = map[string]string{
	"login": "Đăng nhập", "login.failed": "Đăng nhập sai", "login.throttled": "Đăng nhập bị chặn tạm", "logout": "Đăng xuất",
	"user.create": "Tạo tài khoản", "user.update": "Sửa tài khoản", "user.password": "Đặt lại mật khẩu",
	"article.create": "Tạo bài", "article.update": "Sửa bài", "article.review": "Gửi duyệt", "article.draft": "Về bản nháp",
	"article.published": "Đăng bài", "article.archived": "Lưu trữ bài",
	"comment.approved": "Duyệt bình luận", "comment.rejected": "Từ chối bình luận", "comment.spam": "Đánh dấu thư rác",
	"comment.deleted": "Xóa bình luận", "comment.edit": "Sửa bình luận", "block.add": "Chặn", "block.remove": "Bỏ chặn",
	"media.upload": "Tải ảnh lên", "section.create": "Tạo chuyên mục", "section.update": "Sửa chuyên mục",
	"section.move": "Đổi thứ tự chuyên mục", "setting.update": "Đổi cài đặt",
}

// ActionLabel is an action's Vietnamese name (the code itself when unknown).
func (auditPage) ActionLabel(action string) string {
	if l, ok := auditActionLabels[action]; ok {
		return l
	}
	return action
}

var auditObjects = map[string]bool{db.ObjectUser: true, db.ObjectArticle: true, db.ObjectComment: true,
	db.ObjectCategory: true, db.ObjectMedia: true, db.ObjectSetting: true, db.ObjectBlock: true}

func (a *App) auditPage(w http.ResponseWriter, r *http.Request, u db.User) error {
	ctx, q := r.Context(), r.URL.Query()
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	data := auditPage{User: q.Get("user"), Action: q.Get("action"), Object: q.Get("object"), ObjectID: q.Get("id"),
		From: q.Get("from"), To: q.Get("to")}
	query := db.AuditQuery{UserName: data.User, Action: data.Action, Limit: auditPageSize, Offset: (page - 1) * auditPageSize}
	if len(data.User) > 100 || len(data.Action) > 100 {
		return errBadRequest("Bộ lọc quá dài.")
	}
	if data.Object != "" {
		if !auditObjects[data.Object] {
			return errBadRequest("Loại đối tượng không hợp lệ.")
		}
		query.ObjectType = data.Object
	}
	if data.ObjectID != "" {
		id, ok := parseAdminID(data.ObjectID)
		if !ok {
			return errBadRequest("Mã đối tượng không hợp lệ.")
		}
		query.ObjectID = id
	}
	loc := a.Views.Location()
	for _, d := range []struct {
		s   string
		dst *time.Time
		add int
	}{{data.From, &query.Since, 0}, {data.To, &query.Until, 1}} {
		if d.s == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, d.s, loc)
		if err != nil {
			return errBadRequest("Ngày không hợp lệ (năm-tháng-ngày).")
		}
		*d.dst = t.AddDate(0, 0, d.add)
	}
	if data.Entries, data.Total, err = a.DB.AuditLog(ctx, query); err != nil {
		return err
	}
	if data.Users, err = a.DB.Users(ctx); err != nil {
		return err
	}
	if data.Actions, err = a.DB.AuditActions(ctx); err != nil {
		return err
	}
	pages := pageCount(data.Total, auditPageSize)
	data.Pagination = views.Pagination{Page: min(page, pages), Pages: pages, BasePath: "/admin/nhat-ky"}
	keep := url.Values{}
	for _, k := range []string{"user", "action", "object", "id", "from", "to"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			keep.Set(k, v)
		}
	}
	data.PageQuery = keep.Encode()
	return a.renderAdmin(w, r, http.StatusOK, "admin_audit", "Nhật ký thao tác", "audit", u, data)
}
