package sanitize

import (
	"bufio"
	"html"
	"os"
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

// TestPlainLineMarkup: tags go, text that only looks like markup stays, escaped tags do
// not come back as tags.
func TestPlainLineMarkup(t *testing.T) {
	cases := map[string]string{
		"Giá 5 < 7 và 9 > 3":           "Giá 5 < 7 và 9 > 3",
		"Tôi <b>rất</b> đồng ý":        "Tôi rất đồng ý",
		"<script>alert(1)</script>Xin": "Xin",
		"&lt;b&gt;đậm&lt;/b&gt;":       "đậm",
		"O'Neil & \"bạn\"":             "O'Neil & \"bạn\"",
		"Yêu <3 quê hương":             "Yêu <3 quê hương",
		"Dòng một\nDòng hai":           "Dòng một Dòng hai",
	}
	for in, want := range cases {
		if got := PlainLine(in); got != want {
			t.Errorf("PlainLine(%q) = %q, want %q", in, got, want)
		}
	}
	if got := PlainText("Dòng một\r\n<i>Dòng</i> hai"); got != "Dòng một\nDòng hai" {
		t.Errorf("PlainText kept %q", got)
	}
}

// TestPlainTextCorpus: nothing of the XSS corpus keeps markup or a script/img tag.
func TestPlainTextCorpus(t *testing.T) {
	f, err := os.Open("../../handlers/testdata/xss.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := sc.Text()
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		out := PlainText(p)
		if stripMarkup(out) != out {
			t.Errorf("PlainText(%q) = %q still has markup", p, out)
		}
		if z := strings.ToLower(html.UnescapeString(out)); strings.Contains(z, "<script") || strings.Contains(z, "<img") {
			t.Errorf("PlainText(%q) = %q", p, out)
		}
	}
}

// FuzzPlainText: whatever arrives, the cleaned text is NFC, has no markup and no control
// characters but line breaks, and cleaning again changes nothing.
func FuzzPlainText(f *testing.F) {
	for _, p := range []string{"", "Xin chào", "<script>alert(1)</script>", "&lt;b&gt;", "a\r\nb\u2028c", norm.NFD.String("Thuỷ"),
		"\x00\x01\u200b", "<<img src=x onerror=alert(1)//>", "&amp;lt;x&amp;gt;", "\xff\xfe", "+84 912 345 678"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, out := range []string{PlainLine(in), PlainText(in)} {
			if !norm.NFC.IsNormalString(out) {
				t.Fatalf("%q → %q not NFC", in, out)
			}
			if stripMarkup(out) != out {
				t.Fatalf("%q → %q still has markup", in, out)
			}
			for _, r := range out {
				if r != '\n' && (r < 0x20 || r == 0x7f || r == '\u200b') {
					t.Fatalf("%q → %q keeps %U", in, out, r)
				}
			}
		}
		if again := PlainText(PlainText(in)); again != PlainText(in) {
			t.Fatalf("PlainText not idempotent on %q", in)
		}
	})
}

// BenchmarkPlainText measures cleaning a long comment full of markup, the per-post cost
// of the strip-until-stable loop.
func BenchmarkPlainText(b *testing.B) {
	in := strings.Repeat("Bà con <b>xã</b> &lt;i&gt;Nghĩa Đàn&lt;/i&gt; mong <a href=\"x\">sớm</a> sửa đường.\n", 60)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		PlainText(in)
	}
}
