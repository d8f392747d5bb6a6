package imaging

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	return img
}

func jpegBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withEXIF inserts an APP1 Exif segment (with a GPS-like secret) after the JPEG's SOI.
func withEXIF(jpg []byte) []byte {
	payload := append([]byte("Exif\x00\x00"), []byte("GPS 21.0285N 105.8542E SECRET-LOCATION")...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// pngClaiming rewrites a small PNG's header to claim other dimensions (a decompression
// bomb announces a huge picture in a few bytes).
func pngClaiming(t *testing.T, w, h uint32) []byte {
	data := pngBytes(t, 1, 1)
	ihdr := data[8+8 : 8+8+13] // after signature, length and "IHDR"
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	crc := crc32.ChecksumIEEE(data[12 : 12+4+13])
	binary.BigEndian.PutUint32(data[12+4+13:], crc)
	return data
}

func TestProcessGoodImages(t *testing.T) {
	// A JPEG with EXIF: re-encoded without it, resized to the smaller widths.
	res, err := Process(withEXIF(jpegBytes(t, 1500, 1000)))
	if err != nil {
		t.Fatal(err)
	}
	if res.MIME != "image/jpeg" || res.Width != 1500 || res.Height != 1000 || len(res.SHA256) != 64 {
		t.Errorf("result %s %d×%d", res.MIME, res.Width, res.Height)
	}
	if bytes.Contains(res.Data, []byte("SECRET-LOCATION")) || bytes.Contains(res.Data, []byte("Exif")) {
		t.Error("EXIF kept in the stored image")
	}
	var widths []int
	for _, v := range res.Variants {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(v.Data))
		if err != nil || cfg.Width != v.Width || cfg.Height != (v.Width*2+1)/3 {
			t.Errorf("variant %d: %v %d×%d", v.Width, err, cfg.Width, cfg.Height)
		}
		widths = append(widths, v.Width)
	}
	if len(widths) != 4 || widths[0] != 320 || widths[3] != 1280 {
		t.Errorf("variant widths %v", widths)
	}
	// A huge picture is stored scaled down.
	res, err = Process(jpegBytes(t, 4000, 1000))
	if err != nil || res.Width != MaxStoredSide || res.Height != 640 {
		t.Errorf("large: %v %d×%d", err, res.Width, res.Height)
	}
	// PNG stays PNG (transparency), small ones get no variants.
	res, err = Process(pngBytes(t, 200, 100))
	if err != nil || res.MIME != "image/png" || len(res.Variants) != 0 {
		t.Errorf("png: %v %s %d", err, res.MIME, len(res.Variants))
	}
	// GIF: first frame as PNG.
	var g bytes.Buffer
	pal := image.NewPaletted(image.Rect(0, 0, 64, 64), []color.Color{color.White, color.Black})
	gif.Encode(&g, pal, nil)
	if res, err = Process(g.Bytes()); err != nil || res.MIME != "image/png" || res.Width != 64 {
		t.Errorf("gif: %v %s", err, res.MIME)
	}
	// WebP (lossless 1×1, with alpha channel): decoded and stored as PNG.
	webp, _ := base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	if res, err = Process(webp); err != nil || res.Width != 1 || res.MIME == "" {
		t.Errorf("webp: %v %+v", err, res.MIME)
	}
}

func TestProcessRefusals(t *testing.T) {
	goodPNG := pngBytes(t, 40, 40)
	cases := []struct {
		name string
		data []byte
		want string // in the Vietnamese message
	}{
		{"empty", nil, "rỗng"},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "SVG"},
		{"svg without prolog", []byte(`<svg onload="alert(1)"/>`), "SVG"},
		{"html", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), "HTML"},
		{"windows exe", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 100)...), "chương trình"},
		{"linux elf", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 100)...), "chương trình"},
		{"shell script", []byte("#!/bin/sh\nrm -rf /\n"), "chương trình"},
		{"pdf", []byte("%PDF-1.7\n1 0 obj"), "không được hỗ trợ"},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00"), "không được hỗ trợ"},
		{"gif header then script (polyglot)", []byte("GIF89a/*\x00\x00*/=1;alert(document.cookie)//<script>x</script>"), ""},
		{"truncated jpeg", jpegBytes(t, 300, 300)[:400], "hỏng"},
		{"png bomb 50000×50000", pngClaiming(t, 50000, 50000), "vượt giới hạn"},
		{"png over the pixel count", pngClaiming(t, 10000, 6000), "vượt giới hạn"},
		{"png with zero width", pngClaiming(t, 0, 10), "hỏng"},
		{"too many bytes", append(goodPNG, make([]byte, MaxBytes)...), "quá lớn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Process(c.data)
			msg, ok := IsRefusal(err)
			if !ok {
				t.Fatalf("not refused: %v", err)
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("message %q lacks %q", msg, c.want)
			}
		})
	}
}

func TestPolyglotPayloadIsDropped(t *testing.T) {
	// A valid PNG with HTML and a ZIP appended after IEND decodes fine; re-encoding keeps
	// only the picture.
	data := append(pngBytes(t, 50, 50), []byte("<html><script>alert(1)</script></html>PK\x03\x04payload")...)
	res, err := Process(data)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(res.Data, []byte("<script>")) || bytes.Contains(res.Data, []byte("PK\x03\x04")) {
		t.Error("appended payload survived re-encoding")
	}
}

