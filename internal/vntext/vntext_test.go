package vntext

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"already clean", "Đà Nẵng", "Đà Nẵng"},
		{"NFD to NFC", norm.NFD.String("Thời sự Việt Nam"), "Thời sự Việt Nam"},
		{"trim and collapse", "  Hà   Nội \t\n ", "Hà Nội"},
		{"NBSP and other spaces", "Hà\u00A0Nội\u2003\u3000mùa\u202Fthu", "Hà Nội mùa thu"},
		{"zero-width removed", "Ng\u200Bu\u200Cyễ\u200Dn\u2060 Văn\uFEFF A\u00AD", "Nguyễn Văn A"},
		{"zero-width between spaces", "Hà \u200B Nội", "Hà Nội"},
		{"control characters removed", "Tin\x00 nóng\x07\x1b\x7f\u0085hôm nay", "Tin nóng hôm nay"},
		{"newlines become spaces", "dòng một\r\ndòng hai\rba", "dòng một dòng hai ba"},
		{"removal joins letter and mark", "a\u200B\u0300", "à"},
		{"invalid UTF-8", "Vi\xffệt", "Vi\uFFFDệt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeNFDEqualsNFC(t *testing.T) {
	for _, s := range []string{"Tiếng Việt", "Hưởng ứng “Tết vì người nghèo”", "ĐỒNG KHỞI", "Thuỷ Nguyên, Hải Phòng", "ờ ộ ẵ ự"} {
		t.Run(s, func(t *testing.T) {
			nfd := norm.NFD.String(s)
			if nfd == s {
				t.Fatalf("test input %q has no decomposition", s)
			}
			if got, want := Normalize(nfd), Normalize(s); got != want {
				t.Errorf("Normalize(NFD %q) = %q, want %q", s, got, want)
			}
			if got := Normalize(nfd); got != s {
				t.Errorf("Normalize(NFD %q) = %q, want the NFC input", s, got)
			}
		})
	}
}

