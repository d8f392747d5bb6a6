package handlers

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"toasoan/db"
)

func testJPEG(t *testing.T, w, h int, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{shade, uint8(x), uint8(y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts one file to the media library, as the editor's script does (JSON) or as
// the library's form does.
func (b *adminBrowser) upload(filename string, data []byte, asJSON bool) (*http.Response, string) {
	b.t.Helper()
	ctype, body := adminMultipart(b.t, nil, "file", filename, data)
	h := http.Header{"Sec-Fetch-Site": {"same-origin"}}
	if asJSON {
		h.Set("Accept", "application/json")
	}
	return b.send(http.MethodPost, "/admin/anh", ctype, body, h)
}

func countMedia(t *testing.T, s *adminSite) int {
	var n int
	if err := s.app.DB.Reader().QueryRow(`SELECT count(*) FROM media`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUploadServeAndDeduplicate(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	author := s.loginAs(t, db.RoleAuthor)
	pic := testJPEG(t, 1400, 700, 10)
	// Named .png but a JPEG: the content decides.
	r, body := author.upload("anh.png", pic, true)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("upload: %d %s", r.StatusCode, body)
	}
	var rep uploadReply
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.ID == 0 || rep.URL != "/media/"+strconv.FormatInt(rep.ID, 10)+"?w=960" || rep.Width != 1400 || rep.Height != 700 {
		t.Fatalf("reply %+v", rep)
	}
	// Same picture again: same id, no new row.
	r, body = author.upload("lan-hai.jpg", pic, true)
	var rep2 uploadReply
	json.Unmarshal([]byte(body), &rep2)
	if r.StatusCode != http.StatusOK || rep2.ID != rep.ID || countMedia(t, s) != 1 {
		t.Errorf("duplicate upload: %d id %d vs %d, %d rows", r.StatusCode, rep2.ID, rep.ID, countMedia(t, s))
	}
	// Served to anyone, with long caching; ?w= picks the copy.
	for _, c := range []struct {
		q     string
		width int
	}{{"", 1400}, {"?w=960", 960}, {"?w=300", 320}, {"?w=1000", 1280}, {"?w=5000", 1400}} {
		resp, data := s.get(t, "/media/"+strconv.FormatInt(rep.ID, 10)+c.q)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || resp.Header.Get("ETag") == "" {
			t.Fatalf("GET media%s: %d %v", c.q, resp.StatusCode, resp.Header)
		}
		cfg, err := jpeg.DecodeConfig(strings.NewReader(data))
		if err != nil || cfg.Width != c.width {
			t.Errorf("media%s is %d wide, want %d (%v)", c.q, cfg.Width, c.width, err)
		}
		resp, _ = s.do(t, http.MethodGet, "/media/"+strconv.FormatInt(rep.ID, 10)+c.q, http.Header{"If-None-Match": {resp.Header.Get("ETag")}})
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("revalidation: %d", resp.StatusCode)
		}
	}
	for _, p := range []string{"/media/abc", "/media/0", "/media/999", "/media/1?w=abc", "/media/1?w=-5", "/media/..%2f..%2fetc%2fpasswd"} {
		resp, _ := s.get(t, p)
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
	}
	// The library page lists it; the plain form redirects back with a notice.
	r, _ = author.upload("khac.jpg", testJPEG(t, 200, 100, 99), false)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/anh" {
		t.Errorf("form upload: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	_, page := author.get("/admin/anh")
	if n := len(find(parse(t, page), byTag("img"))); n != 2 {
		t.Errorf("library shows %d images", n)
	}
	if acts := strings.Join(s.auditActions(t), " "); strings.Count(acts, "media.upload") != 2 {
		t.Errorf("audit: %s", acts)
	}
}

func TestUploadAttacks(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	var bomb bytes.Buffer
	png.Encode(&bomb, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := bomb.Bytes()
	// Claim 60000×60000 in the header: refused before any decoding.
	copy(b[16:24], []byte{0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60})
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	cases := []struct {
		name, file string
		data       []byte
		status     int
		want       string
	}{
		{"svg with script", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 415, "SVG"},
		{"svg named jpg", "anh.jpg", []byte(`<svg onload="alert(1)"></svg>`), 415, "SVG"},
		{"html named png", "anh.png", []byte(`<html><script>alert(document.cookie)</script></html>`), 415, "HTML"},
		{"exe named gif", "anh.gif", append([]byte("MZ\x90\x00"), make([]byte, 200)...), 415, "chương trình"},
		{"bomb", "bom.png", b, 415, "vượt giới hạn"},
		{"polyglot gif", "x.gif", []byte("GIF89a/*\x00\x00*/=1;alert(1)//"), 415, ""},
		{"path traversal name", "../../etc/passwd", []byte("root:x:0:0"), 415, "không được hỗ trợ"},
		{"too big", "to.jpg", make([]byte, maxUploadBytes+10), 413, "quá lớn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, body := editor.upload(c.file, c.data, true)
			var rep uploadReply
			json.Unmarshal([]byte(body), &rep)
			if r.StatusCode != c.status || !strings.Contains(rep.Error, c.want) || rep.Error == "" {
				t.Errorf("%d %q, want %d with %q", r.StatusCode, rep.Error, c.status, c.want)
			}
			// The form upload shows the same message on the library page.
			r, page := editor.upload(c.file, c.data, false)
			if r.StatusCode != c.status {
				t.Errorf("form upload: %d", r.StatusCode)
			}
			if c.status != 413 {
				if errs := find(parse(t, page), byClass("form-error")); len(errs) == 0 || !strings.Contains(text(errs[0]), c.want) {
					t.Errorf("library page lacks the message")
				}
			}
		})
	}
	if n := countMedia(t, s); n != 0 {
		t.Errorf("%d media stored from attacks", n)
	}
	// No file at all.
	ctype, body := adminMultipart(t, url.Values{"x": {"y"}}, "", "", nil)
	r, _ := editor.send(http.MethodPost, "/admin/anh", ctype, body, http.Header{"Sec-Fetch-Site": {"same-origin"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("no file: %d", r.StatusCode)
	}
	// Cross-site upload refused.
	ctype, body = adminMultipart(t, nil, "file", "a.jpg", testJPEG(t, 10, 10, 1))
	r, _ = editor.send(http.MethodPost, "/admin/anh", ctype, body, http.Header{"Sec-Fetch-Site": {"cross-site"}})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site upload: %d", r.StatusCode)
	}
}

func TestCoverImageFromEditorForm(t *testing.T) {
	t.Parallel()
	s := newAdminSite(t, Config{})
	editor := s.loginAs(t, db.RoleEditor)
	f := newArticleForm("Bài có ảnh đại diện")
	f.Set("cover_alt", "Cây cầu lúc hoàng hôn")
	ctype, body := adminMultipart(t, f, "cover_file", "bia.jpg", testJPEG(t, 800, 450, 50))
	r, _ := editor.send(http.MethodPost, "/admin/bai-viet", ctype, body, http.Header{"Sec-Fetch-Site": {"same-origin"}})
	m := articleLocation.FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("create with cover: %d", r.StatusCode)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	a := s.article(t, id)
	if a.CoverMediaID == 0 || a.CoverAlt != "Cây cầu lúc hoàng hôn" {
		t.Fatalf("cover %d %q", a.CoverMediaID, a.CoverAlt)
	}
	// A second article takes the same picture by its library number; clearing the field
	// removes it.
	g := newArticleForm("Bài dùng lại ảnh")
	g.Set("cover_media_id", strconv.FormatInt(a.CoverMediaID, 10))
	id2 := createArticle(t, editor, g)
	if got := s.article(t, id2).CoverMediaID; got != a.CoverMediaID {
		t.Errorf("cover by number: %d", got)
	}
	g.Set("cover_media_id", "")
	g.Set("version", "1")
	if r, _ := editor.post("/admin/bai-viet/"+strconv.FormatInt(id2, 10), g); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear cover: %d", r.StatusCode)
	}
	if got := s.article(t, id2).CoverMediaID; got != 0 {
		t.Errorf("cover after clearing: %d", got)
	}
	// An SVG as cover: 422 with the message, nothing written.
	f.Set("form_token", "other")
	ctype, body = adminMultipart(t, f, "cover_file", "bia.svg", []byte(`<svg onload="alert(1)"/>`))
	r, page := editor.send(http.MethodPost, "/admin/bai-viet", ctype, body, http.Header{"Sec-Fetch-Site": {"same-origin"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "SVG") {
		t.Errorf("svg cover: %d", r.StatusCode)
	}
}
