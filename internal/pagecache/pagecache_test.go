package pagecache

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// compressor makes the pages of tests that need no cache of their own.
var compressor = New(time.Minute, 1<<20, time.Now)

func page(body string) *Page {
	return compressor.NewPage(200, "text/html; charset=utf-8", nil, []byte(body))
}

func TestColdPageRenderedOnce(t *testing.T) {
	c := New(time.Minute, 1<<20, time.Now)
	var renders atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			p, _, err := c.Get("/a", func() (*Page, error) {
				renders.Add(1)
				<-release
				return page("<p>trang</p>"), nil
			})
			if err != nil || string(p.Body) != "<p>trang</p>" {
				t.Error(err)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // let the 64 pile up on the cold key
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Fatalf("rendered %d times for 64 concurrent readers", n)
	}
	if _, hit, _ := c.Get("/a", func() (*Page, error) { t.Fatal("re-rendered a cached page"); return nil, nil }); !hit {
		t.Error("not a hit")
	}
}

func TestInvalidateAndTTL(t *testing.T) {
	c := New(time.Minute, 1<<20, time.Now)
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	n := 0
	render := func() (*Page, error) { n++; return page(strings.Repeat("x", n)), nil }
	a, _, _ := c.Get("/", render)
	b, _, _ := c.Get("/", render)
	if n != 1 || a.ETag != b.ETag {
		t.Fatalf("renders %d", n)
	}
	c.Invalidate()
	d, _, _ := c.Get("/", render)
	if n != 2 || d.ETag == a.ETag {
		t.Fatalf("after Invalidate: renders %d, etag changed %v", n, d.ETag != a.ETag)
	}
	now = now.Add(61 * time.Second)
	c.Get("/", render)
	if n != 3 {
		t.Fatalf("expired page served: renders %d", n)
	}
}

func TestErrorsAndNon200NotCached(t *testing.T) {
	c := New(time.Minute, 1<<20, time.Now)
	if _, _, err := c.Get("/x", func() (*Page, error) { return nil, errors.New("boom") }); err == nil {
		t.Fatal("error swallowed")
	}
	n := 0
	for range 2 {
		c.Get("/missing", func() (*Page, error) { n++; return c.NewPage(404, "text/html", nil, []byte("404")), nil })
	}
	if n != 2 || c.Len() != 0 {
		t.Fatalf("404 cached: renders %d, len %d", n, c.Len())
	}
}

func TestBoundedBytes(t *testing.T) {
	c := New(time.Minute, 10_000, time.Now)
	for i := range 100 {
		key := "/p" + string(rune('a'+i%26)) + strings.Repeat("z", i)
		c.Get(key, func() (*Page, error) { return page(strings.Repeat("đ", 1000)), nil })
	}
	if c.bytes > 10_000 {
		t.Fatalf("holds %d bytes over a 10,000 limit", c.bytes)
	}
	if c.Len() == 0 {
		t.Fatal("evicted everything")
	}
}

// TestGzipCopy: each page's gzip copy is that page, also when pages are compressed one
// after another and at once (the compressors are reused).
func TestGzipCopy(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			body := strings.Repeat("Bài viết số "+strconv.Itoa(i)+" về nông thôn mới. ", 50+i)
			p := page(body)
			if p.Gzip == nil {
				t.Error("no gzip copy for a compressible page")
				return
			}
			zr, err := gzip.NewReader(bytes.NewReader(p.Gzip))
			if err != nil {
				t.Error(err)
				return
			}
			if got, _ := io.ReadAll(zr); string(got) != body {
				t.Errorf("gzip copy of page %d differs", i)
			}
		})
	}
	wg.Wait()
	if page("ngắn").Gzip != nil {
		t.Error("tiny page compressed")
	}
}

