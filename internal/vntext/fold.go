package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold tables. An entry is the folded rune, foldDrop (the rune disappears) or foldSlow (the
// rune folds to several runes; take the general path). foldLow covers ASCII, Latin-1,
// Latin Extended-A/B and the combining diacritics; foldExt covers Latin Extended
// Additional (U+1E00–U+1EFF), where most precomposed Vietnamese letters live.
const (
	foldLowEnd = 0x370
	foldExtLo  = 0x1E00
	foldExtHi  = 0x1F00
	foldDrop   = -1
	foldSlow   = -2
)

var foldLow, foldExt = buildFoldTables()

// buildFoldTables fills the fold tables from the general rule, once, at start-up.
func buildFoldTables() (low [foldLowEnd]int32, ext [foldExtHi - foldExtLo]int32) {
	entry := func(r rune) int32 {
		f := string(appendFoldRune(nil, r, string(r)))
		switch utf8.RuneCountInString(f) {
		case 0:
			return foldDrop
		case 1:
			fr, _ := utf8.DecodeRuneInString(f)
			return fr
		}
		return foldSlow
	}
	for r := range rune(foldLowEnd) {
		low[r] = entry(r)
	}
	for r := rune(foldExtLo); r < foldExtHi; r++ {
		ext[r-foldExtLo] = entry(r)
	}
	return low, ext
}

// isDStroke reports whether r is a d with a stroke (or a look-alike used for it in old
// encodings): Đ đ, Icelandic Ð ð, African Ɖ ɖ. None has a canonical decomposition.
func isDStroke(r rune) bool {
	switch r {
	case 'Đ', 'đ', 'Ð', 'ð', 'Ɖ', 'ɖ':
		return true
	}
	return false
}

// Hangul syllables decompose algorithmically (Unicode §3.12), not through the tables.
const (
	hangulBase  = 0xAC00
	hangulCount = 11172
	hangulL     = 0x1100
	hangulV     = 0x1161
	hangulT     = 0x11A7
	hangulNV    = 21
	hangulNT    = 28
)

// appendFoldRune appends the fold of r, whose UTF-8 encoding is src, to b: the
// canonical decomposition with combining marks dropped, lower-cased, d with stroke → d.
func appendFoldRune(b []byte, r rune, src string) []byte {
	if r >= hangulBase && r < hangulBase+hangulCount {
		i := r - hangulBase
		b = utf8.AppendRune(b, hangulL+i/(hangulNV*hangulNT))
		b = utf8.AppendRune(b, hangulV+(i%(hangulNV*hangulNT))/hangulNT)
		if t := i % hangulNT; t != 0 {
			b = utf8.AppendRune(b, hangulT+t)
		}
		return b
	}
	if d := norm.NFD.PropertiesString(src).Decomposition(); d != nil {
		for len(d) > 0 {
			dr, size := utf8.DecodeRune(d)
			d = d[size:]
			b = appendFoldSimple(b, dr)
		}
		return b
	}
	return appendFoldSimple(b, r)
}

// appendFoldSimple folds a rune that has no canonical decomposition.
func appendFoldSimple(b []byte, r rune) []byte {
	switch {
	case unicode.Is(unicode.M, r):
		return b
	case isDStroke(r):
		return append(b, 'd')
	}
	return utf8.AppendRune(b, unicode.ToLower(r))
}

// foldFixed reports whether the rune r, encoded as src (size bytes), folds to itself.
func foldFixed(r rune, size int, src string) bool {
	switch {
	case r < foldLowEnd:
		return foldLow[r] == r
	case r >= foldExtLo && r < foldExtHi:
		return foldExt[r-foldExtLo] == r
	case r == utf8.RuneError:
		return size > 1
	case r >= hangulBase && r < hangulBase+hangulCount:
		return false
	}
	return !unicode.Is(unicode.M, r) && unicode.ToLower(r) == r &&
		norm.NFD.PropertiesString(src).Decomposition() == nil
}

// Fold returns s reduced for matching, never for display: lower case, every tone and vowel
// mark removed (ă â ê ô ơ ư → a a e o o u), đ/Đ → d (also the look-alikes Ð and Ɖ that old
// encodings produce), and likewise for other scripts: the canonical decomposition is taken
// and every combining mark (category M) dropped, so NFC and NFD spellings fold alike.
// Invalid UTF-8 becomes U+FFFD. Fold is idempotent and returns s itself, without
// allocating, when there is nothing to change.
func Fold(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !foldFixed(r, size, s[i:i+size]) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}

	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	var tmp [4 * utf8.UTFMax]byte
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		var f int32 = foldSlow
		switch {
		case r < foldLowEnd:
			f = foldLow[r]
		case r >= foldExtLo && r < foldExtHi:
			f = foldExt[r-foldExtLo]
		}
		switch f {
		case foldDrop:
		case foldSlow:
			b.Write(appendFoldRune(tmp[:0], r, s[i:i+size]))
		default:
			b.WriteRune(f)
		}
		i += size
	}
	return b.String()
}

// ContainsFolded reports whether needle occurs in haystack once both are folded (case and
// accents ignored). Meant for small in-memory filters; an empty needle always matches.
func ContainsFolded(haystack, needle string) bool {
	return strings.Contains(Fold(haystack), Fold(needle))
}
