// Package e2e drives the real toasoan binary in a real headless Chromium.
package e2e

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// binPath is the toasoan binary built once for all tests.
var binPath string

// workDir holds the binary and the shared Chromium's profile; removed after the tests.
var workDir string

func TestMain(m *testing.M) {
	flag.Parse()
	// The package's tests run in parallel, bounded by the browser slots and the machine lock
	// below, not by -parallel: its default (GOMAXPROCS, 2 here) would count the tests
	// waiting for a slot. An explicit -parallel still wins.
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		flag.Set("test.parallel", "64")
	}
	dir, err := os.MkdirTemp("", "toasoan-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	binPath = filepath.Join(dir, "toasoan")
	build := exec.Command("go", "build", "-o", binPath, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build toasoan:", err)
		os.Exit(1)
	}
	code := m.Run()
	shared.stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// maxBrowsers is how many browser tests run at once. On this 2-core machine `go test
// ./e2e` (Lighthouse aside, other work on the machine) took 136 s with 2, 138 s with 3 and
// 149 s with 4, and 106, 113 and 117 s of CPU: the CPUs are full with two, and more only
// queue on them and stretch every test's timeouts.
const maxBrowsers = 2

var (
	// browsers hands out the maxBrowsers slots, the longest test first.
	browsers = &browserQueue{free: maxBrowsers}
	// machine is held shared by every parallel test and exclusively by the test whose
	// figures need the machine to itself (the attack suite's latencies).
	machine sync.RWMutex
)

// parallelTest runs t beside the package's other tests. Each test has its own server,
// data directory and browser context, so nothing else is shared.
func parallelTest(t *testing.T) {
	t.Helper()
	t.Parallel()
	machine.RLock()
	t.Cleanup(machine.RUnlock)
}

// browserTest is parallelTest for a test that drives a browser: it also waits for one of
// the maxBrowsers slots, held until the test (and its subtests) end. cost is roughly how
// many seconds the test holds its slot here (each test logs it, "held a browser slot"):
// the longest start first, so that none is left running alone at the end.
func browserTest(t *testing.T, cost int) {
	t.Helper()
	browsers.register()
	parallelTest(t)
	browsers.acquire(cost)
	start := time.Now()
	t.Cleanup(func() {
		browsers.release()
		// What to set cost from: how long the test held its slot in this run.
		t.Logf("held a browser slot for %s (cost %d)", time.Since(start).Round(100*time.Millisecond), cost)
	})
}

// browserQueue is a semaphore that serves the costliest waiter first. The parallel tests
// all resume at once, in no set order, so it lets none in until every registered test
// has arrived (or a second has passed, for a run with a small -parallel).
type browserQueue struct {
	mu                 sync.Mutex
	free               int
	registered, queued int
	open               bool
	waiting            []browserWaiter // costliest first
}

type browserWaiter struct {
	cost  int
	ready chan struct{}
}

// register counts a browser test in the sequential phase, before any resumes.
func (q *browserQueue) register() {
	q.mu.Lock()
	q.registered++
	q.mu.Unlock()
}

func (q *browserQueue) acquire(cost int) {
	w := browserWaiter{cost, make(chan struct{})}
	q.mu.Lock()
	i := 0
	for i < len(q.waiting) && q.waiting[i].cost >= cost {
		i++
	}
	q.waiting = slices.Insert(q.waiting, i, w)
	q.queued++
	switch {
	case q.open:
	case q.queued >= q.registered:
		q.open = true
	case q.queued == 1:
		time.AfterFunc(time.Second, func() {
			q.mu.Lock()
			q.open = true
			q.grant()
			q.mu.Unlock()
		})
	}
	q.grant()
	q.mu.Unlock()
	<-w.ready
}

func (q *browserQueue) release() {
	q.mu.Lock()
	q.free++
	q.grant()
	q.mu.Unlock()
}

// grant lets the costliest waiters in while slots are free. Called with q.mu held.
func (q *browserQueue) grant() {
	for q.open && q.free > 0 && len(q.waiting) > 0 {
		close(q.waiting[0].ready)
		q.waiting = q.waiting[1:]
		q.free--
	}
}

// exclusiveFirstTest gives t the machine to itself before any parallel test starts: the
// attack suite's latencies are its own, not those of three Chromiums beside it.
func exclusiveFirstTest(t *testing.T) {
	t.Helper()
	machine.Lock() // taken in the sequential phase, so before any parallelTest's RLock
	t.Cleanup(machine.Unlock)
	t.Parallel()
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
func startServer(t testing.TB, dataDir string, flags ...string) *server {
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
func (s *server) Stop(t testing.TB) {
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

// chromiumPath finds the Chromium the browser tests drive: Debian's headless shell
// (package chromium-headless-shell, Chromium's old headless mode: the same Blink and V8 as
// the browser, without the browser's window and UI machinery), else, outside CI, Debian's
// chromium. Over `go test ./...` Chromium took 228 CPU-seconds with the full browser (its
// browser process alone 62) and 118 with the shell (26), Lighthouse's Chromium
// included in both. Browser tests and Lighthouse skip without either, except in CI, which
// installs both.
func chromiumPath(t testing.TB) string {
	t.Helper()
	paths := []string{"/usr/bin/chromium-headless-shell", "/usr/lib/chromium/chromium-headless-shell"}
	if os.Getenv("CI") == "" {
		paths = append(paths, fullChromiumPaths...)
	}
	return findChromium(t, paths, ".ci/run must install chromium-headless-shell")
}

// fullChromiumPaths are where Debian's (or Google's) full Chromium is installed.
var fullChromiumPaths = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}

// findChromium returns the first of paths that exists; without one the test skips, except
// in CI, where it fails saying what is missing.
func findChromium(t testing.TB, paths []string, ciMissing string) string {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set but %s is not installed: %s", paths[0], ciMissing)
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
//
// Every test gets a tab in a browser context of its own (its own cookies, storage and
// cache, as a fresh profile has) in one Chromium shared by the package: starting a
// Chromium costs about 2.4 s of CPU here, and the package opened 22.
func newBrowserFor(t *testing.T, width, height int, budget time.Duration) context.Context {
	t.Helper()
	browser, err := shared.get(chromiumPath(t))
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	// The first Do opens the tab and binds its life to this context, so it must carry
	// no timeout; the timeout goes on the context handed to the test. The viewport is
	// the window size a browser of its own was started with.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		cancel()
		t.Fatalf("open a tab: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(tab, budget)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	return ctx
}

// shared is the package's one Chromium, started by the first browser test.
var shared sharedChromium

type sharedChromium struct {
	mu                  sync.Mutex
	browser             context.Context
	cancel, cancelAlloc context.CancelFunc
}

func (s *sharedChromium) get(execPath string) (context.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.browser != nil {
		return s.browser, nil
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(workDir, "chromium")),
		chromedp.WindowSize(1440, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancel := chromedp.NewContext(allocCtx)
	// The first Do starts the browser and binds its life to this context: no timeout.
	if err := chromedp.Do(browser); err != nil {
		cancel()
		cancelAlloc()
		return nil, err
	}
	s.browser, s.cancel, s.cancelAlloc = browser, cancel, cancelAlloc
	return browser, nil
}

// stop closes the shared Chromium, if one was started.
func (s *sharedChromium) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.browser != nil {
		s.cancel()
		s.cancelAlloc()
		s.browser = nil
	}
}

// retry is the option every element query of the package takes: it looks for its element
// every 50 ms instead of chromedp's 5 ms. Each look is a few DevTools calls through the
// browser to the page, so a test waiting 5 ms at a time kept Chromium and itself busy for
// nothing: the four costliest browser tests together took 70 CPU-seconds of Chromium and
// 85 s of browser slots with 5 ms, 56 and 71 with 50 ms; a wait ends at most 50 ms later.
var retry = chromedp.RetryInterval(50 * time.Millisecond)

// must runs one browser action that returns a value and fails the test on error.
func must[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v%s", what, err, pageState(ctx))
	}
	return v
}

// do runs browser steps that return nothing and fails the test on error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v%s", what, err, pageState(ctx))
	}
}

// pageState describes the page a failed step left behind (its address and the start of
// its text), read with a deadline of its own: a step that timed out spent the test's.
func pageState(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + (document.body ? document.body.innerText : "").slice(0, 1500)`))
	if err != nil {
		return ""
	}
	return "\npage then: " + s
}

// screenshot saves a full-page PNG into $E2E_SHOTS, for a person to look at. Without
// E2E_SHOTS it takes none: nobody could look at it, and the package's 76 full-page shots
// cost a quarter of the slowest tests' time.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("E2E_SHOTS")
	if dir == "" {
		return
	}
	buf := must(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(buf) < 1000 {
		t.Errorf("screenshot %s is suspiciously small (%d bytes)", name, len(buf))
	}
}
