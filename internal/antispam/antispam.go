// Package antispam owns the layers that keep spam out of reader comments apart from
// the form's own validation: the per-address rate limiter (a bounded, expiring map of
// golang.org/x/time/rate limiters), the signed fill-time token (when the form was
// served), the digit captcha (github.com/dchest/captcha images over a bounded store in
// the database), the client address behind trusted proxies, and the link counter.
// Every clock is injected, so tests never sleep.
package antispam
