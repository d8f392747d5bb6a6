package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nginxPath finds Debian's nginx; the test skips without it, except in CI.
func nginxPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set but nginx is not installed: .ci/run must install it")
	}
	t.Skip("no nginx on this machine")
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// selfSigned writes a certificate and key for host into dir and returns a pool trusting it.
func selfSigned(t *testing.T, dir, host string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestNginxInFront runs deploy/nginx.conf — the file the README tells operators to
// install, with only ports, paths and the certificate swapped — in front of the real
// binary, and checks TLS, the page cache and that posts reach the app.
func TestNginxInFront(t *testing.T) {
	parallelTest(t)
	nginx := nginxPath(t)
	data := t.TempDir()
	addUser(t, data, "bientap", "editor", "mat-khau-du-dai-2026")
	// As the README says to run it behind this file.
	app := startServer(t, data, "-demo", "-base-url", "https://tin.example.vn", "-trusted-proxies", "127.0.0.1/32")
	appURL, _ := url.Parse(app.URL)

	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	const host = "tin.example.vn"
	certFile, keyFile, pool := selfSigned(t, dir, host)
	httpPort, tlsPort := freePort(t), freePort(t)
	site, err := os.ReadFile("../deploy/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := string(site)
	for _, r := range [][2]string{
		{"/var/cache/nginx/toasoan", filepath.Join(dir, "cache")},
		{"server 127.0.0.1:8080;", "server " + appURL.Host + ";"},
		{"    listen [::]:80;\n", ""},
		{"    listen [::]:443 ssl http2;\n", ""},
		{"listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;", httpPort)},
		{"listen 443 ssl http2;", fmt.Sprintf("listen 127.0.0.1:%d ssl http2;", tlsPort)},
		{"/etc/letsencrypt/live/tin.example.vn/fullchain.pem", certFile},
		{"/etc/letsencrypt/live/tin.example.vn/privkey.pem", keyFile},
	} {
		if !strings.Contains(conf, r[0]) {
			t.Fatalf("deploy/nginx.conf no longer contains %q: update this test with it", r[0])
		}
		conf = strings.ReplaceAll(conf, r[0], r[1])
	}
	os.WriteFile(filepath.Join(dir, "site.conf"), []byte(conf), 0o644)
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers must write the cache in this root-owned temp dir
	}
	main := fmt.Sprintf(`%s
daemon off;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 64; }
http {
    access_log %[2]s/access.log;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include /etc/nginx/mime.types;
    include %[2]s/site.conf;
}
`, user, dir)
	os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o644)
	if out, err := exec.Command(nginx, "-t", "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", filepath.Join(dir, "nginx.conf")).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	cmd := exec.Command(nginx, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", filepath.Join(dir, "nginx.conf"))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt) // SIGINT: fast shutdown
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})

	// Every name resolves to nginx's loopback ports; TLS is verified against our certificate.
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: host},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				port := tlsPort
				if strings.HasSuffix(addr, ":80") {
					port = httpPort
				}
				return dialer.DialContext(ctx, network, fmt.Sprintf("127.0.0.1:%d", port))
			},
		},
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", tlsPort))
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not start: %s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}

	fetch := func(method, u string, header http.Header) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, u, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := client.Do(req)
		if err != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("%s %s: %v\nnginx log:\n%s", method, u, err, log)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	base := "https://" + host

	first, body1 := fetch("GET", base+"/", nil)
	second, body2 := fetch("GET", base+"/", nil)
	if first.StatusCode != 200 || first.Header.Get("X-Cache-Status") != "MISS" {
		t.Fatalf("first GET /: %d cache %q", first.StatusCode, first.Header.Get("X-Cache-Status"))
	}
	if second.StatusCode != 200 || second.Header.Get("X-Cache-Status") != "HIT" || body1 != body2 {
		t.Fatalf("second GET /: %d cache %q same body %v", second.StatusCode, second.Header.Get("X-Cache-Status"), body1 == body2)
	}
	if first.TLS == nil || first.Header.Get("Strict-Transport-Security") == "" || !strings.Contains(body1, "<html") {
		t.Errorf("TLS %v HSTS %q", first.TLS != nil, first.Header.Get("Strict-Transport-Security"))
	}
	if first.Header.Get("X-Request-Id") == "" || first.Header.Get("Content-Security-Policy") == "" {
		t.Error("the app's headers did not come through")
	}

	// A POST is never answered from the cache: the app's own 405 page comes back.
	// (Once comments land, POST /bai-viet/{id}/binh-luan takes this same path.)
	post, body := fetch("POST", base+"/", nil)
	if post.StatusCode != http.StatusMethodNotAllowed || post.Header.Get("X-Cache-Status") == "HIT" ||
		!strings.Contains(body, "Phương thức không được hỗ trợ") || post.Header.Get("X-Request-Id") == "" {
		t.Fatalf("POST /: %d cache %q body has app page %v", post.StatusCode, post.Header.Get("X-Cache-Status"),
			strings.Contains(body, "Phương thức không được hỗ trợ"))
	}

	// Staff bypass the cache: log in through nginx, then read the home page with the
	// session cookie the app set (__Host-toasoan_session under https).
	jar, _ := cookiejar.New(nil)
	staffClient := *client
	staffClient.Jar = jar
	login, err := staffClient.PostForm(base+"/admin/login", url.Values{"name": {"bientap"}, "password": {"mat-khau-du-dai-2026"}})
	if err != nil {
		t.Fatal(err)
	}
	login.Body.Close()
	if login.StatusCode != http.StatusSeeOther || len(login.Cookies()) == 0 || login.Cookies()[0].Name != "__Host-toasoan_session" {
		t.Fatalf("login through nginx: %d cookies %v", login.StatusCode, login.Cookies())
	}
	staff, err := staffClient.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	staff.Body.Close()
	if staff.Header.Get("X-Cache-Status") != "BYPASS" {
		t.Errorf("logged in: cache %q, want BYPASS", staff.Header.Get("X-Cache-Status"))
	}
	// The plain name (an http -base-url) bypasses too; a look-alike does not.
	for cookie, want := range map[string]string{"toasoan_session=abc": "BYPASS", "a=1; toasoan_session=abc": "BYPASS", "xtoasoan_session=abc": "HIT"} {
		if r, _ := fetch("GET", base+"/", http.Header{"Cookie": {cookie}}); r.Header.Get("X-Cache-Status") != want {
			t.Errorf("Cookie %q: cache %q, want %s", cookie, r.Header.Get("X-Cache-Status"), want)
		}
	}
	// Error pages are no-store in the app: never kept.
	for range 2 {
		miss, _ := fetch("GET", base+"/khong-co-trang-nay", nil)
		if miss.StatusCode != 404 || miss.Header.Get("X-Cache-Status") == "HIT" {
			t.Errorf("404 page: %d cache %q", miss.StatusCode, miss.Header.Get("X-Cache-Status"))
		}
	}
	// Plain HTTP redirects to HTTPS; /metrics is not reachable from outside.
	plain, _ := fetch("GET", "http://"+host+"/chuyen-muc/thoi-su?page=2", nil)
	if plain.StatusCode != 301 || plain.Header.Get("Location") != base+"/chuyen-muc/thoi-su?page=2" {
		t.Errorf("http: %d %q", plain.StatusCode, plain.Header.Get("Location"))
	}
	if m, _ := fetch("GET", base+"/metrics", nil); m.StatusCode != 404 {
		t.Errorf("/metrics through nginx: %d", m.StatusCode)
	}
}
