package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestFrameAncestorsFlag: a value that could break out of the CSP header stops start-up
// with exit code 2 and a message naming the flag, before any file is touched.
func TestFrameAncestorsFlag(t *testing.T) {
	for _, v := range []string{"", "*", "'self'; script-src *", "https://a.vn\nX: y", "'none' https://a.vn"} {
		var stderr bytes.Buffer
		dir := t.TempDir()
		code := run([]string{"serve", "-data", dir, "-addr", "127.0.0.1:0", "-frame-ancestors", v}, &bytes.Buffer{}, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), "-frame-ancestors") {
			t.Errorf("%q: exit %d, stderr %q", v, code, stderr.String())
		}
	}
}
