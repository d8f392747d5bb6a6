package handlers

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"golang.org/x/net/html"

	"toasoan/views"
)

// TestMaxlengthFromGoConstants: every maxlen name a template uses is a limit the handlers
// enforce, and the comment form's fields carry the very constants the handler checks.
func TestMaxlengthFromGoConstants(t *testing.T) {
	t.Parallel()
	use := regexp.MustCompile(`maxlen "([^"]+)"`)
	files, err := filepath.Glob("../views/*/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v", err)
	}
	used := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range use.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
			if _, ok := fieldLimits[m[1]]; !ok {
				t.Errorf("%s: maxlen %q is no limit the handlers enforce", f, m[1])
			}
		}
	}
	for name := range fieldLimits {
		if !used[name] {
			t.Errorf("limit %q is used by no template", name)
		}
	}

	s := newCommentSite(t, Config{})
	resp, body := s.get(t, views.ArticlePath(s.art)+"?binh-luan=viet")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("article: %d", resp.StatusCode)
	}
	doc := parse(t, body)
	for name, want := range map[string]int{"name": maxCommentName, "title": maxCommentTitle} {
		in := find(doc, func(n *html.Node) bool { return n.Data == "input" && attr(n, "name") == name })
		if len(in) != 1 || attr(in[0], "maxlength") != strconv.Itoa(want) {
			t.Errorf("comment field %s: maxlength %v, want %d", name, in, want)
		}
	}
}
