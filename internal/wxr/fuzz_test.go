package wxr

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the WXR reader: it must end in io.EOF or an *Error
// with a line number — never panic, never loop, never return a record past a failure.
func FuzzReader(f *testing.F) {
	fixture, err := os.ReadFile("../cli/testdata/wordpress.xml")
	if err != nil {
		f.Fatal(err)
	}
	// Small seeds keep the fuzzer fast: the start of the fixture, whole and cut short.
	head := fixture[:min(len(fixture), 3000)]
	f.Add(head)
	f.Add(head[:len(head)/2])
	f.Add([]byte(""))
	f.Add([]byte("<rss><channel></channel></rss>"))
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><rss>&a;</rss>`))
	f.Add([]byte(`<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>Tin <b>mới</b></title><wp:post_id>1</wp:post_id></item></channel></rss>`))
	f.Add([]byte(strings.Repeat("<item>", 1000)))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader(bytes.NewReader(data), 1<<16)
		for i := 0; ; i++ {
			_, err := rd.Next()
			if err != nil {
				var fe *Error
				if err.Error() != "EOF" && !errors.As(err, &fe) {
					t.Fatalf("error of type %T: %v", err, err)
				}
				return
			}
			if i > len(data)+1 {
				t.Fatalf("more records (%d) than input bytes", i)
			}
		}
	})
}
