package handlers

import (
	"regexp"
	"strconv"

	"toasoan/internal/sanitize"
	"toasoan/views"
)

// bodyImage finds the stored images of a sanitized body (the policy allows no others).
var bodyImage = regexp.MustCompile(`<img src="/media/([0-9]{1,18})(?:\?w=[0-9]{1,5})?"`)

// withSrcset gives every image of a sanitized body the srcset of its resized copies, so
// a phone downloads the 320 or 640 px copy.
func withSrcset(body string) string {
	return bodyImage.ReplaceAllStringFunc(body, func(tag string) string {
		m := bodyImage.FindStringSubmatch(tag)
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return tag
		}
		return tag + ` srcset="` + views.MediaSrcset(id) + `" sizes="(max-width: 760px) 100vw, 760px"`
	})
}

// sanitizeBody is the one way an article body is cleaned before it is stored.
func (a *App) sanitizeBody(s string) string { return withSrcset(sanitize.ArticleHTML(s)) }
