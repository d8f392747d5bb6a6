package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"toasoan/internal/wxr"
)

func TestWordPressRedirects(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	_, n, err := wxr.ImportFile(context.Background(), s.app.DB, "../internal/cli/testdata/wordpress.xml", wxr.Options{Location: s.loc})
	if err != nil || n.Articles != 7 {
		t.Fatalf("import: %v %+v", err, n)
	}
	postID := func(wpID string) int64 {
		return s.queryInt(t, `SELECT local_id FROM wordpress_ids WHERE kind='post' AND wp_id=?`, wpID)
	}
	first, gold, second := postID("101"), postID("102"), postID("107")
	art := func(slug string, id int64) string { return "/bai-viet/" + slug + "-" + itoa(id) }
	encodedGold := "/2020/01/" + url.PathEscape("giá-vàng-tăng-mạnh") + "/"

	cases := []struct {
		name, method, path string
		status             int
		location           string
	}{
		{"post id", "GET", "/?p=101", 301, art("tet-vi-nguoi-ngheo", first)},
		{"post id with other params", "GET", "/?utm_source=fb&p=102", 301, art("gia-vang-tang-manh", gold)},
		{"head", "HEAD", "/?p=101", 301, art("tet-vi-nguoi-ngheo", first)},
		{"date permalink", "GET", "/2019/12/tet-vi-nguoi-ngheo/", 301, art("tet-vi-nguoi-ngheo", first)},
		{"date permalink without slash", "GET", "/2019/12/tet-vi-nguoi-ngheo", 301, art("tet-vi-nguoi-ngheo", first)},
		{"day permalink", "GET", "/2019/12/04/tet-vi-nguoi-ngheo/", 301, art("tet-vi-nguoi-ngheo", first)},
		{"same name, other month", "GET", "/2022/06/tet-vi-nguoi-ngheo/", 301, art("tet-vi-nguoi-ngheo-2", second)},
		{"percent-encoded Vietnamese", "GET", encodedGold, 301, art("gia-vang-tang-manh", gold)},
		{"upper-case escapes", "GET", strings.ToUpper(encodedGold[:9]) + strings.ToUpper(encodedGold[9:]), 301, art("gia-vang-tang-manh", gold)},
		{"NFD spelling", "GET", "/2020/01/" + url.PathEscape(norm.NFD.String("giá-vàng-tăng-mạnh")) + "/", 301, art("gia-vang-tang-manh", gold)},
		{"category id", "GET", "/?cat=3", 301, "/chuyen-muc/thoi-su"},
		{"page id", "GET", "/?page_id=200", 301, "/trang/gioi-thieu"},
		{"unknown page id is a 404", "GET", "/?page_id=201", 404, ""},
		{"draft is a 404", "GET", "/?p=103", 404, ""},
		{"scheduled stays hidden", "GET", "/2030/02/le-hoi-2030/", 404, ""},
		{"trashed post is a 404", "GET", "/?p=106", 404, ""},
		{"unknown post is a 404", "GET", "/?p=99999", 404, ""},
		{"unknown category is a 404", "GET", "/?cat=99999", 404, ""},
		// Not a post id at all: the home page, whose canonical URL has no query.
		{"not a number", "GET", "/?p=abc", 301, "/"},
		{"sql injection", "GET", "/?p=" + url.QueryEscape("1 OR 1=1"), 301, "/"},
		{"huge number", "GET", "/?p=99999999999999999999999", 301, "/"},
		{"negative", "GET", "/?p=-101", 301, "/"},
		{"wrong month", "GET", "/2019/11/tet-vi-nguoi-ngheo/", 404, ""},
		{"month 13", "GET", "/2019/13/tet-vi-nguoi-ngheo/", 404, ""},
		{"path traversal", "GET", "/2019/12/..%2f..%2fetc%2fpasswd/", 404, ""},
		{"script in slug", "GET", "/2019/12/%3Cscript%3E/", 404, ""},
		{"post is not redirected", "POST", "/?p=101", 405, ""},
		{"static files still served", "GET", "/static/no/such/file.css", 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, _ := s.do(t, c.method, c.path, nil)
			if resp.StatusCode != c.status || resp.Header.Get("Location") != c.location {
				t.Fatalf("%s %s: %d %q, want %d %q", c.method, c.path, resp.StatusCode, resp.Header.Get("Location"), c.status, c.location)
			}
			if c.status == 301 {
				// The target is the live article page.
				if resp, _ := s.get(t, c.location); resp.StatusCode != http.StatusOK {
					t.Errorf("target %s answers %d", c.location, resp.StatusCode)
				}
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
