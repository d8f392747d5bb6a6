package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"toasoan/db"
	"toasoan/handlers"
	"toasoan/internal/demo"
)

// runCmd runs a subcommand the way the binary does and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// demoDataDir is a data directory holding the demo newsroom.
func demoDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	d, err := db.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	loc, _ := time.LoadLocation(siteZone)
	if _, err := demo.Load(ctx, d, time.Now(), loc); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBackupRestoreCheckCommands(t *testing.T) {
	data := demoDataDir(t)
	backup := filepath.Join(t.TempDir(), "sao-luu.db")

	code, out, errOut := runCmd(t, "backup", "-data", data, backup)
	if code != 0 || !regexp.MustCompile(`backup ok: .*sao-luu\.db, [0-9.]+ KiB, schema \d+, categories=6 articles=48 `).MatchString(out) {
		t.Fatalf("backup: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, "backup", "-data", data, backup); code != 1 || !strings.Contains(errOut, "exists") {
		t.Errorf("backup over an existing file: %d %q", code, errOut)
	}
	if code, _, errOut := runCmd(t, "backup", "-data", filepath.Join(t.TempDir(), "typo"), filepath.Join(t.TempDir(), "x.db")); code != 1 || !strings.Contains(errOut, "no database") {
		t.Errorf("backup of a missing data dir: %d %q", code, errOut)
	}
	if code, _, _ := runCmd(t, "backup", "-data", data); code != 2 {
		t.Errorf("backup without FILE: %d", code)
	}

	// A server holds the lock: restore refuses and changes nothing.
	lock, err := db.LockDir(data)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCmd(t, "restore", "-data", data, backup)
	if code != 1 || !strings.Contains(errOut, "a toasoan server is running") {
		t.Fatalf("restore while locked: %d %q", code, errOut)
	}
	lock.Unlock()

	code, out, errOut = runCmd(t, "restore", "-data", data, backup)
	if code != 0 || !strings.Contains(out, "restore ok") || !strings.Contains(out, "kept as") {
		t.Fatalf("restore: %d %q %q", code, out, errOut)
	}
	notDB := filepath.Join(t.TempDir(), "anh.jpg")
	os.WriteFile(notDB, []byte("\xff\xd8\xff\xe0 not a database"), 0o600)
	if code, _, errOut := runCmd(t, "restore", "-data", data, notDB); code != 1 || !strings.Contains(errOut, "not usable") {
		t.Errorf("restore of a JPEG: %d %q", code, errOut)
	}

	code, out, _ = runCmd(t, "check", "-data", data)
	if code != 0 || !strings.Contains(out, "integrity:         ok") || !strings.Contains(out, "articles:          48") ||
		!strings.Contains(out, "result:            healthy") {
		t.Fatalf("check: %d\n%s", code, out)
	}
	garbageDir := t.TempDir()
	os.WriteFile(filepath.Join(garbageDir, db.FileName), bytes.Repeat([]byte("hỏng "), 2000), 0o600)
	if code, _, errOut := runCmd(t, "check", "-data", garbageDir); code != 1 || !strings.Contains(errOut, "corrupt") {
		t.Errorf("check of garbage: %d %q", code, errOut)
	}
}

func TestImportExportCommands(t *testing.T) {
	data := t.TempDir()
	code, out, errOut := runCmd(t, "import-wxr", "-data", data, "testdata/wordpress.xml")
	if code != 0 || !strings.Contains(out, "created:       7 articles, 4 sections, 3 authors (disabled), 4 comments") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	// Not a terminal: plain progress lines, no carriage returns.
	if strings.Contains(errOut, "\r") || !strings.Contains(errOut, "imported 10/10 items (100%)") {
		t.Errorf("progress on a non-terminal: %q", errOut)
	}
	code, out, _ = runCmd(t, "import-wxr", "-data", data, "testdata/wordpress.xml")
	if code != 0 || !strings.Contains(out, "created:       0 articles, 0 sections, 0 authors (disabled), 0 comments") ||
		!strings.Contains(out, "already there: 12") {
		t.Fatalf("second import: %d\n%s", code, out)
	}

	// A comment with a phone number and an address: neither may leave in the export.
	ctx := context.Background()
	d, err := db.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.InsertComment(ctx, db.Comment{ArticleID: 1, Name: "Bạn đọc có số", Phone: "0912345678", Title: "Hỏi",
		Body: "Xin số đường dây nóng", Status: db.CommentApproved, IP: "198.51.100.77", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	d.Close()

	file := filepath.Join(t.TempDir(), "xuat.jsonl")
	code, _, errOut = runCmd(t, "export", "-data", data, file)
	if code != 0 || !strings.Contains(errOut, "") {
		t.Fatalf("export: %d %q", code, errOut)
	}
	raw, _ := os.ReadFile(file)
	for _, secret := range []string{"0912345678", "198.51.100.77", "203.0.113.7", "Bài chờ duyệt", "Bản nháp", "Lễ hội sẽ diễn ra", "Bình luận đang chờ duyệt", "phone", `"ip"`} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("export contains %q", secret)
		}
	}
	types := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 16<<20)
	line := 0
	for sc.Scan() {
		line++
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d is not JSON: %v", line, err)
		}
		typ, _ := rec["type"].(string)
		types[typ]++
		if line == 1 && typ != "toasoan-export" {
			t.Errorf("first line is %q, want the header", typ)
		}
		if typ == "article" && rec["title"] == "Hai Bà Trưng: Hưởng ứng “Tết vì người nghèo”" {
			if body, _ := rec["body_html"].(string); !strings.Contains(body, "<h2>Kết quả</h2>") || strings.Contains(body, "<script") {
				t.Errorf("article body %q", body)
			}
			if rec["path"] != "/bai-viet/tet-vi-nguoi-ngheo-1" || rec["section_slug"] != "thoi-su" {
				t.Errorf("article record %v", rec)
			}
		}
	}
	// Public: 3 published articles (101, 102, 107); 4 sections; approved comments 501, 506, 507 + the new one.
	if types["section"] != 4 || types["article"] != 3 || types["comment"] != 4 || types["toasoan-export"] != 1 {
		t.Errorf("record counts %v", types)
	}
	if code, _, _ := runCmd(t, "export", "-data", filepath.Join(t.TempDir(), "none"), file); code != 1 {
		t.Errorf("export of a missing data dir: %d", code)
	}
}

