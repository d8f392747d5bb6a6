package db

// SettingAboutEN holds the text of the English "About / Contact" page (plain text,
// paragraphs separated by blank lines); unset or blank means the built-in default text.
// The back office's settings form writes it; handlers/about.go reads it.
const SettingAboutEN = "about_en"
