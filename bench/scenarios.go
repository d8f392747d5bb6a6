package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"toasoan/db"
)

// hotSetSize is how many of the newest articles the 85/10/5 mix reads and comments on.
const hotSetSize = 20

// pendingComments is the moderation queue of the "100,000 pending" posting row.
const pendingComments = 100_000

// warmSearches asks each popular query once, as a portal's first readers would have.
func warmSearches(srv *server) error {
	for _, q := range popularQueries() {
		resp, err := http.Get(srv.base + "/tim-kiem?q=" + url.QueryEscape(q))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("search %q: status %d", q, resp.StatusCode)
		}
	}
	return nil
}

// addPending fills the moderation queue with n comments, most of them on the hot
// article (the rest on the others of the hot set), with the server stopped.
func addPending(dataDir string, hot hotArticle, n int) error {
	ctx := context.Background()
	d, err := db.Open(ctx, dataDir)
	if err != nil {
		return err
	}
	defer d.Close()
	now := time.Now()
	return d.InBulk(ctx, func(b *db.Bulk) error {
		for i := range n {
			art := hot.id
			if i%4 == 3 && len(hot.set) > 1 {
				art = hot.set[1+i%(len(hot.set)-1)].id
			}
			if _, err := b.AddCommentUncounted(db.Comment{ArticleID: art, Name: "Bạn đọc " + strconv.Itoa(i%500),
				Title: "Chờ duyệt", Body: "Ý kiến đang chờ duyệt số " + strconv.Itoa(i) + " về đường liên xã.",
				Status: db.CommentPending, IP: "203.0.113.7", CreatedAt: now.Add(-time.Duration(i) * time.Second)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// fetchPage gets a page the way wrk will (identity encoding) and returns its bytes and type.
func fetchPage(base, path string) ([]byte, string, error) {
	b, h, err := fetchPageHeader(base, path)
	if err != nil {
		return nil, "", err
	}
	return b, h.Get("Content-Type"), nil
}

// fetchPageHeader is fetchPage with the response's headers.
func fetchPageHeader(base, path string) ([]byte, http.Header, error) {
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("%s: status %d", path, resp.StatusCode)
	}
	return b, resp.Header, nil
}

// versusBare measures the cached article page, identity encoding as the issue did, next
// to a bare net/http handler and nginx (when installed) sending the same bytes, in turns
// with each (inTurns). A second bare handler also sends toasoan's headers (the security
// headers, ETag, caching, request id): what separates toasoan from the first is then
// split between its own work and its headers'.
func versusBare(o options, srv *server, hot hotArticle, label string) ([]result, error) {
	body, header, err := fetchPageHeader(srv.base, hot.path)
	if err != nil {
		return nil, err
	}
	ctype := header.Get("Content-Type")
	size := fmt.Sprintf("%.1f KB", float64(len(body))/1024)
	ownName := label + " article page, identity (" + size + ")"
	// against serves the page from another server, started by start, and measures it and
	// toasoan in turns: toasoan's figure of those turns, the other's, and the ratio.
	against := func(name, path string, start func() (string, func(), error)) (own, other result, err error) {
		base, stop, err := start()
		if err != nil {
			return result{}, result{}, err
		}
		defer stop()
		own, other, err = inTurns(o,
			func(d time.Duration) (result, error) {
				return wrkRun(o, srv.base, wrkSpec{name: ownName, path: hot.path, duration: d})
			},
			func(d time.Duration) (result, error) {
				return wrkRun(o, base, wrkSpec{name: label + " " + name, path: path, duration: d})
			})
		own.ratio, other.ratio = -1, own.reqs/other.reqs
		return own, other, err
	}
	var out []result
	if o.want("bare") {
		own, bare, err := against("bare net/http, same bytes", "/", func() (string, func(), error) { return startBare(body, ctype) })
		if err != nil {
			return nil, err
		}
		bare.target, bare.met = "toasoan ≥ 0.8 of this", bare.ratio >= 0.8 && own.errors == 0
		header.Del("Date") // net/http writes its own
		ownSame, same, err := against("bare net/http, same bytes and headers", "/", func() (string, func(), error) { return startBareWith(body, header) })
		if err != nil {
			return nil, err
		}
		same.target, same.met = fmt.Sprintf("none: toasoan's own cost (toasoan %.0f)", ownSame.reqs), true
		out = append(out, own, bare, same)
	}
	if o.want("nginx") {
		if _, err := exec.LookPath("nginx"); err != nil {
			fmt.Println("  nginx not installed: no nginx row")
			return out, nil
		}
		own, ng, err := against("nginx, same bytes as a file", "/page.html", func() (string, func(), error) { return startNginx(body) })
		if err != nil {
			return nil, err
		}
		if !o.want("bare") {
			out = append(out, own)
		}
		ng.target, ng.met = fmt.Sprintf("toasoan ≥ 0.5 of this (toasoan %.0f)", own.reqs), ng.ratio >= 0.5 && own.errors == 0
		out = append(out, ng)
	}
	return out, nil
}

// turns is how many windows each side of a comparison gets, taken in turn (A B A B A B),
// each half of o.duration long. The machine's speed drifts over minutes here: in one run
// (2026-12-02) every row of the first five minutes ran 25–30 % under the same rows later,
// and one window each, back to back, put that drift into a ratio (the cached page against
// the bare handler: 0.78 on the small database, 0.96 on the large, same binary, same run).
// With two turns one slow window still decided a row (moderation off with new searches:
// 0.90 in the first turn, 0.65 in the second; 0.98 when run again alone).
const turns = 3

// inTurns measures a and b alternately, turns windows each, and returns each side's
// windows combined.
func inTurns(o options, a, b func(window time.Duration) (result, error)) (result, result, error) {
	window := max(time.Second, o.duration/2)
	var as, bs []result
	for range turns {
		ra, err := a(window)
		if err != nil {
			return result{}, result{}, err
		}
		rb, err := b(window)
		if err != nil {
			return result{}, result{}, err
		}
		as, bs = append(as, ra), append(bs, rb)
	}
	return combine(as), combine(bs), nil
}

// combine makes one row of windows of equal length: the mean rate and median, the worst
// p99, every error and accepted post.
func combine(windows []result) result {
	r := windows[0]
	for _, w := range windows[1:] {
		r.reqs += w.reqs
		r.p50 += w.p50
		r.p99 = max(r.p99, w.p99)
		r.errors += w.errors
		r.accepted += w.accepted
	}
	r.reqs /= float64(len(windows))
	r.p50 /= time.Duration(len(windows))
	return r
}

// freeAddr is a free loopback address.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startBare serves body from a plain net/http handler on loopback.
func startBare(body []byte, ctype string) (string, func(), error) {
	return startBareWith(body, http.Header{"Content-Type": {ctype}, "Content-Length": {strconv.Itoa(len(body))}})
}

// startBareWith serves body with the given headers from a plain net/http handler.
func startBareWith(body []byte, header http.Header) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		w.Write(body)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// startNginx serves body as a static file with Debian's nginx: two workers (one per
// core, as nginx is usually run), the access log on as toasoan's request log is.
func startNginx(body []byte) (string, func(), error) {
	dir, err := os.MkdirTemp("", "bench-nginx-")
	if err != nil {
		return "", nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "page.html"), body, 0o644); err != nil {
		return "", nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	conf := fmt.Sprintf(`worker_processes 2;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 1024; }
http {
  access_log %[1]s/access.log;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  types { text/html html; }
  sendfile on;
  server {
    listen %[2]s;
    root %[1]s;
  }
}
`, dir, addr)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return "", nil, err
	}
	cmd := exec.Command("nginx", "-p", dir, "-c", confPath, "-g", "daemon off; user root;")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		os.RemoveAll(dir)
	}
	base := "http://" + addr
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/page.html"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base, stop, nil
			}
		}
	}
	stop()
	return "", nil, fmt.Errorf("nginx did not answer in 10 s")
}

