// Package imaging owns what happens to an uploaded image before it is stored: the type
// is sniffed from the content (never the name), the size and pixel count are checked
// before decoding (a decompression bomb is refused from its header), and the picture is
// decoded and re-encoded — which drops EXIF and anything smuggled after the image data —
// at full size and a few smaller widths for srcset.
package imaging

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Limits of an upload.
const (
	MaxBytes      = 15 << 20   // 15 MB per file
	MaxSide       = 12_000     // pixels on either side
	MaxPixels     = 50_000_000 // width × height: about 200 MB decoded, the bomb limit
	MaxStoredSide = 2560       // the full-size copy is scaled down to this
	jpegQuality   = 85
	// MaxDecodeBytes bounds the memory one upload's processing may take, estimated from
	// its header (Header.Memory): a 48-megapixel JPEG photo or a 40-megapixel 8-bit PNG
	// fits; a 16-bit 7071×7071 PNG (400 MB decoded from a few hundred KB) does not.
	MaxDecodeBytes = 256 << 20
)

// Header is what an image's header says before anything is decoded.
type Header struct {
	MIME          string
	Width, Height int
	// BytesPerPixel is what the decoder allocates for a pixel of this color model
	// (8 for 16-bit RGBA, 4 for 8-bit RGBA, 1.5–3 for JPEG's YCbCr, 1 for a palette).
	BytesPerPixel int
	// Memory estimates the bytes processing takes at its peak: the decoded picture, and
	// the full-size copy scaled to MaxStoredSide three times over (scaled, turned, and a
	// variant at a time), plus the encoders' buffers.
	Memory int64
}

// encoderBytes is what processing allocates whatever the picture's size: the PNG and
// JPEG encoders' tables and buffers for the full copy and each variant (measured: about
// 20 MB allocated in all for an 800×600 picture, TestInspectBoundsMemory).
const encoderBytes = 24 << 20

// bytesPerPixel is the size of a decoded pixel in model (an upper bound for the model).
func bytesPerPixel(model color.Model) int {
	switch model {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // 4:4:4; subsampled JPEGs take less
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	}
	if _, ok := model.(color.Palette); ok {
		return 1
	}
	return 8 // RGBA64, NRGBA64 and anything unknown: assume the widest
}

// Inspect reads an upload's type and header and says how much memory processing it
// would take; it refuses, with a Vietnamese message, anything too large in bytes,
// pixels or memory, before a byte of the picture is decoded.
func Inspect(data []byte) (Header, error) {
	if len(data) > MaxBytes {
		return Header{}, refuse("Ảnh quá lớn: tối đa %d MB.", MaxBytes>>20)
	}
	ct, err := Sniff(data)
	if err != nil {
		return Header{}, err
	}
	// The header alone says how big the decoded picture would be: refuse a bomb before
	// allocating anything for it.
	cfg, err := decodeConfig(ct, data)
	if err != nil {
		return Header{}, refuse("Tệp ảnh bị hỏng hoặc không đọc được.")
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		return Header{}, refuse("Tệp ảnh bị hỏng: kích thước %d×%d không hợp lệ.", cfg.Width, cfg.Height)
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return Header{}, refuse("Ảnh có kích thước %d×%d điểm ảnh, vượt giới hạn %d điểm mỗi cạnh và %d triệu điểm ảnh.",
			cfg.Width, cfg.Height, MaxSide, MaxPixels/1_000_000)
	}
	h := Header{MIME: ct, Width: cfg.Width, Height: cfg.Height, BytesPerPixel: bytesPerPixel(cfg.ColorModel)}
	sw, sh := cfg.Width, cfg.Height
	if scale := min(1, float64(MaxStoredSide)/float64(max(sw, sh))); scale < 1 {
		sw, sh = int(float64(sw)*scale)+1, int(float64(sh)*scale)+1
	}
	h.Memory = int64(cfg.Width)*int64(cfg.Height)*int64(h.BytesPerPixel) + 3*int64(sw)*int64(sh)*4 + int64(len(data)) + encoderBytes
	if h.Memory > MaxDecodeBytes {
		return Header{}, refuse("Ảnh %d×%d điểm ảnh (%d byte mỗi điểm ảnh khi giải nén) cần khoảng %d MB bộ nhớ để xử lý, vượt giới hạn %d MB. Hãy thu nhỏ ảnh hoặc lưu lại ở 8 bit mỗi kênh rồi tải lên.",
			cfg.Width, cfg.Height, h.BytesPerPixel, h.Memory>>20, MaxDecodeBytes>>20)
	}
	return h, nil
}

// Widths lists the resized copies made for srcset (only those narrower than the image).
func Widths() []int { return []int{320, 640, 960, 1280} }

// Refusal is an upload that is not accepted, with a message for the user (Vietnamese).
type Refusal struct{ Message string }

func (r *Refusal) Error() string { return "imaging: refused: " + r.Message }

func refuse(format string, args ...any) error { return &Refusal{Message: fmt.Sprintf(format, args...)} }

// Result is a processed image ready to store.
type Result struct {
	SHA256   string // of the original bytes: the same upload twice is one image
	MIME     string
	Width    int
	Height   int
	Data     []byte
	Variants []Variant
}

