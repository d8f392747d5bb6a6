// Command bench measures toasoan the way the performance issue asks: it builds the binary,
// seeds a small and a large database, starts the real server, drives it with Debian's wrk
// through each scenario, and prints req/s, p50, p99, RSS and each figure's ratio to a
// trivial in-memory route measured in the same run. It exits 1 when a target is missed.
//
//	go run ./bench [-quick] [-skip-large] [-only REGEXP] [-soak 10m]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"toasoan/db"
	"toasoan/internal/antispam"
	"toasoan/internal/seed"
)

type options struct {
	duration      time.Duration
	connections   int
	smallArticles int
	largeArticles int
	largeComments int
	skipLarge     bool
	skipSmall     bool
	keep          bool
	bin           string         // a binary built already; "": build one
	work          string         // work directory to reuse (seeded databases are kept); "": a temporary one
	only          *regexp.Regexp // scenarios to run (by name without the database label); nil: all
	soak          time.Duration  // length of the soak; 0: no soak
	soakRate      int            // requests a second the soak aims at
}

// want reports whether the scenario named name (without its label) is selected by -only.
func (o options) want(name string) bool { return o.only == nil || o.only.MatchString(name) }

func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "wrk duration per scenario")
	flag.IntVar(&o.connections, "c", 64, "wrk connections")
	flag.IntVar(&o.smallArticles, "small-articles", 1000, "articles in the small database")
	flag.IntVar(&o.largeArticles, "large-articles", 100_000, "articles in the large database")
	flag.IntVar(&o.largeComments, "large-comments", 1_000_000, "comments in the large database")
	flag.BoolVar(&o.skipLarge, "skip-large", false, "skip the large-database scenarios")
	flag.BoolVar(&o.skipSmall, "skip-small", false, "skip the small-database scenarios (to re-run the large ones alone)")
	quick := flag.Bool("quick", false, "short runs and a smaller large database (a smoke test, not the targets)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.StringVar(&o.bin, "bin", "", "use this toasoan binary instead of building one")
	flag.StringVar(&o.work, "work", "", "work directory to reuse between runs (databases already seeded there are not seeded again)")
	only := flag.String("only", "", "run only the scenarios whose name matches this regexp (e.g. 'article page|bare')")
	flag.DurationVar(&o.soak, "soak", 0, "run the 85/10/5 mix for this long at -soak-rate (10m for the README), one row a minute")
	flag.IntVar(&o.soakRate, "soak-rate", 1000, "requests a second during the soak")
	flag.Parse()
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: -only:", err)
			os.Exit(2)
		}
		o.only = re
	}
	if *quick {
		o.duration, o.largeArticles, o.largeComments = 3*time.Second, 10_000, 50_000
	}
	ok, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if !ok {
		fmt.Println("\nSome targets were missed.")
		os.Exit(1)
	}
	fmt.Println("\nEvery target met.")
}

// result is one scenario's figures.
type result struct {
	name     string
	reqs     float64
	p50, p99 time.Duration
	errors   int
	accepted int // comment posts the server accepted (303)
	rssMB    float64
	ratio    float64 // reqs / baseline reqs
	target   string
	met      bool
}

