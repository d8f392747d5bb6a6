package antispam

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter allows each key (a client address) a number of events per minute, with a
// burst of the same size. It keeps at most maxKeys limiters: idle ones expire, and when
// the map is full of busy ones the least recently seen is dropped, so a flood from many
// addresses costs bounded memory.
type Limiter struct {
	every   rate.Limit
	burst   int
	maxKeys int
	idle    time.Duration // a limiter unused this long is full again and can go
	now     func() time.Time

	mu      sync.Mutex
	keys    map[string]*limiterEntry
	inserts int
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewLimiter allows perMinute events a minute per key; perMinute <= 0 allows everything.
func NewLimiter(perMinute, maxKeys int, now func() time.Time) *Limiter {
	l := &Limiter{maxKeys: max(1, maxKeys), now: now, keys: map[string]*limiterEntry{}}
	if perMinute > 0 {
		l.every = rate.Every(time.Minute / time.Duration(perMinute))
		l.burst = perMinute
		// After burst/rate of silence the bucket is full: forgetting it changes nothing.
		l.idle = time.Minute + time.Second
	}
	return l
}

// Allow reports whether key may act now, and counts the event.
func (l *Limiter) Allow(key string) bool {
	if l.burst == 0 {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.keys[key]
	if !ok {
		l.inserts++
		if len(l.keys) >= l.maxKeys || l.inserts%1024 == 0 {
			l.sweep(now)
		}
		e = &limiterEntry{lim: rate.NewLimiter(l.every, l.burst)}
		l.keys[key] = e
	}
	e.seen = now
	return e.lim.AllowN(now, 1)
}

// sweep drops idle limiters; if the map is still full, the least recently seen one.
func (l *Limiter) sweep(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k, e := range l.keys {
		if now.Sub(e.seen) >= l.idle {
			delete(l.keys, k)
			continue
		}
		if oldestKey == "" || e.seen.Before(oldest) {
			oldestKey, oldest = k, e.seen
		}
	}
	if len(l.keys) >= l.maxKeys && oldestKey != "" {
		delete(l.keys, oldestKey)
	}
}

// Len is the number of limiters held, for tests and metrics.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}