// mixTargets are the hot set's paths and the form tokens of their comment forms.
type mixTargets struct {
	pages, posts []string
	tokens       []string // a file of fill-time tokens for each post target
}

// targetsOf reads each article of the hot set once (as its first readers would, so the
// measurement starts with the pages cached) and writes a file of fill-time tokens for each
// (a token is good for one post: see formTokens); remove the files with t.cleanup.
func targetsOf(srv *server, dataDir string, hot hotArticle) (mixTargets, error) {
	var t mixTargets
	for _, h := range hot.set {
		if _, _, err := fetchPage(srv.base, h.path); err != nil {
			return t, err
		}
		tok, err := formTokens(srv, dataDir, h, 20_000)
		if err != nil {
			return t, err
		}
		t.pages = append(t.pages, h.path)
		t.posts = append(t.posts, h.commentPath())
		t.tokens = append(t.tokens, tok)
	}
	return t, nil
}

// cleanup removes the token files.
func (t mixTargets) cleanup() {
	for _, f := range t.tokens {
		os.Remove(f)
	}
}

// mixLua is the 85/10/5 mix: 85% article pages of the hot set, 10% searches (the popular
// ones, or new every time), 5% comment posts on the hot set. tag keeps runs' comment
// texts apart (the same text twice is refused as a duplicate).
func mixLua(t mixTargets, freshQueries bool, tag string) string {
	tag += strconv.FormatInt(time.Now().UnixNano(), 36) // unique per run: see postLua
	var b strings.Builder
	list := func(name string, xs []string) {
		fmt.Fprintf(&b, "local %s = {", name)
		for _, x := range xs {
			fmt.Fprintf(&b, "%q, ", x)
		}
		b.WriteString("}\n")
	}
	list("pages", t.pages)
	list("posts", t.posts)
	list("tokenfiles", t.tokens)
	var qs []string
	if freshQueries {
		qs = vocabulary()
	} else {
		for _, q := range popularQueries() {
			qs = append(qs, url.QueryEscape(q))
		}
	}
	list("qs", qs)
	fmt.Fprintf(&b, `
local n = 0
posted = 0
local threads = 0
threads_list = {}
function setup(thread)
  thread:set("tid", threads); threads = threads + 1
  table.insert(threads_list, thread)
end
function init(args)
  math.randomseed(7919 * (tid + 1) + os.time())
end
response = function(status, headers, body)
  if status == 303 then posted = posted + 1 end
end
local toks, used = {}, {}
-- token returns the next unused fill-time token of post target i (the threads take
-- alternate lines of its file).
local function token(i)
  if not toks[i] then
    toks[i], used[i] = {}, 0
    for line in io.lines(tokenfiles[i]) do toks[i][#toks[i] + 1] = line end
  end
  used[i] = used[i] + 1
  return toks[i][(used[i] * 2 + tid) %% #toks[i] + 1]
end
request = function()
  n = n + 1
  local r = math.random(100)
  if r <= 85 then return wrk.format("GET", pages[math.random(#pages)]) end
  if r <= 95 then
    if %t then
      return wrk.format("GET", "/tim-kiem?q=" .. qs[math.random(#qs)] .. "+" .. qs[math.random(#qs)])
    end
    return wrk.format("GET", "/tim-kiem?q=" .. qs[math.random(#qs)])
  end
  local i = math.random(#posts)
  local body = "name=B%%E1%%BA%%A1n+%%C4%%91%%E1%%BB%%8Dc&phone=&title=Bench&content=N%%E1%%BB%%99i+dung+%s+" .. tid .. "-" .. n .. "&website=&started=" .. token(i)
  return wrk.format("POST", posts[i], {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
`, freshQueries, tag)
	return b.String()
}