func run(o options) (bool, error) {
	if _, err := exec.LookPath("wrk"); err != nil {
		fmt.Println("wrk not found: installing it with apt-get")
		cmd := exec.Command("sh", "-c", "apt-get update -qq && apt-get install -y -qq wrk")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return false, fmt.Errorf("install wrk: %w", err)
		}
	}
	work, err := os.MkdirTemp("", "toasoan-bench-")
	if o.work != "" {
		os.Remove(work)
		work, err = o.work, os.MkdirAll(o.work, 0o755)
		o.keep = true
	}
	if err != nil {
		return false, err
	}
	if o.work != "" {
		if serverLog, err = os.Create(filepath.Join(work, "server.log")); err != nil {
			return false, err
		}
		defer serverLog.Close()
	}
	if o.keep {
		fmt.Println("work directory:", work)
	} else {
		defer os.RemoveAll(work)
	}
	bin := filepath.Join(work, "toasoan")
	if o.bin != "" {
		bin = o.bin
	} else {
		fmt.Println("building", bin)
		build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			return false, fmt.Errorf("build: %w", err)
		}
	}
	st, err := os.Stat(bin)
	if err != nil {
		return false, err
	}
	var results []result
	binMB := float64(st.Size()) / (1 << 20)
	results = append(results, result{name: "binary size", rssMB: binMB, target: "< 25 MB", met: binMB < 25, ratio: -1})

	var smallRes []result
	if !o.skipSmall {
		small := filepath.Join(work, "small")
		hot, err := prepare(small, o.smallArticles, 0)
		if err != nil {
			return false, err
		}
		if smallRes, err = scenarios(o, bin, small, hot, "small"); err != nil {
			return false, err
		}
		results = append(results, smallRes...)
	}
	if !o.skipLarge {
		large := filepath.Join(work, "large")
		fmt.Printf("seeding %d articles and %d comments (this takes a while)\n", o.largeArticles, o.largeComments)
		hotLarge, err := prepare(large, o.largeArticles, o.largeComments)
		if err != nil {
			return false, err
		}
		largeRes, err := scenarios(o, bin, large, hotLarge, "large")
		if err != nil {
			return false, err
		}
		// Pages on the large database stay within 20% of the small one's figures.
		for i, r := range largeRes {
			for _, s := range smallRes {
				if strings.TrimPrefix(r.name, "large ") == strings.TrimPrefix(s.name, "small ") && isPage(r.name) {
					largeRes[i].target = fmt.Sprintf("≥ 80%% of small (%.0f)", s.reqs)
					largeRes[i].met = r.reqs >= 0.8*s.reqs
				}
			}
		}
		results = append(results, largeRes...)
	}
	printTable(results)
	all := true
	for _, r := range results {
		if r.target != "" && !r.met {
			all = false
		}
	}
	return all, nil
}

func isPage(name string) bool {
	return strings.HasSuffix(name, "article page") || strings.HasSuffix(name, "home page") || strings.HasSuffix(name, "section page")
}

// hotArticle is the article the page scenarios read: it carries 30 approved comments.
type hotArticle struct {
	id      int64
	path    string
	section string
	set     []hotArticle // the newest articles, which the 85/10/5 mix reads and comments on
}