// Variant is one resized copy.
type Variant struct {
	Width int
	MIME  string
	Data  []byte
}

// Sniff names the image type of data from its first bytes, or refuses it with a message
// that says what it looks like.
func Sniff(data []byte) (string, error) {
	head := data[:min(len(data), 512)]
	ct := http.DetectContentType(head)
	switch ct {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return ct, nil
	}
	trimmed := strings.ToLower(strings.TrimSpace(string(head)))
	switch {
	case len(data) == 0:
		return "", refuse("Tệp rỗng.")
	case strings.Contains(trimmed, "<svg") || ct == "image/svg+xml":
		return "", refuse("Không nhận ảnh SVG vì có thể chứa mã độc. Hãy xuất ảnh ra JPEG hoặc PNG rồi tải lên.")
	case strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "text/xml") || strings.Contains(trimmed, "<html") || strings.Contains(trimmed, "<script"):
		return "", refuse("Tệp này là trang HTML/XML, không phải ảnh. Chỉ nhận ảnh JPEG, PNG, WebP hoặc GIF.")
	case bytes.HasPrefix(data, []byte("MZ")) || bytes.HasPrefix(data, []byte("\x7fELF")) || bytes.HasPrefix(data, []byte("#!")) ||
		bytes.HasPrefix(data, []byte("\xcf\xfa\xed\xfe")) || bytes.HasPrefix(data, []byte("\xca\xfe\xba\xbe")):
		return "", refuse("Tệp này là chương trình chạy được, không phải ảnh. Chỉ nhận ảnh JPEG, PNG, WebP hoặc GIF.")
	}
	return "", refuse("Định dạng tệp không được hỗ trợ. Chỉ nhận ảnh JPEG, PNG, WebP hoặc GIF.")
}

func decodeConfig(ct string, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch ct {
	case "image/jpeg":
		return jpeg.DecodeConfig(r)
	case "image/png":
		return png.DecodeConfig(r)
	case "image/gif":
		return gif.DecodeConfig(r)
	default:
		return webp.DecodeConfig(r)
	}
}

func decode(ct string, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	switch ct {
	case "image/jpeg":
		return jpeg.Decode(r)
	case "image/png":
		return png.Decode(r)
	case "image/gif":
		return gif.Decode(r) // the first frame: animations are not kept
	default:
		return webp.Decode(r)
	}
}

// Process checks and re-encodes an upload. A *Refusal error carries the user's message;
// any other error is internal. Callers that bound memory across uploads call Inspect
// first and ProcessInspected with its header.
func Process(data []byte) (Result, error) {
	h, err := Inspect(data)
	if err != nil {
		return Result{}, err
	}
	return ProcessInspected(data, h)
}

// ProcessInspected decodes and re-encodes an upload Inspect accepted as h.
func ProcessInspected(data []byte, h Header) (Result, error) {
	ct := h.MIME
	img, err := decode(ct, data)
	if err != nil {
		return Result{}, refuse("Tệp ảnh bị hỏng hoặc không đọc được.")
	}

	sum := sha256.Sum256(data)
	res := Result{SHA256: hex.EncodeToString(sum[:])}
	// JPEG stays JPEG; anything that may be transparent (PNG, GIF, WebP with alpha)
	// becomes PNG, an opaque WebP becomes JPEG (there is no WebP encoder in x/image).
	outMIME := "image/png"
	if ct == "image/jpeg" || ct == "image/webp" && opaque(img) {
		outMIME = "image/jpeg"
	}
	full := img
	b := img.Bounds()
	if b.Dx() > MaxStoredSide || b.Dy() > MaxStoredSide {
		full = resize(img, MaxStoredSide, MaxStoredSide)
	}
	if ct == "image/jpeg" {
		// After scaling down (the bound is the same both ways), so turning costs little.
		full = orient(full, jpegOrientation(data))
	}
	res.MIME, res.Width, res.Height = outMIME, full.Bounds().Dx(), full.Bounds().Dy()
	if res.Data, err = encode(full, outMIME); err != nil {
		return Result{}, err
	}
	for _, w := range Widths() {
		if w >= res.Width {
			break
		}
		v := resize(full, w, 0)
		data, err := encode(v, outMIME)
		if err != nil {
			return Result{}, err
		}
		res.Variants = append(res.Variants, Variant{Width: w, MIME: outMIME, Data: data})
	}
	return res, nil
}

// resize scales img to fit maxW × maxH (maxH 0: any height), keeping its proportions.
func resize(img image.Image, maxW, maxH int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	scale := float64(maxW) / float64(w)
	if maxH > 0 {
		scale = min(scale, float64(maxH)/float64(h))
	}
	nw, nh := max(1, int(float64(w)*scale+0.5)), max(1, int(float64(h)*scale+0.5))
	dst := image.NewRGBA(image.Rect(0, 0, nw, nh))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

func encode(img image.Image, mime string) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if mime == "image/jpeg" {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	}
	if err != nil {
		return nil, fmt.Errorf("imaging: encode %s: %w", mime, err)
	}
	return buf.Bytes(), nil
}

// IsRefusal reports whether err is a refusal and returns its message.
func IsRefusal(err error) (string, bool) {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Message, true
	}
	return "", false
}
