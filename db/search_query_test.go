package db

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestParseSearchQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw      string
		match    string
		accented bool
	}{
		{"chat doc da cam", `"chat" AND "doc" AND "da" AND "cam" *`, false},
		{"CHẤT ĐỘC DA CAM", `"chat" AND "doc" AND "da" AND "cam" *`, true},
		{norm.NFD.String("chất độc da cam "), `"chat" AND "doc" AND "da" AND "cam"`, true},
		{`"tết vì người nghèo"`, `"tet vi nguoi ngheo"`, true},
		{`“Tết vì người nghèo”`, `"tet vi nguoi ngheo"`, true},
		{`"chat doc`, `"chat doc" *`, false},
		{"Đà Nẵng", `"da" AND "nang" *`, true},
		{"đ", `"d"`, true},
		{"hoà bình", `"hoa" AND "binh" *`, true},
		{"a OR b NOT c NEAR(d e) AND", `"a" AND "or" AND "b" AND "not" AND "c" AND "near" AND "d" AND "e" AND "and" *`, false},
		{`title:đường* ^đầu -x (y) {z} [w]`, `"title" AND "duong" AND "dau" AND "x" AND "y" AND "z" AND "w"`, true},
		{`'; DROP TABLE articles; --`, `"drop" AND "table" AND "articles" *`, false},
		{`"" "*" ***`, ``, false},
		{"", ``, false},
		{"   ", ``, false},
		{"đường đường Đường", `"duong" *`, true},
		{"x", `"x"`, false}, // one letter being typed: whole word, not a prefix scan
	}
	for _, tt := range tests {
		q := ParseSearchQuery(tt.raw)
		if got := q.MatchExpression(); got != tt.match {
			t.Errorf("%q: match %q, want %q", tt.raw, got, tt.match)
		}
		if q.Accented != tt.accented {
			t.Errorf("%q: accented %v, want %v", tt.raw, q.Accented, tt.accented)
		}
	}
	if q := ParseSearchQuery("hoà"); q.Terms[0].Words[0] != "hòa" {
		t.Errorf("tone not placed canonically: %q", q.Terms[0].Words[0])
	}
	many := strings.Repeat("từ ", 10) + strings.Repeat("a b c d e f g h i j k l m n o p q r s ", 3)
	if n := len(ParseSearchQuery(many).Terms); n != maxQueryTerms {
		t.Errorf("%d terms, want at most %d", n, maxQueryTerms)
	}
	if s := ParseSearchQuery(`chất "độc da"  cam`).String(); s != `chất "độc da" cam` {
		t.Errorf("String %q", s)
	}
}

