package antispam

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
)

// Errors of FormToken.Check.
var (
	ErrTokenInvalid = errors.New("antispam: form token invalid")
	ErrTokenTooFast = errors.New("antispam: form posted too fast")
	ErrTokenExpired = errors.New("antispam: form token expired")
)

// FormToken signs the time a form was served, bound to what the form is for (an
// article id), so a post can prove how long the reader had the form: bots that post at
// once, or replay one token on other articles, are refused. It keeps no state: that a
// token is good for one accepted post is the caller's to record (TokenID names it).
type FormToken struct {
	key    []byte
	MinAge time.Duration // posts sooner after serving are refused
	MaxAge time.Duration // older tokens are refused
}

// NewFormToken builds a signer with an HMAC-SHA256 key.
func NewFormToken(key []byte, minAge, maxAge time.Duration) *FormToken {
	return &FormToken{key: append([]byte(nil), key...), MinAge: minAge, MaxAge: maxAge}
}

// tokenPayload is served-at in Unix milliseconds, the subject id and 8 random bytes, so
// two forms served in the same millisecond are still two tokens.
const tokenPayload = 8 + 8 + 8

// Issue returns the token for a form about subject served at t.
func (f *FormToken) Issue(subject int64, t time.Time) string {
	var b [tokenPayload + sha256.Size]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(t.UnixMilli()))
	binary.BigEndian.PutUint64(b[8:16], uint64(subject))
	rand.Read(b[16:24])
	copy(b[tokenPayload:], f.mac(b[:tokenPayload]))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Check verifies a token for subject at now.
func (f *FormToken) Check(token string, subject int64, now time.Time) error {
	if len(token) > base64.RawURLEncoding.EncodedLen(tokenPayload+sha256.Size) {
		return ErrTokenInvalid
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenPayload+sha256.Size {
		return ErrTokenInvalid
	}
	if !hmac.Equal(b[tokenPayload:], f.mac(b[:tokenPayload])) {
		return ErrTokenInvalid
	}
	if int64(binary.BigEndian.Uint64(b[8:16])) != subject {
		return ErrTokenInvalid
	}
	served := time.UnixMilli(int64(binary.BigEndian.Uint64(b[0:8])))
	age := now.Sub(served)
	switch {
	case age < f.MinAge:
		return ErrTokenTooFast
	case age > f.MaxAge:
		return ErrTokenExpired
	}
	return nil
}

// TokenIDSize is the length of a token's identity.
const TokenIDSize = 16

// TokenID names a token Check accepted, to record it as used: the first 16 bytes of its
// MAC, which nobody without the key can choose. It returns nil for a malformed token.
func TokenID(token string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenPayload+sha256.Size {
		return nil
	}
	return b[tokenPayload : tokenPayload+TokenIDSize]
}

func (f *FormToken) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, f.key)
	h.Write([]byte("toasoan comment form v1\x00"))
	h.Write(payload)
	return h.Sum(nil)
}
