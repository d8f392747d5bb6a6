package cli

import (
	"io"
	"sync"
	"time"
)

// Request-log buffering: every request writes one log line, and on a cached page that
// write was a system call of its own, about a tenth of what the hit cost. Lines are held
// for at most logFlushEvery (or until logBufferBytes pile up) and written together; a
// line after a quiet spell goes out at once, so a person watching the log sees no delay
// when the site is idle. zap's BufferedWriteSyncer does the same with 30 s and 256 kB; a
// crash that kills the process (not a handler's panic, which is recovered and logged)
// loses at most the last logFlushEvery of lines.
const (
	logFlushEvery  = 100 * time.Millisecond
	logBufferBytes = 32 << 10
)

// logWriter is an io.Writer that batches log lines (see logFlushEvery). Each Write is
// kept whole: slog writes one record per call.
type logWriter struct {
	mu      sync.Mutex
	out     io.Writer
	every   time.Duration
	max     int
	buf     []byte
	last    time.Time // when lines last went out
	timer   *time.Timer
	pending bool // the timer is set to flush buf
	closed  bool
	err     error // the first failed write, reported by the next Write or Close
}

// newLogWriter batches writes to out: nothing stays unwritten longer than every, nor
// piles up beyond max bytes.
func newLogWriter(out io.Writer, every time.Duration, max int) *logWriter {
	return &logWriter{out: out, every: every, max: max}
}

// Write takes one log record. After a quiet spell (nothing written for every) it goes
// out at once; otherwise it waits for the batch.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.err; err != nil {
		l.err = nil
		return 0, err
	}
	now := time.Now()
	if l.closed || (len(l.buf) == 0 && now.Sub(l.last) >= l.every) {
		l.last = now
		return l.out.Write(p)
	}
	l.buf = append(l.buf, p...)
	if len(l.buf) >= l.max {
		if err := l.flushLocked(); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if !l.pending {
		l.pending = true
		if l.timer == nil {
			l.timer = time.AfterFunc(l.every, l.timedFlush)
		} else {
			l.timer.Reset(l.every)
		}
	}
	return len(p), nil
}

// timedFlush writes what the batch holds when its time is up; a failure is kept for the
// next Write to report, as nothing waits for this one.
func (l *logWriter) timedFlush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = false
	if err := l.flushLocked(); err != nil && l.err == nil {
		l.err = err
	}
}

func (l *logWriter) flushLocked() error {
	if len(l.buf) == 0 {
		return nil
	}
	l.last = time.Now()
	_, err := l.out.Write(l.buf)
	if cap(l.buf) > 4*l.max {
		l.buf = nil // a burst of huge lines does not pin its memory
	} else {
		l.buf = l.buf[:0]
	}
	return err
}

// Close writes what is held and makes later writes go straight out (the last lines of a
// shutdown, an error returned after it).
func (l *logWriter) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.timer != nil {
		l.timer.Stop()
		l.pending = false
	}
	err := l.flushLocked()
	if err == nil {
		err, l.err = l.err, nil
	}
	return err
}