// TestPagesHoldNoSpareCapacity: a render buffer grown by doubling holds up to twice the
// page; the cache must keep only the page, or its byte budget understates its memory.
func TestPagesHoldNoSpareCapacity(t *testing.T) {
	var buf bytes.Buffer
	for i := range 2000 {
		fmt.Fprintf(&buf, "<p>Đoạn %d của bài viết về nông thôn mới, xã %d.</p>\n", i, i*7919%1000)
	}
	rendered := buf.Bytes()
	if cap(rendered) < len(rendered)*5/4 {
		t.Fatalf("the test's buffer has no spare capacity (%d of %d): it proves nothing", len(rendered), cap(rendered))
	}
	p := compressor.NewPage(200, "text/html; charset=utf-8", nil, rendered)
	if cap(p.Body) > len(p.Body)*9/8 {
		t.Errorf("cached body keeps %d bytes for a %d-byte page", cap(p.Body), len(p.Body))
	}
	if p.Gzip == nil || cap(p.Gzip) > len(p.Gzip)*9/8+8192 {
		t.Errorf("gzip copy keeps %d bytes for %d", cap(p.Gzip), len(p.Gzip))
	}
	rendered[0] = 'X' // the render buffer is reused: the cached page must not change with it
	if p.Body[0] != '<' {
		t.Error("cached body shares the render buffer")
	}
}

