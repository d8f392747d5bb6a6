package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"toasoan/views"

	"toasoan/db"
	"toasoan/internal/vntext"
)

// Page form limits.
const (
	maxPageTitle    = 200
	maxPageSlug     = 100
	maxPagePosition = 1000
)

// placementLabels name where a static page is linked.
var placementLabels = map[string]string{
	db.PlaceNone:   "Không gắn liên kết",
	db.PlaceFooter: "Chân trang",
	db.PlaceMenu:   "Trình đơn chính",
}

// pagesList is the static pages list's data.
type pagesList struct {
	Pages []db.Page
}

// PlacementLabel is a placement's Vietnamese name.
func (pagesList) PlacementLabel(s string) string { return placementLabels[s] }

func (a *App) adminPages(w http.ResponseWriter, r *http.Request, u db.User) error {
	list, err := a.DB.Pages(r.Context())
	if err != nil {
		return err
	}
	return a.renderAdmin(w, r, http.StatusOK, "admin_pages", "Trang tĩnh", "pages", u, pagesList{Pages: list})
}

// pageForm is the static page editor's data: what was typed, and the errors by field.
type pageForm struct {
	ID           int64
	Page         db.Page // the stored page (zero for a new one)
	Title        string
	Slug         string
	Body         string
	Status       string
	Placement    string
	Position     int
	Version      int
	Errors       map[string]string
	Stale        bool
	CanEdit      bool // the body editor partial asks
	CanPlace     bool // admins choose where the page is linked
	CanDelete    bool
	Revisions    []db.PageRevision
	Placements   []string
	ViewRevision *db.PageRevision
}

// PlacementLabel is a placement's Vietnamese name.
func (pageForm) PlacementLabel(s string) string { return placementLabels[s] }

func (a *App) renderPageForm(w http.ResponseWriter, r *http.Request, status int, u db.User, f pageForm) error {
	f.CanEdit = true
	f.CanPlace = u.Role == db.RoleAdmin
	f.CanDelete = u.Role == db.RoleAdmin && f.ID != 0
	f.Placements = []string{db.PlaceNone, db.PlaceFooter, db.PlaceMenu}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	title := "Trang tĩnh mới"
	if f.ID != 0 {
		title = "Sửa trang: " + f.Page.Title
		var err error
		if f.Revisions, err = a.DB.PageRevisions(r.Context(), f.ID); err != nil {
			return err
		}
	}
	return a.renderAdmin(w, r, status, "admin_page_edit", title, "pages", u, f)
}

func (a *App) newPagePage(w http.ResponseWriter, r *http.Request, u db.User) error {
	return a.renderPageForm(w, r, http.StatusOK, u, pageForm{Status: db.PageDraft, Placement: db.PlaceNone})
}

// loadPage reads {id} and the page.
func (a *App) loadPage(r *http.Request) (db.Page, error) {
	id, ok := parseAdminID(r.PathValue("id"))
	if !ok {
		return db.Page{}, errNotFound()
	}
	pg, err := a.DB.PageByID(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return pg, errNotFound()
	}
	return pg, err
}

func formFromPage(pg db.Page) pageForm {
	return pageForm{ID: pg.ID, Page: pg, Title: pg.Title, Slug: pg.Slug, Body: pg.BodyHTML, Status: pg.Status,
		Placement: pg.Placement, Position: pg.Position, Version: pg.Version}
}

func (a *App) editPagePage(w http.ResponseWriter, r *http.Request, u db.User) error {
	pg, err := a.loadPage(r)
	if err != nil {
		return err
	}
	f := formFromPage(pg)
	// ?rev= shows an old revision's text under the form.
	if s := r.URL.Query().Get("rev"); s != "" {
		id, ok := parseAdminID(s)
		if !ok {
			return errBadRequest("Phiên bản không hợp lệ.")
		}
		rev, err := a.DB.PageRevisionByID(r.Context(), pg.ID, id)
		if errors.Is(err, db.ErrNotFound) {
			return errNotFound()
		}
		if err != nil {
			return err
		}
		f.ViewRevision = &rev
	}
	return a.renderPageForm(w, r, http.StatusOK, u, f)
}

