package antispam

import (
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"toasoan/db"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func TestLimiterAllowsBurstThenRefills(t *testing.T) {
	c := &clock{t: t0}
	l := NewLimiter(3, 100, c.Now)
	for i := range 3 {
		if !l.Allow("1.2.3.4") {
			t.Fatalf("event %d refused inside the burst", i+1)
		}
	}
	if l.Allow("1.2.3.4") {
		t.Fatal("4th event in the same instant allowed with 3 a minute")
	}
	if !l.Allow("5.6.7.8") {
		t.Fatal("another address is limited by the first one")
	}
	c.Add(20 * time.Second) // one token back at 3 a minute
	if !l.Allow("1.2.3.4") {
		t.Fatal("no token after 20 s")
	}
	if l.Allow("1.2.3.4") {
		t.Fatal("two tokens after 20 s")
	}
}

func TestLimiterOffAllowsEverything(t *testing.T) {
	l := NewLimiter(0, 10, (&clock{t: t0}).Now)
	for range 1000 {
		if !l.Allow("x") {
			t.Fatal("limiter with rate 0 refused")
		}
	}
	if l.Len() != 0 {
		t.Errorf("rate 0 keeps %d limiters", l.Len())
	}
}

func TestLimiterIsBounded(t *testing.T) {
	c := &clock{t: t0}
	l := NewLimiter(5, 100, c.Now)
	for i := range 10_000 {
		l.Allow("10.0." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256))
		c.Add(time.Millisecond)
	}
	if n := l.Len(); n > 100 {
		t.Fatalf("limiter holds %d keys, cap 100", n)
	}
	// Idle keys expire: after two quiet minutes a sweep empties the map.
	c.Add(2 * time.Minute)
	for i := range 1024 {
		l.Allow("192.168.0." + strconv.Itoa(i))
	}
	if n := l.Len(); n > 100 {
		t.Fatalf("after expiry %d keys", n)
	}
	// A busy key that is evicted under pressure is not the one just used.
	if !l.Allow("fresh") {
		t.Fatal("fresh key refused")
	}
}

func TestFormToken(t *testing.T) {
	f := NewFormToken([]byte("secret-key-for-tests"), 3*time.Second, time.Hour)
	tok := f.Issue(42, t0)
	cases := []struct {
		name    string
		token   string
		subject int64
		at      time.Time
		want    error
	}{
		{"after 3 s", tok, 42, t0.Add(3 * time.Second), nil},
		{"after 59 min", tok, 42, t0.Add(59 * time.Minute), nil},
		{"after 2.9 s", tok, 42, t0.Add(2900 * time.Millisecond), ErrTokenTooFast},
		{"at once", tok, 42, t0, ErrTokenTooFast},
		{"from the future", tok, 42, t0.Add(-time.Minute), ErrTokenTooFast},
		{"expired", tok, 42, t0.Add(61 * time.Minute), ErrTokenExpired},
		{"other article", tok, 43, t0.Add(time.Minute), ErrTokenInvalid},
		{"empty", "", 42, t0.Add(time.Minute), ErrTokenInvalid},
		{"garbage", "<script>alert(1)</script>", 42, t0.Add(time.Minute), ErrTokenInvalid},
		{"huge", strings.Repeat("A", 1<<16), 42, t0.Add(time.Minute), ErrTokenInvalid},
		{"tampered", tamper(tok), 42, t0.Add(time.Minute), ErrTokenInvalid},
		{"other key", NewFormToken([]byte("another key"), 0, time.Hour).Issue(42, t0), 42, t0.Add(time.Minute), ErrTokenInvalid},
		{"backdated by forging the time", forgeTime(tok), 42, t0.Add(time.Second), ErrTokenInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := f.Check(c.token, c.subject, c.at); !errors.Is(err, c.want) {
				t.Fatalf("Check = %v, want %v", err, c.want)
			}
		})
	}
}

