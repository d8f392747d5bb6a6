package cli

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"toasoan/handlers"
)

func TestSubcommands(t *testing.T) {
	cases := []struct {
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{[]string{"version"}, 0, "toasoan ", ""},
		{[]string{"help"}, 0, "toasoan serve", ""},
		{[]string{"bogus"}, 2, "", `unknown command "bogus"`},
		{[]string{"serve", "-no-such-flag"}, 2, "", "flag provided but not defined"},
		{[]string{"serve", "-h"}, 0, "", "-base-url"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(c.args, &out, &errOut); code != c.code {
				t.Fatalf("exit %d, want %d (stderr %s)", code, c.code, errOut.String())
			}
			if !strings.Contains(out.String(), c.inStdout) || !strings.Contains(errOut.String(), c.inStderr) {
				t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
			}
		})
	}
}

func TestStartupErrorsAreOneLine(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt")
	os.MkdirAll(corrupt, 0o755)
	os.WriteFile(filepath.Join(corrupt, "toasoan.db"), bytes.Repeat([]byte("garbage!"), 1000), 0o600)
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o600)
	cases := []struct {
		name, data, baseURL, want string
	}{
		{"corrupt database", corrupt, "", "corrupt or not a SQLite file"},
		{"data dir is a file", file, "", "cannot create data directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			err := serveWith(log, "127.0.0.1:0", c.data, false, handlers.Config{BaseURL: c.baseURL}, &opsConfig{}, "dev")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
	var errOut bytes.Buffer
	if code := run([]string{"serve", "-data", corrupt, "-addr", "127.0.0.1:0"}, io.Discard, &errOut); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if lines := strings.Count(strings.TrimSpace(errOut.String()), "\n"); lines != 0 {
		t.Errorf("want one line, got:\n%s", errOut.String())
	}
}

// run runs a subcommand the way the binary does, with no standard input.
func run(args []string, stdout, stderr io.Writer) int {
	return Run("dev", args, strings.NewReader(""), stdout, stderr)
}
