package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"toasoan/db"
	"toasoan/internal/httpcache"
	"toasoan/internal/imaging"
	"toasoan/internal/vntext"
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
			return a.storeProcessed(r, u, fh, res)
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
func (a *App) storeProcessed(r *http.Request, u db.User, fh *multipart.FileHeader, res imaging.Result) (db.Media, error) {
	nm := db.NewMedia{SHA256: res.SHA256, Filename: uploadName(fh.Filename), MIME: res.MIME, Width: res.Width, Height: res.Height, Data: res.Data}
	for _, v := range res.Variants {
		nm.Variants = append(nm.Variants, db.MediaVariant{Width: v.Width, MIME: v.MIME, Data: v.Data})
	}
	id, _, err := a.DB.StoreMedia(r.Context(), adminActor(r, u), a.Now(), nm)
	if err != nil {
		return db.Media{}, err
	}
	return a.DB.MediaInfo(r.Context(), id)
}

// maxUploadName bounds the file name kept with an image.
const maxUploadName = 200

// uploadName is the name kept for an uploaded file: its base name only (a browser may send
// a path, with either slash), NFC, without control characters, at most maxUploadName
// characters. It is text for the library, never a path on disk.
func uploadName(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	name = vntext.Normalize(name)
	if r := []rune(name); len(r) > maxUploadName {
		name = string(r[:maxUploadName])
	}
	return name
}

// uploadReply is the JSON answer to the editor's upload.
type uploadReply struct {
	ID      int64  `json:"id,omitempty"`
	URL     string `json:"url,omitempty"`
	Full    string `json:"full,omitempty"`
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	Name    string `json:"name,omitempty"`
	Alt     string `json:"alt,omitempty"`
	Caption string `json:"caption,omitempty"`
	Credit  string `json:"credit,omitempty"`
	Error   string `json:"error,omitempty"`
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
			Full: views.MediaPath(last.ID, 0), Width: last.Width, Height: last.Height, Name: last.DisplayName(),
			Alt: last.Alt, Caption: last.Caption, Credit: last.Credit})
		return nil
	}
	a.flash(r, "Đã tải ảnh lên.")
	adminSeeOther(w, r, views.AdminMedia)
	return nil
}

// widestVariant is the width to ask for so the URL names a stored copy (or the full size).
func widestVariant(m db.Media) int {
	if len(m.Widths) == 0 {
		return 0
	}
	return m.Widths[len(m.Widths)-1]
}

// mediaLibraryPage is the media library's (and the picker's) data.
type mediaLibraryPage struct {
	Items      []db.Media
	Total      int
	TrashCount int
	Trash      bool
	Query      string
	Error      string
	Pagination views.Pagination
	PageQuery  string
	CanDelete  bool // admins delete from the trash for good
}

const (
	mediaPageSize  = 48
	pickerPageSize = 24
	maxMediaSearch = 200
	maxMediaAlt    = 300
	maxMediaText   = 500
	maxMediaCredit = 200
)

func (a *App) mediaLibrary(w http.ResponseWriter, r *http.Request, u db.User) error {
	return a.renderMediaLibrary(w, r, u, http.StatusOK, "")
}

// readMediaQuery reads the library's search words and page.
func readMediaQuery(r *http.Request, size int) (db.MediaQuery, int, error) {
	page := 1
	q := db.MediaQuery{Limit: size}
	if r.Method == http.MethodGet {
		var err error
		if page, err = parsePage(r); err != nil {
			return q, 0, err
		}
		q.Text = vntext.Normalize(r.URL.Query().Get("q"))
		if vntext.CharCount(q.Text) > maxMediaSearch {
			return q, 0, errBadRequest("Từ khóa tìm kiếm quá dài.")
		}
	}
	q.Offset = (page - 1) * size
	return q, page, nil
}

