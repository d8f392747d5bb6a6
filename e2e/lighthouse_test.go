package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lighthouseVersion is the npm lighthouse that .ci/run installs (12.x: 13 needs Node 22).
const lighthouseVersion = "12.8.2"

// lighthouseBin finds the lighthouse that .ci/run installed ($LIGHTHOUSE_BIN, or its cache
// directory). Without it the test skips, except in CI, where it fails.
func lighthouseBin(t *testing.T) string {
	t.Helper()
	cands := []string{os.Getenv("LIGHTHOUSE_BIN")}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	cands = append(cands, filepath.Join(cache, "toasoan", "lighthouse-"+lighthouseVersion, "node_modules", ".bin", "lighthouse"))
	for _, c := range cands {
		if c == "" {
			continue
		}
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set but lighthouse is not installed: .ci/run must install it")
	}
	t.Skip("lighthouse not installed (bash .ci/run installs it)")
	return ""
}

// lighthouseRunner is one Node process running Lighthouse (its Node API, default mobile
// settings: simulated 4× CPU throttling and a slow 4G network) in one Debian Chromium for
// every run of the test (testdata/lighthouse-runner.mjs).
type lighthouseRunner struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
	dir  string
	runs int
	// retried: a run that failed was run again (at most once per test).
	retried bool
}

