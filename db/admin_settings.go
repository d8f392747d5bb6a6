package db

// Setting keys of the back office's settings page.
const (
	SettingTimeZone          = "time_zone"
	SettingCommentModeration = "comment_moderation" // "true" | "false" | "first-time"
	SettingCommentCaptcha    = "comment_captcha"    // "true" | "false"
	SettingAboutEN           = "about_en"           // the English About / Contact text
)
