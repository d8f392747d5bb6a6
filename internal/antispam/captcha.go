package antispam

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/dchest/captcha"
	"golang.org/x/text/unicode/norm"

	"toasoan/db"
)

// CaptchaStore keeps captcha answers; *db.DB is the production store.
type CaptchaStore interface {
	CreateCaptcha(ctx context.Context, id, digits, owner string, now, expires time.Time, keep, perOwner int) error
	CaptchaDigits(ctx context.Context, id string, now time.Time) (string, error)
	TakeCaptcha(ctx context.Context, id string, now time.Time) (string, error)
	DeleteCaptcha(ctx context.Context, id string) error
}

// Captcha issues and checks digit captchas. Images are drawn by github.com/dchest/captcha
// from the stored digits; the package's own global store is not used, so every App (and
// every test) has its own, bounded, in its database.
type Captcha struct {
	store  CaptchaStore
	now    func() time.Time
	TTL    time.Duration // a challenge expires this long after it was issued
	Keep   int           // at most this many live challenges are kept
	Length int           // digits per challenge
	// PerOwner is how many live challenges one address keeps: its next one replaces its
	// oldest.
	PerOwner int
	// issuing limits how many challenges one address is issued a minute.
	issuing *Limiter
}

// ErrCaptchaLimited is New's answer to an address that asked for too many challenges.
var ErrCaptchaLimited = errors.New("antispam: too many captchas for this address")

// Captcha image size in pixels.
const (
	CaptchaWidth  = 240
	CaptchaHeight = 80
)

// Per-address captcha limits. Readers behind one carrier-grade NAT share an address, so
// the limits are far above what one reader needs (a challenge when the form comes into
// view, one per refresh or refused post) and far below what fills the store.
const (
	captchasPerMinute = 60  // issued to one address a minute (burst of the same)
	captchasPerOwner  = 100 // live challenges one address holds
	captchaLimiterMax = 20_000
)

// NewCaptcha builds a captcha service over store: 10-minute challenges of 5 digits, at
// most keep of them alive, 100 per address, 60 issued to an address a minute.
func NewCaptcha(store CaptchaStore, now func() time.Time, keep int) *Captcha {
	return &Captcha{store: store, now: now, TTL: 10 * time.Minute, Keep: keep, Length: 5,
		PerOwner: captchasPerOwner, issuing: NewLimiter(captchasPerMinute, captchaLimiterMax, now)}
}

// idAlphabet is what captcha ids are made of (100 random bits in 20 characters).
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" // crypto/rand.Text's base32

const idLength = 20

// New issues a fresh challenge to owner (the client's address) and returns its id. An
// address over its rate gets ErrCaptchaLimited; a full store db.ErrCaptchaFull.
func (c *Captcha) New(ctx context.Context, owner string) (string, error) {
	if !c.issuing.Allow(owner) {
		return "", ErrCaptchaLimited
	}
	id := rand.Text()[:idLength]
	digits := captcha.RandomDigits(c.Length)
	now := c.now()
	if err := c.store.CreateCaptcha(ctx, id, digitString(digits), owner, now, now.Add(c.TTL), c.Keep, c.PerOwner); err != nil {
		return "", err
	}
	return id, nil
}

// Replace drops the challenge old (when it is one) and issues a fresh one to owner: the
// "Lấy lại mã bảo mật" link.
func (c *Captcha) Replace(ctx context.Context, old, owner string) (string, error) {
	if IsCaptchaID(old) {
		if err := c.store.DeleteCaptcha(ctx, old); err != nil {
			return "", err
		}
	}
	return c.New(ctx, owner)
}

// Verify checks an answer and uses the challenge up, right or wrong. Spaces anywhere and
// full-width digits are accepted. An unknown or expired id is a wrong answer.
func (c *Captcha) Verify(ctx context.Context, id, answer string) (bool, error) {
	if !IsCaptchaID(id) {
		return false, nil
	}
	want, err := c.store.TakeCaptcha(ctx, id, c.now())
	if errors.Is(err, db.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return want != "" && cleanAnswer(answer) == want, nil
}

// Image draws a live challenge as PNG; an unknown or expired id is db.ErrNotFound.
func (c *Captcha) Image(ctx context.Context, id string) ([]byte, error) {
	if !IsCaptchaID(id) {
		return nil, db.ErrNotFound
	}
	s, err := c.store.CaptchaDigits(ctx, id, c.now())
	if err != nil {
		return nil, err
	}
	digits := make([]byte, len(s))
	for i := range len(s) {
		digits[i] = s[i] - '0'
	}
	var buf bytes.Buffer
	if _, err := captcha.NewImage(id, digits, CaptchaWidth, CaptchaHeight).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// IsCaptchaID reports whether s has the shape of an id New issues.
func IsCaptchaID(s string) bool {
	if len(s) != idLength {
		return false
	}
	for i := range len(s) {
		if !strings.ContainsRune(idAlphabet, rune(s[i])) {
			return false
		}
	}
	return true
}

// cleanAnswer reduces a typed answer to ASCII digits: NFKC turns full-width digits
// into ASCII ones, and every space is dropped. Letters stay, so they fail the compare.
func cleanAnswer(s string) string {
	if len(s) > 64 {
		return ""
	}
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

func digitString(d []byte) string {
	b := make([]byte, len(d))
	for i, v := range d {
		b[i] = '0' + v
	}
	return string(b)
}