func TestImportRefusesBadFilesAndImportsNothing(t *testing.T) {
	good, err := os.ReadFile("testdata/wordpress.xml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o600)
		return p
	}
	wrongNS := bytes.ReplaceAll(good, []byte("http://wordpress.org/export/1.2/"), []byte("http://example.com/other/"))
	cases := []struct{ name, file, want string }{
		{"binary", write("anh.xml", []byte("\x89PNG\r\n\x1a\n binary")), "line 3: not well-formed XML: invalid UTF-8"},
		{"plain text", write("ghi-chu.xml", []byte("Xin chào, đây không phải XML")), "line 1: text outside the <rss> element"},
		{"html page", write("trang.xml", []byte("<!-- x -->\n<html><body>Trang chủ</body></html>")), "line 2: the root element is <html>, not <rss>"},
		{"empty", write("rong.xml", nil), "empty or truncated"},
		{"undeclared entity", write("ent.xml", []byte("<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>\n<item><title>&xxe;</title></item></channel></rss>")), "line 2: not well-formed XML: invalid character entity &xxe;"},
		{"truncated", write("cut.xml", good[:len(good)*2/3]), "truncated"},
		{"wrong namespace", write("rss.xml", wrongNS), "line 5: <rss> does not declare the WordPress export namespace"},
		{"entity expansion", write("lol.xml", []byte(`<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>&lol2;</title></item></channel></rss>`)), "line 2: DOCTYPE"},
		{"missing file", filepath.Join(dir, "nope.xml"), "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := t.TempDir()
			code, _, errOut := runCmd(t, "import-wxr", "-data", data, c.file)
			if code != 1 || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q, want %q", code, errOut, c.want)
			}
			d, err := db.Open(context.Background(), data)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if has, err := d.HasArticles(context.Background()); err != nil || has {
				t.Errorf("a bad file left articles behind (%v)", err)
			}
			if cats, err := d.Categories(context.Background(), true); err != nil || len(cats) != 0 {
				t.Errorf("a bad file left sections behind: %v %v", cats, err)
			}
		})
	}
}

func TestBackupScheduler(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var logs bytes.Buffer
	dir := t.TempDir()
	now := time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)
	s := &backupScheduler{DB: d, Dir: dir, Every: 24 * time.Hour, Keep: 3,
		Log: slog.New(slog.NewJSONHandler(&logs, nil)), Now: func() time.Time { return now }}
	os.WriteFile(filepath.Join(dir, "ghi-chu.txt"), []byte("not ours"), 0o600)
	os.WriteFile(filepath.Join(dir, "toasoan-thu-cong.db"), []byte("hand-made copy"), 0o600)
	for range 5 {
		if err := s.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(24 * time.Hour)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"ghi-chu.txt", "toasoan-20261130-010000.db", "toasoan-20261201-010000.db", "toasoan-20261202-010000.db", "toasoan-thu-cong.db"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("after 5 backups keeping 3: %v", names)
	}
	st, _ := d.BackupStatus(ctx)
	if st.LastFile != filepath.Join(dir, "toasoan-20261202-010000.db") || st.Failing() {
		t.Errorf("status %+v", st)
	}

	// The directory disappears (unmounted disk): the failure is loud and recorded.
	os.RemoveAll(dir)
	os.WriteFile(dir, []byte("a file where the directory was"), 0o600)
	if err := s.RunOnce(ctx); err == nil {
		t.Fatal("backup into a file path succeeded")
	}
	st, _ = d.BackupStatus(ctx)
	if !st.Failing() || st.LastError == "" {
		t.Errorf("failure not recorded: %+v", st)
	}
	if !strings.Contains(logs.String(), `"level":"ERROR","msg":"AUTOMATIC BACKUP FAILED`) {
		t.Errorf("failure not logged at ERROR: %s", logs.String())
	}
}

