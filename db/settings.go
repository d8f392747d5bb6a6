package db

import (
	"context"
	"errors"
	"fmt"
)

// Setting returns a site setting's value, or def when it was never set.
func (d *DB) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := d.rKept.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if err != nil {
		if errors.Is(notFound(err), ErrNotFound) {
			return def, nil
		}
		return "", fmt.Errorf("db: setting %q: %w", key, err)
	}
	return v, nil
}

// SetSetting stores a site setting.
func (d *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := d.w.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("db: set setting %q: %w", key, err)
	}
	d.changedAll() // site name, description and the like are on every page
	return nil
}

// Setting keys in one place, so writers and readers agree.
const (
	SettingSiteName          = "site_name"
	SettingSiteDescription   = "site_description"
	SettingTimeZone          = "time_zone"
	SettingCommentModeration = "comment_moderation" // "true" | "false" | "first-time"
	SettingCommentCaptcha    = "comment_captcha"    // "true" | "false"
	// SettingAboutEN holds the text of the English "About / Contact" page (plain text,
	// paragraphs separated by blank lines); unset or blank means the built-in default.
	SettingAboutEN = "about_en"
	// SettingCommentFormSecret is the HMAC key of the comment form's fill-time token,
	// generated at first start so every installation has its own.
	SettingCommentFormSecret = "comment_form_secret"

	// The legal footer and contact details every page shows (Vietnamese rules for
	// electronic portals and licensed news sites ask for them), plain text each.
	SettingLegalAgency      = "legal_agency"      // Cơ quan chủ quản
	SettingLegalResponsible = "legal_responsible" // Người chịu trách nhiệm
	SettingLegalLicence     = "legal_licence"     // Giấy phép / quyết định thành lập
	SettingContactAddress   = "contact_address"
	SettingContactPhone     = "contact_phone"
	SettingContactEmail     = "contact_email"
	SettingContactHotline   = "contact_hotline" // shown in the article sidebar
	// SettingOfficeLinks lists the office's links for the sidebar, one "Name | URL" a line.
	SettingOfficeLinks = "office_links"
)

// LegalSettingKeys are the keys of the legal footer and contact settings, in form order.
var LegalSettingKeys = []string{SettingLegalAgency, SettingLegalResponsible, SettingLegalLicence,
	SettingContactAddress, SettingContactPhone, SettingContactEmail, SettingContactHotline, SettingOfficeLinks}
