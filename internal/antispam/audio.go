package antispam

import (
	"bytes"
	"context"

	"github.com/dchest/captcha"

	"toasoan/db"
)

// Audio speaks a live challenge's digits as a WAV file, for readers who cannot see the
// image. github.com/dchest/captcha has voices for en, ru, zh and ja only, not Vietnamese:
// the digits are read in English (the link's label says so). Listening does not use the
// challenge up; an unknown or expired id is db.ErrNotFound.
func (c *Captcha) Audio(ctx context.Context, id string) ([]byte, error) {
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
	if _, err := captcha.NewAudio(id, digits, "en").WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
