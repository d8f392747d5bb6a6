package demo

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"toasoan/db"
	"toasoan/internal/vntext"
)

// The demo newsroom's name and tagline.
const (
	SiteName        = "Cổng thông tin điện tử huyện Sông Lam"
	SiteDescription = "Tỉnh Hòa Bình Xanh — tin tức, sự kiện của huyện"
)

// Legal is the demo newsroom's legal footer and contact details: invented, like the
// district, its province and its people.
var Legal = map[string]string{
	db.SettingLegalAgency:      "Ủy ban nhân dân huyện Sông Lam",
	db.SettingLegalResponsible: "Ông Nguyễn Văn Minh, Chánh Văn phòng HĐND và UBND huyện",
	db.SettingLegalLicence:     "Quyết định thành lập số 1234/QĐ-UBND ngày 15/03/2021 của UBND huyện Sông Lam",
	db.SettingContactAddress:   "Số 1 đường Lê Lợi, thị trấn Sông Lam, huyện Sông Lam, tỉnh Hòa Bình Xanh",
	db.SettingContactPhone:     "0238 3822 123",
	db.SettingContactEmail:     "vanphong@songlam.example.vn",
	db.SettingContactHotline:   "0238 3822 456",
	db.SettingOfficeLinks: "Thủ tục hành chính | /chuyen-muc/thoi-su\n" +
		"Lịch làm việc của UBND huyện | /chuyen-muc/thoi-su\n" +
		"About us / Contact (English) | /en/about",
}

// Load writes the demo sections, articles and comments in one transaction, dating the
// articles relative to now in the site's zone. It does nothing when articles exist, so
// `-demo` never loads twice.
func Load(ctx context.Context, d *db.DB, now time.Time, loc *time.Location) (bool, error) {
	has, err := d.HasArticles(ctx)
	if err != nil || has {
		return false, err
	}
	err = d.InBulk(ctx, func(b *db.Bulk) error {
		if err := b.SetSetting(db.SettingSiteName, SiteName); err != nil {
			return err
		}
		if err := b.SetSetting(db.SettingSiteDescription, SiteDescription); err != nil {
			return err
		}
		for k, v := range Legal {
			if err := b.SetSetting(k, v); err != nil {
				return err
			}
		}
		ids := map[string]int64{}
		for i, s := range Sections {
			id, err := b.AddCategory(db.Category{Slug: s.Slug, Name: s.Name, Position: i + 1})
			if err != nil {
				return err
			}
			ids[s.Slug] = id
		}
		local := now.In(loc)
		for _, a := range Articles {
			catID, ok := ids[a.Section]
			if !ok {
				return fmt.Errorf("demo: article %q names unknown section %q", a.Title, a.Section)
			}
			day := local.AddDate(0, 0, -a.DaysAgo)
			at := time.Date(day.Year(), day.Month(), day.Day(), a.Hour, a.Minute, 0, 0, loc)
			if at.After(now) { // today's late articles would otherwise be scheduled
				at = now.Add(-time.Duration(a.Minute+1) * time.Minute)
			}
			id, err := b.AddArticle(db.Article{
				Slug:       vntext.SlugOr(a.Title, "bai-viet"),
				Title:      vntext.Normalize(a.Title),
				Lead:       vntext.Normalize(a.Lead),
				BodyHTML:   paragraphsHTML(a.Paragraphs),
				Byline:     vntext.Normalize(a.Byline),
				CategoryID: catID,
				Status:     db.StatusPublished,
				PublishAt:  at,
				Views:      int64(a.Views),
				CreatedAt:  at.Add(-2 * time.Hour),
				UpdatedAt:  at,
			})
			if err != nil {
				return err
			}
			for _, c := range a.Comments {
				posted := at.Add(time.Duration(c.HoursAfter) * time.Hour)
				if posted.After(now) {
					posted = now.Add(-time.Minute)
				}
				_, err := b.AddComment(db.Comment{
					ArticleID: id,
					Name:      vntext.Normalize(c.Name),
					Title:     vntext.Normalize(c.Title),
					Body:      vntext.NormalizeMultiline(c.Body),
					Status:    db.CommentApproved,
					CreatedAt: posted,
				})
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	return err == nil, err
}

// paragraphsHTML turns plain paragraphs into escaped <p> elements.
func paragraphsHTML(ps []string) string {
	var sb strings.Builder
	for _, p := range ps {
		sb.WriteString("<p>")
		sb.WriteString(html.EscapeString(vntext.Normalize(p)))
		sb.WriteString("</p>\n")
	}
	return sb.String()
}