func startLighthouse(t *testing.T, bin string) *lighthouseRunner {
	t.Helper()
	// $LIGHTHOUSE_BIN is node_modules/.bin/lighthouse, a link to the package's cli/index.js.
	cli, err := filepath.EvalSymlinks(bin)
	if err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Dir(filepath.Dir(cli))
	cmd := exec.Command("node", "testdata/lighthouse-runner.mjs", pkg)
	// The headless shell: with the full browser its own processes' main-thread work took
	// every page under 95 on two cores, a page of plain text included (README, Lighthouse).
	cmd.Env = append(os.Environ(), "CHROME_PATH="+chromiumPath(t))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &lighthouseRunner{cmd: cmd, in: in, out: bufio.NewScanner(stdout), dir: t.TempDir()}
	t.Cleanup(func() {
		r.in.Close() // the runner closes Chromium and exits
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	if !r.out.Scan() || r.out.Text() != "ready" {
		t.Fatalf("lighthouse runner did not start: %q %v", r.out.Text(), r.out.Err())
	}
	return r
}

// lighthouseReport is the part of a Lighthouse result the test reads.
type lighthouseReport struct {
	Categories map[string]struct {
		Score *float64 `json:"score"`
	} `json:"categories"`
	Audits map[string]struct {
		Score        *float64        `json:"score"`
		Title        string          `json:"title"`
		DisplayValue string          `json:"displayValue"`
		NumericValue float64         `json:"numericValue"`
		Details      json.RawMessage `json:"details"`
	} `json:"audits"`
	RuntimeError *struct{ Message string } `json:"runtimeError"`
}

// scores are the report's category scores as 0–100.
func (r *lighthouseReport) scores() map[string]int {
	s := map[string]int{}
	for k, c := range r.Categories {
		if c.Score != nil {
			s[k] = int(*c.Score*100 + 0.5)
		}
	}
	return s
}

// run waits until the machine is quiet, runs Lighthouse on one URL for the given
// categories and returns its report.
func (r *lighthouseRunner) run(t *testing.T, pageURL string, categories ...string) *lighthouseReport {
	t.Helper()
	waitForQuietCPU(t)
	r.runs++
	out := filepath.Join(r.dir, fmt.Sprintf("report-%d.json", r.runs))
	req, _ := json.Marshal(map[string]any{"url": pageURL, "out": out, "categories": categories})
	before, err := readCPU()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprintf(r.in, "%s\n", req); err != nil {
		t.Fatal(err)
	}
	if !r.out.Scan() {
		t.Fatalf("lighthouse runner stopped: %v", r.out.Err())
	}
	if after, err := readCPU(); err == nil {
		// Lighthouse itself keeps about half of the two CPUs busy: much more means
		// something else ran during the measurement.
		t.Logf("CPU %.0f%% busy during the run", after.busySince(before))
	}
	if line := r.out.Text(); line != "done" {
		t.Fatalf("lighthouse %s: %s", pageURL, line)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var report lighthouseReport
	if err := json.Unmarshal(b, &report); err != nil {
		t.Fatal(err)
	}
	if report.RuntimeError != nil && report.RuntimeError.Message != "" {
		// Lighthouse's own advice for a failed trace (NO_NAVSTART, seen once in 20 runs
		// here) is to run it again: once.
		if r.retried {
			t.Fatalf("lighthouse %s: %s", pageURL, report.RuntimeError.Message)
		}
		t.Logf("lighthouse %s: %s; once more", pageURL, report.RuntimeError.Message)
		r.retried = true
		return r.run(t, pageURL, categories...)
	}
	return &report
}

// waitForQuietCPU waits, up to quietWait, until the machine's CPUs were less than
// quietBusy busy over one second (from /proc/stat: all time but idle and iowait), and logs
// how busy it found them. Half a second per look saved 2 s a test, but in three runs out
// of four a first score fell under 85 (a sixth run instead of four): not worth it. Lighthouse's simulated throttling multiplies the CPU time it
// measures by 4, so other work on the machine shows up as blocking time: one home page
// scored 97 (blocking 190 ms) alone and 87 (510 ms) beside the handlers tests.
func waitForQuietCPU(t *testing.T) {
	t.Helper()
	const quietBusy, quietWait = 25.0, 90 * time.Second
	start := time.Now()
	first := -1.0
	for {
		busy, err := cpuBusy(time.Second)
		if err != nil {
			t.Logf("CPU load unknown (%v): running without waiting", err)
			return
		}
		if first < 0 {
			first = busy
		}
		if busy < quietBusy {
			t.Logf("CPU %.0f%% busy at first, %.0f%% after %s", first, busy, time.Since(start).Round(100*time.Millisecond))
			return
		}
		if time.Since(start) > quietWait {
			t.Logf("CPU still %.0f%% busy after %s (%.0f%% at first): running anyway, performance may suffer",
				busy, time.Since(start).Round(time.Second), first)
			return
		}
	}
}

// cpuTimes is the machine's CPU time from /proc/stat: busy (all but idle and iowait) and
// total, in clock ticks.
type cpuTimes struct{ busy, total uint64 }

func readCPU() (cpuTimes, error) {
	var c cpuTimes
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return c, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return c, fmt.Errorf("unexpected /proc/stat line %q", line)
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return c, err
		}
		c.total += n
		if i != 3 && i != 4 { // idle, iowait
			c.busy += n
		}
	}
	return c, nil
}

// busySince is the share of CPU time, in percent, spent busy since before.
func (c cpuTimes) busySince(before cpuTimes) float64 {
	if c.total == before.total {
		return 0
	}
	return 100 * float64(c.busy-before.busy) / float64(c.total-before.total)
}

// cpuBusy is the share of the machine's CPU time, in percent, spent busy over the next
// interval.
func cpuBusy(interval time.Duration) (float64, error) {
	before, err := readCPU()
	if err != nil {
		return 0, err
	}
	time.Sleep(interval)
	after, err := readCPU()
	if err != nil {
		return 0, err
	}
	return after.busySince(before), nil
}

// explain logs what holds a page's performance back: the metrics, where the main
// thread's time goes, the scripts that cost most, long tasks and images.
func (r *lighthouseReport) explain(t *testing.T, name string) {
	t.Helper()
	var lines []string
	for _, k := range []string{"first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
		"speed-index", "max-potential-fid", "mainthread-work-breakdown", "bootup-time", "server-response-time",
		"modern-image-formats", "uses-optimized-images", "uses-responsive-images", "offscreen-images", "render-blocking-resources"} {
		a, ok := r.Audits[k]
		if !ok || a.Score == nil {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s %.2f %s", k, *a.Score, a.DisplayValue))
	}
	var details struct {
		Items []map[string]any `json:"items"`
	}
	for _, k := range []string{"mainthread-work-breakdown", "bootup-time", "long-tasks", "largest-contentful-paint-element"} {
		details.Items = nil
		if a, ok := r.Audits[k]; ok && json.Unmarshal(a.Details, &details) == nil {
			for i, it := range details.Items {
				if i == 6 {
					break
				}
				b, _ := json.Marshal(it)
				lines = append(lines, fmt.Sprintf("  %s: %.300s", k, b))
			}
		}
	}
	t.Logf("%s: what holds performance back:\n    %s", name, strings.Join(lines, "\n    "))
}

// TestLighthouse: issue #18. Lighthouse on the home page, a section, an article with 50
// comments (at its canonical URL, where readers land) and a search page must score
// accessibility 100, best practices 100 and SEO 100 (the search page is noindex on
// purpose: SEO not asked there), and performance at least minPerformance. It runs last
// and alone in the package, each run once the machine's CPUs are quiet; performance is
// timed, so it is the best of up to three runs (the first with every category, then
// performance alone).
func TestLighthouse(t *testing.T) {
	alone := exclusiveLastTest(t)
	// The 95, on the headless shell (see startLighthouse's runner).
	const minPerformance = 95
	bin := lighthouseBin(t)
	chromiumPath(t)
	dataDir := t.TempDir()
	first := startServer(t, dataDir, "-demo")
	first.Stop(t)
	threadArticle, _ := seedReaderSite(t, dataDir)
	srv := startServer(t, dataDir)
	// The article's canonical address: /bai-viet/{id} redirects there (a redirect costs
	// the page 600 ms in Lighthouse's simulated network).
	resp, err := http.Get(fmt.Sprintf("%s/bai-viet/%d", srv.URL, threadArticle))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	article := resp.Request.URL.Path
	if resp.StatusCode != http.StatusOK || article == fmt.Sprintf("/bai-viet/%d", threadArticle) {
		t.Fatalf("article %d: %d at %s, want 200 at its slugged address", threadArticle, resp.StatusCode, article)
	}
	pages := []struct {
		name, path string
		seo        bool
	}{
		{"home", "/", true},
		{"section", "/chuyen-muc/thoi-su", true},
		{"article", article, true},
		{"search", "/tim-kiem?q=" + url.QueryEscape("huyện"), false},
	}
	lh := startLighthouse(t, bin)
	alone()
	for _, p := range pages {
		start := time.Now()
		report := lh.run(t, srv.URL+p.path, "performance", "accessibility", "best-practices", "seo")
		s := report.scores()
		t.Logf("%s (%s, %s): performance %d, accessibility %d, best practices %d, SEO %d", p.name, p.path,
			time.Since(start).Round(time.Second), s["performance"], s["accessibility"], s["best-practices"], s["seo"])
		for k, a := range report.Audits {
			if a.Score != nil && *a.Score < 0.9 {
				t.Logf("%s: audit %s %.2f %s", p.name, k, *a.Score, a.DisplayValue)
			}
		}
		best, bestReport := s["performance"], report
		for try := 2; try <= 3 && best < minPerformance; try++ {
			start := time.Now()
			r := lh.run(t, srv.URL+p.path, "performance")
			perf := r.scores()["performance"]
			t.Logf("%s try %d (%s): performance %d, total blocking time %s", p.name, try, time.Since(start).Round(time.Second),
				perf, r.Audits["total-blocking-time"].DisplayValue)
			if perf > best {
				best, bestReport = perf, r
			}
		}
		s["performance"] = best
		want := map[string]int{"performance": minPerformance, "accessibility": 100, "best-practices": 100}
		if p.seo {
			want["seo"] = 100
		}
		for k, min := range want {
			if s[k] < min {
				t.Errorf("%s: %s %d, want at least %d", p.name, k, s[k], min)
			}
		}
		if best < minPerformance {
			bestReport.explain(t, p.name)
		}
	}
}
