package vntext

import "unicode"

// invisible lists the code points that render as nothing although some are letters or
// symbols: Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties.txt, which
// includes the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, the Mongolian vowel
// separator U+180E, variation selectors and the tag characters U+E0000–U+E0FFF) and the
// braille blank U+2800, which fonts draw as an empty cell.
var invisible = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x00AD, Hi: 0x00AD, Stride: 1},
		{Lo: 0x034F, Hi: 0x034F, Stride: 1},
		{Lo: 0x061C, Hi: 0x061C, Stride: 1},
		{Lo: 0x115F, Hi: 0x1160, Stride: 1},
		{Lo: 0x17B4, Hi: 0x17B5, Stride: 1},
		{Lo: 0x180B, Hi: 0x180F, Stride: 1},
		{Lo: 0x200B, Hi: 0x200F, Stride: 1},
		{Lo: 0x202A, Hi: 0x202E, Stride: 1},
		{Lo: 0x2060, Hi: 0x206F, Stride: 1},
		{Lo: 0x2800, Hi: 0x2800, Stride: 1},
		{Lo: 0x3164, Hi: 0x3164, Stride: 1},
		{Lo: 0xFE00, Hi: 0xFE0F, Stride: 1},
		{Lo: 0xFEFF, Hi: 0xFEFF, Stride: 1},
		{Lo: 0xFFA0, Hi: 0xFFA0, Stride: 1},
		{Lo: 0xFFF0, Hi: 0xFFF8, Stride: 1},
	},
	R32: []unicode.Range32{
		{Lo: 0x1BCA0, Hi: 0x1BCA3, Stride: 1},
		{Lo: 0x1D173, Hi: 0x1D17A, Stride: 1},
		{Lo: 0xE0000, Hi: 0xE0FFF, Stride: 1},
	},
}

// IsVisible reports whether r shows something on its own: a letter, digit, punctuation
// mark or symbol that is not one of the blank-rendering code points above. Spaces,
// controls, format characters, combining marks without a base, private-use and
// unassigned code points do not.
func IsVisible(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) && !unicode.Is(invisible, r)
}

// IsBlank reports whether s shows nothing a reader could see: it has no visible rune.
// A required field that IsBlank is empty, however many code points it holds.
func IsBlank(s string) bool {
	for _, r := range s {
		if IsVisible(r) {
			return false
		}
	}
	return true
}
