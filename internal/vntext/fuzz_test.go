package vntext

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fuzzSeeds are the shared seed corpus: Vietnamese text in NFC and NFD, edge cases, junk.
func fuzzSeeds() []string {
	viet := []string{
		"Hai Bà Trưng: Hưởng ứng “Tết vì người nghèo”",
		"CHẤT ĐỘC DA CAM",
		"Đà Nẵng, Thừa Thiên Huế, Khánh Hoà, Thanh Hóa, Thuỷ Nguyên",
		"ờ ộ ẵ ự Ờ Ộ Ẵ Ự khoẻ thuý quý hoàng",
		"Ủy ban nhân dân Quận 10\r\n\r\n\r\n  Tp. Hồ Chí Minh\t",
		"Ng\u200Buyễn\u00A0Văn\u2003A\u00AD\uFEFF",
	}
	seeds := []string{"", " ", "\n\n\n", "!!!", "a", "'", "’", "\u0301", "a\u0301\u0323", "\xff\xfe\x00", "\xe1\xba", "\x80abc", "Øresund Straße İ K 한국 Ἀθῆναι"}
	for _, s := range viet {
		seeds = append(seeds, s, norm.NFD.String(s), strings.ToUpper(s))
	}
	seeds = append(seeds, strings.Repeat("Tiếng Việt ", 300), strings.Repeat("đ", 300))
	return seeds
}

func FuzzFold(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if again := Fold(got); again != got {
			t.Fatalf("Fold not idempotent: Fold(%q) = %q, Fold of that = %q", s, got, again)
		}
		checkFolded(t, s, got)
		if nfd := Fold(norm.NFD.String(s)); nfd != got {
			t.Fatalf("Fold(NFD(%q)) = %q, Fold = %q", s, nfd, got)
		}
		if nfc := Fold(norm.NFC.String(s)); nfc != got {
			t.Fatalf("Fold(NFC(%q)) = %q, Fold = %q", s, nfc, got)
		}
	})
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func FuzzSlug(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Slug(s)
		if got != "" && !slugRE.MatchString(got) {
			t.Fatalf("Slug(%q) = %q: not a slug", s, got)
		}
		if len(got) > MaxSlugLen {
			t.Fatalf("Slug(%q) = %q: %d bytes", s, got, len(got))
		}
		if or := SlugOr(s, "id"); or == "" || (got != "" && or != got) {
			t.Fatalf("SlugOr(%q) = %q, Slug = %q", s, or, got)
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		if !norm.NFC.IsNormalString(got) {
			t.Fatalf("Normalize(%q) = %q: not NFC", s, got)
		}
		if again := Normalize(got); again != got {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", s, got, again)
		}
		if strings.TrimSpace(got) != got || strings.Contains(got, "  ") {
			t.Fatalf("Normalize(%q) = %q: untrimmed or double space", s, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || isZeroWidth(r) || (unicode.IsSpace(r) && r != ' ') {
				t.Fatalf("Normalize(%q) = %q: contains %U", s, got, r)
			}
		}

		m := NormalizeMultiline(s)
		if !norm.NFC.IsNormalString(m) {
			t.Fatalf("NormalizeMultiline(%q) = %q: not NFC", s, m)
		}
		if again := NormalizeMultiline(m); again != m {
			t.Fatalf("NormalizeMultiline not idempotent: %q → %q → %q", s, m, again)
		}
		if strings.TrimSpace(m) != m || strings.Contains(m, "\n\n\n") {
			t.Fatalf("NormalizeMultiline(%q) = %q: untrimmed or too many blank lines", s, m)
		}
		for _, line := range strings.Split(m, "\n") {
			if strings.TrimSpace(line) != line || strings.Contains(line, "  ") {
				t.Fatalf("NormalizeMultiline(%q) = %q: line %q untrimmed or double space", s, m, line)
			}
			for _, r := range line {
				if unicode.IsControl(r) || isZeroWidth(r) || (unicode.IsSpace(r) && r != ' ') {
					t.Fatalf("NormalizeMultiline(%q) = %q: contains %U", s, m, r)
				}
			}
		}
		if Normalize(m) != got {
			t.Fatalf("NormalizeMultiline(%q) = %q, joined %q, Normalize %q", s, m, Normalize(m), got)
		}
	})
}

func FuzzCanonicalTone(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := CanonicalTone(s)
		if again := CanonicalTone(got); again != got {
			t.Fatalf("CanonicalTone not idempotent: %q → %q → %q", s, got, again)
		}
		if Fold(got) != Fold(s) {
			t.Fatalf("CanonicalTone(%q) = %q changes Fold: %q vs %q", s, got, Fold(got), Fold(s))
		}
		if !norm.NFC.IsNormalString(got) {
			t.Fatalf("CanonicalTone(%q) = %q: not NFC", s, got)
		}
	})
}