// tamper changes one character of the MAC. Not the last one: its low bits are padding
// that unpadded base64 decoding ignores, so changing them would change nothing.
func tamper(tok string) string {
	b := []byte(tok)
	i := len(b) - 10
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// forgeTime changes a character inside the timestamp part of the token.
func forgeTime(tok string) string {
	b := []byte(tok)
	if b[5] == 'A' {
		b[5] = 'B'
	} else {
		b[5] = 'A'
	}
	return string(b)
}

func TestClientIP(t *testing.T) {
	trusted, err := ParseCIDRs("10.0.0.0/8, 127.0.0.1, ::1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, remote, xff string
		trusted           bool
		want              string
	}{
		{"no proxy configured: peer", "203.0.113.5:4000", "1.1.1.1", false, "203.0.113.5"},
		{"untrusted peer: XFF ignored", "203.0.113.5:4000", "1.1.1.1", true, "203.0.113.5"},
		{"trusted peer: client from XFF", "127.0.0.1:4000", "198.51.100.7", true, "198.51.100.7"},
		{"chain of trusted proxies", "10.1.1.1:80", "198.51.100.7, 10.2.2.2", true, "198.51.100.7"},
		{"forged left entries ignored", "127.0.0.1:80", "6.6.6.6, 198.51.100.7", true, "198.51.100.7"},
		{"garbage in XFF stops there", "127.0.0.1:80", "198.51.100.7, <script>", true, "127.0.0.1"},
		{"no XFF from a trusted proxy", "127.0.0.1:80", "", true, "127.0.0.1"},
		{"IPv6 peer", "[::1]:80", "2001:db8::1", true, "2001:db8::1"},
		{"IPv4-mapped peer", "[::ffff:203.0.113.9]:80", "", true, "203.0.113.9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.RemoteAddr = c.remote
			if c.xff != "" {
				r.Header.Set("X-Forwarded-For", c.xff)
			}
			var tp = trusted
			if !c.trusted {
				tp = nil
			}
			if got := ClientIP(r, tp); got != c.want {
				t.Fatalf("ClientIP = %q, want %q", got, c.want)
			}
		})
	}
}

func TestParseCIDRs(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "not-an-ip", "1.2.3.4/x", "10.0.0.0/8;rm -rf"} {
		if _, err := ParseCIDRs(bad); err == nil {
			t.Errorf("ParseCIDRs(%q) accepted", bad)
		}
	}
	ps, err := ParseCIDRs(" 192.168.0.0/16 ,, fd00::/8 ")
	if err != nil || len(ps) != 2 {
		t.Fatalf("ParseCIDRs = %v, %v", ps, err)
	}
	if ps, _ := ParseCIDRs(""); len(ps) != 0 {
		t.Errorf("empty list parsed to %v", ps)
	}
}

func TestCountLinks(t *testing.T) {
	cases := map[string]int{
		"Không có liên kết nào, giá 3.5 triệu đồng.": 0,
		"Xem https://example.com/a?b=c nhé":          1,
		"www.spam.vn và http://x.y/z":                2,
		"Mua tại shop-re.com hoặc ban-hang.vn/giam":  2,
		"HTTPS://EXAMPLE.ORG":                        1,
		"email: a@b (không phải liên kết)":           0,
		"v.v. và TP.HCM":                             0,
	}
	for s, want := range cases {
		if got := CountLinks(s); got != want {
			t.Errorf("CountLinks(%q) = %d, want %d", s, got, want)
		}
	}
}

