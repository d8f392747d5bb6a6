package demo

// Sections lists the demo sections in menu order.
var Sections = []Section{
	{Slug: "thoi-su", Name: "Thời sự"},
	{Slug: "kinh-te", Name: "Kinh tế"},
	{Slug: "van-hoa-xa-hoi", Name: "Văn hóa - Xã hội"},
	{Slug: "giao-duc", Name: "Giáo dục"},
	{Slug: "y-te", Name: "Y tế"},
	{Slug: "nong-nghiep-nong-thon", Name: "Nông nghiệp - Nông thôn"},
}

// Articles lists the demo articles, section by section; each section's
// articles live in their own content_*.go file.
var Articles = joinArticles(
	thoiSuArticles,
	kinhTeArticles,
	vanHoaXaHoiArticles,
	giaoDucArticles,
	yTeArticles,
	nongNghiepArticles,
)

// joinArticles concatenates the per-section article lists.
func joinArticles(groups ...[]Article) []Article {
	n := 0
	for _, g := range groups {
		n += len(g)
	}
	all := make([]Article, 0, n)
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}
