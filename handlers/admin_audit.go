package handlers

import (
	"net/http"
	"net/url"
	"strconv"
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
	"media.upload": "Tải ảnh lên", "media.update": "Sửa thông tin ảnh", "media.trash": "Chuyển ảnh vào thùng rác",
	"media.restore": "Khôi phục ảnh", "media.delete": "Xóa vĩnh viễn ảnh", "media.purge": "Tự xóa ảnh quá 30 ngày trong thùng rác",
	"section.create": "Tạo chuyên mục", "section.update": "Sửa chuyên mục",
	"section.move": "Đổi thứ tự chuyên mục", "setting.update": "Đổi cài đặt",
	// The content model (tags, pages, featured, trash, bulk actions, profile).
	"article.tags": "Đổi chủ đề của bài", "article.move": "Chuyển chuyên mục",
	"article.feature": "Đặt tin nổi bật", "article.unfeature": "Bỏ tin nổi bật", "article.feature_move": "Đổi thứ tự tin nổi bật",
	"article.trash": "Chuyển vào thùng rác", "article.restore": "Khôi phục từ thùng rác",
	"article.delete": "Xóa vĩnh viễn bài", "article.purge": "Tự xóa bài quá 30 ngày trong thùng rác",
	"article.comments_close": "Đóng bình luận", "article.comments_open": "Mở bình luận",
	"tag.create": "Tạo chủ đề", "tag.rename": "Đổi tên chủ đề", "tag.delete": "Xóa chủ đề",
	"page.create": "Tạo trang tĩnh", "page.update": "Sửa trang tĩnh", "page.delete": "Xóa trang tĩnh",
	"user.profile": "Đổi tên hiển thị", "user.password_own": "Tự đổi mật khẩu",
}

// auditObjectLabels name the kinds of object in Vietnamese.
var auditObjectLabels = map[string]string{db.ObjectUser: "Tài khoản", db.ObjectArticle: "Bài viết", db.ObjectComment: "Bình luận",
	db.ObjectCategory: "Chuyên mục", db.ObjectMedia: "Ảnh", db.ObjectSetting: "Cài đặt", db.ObjectBlock: "Chặn"}

// auditActorLabels name the actors that are not accounts: the command line on the server,
// the demo data, and the system (the scheduler, the trash purge, a visitor).
var auditActorLabels = map[string]string{"cli": "Dòng lệnh trên máy chủ", "demo": "Dữ liệu mẫu", "": "Hệ thống"}

// ActionLabel is an action's Vietnamese name; an action this version does not know (written
// by a newer one) is named by its kind of object rather than shown as a code.
func (auditPage) ActionLabel(action string) string {
	if l, ok := auditActionLabels[action]; ok {
		return l
	}
	kind, _, _ := strings.Cut(action, ".")
	if l, ok := auditObjectLabels[map[string]string{"section": db.ObjectCategory}[kind]]; ok {
		return "Thao tác với " + strings.ToLower(l)
	}
	if l, ok := auditObjectLabels[kind]; ok {
		return "Thao tác với " + strings.ToLower(l)
	}
	return "Thao tác khác"
}

// ActorLabel is who did it: an account's name, or what the non-account actors are.
func (auditPage) ActorLabel(name string) string {
	if l, ok := auditActorLabels[name]; ok {
		return l
	}
	return name
}

// ObjectLabel names an entry's object ("Bài viết số 12"), ObjectLink links it when it has a page.
func (auditPage) ObjectLabel(e db.AuditEntry) string {
	l := auditObjectLabels[e.ObjectType]
	if l == "" {
		return ""
	}
	if e.ObjectID != 0 {
		l += " số " + strconv.FormatInt(e.ObjectID, 10)
	}
	return l
}

// ObjectLink is the back-office page of an entry's object, if it has one.
func (auditPage) ObjectLink(e db.AuditEntry) string {
	if e.ObjectID == 0 {
		return ""
	}
	id := strconv.FormatInt(e.ObjectID, 10)
	switch e.ObjectType {
	case db.ObjectArticle:
		return views.AdminURL(views.AdminArticle, id)
	case db.ObjectMedia:
		return views.AdminURL(views.AdminMediaItem, id)
	case db.ObjectComment:
		return views.AdminURL(views.AdminCommentEdit, id)
	}
	return ""
}

// auditWords are the codes details carry (statuses, roles, block kinds), in Vietnamese.
var auditWords = map[string]string{
	db.CommentPending: "chờ duyệt", db.CommentApproved: "đã duyệt", db.CommentRejected: "từ chối", db.CommentSpam: "thư rác",
	db.CommentDeleted: "đã xóa", db.RoleAdmin: roleLabel(db.RoleAdmin), db.RoleEditor: roleLabel(db.RoleEditor), db.RoleAuthor: roleLabel(db.RoleAuthor),
	"ip": "IP", "phone": "SĐT",
}

// DetailLabel rewrites the codes in an entry's detail: "pending → approved" reads
// "chờ duyệt → đã duyệt", "(editor)" reads "(biên tập viên)", "ip 1.2.3.4" reads "IP 1.2.3.4".
// Only whole detail parts known to hold codes are rewritten, never free text like titles.
func (auditPage) DetailLabel(e db.AuditEntry) string {
	d := e.Detail
	word := func(s string) string {
		if w, ok := auditWords[s]; ok {
			return w
		}
		return s
	}
	switch {
	case strings.HasPrefix(e.Action, "comment.") && e.Action != "comment.edit":
		if from, to, ok := strings.Cut(d, " → "); ok {
			return word(from) + " → " + word(to)
		}
	case e.Action == "user.create":
		if i := strings.LastIndex(d, " ("); i >= 0 && strings.HasSuffix(d, ")") {
			return d[:i] + " (" + word(d[i+2:len(d)-1]) + ")"
		}
	case e.Action == "user.update":
		if i := strings.Index(d, "vai trò: "); i >= 0 {
			rest := d[i+len("vai trò: "):]
			end := strings.IndexByte(rest, ';')
			if end < 0 {
				end = len(rest)
			}
			if from, to, ok := strings.Cut(rest[:end], " → "); ok {
				return d[:i] + "vai trò: " + word(from) + " → " + word(to) + rest[end:]
			}
		}
	case strings.HasPrefix(e.Action, "block."):
		if kind, value, ok := strings.Cut(d, " "); ok {
			return word(kind) + " " + value
		}
	}
	return d
}

var auditObjects = map[string]bool{db.ObjectUser: true, db.ObjectArticle: true, db.ObjectComment: true,
	db.ObjectCategory: true, db.ObjectMedia: true, db.ObjectSetting: true, db.ObjectBlock: true,
	db.ObjectTag: true, db.ObjectPage: true}

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
	data.Pagination = views.Pagination{Page: min(page, pages), Pages: pages, BasePath: views.AdminAudit}
	keep := url.Values{}
	for _, k := range []string{"user", "action", "object", "id", "from", "to"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			keep.Set(k, v)
		}
	}
	data.PageQuery = keep.Encode()
	return a.renderAdmin(w, r, http.StatusOK, "admin_audit", "Nhật ký thao tác", "audit", u, data)
}
