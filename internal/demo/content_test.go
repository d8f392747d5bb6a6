package demo

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// phoneRE matches Vietnamese phone-number shapes such as 0912345678,
// 0912 345 678 or 0912.345.678, which the demo text must never contain.
var phoneRE = regexp.MustCompile(`(^|\D)0\d{2,3}[ .-]?\d{3}[ .-]?\d{3,4}(\D|$)`)

// checkText reports an empty, non-NFC or badly spaced text field.
func checkText(t *testing.T, where, s string) {
	t.Helper()
	if strings.TrimSpace(s) == "" {
		t.Errorf("%s: empty", where)
		return
	}
	if !norm.NFC.IsNormalString(s) {
		t.Errorf("%s: not NFC: %q", where, s)
	}
	if s != strings.TrimSpace(s) {
		t.Errorf("%s: leading or trailing space: %q", where, s)
	}
	if strings.Contains(s, "  ") {
		t.Errorf("%s: double space: %q", where, s)
	}
	if phoneRE.MatchString(s) {
		t.Errorf("%s: looks like it contains a phone number: %q", where, s)
	}
}

func TestSections(t *testing.T) {
	if len(Sections) != 6 {
		t.Fatalf("got %d sections, want 6", len(Sections))
	}
	seen := map[string]bool{}
	for i, s := range Sections {
		if !slugRE.MatchString(s.Slug) {
			t.Errorf("section %d: bad slug %q", i, s.Slug)
		}
		if seen[s.Slug] {
			t.Errorf("section %d: duplicate slug %q", i, s.Slug)
		}
		seen[s.Slug] = true
		checkText(t, fmt.Sprintf("section %q name", s.Slug), s.Name)
	}
}

func TestArticles(t *testing.T) {
	if len(Articles) < 48 {
		t.Fatalf("got %d articles, want at least 48", len(Articles))
	}
	sections := map[string]int{}
	for _, s := range Sections {
		sections[s.Slug] = 0
	}
	titles := map[string]int{}
	times := map[[3]int]int{}
	withComments, old, today := 0, 0, 0
	for i, a := range Articles {
		where := fmt.Sprintf("article %d (%s)", i, a.Title)
		if _, ok := sections[a.Section]; !ok {
			t.Errorf("%s: unknown section %q", where, a.Section)
		} else {
			sections[a.Section]++
		}
		checkText(t, where+" title", a.Title)
		checkText(t, where+" lead", a.Lead)
		checkText(t, where+" byline", a.Byline)
		if n := len(strings.Fields(a.Title)); n < 8 || n > 20 {
			t.Errorf("%s: title has %d words, want 8..20", where, n)
		}
		if j, dup := titles[a.Title]; dup {
			t.Errorf("%s: same title as article %d", where, j)
		}
		titles[a.Title] = i
		if n := len(a.Paragraphs); n < 3 || n > 7 {
			t.Errorf("%s: %d paragraphs, want 3..7", where, n)
		}
		for k, p := range a.Paragraphs {
			checkText(t, fmt.Sprintf("%s paragraph %d", where, k), p)
		}
		if a.DaysAgo < 0 || a.DaysAgo > 730 {
			t.Errorf("%s: DaysAgo %d out of 0..730", where, a.DaysAgo)
		}
		if a.DaysAgo >= 365 {
			old++
		}
		if a.DaysAgo == 0 {
			today++
		}
		if a.Hour < 6 || a.Hour > 22 {
			t.Errorf("%s: Hour %d out of 6..22", where, a.Hour)
		}
		if a.Minute < 0 || a.Minute > 59 {
			t.Errorf("%s: Minute %d out of 0..59", where, a.Minute)
		}
		key := [3]int{a.DaysAgo, a.Hour, a.Minute}
		if j, dup := times[key]; dup {
			t.Errorf("%s: same publish time as article %d", where, j)
		}
		times[key] = i
		if a.Views < 50 || a.Views > 25000 {
			t.Errorf("%s: Views %d out of 50..25000", where, a.Views)
		}
		if len(a.Comments) > 4 {
			t.Errorf("%s: %d comments, want at most 4", where, len(a.Comments))
		}
		if len(a.Comments) > 0 {
			withComments++
		}
		for k, c := range a.Comments {
			cw := fmt.Sprintf("%s comment %d", where, k)
			checkText(t, cw+" name", c.Name)
			checkText(t, cw+" title", c.Title)
			for _, line := range strings.Split(c.Body, "\n") {
				checkText(t, cw+" body line", line)
			}
			if c.HoursAfter < 0 {
				t.Errorf("%s: negative HoursAfter %d", cw, c.HoursAfter)
			}
		}
	}
	for slug, n := range sections {
		if n == 0 {
			t.Errorf("section %q has no articles", slug)
		}
	}
	if old == 0 {
		t.Error("no article is at least 365 days old")
	}
	if today == 0 {
		t.Error("no article is published today (DaysAgo 0)")
	}
	if withComments < 15 {
		t.Errorf("%d articles have comments, want at least 15", withComments)
	}
}

// TestSearchWords makes sure the words the search feature is demonstrated
// with occur in the demo text (exact, case-sensitive substrings).
func TestSearchWords(t *testing.T) {
	words := []string{
		"chất độc da cam",
		"Đà Nẵng",
		"đường",
		"dương",
		"hòa",
		"Hai Bà Trưng",
		"Tết vì người nghèo",
	}
	for _, w := range words {
		if !norm.NFC.IsNormalString(w) {
			t.Fatalf("search word %q is not NFC", w)
		}
		found := false
		for _, a := range Articles {
			texts := append([]string{a.Title, a.Lead}, a.Paragraphs...)
			for _, s := range texts {
				if strings.Contains(s, w) {
					found = true
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			t.Errorf("no article contains %q", w)
		}
	}
}
