package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"toasoan/db"
	"toasoan/internal/demo"
	"toasoan/views"
)

// legalForm is a settings form with every legal and contact field filled.
func legalForm() url.Values {
	return url.Values{"site_name": {"Cổng thông tin huyện"}, "time_zone": {"Asia/Ho_Chi_Minh"}, "comment_moderation": {"true"},
		db.SettingLegalAgency:      {"Ủy ban nhân dân huyện Nghĩa Đàn"},
		db.SettingLegalResponsible: {"Bà Lê Thị Hoa"},
		db.SettingLegalLicence:     {"Quyết định số 99/QĐ-UBND ngày 01/02/2020"},
		db.SettingContactAddress:   {"Khối 1, thị trấn Nghĩa Đàn"},
		db.SettingContactPhone:     {"0238 3000 111"},
		db.SettingContactEmail:     {"bbt@nghiadan.example.vn"},
		db.SettingContactHotline:   {"+84 238 3000 222"},
		db.SettingOfficeLinks:      {"Thủ tục hành chính | https://dichvucong.example.vn/thu-tuc\nGiới thiệu | /en/about"},
	}
}

// TestLegalFooterSettings: issue #18 item 7. The legal and contact fields are settings an
// admin edits; every public page's footer shows them; /en/about lists the contact details;
// wrong values are refused beside their field with the input kept.
func TestLegalFooterSettings(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	admin := s.loginAs(t, db.RoleAdmin)
	_, page := admin.get("/admin/cai-dat")
	for _, k := range db.LegalSettingKeys {
		if len(find(parse(t, page), byID("st-"+k))) != 1 {
			t.Errorf("settings page has no field %s", k)
		}
	}
	f := legalForm()
	// NFD input is stored NFC.
	f.Set(db.SettingLegalResponsible, "Ba\u0300 Lê Thị Hoa")
	if r, body := admin.post("/admin/cai-dat", f); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.StatusCode, body)
	}
	if v := must(s.app.DB.Setting(context.Background(), db.SettingLegalResponsible, "")); v != "Bà Lê Thị Hoa" {
		t.Errorf("stored %q", v)
	}
	art := s.article(t, 1)
	for _, path := range []string{"/", views.ArticlePath(art), "/tim-kiem?q=huyen", views.AboutENPath, "/khong-co-trang-nay"} {
		_, body := s.get(t, path)
		doc := parse(t, body)
		footer := find(doc, byClass("site-footer"))
		if len(footer) != 1 {
			t.Fatalf("%s: no footer", path)
		}
		ft := text(footer[0])
		for _, want := range []string{"Cơ quan chủ quản: Ủy ban nhân dân huyện Nghĩa Đàn", "Chịu trách nhiệm chính: Bà Lê Thị Hoa",
			"Giấy phép: Quyết định số 99/QĐ-UBND ngày 01/02/2020", "Địa chỉ: Khối 1, thị trấn Nghĩa Đàn",
			"Điện thoại: 0238 3000 111", "Email: bbt@nghiadan.example.vn"} {
			if !strings.Contains(ft, want) {
				t.Errorf("%s: footer lacks %q: %s", path, want, ft)
			}
		}
		if tel := find(footer[0], func(n *html.Node) bool { return attr(n, "href") == "tel:02383000111" }); len(tel) != 1 {
			t.Errorf("%s: no tel: link", path)
		}
	}
	_, about := s.get(t, views.AboutENPath)
	contact := find(parse(t, about), byClass("contact-en"))
	if len(contact) != 1 || !strings.Contains(text(contact[0]), "Address Khối 1, thị trấn Nghĩa Đàn") ||
		!strings.Contains(text(contact[0]), "Hotline +84 238 3000 222") || !strings.Contains(text(contact[0]), "Email bbt@nghiadan.example.vn") {
		t.Errorf("/en/about contact: %v", contact)
	}
	// Wrong values: a message beside the field, 422, the input kept, nothing saved.
	for name, c := range map[string]struct{ key, value string }{
		"email":            {db.SettingContactEmail, "không phải email"},
		"email with name":  {db.SettingContactEmail, "Tòa soạn <bbt@example.vn>"},
		"phone letters":    {db.SettingContactPhone, "0238 ABC"},
		"hotline script":   {db.SettingContactHotline, "<script>alert(1)</script>"},
		"long agency":      {db.SettingLegalAgency, strings.Repeat("á", maxLegalField+1)},
		"js link":          {db.SettingOfficeLinks, "Xấu | javascript:alert(1)"},
		"protocol-rel":     {db.SettingOfficeLinks, "Xấu | //evil.example/x"},
		"no url":           {db.SettingOfficeLinks, "Chỉ có tên"},
		"data link":        {db.SettingOfficeLinks, "Ảnh | data:text/html,<b>x</b>"},
		"traversal":        {db.SettingOfficeLinks, "Tệp | ../../etc/passwd"},
		"too many links":   {db.SettingOfficeLinks, strings.Repeat("A | /a\n", maxOfficeLinks+1)},
		"quote in address": {db.SettingOfficeLinks, "A | https://x.example/\"onmouseover=alert(1)"},
	} {
		f := legalForm()
		f.Set(c.key, c.value)
		r, body := admin.post("/admin/cai-dat", f)
		doc := parse(t, body)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", name, r.StatusCode)
			continue
		}
		field := find(doc, byID("st-"+c.key))
		if len(field) != 1 {
			t.Fatalf("%s: no field", name)
		}
		if next := field[0].NextSibling; next == nil || !strings.Contains(body, `class="field-error"`) {
			t.Errorf("%s: no error shown", name)
		}
		kept := attr(field[0], "value")
		if field[0].Data == "textarea" && field[0].FirstChild != nil {
			kept = field[0].FirstChild.Data
		}
		if strings.TrimSpace(kept) != strings.TrimSpace(c.value) {
			t.Errorf("%s: input not kept: %q", name, kept)
		}
	}
	if v := must(s.app.DB.Setting(context.Background(), db.SettingContactEmail, "")); v != "bbt@nghiadan.example.vn" {
		t.Errorf("refused form changed the email to %q", v)
	}
}

