package sanitize

import (
	"bufio"
	"html"
	"math/rand/v2"
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
		if got, want := stripMarkup(in), stripMarkupUntilStable(in); got != want {
			t.Fatalf("stripMarkup(%q) = %q, the policy gives %q", in, got, want)
		}
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

// TestStripMarkupShortcutAgrees: text the shortcut returns as it is (no '<', '&', CR or
// NUL) comes back unchanged from the policy too — random text of Vietnamese letters in
// both normal forms, quotes, '>', spaces, line breaks, emoji, invalid UTF-8 and controls.
func TestStripMarkupShortcutAgrees(t *testing.T) {
	t.Parallel()
	alphabet := []string{"a", "Z", "9", " ", "\n", "\t", "\"", "'", ">", "=", "/", ";", "#", "%", "đ", "Đ", "ư", "ờ",
		norm.NFD.String("ệ"), "\u0300", "\u200b", "\u2028", "\ufeff", "😀", "\xff", "\xc3", "\x01", "\x7f", "x<", "&", "&amp;", "\r", "\x00"}
	rng := rand.New(rand.NewPCG(1, 2))
	shortcut := 0
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		in := b.String()
		if !strings.ContainsAny(in, "<&\r\x00") {
			shortcut++
		}
		if got, want := stripMarkup(in), stripMarkupUntilStable(in); got != want {
			t.Fatalf("stripMarkup(%q) = %q, the policy gives %q", in, got, want)
		}
	}
	if shortcut < 1000 {
		t.Fatalf("only %d inputs took the shortcut", shortcut)
	}
}