func TestServeFlagsValidation(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-log-format", "xml"}, "-log-format must be text or json"},
		{[]string{"-backup-dir", "/tmp/x", "-backup-every", "1s"}, "-backup-every must be at least 1m"},
		{[]string{"-backup-dir", "/tmp/x", "-backup-keep", "0"}, "-backup-keep must be at least 1"},
		{[]string{"-metrics-token", "short"}, "-metrics-token must be at least 16"},
	}
	for _, c := range cases {
		code, _, errOut := runCmd(t, append([]string{"serve"}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: %d %q", c.args, code, errOut)
		}
	}
	var buf bytes.Buffer
	newLogger(&buf, "").Info("x", "k", "v")
	if !json.Valid(bytes.TrimSpace(buf.Bytes())) {
		t.Errorf("default log format off a terminal is not JSON: %q", buf.String())
	}
	buf.Reset()
	newLogger(&buf, "text").Info("x", "k", "v")
	if !strings.Contains(buf.String(), "k=v") {
		t.Errorf("text log %q", buf.String())
	}
}

func TestServeHoldsTheDataDirLock(t *testing.T) {
	data := t.TempDir()
	lock, err := db.LockDir(data)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	log := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	err = serveWith(log, "127.0.0.1:0", data, false, handlers.Config{}, &opsConfig{}, "dev")
	if !errors.Is(err, db.ErrLocked) {
		t.Fatalf("second server on a locked directory: %v", err)
	}
}

func TestProgressOutput(t *testing.T) {
	var plain bytes.Buffer
	p := newProgress(&plain, false)
	for i := 1; i <= 250; i++ {
		p.update(i, 250)
	}
	p.finish()
	lines := strings.Split(strings.TrimSpace(plain.String()), "\n")
	if len(lines) != 11 || lines[0] != "imported 1/250 items (0%)" || lines[10] != "imported 250/250 items (100%)" || strings.Contains(plain.String(), "\r") {
		t.Errorf("plain progress: %q", plain.String())
	}
	var term bytes.Buffer
	p = newProgress(&term, true)
	p.update(1, 4)
	p.update(4, 4) // the last update is always drawn
	p.finish()
	if !strings.HasPrefix(term.String(), "\r[#######                       ]  25% 1/4") ||
		!strings.HasSuffix(term.String(), "\r[##############################] 100% 4/4\n") {
		t.Errorf("terminal progress: %q", term.String())
	}
}

func TestFirstBackupWait(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []struct {
		last time.Time
		want time.Duration
	}{
		{time.Time{}, 0},              // never backed up
		{now.Add(-25 * time.Hour), 0}, // overdue after a long stop
		{now.Add(-day), 0},            // exactly due
		{now.Add(-20 * time.Hour), 4 * time.Hour},
		{now.Add(time.Hour), 0}, // clock set back
	}
	for _, c := range cases {
		if got := firstBackupWait(c.last, now, day); got != c.want {
			t.Errorf("last %v: wait %v, want %v", c.last, got, c.want)
		}
	}
}

func TestExportToStandardOutput(t *testing.T) {
	data := demoDataDir(t)
	code, out, errOut := runCmd(t, "export", "-data", data, "-")
	if code != 0 || !strings.Contains(errOut, "export ok: 6 sections, 48 articles") {
		t.Fatalf("export -: %d %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("line %d is not JSON: %q", i+1, l)
		}
	}
	if len(lines) < 1+6+48 {
		t.Errorf("%d lines", len(lines))
	}
}

func TestServeSetsASoftMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	t.Setenv("GOMEMLIMIT", "")
	applyMemoryLimit(defaultMemoryLimitMB, log)
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimitMB<<20 {
		t.Errorf("memory limit %d, want %d MiB", got, defaultMemoryLimitMB)
	}
	// The operator's GOMEMLIMIT is theirs: serve leaves it alone.
	debug.SetMemoryLimit(before)
	t.Setenv("GOMEMLIMIT", "200MiB")
	applyMemoryLimit(defaultMemoryLimitMB, log)
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("GOMEMLIMIT set, yet serve changed the limit to %d", got)
	}
	// 0 turns it off.
	t.Setenv("GOMEMLIMIT", "")
	applyMemoryLimit(0, log)
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("-memory-limit-mb 0 set the limit to %d", got)
	}

	for _, bad := range []string{"16", "-5", "lots"} {
		code, _, errOut := runCmd(t, "serve", "-memory-limit-mb", bad)
		if code != 2 || !strings.Contains(errOut, "memory-limit-mb") {
			t.Errorf("-memory-limit-mb %s: exit %d, %q", bad, code, errOut)
		}
	}
}
