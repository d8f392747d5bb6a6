package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingWriter records what reaches the log's destination and in how many writes.
type countingWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	fail   error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return 0, c.fail
	}
	c.writes++
	return c.buf.Write(p)
}

func (c *countingWriter) state() (string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String(), c.writes
}

// waitFor polls until the destination holds want lines or the deadline passes.
func waitFor(t *testing.T, c *countingWriter, lines int, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		s, _ := c.state()
		if strings.Count(s, "\n") >= lines || time.Now().After(deadline) {
			return s
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLogWriterBatchesBusyLinesAndKeepsQuietOnesPrompt(t *testing.T) {
	out := &countingWriter{}
	l := newLogWriter(out, 50*time.Millisecond, 1<<20)
	defer l.Close()

	// After a quiet spell a line goes out at once: the operator watching sees it.
	l.Write([]byte("started\n"))
	if s, n := out.state(); s != "started\n" || n != 1 {
		t.Fatalf("first line: %q in %d writes, want it written at once", s, n)
	}
	// A burst is held and written together, within the flush interval.
	for i := range 100 {
		fmt.Fprintf(l, "request %d\n", i)
	}
	if s, _ := out.state(); strings.Count(s, "\n") != 1 {
		t.Fatalf("burst written line by line: %d lines out at once", strings.Count(s, "\n"))
	}
	s := waitFor(t, out, 101, 2*time.Second)
	if !strings.Contains(s, "request 0\nrequest 1\n") || !strings.HasSuffix(s, "request 99\n") {
		t.Fatalf("burst lost or reordered: %q", s)
	}
	if _, n := out.state(); n > 3 {
		t.Errorf("100 lines took %d writes, want them batched", n)
	}
}

func TestLogWriterFlushesAFullBufferAtOnce(t *testing.T) {
	out := &countingWriter{}
	l := newLogWriter(out, time.Hour, 64)
	defer l.Close()
	l.Write([]byte("quiet start\n")) // goes out; the next ones are a burst
	line := strings.Repeat("x", 40) + "\n"
	l.Write([]byte(line))
	if s, _ := out.state(); strings.Contains(s, "x") {
		t.Fatal("a line under the size limit was written before its time")
	}
	l.Write([]byte(line)) // 82 bytes held: over 64
	if s, _ := out.state(); strings.Count(s, line) != 2 {
		t.Fatalf("full buffer not written: %q", s)
	}
}

func TestLogWriterCloseWritesWhatIsHeld(t *testing.T) {
	out := &countingWriter{}
	l := newLogWriter(out, time.Hour, 1<<20)
	l.Write([]byte("a\n"))
	l.Write([]byte("b\n")) // held: the hour is not up
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if s, _ := out.state(); s != "a\nb\n" {
		t.Fatalf("after Close the destination holds %q", s)
	}
	// The last lines of a shutdown, written after Close, go straight out.
	l.Write([]byte("stopped\n"))
	if s, _ := out.state(); s != "a\nb\nstopped\n" {
		t.Fatalf("write after Close: %q", s)
	}
}

func TestLogWriterReportsAFailedFlush(t *testing.T) {
	out := &countingWriter{}
	l := newLogWriter(out, 10*time.Millisecond, 1<<20)
	l.Write([]byte("a\n"))
	out.mu.Lock()
	out.fail = errors.New("disk full")
	out.mu.Unlock()
	l.Write([]byte("b\n")) // held, then the timed flush fails
	time.Sleep(50 * time.Millisecond)
	if _, err := l.Write([]byte("c\n")); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write after a failed flush: %v, want the flush's error", err)
	}
}

func TestLogWriterKeepsConcurrentLinesWhole(t *testing.T) {
	out := &countingWriter{}
	l := newLogWriter(out, 5*time.Millisecond, 512)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				fmt.Fprintf(l, "g%d line %03d end\n", g, i)
			}
		}()
	}
	wg.Wait()
	l.Close()
	s, _ := out.state()
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines, want 1600", len(lines))
	}
	for _, ln := range lines {
		var g, i int
		if n, _ := fmt.Sscanf(ln, "g%d line %d end", &g, &i); n != 2 {
			t.Fatalf("torn line %q", ln)
		}
	}
}
