package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Toned vowels, by tone: huyền (grave), sắc (acute), hỏi (hook), ngã (tilde), nặng (dot).
const (
	tonedA  = "àáảãạ"
	tonedAU = "ÀÁẢÃẠ"
	tonedE  = "èéẻẽẹ"
	tonedEU = "ÈÉẺẼẸ"
	tonedY  = "ỳýỷỹỵ"
	tonedYU = "ỲÝỶỸỴ"
	tonedO  = "òóỏõọ"
	tonedOU = "ÒÓỎÕỌ"
	tonedU  = "ùúủũụ"
	tonedUU = "ÙÚỦŨỤ"
)

// toneIndex returns the position (0..4) of r in the toned-vowel string set, or -1.
func toneIndex(set string, r rune) int {
	i := 0
	for _, c := range set {
		if c == r {
			return i
		}
		i++
	}
	return -1
}

// nthRune returns the n-th rune of set.
func nthRune(set string, n int) rune {
	for _, c := range set {
		if n == 0 {
			return c
		}
		n--
	}
	return utf8.RuneError
}

// splitToned reports the base vowel (a, e, y, keeping case) and tone of a toned a, e or y.
func splitToned(r rune) (base rune, tone int) {
	for _, f := range [...]struct {
		set  string
		base rune
	}{{tonedA, 'a'}, {tonedAU, 'A'}, {tonedE, 'e'}, {tonedEU, 'E'}, {tonedY, 'y'}, {tonedYU, 'Y'}} {
		if t := toneIndex(f.set, r); t >= 0 {
			return f.base, t
		}
	}
	return 0, -1
}

// isOnset reports whether s (any case) is empty or a Vietnamese initial consonant that can
// come before oa, oe or uy. "q" is not one: in "quy", "qua" the u belongs to the consonant
// qu (quý stays quý).
func isOnset(s string) bool {
	var buf [4]byte
	n := 0
	for _, r := range s {
		switch {
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		case r == 'Đ' || r == 'đ':
			r = 'D' // stands for đ in buf: ASCII D does not occur after lower-casing
		case r >= utf8.RuneSelf:
			return false
		}
		if n == len(buf) {
			return false
		}
		buf[n] = byte(r)
		n++
	}
	switch string(buf[:n]) {
	case "", "b", "c", "ch", "d", "D", "g", "gh", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
		"nh", "p", "ph", "r", "s", "t", "th", "tr", "v", "x":
		return true
	}
	return false
}

// isWordRune reports whether r belongs to a word for CanonicalTone's syllable boundaries.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r)
}

// CanonicalTone puts the tone mark of open syllables ending in oa, oe or uy on the first
// vowel, so that both spellings in use compare equal: hoà → hòa, khoẻ → khỏe, thuỷ → thủy,
// Thanh Hoá → Thanh Hóa. The canonical form chosen is the traditional placement ("kiểu
// cũ": hòa, khỏe, thủy, Khánh Hòa), which most Vietnamese news text and place names use;
// keyboards call the other one (hoà, khoẻ, thuỷ) "kiểu mới". Only a syllable whose whole
// rhyme is oa, oe or uy changes: with a final sound the tone sits on the second vowel in
// both styles (hoàng, loạn, ngoài, huýt stay), and the u of qu is part of the consonant
// (quý, quả stay). Case is preserved. The result is NFC; apply it after Normalize.
func CanonicalTone(s string) string {
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	last := 0 // s[:last] is already in b
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		next := i + size
		if r < 0xC0 {
			i = next
			continue
		}
		base, tone := splitToned(r)
		if tone < 0 {
			i = next
			continue
		}
		if next < len(s) {
			if nr, _ := utf8.DecodeRuneInString(s[next:]); isWordRune(nr) {
				i = next
				continue
			}
		}
		// The vowel before: o before a and e, u before y.
		v, vsize := utf8.DecodeLastRuneInString(s[:i])
		var first string
		switch {
		case (base == 'a' || base == 'A' || base == 'e' || base == 'E') && v == 'o':
			first = tonedO
		case (base == 'a' || base == 'A' || base == 'e' || base == 'E') && v == 'O':
			first = tonedOU
		case (base == 'y' || base == 'Y') && v == 'u':
			first = tonedU
		case (base == 'y' || base == 'Y') && v == 'U':
			first = tonedUU
		default:
			i = next
			continue
		}
		vStart := i - vsize
		// The onset: at most three letters back to the start of the word.
		onsetStart := vStart
		for n := 0; ; n++ {
			pr, psize := utf8.DecodeLastRuneInString(s[:onsetStart])
			if onsetStart == 0 || !isWordRune(pr) {
				break
			}
			if n == 3 {
				onsetStart = -1
				break
			}
			onsetStart -= psize
		}
		if onsetStart < 0 || !isOnset(s[onsetStart:vStart]) {
			i = next
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s) + 8)
		}
		b.WriteString(s[last:vStart])
		b.WriteRune(nthRune(first, tone))
		b.WriteRune(base)
		last = next
		i = next
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
