package db

import (
	"golang.org/x/text/unicode/norm"

	"toasoan/internal/vntext"
)

// normalizeArticle is the last line of defence for "all stored text is NFC and clean":
// handlers normalize what readers and editors type, and whatever reaches the database
// by another path (imports, demo content, a handler that forgot) is normalized here.
// Normalize and Slug leave clean input unchanged, so doing it twice costs nothing.
func normalizeArticle(a Article) Article {
	a.Title = vntext.Normalize(a.Title)
	a.Lead = vntext.NormalizeMultiline(a.Lead) // the back office allows line breaks in leads
	a.BodyHTML = norm.NFC.String(a.BodyHTML)   // HTML keeps its own whitespace (<pre>)
	a.Byline = vntext.Normalize(a.Byline)
	a.CoverAlt = vntext.Normalize(a.CoverAlt)
	a.Slug = vntext.SlugOr(a.Slug, vntext.SlugOr(a.Title, "bai-viet"))
	return a
}

// normalizeCategory is normalizeArticle for sections.
func normalizeCategory(c Category) Category {
	c.Name = vntext.Normalize(c.Name)
	c.Description = vntext.Normalize(c.Description)
	c.Slug = vntext.SlugOr(c.Slug, vntext.SlugOr(c.Name, "chuyen-muc"))
	return c
}
