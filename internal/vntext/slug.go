package vntext

import (
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxSlugLen is the maximum length of a slug in bytes (slugs are ASCII).
const MaxSlugLen = 80

// slugSpelling spells, in a-z, the Latin letters that have no decomposition and so survive
// Fold (æ, ø, ß, ...); it returns "" for anything else, which then separates words.
func slugSpelling(r rune) string {
	switch r {
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'ø':
		return "o"
	case 'ł':
		return "l"
	case 'þ':
		return "th"
	case 'ı':
		return "i"
	case 'ŋ':
		return "ng"
	}
	return ""
}

// slugIgnores reports whether Slug drops r without splitting words: apostrophes and
// invisible format characters (soft hyphen, zero-width space, ...).
func slugIgnores(r rune) bool {
	return r == '\'' || r == '\u2019' || r == '\u02BC' || unicode.Is(unicode.Cf, r)
}

// Slug returns the URL slug for a title: lower-case ASCII words of a-z and 0-9 joined by
// single hyphens; accents removed (đ→d); punctuation and quotes separate words, apostrophes
// and invisible characters are dropped; at most MaxSlugLen bytes, cut at a word boundary
// (a first word that is longer on its own is cut hard). It returns "" when s has no letter
// or digit left. "Hai Bà Trưng: Hưởng ứng “Tết vì người nghèo”" →
// "hai-ba-trung-huong-ung-tet-vi-nguoi-ngheo".
func Slug(s string) string {
	// NFKC first turns compatibility forms (fullwidth letters, ligatures, ²) into plain ones.
	f := Fold(norm.NFKC.String(s))
	out := make([]byte, 0, MaxSlugLen+8)
	wordStart := -1 // index in out where the current word starts; -1 between words
	for _, r := range f {
		var spell string
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
		case slugIgnores(r):
			continue
		default:
			if spell = slugSpelling(r); spell == "" {
				wordStart = -1
				continue
			}
		}
		if wordStart < 0 {
			if len(out) > 0 {
				out = append(out, '-')
			}
			wordStart = len(out)
		}
		if spell != "" {
			out = append(out, spell...)
		} else {
			out = append(out, byte(r))
		}
		if len(out) > MaxSlugLen {
			if wordStart == 0 {
				out = out[:MaxSlugLen]
			} else {
				out = out[:wordStart-1]
			}
			break
		}
	}
	return string(out)
}

// SlugOr returns Slug(s), or fallback (typically the record's id) when that is empty, so
// that a URL always has a slug.
func SlugOr(s, fallback string) string {
	if slug := Slug(s); slug != "" {
		return slug
	}
	return fallback
}