// BenchmarkPlainComment measures cleaning the fields of an ordinary comment, no markup.
func BenchmarkPlainComment(b *testing.B) {
	in := strings.Repeat("Bà con xã Nghĩa Đàn mong huyện sớm sửa đường \"liên xã\" trước mùa mưa.\n", 6)
	for b.Loop() {
		PlainLine("Nguyễn Thị Hoa")
		PlainLine("Góp ý về đường liên xã")
		PlainText(in)
	}
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

func TestEditorOutput(t *testing.T) {
	keep := []string{
		`<p>Đoạn một.</p><p>Đoạn <strong>hai</strong> <em>nghiêng</em> <a href="/bai-viet/x-1">liên kết</a>.</p>`,
		`<h2>Mục</h2><h3>Mục nhỏ</h3><blockquote><p>Trích</p></blockquote><ul><li><p>một</p></li></ul><ol><li><p>hai</p></li></ol>`,
		`<table><tbody><tr><th><p>Giờ</p></th><th colspan="2"><p>Việc</p></th></tr><tr><td><p>8:00</p></td><td><p></p></td><td><p>x</p></td></tr></tbody></table>`,
		`<figure><img src="/media/1?w=960" alt="Cầu" width="1200" height="800"><figcaption>Chú thích <small>Ảnh: Văn Hùng</small></figcaption></figure>`,
		`<figure class="gallery"><ul><li><img src="/media/2?w=960" alt="Một"></li><li><img src="/media/3?w=960" alt="Hai"></li></ul><figcaption>Bộ ảnh</figcaption></figure>`,
		`<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ"><figcaption>Video</figcaption></figure>`,
		`<figure class="embed" data-provider="facebook" data-id="1234567890"></figure>`,
	}
	for _, in := range keep {
		if got := ArticleHTML(in); got != in {
			t.Errorf("ArticleHTML changed editor output\n  in %q\n got %q", in, got)
		}
	}
	cases := []struct{ in, want string }{
		// Trix's attachment JSON (markup and javascript: URLs inside) and its classes go.
		{`<figure data-trix-attachment="{&quot;href&quot;:&quot;javascript:alert(1)&quot;,&quot;content&quot;:&quot;&lt;img src=x onerror=alert(1)&gt;&quot;}" data-trix-content-type="image/png" data-trix-attributes="{}" class="attachment attachment--preview"><img src="/media/1" alt="A"></figure>`,
			`<figure><img src="/media/1" alt="A"></figure>`},
		{`<p contenteditable="true" draggable="true" class="ProseMirror-selectednode" data-x="1">a</p>`, `<p>a</p>`},
		// Embeds: only the two providers, only ids of their shape; never an iframe or URL.
		{`<figure class="embed" data-provider="vimeo" data-id="12345"></figure><p>x</p>`, `<p>x</p>`},
		{`<figure class="embed" data-provider="youtube" data-id="short"></figure>`, ``},
		{`<figure class="embed" data-provider="facebook" data-id="abc"></figure>`, ``},
		{`<figure class="embed" data-provider="youtube" data-id="javascript:x"></figure>`, ``},
		{`<figure data-provider="youtube" data-id="dQw4w9WgXcQ"><img src="/media/1" alt="A"></figure>`, `<figure><img src="/media/1" alt="A"></figure>`},
		{`<figure class="embed"><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe></figure>`, ``},
		{`<figure class="other"><img src="/media/1" alt="A"></figure>`, `<figure><img src="/media/1" alt="A"></figure>`},
		{`<p class="gallery">x</p>`, `<p>x</p>`},
		// Every picture has an alt attribute; empty paragraphs go (not a cell's).
		{`<p><img src="/media/4"></p><p></p><p> </p>`, `<p><img src="/media/4" alt=""></p>`},
	}
	for _, c := range cases {
		if got := ArticleHTML(c.in); got != c.want {
			t.Errorf("ArticleHTML(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestForReaders(t *testing.T) {
	cases := []struct{ in, want string }{
		{`<p>Tin</p>`, `<p>Tin</p>`},
		{`<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ"><figcaption>Lễ hội</figcaption></figure>`,
			`<figure class="embed embed-youtube"><a class="embed-load" href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="noopener">Xem video trên YouTube<span class="embed-note">Video chỉ được tải khi bạn bấm.</span></a><figcaption>Lễ hội</figcaption></figure>`},
		{`<figure class="embed" data-provider="facebook" data-id="10153231379946729"></figure>`,
			`<figure class="embed embed-facebook"><a class="embed-load" href="https://www.facebook.com/watch/?v=10153231379946729" rel="noopener">Xem video trên Facebook<span class="embed-note">Video chỉ được tải khi bạn bấm.</span></a></figure>`},
		// A forged embed stored before the checks is not turned into a link.
		{`<figure class="embed" data-provider="youtube" data-id="x&quot;onclick=1"></figure>`, `<figure class="embed" data-provider="youtube" data-id="x&#34;onclick=1"></figure>`},
		// Trix: no caption typed → the file name and size it wrote go; a typed caption stays.
		{`<figure data-trix-attachment="{&#34;filename&#34;:&#34;test-photo.jpg&#34;}" data-trix-content-type="image/jpeg"><img src="/media/1?w=960" width="960" height="640"><figcaption>test-photo.jpg 69.43 KB</figcaption></figure>`,
			`<figure><img src="/media/1?w=960" width="960" height="640" alt=""></figure>`},
		{`<figure data-trix-attachment="{}" data-trix-attributes="{&#34;caption&#34;:&#34;Cầu mới&#34;}"><img src="/media/1" alt="Cầu"><figcaption>Cầu mới</figcaption></figure>`,
			`<figure><img src="/media/1" alt="Cầu"><figcaption>Cầu mới</figcaption></figure>`},
		{`<p><img src="/media/2?w=640" width="640" height="480"></p>`, `<p><img src="/media/2?w=640" width="640" height="480" alt=""></p>`},
	}
	for _, c := range cases {
		if got := ForReaders(c.in); got != c.want {
			t.Errorf("ForReaders(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	// The common case is not parsed: the very same string comes back.
	in := strings.Repeat(`<p>Đoạn văn <img src="/media/1" alt="A"></p>`, 50)
	if got := ForReaders(in); got != in {
		t.Error("a plain body changed")
	}
}
