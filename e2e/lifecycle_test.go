package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"syscall"
	"testing"
	"time"

	"toasoan/db"
)

// TestShutdownFlushesViews checks the SIGTERM path of the real binary: in-flight work
// finishes, buffered view counts are written, the process exits 0, and a second -demo start
// does not load the demo content again.
func TestShutdownFlushesViews(t *testing.T) {
	parallelTest(t)
	dataDir := t.TempDir()
	srv := startServer(t, dataDir, "-demo")
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	link := regexp.MustCompile(`href="(/bai-viet/[^"]+)"`).FindSubmatch(body)
	if link == nil {
		t.Fatal("no article link on the home page")
	}
	ctx := context.Background()
	id := articleIDFromPath(t, string(link[1]))
	before := storedViews(t, ctx, dataDir, id)
	const reads = 7
	for range reads {
		r, err := http.Get(srv.URL + string(link[1]))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			t.Fatalf("article: %d", r.StatusCode)
		}
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- srv.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, srv.Log())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	if got := storedViews(t, ctx, dataDir, id); got != before+reads {
		t.Errorf("views after shutdown %d, want %d: buffered views lost", got, before+reads)
	}

	// A second -demo start on the same data must not add the demo again.
	again := startServer(t, dataDir, "-demo")
	again.Stop(t)
	d, err := db.Open(ctx, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	n, err := d.CountPublicArticles(ctx, 0, time.Now().Add(time.Hour))
	if err != nil || n != 48 {
		t.Errorf("articles after two -demo starts: %d (%v), want 48", n, err)
	}
}

func articleIDFromPath(t *testing.T, path string) int64 {
	t.Helper()
	m := regexp.MustCompile(`-(\d+)$`).FindStringSubmatch(path)
	if m == nil {
		t.Fatalf("no id in %s", path)
	}
	var id int64
	for _, c := range m[1] {
		id = id*10 + int64(c-'0')
	}
	return id
}

func storedViews(t *testing.T, ctx context.Context, dataDir string, id int64) int64 {
	t.Helper()
	if _, err := os.Stat(dataDir); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a, err := d.ArticleByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return a.Views
}