// withOrientation inserts an EXIF APP1 segment holding only an orientation tag.
func withOrientation(jpg []byte, o uint16, bigEndian bool) []byte {
	var bo binary.ByteOrder = binary.LittleEndian
	tiff := []byte("II*\x00\x08\x00\x00\x00")
	if bigEndian {
		bo = binary.BigEndian
		tiff = []byte("MM\x00*\x00\x00\x00\x08")
	}
	entry := make([]byte, 2+12+4)
	bo.PutUint16(entry[0:], 1)      // one entry
	bo.PutUint16(entry[2:], 0x0112) // Orientation
	bo.PutUint16(entry[4:], 3)      // SHORT
	bo.PutUint32(entry[6:], 1)
	bo.PutUint16(entry[10:], o)
	payload := append(append([]byte("Exif\x00\x00"), tiff...), entry...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

func TestEXIFOrientationIsApplied(t *testing.T) {
	// A 300×100 picture, left third red, stored "rotate 90° clockwise" (6).
	img := image.NewRGBA(image.Rect(0, 0, 300, 100))
	for y := 0; y < 100; y++ {
		for x := 0; x < 300; x++ {
			c := color.RGBA{0, 0, 255, 255}
			if x < 100 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	for _, c := range []struct {
		o          uint16
		big        bool
		w, h       int
		redAtTop   bool
		redAtRight bool
	}{{1, false, 300, 100, false, false}, {6, false, 100, 300, true, false}, {6, true, 100, 300, true, false},
		{8, false, 100, 300, false, false}, {3, false, 300, 100, false, true}} {
		res, err := Process(withOrientation(buf.Bytes(), c.o, c.big))
		if err != nil {
			t.Fatal(err)
		}
		out, err := jpeg.Decode(bytes.NewReader(res.Data))
		if err != nil {
			t.Fatal(err)
		}
		if res.Width != c.w || res.Height != c.h {
			t.Errorf("orientation %d: %d×%d, want %d×%d", c.o, res.Width, res.Height, c.w, c.h)
			continue
		}
		red := func(x, y int) bool { r, _, b, _ := out.At(x, y).RGBA(); return r > b }
		if c.w == 100 && red(50, 10) != c.redAtTop {
			t.Errorf("orientation %d: red at top = %v", c.o, red(50, 10))
		}
		if c.w == 300 && red(290, 50) != c.redAtRight {
			t.Errorf("orientation %d: red at right = %v", c.o, red(290, 50))
		}
	}
	// Garbage EXIF is ignored, not trusted.
	if o := jpegOrientation([]byte("\xFF\xD8\xFF\xE1\x00\x10Exif\x00\x00MM\x00*\xFF\xFF\xFF\xFF")); o != 1 {
		t.Errorf("garbage EXIF: %d", o)
	}
}

// pngHeader is a PNG that claims w×h pixels of the given bit depth and color type
// (6: RGBA): all Inspect reads.
func pngHeader(t *testing.T, w, h uint32, depth, colorType byte) []byte {
	data := pngClaiming(t, w, h)
	ihdr := data[8+8 : 8+8+13]
	ihdr[8], ihdr[9] = depth, colorType
	binary.BigEndian.PutUint32(data[12+4+13:], crc32.ChecksumIEEE(data[12:12+4+13]))
	return data
}

func TestInspectBoundsMemory(t *testing.T) {
	// The attack: 7071×7071 16-bit RGBA, 400 MB decoded from a few hundred KB.
	_, err := Inspect(pngHeader(t, 7071, 7071, 16, 6))
	msg, ok := IsRefusal(err)
	if !ok || !strings.Contains(msg, "bộ nhớ") || !strings.Contains(msg, "7071×7071") {
		t.Fatalf("16-bit 7071×7071: %v", err)
	}
	// The same size in 8 bits a channel is refused too; a 40-megapixel one is not.
	if _, err := Inspect(pngHeader(t, 7071, 7071, 8, 6)); err == nil {
		t.Error("8-bit 7071×7071 RGBA accepted")
	}
	h, err := Inspect(pngHeader(t, 7000, 5700, 8, 6))
	if err != nil || h.BytesPerPixel != 4 || h.Memory > MaxDecodeBytes || h.Memory < 7000*5700*4 {
		t.Errorf("8-bit 7000×5700: %+v %v", h, err)
	}
	h, err = Inspect(pngHeader(t, 4000, 3000, 16, 6))
	if err != nil || h.BytesPerPixel != 8 {
		t.Errorf("16-bit 4000×3000: %+v %v", h, err)
	}
	// A real small image: its estimate covers what decoding it allocates.
	data := pngBytes(t, 800, 600)
	h, err = Inspect(data)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ProcessInspected(data, h); err != nil {
				b.Fatal(err)
			}
		}
	}).AllocedBytesPerOp()
	if allocs > h.Memory {
		t.Errorf("processing 800×600 allocated %d bytes, estimated %d", allocs, h.Memory)
	}
}
