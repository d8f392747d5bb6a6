package handlers

import (
	"net/http"
	"strings"

	"toasoan/db"
	"toasoan/internal/vntext"
	"toasoan/views"
)

// aboutENPage is the English "About / Contact" page's data: paragraphs of plain text
// (html/template escapes them; the setting is never trusted as HTML).
type aboutENPage struct {
	Paragraphs []string
	Sections   []db.Category
	Custom     bool // the text comes from the about_en setting
}

// defaultAboutEN is shown until an administrator writes the about_en setting. Each %s
// is replaced by the site's name.
const defaultAboutEN = `%s is a local news portal published in Vietnamese. This page is a short overview in English for visitors, partners and foreign media.

The newsroom is led by an editor-in-chief, who is responsible under Vietnamese press law for everything the portal publishes, together with one or more deputy editors. Reporters and contributors write the articles; section editors review them; the editor-in-chief or a deputy approves publication. Corrections are published on the article concerned.

Readers may comment under every article. Comments are read by moderators before they appear, and phone numbers given with a comment are never published.

Corrections, press releases, interview requests and requests to republish should be addressed to the editorial office of %s; readers may also write to the newsroom through the comment form under any article. When republishing information from this portal, please cite it as the source.

Every section has an RSS feed, and the whole site has one at /rss.xml.`

// aboutEN serves the English "About / Contact" page: the about_en setting when set,
// otherwise the default text.
func (a *App) aboutEN(w http.ResponseWriter, r *http.Request) error {
	p := a.newPage(r, "About us / Contact")
	p.Canonical = a.absoluteURL(views.AboutENPath)
	p.Description = "About " + p.Site.Name + ": the newsroom's structure and how to contact it."
	if err := a.withNav(r, &p); err != nil {
		return err
	}
	text, err := a.DB.Setting(r.Context(), db.SettingAboutEN, "")
	if err != nil {
		return err
	}
	data := aboutENPage{Sections: p.Nav, Custom: strings.TrimSpace(text) != ""}
	if !data.Custom {
		text = strings.ReplaceAll(defaultAboutEN, "%s", p.Site.Name)
	}
	data.Paragraphs = paragraphs(vntext.NormalizeMultiline(text))
	p.Main = data
	return a.render(w, http.StatusOK, "about_en", p)
}

// paragraphs splits plain text at blank lines, joining the lines inside a paragraph.
func paragraphs(text string) []string {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var out []string
	for _, block := range strings.Split(text, "\n\n") {
		if p := strings.Join(strings.Fields(block), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}
