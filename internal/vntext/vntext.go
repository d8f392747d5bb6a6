// Package vntext owns the project's Vietnamese text handling: NFC normalization and cleanup
// of user input, accent and case folding for search and matching (đ→d included), URL
// slugs, Vietnamese collation, tone-mark placement, and Vietnamese date, time and number
// formatting. Everything here is a pure function: no I/O and no mutable global state.
package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// isZeroWidth reports whether r is an invisible character that Normalize removes.
func isZeroWidth(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD':
		return true
	}
	// Bidirectional controls can visually reorder a comment's text (a spoofing trick), and
	// Vietnamese text never needs them.
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F'
}

// isLineBreak reports whether r ends a line for NormalizeMultiline (\r is handled apart).
func isLineBreak(r rune) bool {
	return r == '\n' || r == '\u0085' || r == '\u2028' || r == '\u2029'
}

// Normalize cleans a single-line field: NFC, zero-width and control characters removed,
// every run of whitespace (tabs, newlines, NBSP and other Unicode spaces) turned into one
// ASCII space, and leading and trailing space trimmed. Invalid UTF-8 becomes U+FFFD.
func Normalize(s string) string {
	if isCleanLine(s) && norm.NFC.IsNormalString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case isZeroWidth(r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	// NFC last: removing a character can bring a letter and a combining mark together.
	return norm.NFC.String(b.String())
}

// isCleanLine reports whether s is already what Normalize produces, NFC aside.
func isCleanLine(s string) bool {
	prevSpace := true // a leading space is not clean
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ':
				if prevSpace {
					return false
				}
				prevSpace = true
			case c < ' ' || c == 0x7F:
				return false
			default:
				prevSpace = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || isZeroWidth(r) || unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
		prevSpace = false
		i += size
	}
	return !prevSpace || s == ""
}

// NormalizeMultiline cleans a multi-line field such as a comment body: like Normalize
// within each line, but \r\n, \r, NEL, U+2028 and U+2029 become \n, each line is trimmed,
// more than one blank line in a row becomes one, and leading and trailing blank lines go.
func NormalizeMultiline(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	newlines := 0 // line breaks seen since the last written character
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == '\r' {
			if i < len(s) && s[i] == '\n' {
				i++
			}
			r = '\n'
		}
		switch {
		case isLineBreak(r):
			if b.Len() > 0 {
				newlines++
			}
			space = false
			continue
		case isZeroWidth(r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0 && newlines == 0
			continue
		case unicode.IsControl(r):
			continue
		}
		switch {
		case newlines > 0:
			b.WriteString("\n\n"[:min(newlines, 2)])
			newlines = 0
		case space:
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// CharCount returns the length of s in characters for length limits: runes after NFC, so
// NFD input is not counted twice.
func CharCount(s string) int {
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	return utf8.RuneCountInString(s)
}
