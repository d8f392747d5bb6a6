// Package demo holds the demo newsroom content loaded by `toasoan -demo`: sections, articles and comments written for this project.
package demo

// Section is a demo section of the site.
type Section struct {
	Slug string // lower-case ascii, hyphens, e.g. "thoi-su"
	Name string // e.g. "Thời sự"
}

// Article is one demo article.
type Article struct {
	Section    string // Section.Slug
	Title      string
	Lead       string   // one or two sentences, shown in bold under the title (sapo)
	Paragraphs []string // body, 3 to 7 paragraphs of plain text
	Byline     string   // e.g. "Minh Anh", "Nguyễn Văn Hùng - Trung tâm Văn hóa - Thể thao"
	DaysAgo    int      // publish date = today minus this many days (spread 0..730)
	Hour       int      // publish time of day in Asia/Ho_Chi_Minh, 6..22
	Minute     int
	Views      int // plausible view count, 50..25000
	Comments   []Comment
}

// Comment is an approved reader comment on a demo article.
type Comment struct {
	Name       string
	Title      string
	Body       string // plain text, may contain \n for line breaks
	HoursAfter int    // posted this many hours after the article
}