func (a *App) renderMediaLibrary(w http.ResponseWriter, r *http.Request, u db.User, status int, msg string) error {
	ctx := r.Context()
	trash := r.URL.Path == views.AdminMediaTrash
	if trash {
		// Past the 30 days, images nobody uses are purged when someone looks at the trash.
		if n, err := a.DB.PurgeMediaTrash(ctx, a.Now()); err != nil {
			a.Log.Warn("purge media trash", "err", err)
		} else if n > 0 {
			a.Log.Info("purged media trash", "images", n)
		}
	}
	q, page, err := readMediaQuery(r, mediaPageSize)
	if err != nil {
		return err
	}
	q.Trash = trash
	items, total, err := a.DB.MediaList(ctx, q)
	if err != nil {
		return err
	}
	if err := a.DB.MediaUses(ctx, items); err != nil {
		return err
	}
	data := mediaLibraryPage{Items: items, Total: total, Trash: trash, Query: q.Text, Error: msg,
		CanDelete: roleRank(u.Role) >= roleRank(db.RoleAdmin)}
	if data.TrashCount, err = a.DB.MediaTrashCount(ctx); err != nil {
		return err
	}
	base := views.AdminMedia
	if trash {
		base += "/thung-rac"
	}
	pages := pageCount(total, mediaPageSize)
	data.Pagination = views.Pagination{Page: min(page, pages), Pages: pages, BasePath: base}
	if q.Text != "" {
		data.PageQuery = url.Values{"q": {q.Text}}.Encode()
	}
	title := "Thư viện ảnh"
	if trash {
		title = "Thùng rác ảnh"
	}
	return a.renderAdmin(w, r, status, "admin_media", title, "media", u, data)
}

// mediaPicker answers the picker dialog: the library's images (search, pages) as a
// fragment of buttons, one per image.
func (a *App) mediaPicker(w http.ResponseWriter, r *http.Request, u db.User) error {
	q, page, err := readMediaQuery(r, pickerPageSize)
	if err != nil {
		return err
	}
	items, total, err := a.DB.MediaList(r.Context(), q)
	if err != nil {
		return err
	}
	pages := pageCount(total, pickerPageSize)
	data := mediaLibraryPage{Items: items, Total: total, Query: q.Text,
		Pagination: views.Pagination{Page: min(page, pages), Pages: pages, BasePath: views.AdminMediaPicker}}
	if q.Text != "" {
		data.PageQuery = url.Values{"q": {q.Text}}.Encode()
	}
	ad, err := a.adminPageData(r, u, "media", data)
	if err != nil {
		return err
	}
	p := a.newPage(r, "")
	p.Main = ad
	body, err := a.Views.Fragment("admin_media", "media-picker-results", p)
	if err != nil {
		return err
	}
	a.writeHTML(w, http.StatusOK, body)
	return nil
}

// mediaDetailPage is one image's page: its picture, its texts, where it is used.
type mediaDetailPage struct {
	Media     db.Media
	Alt       string
	Caption   string
	Credit    string
	Errors    map[string]string
	Message   string // why a removal was refused
	CanTrash  bool
	CanDelete bool
}

// loadMedia reads {id} and the image with where it is used.
func (a *App) loadMedia(r *http.Request) (db.Media, error) {
	id, ok := parseAdminID(r.PathValue("id"))
	if !ok {
		return db.Media{}, errNotFound()
	}
	m, err := a.DB.MediaInfo(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return m, errNotFound()
	}
	if err != nil {
		return m, err
	}
	items := []db.Media{m}
	if err := a.DB.MediaUses(r.Context(), items); err != nil {
		return m, err
	}
	return items[0], nil
}

func (a *App) renderMediaDetail(w http.ResponseWriter, r *http.Request, u db.User, status int, d mediaDetailPage) error {
	d.CanTrash = roleRank(u.Role) >= roleRank(db.RoleEditor)
	d.CanDelete = roleRank(u.Role) >= roleRank(db.RoleAdmin)
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	return a.renderAdmin(w, r, status, "admin_media_edit", "Ảnh: "+d.Media.DisplayName(), "media", u, d)
}

func (a *App) mediaDetail(w http.ResponseWriter, r *http.Request, u db.User) error {
	m, err := a.loadMedia(r)
	if err != nil {
		return err
	}
	return a.renderMediaDetail(w, r, u, http.StatusOK, mediaDetailPage{Media: m, Alt: m.Alt, Caption: m.Caption, Credit: m.Credit})
}

