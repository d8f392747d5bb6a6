package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"toasoan/views"

	"toasoan/db"
	"toasoan/internal/vntext"
)

// loadZoneSetting applies the stored time zone, if any, to the renderer.
func (a *App) loadZoneSetting(ctx context.Context) error {
	name, err := a.DB.Setting(ctx, db.SettingTimeZone, "")
	if err != nil || name == "" {
		return err
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		a.Log.Warn("stored time zone is unknown; keeping the default", "zone", name, "err", err)
		return nil
	}
	a.Views.SetLocation(loc)
	return nil
}

// Settings limits.
const (
	maxSiteName = 150
	maxSiteDesc = 300
	maxAboutEN  = 20_000
)

// moderationChoices are the values of comment_moderation and their labels.
var moderationChoices = []struct{ Value, Label string }{
	{"true", "Duyệt mọi bình luận trước khi hiện"},
	{"first-time", "Chỉ duyệt bình luận của người bình luận lần đầu"},
	{"false", "Hiện ngay, không cần duyệt"},
}

// zoneChoices are the zones offered; the stored value may be any IANA name.
var zoneChoices = []string{"Asia/Ho_Chi_Minh", "Asia/Bangkok", "Asia/Singapore", "Asia/Tokyo", "Europe/Paris", "America/Los_Angeles", "UTC"}

// settingsForm is the settings page's data.
type settingsForm struct {
	SiteName, SiteDescription, TimeZone, Moderation, Captcha, AboutEN string
	Modes                                                             []struct{ Value, Label string }
	Zones                                                             []string
	Errors                                                            map[string]string
	Legal                                                             map[string]string // by setting key
}

// legalField is one legal or contact field of the settings form.
type legalField struct{ Key, Label, Value, Error string }

// LegalFields lists the legal and contact fields in form order.
func (f settingsForm) LegalFields() []legalField {
	var out []legalField
	for _, k := range db.LegalSettingKeys {
		out = append(out, legalField{Key: k, Label: legalLabels[k], Value: f.Legal[k], Error: f.Errors[k]})
	}
	return out
}

func (a *App) settingsPage(w http.ResponseWriter, r *http.Request, u db.User) error {
	ctx := r.Context()
	f := settingsForm{Errors: map[string]string{}}
	site := a.site.Load()
	f.SiteName, f.SiteDescription = site.Name, site.Description
	f.TimeZone = a.Views.Location().String()
	var err error
	if f.Moderation, err = a.DB.Setting(ctx, db.SettingCommentModeration, "true"); err != nil {
		return err
	}
	if f.Captcha, err = a.DB.Setting(ctx, db.SettingCommentCaptcha, "true"); err != nil {
		return err
	}
	if f.AboutEN, err = a.DB.Setting(ctx, db.SettingAboutEN, ""); err != nil {
		return err
	}
	f.Legal = map[string]string{}
	for _, k := range db.LegalSettingKeys {
		if f.Legal[k], err = a.DB.Setting(ctx, k, ""); err != nil {
			return err
		}
	}
	return a.renderSettings(w, r, u, http.StatusOK, f)
}

func (a *App) renderSettings(w http.ResponseWriter, r *http.Request, u db.User, status int, f settingsForm) error {
	f.Modes, f.Zones = moderationChoices, zoneChoices
	return a.renderAdmin(w, r, status, "admin_settings", "Cài đặt", "settings", u, f)
}

func (a *App) saveSettings(w http.ResponseWriter, r *http.Request, u db.User) error {
	if err := parseAdminForm(w, r, maxAdminForm+maxAboutEN*4); err != nil {
		return err
	}
	f := settingsForm{Errors: map[string]string{},
		SiteName:        vntext.Normalize(r.PostFormValue("site_name")),
		SiteDescription: vntext.Normalize(r.PostFormValue("site_description")),
		TimeZone:        strings.TrimSpace(r.PostFormValue("time_zone")),
		Moderation:      r.PostFormValue("comment_moderation"),
		Captcha:         "false",
		AboutEN:         vntext.NormalizeMultiline(r.PostFormValue("about_en")),
	}
	if r.PostFormValue("comment_captcha") != "" {
		f.Captcha = "true"
	}
	f.Legal = map[string]string{}
	for _, k := range db.LegalSettingKeys {
		v := vntext.Normalize(r.PostFormValue(k))
		if k == db.SettingOfficeLinks {
			v = vntext.NormalizeMultiline(r.PostFormValue(k))
		}
		f.Legal[k] = v
		if msg := checkLegalField(k, v); msg != "" {
			f.Errors[k] = msg
		}
	}
	switch n := vntext.CharCount(f.SiteName); {
	case vntext.IsBlank(f.SiteName):
		f.Errors["site_name"] = "Vui lòng nhập tên trang."
	case n > maxSiteName:
		f.Errors["site_name"] = fmt.Sprintf("Tên trang tối đa %d ký tự.", maxSiteName)
	}
	if vntext.CharCount(f.SiteDescription) > maxSiteDesc {
		f.Errors["site_description"] = fmt.Sprintf("Mô tả tối đa %d ký tự.", maxSiteDesc)
	}
	loc, err := time.LoadLocation(f.TimeZone)
	if f.TimeZone == "" || f.TimeZone == "Local" || len(f.TimeZone) > 64 || err != nil {
		f.Errors["time_zone"] = "Múi giờ không hợp lệ (ví dụ: Asia/Ho_Chi_Minh)."
	}
	valid := false
	for _, m := range moderationChoices {
		valid = valid || m.Value == f.Moderation
	}
	if !valid {
		f.Errors["comment_moderation"] = "Vui lòng chọn cách duyệt bình luận."
		f.Moderation = "true"
	}
	if vntext.CharCount(f.AboutEN) > maxAboutEN {
		f.Errors["about_en"] = fmt.Sprintf("Tối đa %d ký tự.", maxAboutEN)
	}
	if len(f.Errors) > 0 {
		return a.renderSettings(w, r, u, http.StatusUnprocessableEntity, f)
	}
	values := map[string]string{
		db.SettingSiteName:          f.SiteName,
		db.SettingSiteDescription:   f.SiteDescription,
		db.SettingTimeZone:          f.TimeZone,
		db.SettingCommentModeration: f.Moderation,
		db.SettingCommentCaptcha:    f.Captcha,
		db.SettingAboutEN:           f.AboutEN,
	}
	for k, v := range f.Legal {
		values[k] = v
	}
	err = a.DB.SaveSettings(r.Context(), adminActor(r, u), a.Now(), values)
	if err != nil {
		return err
	}
	if err := a.ReloadSettings(r.Context()); err != nil {
		return err
	}
	a.Views.SetLocation(loc)
	a.flash(r, "Đã lưu cài đặt.")
	http.Redirect(w, r, views.AdminSettings, http.StatusSeeOther)
	return nil
}
