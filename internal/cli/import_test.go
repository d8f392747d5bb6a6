package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"toasoan/db"
)

// Issue #16, item 7: a broken last post is found before anything is written, whatever
// the batch size, and the tool says so; the same command works once the file is fixed.
func TestImportHalfWayErrorImportsNothing(t *testing.T) {
	good, err := os.ReadFile("testdata/wordpress.xml")
	if err != nil {
		t.Fatal(err)
	}
	last := bytes.LastIndex(good, []byte("<wp:post_id>"))
	end := bytes.Index(good[last:], []byte("</wp:post_id>"))
	bad := append(append(append([]byte{}, good[:last]...), "<wp:post_id>1O9"...), good[last+end:]...)
	file := filepath.Join(t.TempDir(), "hong.xml")
	if err := os.WriteFile(file, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	for _, batch := range []string{"2", "200"} {
		code, _, errOut := runCmd(t, "import-wxr", "-data", data, "-batch", batch, file)
		if code != 1 || !strings.Contains(errOut, `wp:post_id "1O9" is not a number`) || !strings.Contains(errOut, "nothing was imported") ||
			strings.Contains(errOut, "committed") {
			t.Fatalf("-batch %s: exit %d\n%s", batch, code, errOut)
		}
		d, err := db.Open(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		has, err := d.HasArticles(context.Background())
		d.Close()
		if err != nil {
			t.Fatal(err)
		}
		if has {
			t.Fatalf("-batch %s: articles were written", batch)
		}
	}
	code, out, errOut := runCmd(t, "import-wxr", "-data", data, "-batch", "2", "testdata/wordpress.xml")
	if code != 0 || !strings.Contains(out, "created:       7 articles") {
		t.Fatalf("fixed file: %d\n%s\n%s", code, out, errOut)
	}
	// Nothing is dropped without a word.
	for _, want := range []string{"WXR 1.2", "1 tags, 1 static pages", "not imported:", "comments marked spam or trash", "images left:"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestImportUploadsFlag(t *testing.T) {
	code, _, errOut := runCmd(t, "import-wxr", "-data", t.TempDir(), "-uploads", filepath.Join(t.TempDir(), "khong-co"), "testdata/wordpress.xml")
	if code != 1 || !strings.Contains(errOut, "-uploads") || !strings.Contains(errOut, "nothing was imported") {
		t.Fatalf("missing uploads dir: %d %q", code, errOut)
	}
	code, out, errOut := runCmd(t, "import-wxr", "-data", t.TempDir(), "-uploads", t.TempDir(), "testdata/wordpress.xml")
	if code != 0 || !strings.Contains(out, "images:        0 stored in the media library") {
		t.Fatalf("empty uploads dir: %d\n%s\n%s", code, out, errOut)
	}
}
