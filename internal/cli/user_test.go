package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"toasoan/db"
)

func TestUserCommand(t *testing.T) {
	dir := t.TempDir()
	run := func(stdin string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := userCmd(append(args[:1:1], append([]string{"-data", dir}, args[1:]...)...), strings.NewReader(stdin), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, _, errOut := run("mat-khau-rat-dai-1\n", "add", "-name", "tongbientap", "-role", "admin", "-display", "Tổng biên tập"); code != 0 {
		t.Fatalf("add: %d %s", code, errOut)
	}
	cases := []struct {
		name    string
		stdin   string
		args    []string
		code    int
		inError string
	}{
		{"duplicate", "mat-khau-rat-dai-2\n", []string{"add", "-name", "tongbientap", "-role", "editor"}, 1, "already exists"},
		{"weak", "ngan\n", []string{"add", "-name", "pv1", "-role", "author"}, 1, "at least 12"},
		{"no password", "", []string{"add", "-name", "pv1", "-role", "author"}, 1, "no password"},
		{"bad role", "mat-khau-rat-dai-2\n", []string{"add", "-name", "pv1", "-role", "boss"}, 2, "-role"},
		{"bad name", "mat-khau-rat-dai-2\n", []string{"add", "-name", "Phóng Viên", "-role", "author"}, 2, "-name"},
		{"sql name", "mat-khau-rat-dai-2\n", []string{"add", "-name", "x'; DROP TABLE users;--", "-role", "author"}, 2, "-name"},
		{"passwd unknown", "mat-khau-rat-dai-2\n", []string{"passwd", "-name", "nobody"}, 1, "no user"},
		{"passwd weak", "ngan\n", []string{"passwd", "-name", "tongbientap"}, 1, "at least 12"},
		{"unknown sub", "", []string{"remove"}, 2, "unknown subcommand"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := run(c.stdin, c.args...)
			if code != c.code || !strings.Contains(errOut, c.inError) {
				t.Errorf("exit %d stderr %q; want %d containing %q", code, errOut, c.code, c.inError)
			}
		})
	}
	if code, _, errOut := run("mot-mat-khau-moi-dai\r\n", "passwd", "-name", "tongbientap"); code != 0 {
		t.Fatalf("passwd: %d %s", code, errOut)
	}
	code, out, _ := run("", "list")
	if code != 0 || !strings.Contains(out, "tongbientap") || !strings.Contains(out, "admin") || strings.Contains(out, "pv1") {
		t.Fatalf("list: %d %q", code, out)
	}
	d, err := db.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Authenticate(context.Background(), "tongbientap", "mot-mat-khau-moi-dai"); err != nil {
		t.Errorf("new password does not work: %v", err)
	}
	if _, err := d.Authenticate(context.Background(), "tongbientap", "mat-khau-rat-dai-1"); err == nil {
		t.Error("old password still works")
	}
	var usage bytes.Buffer
	if code := run0(&usage); code != 2 || !strings.Contains(usage.String(), "user add") {
		t.Errorf("bare `toasoan user`: %d %q", code, usage.String())
	}
}

func run0(stderr *bytes.Buffer) int {
	return userCmd(nil, strings.NewReader(""), &bytes.Buffer{}, stderr)
}
