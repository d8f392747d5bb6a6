package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"toasoan/views"

	"toasoan/db"
	"toasoan/internal/vntext"
)

// profilePage is the own-profile page's data.
type profilePage struct {
	DisplayName string
	Errors      map[string]string
}

func (a *App) profilePage(w http.ResponseWriter, r *http.Request, u db.User) error {
	return a.renderProfile(w, r, u, http.StatusOK, profilePage{DisplayName: u.DisplayName})
}

func (a *App) renderProfile(w http.ResponseWriter, r *http.Request, u db.User, status int, data profilePage) error {
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	return a.renderAdmin(w, r, status, "admin_profile", "Hồ sơ của tôi", "profile", u, data)
}

// updateProfile changes the signed-in user's own display name.
func (a *App) updateProfile(w http.ResponseWriter, r *http.Request, u db.User) error {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	name := vntext.Normalize(r.PostFormValue("display_name"))
	err := a.DB.UpdateDisplayName(r.Context(), adminActor(r, u), a.Now(), u.ID, name)
	if errors.Is(err, db.ErrBadDisplayName) {
		return a.renderProfile(w, r, u, http.StatusUnprocessableEntity, profilePage{DisplayName: name,
			Errors: map[string]string{"display_name": fmt.Sprintf("Tên hiển thị tối đa %d ký tự.", db.MaxDisplayName)}})
	}
	if err != nil {
		return err
	}
	a.flash(r, "Đã lưu tên hiển thị.")
	adminSeeOther(w, r, views.AdminProfile)
	return nil
}

// changeOwnPassword changes the signed-in user's password: the current one is required,
// every other session of the user ends, and this one goes on under a new token.
func (a *App) changeOwnPassword(w http.ResponseWriter, r *http.Request, u db.User) error {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	current, next, again := r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("password2")
	data := profilePage{DisplayName: u.DisplayName, Errors: map[string]string{}}
	switch {
	case current == "":
		data.Errors["current"] = "Vui lòng nhập mật khẩu hiện tại."
	case errors.Is(db.CheckPasswordStrength(next), db.ErrWeakPassword):
		data.Errors["password"] = fmt.Sprintf("Mật khẩu mới cần ít nhất %d ký tự.", db.MinPasswordLength)
	case errors.Is(db.CheckPasswordStrength(next), db.ErrLongPassword):
		data.Errors["password"] = fmt.Sprintf("Mật khẩu mới tối đa %d byte.", db.MaxPasswordBytes)
	case next != again:
		data.Errors["password2"] = "Hai lần nhập mật khẩu mới không khớp."
	}
	if len(data.Errors) > 0 {
		return a.renderProfile(w, r, u, http.StatusUnprocessableEntity, data)
	}
	gen, err := a.DB.ChangeOwnPassword(r.Context(), adminActor(r, u), a.Now(), u.ID, current, next)
	if errors.Is(err, db.ErrBadCredentials) {
		data.Errors["current"] = "Mật khẩu hiện tại không đúng."
		return a.renderProfile(w, r, u, http.StatusUnprocessableEntity, data)
	}
	if err != nil {
		return err
	}
	u.SessionGen = gen
	if err := a.startSession(r, u); err != nil {
		return err
	}
	a.flash(r, "Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.")
	adminSeeOther(w, r, views.AdminProfile)
	return nil
}
