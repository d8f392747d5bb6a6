package sanitize

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestArticleHTML(t *testing.T) {
	cases := []struct{ in, want string }{
		{`<p onclick="x()">Đoạn</p>`, `<p>Đoạn</p>`},
		{`<script>alert(1)</script><p>Tin</p>`, `<p>Tin</p>`},
		// Images only from the site's own /media/: anything else goes, handlers too.
		{`<img src="x" onerror="alert(1)" style="width:1px">`, ``},
		{`<img src="/media/7?w=640" onerror="alert(1)" alt="Ảnh">`, `<img src="/media/7?w=640" alt="Ảnh">`},
		{`<img src="https://tracker.example/p.gif">`, ``},
		{`<a href="javascript:alert(1)">a</a>`, `a`},
		{"<a href=\"java\tscript:alert(1)\">a</a>", `a`},
		{`<a href="https://vn.example/x">b</a>`, `<a href="https://vn.example/x" rel="nofollow noopener" target="_blank">b</a>`},
		{`<a href="/bai-viet/x-1">c</a>`, `<a href="/bai-viet/x-1">c</a>`},
		{`<iframe src="https://evil.example"></iframe>`, ``},
		{`<svg><script>alert(1)</script></svg>`, ``},
		{`<math><style><img src=x onerror=alert(1)></style></math>`, ``},
		{`<table><tr><td colspan="2" class="x">Ô</td></tr></table>`, `<table><tbody><tr><td colspan="2">Ô</td></tr></tbody></table>`},
		{`<figure><img src="/media/1" alt="Ảnh"><figcaption>Chú thích</figcaption></figure>`, `<figure><img src="/media/1" alt="Ảnh"><figcaption>Chú thích</figcaption></figure>`},
		{`<img src="data:image/svg+xml;base64,PHN2Zz4=">`, ``},
		{norm.NFD.String("<p>Thủ tướng</p>"), "<p>Thủ tướng</p>"},
	}
	for _, c := range cases {
		if got := ArticleHTML(c.in); got != c.want {
			t.Errorf("ArticleHTML(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestPlainTextAndTitle(t *testing.T) {
	if got := PlainText("<b>Hoà</b>  &amp; <script>x</script>bạn\nđọc"); got != "Hoà & bạn\nđọc" {
		t.Errorf("PlainText = %q", got)
	}
	if got := PlainText(norm.NFD.String("Lê Thị Hoà")); got != "Lê Thị Hoà" || !norm.NFC.IsNormalString(got) {
		t.Errorf("PlainText NFD = %q", got)
	}
	cases := map[string]string{
		"Tin nhanh <không chuyên mục>":          "Tin nhanh <không chuyên mục>",
		"Giá vàng &amp; <em>ổn định</em>":       "Giá vàng & ổn định",
		"<script>alert(1)</script>  Tiêu   đề ": "alert(1) Tiêu đề",
		"a < b và c > d":                        "a < b và c > d",
	}
	for in, want := range cases {
		if got := Title(in); got != want {
			t.Errorf("Title(%q) = %q, want %q", in, got, want)
		}
	}
	if strings.Contains(Title(`<img src=x onerror=alert(1)>Ảnh`), "<") {
		t.Error("Title kept a tag")
	}
}

func TestArticleHTMLIsBalanced(t *testing.T) {
	cases := map[string]string{
		`<TABLE BACKGROUND="javascript:alert('XSS')">`:    `<table></table>`,
		`<blockquote>trích dẫn không đóng`:                `<blockquote>trích dẫn không đóng</blockquote>`,
		`<p>một<p>hai`:                                    `<p>một</p><p>hai</p>`,
		`</div></div><p>thoát ra ngoài?</p>`:              `<p>thoát ra ngoài?</p>`,
		`<ul><li>một<li>hai</ul>`:                         `<ul><li>một</li><li>hai</li></ul>`,
		`<p>Đường &amp; cầu &lt;script&gt;</p>`:           `<p>Đường &amp; cầu &lt;script&gt;</p>`,
		`<figure><img src="/media/3" alt="Ảnh"></figure>`: `<figure><img src="/media/3" alt="Ảnh"></figure>`,
	}
	for in, want := range cases {
		if got := ArticleHTML(in); got != want {
			t.Errorf("ArticleHTML(%q) = %q, want %q", in, got, want)
		}
	}
}