// TestInvalidateTag retires only the pages of one tag, and a page of that tag whose
// render began before the invalidation is handed out but not kept.
func TestInvalidateTag(t *testing.T) {
	c := New(time.Minute, 1<<20, time.Now)
	renders := map[string]int{}
	get := func(key string, tag int64) {
		t.Helper()
		_, _, err := c.Get(key, func() (*Page, error) {
			renders[key]++
			p := page("<p>" + key + "</p>")
			p.Tag = tag
			return p, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		get("/bai-viet/a-1", 1)
		get("/bai-viet/1/binh-luan", 1)
		get("/bai-viet/b-2", 2)
		get("/", 0)
	}
	c.InvalidateTag(1)
	for range 2 {
		get("/bai-viet/a-1", 1)
		get("/bai-viet/1/binh-luan", 1)
		get("/bai-viet/b-2", 2)
		get("/", 0)
	}
	want := map[string]int{"/bai-viet/a-1": 2, "/bai-viet/1/binh-luan": 2, "/bai-viet/b-2": 1, "/": 1}
	for k, n := range want {
		if renders[k] != n {
			t.Errorf("%s rendered %d times, want %d", k, renders[k], n)
		}
	}

	// A render racing an invalidation of its tag.
	started, release := make(chan struct{}), make(chan struct{})
	c.InvalidateTag(2)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Get("/bai-viet/b-2", func() (*Page, error) {
			close(started)
			<-release
			p := page("<p>old</p>")
			p.Tag = 2
			return p, nil
		})
	}()
	<-started
	c.InvalidateTag(2) // the comment approved while the page was being rendered
	// A reader arriving now must not be handed the render that began before the write.
	late := make(chan string)
	go func() {
		p, _, _ := c.Get("/bai-viet/b-2", func() (*Page, error) { q := page("<p>after</p>"); q.Tag = 2; return q, nil })
		late <- string(p.Body)
	}()
	select {
	case got := <-late:
		if got != "<p>after</p>" {
			t.Errorf("a reader after the write got %q", got)
		}
		close(release)
	case <-time.After(5 * time.Second):
		close(release)
		t.Errorf("a reader after the write waited for the render from before it, and got %q", <-late)
	}
	<-done
	if p, _, _ := c.Get("/bai-viet/b-2", func() (*Page, error) { return page("<p>new</p>"), nil }); string(p.Body) == "<p>old</p>" {
		t.Error("a page rendered before its tag was retired was kept")
	}
}

// TestInvalidateTagAfter: a burst of reader comments retires a thread's page at most once
// per grace, a page is never more than grace behind the first write it lacks, and an
// immediate retirement (a moderator removing a comment) still takes effect at once.
func TestInvalidateTagAfter(t *testing.T) {
	const grace = time.Second
	c := New(time.Minute, 1<<20, time.Now)
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	renders := 0
	get := func() string {
		t.Helper()
		p, _, err := c.Get("/bai-viet/a-1", func() (*Page, error) {
			renders++
			p := page("<p>" + strconv.Itoa(renders) + "</p>")
			p.Tag = 1
			return p, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return string(p.Body)
	}
	other := 0
	getOther := func() {
		c.Get("/bai-viet/b-2", func() (*Page, error) { other++; p := page("<p>b</p>"); p.Tag = 2; return p, nil })
	}
	get()
	getOther()

	// Ten comments within the grace of the page's render: it is kept until the grace ends.
	for range 10 {
		now = now.Add(50 * time.Millisecond)
		c.InvalidateTagAfter(1, grace)
		if got := get(); got != "<p>1</p>" {
			t.Fatalf("page retired within its grace: %s", got)
		}
	}
	now = now.Add(500 * time.Millisecond) // 1 s after the render
	if got := get(); got != "<p>2</p>" {
		t.Fatalf("page kept past its grace: %s", got)
	}
	getOther()
	if other != 1 {
		t.Errorf("another article's page was rendered %d times", other)
	}

	// A page older than the grace goes at once.
	now = now.Add(2 * time.Second)
	c.InvalidateTagAfter(1, grace)
	if got := get(); got != "<p>3</p>" {
		t.Fatalf("a page older than the grace was kept: %s", got)
	}

	// An immediate retirement after a deferred one is not softened by it.
	now = now.Add(100 * time.Millisecond)
	c.InvalidateTagAfter(1, grace)
	c.InvalidateTag(1)
	if got := get(); got != "<p>4</p>" {
		t.Fatalf("InvalidateTag after InvalidateTagAfter kept the page: %s", got)
	}

	// A render under way when a deferred retirement comes is kept until its grace from
	// the render's start, not longer.
	now = now.Add(2 * time.Second)
	c.InvalidateTag(1)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Get("/bai-viet/a-1", func() (*Page, error) {
			close(started)
			<-release
			p := page("<p>racing</p>")
			p.Tag = 1
			return p, nil
		})
	}()
	<-started
	c.InvalidateTagAfter(1, grace)
	close(release)
	<-done
	if p := c.lookup("/bai-viet/a-1"); p == nil || string(p.Body) != "<p>racing</p>" {
		t.Fatalf("the render under a deferred retirement was not kept for its grace")
	}
	now = now.Add(grace)
	if p := c.lookup("/bai-viet/a-1"); p != nil {
		t.Fatalf("the render under a deferred retirement outlived its grace: %s", p.Body)
	}
}

// TestOtherTagsDoNotSplitARender: comments on one article (retired at once or after the
// grace) do not make readers of another article start a second render of its page while
// one is under way — under a stream of comments every reader did, and a busy site spent
// its cores rendering the same pages side by side.
func TestOtherTagsDoNotSplitARender(t *testing.T) {
	c := New(time.Minute, 1<<20, time.Now)
	var renders atomic.Int32
	release := make(chan struct{})
	render := func() (*Page, error) {
		renders.Add(1)
		<-release
		p := page("<p>b</p>")
		p.Tag = 2
		return p, nil
	}
	c.Get("/bai-viet/b-2", func() (*Page, error) { p := page("<p>b0</p>"); p.Tag = 2; return p, nil })
	c.InvalidateTag(2) // its own comment: the next reader renders it again
	var wg sync.WaitGroup
	wg.Go(func() { c.Get("/bai-viet/b-2", render) })
	for renders.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.InvalidateTag(1)
	c.InvalidateTagAfter(1, time.Second)
	for range 8 {
		wg.Go(func() {
			if p, _, _ := c.Get("/bai-viet/b-2", render); string(p.Body) != "<p>b</p>" {
				t.Errorf("got %s", p.Body)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // let them pile up on the render under way
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Errorf("rendered %d times: readers arriving after another article's comments did not share the render under way", n)
	}
	// Its own tag retired at once still splits: a reader after the write gets a new render.
	c.InvalidateTag(2)
	if p, _, _ := c.Get("/bai-viet/b-2", func() (*Page, error) { q := page("<p>b2</p>"); q.Tag = 2; return q, nil }); string(p.Body) != "<p>b2</p>" {
		t.Errorf("after its own retirement: %s", p.Body)
	}
}