// mixes runs the 85/10/5 mix with moderation on and off, popular and new searches, in
// turns (on, off, on, off: see turns), each window on a server started with that
// moderation. It leaves *srv running with moderation off.
func mixes(o options, srv **server, bin, dataDir string, hot hotArticle, label string, baseReqs float64) ([]result, int, error) {
	type mix struct {
		moderation string
		fresh      bool
	}
	var order []mix
	for _, moderation := range []string{"true", "false"} {
		for _, fresh := range []bool{false, true} {
			order = append(order, mix{moderation, fresh})
		}
	}
	windows := map[mix][]result{}
	window := max(time.Second, o.duration/2)
	for range turns {
		for _, moderation := range []string{"true", "false"} {
			(*srv).stop()
			s, _, err := startServerWith(bin, dataDir, moderation)
			if err != nil {
				return nil, 0, err
			}
			*srv = s
			if err := warmSearches(s); err != nil {
				return nil, 0, err
			}
			for _, fresh := range []bool{false, true} {
				// Tokens of their own for each run: a token is good for one post, and a run
				// on the previous run's tokens had most of its posts refused.
				t, err := targetsOf(s, dataDir, hot)
				if err != nil {
					return nil, 0, err
				}
				defer t.cleanup()
				name := fmt.Sprintf("%s 85/10/5 mix, moderation %s", label, map[string]string{"true": "on", "false": "off"}[moderation])
				if fresh {
					name += ", new searches"
				}
				tag := "mix" + moderation + strconv.FormatBool(fresh) // mixLua makes it unique per window
				r, err := wrkRun(o, s.base, wrkSpec{name: name, path: hot.path, script: mixLua(t, fresh, tag), gzip: true, duration: window})
				if err != nil {
					return nil, 0, err
				}
				windows[mix{moderation, fresh}] = append(windows[mix{moderation, fresh}], r)
			}
		}
	}
	var out []result
	accepted := 0
	for _, m := range order {
		r := combine(windows[m])
		r.ratio = r.reqs / baseReqs
		accepted += r.accepted
		if m.moderation == "true" {
			r.target, r.met = "no errors", r.errors == 0
		} else {
			ref := combine(windows[mix{"true", m.fresh}])
			r.target = fmt.Sprintf("≥ 80%% of moderation on (%.0f)", ref.reqs)
			r.met = r.reqs >= 0.8*ref.reqs && r.errors == 0
		}
		out = append(out, r)
	}
	return out, accepted, nil
}

