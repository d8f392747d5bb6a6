// Package e2e drives the real toasoan binary in a real headless Chromium.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// binPath is the toasoan binary built once for all tests.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "toasoan-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "toasoan")
	build := exec.Command("go", "build", "-o", binPath, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build toasoan:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running toasoan binary.
type server struct {
	URL     string
	DataDir string
	cmd     *exec.Cmd
	mu      sync.Mutex
	log     strings.Builder
}

// Log is everything the server printed so far.
func (s *server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// urlInLog finds the address the server listens on (its links may name another, -base-url).
var urlInLog = regexp.MustCompile(`listen=(http://\S+)|"listen":"(http://[^"]+)"`) // text or JSON logs

// startServer runs the binary on a free loopback port with its own data directory and
// waits for the line announcing its URL. Extra flags are appended to "serve".
func startServer(t *testing.T, dataDir string, flags ...string) *server {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	args := append([]string{"serve", "-addr", "127.0.0.1:0", "-data", dataDir, "-log-format", "text"}, flags...)
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), "TOASOAN_ADDR=", "TOASOAN_DATA=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{DataDir: dataDir, cmd: cmd}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.log.WriteString(line + "\n")
			s.mu.Unlock()
			if m := urlInLog.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1] + m[2]:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() { s.Stop(t) })
	select {
	case s.URL = <-found:
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not start; log:\n%s", s.Log())
	}
	return s
}

// Stop sends SIGINT and waits for a clean exit.
func (s *server) Stop(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("server exited with %v; log:\n%s", err, s.Log())
		}
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		t.Errorf("server did not stop on SIGINT")
	}
}

// chromiumPath finds Debian's chromium; browser tests skip without it, except in CI.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set but no Chromium is installed: .ci/run must install it")
	}
	t.Skip("no Chromium on this machine")
	return ""
}

// newBrowser starts a headless Chromium with the given window size and returns its
// context; it is closed when the test ends.
func newBrowser(t *testing.T, width, height int) context.Context {
	t.Helper()
	return newBrowserFor(t, width, height, 90*time.Second)
}

// newBrowserFor is newBrowser with a budget of its own, for a long scenario (the editor's)
// that runs several axe passes on a shared, busy machine.
func newBrowserFor(t *testing.T, width, height int, budget time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancel := chromedp.NewContext(allocCtx)
	// The first Do starts the browser and binds its life to this context, so it must
	// carry no timeout; the timeout goes on the context handed to the test.
	if err := chromedp.Do(browser); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(browser, budget)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// must runs one browser action that returns a value and fails the test on error.
func must[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// do runs browser steps that return nothing and fails the test on error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// screenshot saves a full-page PNG into the test's temp dir (or $E2E_SHOTS when set, to
// keep them) and returns its path.
func screenshot(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	buf := must(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	dir := os.Getenv("E2E_SHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(buf) < 1000 {
		t.Errorf("screenshot %s is suspiciously small (%d bytes)", name, len(buf))
	}
	return path
}