// FuzzSearchQuery feeds arbitrary reader input through the parser into the real FTS5 and
// the highlighter: nothing may error or panic, and highlighting must keep the text intact.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{
		"chat doc da cam", "CHẤT ĐỘC DA CAM", `"tết vì người nghèo"`, `"unclosed`, `a"b"c"d`,
		"NEAR(a b, 3)", "a AND b OR NOT c", "col:term", "^start", "-minus", "(((", ")))", "{a b}: c",
		"*", `"*"`, `""""`, "x*", "\x00\xff\xfe", "đ Đ Ð ɖ", "ǅ ﬁ ß", "  ", "\u200b", "hoà hòa",
		"'; DROP TABLE articles;--", "<script>alert(1)</script>", "١٢٣ ٤", "漢字 かな", "\u0301\u0303",
	} {
		f.Add(s)
	}
	ctx := context.Background()
	d, err := Open(ctx, f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { d.Close() })
	cat, err := d.CreateCategory(ctx, Category{Slug: "a", Name: "A"})
	if err != nil {
		f.Fatal(err)
	}
	_, err = d.CreateArticle(ctx, Article{Slug: "a", Title: "Chất độc da cam ở Đà Nẵng", Lead: "Hòa bình",
		BodyHTML: "<p>Đường dương near and or not</p>", CategoryID: cat, Status: StatusPublished, PublishAt: time.Unix(1, 0)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q := ParseSearchQuery(raw)
		if len(q.Terms) > maxQueryTerms {
			t.Fatalf("%d terms", len(q.Terms))
		}
		if _, err := d.Search(ctx, SearchParams{Query: q, Limit: 10}, time.Now()); err != nil {
			t.Fatalf("search %q (match %q): %v", raw, q.MatchExpression(), err)
		}
		if !q.Empty() {
			var n int
			// The ranking's own expressions too: the phrase, in the title, and NEAR.
			s := q.seq()
			for _, e := range []string{q.MatchExpression(), s.phraseExpression(), "{title} : (" + s.phraseExpression() + ")", s.nearExpression()} {
				if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?`, e).Scan(&n); err != nil {
					t.Fatalf("match %q: %v", e, err)
				}
			}
		}
		// Highlighting the input against itself keeps every byte in order.
		m := newWordMatcher(q)
		text := strings.ToValidUTF8(raw, "?")
		var b strings.Builder
		for _, s := range m.highlightAll(text) {
			b.WriteString(s.Text)
		}
		if b.String() != text {
			t.Fatalf("highlight changed %q into %q", text, b.String())
		}
		for _, s := range m.snippet(text, text) {
			if !utf8.ValidString(s.Text) {
				t.Fatalf("snippet cut a rune: %q", s.Text)
			}
		}
	})
}

func TestExactLevel(t *testing.T) {
	t.Parallel()
	// An article written with the other tone placement, in capitals, still counts as
	// exact; one with only the folded spelling does not.
	f := newExactFinder(ParseSearchQuery("Thanh Hoá ").seq())
	for _, tt := range []struct {
		title string
		want  int
	}{
		{"Thanh Hoa mùa lúa", 0},
		{"Về THANH HÓA", levelPhraseTitle},
		{"Thanh Hoá: hội nghị", levelPhraseTitle},
		{"Thanh hóa học", levelPhraseTitle},
		{"Thanh niên vui. Hoá chất", levelScattered},
		{"Thanh Hoáng", 0}, // a longer word is not the word
	} {
		if got := f.level(tt.title, "", ""); got != tt.want {
			t.Errorf("%q: level %d, want %d", tt.title, got, tt.want)
		}
	}
	if got := f.level("Tin", "", plainText("<p>Về <b>Thanh Hóa</b></p>")); got != levelPhrase {
		t.Errorf("phrase in the body: level %d", got)
	}
	// While typing, the last word may be half written.
	typing := newExactFinder(ParseSearchQuery("Thanh Ho").seq())
	if got := typing.level("Về Thanh Hóa", "", ""); got != levelPhraseTitle {
		t.Errorf("typing: level %d", got)
	}
}

func TestFinishedQuery(t *testing.T) {
	t.Parallel()
	typing := ParseSearchQuery("nông thôn")
	if got := typing.MatchExpression(); got != `"nong" AND "thon" *` {
		t.Fatalf("typing: %s", got)
	}
	if got := typing.Finished().MatchExpression(); got != `"nong" AND "thon"` {
		t.Errorf("finished: %s", got)
	}
	if typing.MatchExpression() != `"nong" AND "thon" *` {
		t.Error("Finished changed the query it was called on")
	}
	for _, raw := range []string{"", "   ", "***", `"hai bà trưng"`, "đà nẵng "} {
		q := ParseSearchQuery(raw)
		if got := q.Finished().MatchExpression(); got != q.MatchExpression() {
			t.Errorf("%q: finished %s, parsed %s", raw, got, q.MatchExpression())
		}
	}
}

// tagRegexp is the definition plainText implements by hand: every tag becomes a space.
var tagRegexp = regexp.MustCompile(`<[^>]*>`)

// FuzzPlainText checks the hand-written tag stripping against its regexp definition, on
// bodies as the editor stores them and on broken markup.
func FuzzPlainText(f *testing.F) {
	for _, s := range []string{
		"<p>Đường liên xã <b>Hòa</b> Bình</p>", "a < b > c", "<a<b>c", "x<", "<p>mở", "&lt;b&gt; &amp; &#39;",
		"<img alt=\"đường\">sau", "", "không thẻ nào", "<<>>", "<p>a</p>\n<p>b</p>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := html.UnescapeString(tagRegexp.ReplaceAllString(s, " "))
		if got := plainText(s); got != want {
			t.Errorf("plainText(%q) = %q, want %q", s, got, want)
		}
	})
}
