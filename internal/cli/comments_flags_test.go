package cli

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestCommentFlags: wrong comment flags stop start-up with exit 2 and one line that
// names the flag, before any database is opened.
func TestCommentFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-moderation", "maybe"}, "-moderation must be true, false or first-time"},
		{[]string{"-moderation", "TRUE"}, "-moderation must be true, false or first-time"},
		{[]string{"-comment-rate", "-1"}, "-comment-rate must be 0 or more"},
		{[]string{"-comment-min-fill", "0s"}, "-comment-min-fill must be more than 0"},
		{[]string{"-trusted-proxies", "10.0.0.0/33"}, "-trusted-proxies"},
		{[]string{"-trusted-proxies", "proxy.example"}, "-trusted-proxies"},
		{[]string{"-captcha=maybe"}, "invalid boolean value"},
		{[]string{"-base-url", "ftp://x"}, "toasoan serve: -base-url must start with http"},
		{[]string{"-log-format", "xml"}, "toasoan serve: -log-format must be text or json"},
		{[]string{"extra"}, `toasoan serve: unexpected argument "extra"`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var errOut bytes.Buffer
			dir := t.TempDir()
			args := append([]string{"serve", "-addr", "127.0.0.1:0", "-data", dir}, c.args...)
			if code := run(args, io.Discard, &errOut); code != 2 {
				t.Fatalf("exit %d, want 2 (stderr %s)", code, errOut.String())
			}
			if !strings.Contains(errOut.String(), c.want) {
				t.Errorf("stderr %q, want %q", errOut.String(), c.want)
			}
		})
	}
	var out, errOut bytes.Buffer
	run([]string{"serve", "-h"}, &out, &errOut)
	for _, flag := range []string{"-moderation", "-captcha", "-comment-rate", "-comment-min-fill", "-trusted-proxies"} {
		if !strings.Contains(errOut.String(), flag) {
			t.Errorf("serve -h does not list %s", flag)
		}
	}
}