// updateMedia saves an image's alt text, caption and credit.
func (a *App) updateMedia(w http.ResponseWriter, r *http.Request, u db.User) error {
	m, err := a.loadMedia(r)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	d := mediaDetailPage{Media: m, Errors: map[string]string{},
		Alt: vntext.Normalize(r.PostFormValue("alt")), Caption: vntext.Normalize(r.PostFormValue("caption")),
		Credit: vntext.Normalize(r.PostFormValue("credit"))}
	for _, f := range []struct {
		key, val, name string
		max            int
	}{{"alt", d.Alt, "Mô tả ảnh", maxMediaAlt}, {"caption", d.Caption, "Chú thích", maxMediaText}, {"credit", d.Credit, "Nguồn ảnh", maxMediaCredit}} {
		if n := vntext.CharCount(f.val); n > f.max {
			d.Errors[f.key] = fmt.Sprintf("%s tối đa %d ký tự (hiện có %d).", f.name, f.max, n)
		}
	}
	if len(d.Errors) > 0 {
		return a.renderMediaDetail(w, r, u, http.StatusUnprocessableEntity, d)
	}
	err = a.DB.UpdateMediaMeta(r.Context(), adminActor(r, u), a.Now(), m.ID, db.MediaMeta{Alt: d.Alt, Caption: d.Caption, Credit: d.Credit})
	if errors.Is(err, db.ErrNotFound) {
		return errNotFound()
	}
	if err != nil {
		return err
	}
	a.flash(r, "Đã lưu thông tin ảnh.")
	adminSeeOther(w, r, mediaAdminPath(m.ID))
	return nil
}

func mediaAdminPath(id int64) string { return views.AdminURL(views.AdminMediaItem, id) }

// inUseMessage says why an image cannot be removed, naming the articles that show it.
func inUseMessage(m db.Media) string {
	var names []string
	for i, use := range m.Uses {
		if i == 3 {
			names = append(names, fmt.Sprintf("và %d bài khác", len(m.Uses)-3))
			break
		}
		names = append(names, "«"+use.Title+"»")
	}
	return "Ảnh đang được dùng trong " + strings.Join(names, ", ") + ": hãy bỏ ảnh khỏi các bài đó trước."
}

// trashMedia moves an unused image to the trash.
func (a *App) trashMedia(w http.ResponseWriter, r *http.Request, u db.User) error {
	return a.mediaRemoval(w, r, u, "trash")
}

// restoreMedia takes an image out of the trash.
func (a *App) restoreMedia(w http.ResponseWriter, r *http.Request, u db.User) error {
	return a.mediaRemoval(w, r, u, "restore")
}

// deleteMedia deletes an image in the trash for good (admins).
func (a *App) deleteMedia(w http.ResponseWriter, r *http.Request, u db.User) error {
	return a.mediaRemoval(w, r, u, "delete")
}

func (a *App) mediaRemoval(w http.ResponseWriter, r *http.Request, u db.User, op string) error {
	m, err := a.loadMedia(r)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	by, now, ctx := adminActor(r, u), a.Now(), r.Context()
	var msg, next string
	switch op {
	case "trash":
		err, msg, next = a.DB.TrashMedia(ctx, by, now, m.ID), "Đã chuyển ảnh vào thùng rác (khôi phục được trong 30 ngày).", views.AdminMedia
	case "restore":
		err, msg, next = a.DB.RestoreMedia(ctx, by, now, m.ID), "Đã khôi phục ảnh về thư viện.", mediaAdminPath(m.ID)
	case "delete":
		err, msg, next = a.DB.DeleteMedia(ctx, by, now, m.ID), "Đã xóa vĩnh viễn ảnh.", views.AdminMediaTrash
	}
	switch {
	case errors.Is(err, db.ErrMediaInUse):
		if m, err = a.loadMedia(r); err != nil { // the uses as they are now
			return err
		}
		return a.renderMediaDetail(w, r, u, http.StatusConflict, mediaDetailPage{Media: m, Alt: m.Alt, Caption: m.Caption,
			Credit: m.Credit, Message: inUseMessage(m)})
	case errors.Is(err, db.ErrNotFound):
		state := "không còn trong thư viện"
		if op != "trash" {
			state = "không ở trong thùng rác"
		}
		return &Error{Status: http.StatusConflict, Message: "Ảnh " + state + "."}
	case err != nil:
		return err
	}
	a.flash(r, msg)
	adminSeeOther(w, r, next)
	return nil
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