// prepare seeds a database and gives one article exactly 30 approved comments.
func prepare(dir string, articles, comments int) (hotArticle, error) {
	ctx := context.Background()
	d, err := db.Open(ctx, dir)
	if err != nil {
		return hotArticle{}, err
	}
	defer d.Close()
	start := time.Now()
	var have int
	if err := d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&have); err != nil {
		return hotArticle{}, err
	}
	if have >= articles {
		fmt.Printf("reusing %s (%d articles)\n", dir, have)
	} else {
		if _, err := seed.Run(ctx, d, seed.Options{Articles: articles, Comments: comments, Seed: 42}, nil); err != nil {
			return hotArticle{}, err
		}
		fmt.Printf("seeded %s in %s\n", dir, time.Since(start).Round(time.Second))
	}
	list, err := d.PublicArticles(ctx, db.PublicListQuery{Limit: hotSetSize}, time.Now())
	if err != nil || len(list) == 0 {
		return hotArticle{}, fmt.Errorf("no article to read: %v", err)
	}
	a := list[0]
	var set []hotArticle
	for _, x := range list {
		set = append(set, hotArticle{id: x.ID, path: "/bai-viet/" + x.Slug + "-" + strconv.FormatInt(x.ID, 10)})
	}
	err = d.InBulk(ctx, func(b *db.Bulk) error {
		for i := range 30 - a.CommentCount {
			_, err := b.AddComment(db.Comment{ArticleID: a.ID, Name: "Bạn đọc " + strconv.Itoa(i),
				Title: "Ý kiến số " + strconv.Itoa(i), Body: "Bài viết rất hữu ích cho bà con trong xã.\nCảm ơn tòa soạn.",
				Status: db.CommentApproved, CreatedAt: time.Now().Add(-time.Hour)})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return hotArticle{}, err
	}
	return hotArticle{id: a.ID, path: "/bai-viet/" + a.Slug + "-" + strconv.FormatInt(a.ID, 10), section: "/chuyen-muc/" + a.CategorySlug,
		set: set}, nil
}

// serverLog, when set (-work), receives the servers' logs.
var serverLog *os.File

// server is the running binary.
type server struct {
	cmd  *exec.Cmd
	base string
}

func startServer(bin, dataDir string) (*server, time.Duration, error) {
	return startServerWith(bin, dataDir, "true")
}

// startServerWith starts the binary with the given moderation mode.
func startServerWith(bin, dataDir, moderation string) (*server, time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err
	}
	addr := ln.Addr().String()
	ln.Close()
	start := time.Now()
	// Captcha and rate limit off, moderation on: the issue's posting scenario.
	cmd := exec.Command(bin, "serve", "-addr", addr, "-data", dataDir, "-captcha=false", "-comment-rate=0",
		"-moderation="+moderation, "-comment-min-fill=1ms")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if serverLog != nil {
		cmd.Stderr = serverLog
	}
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	s := &server{cmd: cmd, base: "http://" + addr}
	for time.Since(start) < 30*time.Second {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, time.Since(start), nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Kill()
	return nil, 0, errors.New("server did not become healthy in 30 s")
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
}

// rssMB reads the server's resident set size.
func (s *server) rssMB() float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

func scenarios(o options, bin, dataDir string, hot hotArticle, label string) ([]result, error) {
	// Seeding (or copying a seeded database into -work) leaves up to gigabytes of dirty
	// pages: written back during the first rows, they cost those rows about a tenth (the
	// large article page 21,500 req/s right after a copy, 24,100 after a sync).
	syscall.Sync()
	srv, startup, err := startServer(bin, dataDir)
	if err != nil {
		return nil, err
	}
	defer func() { srv.stop() }()
	var out []result
	out = append(out, result{name: label + " start-up", p50: startup, target: "< 1 s", met: startup < time.Second, ratio: -1})

	base, err := wrk(o, srv, label+" baseline "+baselinePath, baselinePath, "")
	if err != nil {
		return nil, err
	}
	base.ratio = 1
	out = append(out, base)
	pages := []struct{ name, path string }{
		{"article page", hot.path},
		{"home page", "/"},
		{"section page", hot.section},
	}
	var article result
	for _, p := range pages {
		if !o.want(p.name) {
			continue
		}
		r, err := wrk(o, srv, label+" "+p.name, p.path, "")
		if err != nil {
			return nil, err
		}
		r.ratio = r.reqs / base.reqs
		r.target, r.met = "≥ 40% of baseline", r.ratio >= 0.4
		out = append(out, r)
		if p.name == "article page" {
			article = r
		}
	}

	// The comment list every open article page polls, served as pages are.
	if o.want("comment list") {
		r, err := wrkRun(o, srv.base, wrkSpec{name: label + " comment list (htmx poll, 30 comments)", path: hot.commentPath(),
			gzip: true, headers: []string{"HX-Request: true"}})
		if err != nil {
			return nil, err
		}
		r.ratio = r.reqs / base.reqs
		if article.reqs > 0 {
			r.target, r.met = fmt.Sprintf("≥ 90%% of article page (%.0f)", article.reqs), r.reqs >= 0.9*article.reqs && r.errors == 0
		}
		out = append(out, r)
	}

	// The cached article page against the same bytes from a bare net/http handler and from
	// nginx, in the same run: what toasoan spends beyond sending the page.
	if o.want("bare") || o.want("nginx") {
		rows, err := versusBare(o, srv, hot, label)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}

	// Comment posting: captcha and rate limit off, moderation on; every accepted post must
	// be in the database afterwards.
	// Each posting scenario gets its own tokens, enough for 20,000 posts a second (posts
	// take about 5,000): a token is good for one post.
	var tokenFiles []string
	defer func() {
		for _, f := range tokenFiles {
			os.Remove(f)
		}
	}()
	newTokens := func() (string, error) {
		f, err := formTokens(srv, dataDir, hot, int(o.duration.Seconds()*20_000))
		tokenFiles = append(tokenFiles, f)
		return f, err
	}
	before, err := countBenchComments(dataDir)
	if err != nil {
		return nil, err
	}
	accepted := 0
	if o.want("comment posts") {
		tokens, err := newTokens()
		if err != nil {
			return nil, err
		}
		post, err := wrk(o, srv, label+" comment posts", hot.commentPath(), postLua(hot.commentPath(), tokens, 0, "post"))
		if err != nil {
			return nil, err
		}
		post.ratio = post.reqs / base.reqs
		post.reqs = float64(post.accepted) / o.duration.Seconds()
		post.target, post.met = "≥ 2,000 accepted/s", post.reqs >= 2000 && post.errors == 0
		out = append(out, post)
		accepted += post.accepted
	}
	// The same with 100,000 comments waiting for moderation: a post's cost must not
	// depend on the queue.
	if o.want("pending") {
		srv.stop()
		if err := addPending(dataDir, hot, pendingComments); err != nil {
			return nil, err
		}
		if srv, _, err = startServer(bin, dataDir); err != nil {
			return nil, err
		}
		tokens, err := newTokens()
		if err != nil {
			return nil, err
		}
		post, err := wrk(o, srv, label+" comment posts, 100,000 pending", hot.commentPath(), postLua(hot.commentPath(), tokens, 0, "pending"))
		if err != nil {
			return nil, err
		}
		post.ratio = post.reqs / base.reqs
		post.reqs = float64(post.accepted) / o.duration.Seconds()
		post.target, post.met = "≥ 5,000 accepted/s", post.reqs >= 5000 && post.errors == 0
		out = append(out, post)
		accepted += post.accepted
	}

	// Mixed: 95% article reads, 5% posts, paced to about 2,000 requests a second.
	if o.want("mixed 95/5") {
		tokens, err := newTokens()
		if err != nil {
			return nil, err
		}
		mixed, err := wrkWith(o, srv, label+" mixed 95/5 @~2,000/s", hot.path, postLua(hot.commentPath(), tokens, 5, "mixed")+paceLua, 20)
		if err != nil {
			return nil, err
		}
		mixed.ratio = mixed.reqs / base.reqs
		mixed.target, mixed.met = "p99 < 20 ms at ≥ 1,800/s", mixed.p99 < 20*time.Millisecond && mixed.reqs >= 1800 && mixed.errors == 0
		out = append(out, mixed)
		accepted += mixed.accepted
	}

	// Search: two-word queries drawn from the seeded vocabulary — the 200 that readers
	// keep asking (each is run once, then served from the search cache until a change),
	// then queries that are new every time, which is what each cache miss costs.
	// The first reader of each query runs it; the bench asks each once before measuring,
	// as a portal's first readers would have, and measures what the next readers get.
	if err := warmSearches(srv); err != nil {
		return nil, err
	}
	if o.want("search, 200") {
		search, err := wrk(o, srv, label+" search, 200 two-word queries", "/tim-kiem?q=n%C3%B4ng+th%C3%B4n", searchLua())
		if err != nil {
			return nil, err
		}
		search.ratio = search.reqs / base.reqs
		search.target, search.met = "≥ 1,000/s, p99 < 30 ms", search.reqs >= 1000 && search.p99 < 30*time.Millisecond && search.errors == 0
		out = append(out, search)
	}
	if o.want("search, every query new") {
		fresh, err := wrk(o, srv, label+" search, every query new", "/tim-kiem?q=n%C3%B4ng+th%C3%B4n", freshSearchLua())
		if err != nil {
			return nil, err
		}
		fresh.ratio = fresh.reqs / base.reqs
		fresh.target, fresh.met = "no errors (shows a miss's cost)", fresh.errors == 0
		out = append(out, fresh)
	}

	rss := srv.rssMB()
	rssRow := result{name: label + " RSS after load", rssMB: rss, target: "< 100 MB", met: rss < 100, ratio: -1}

	// The 85/10/5 mix a newsroom sees (article pages of the newest articles, searches,
	// comment posts on those articles) with moderation on, then off — where every post is
	// published and retires its article's page — once with the popular searches and once
	// with searches that are new every time.
	if o.want("85/10/5") {
		rows, n, err := mixes(o, &srv, bin, dataDir, hot, label, base.reqs)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		accepted += n
	}
	out = append(out, rssRow)
	if o.soak > 0 && o.want("soak") {
		rows, n, err := soak(o, &srv, bin, dataDir, hot, label)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		accepted += n
	}

	srv.stop()
	after, err := countBenchComments(dataDir)
	if err != nil {
		return nil, err
	}
	stored := after - before
	if accepted > 0 {
		// Posts in flight when wrk stops are stored but never acknowledged: at most one per
		// connection and run. An acknowledged post that is missing is a loss.
		out = append(out, result{name: fmt.Sprintf("%s comments stored / accepted: %d / %d", label, stored, accepted),
			target: "none lost", met: stored >= accepted && stored-accepted <= 8*o.connections, ratio: -1})
	}
	return out, nil
}

// commentPath is where the hot article's comments are posted.
func (h hotArticle) commentPath() string {
	return "/bai-viet/" + strconv.FormatInt(h.id, 10) + "/binh-luan"
}

var tokenInput = regexp.MustCompile(`name="started" value="([^"]+)"`)

// formTokens writes n fill-time tokens for the hot article into a file, one a line, and
// returns its name. A token is good for one accepted post, so every post of the run needs
// its own; fetching 100,000 forms first would measure the fetching, so they are signed
// here with the site's key (read from its database), as the server signs them. The
// server's form fetch is checked once, so the bench still fails if forms break.
func formTokens(srv *server, dataDir string, hot hotArticle, n int) (string, error) {
	req, _ := http.NewRequest("GET", srv.base+hot.commentPath()+"/bieu-mau", nil)
	req.Header.Set("HX-Request", "true")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if tokenInput.FindSubmatch(b) == nil {
		return "", fmt.Errorf("no form token in %d %.200s", resp.StatusCode, b)
	}
	ctx := context.Background()
	d, err := db.Open(ctx, dataDir)
	if err != nil {
		return "", err
	}
	secret, err := d.Setting(ctx, db.SettingCommentFormSecret, "")
	d.Close()
	if err != nil || secret == "" {
		return "", fmt.Errorf("form secret: %v", err)
	}
	signer := antispam.NewFormToken([]byte(secret), time.Millisecond, 24*time.Hour)
	f, err := os.CreateTemp("", "bench-tokens-*.txt")
	if err != nil {
		return "", err
	}
	w := bufio.NewWriter(f)
	served := time.Now().Add(-time.Minute)
	for range n {
		w.WriteString(signer.Issue(hot.id, served) + "\n")
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	return f.Name(), f.Close()
}

// countBenchComments counts the comments the bench posted.
func countBenchComments(dataDir string) (int, error) {
	ctx := context.Background()
	d, err := db.Open(ctx, dataDir)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	var n int
	err = d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM comments WHERE title = 'Bench'`).Scan(&n)
	return n, err
}

// postLua posts a unique comment per request (tag keeps scenarios' texts apart: the same
// text twice is refused as a duplicate), each with its own fill-time token from the file
// tokens (the two threads take alternate lines); with percent > 0, only that share of
// requests are posts and the rest read the scenario's path.
func postLua(path, tokens string, percent int, tag string) string {
	// The same text twice is refused as a duplicate: a run on a kept work directory must
	// not repeat an earlier run's texts.
	tag += strconv.FormatInt(time.Now().UnixNano(), 36)
	return fmt.Sprintf(`
local tokens = {}
for line in io.lines(%q) do tokens[#tokens + 1] = line end
local n = 0
local posts = 0
posted = 0
local threads = 0
threads_list = {}
function setup(thread)
  thread:set("tid", threads); threads = threads + 1
  table.insert(threads_list, thread)
end
response = function(status, headers, body)
  if status == 303 then posted = posted + 1 end
end
request = function()
  n = n + 1
  if %d > 0 and math.random(100) > %d then return wrk.format("GET") end
  local token = tokens[(posts * 2 + tid) %% #tokens + 1]
  posts = posts + 1
  local body = "name=B%%E1%%BA%%A1n+%%C4%%91%%E1%%BB%%8Dc&phone=&title=Bench&content=N%%E1%%BB%%99i+dung+%s+" .. tid .. "-" .. n .. "&website=&started=" .. token
  return wrk.format("POST", %q, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
`, tokens, percent, percent, tag, path)
}

// paceLua spaces each connection's requests (wrk is closed-loop: this paces the load to a
// rate instead of measuring latency at saturation).
const paceLua = `
function delay() return 9 end
`

// popularQueries are two-word queries drawn from the demo newsroom's text, the vocabulary
// the seeded articles are sampled from: adjacent words, half typed without accents.
func popularQueries() []string {
	return seed.TwoWordQueries(rand.New(rand.NewPCG(7, 7)), seed.Words(), 200)
}

// searchLua asks the popular queries at random.
func searchLua() string {
	var b strings.Builder
	b.WriteString("local qs = {")
	for _, q := range popularQueries() {
		fmt.Fprintf(&b, "%q, ", url.QueryEscape(q))
	}
	b.WriteString(`}
request = function()
  return wrk.format("GET", "/tim-kiem?q=" .. qs[math.random(#qs)])
end
`)
	return b.String()
}

// freshSearchLua asks two-word queries that are new every time: two words of the
// vocabulary at random (millions of pairs, so a run of a few thousand requests hardly
// repeats one), each thread with its own random sequence. Every one misses the search
// cache; pairs that match nothing also run the zero-result suggestions.
func freshSearchLua() string {
	var b strings.Builder
	b.WriteString("local ws = {")
	for _, w := range vocabulary() {
		fmt.Fprintf(&b, "%q, ", w)
	}
	b.WriteString(`}
local threads = 0
function setup(thread)
  thread:set("tid", threads); threads = threads + 1
end
function init(args)
  math.randomseed(7919 * (tid + 1))
end
request = function()
  return wrk.format("GET", "/tim-kiem?q=" .. ws[math.random(#ws)] .. "+" .. ws[math.random(#ws)])
end
`)
	return b.String()
}

// vocabulary is the seeded text's distinct words, lower case and query-escaped.
func vocabulary() []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range seed.Words() {
		w = strings.ToLower(w)
		if !seen[w] {
			seen[w] = true
			out = append(out, url.QueryEscape(w))
		}
	}
	return out
}

// baselinePath is the trivial in-memory route every figure is compared with.
const baselinePath = "/robots.txt"

var wrkJSON = regexp.MustCompile(`(?m)^JSON (\{.*\})$`)

// wrkReport is what the Lua done() hook prints.
type wrkReport struct {
	Requests   int     `json:"requests"`
	DurationUS float64 `json:"duration_us"`
	Errors     int     `json:"errors"`
	Non2xx     int     `json:"non2xx"`
	P50        float64 `json:"p50"`
	P99        float64 `json:"p99"`
	Posted     int     `json:"posted"` // comment posts answered 303 (accepted)
}

const reportLua = `
done = function(summary, latency, requests)
  local e = summary.errors
  local posted = 0
  if threads_list then
    for _, t in ipairs(threads_list) do posted = posted + (t:get("posted") or 0) end
  end
  io.write(string.format('JSON {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50":%d,"p99":%d,"posted":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), posted))
end
`

// wrk drives one scenario with the default connection count.
func wrk(o options, srv *server, name, path, script string) (result, error) {
	return wrkWith(o, srv, name, path, script, o.connections)
}

// wrkWith drives one scenario. script, when set, is extra Lua (a request function).
func wrkWith(o options, srv *server, name, path, script string, connections int) (result, error) {
	return wrkRun(o, srv.base, wrkSpec{name: name, path: path, script: script, connections: connections, gzip: true})
}

// wrkSpec is one wrk run.
type wrkSpec struct {
	name, path, script string
	connections        int           // 0: -c
	duration           time.Duration // 0: -duration
	gzip               bool          // send Accept-Encoding: gzip
	headers            []string
}

// wrkRun runs wrk against base+spec.path and reads the report of the Lua done() hook.
func wrkRun(o options, base string, spec wrkSpec) (result, error) {
	f, err := os.CreateTemp("", "bench-*.lua")
	if err != nil {
		return result{}, err
	}
	defer os.Remove(f.Name())
	f.WriteString(spec.script + reportLua)
	f.Close()
	c, d := spec.connections, spec.duration
	if c == 0 {
		c = o.connections
	}
	if d == 0 {
		d = o.duration
	}
	// wrk reads "60s", not Go's "1m0s".
	args := []string{"-t2", "-c" + strconv.Itoa(c), "-d" + strconv.Itoa(int(d.Seconds())) + "s", "-s", f.Name()}
	if spec.gzip {
		args = append(args, "-H", "Accept-Encoding: gzip")
	}
	for _, h := range spec.headers {
		args = append(args, "-H", h)
	}
	cmd := exec.Command("wrk", append(args, base+spec.path)...)
	outb, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk %s: %v\n%s", spec.name, err, outb)
	}
	m := wrkJSON.FindSubmatch(outb)
	if m == nil {
		return result{}, fmt.Errorf("wrk %s: no report in\n%s", spec.name, outb)
	}
	var rep wrkReport
	if err := json.Unmarshal(m[1], &rep); err != nil {
		return result{}, err
	}
	r := result{
		name:   spec.name,
		reqs:   float64(rep.Requests) / (rep.DurationUS / 1e6),
		p50:    time.Duration(rep.P50) * time.Microsecond,
		p99:    time.Duration(rep.P99) * time.Microsecond,
		errors: rep.Errors + rep.Non2xx,
	}
	r.accepted = rep.Posted
	fmt.Printf("  %-48s %9.0f req/s  p50 %-9s p99 %-9s errors %d\n", spec.name, r.reqs, r.p50, r.p99, r.errors)
	return r, nil
}

func printTable(results []result) {
	fmt.Println()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "scenario\treq/s\tp50\tp99\tRSS/size MB\tratio\ttarget\tmet")
	for _, r := range results {
		reqs, p50, p99, mb, ratio := "", "", "", "", ""
		if r.reqs > 0 {
			reqs = fmt.Sprintf("%.0f", r.reqs)
			p99 = r.p99.Round(10 * time.Microsecond).String()
		}
		if r.p50 > 0 {
			p50 = r.p50.Round(10 * time.Microsecond).String()
		}
		if r.rssMB > 0 {
			mb = fmt.Sprintf("%.1f", r.rssMB)
		}
		if r.ratio >= 0 && r.reqs > 0 {
			ratio = fmt.Sprintf("%.2f", r.ratio)
		}
		met := ""
		if r.target != "" {
			met = "yes"
			if !r.met {
				met = "NO"
			}
		}
		if r.errors > 0 {
			met += fmt.Sprintf(" (%d errors)", r.errors)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.name, reqs, p50, p99, mb, ratio, r.target, met)
	}
	w.Flush()
}