// soak runs the 85/10/5 mix (the popular searches) with moderation off (every post published) at about
// o.soakRate requests a second for o.soak, one wrk run a minute, and reports each
// minute's rate, p99 and the server's RSS; then whether RSS grew over the last five.
func soak(o options, srv **server, bin, dataDir string, hot hotArticle, label string) ([]result, int, error) {
	(*srv).stop()
	s, _, err := startServerWith(bin, dataDir, "false")
	if err != nil {
		return nil, 0, err
	}
	*srv = s
	if err := warmSearches(s); err != nil {
		return nil, 0, err
	}
	// wrk is closed-loop: each of the connections waits between requests, which paces
	// the total near the rate (the wait leaves room for the answer's own time).
	const conns = 20
	wait := max(1, 1000*conns/o.soakRate-1)
	pace := fmt.Sprintf("\nfunction delay() return %d end\n", wait)
	var out []result
	var rss []float64
	accepted := 0
	minutes := int(o.soak / time.Minute)
	if minutes < 1 {
		minutes = 1
	}
	for m := 1; m <= minutes; m++ {
		// Each minute is a wrk run of its own, starting its token files from the top:
		// it needs new tokens (a token is good for one post).
		t, err := targetsOf(s, dataDir, hot)
		if err != nil {
			return nil, 0, err
		}
		defer t.cleanup()
		r, err := wrkRun(o, s.base, wrkSpec{name: fmt.Sprintf("%s soak @%d/s, minute %d", label, o.soakRate, m), path: hot.path,
			script: mixLua(t, false, "soak"+strconv.Itoa(m)) + pace, connections: conns, duration: time.Minute, gzip: true})
		if err != nil {
			return nil, 0, err
		}
		r.rssMB = s.rssMB()
		r.ratio = -1
		accepted += r.accepted
		r.target = "p99 < 50 ms, RSS < 100 MB"
		r.met = r.p99 < 50*time.Millisecond && r.rssMB < 100 && r.errors == 0 && r.reqs >= 0.9*float64(o.soakRate)
		rss = append(rss, r.rssMB)
		out = append(out, r)
	}
	if len(rss) >= 6 {
		last := rss[len(rss)-5:]
		lo, hi := last[0], last[0]
		for _, v := range last {
			lo, hi = min(lo, v), max(hi, v)
		}
		growth := last[len(last)-1] - last[0]
		out = append(out, result{name: fmt.Sprintf("%s soak RSS over the last 5 minutes: %.1f → %.1f MB (range %.1f–%.1f)", label, last[0], last[len(last)-1], lo, hi),
			target: "no growth (< 5 MB)", met: growth < 5, ratio: -1})
	}
	return out, accepted, nil
}
