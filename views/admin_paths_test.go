package views

import (
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"text/template/parse"
)

// trees parses one template text with the real funcs and returns its parse trees.
func trees(t *testing.T, text string) map[string]*parse.Tree {
	t.Helper()
	tpl, err := template.New("t").Funcs(template.FuncMap{"adminPath": adminPath}).Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*parse.Tree{}
	for _, tt := range tpl.Templates() {
		out[tt.Name()] = tt.Tree
	}
	return out
}

// TestAdminPathCheckedAtParse: a misspelt name, a name given as a variable or a wrong
// number of ids is refused when templates are checked at start-up, not at render time.
func TestAdminPathCheckedAtParse(t *testing.T) {
	for text, want := range map[string]string{
		`<a href="{{adminPath "artcles"}}">`:                                     `unknown admin path "artcles"`,
		`{{define "x"}}{{if .}}<a href="{{adminPath "article"}}">{{end}}{{end}}`: `needs 1 args, got 0`,
		`<a href="{{adminPath "articles" .ID}}">`:                                `needs 0 args, got 1`,
		`{{with .}}<a href="{{adminPath .Name}}">{{end}}`:                        `must be a string constant`,
	} {
		err := checkAdminPaths(trees(t, text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", text, err, want)
		}
	}
	if err := checkAdminPaths(trees(t, `{{range .}}<a href="{{adminPath "commentAction" .ID "duyet"}}">{{end}}`)); err != nil {
		t.Errorf("valid call refused: %v", err)
	}
}

// TestAdminURLFillsWildcards: ids and words go into the wildcards in order.
func TestAdminURLFillsWildcards(t *testing.T) {
	for got, want := range map[string]string{
		AdminURL(AdminArticles):                            "/admin/bai-viet",
		AdminURL(AdminArticle, int64(42)):                  "/admin/bai-viet/42",
		AdminURL(AdminArticleRevisionRestore, int64(7), 3): "/admin/bai-viet/7/phien-ban/3/khoi-phuc",
		AdminURL(AdminCommentAction, int64(5), "tu-choi"):  "/admin/binh-luan/5/tu-choi",
		AdminURL(AdminMediaItem, "9"):                      "/admin/anh/9",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if _, err := adminPath("khong-co"); err == nil {
		t.Error("adminPath accepted an unknown name")
	}
}

// TestEveryTemplateParses: the shipped templates pass the admin path check.
func TestEveryTemplateParses(t *testing.T) {
	if _, err := New(Options{AssetURL: func(s string) string { return s }}); err != nil {
		t.Fatal(err)
	}
}

// TestScriptsHoldNoAdminURLs: the back office's scripts read its URLs from the page
// (data-media-url and the like, written from these constants), so renaming a route
// cannot leave a script posting to the old one.
func TestScriptsHoldNoAdminURLs(t *testing.T) {
	files, err := filepath.Glob("../static/js/*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts found: %v", err)
	}
	literal := regexp.MustCompile(`["'\x60]/admin[/"'\x60?]`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if literal.MatchString(line) {
				t.Errorf("%s:%d holds an admin URL: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