func TestNormalizeMultiline(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"single line", "  Bài viết hay  ", "Bài viết hay"},
		{"CRLF and CR", "Dòng 1\r\nDòng 2\rDòng 3", "Dòng 1\nDòng 2\nDòng 3"},
		{"spaces within lines", "Cảm ơn   tác giả\t!  \n   Rất  hay ", "Cảm ơn tác giả !\nRất hay"},
		{"one blank line kept", "Đoạn một\n\nĐoạn hai", "Đoạn một\n\nĐoạn hai"},
		{"many blank lines collapse", "Đoạn một\n\n\n\n  \n\t\nĐoạn hai", "Đoạn một\n\nĐoạn hai"},
		{"leading and trailing blank lines", "\n\n  \nNội dung\n\n \n", "Nội dung"},
		{"unicode line separators", "một\u2028hai\u2029ba\u0085bốn", "một\nhai\nba\nbốn"},
		{"zero-width only line is blank", "a\n\u200B\n\n\nb", "a\n\nb"},
		{"NFD", norm.NFD.String("Chúc mừng\nnăm mới"), "Chúc mừng\nnăm mới"},
		{"control characters", "a\x00b\x1b\n\x07c", "ab\nc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeMultiline(tt.in); got != tt.want {
				t.Errorf("NormalizeMultiline(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"ascii lower unchanged", "chat doc da cam", "chat doc da cam"},
		{"ascii upper", "CHAT DOC", "chat doc"},
		{"upper Vietnamese", "CHẤT ĐỘC DA CAM", "chat doc da cam"},
		{"lower Vietnamese", "chất độc da cam", "chat doc da cam"},
		{"đ and Đ", "Đà Nẵng", "da nang"},
		{"đ inside words", "đường Điện Biên Phủ", "duong dien bien phu"},
		{"vowel marks", "ă â ê ô ơ ư Ă Â Ê Ô Ơ Ư", "a a e o o u a a e o o u"},
		{"all five tones", "à á ả ã ạ", "a a a a a"},
		{"two-mark letters", "ờ ộ ẵ ự Ờ Ộ Ẵ Ự ẫ ể ữ", "o o a u o o a u a e u"},
		{"Thời sự", "Thời sự", "thoi su"},
		{"NFD input", norm.NFD.String("Thời sự Đà Nẵng"), "thoi su da nang"},
		{"mixed NFC and NFD", "Ti" + norm.NFD.String("ế") + "ng Việt", "tieng viet"},
		{"other Latin", "Crème Brûlée, Ñandú, Øresund, İstanbul", "creme brulee, nandu, øresund, istanbul"},
		{"Greek and Cyrillic", "Ἀθῆναι МОСКВА й", "αθηναι москва и"},
		{"Icelandic eth used for Đ", "ÐÀ NẴNG", "da nang"},
		{"Kelvin sign", "\u212A", "k"},
		{"Hangul NFC", "한국", norm.NFD.String("한국")},
		{"invalid UTF-8", "A\xffB", "a\uFFFDb"},
		{"punctuation kept", "Tết, “vì” người!", "tet, “vi” nguoi!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFoldEquivalentSpellings(t *testing.T) {
	groups := [][]string{
		{"CHẤT ĐỘC DA CAM", "chat doc da cam", "chất độc da cam", norm.NFD.String("Chất Độc Da Cam")},
		{"Đà Nẵng", "da nang", "ĐÀ NẴNG", norm.NFD.String("đà nẵng")},
		{"hoà bình", "hòa bình", "HOA BINH"},
	}
	for _, g := range groups {
		t.Run(g[0], func(t *testing.T) {
			want := Fold(g[0])
			for _, s := range g[1:] {
				if got := Fold(s); got != want {
					t.Errorf("Fold(%q) = %q, want %q like Fold(%q)", s, got, want, g[0])
				}
			}
		})
	}
}

// TestFoldAllRunes checks, for every code point, the properties the search index relies on.
func TestFoldAllRunes(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		s := string(r)
		f := Fold(s)
		if ff := Fold(f); ff != f {
			t.Fatalf("%U: Fold not idempotent: %q → %q → %q", r, s, f, ff)
		}
		if d := Fold(norm.NFD.String(s)); d != f {
			t.Fatalf("%U: Fold(NFD) = %q, Fold = %q", r, d, f)
		}
		if c := Fold(norm.NFC.String(s)); c != f {
			t.Fatalf("%U: Fold(NFC) = %q, Fold = %q", r, c, f)
		}
		checkFolded(t, s, f)
	}
}

// checkFolded fails the test if f, the fold of s, still has upper case, marks or đ.
func checkFolded(t *testing.T, s, f string) {
	t.Helper()
	if !utf8.ValidString(f) {
		t.Fatalf("Fold(%q) = %q: invalid UTF-8", s, f)
	}
	if strings.ToLower(f) != f {
		t.Fatalf("Fold(%q) = %q: has upper case", s, f)
	}
	for _, r := range f {
		if unicode.Is(unicode.M, r) || r == 'đ' || r == 'Đ' {
			t.Fatalf("Fold(%q) = %q: contains %U", s, f, r)
		}
	}
}

func TestFoldNoAllocWhenUnchanged(t *testing.T) {
	s := "chat doc da cam, tin moi nhat 2026"
	if n := testing.AllocsPerRun(100, func() { _ = Fold(s) }); n != 0 {
		t.Errorf("Fold of folded text allocates %v times", n)
	}
	v := "Chất độc da cam: tin mới nhất"
	if n := testing.AllocsPerRun(100, func() { _ = Fold(v) }); n > 1 {
		t.Errorf("Fold allocates %v times, want at most 1", n)
	}
}

func TestContainsFolded(t *testing.T) {
	tests := []struct {
		haystack, needle string
		want             bool
	}{
		{"Nạn nhân chất độc da cam ở Đà Nẵng", "chat doc", true},
		{"Nạn nhân chất độc da cam ở Đà Nẵng", "DA NANG", true},
		{"Nạn nhân chất độc da cam ở Đà Nẵng", norm.NFD.String("đà nẵng"), true},
		{"Nạn nhân chất độc da cam ở Đà Nẵng", "hà nội", false},
		{"Thời sự", "", true},
		{"", "a", false},
	}
	for _, tt := range tests {
		t.Run(tt.haystack+"/"+tt.needle, func(t *testing.T) {
			if got := ContainsFolded(tt.haystack, tt.needle); got != tt.want {
				t.Errorf("ContainsFolded(%q, %q) = %v, want %v", tt.haystack, tt.needle, got, tt.want)
			}
		})
	}
}

func TestSlug(t *testing.T) {
	long := strings.Repeat("Nguyễn ", 20)     // 11 words fit in 80 bytes, 12 do not
	word := strings.Repeat("a", MaxSlugLen+5) // one word longer than the limit
	tests := []struct{ name, in, want string }{
		{"design example", "Hai Bà Trưng: Hưởng ứng “Tết vì người nghèo”", "hai-ba-trung-huong-ung-tet-vi-nguoi-ngheo"},
		{"đ", "Đà Nẵng", "da-nang"},
		{"NFD", norm.NFD.String("Đà Nẵng"), "da-nang"},
		{"upper case", "CHẤT ĐỘC DA CAM", "chat-doc-da-cam"},
		{"digits", "Quận 10, TP.HCM: 2.345 ca", "quan-10-tp-hcm-2-345-ca"},
		{"apostrophes dropped", "Đắk Lắk's “best” rock'n’roll", "dak-laks-best-rocknroll"},
		{"punctuation runs", "--Tin   nóng!!! (cập nhật)--", "tin-nong-cap-nhat"},
		{"only punctuation", "!!!", ""},
		{"empty", "", ""},
		{"non-Latin only", "Москва 北京", ""},
		{"foreign letters", "Straße Søren Łódź Æsir", "strasse-soren-lodz-aesir"},
		{"fullwidth", "ＡＢＣ１２３", "abc123"},
		{"zero-width inside word", "Vi\u200Bệt", "viet"},
		{"long cut at word boundary", long, strings.TrimSuffix(strings.Repeat("nguyen-", 11), "-")},
		{"first word cut hard", word + " b", word[:MaxSlugLen]},
		{"exactly the limit", strings.Repeat("ab-", 26) + "ab", strings.Repeat("ab-", 26) + "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Slug(tt.in)
			if got != tt.want {
				t.Errorf("Slug(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if len(got) > MaxSlugLen {
				t.Errorf("Slug(%q) has %d bytes, more than %d", tt.in, len(got), MaxSlugLen)
			}
		})
	}
}

func TestSlugOr(t *testing.T) {
	if got := SlugOr("!!!", "123"); got != "123" {
		t.Errorf(`SlugOr("!!!", "123") = %q, want "123"`, got)
	}
	if got := SlugOr("“”", "a42"); got != "a42" {
		t.Errorf(`SlugOr("“”", "a42") = %q, want "a42"`, got)
	}
	if got := SlugOr("Đà Nẵng", "123"); got != "da-nang" {
		t.Errorf(`SlugOr("Đà Nẵng", "123") = %q, want "da-nang"`, got)
	}
}

func TestCompareAndSort(t *testing.T) {
	// Vietnamese alphabet: a ă â b c d đ e ê ... Letters are compared first (a < ă < â,
	// d < đ), tones only when the letters are equal (Anh < Ánh), case last.
	names := []string{"Đặng", "Dương", "Anh", "Ánh", "Bình", "Ân", "Ăn", "An", "Đào", "Dũng", "anh"}
	want := []string{"An", "anh", "Anh", "Ánh", "Ăn", "Ân", "Bình", "Dũng", "Dương", "Đào", "Đặng"}
	got := slices.Clone(names)
	SortStrings(got)
	if !slices.Equal(got, want) {
		t.Errorf("SortStrings = %q, want %q", got, want)
	}
	for i := 0; i+1 < len(want); i++ {
		if c := Compare(want[i], want[i+1]); c >= 0 {
			t.Errorf("Compare(%q, %q) = %d, want < 0", want[i], want[i+1], c)
		}
		if c := Compare(want[i+1], want[i]); c <= 0 {
			t.Errorf("Compare(%q, %q) = %d, want > 0", want[i+1], want[i], c)
		}
	}
	if c := Compare(norm.NFD.String("Việt"), "Việt"); c != 0 {
		t.Errorf("Compare(NFD, NFC) = %d, want 0", c)
	}

	type person struct {
		name string
		id   int
	}
	people := []person{{"Đặng", 1}, {"Dương", 2}, {"Ăn", 3}, {"Anh", 4}, {"Dương", 5}}
	SortFunc(people, func(p person) string { return p.name })
	var order []int
	for _, p := range people {
		order = append(order, p.id)
	}
	if wantIDs := []int{4, 3, 2, 5, 1}; !slices.Equal(order, wantIDs) {
		t.Errorf("SortFunc order = %v, want %v (stable)", order, wantIDs)
	}
	SortStrings(nil)
	SortFunc([]person{}, func(p person) string { return p.name })
}

func TestCompareConcurrent(t *testing.T) {
	done := make(chan bool)
	for range 8 {
		go func() {
			ok := true
			for range 200 {
				ok = ok && Compare("Dương", "Đặng") < 0
				ss := []string{"Đặng", "Dương", "Anh"}
				SortStrings(ss)
				ok = ok && ss[0] == "Anh"
			}
			done <- ok
		}()
	}
	for range 8 {
		if !<-done {
			t.Error("wrong result under concurrency")
		}
	}
}

func TestDates(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	t1 := time.Date(2019, 12, 4, 10, 57, 3, 0, ict)
	t2 := time.Date(2026, 11, 28, 7, 5, 0, 0, ict)
	tests := []struct{ name, got, want string }{
		{"FormatDateTime", FormatDateTime(t1), "10:57 04/12/2019"},
		{"FormatDateTime padding", FormatDateTime(time.Date(2026, 1, 2, 3, 4, 0, 0, ict)), "03:04 02/01/2026"},
		{"FormatDateTime 24h", FormatDateTime(time.Date(2026, 1, 2, 23, 59, 0, 0, ict)), "23:59 02/01/2026"},
		{"FormatDateTime own location", FormatDateTime(t1.UTC()), "03:57 04/12/2019"},
		{"FormatDate", FormatDate(t1), "04/12/2019"},
		{"FormatLongDate", FormatLongDate(t2), "Thứ Bảy, 28/11/2026"},
		{"FormatLongDate Wednesday", FormatLongDate(t1), "Thứ Tư, 04/12/2019"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestWeekdayName(t *testing.T) {
	want := map[time.Weekday]string{
		time.Monday: "Thứ Hai", time.Tuesday: "Thứ Ba", time.Wednesday: "Thứ Tư",
		time.Thursday: "Thứ Năm", time.Friday: "Thứ Sáu", time.Saturday: "Thứ Bảy",
		time.Sunday: "Chủ Nhật", time.Weekday(7): "", time.Weekday(-1): "",
	}
	for d, w := range want {
		t.Run(fmt.Sprint(int(d)), func(t *testing.T) {
			if got := WeekdayName(d); got != w {
				t.Errorf("WeekdayName(%d) = %q, want %q", d, got, w)
			}
		})
	}
	// 2026-11-23 is a Monday: a whole week in order.
	for i, w := range []string{"Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"} {
		if got := WeekdayName(time.Date(2026, 11, 23+i, 12, 0, 0, 0, time.UTC).Weekday()); got != w {
			t.Errorf("day %d: %q, want %q", 23+i, got, w)
		}
	}
}

func TestFormatInt(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1.000"}, {12345, "12.345"},
		{1234567, "1.234.567"}, {-1234, "-1.234"}, {-999, "-999"}, {-1234567, "-1.234.567"},
		{9223372036854775807, "9.223.372.036.854.775.807"},
		{-9223372036854775808, "-9.223.372.036.854.775.808"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			if got := FormatInt(tt.n); got != tt.want {
				t.Errorf("FormatInt(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

func TestRelativeTime(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, ict)
	tests := []struct {
		name string
		ago  time.Duration
		want string
	}{
		{"now", 0, "vừa xong"},
		{"future", -time.Hour, "vừa xong"},
		{"59s", 59 * time.Second, "vừa xong"},
		{"1m", time.Minute, "1 phút trước"},
		{"5m30s", 5*time.Minute + 30*time.Second, "5 phút trước"},
		{"59m59s", time.Hour - time.Second, "59 phút trước"},
		{"1h", time.Hour, "1 giờ trước"},
		{"3h", 3 * time.Hour, "3 giờ trước"},
		{"23h59m", 24*time.Hour - time.Minute, "23 giờ trước"},
		{"24h", 24 * time.Hour, "1 ngày trước"},
		{"2d", 50 * time.Hour, "2 ngày trước"},
		{"just under 7d", 7*24*time.Hour - time.Second, "6 ngày trước"},
		{"7d", 7 * 24 * time.Hour, "12:00 21/11/2026"},
		{"long ago", 400 * 24 * time.Hour, "12:00 24/10/2025"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RelativeTime(now.Add(-tt.ago), now); got != tt.want {
				t.Errorf("RelativeTime(now-%v) = %q, want %q", tt.ago, got, tt.want)
			}
		})
	}
}

func TestCharCount(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
	}{
		{"empty", "", 0},
		{"ascii", "Viet", 4},
		{"NFC Việt", "Việt", 4},
		{"NFD Việt", norm.NFD.String("Việt"), 4},
		{"NFD two marks", norm.NFD.String("ờ ộ ẵ ự"), 7},
		{"sentence", "Đà Nẵng", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CharCount(tt.in); got != tt.want {
				t.Errorf("CharCount(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestCanonicalTone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hoà", "hòa"},
		{"Hoà", "Hòa"},
		{"HOÀ", "HÒA"},
		{"hòa", "hòa"},
		{"hoàng", "hoàng"},
		{"thuỷ", "thủy"},
		{"khoẻ", "khỏe"},
		{"loạn", "loạn"},
		{"qua", "qua"},
		{"quả", "quả"},
		{"quý", "quý"},
		{"Quỳ", "Quỳ"},
		{"thuý", "thúy"},
		{"Thuỵ Điển", "Thụy Điển"},
		{"uỷ ban", "ủy ban"},
		{"Uỷ ban", "Ủy ban"},
		{"oà khóc", "òa khóc"},
		{"Khánh Hoà, Thanh Hoá", "Khánh Hòa, Thanh Hóa"},
		{"toả sáng, xoè ra, goá phụ, luỹ tre, tuỳ ý", "tỏa sáng, xòe ra, góa phụ, lũy tre, tùy ý"},
		{"ngoài", "ngoài"},
		{"hoạch", "hoạch"},
		{"huýt sáo", "huýt sáo"},
		{"khuya", "khuya"},
		{"thuế", "thuế"},
		{"của", "của"},
		{"Chloé", "Chloé"},
		{norm.NFD.String("hoà bình"), "hòa bình"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := CanonicalTone(tt.in)
			if got != tt.want {
				t.Errorf("CanonicalTone(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if Fold(got) != Fold(tt.in) {
				t.Errorf("Fold changed: %q vs %q", Fold(got), Fold(tt.in))
			}
		})
	}
	// Both spellings compare equal after CanonicalTone, for every tone.
	for _, p := range [][2]string{{"oà", "òa"}, {"oá", "óa"}, {"oả", "ỏa"}, {"oã", "õa"}, {"oạ", "ọa"},
		{"oè", "òe"}, {"oé", "óe"}, {"oẻ", "ỏe"}, {"oẽ", "õe"}, {"oẹ", "ọe"},
		{"uỳ", "ùy"}, {"uý", "úy"}, {"uỷ", "ủy"}, {"uỹ", "ũy"}, {"uỵ", "ụy"}} {
		a, b := "h"+p[0], "h"+p[1]
		if CanonicalTone(a) != CanonicalTone(b) || CanonicalTone(a) != b {
			t.Errorf("CanonicalTone(%q) = %q, CanonicalTone(%q) = %q, want both %q", a, CanonicalTone(a), b, CanonicalTone(b), b)
		}
	}
}

// benchText is about 5 KB of ordinary Vietnamese news prose.
var benchText = func() string {
	p := "Sáng 28/11, tại Hà Nội, Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam tổ chức lễ phát động " +
		"chương trình “Tết vì người nghèo” năm 2026. Phát biểu tại buổi lễ, đại diện ban tổ chức cho biết " +
		"trong năm qua, các địa phương đã vận động được hơn 12.345 tỉ đồng để hỗ trợ hộ nghèo, xây dựng " +
		"nhà đại đoàn kết và chăm lo cho các gia đình chính sách. Tại Đà Nẵng, Thừa Thiên Huế và Khánh Hòa, " +
		"nhiều doanh nghiệp đã chung tay ủng hộ nạn nhân chất độc da cam, trẻ em mồ côi và người cao tuổi " +
		"không nơi nương tựa. Ông Nguyễn Văn Đức, một người dân ở phường Thủy Nguyên, chia sẻ rằng sự quan " +
		"tâm kịp thời của chính quyền đã giúp gia đình ông vượt qua những tháng ngày khó khăn sau bão lũ. "
	return strings.Repeat(p, 5*1024/len(p)+1)[:5*1024]
}()

func BenchmarkFold(b *testing.B) {
	s := strings.ToValidUTF8(benchText, "")
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Fold(s)
	}
}

func BenchmarkFoldASCII(b *testing.B) {
	s := Fold(strings.ToValidUTF8(benchText, ""))
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Fold(s)
	}
}

func BenchmarkSlug(b *testing.B) {
	const title = "Hai Bà Trưng: Hưởng ứng “Tết vì người nghèo” tại Đà Nẵng năm 2026"
	b.ReportAllocs()
	b.SetBytes(int64(len(title)))
	for b.Loop() {
		_ = Slug(title)
	}
}

func BenchmarkNormalize(b *testing.B) {
	s := strings.ToValidUTF8(benchText, "")
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Normalize(s)
	}
}

func BenchmarkNormalizeDirty(b *testing.B) {
	s := norm.NFD.String(strings.ReplaceAll(strings.ToValidUTF8(benchText, ""), " ", "\u00A0 "))
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Normalize(s)
	}
}

func TestNormalizeRemovesBidiControls(t *testing.T) {
	in := "Bình\u202Eluận\u2066 hay\u200F"
	if got := Normalize(in); got != "Bìnhluận hay" {
		t.Fatalf("Normalize(%q) = %q", in, got)
	}
}

func TestIsBlank(t *testing.T) {
	blank := []string{"", "   ", "\u3164", "\u3164\u3164\u3164", "\u2800\u2800", "\u115F\u1160", "\uFFA0",
		"\U000E0041\U000E0064\U000E006D", "\u180E", "\u200B\u200C\u200D\u2060\uFEFF", "\u00AD", "\u034F", "\uFE0F",
		"\u202E\u2066", "\u0301\u0300", "\u3000\u2003", "\t\n", "\uE000"}
	for _, s := range blank {
		if !IsBlank(s) {
			t.Errorf("IsBlank(%+q) = false", s)
		}
	}
	visible := []string{"a", "Đ", "Nguyễn Văn A", "\u3164A", "1", ".", "€", "😀", "\u2801", "ㄱ", "Nguye\u0302\u0303n"}
	for _, s := range visible {
		if IsBlank(s) {
			t.Errorf("IsBlank(%+q) = true", s)
		}
	}
}
