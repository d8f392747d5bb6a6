package wxr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"toasoan/db"
)

const fixture = "../cli/testdata/wordpress.xml"

func TestScanFixture(t *testing.T) {
	f, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := Scan(f, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s != (Summary{Authors: 2, Categories: 3, Tags: 1, Items: 10, Posts: 8, Comments: 8, Version: "1.2", BaseSiteURL: "https://baohuyen.example.vn"}) {
		t.Fatalf("summary %+v", s)
	}
}

func TestRecordLimit(t *testing.T) {
	huge := strings.Repeat("A", 2<<20)
	head := `<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>
<item><title>ok</title><wp:post_type>post</wp:post_type></item>
`
	cases := map[string]string{
		"attribute": head + `<item><category domain="category" nicename="` + huge + `">x</category></item></channel></rss>`,
		"text":      head + `<item><title>` + huge + `</title></item></channel></rss>`,
		"skipped":   head + `<wp:tag a="` + huge + `"/></channel></rss>`,
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Scan(strings.NewReader(doc), 1<<20)
			var e *Error
			if !errors.As(err, &e) || e.Line != 4 || !strings.Contains(e.Msg, "1 MiB") && !strings.Contains(e.Msg, "longer than 64 KiB") {
				t.Fatalf("err = %v", err)
			}
		})
	}
	// The same text fits under the default limit.
	if _, err := Scan(strings.NewReader(cases["text"]), 0); err != nil {
		t.Fatalf("default limit: %v", err)
	}
}

// generated is an endless-looking WXR stream made on the fly, so a test can feed a big
// export without a big file or a big buffer.
type generated struct {
	posts, next int
	buf         []byte
	tail        bool
}

func (g *generated) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch {
		case g.next == 0 && !g.tail:
			g.buf = []byte(`<?xml version="1.0" encoding="UTF-8"?><rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><wp:wxr_version>1.2</wp:wxr_version>`)
			g.next = 1
		case g.next <= g.posts:
			body := strings.Repeat("Nội dung bài viết tiếng Việt có dấu. ", 250)
			g.buf = fmt.Appendf(nil, `<item><title>Bài số %d</title><content:encoded><![CDATA[%s]]></content:encoded><wp:post_id>%d</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>`, g.next, body, g.next)
			g.next++
		case !g.tail:
			g.buf = []byte(`</channel></rss>`)
			g.tail = true
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func TestScanMemoryStaysBounded(t *testing.T) {
	// ~40 MB of posts: the heap must stay far below the stream's size.
	g := &generated{posts: 4000}
	runtime.GC() // earlier tests' garbage is not this stream's
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	s, err := Scan(g, 0)
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	if s.Posts != 4000 {
		t.Fatalf("posts %d", s.Posts)
	}
	if p := peak.Load(); p > 24<<20 {
		t.Errorf("heap peaked at %d MiB while streaming ~40 MB", p>>20)
	}
}

func TestImportIsResumableAndIdempotent(t *testing.T) {
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")

	// One run straight through, for reference.
	ref, err := db.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	if _, _, err := ImportFile(ctx, ref, fixture, Options{Location: loc}); err != nil {
		t.Fatal(err)
	}

	// A run stopped after the third item (batches of 2), then run again.
	d, err := db.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cctx, cancel := context.WithCancel(ctx)
	_, first, err := ImportFile(cctx, d, fixture, Options{Location: loc, BatchSize: 2, Progress: func(done, total int) {
		if done == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	if has, err := d.HasArticles(ctx); err != nil || !has {
		t.Fatal("the first committed batch is gone")
	}
	_, second, err := ImportFile(ctx, d, fixture, Options{Location: loc, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if second.AlreadyThere == 0 || second.Articles == 0 {
		t.Errorf("resumed run counts %+v (first %+v)", second, first)
	}
	for _, q := range []string{"articles", "comments", "categories", "users"} {
		a, b := count(t, ref, q), count(t, d, q)
		if a != b {
			t.Errorf("%s: resumed import has %d, straight import %d", q, b, a)
		}
	}
	if got := count(t, d, "articles"); got != 7 {
		t.Errorf("articles %d, want 7", got)
	}
}

func count(t *testing.T, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAutop(t *testing.T) {
	cases := map[string]string{
		"":                             "",
		"Một\n\nHai\nBa":               "<p>Một</p>\n<p>Hai<br />\nBa</p>\n",
		"<h2>Tiêu đề</h2>\n\nĐoạn văn": "<h2>Tiêu đề</h2>\n<p>Đoạn văn</p>\n",
		"<p>Đã có thẻ</p>":             "<p>Đã có thẻ</p>\n",
		"Dòng\r\n\r\nkhác":             "<p>Dòng</p>\n<p>khác</p>\n",
	}
	for in, want := range cases {
		if got := autop(in); got != want {
			t.Errorf("autop(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeNameAndDates(t *testing.T) {
	if got := decodeName("Gi%C3%A1-v%c3%a0ng"); got != "giá-vàng" {
		t.Errorf("decodeName = %q", got)
	}
	if got := decodeName("%zz-bad"); got != "%zz-bad" {
		t.Errorf("bad escape = %q", got)
	}
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	if got := parseDate("2019-12-04 10:57:00", loc); !got.Equal(time.Date(2019, 12, 4, 3, 57, 0, 0, time.UTC)) {
		t.Errorf("local date = %v", got)
	}
	for _, bad := range []string{"0000-00-00 00:00:00", "", "hôm qua", "2019-13-45 99:00:00"} {
		if !parseDate(bad, loc).IsZero() {
			t.Errorf("parseDate(%q) is not zero", bad)
		}
	}
}

func TestImportMemoryStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 1500 articles")
	}
	// ~15 MB export written to a file, imported for real: the heap must not grow with it.
	path := t.TempDir() + "/lon.xml"
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, &generated{posts: 1500}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	d, err := db.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	runtime.GC()
	var peak uint64
	var ms runtime.MemStats
	_, n, err := ImportFile(context.Background(), d, path, Options{Progress: func(done, total int) {
		if done%100 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if n.Articles != 1500 {
		t.Fatalf("imported %+v", n)
	}
	if peak > 40<<20 {
		t.Errorf("heap peaked at %d MiB importing a 15 MB export", peak>>20)
	}
}
