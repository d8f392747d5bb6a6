package handlers

import (
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"toasoan/db"
	"toasoan/internal/httpcache"
	"toasoan/internal/imaging"
	"toasoan/views"
)

// maxUploadBytes bounds one upload request (the image plus the form around it).
const maxUploadBytes = imaging.MaxBytes + 1<<20

// decodeBudget is the memory all image decodes together may take, by their estimates:
// two of the largest an upload may need (imaging.MaxDecodeBytes), or many small ones.
const decodeBudget = 2 * imaging.MaxDecodeBytes

// uploadError is an upload refused with a message for the user.
type uploadError struct {
	Status  int
	Message string
}

func (e *uploadError) Error() string { return e.Message }

// storeUpload reads, checks, re-encodes and stores one uploaded file; the same picture
// uploaded twice is stored once.
func (a *App) storeUpload(r *http.Request, u db.User, fh *multipart.FileHeader) (db.Media, error) {
	if fh.Size > imaging.MaxBytes {
		return db.Media{}, &uploadError{http.StatusRequestEntityTooLarge, "Ảnh quá lớn: tối đa " + strconv.Itoa(imaging.MaxBytes>>20) + " MB."}
	}
	f, err := fh.Open()
	if err != nil {
		return db.Media{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, imaging.MaxBytes+1))
	if err != nil {
		return db.Media{}, err
	}
	h, err := imaging.Inspect(data)
	if err == nil {
		// Wait for the memory this picture needs; the request's end stops the wait.
		if err := a.back.decoding.Acquire(r.Context(), h.Memory); err != nil {
			return db.Media{}, err
		}
		defer a.back.decoding.Release(h.Memory)
		var res imaging.Result
		res, err = imaging.ProcessInspected(data, h)
		if err == nil {
			return a.storeProcessed(r, u, res)
		}
	}
	if msg, ok := imaging.IsRefusal(err); ok {
		status := http.StatusUnsupportedMediaType
		if len(data) > imaging.MaxBytes {
			status = http.StatusRequestEntityTooLarge
		}
		return db.Media{}, &uploadError{status, msg}
	}
	return db.Media{}, err
}

// storeProcessed stores a processed upload and returns it as stored.
func (a *App) storeProcessed(r *http.Request, u db.User, res imaging.Result) (db.Media, error) {
	nm := db.NewMedia{SHA256: res.SHA256, MIME: res.MIME, Width: res.Width, Height: res.Height, Data: res.Data}
	for _, v := range res.Variants {
		nm.Variants = append(nm.Variants, db.MediaVariant{Width: v.Width, MIME: v.MIME, Data: v.Data})
	}
	id, _, err := a.DB.StoreMedia(r.Context(), adminActor(r, u), a.Now(), nm)
	if err != nil {
		return db.Media{}, err
	}
	return a.DB.MediaInfo(r.Context(), id)
}

// uploadReply is the JSON answer to the editor's upload.
type uploadReply struct {
	ID     int64  `json:"id,omitempty"`
	URL    string `json:"url,omitempty"`
	Full   string `json:"full,omitempty"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	Error  string `json:"error,omitempty"`
}

func acceptsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

// editorImageWidth is the copy the editor inserts into an article body.
const editorImageWidth = 960

func (a *App) uploadMedia(w http.ResponseWriter, r *http.Request, u db.User) error {
	refuse := func(status int, msg string) error {
		if acceptsJSON(r) {
			writeAdminJSON(w, status, uploadReply{Error: msg})
			return nil
		}
		return a.renderMediaLibrary(w, r, u, status, msg)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
	if err := r.ParseMultipartForm(4 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return refuse(http.StatusRequestEntityTooLarge, "Ảnh quá lớn: tối đa "+strconv.Itoa(imaging.MaxBytes>>20)+" MB.")
		}
		return refuse(http.StatusBadRequest, "Vui lòng chọn một tệp ảnh để tải lên.")
	}
	files := r.MultipartForm.File["file"]
	if len(files) == 0 {
		return refuse(http.StatusUnprocessableEntity, "Vui lòng chọn một tệp ảnh để tải lên.")
	}
	var last db.Media
	for _, fh := range files {
		m, err := a.storeUpload(r, u, fh)
		var ue *uploadError
		if errors.As(err, &ue) {
			return refuse(ue.Status, fh.Filename+": "+ue.Message)
		}
		if err != nil {
			return err
		}
		last = m
	}
	if acceptsJSON(r) {
		writeAdminJSON(w, http.StatusOK, uploadReply{ID: last.ID, URL: views.MediaPath(last.ID, min(editorImageWidth, widestVariant(last))),
			Full: views.MediaPath(last.ID, 0), Width: last.Width, Height: last.Height})
		return nil
	}
	a.flash(r, "Đã tải ảnh lên.")
	adminSeeOther(w, r, "/admin/anh")
	return nil
}

// widestVariant is the width to ask for so the URL names a stored copy (or the full size).
func widestVariant(m db.Media) int {
	if len(m.Widths) == 0 {
		return 0
	}
	return m.Widths[len(m.Widths)-1]
}

// mediaLibraryPage is the media library's data.
type mediaLibraryPage struct {
	Items      []db.Media
	Total      int
	Error      string
	Pagination views.Pagination
}

const mediaPageSize = 48

func (a *App) mediaLibrary(w http.ResponseWriter, r *http.Request, u db.User) error {
	return a.renderMediaLibrary(w, r, u, http.StatusOK, "")
}

func (a *App) renderMediaLibrary(w http.ResponseWriter, r *http.Request, u db.User, status int, msg string) error {
	page := 1
	if r.Method == http.MethodGet {
		var err error
		if page, err = parsePage(r); err != nil {
			return err
		}
	}
	items, total, err := a.DB.MediaList(r.Context(), mediaPageSize, (page-1)*mediaPageSize)
	if err != nil {
		return err
	}
	pages := pageCount(total, mediaPageSize)
	data := mediaLibraryPage{Items: items, Total: total, Error: msg,
		Pagination: views.Pagination{Page: min(page, pages), Pages: pages, BasePath: "/admin/anh"}}
	return a.renderAdmin(w, r, status, "admin_media", "Thư viện ảnh", "media", u, data)
}

// serveMedia serves a stored image; ?w= picks the smallest stored copy at least that
// wide. Images never change once stored, so they are cached for a year.
func (a *App) serveMedia(w http.ResponseWriter, r *http.Request) error {
	id, ok := parseAdminID(r.PathValue("id"))
	if !ok {
		return errNotFound()
	}
	width := 0
	if s := r.URL.Query().Get("w"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > imaging.MaxSide {
			return errBadRequest("Chiều rộng ảnh không hợp lệ.")
		}
		width = n
	}
	mime, data, tag, err := a.DB.MediaData(r.Context(), id, width)
	if errors.Is(err, db.ErrNotFound) {
		return errNotFound()
	}
	if err != nil {
		return err
	}
	etag := `"` + tag + `"`
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", etag)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if httpcache.Match(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", mime)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
	return nil
}
