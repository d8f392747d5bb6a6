package imaging

import (
	"testing"
)

// FuzzProcess feeds arbitrary bytes to the upload pipeline: it must refuse or accept,
// never panic. `go test` runs the seeds; `go test -fuzz FuzzProcess ./imaging` explores.
func FuzzProcess(f *testing.F) {
	f.Add([]byte("GIF89a\x01\x00\x01\x00"))
	f.Add([]byte("\xFF\xD8\xFF\xE1\x00\x10Exif\x00\x00II*\x00\x08\x00\x00\x00"))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Add([]byte(`<svg/onload=alert(1)>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Process(data)
		if err == nil && (res.Width < 1 || res.Height < 1 || len(res.Data) == 0) {
			t.Fatalf("accepted without a picture: %+v", res.MIME)
		}
		jpegOrientation(data)
	})
}