func openDB(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestCaptchaSingleUseAndExpiry(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: t0}
	d := openDB(t)
	cp := NewCaptcha(d, c.Now, 100)
	id, err := cp.New(ctx, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if !IsCaptchaID(id) {
		t.Fatalf("id %q does not look like a captcha id", id)
	}
	answer, err := d.CaptchaDigits(ctx, id, c.Now())
	if err != nil || len(answer) != 5 {
		t.Fatalf("answer %q, %v", answer, err)
	}
	png, err := cp.Image(ctx, id)
	if err != nil || len(png) < 100 || string(png[1:4]) != "PNG" {
		t.Fatalf("image: %d bytes, %v", len(png), err)
	}
	// Spaces and full-width digits are accepted.
	spaced := " " + answer[:2] + " " + toFullWidth(answer[2:]) + " "
	if ok, err := cp.Verify(ctx, id, spaced); !ok || err != nil {
		t.Fatalf("right answer %q refused: %v", spaced, err)
	}
	if ok, err := cp.Verify(ctx, id, answer); ok || err != nil {
		t.Fatal("a captcha was accepted twice")
	}
	if _, err := cp.Image(ctx, id); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("image of a used captcha: %v", err)
	}

	// A wrong answer uses the challenge up too.
	id2, err := cp.New(ctx, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	answer2, err := d.CaptchaDigits(ctx, id2, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := cp.Verify(ctx, id2, wrong(answer2)); ok || err != nil {
		t.Fatal("wrong answer accepted")
	}
	if ok, err := cp.Verify(ctx, id2, answer2); ok || err != nil {
		t.Fatal("right answer accepted after a wrong one")
	}

	// Ten minutes later a challenge is gone.
	id3, err := cp.New(ctx, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	answer3, err := d.CaptchaDigits(ctx, id3, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	c.Add(10*time.Minute + time.Second)
	if ok, err := cp.Verify(ctx, id3, answer3); ok || err != nil {
		t.Fatal("expired captcha accepted")
	}
	for _, bad := range []string{"", "../../etc/passwd", "' OR 1=1 --", strings.Repeat("A", 21)} {
		if ok, err := cp.Verify(ctx, bad, "12345"); ok || err != nil {
			t.Errorf("Verify(%q) = %v, %v", bad, ok, err)
		}
		if _, err := cp.Image(ctx, bad); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("Image(%q): %v", bad, err)
		}
	}
}

func TestCaptchaReplace(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: t0}
	d := openDB(t)
	cp := NewCaptcha(d, c.Now, 100)
	old, err := cp.New(ctx, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	answer, err := d.CaptchaDigits(ctx, old, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := cp.Replace(ctx, old, "192.0.2.1")
	if err != nil || fresh == old {
		t.Fatalf("Replace = %q, %v", fresh, err)
	}
	if ok, err := cp.Verify(ctx, old, answer); ok || err != nil {
		t.Fatal("the replaced captcha still works")
	}
	if _, err := cp.Image(ctx, fresh); err != nil {
		t.Fatal(err)
	}
}

func TestCaptchaStoreIsBounded(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: t0}
	d := openDB(t)
	cp := NewCaptcha(d, c.Now, 50)
	cp.PerOwner = 10
	live := func(id string) bool {
		_, err := d.CaptchaDigits(ctx, id, c.Now())
		return err == nil
	}
	// A reader gets a challenge; then one address floods (slowly enough for its rate).
	reader, err := cp.New(ctx, "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	var flood []string
	for range 200 {
		c.Add(time.Second)
		id, err := cp.New(ctx, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		flood = append(flood, id)
	}
	n := 0
	for _, id := range flood {
		if live(id) {
			n++
		}
	}
	if n != 10 || !live(flood[199]) || live(flood[0]) {
		t.Fatalf("the flooding address holds %d live challenges (newest live %v, oldest %v), want its newest 10",
			n, live(flood[199]), live(flood[0]))
	}
	if !live(reader) {
		t.Fatal("a flood from one address evicted another reader's challenge")
	}
	// Many addresses fill the store: new challenges are refused, none is evicted.
	for i := range 39 {
		if _, err := cp.New(ctx, "203.0.113."+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cp.New(ctx, "203.0.113.200"); !errors.Is(err, db.ErrCaptchaFull) {
		t.Fatalf("past the cap: %v, want ErrCaptchaFull", err)
	}
	if !live(reader) {
		t.Fatal("a full store evicted a reader's challenge")
	}
	// Expired rows are cleaned up by the next insert.
	c.Add(11 * time.Minute)
	if _, err := cp.New(ctx, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := d.Reader().QueryRowContext(ctx, "SELECT count(*) FROM captchas").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Fatalf("%d rows after expiry cleanup, want 1", rows)
	}
	// Asking too fast from one address is refused.
	var limited error
	for range 100 {
		if _, limited = cp.New(ctx, "192.0.2.99"); limited != nil {
			break
		}
	}
	if !errors.Is(limited, ErrCaptchaLimited) {
		t.Fatalf("100 challenges at once from one address: %v, want ErrCaptchaLimited", limited)
	}
}

func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r - '0' + '０')
	}
	return b.String()
}

func wrong(s string) string {
	b := []byte(s)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}
