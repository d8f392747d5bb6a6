package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"toasoan/views"

	"toasoan/db"
	"toasoan/internal/vntext"
)

// usersPage is the users page's data.
type usersPage struct {
	Users       []db.User
	Name        string
	DisplayName string
	Role        string
	Roles       []string
	EditID      int64
	Errors      map[string]string
}

// RoleLabel is a role's Vietnamese name.
func (usersPage) RoleLabel(role string) string { return roleLabel(role) }

func (a *App) usersPage(w http.ResponseWriter, r *http.Request, u db.User) error {
	return a.renderUsers(w, r, u, http.StatusOK, usersPage{Role: db.RoleAuthor})
}

func (a *App) renderUsers(w http.ResponseWriter, r *http.Request, u db.User, status int, data usersPage) error {
	var err error
	if data.Users, err = a.DB.Users(r.Context()); err != nil {
		return err
	}
	data.Roles = db.Roles
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	return a.renderAdmin(w, r, status, "admin_users", "Người dùng", "users", u, data)
}

func (a *App) createUser(w http.ResponseWriter, r *http.Request, u db.User) error {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	data := usersPage{Errors: map[string]string{}, Role: r.PostFormValue("role")}
	nu := a.readUserForm(r, &data.Name, &data.DisplayName, data.Errors)
	if !db.ValidRole(data.Role) {
		data.Errors["role"] = "Vui lòng chọn vai trò."
		data.Role = db.RoleAuthor
	}
	nu.Role = data.Role
	if len(data.Errors) == 0 {
		_, err := a.DB.CreateUser(r.Context(), adminActor(r, u), a.Now(), nu)
		if userFormError(err, data.Errors) {
			return err
		}
		if err == nil {
			a.flash(r, "Đã tạo tài khoản "+nu.Name+".")
			http.Redirect(w, r, views.AdminUsers, http.StatusSeeOther)
			return nil
		}
	}
	return a.renderUsers(w, r, u, http.StatusUnprocessableEntity, data)
}

func (a *App) loadUser(r *http.Request) (db.User, error) {
	id, ok := parseAdminID(r.PathValue("id"))
	if !ok {
		return db.User{}, errNotFound()
	}
	target, err := a.DB.UserByID(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return target, errNotFound()
	}
	return target, err
}

func (a *App) updateUser(w http.ResponseWriter, r *http.Request, u db.User) error {
	target, err := a.loadUser(r)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	data := usersPage{Errors: map[string]string{}, EditID: target.ID, Role: db.RoleAuthor}
	role := r.PostFormValue("role")
	display := strings.TrimSpace(vntext.Normalize(r.PostFormValue("display_name")))
	disabled := r.PostFormValue("disabled") != ""
	if !db.ValidRole(role) {
		data.Errors["role"] = "Vai trò không hợp lệ."
	}
	if display != "" && vntext.IsBlank(display) {
		data.Errors["display_name"] = msgInvisibleName
	}
	if vntext.CharCount(display) > maxUserNameLen {
		data.Errors["display_name"] = fmt.Sprintf("Tên hiển thị tối đa %d ký tự.", maxUserNameLen)
	}
	if target.ID == u.ID && (disabled || role != u.Role) {
		data.Errors["role"] = "Bạn không thể tự khóa hoặc tự đổi vai trò của mình."
	}
	if len(data.Errors) == 0 {
		err := a.DB.UpdateUser(r.Context(), adminActor(r, u), a.Now(), target.ID, display, role, disabled)
		if userFormError(err, data.Errors) {
			return err
		}
		if err == nil {
			a.flash(r, "Đã lưu tài khoản "+target.Name+".")
			http.Redirect(w, r, views.AdminUsers, http.StatusSeeOther)
			return nil
		}
	}
	return a.renderUsers(w, r, u, http.StatusUnprocessableEntity, data)
}

func (a *App) resetPassword(w http.ResponseWriter, r *http.Request, u db.User) error {
	target, err := a.loadUser(r)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	data := usersPage{Errors: map[string]string{}, EditID: target.ID, Role: db.RoleAuthor}
	pw := r.PostFormValue("password")
	switch {
	case errors.Is(db.CheckPasswordStrength(pw), db.ErrWeakPassword):
		data.Errors["password"] = fmt.Sprintf("Mật khẩu cần ít nhất %d ký tự.", db.MinPasswordLength)
	case errors.Is(db.CheckPasswordStrength(pw), db.ErrLongPassword):
		data.Errors["password"] = fmt.Sprintf("Mật khẩu tối đa %d byte.", db.MaxPasswordBytes)
	}
	if len(data.Errors) > 0 {
		return a.renderUsers(w, r, u, http.StatusUnprocessableEntity, data)
	}
	if err := a.DB.SetPassword(r.Context(), adminActor(r, u), a.Now(), target.ID, pw); err != nil {
		return err
	}
	if target.ID == u.ID {
		// One's own reset ends one's own session too: sign in again with the new password.
		target.SessionGen++
		if err := a.startSession(r, target); err != nil {
			return err
		}
	}
	a.flash(r, "Đã đặt lại mật khẩu của "+target.Name+"; các phiên đăng nhập của người này đã kết thúc.")
	http.Redirect(w, r, views.AdminUsers, http.StatusSeeOther)
	return nil
}
