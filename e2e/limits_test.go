package e2e

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSlowClientsCannotTieUpTheServer opens connections that send headers one byte at a
// time (slowloris): readers are still served at once, and the server drops the slow
// connections when its header timeout (10 s) runs out.
func TestSlowClientsCannotTieUpTheServer(t *testing.T) {
	parallelTest(t)
	srv := startServer(t, "", "-demo")
	host := strings.TrimPrefix(srv.URL, "http://")
	const slow = 50
	conns := make([]net.Conn, 0, slow)
	for range slow {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "))
		conns = append(conns, c)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() { // keep trickling one byte a second per connection
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
				for _, c := range conns {
					c.Write([]byte("a"))
				}
			}
		}
	}()
	start := time.Now()
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || time.Since(start) > 2*time.Second {
		t.Fatalf("reader waited %s for %d while slow clients were connected", time.Since(start), resp.StatusCode)
	}
	// Every slow connection must be closed by the server within the header timeout.
	deadline := time.Now().Add(20 * time.Second)
	for i, c := range conns {
		c.SetReadDeadline(deadline)
		_, err := bufio.NewReader(c).ReadByte()
		if err == nil {
			// A 408 response is also fine; then the connection closes.
			_, err = io.Copy(io.Discard, c)
		}
		if time.Now().After(deadline) {
			t.Fatalf("slow connection %d still open after 20 s", i)
		}
	}
}

// TestHugeBodyIsRefused posts 1 GB (declared) to the real server: it answers 413 without
// reading it, and keeps serving.
func TestHugeBodyIsRefused(t *testing.T) {
	parallelTest(t)
	srv := startServer(t, "", "-demo")
	host := strings.TrimPrefix(srv.URL, "http://")
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1073741824\r\n\r\nname=a"))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to a 1 GB post: %v", err)
	}
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("1 GB post: %d", resp.StatusCode)
	}
	if r, err := http.Get(srv.URL + "/healthz"); err != nil || r.StatusCode != 200 {
		t.Fatalf("server not serving after a huge post: %v", err)
	}
}
