package handlers

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"toasoan/db"
	"toasoan/internal/vntext"
	"toasoan/views"
)

// Limits of the legal and contact settings, in characters.
const (
	maxLegalField  = 300
	maxOfficeLinks = 10
	maxLinkName    = 80
	maxLinkURL     = 500
)

// legalLabels are the settings form's labels of the legal and contact fields.
var legalLabels = map[string]string{
	db.SettingLegalAgency:      "Cơ quan chủ quản",
	db.SettingLegalResponsible: "Người chịu trách nhiệm",
	db.SettingLegalLicence:     "Giấy phép / quyết định thành lập",
	db.SettingContactAddress:   "Địa chỉ",
	db.SettingContactPhone:     "Điện thoại",
	db.SettingContactEmail:     "Thư điện tử (email)",
	db.SettingContactHotline:   "Đường dây nóng",
	db.SettingOfficeLinks:      "Liên kết của cơ quan (mỗi dòng: Tên | địa chỉ)",
}

// loadLegal reads the legal and contact settings; stored links that no longer parse are
// skipped (they were checked when saved).
func (a *App) loadLegal(ctx context.Context) (views.Legal, error) {
	v := map[string]string{}
	for _, k := range db.LegalSettingKeys {
		s, err := a.DB.Setting(ctx, k, "")
		if err != nil {
			return views.Legal{}, err
		}
		v[k] = s
	}
	links, _ := parseOfficeLinks(v[db.SettingOfficeLinks])
	return views.Legal{Agency: v[db.SettingLegalAgency], Responsible: v[db.SettingLegalResponsible],
		Licence: v[db.SettingLegalLicence], Address: v[db.SettingContactAddress], Phone: v[db.SettingContactPhone],
		Email: v[db.SettingContactEmail], Hotline: v[db.SettingContactHotline], Links: links}, nil
}

// checkLegalField checks one plain-text legal or contact field and returns the message to
// show beside it, or "".
func checkLegalField(key, value string) string {
	if vntext.CharCount(value) > maxLegalField && key != db.SettingOfficeLinks {
		return fmt.Sprintf("Tối đa %d ký tự.", maxLegalField)
	}
	switch key {
	case db.SettingContactEmail:
		if value == "" {
			return ""
		}
		if addr, err := mail.ParseAddress(value); err != nil || addr.Address != value || addr.Name != "" {
			return "Địa chỉ thư điện tử không hợp lệ (ví dụ: vanphong@songlam.gov.vn)."
		}
	case db.SettingContactPhone, db.SettingContactHotline:
		for _, r := range value {
			if !strings.ContainsRune("0123456789 .-()+", r) {
				return "Số điện thoại chỉ gồm chữ số, dấu cách, dấu chấm, gạch nối, ngoặc và dấu +."
			}
		}
	case db.SettingOfficeLinks:
		if _, err := parseOfficeLinks(value); err != "" {
			return err
		}
	}
	return ""
}

// parseOfficeLinks reads "Name | URL" lines. A URL is http(s) or a path on this site;
// anything else (javascript:, //host, data:) is refused with a message naming the line.
func parseOfficeLinks(text string) ([]views.Link, string) {
	var out []views.Link
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, raw, ok := strings.Cut(line, "|")
		name, raw = strings.TrimSpace(name), strings.TrimSpace(raw)
		if !ok || name == "" || raw == "" {
			return nil, fmt.Sprintf("Dòng %d: cần dạng «Tên | địa chỉ».", i+1)
		}
		if vntext.CharCount(name) > maxLinkName || len(raw) > maxLinkURL {
			return nil, fmt.Sprintf("Dòng %d quá dài.", i+1)
		}
		u, err := url.Parse(raw)
		local := strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//")
		if err != nil || strings.ContainsAny(raw, " \t<>\"") || !(local || (u.Scheme == "https" || u.Scheme == "http") && u.Host != "") {
			return nil, fmt.Sprintf("Dòng %d: địa chỉ phải bắt đầu bằng https://, http:// hoặc /.", i+1)
		}
		out = append(out, views.Link{Name: name, URL: raw})
		if len(out) > maxOfficeLinks {
			return nil, fmt.Sprintf("Tối đa %d liên kết.", maxOfficeLinks)
		}
	}
	return out, ""
}