// readPageForm parses and checks the page form into f; the body goes through the one
// article sanitizer, since it comes from the same editor.
func (a *App) readPageForm(w http.ResponseWriter, r *http.Request, u db.User, f *pageForm) (db.PageInput, error) {
	if err := parseArticleRequest(w, r); err != nil {
		return db.PageInput{}, err
	}
	pf := r.PostForm
	f.Errors = map[string]string{}
	f.Title = vntext.Normalize(pf.Get("title"))
	rawSlug := strings.TrimSpace(pf.Get("slug"))
	rawBody := pf.Get("body")
	f.Body = a.sanitizeBody(vntext.NormalizeMultiline(rawBody))
	f.Status = pf.Get("status")
	if f.Status != db.PageDraft && f.Status != db.PagePublished {
		f.Errors["status"] = "Vui lòng chọn trạng thái."
		f.Status = db.PageDraft
	}
	if v := pf.Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return db.PageInput{}, errBadRequest("Phiên bản của biểu mẫu không hợp lệ.")
		}
		f.Version = n
	}
	switch n := vntext.CharCount(f.Title); {
	case n == 0:
		f.Errors["title"] = "Vui lòng nhập tiêu đề trang."
	case n > maxPageTitle:
		f.Errors["title"] = fmt.Sprintf("Tiêu đề tối đa %d ký tự (hiện có %d).", maxPageTitle, n)
	}
	if len(rawBody) > maxArticleBodyBytes {
		f.Errors["body"] = "Nội dung trang quá dài (tối đa 1 MB)."
		f.Body = ""
	}
	slugIn := rawSlug
	if slugIn == "" {
		slugIn = f.Title
	}
	f.Slug = vntext.Slug(slugIn)
	switch {
	case len(rawSlug) > maxPageSlug*4 || len(f.Slug) > maxPageSlug:
		f.Errors["slug"] = fmt.Sprintf("Đường dẫn tối đa %d ký tự.", maxPageSlug)
		f.Slug = ""
	case f.Slug == "" && f.Errors["title"] == "":
		f.Errors["slug"] = "Đường dẫn cần có chữ cái hoặc chữ số."
	}
	if u.Role == db.RoleAdmin {
		f.Placement = pf.Get("placement")
		if !db.ValidPlacement(f.Placement) {
			f.Errors["placement"] = "Vui lòng chọn nơi gắn liên kết."
			f.Placement = db.PlaceNone
		}
		if s := strings.TrimSpace(pf.Get("position")); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > maxPagePosition {
				f.Errors["position"] = fmt.Sprintf("Thứ tự là số nguyên từ 0 đến %d.", maxPagePosition)
			} else {
				f.Position = n
			}
		}
	} else { // editors write pages; where they are linked stays the admin's choice
		f.Placement, f.Position = f.Page.Placement, f.Page.Position
		if f.Placement == "" {
			f.Placement = db.PlaceNone
		}
	}
	return db.PageInput{Slug: f.Slug, Title: f.Title, BodyHTML: f.Body, Status: f.Status, Placement: f.Placement,
		Position: f.Position}, nil
}

func (a *App) createPage(w http.ResponseWriter, r *http.Request, u db.User) error {
	var f pageForm
	in, err := a.readPageForm(w, r, u, &f)
	if err != nil {
		return err
	}
	if len(f.Errors) > 0 {
		return a.renderPageForm(w, r, http.StatusUnprocessableEntity, u, f)
	}
	id, err := a.DB.CreatePage(r.Context(), adminActor(r, u), a.Now(), in)
	if errors.Is(err, db.ErrDuplicatePage) {
		f.Errors["slug"] = "Đường dẫn này đã được trang khác dùng."
		return a.renderPageForm(w, r, http.StatusUnprocessableEntity, u, f)
	}
	if err != nil {
		return err
	}
	a.flash(r, "Đã tạo trang.")
	adminSeeOther(w, r, views.AdminURL(views.AdminPage, id))
	return nil
}

func (a *App) updatePage(w http.ResponseWriter, r *http.Request, u db.User) error {
	pg, err := a.loadPage(r)
	if err != nil {
		return err
	}
	f := pageForm{ID: pg.ID, Page: pg}
	in, err := a.readPageForm(w, r, u, &f)
	if err != nil {
		return err
	}
	if f.Version == 0 {
		return errBadRequest("Biểu mẫu thiếu phiên bản của trang.")
	}
	if len(f.Errors) > 0 {
		return a.renderPageForm(w, r, http.StatusUnprocessableEntity, u, f)
	}
	_, err = a.DB.UpdatePage(r.Context(), adminActor(r, u), a.Now(), pg.ID, f.Version, in, "")
	switch {
	case errors.Is(err, db.ErrStale):
		f.Stale = true
		return a.renderPageForm(w, r, http.StatusConflict, u, f)
	case errors.Is(err, db.ErrDuplicatePage):
		f.Errors["slug"] = "Đường dẫn này đã được trang khác dùng."
		return a.renderPageForm(w, r, http.StatusUnprocessableEntity, u, f)
	case err != nil:
		return err
	}
	a.flash(r, "Đã lưu trang.")
	adminSeeOther(w, r, views.AdminURL(views.AdminPage, pg.ID))
	return nil
}

// restorePageRevision puts an old revision's title and text back (a new revision).
func (a *App) restorePageRevision(w http.ResponseWriter, r *http.Request, u db.User) error {
	pg, err := a.loadPage(r)
	if err != nil {
		return err
	}
	id, version, err := parseRestoreForm(w, r)
	if err != nil {
		return err
	}
	rev, err := a.DB.PageRevisionByID(r.Context(), pg.ID, id)
	if errors.Is(err, db.ErrNotFound) {
		return errNotFound()
	}
	if err != nil {
		return err
	}
	in := db.PageInput{Slug: pg.Slug, Title: rev.Title, BodyHTML: a.sanitizeBody(rev.BodyHTML), Status: pg.Status,
		Placement: pg.Placement, Position: pg.Position}
	_, err = a.DB.UpdatePage(r.Context(), adminActor(r, u), a.Now(), pg.ID, version, in,
		"khôi phục phiên bản "+vntext.FormatDateTime(rev.CreatedAt.In(a.Views.Location())))
	if errors.Is(err, db.ErrStale) {
		return &Error{Status: http.StatusConflict, Message: "Trang vừa được người khác sửa. Hãy tải lại trang rồi thử lại."}
	}
	if err != nil {
		return err
	}
	a.flash(r, "Đã khôi phục phiên bản cũ.")
	adminSeeOther(w, r, views.AdminURL(views.AdminPage, pg.ID))
	return nil
}

// deletePage deletes a page with its revisions (admins).
func (a *App) deletePage(w http.ResponseWriter, r *http.Request, u db.User) error {
	pg, err := a.loadPage(r)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	if err := a.DB.DeletePage(r.Context(), adminActor(r, u), a.Now(), pg.ID); err != nil {
		return err
	}
	a.flash(r, "Đã xóa trang «"+pg.Title+"».")
	adminSeeOther(w, r, views.AdminPages)
	return nil
}
