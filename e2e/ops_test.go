package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// runBinary runs the toasoan binary with args and returns its exit code and output.
func runBinary(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), "TOASOAN_DATA=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

func httpGet(t *testing.T, url string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestOperatingARunningServer drives the real binary the way an operator does: a server
// with automatic backups and metrics, a manual backup while it runs, a refused restore,
// then a restore once it has stopped.
func TestOperatingARunningServer(t *testing.T) {
	parallelTest(t)
	data, backups := t.TempDir(), t.TempDir()
	const token = "e2e-metrics-token-0123456789"
	srv := startServer(t, data, "-demo", "-backup-dir", backups, "-metrics-token", token,
		"-metrics-addr", "127.0.0.1:0")

	// The first automatic backup runs at start, since none was ever made.
	deadline := time.Now().Add(20 * time.Second)
	var auto []string
	for len(auto) == 0 && time.Now().Before(deadline) {
		auto, _ = filepath.Glob(filepath.Join(backups, "toasoan-*.db"))
		time.Sleep(50 * time.Millisecond)
	}
	if len(auto) != 1 {
		t.Fatalf("no automatic backup in %s; log:\n%s", backups, srv.Log())
	}

	// Requests whose query strings and headers carry secrets: none may reach the log.
	secrets := []string{"0912345678", "mat-khau-bi-mat", "phien-dang-nhap-bi-mat", token}
	httpGet(t, srv.URL+"/?phone=0912345678&password=mat-khau-bi-mat", http.Header{
		"Cookie": {"session=phien-dang-nhap-bi-mat"}, "Authorization": {"Bearer " + token}})
	httpGet(t, srv.URL+"/bai-viet/khong-co-99999999?token=phien-dang-nhap-bi-mat", nil)

	// /metrics on the main listener: only with the token.
	if resp, _ := httpGet(t, srv.URL+"/metrics", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/metrics without token: %d", resp.StatusCode)
	}
	resp, body := httpGet(t, srv.URL+"/metrics", http.Header{"Authorization": {"Bearer " + token}})
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics with token: %d", resp.StatusCode)
	}
	for _, want := range []string{`toasoan_http_requests_total{method="GET",route="GET /{$}",status="200"}`,
		`toasoan_http_requests_total{method="GET",route="GET /bai-viet/{ref}",status="404"} 1`,
		`toasoan_backups_total{result="ok"} 1`, "toasoan_backup_age_seconds ",
		`go_sql_wait_duration_seconds_total{db_name="writer"}`, `go_sql_wait_duration_seconds_total{db_name="reader"}`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// And on its own listener, without a token.
	m := regexp.MustCompile(`msg="metrics listening" addr=(\S+)`).FindStringSubmatch(srv.Log())
	if m == nil {
		t.Fatalf("no metrics listener in the log:\n%s", srv.Log())
	}
	if resp, body := httpGet(t, "http://"+m[1]+"/metrics", nil); resp.StatusCode != 200 || !strings.Contains(body, "toasoan_comments_total") {
		t.Errorf("separate metrics listener: %d", resp.StatusCode)
	}

	// A manual backup while the server runs.
	manual := filepath.Join(t.TempDir(), "thu-cong.db")
	if code, out := runBinary(t, "backup", "-data", data, manual); code != 0 || !strings.Contains(out, "articles=48") {
		t.Fatalf("backup of a running server: %d %s", code, out)
	}
	// Restore refuses while the server holds the directory, and changes nothing.
	if code, out := runBinary(t, "restore", "-data", data, manual); code != 1 || !strings.Contains(out, "stop it first") {
		t.Fatalf("restore under a running server: %d %s", code, out)
	}
	if code, out := runBinary(t, "check", "-data", data); code != 0 || !strings.Contains(out, "healthy") {
		t.Fatalf("check of a running server: %d %s", code, out)
	}
	srv.Stop(t)

	for _, s := range secrets {
		if strings.Contains(srv.Log(), s) {
			t.Errorf("the log contains the secret %q:\n%s", s, srv.Log())
		}
	}
	if !strings.Contains(srv.Log(), "path=/bai-viet/khong-co-99999999 status=404") {
		t.Errorf("request line missing:\n%s", srv.Log())
	}

	if code, out := runBinary(t, "restore", "-data", data, manual); code != 0 || !strings.Contains(out, "restore ok") {
		t.Fatalf("restore after stop: %d %s", code, out)
	}
	again := startServer(t, data)
	if resp, _ := httpGet(t, again.URL+"/", nil); resp.StatusCode != 200 {
		t.Errorf("server on the restored data: %d", resp.StatusCode)
	}
}

// TestJSONLogs checks -log-format json: one JSON object per line with the request fields.
func TestJSONLogs(t *testing.T) {
	parallelTest(t)
	srv := startServer(t, "", "-log-format", "json")
	httpGet(t, srv.URL+"/healthz", nil)
	srv.Stop(t)
	found := false
	for _, line := range strings.Split(strings.TrimSpace(srv.Log()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if rec["msg"] == "request" && rec["path"] == "/healthz" {
			found = true
			for _, k := range []string{"id", "method", "status", "bytes", "duration"} {
				if _, ok := rec[k]; !ok {
					t.Errorf("request line lacks %s: %v", k, rec)
				}
			}
		}
	}
	if !found {
		t.Errorf("no request line:\n%s", srv.Log())
	}
}