// TestDemoLegalDetails: the demo newsroom fills the legal footer with its own invented
// details, and the article sidebar shows its hotline and office links.
func TestDemoLegalDetails(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	_, home := s.get(t, "/")
	ft := text(find(parse(t, home), byClass("site-footer"))[0])
	if !strings.Contains(ft, demo.Legal[db.SettingLegalAgency]) || !strings.Contains(ft, demo.Legal[db.SettingContactEmail]) {
		t.Errorf("demo footer: %s", ft)
	}
}

// TestArticleSidebar: issue #18 item 5. The article page has a sidebar with the most read
// articles (by view count), the newest, and the office's links and hotline.
func TestArticleSidebar(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	list, err := s.app.DB.PublicArticles(ctx, db.PublicListQuery{Limit: 30}, testNow)
	if err != nil || len(list) < 10 {
		t.Fatalf("demo articles: %d %v", len(list), err)
	}
	// The 20th newest article gets the most views; it is not among the newest five.
	popular := list[19]
	// The editors pin two articles: "Tin nổi bật" lists them in their order.
	for _, id := range []int64{list[7].ID, list[5].ID} {
		if err := s.app.DB.FeatureArticle(ctx, db.Actor{UserName: "test"}, testNow, id, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.app.DB.AddViews(ctx, "2026-11-28", map[int64]int64{popular.ID: 1_000_000}); err != nil {
		t.Fatal(err)
	}
	_, page := s.get(t, views.ArticlePath(list[3]))
	doc := parse(t, page)
	side := find(doc, byClass("sidebar"))
	if len(side) != 1 || side[0].Data != "aside" {
		t.Fatal("no sidebar")
	}
	block := func(id string) []string {
		var out []string
		for _, sec := range find(side[0], byTag("section")) {
			if attr(sec, "aria-labelledby") == id {
				for _, a := range find(sec, byTag("a")) {
					out = append(out, attr(a, "href"))
				}
			}
		}
		return out
	}
	most := block("tin-doc-nhieu")
	if len(most) != 5 || most[0] != views.ArticlePath(popular) {
		t.Errorf("Tin đọc nhiều: %v", most)
	}
	if featured := block("tin-noi-bat"); len(featured) < 2 || featured[len(featured)-2] != views.ArticlePath(list[7]) || featured[len(featured)-1] != views.ArticlePath(list[5]) {
		t.Errorf("Tin nổi bật: %v", featured)
	}
	latest := block("tin-moi")
	if len(latest) != 5 || latest[0] != views.ArticlePath(list[0]) {
		t.Errorf("Tin mới: %v", latest)
	}
	office := block("lien-he-nhanh")
	if len(office) < 3 || !strings.HasPrefix(office[0], "tel:") || office[len(office)-1] != views.AboutENPath {
		t.Errorf("office links: %v", office)
	}
	if !strings.Contains(text(side[0]), "Đường dây nóng: "+demo.Legal[db.SettingContactHotline]) {
		t.Error("no hotline")
	}
}

// TestNoHreflangWithoutTranslation: issue #18 item 9. No page has a translation, so no
// page carries hreflang alternates (they were relative and on every page); when a page
// has alternates, they are absolute.
func TestNoHreflangWithoutTranslation(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	list, err := s.app.DB.PublicArticles(context.Background(), db.PublicListQuery{Limit: 1}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/chuyen-muc/thoi-su", views.ArticlePath(list[0]), views.AboutENPath, "/tim-kiem?q=x"} {
		_, body := s.get(t, path)
		if alt := find(parse(t, body), func(n *html.Node) bool { return n.Data == "link" && attr(n, "hreflang") != "" }); len(alt) != 0 {
			t.Errorf("%s: hreflang %q", path, attr(alt[0], "href"))
		}
	}
	p := views.Page{Site: views.Site{Name: "T"}, Meta: views.Meta{Alternates: []views.Alternate{
		{Lang: "vi", URL: "https://example.vn/gioi-thieu"}, {Lang: "en", URL: "https://example.vn/en/about"}}}, Main: aboutENPage{}}
	out, err := s.app.Views.Page("about_en", p)
	if err != nil {
		t.Fatal(err)
	}
	alt := find(parse(t, string(out)), func(n *html.Node) bool { return n.Data == "link" && attr(n, "hreflang") != "" })
	if len(alt) != 2 || attr(alt[1], "href") != "https://example.vn/en/about" || attr(alt[1], "hreflang") != "en" {
		t.Errorf("alternates rendered: %v", alt)
	}
}
