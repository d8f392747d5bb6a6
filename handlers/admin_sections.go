package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"toasoan/views"

	"toasoan/db"
	"toasoan/internal/vntext"
)

const (
	maxSectionName = 100
	maxSectionDesc = 500
)

// sectionsPage is the sections page's data.
type sectionsPage struct {
	Sections []db.Category
	New      db.Category
	EditID   int64
	Errors   map[string]string
}

func (a *App) sectionsPage(w http.ResponseWriter, r *http.Request, u db.User) error {
	return a.renderSections(w, r, u, http.StatusOK, sectionsPage{})
}

func (a *App) renderSections(w http.ResponseWriter, r *http.Request, u db.User, status int, data sectionsPage) error {
	var err error
	if data.Sections, err = a.DB.Categories(r.Context(), true); err != nil {
		return err
	}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	return a.renderAdmin(w, r, status, "admin_sections", "Chuyên mục", "sections", u, data)
}

// readSection reads name, slug, description and hidden, checking each.
func readSection(r *http.Request, errs map[string]string) db.Category {
	c := db.Category{Name: vntext.Normalize(r.PostFormValue("name")),
		Description: vntext.Normalize(r.PostFormValue("description")), Hidden: r.PostFormValue("hidden") != ""}
	slugIn := r.PostFormValue("slug")
	if slugIn == "" {
		slugIn = c.Name
	}
	c.Slug = vntext.Slug(slugIn)
	switch n := vntext.CharCount(c.Name); {
	case vntext.IsBlank(c.Name):
		errs["name"] = "Vui lòng nhập tên chuyên mục."
	case n > maxSectionName:
		errs["name"] = fmt.Sprintf("Tên chuyên mục tối đa %d ký tự.", maxSectionName)
		c.Name = ""
	}
	if vntext.CharCount(c.Description) > maxSectionDesc {
		errs["description"] = fmt.Sprintf("Mô tả tối đa %d ký tự.", maxSectionDesc)
	}
	if c.Slug == "" && errs["name"] == "" || len(c.Slug) > 100 {
		errs["slug"] = "Đường dẫn cần có chữ cái hoặc chữ số (tối đa 100 ký tự)."
		c.Slug = ""
	}
	return c
}

func (a *App) createSection(w http.ResponseWriter, r *http.Request, u db.User) error {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	data := sectionsPage{Errors: map[string]string{}}
	data.New = readSection(r, data.Errors)
	if len(data.Errors) == 0 {
		_, err := a.DB.CreateSection(r.Context(), adminActor(r, u), a.Now(), data.New)
		if errors.Is(err, db.ErrDuplicateSlug) {
			data.Errors["slug"] = "Đường dẫn này đã được chuyên mục khác dùng."
		} else if err != nil {
			return err
		} else {
			a.flash(r, "Đã thêm chuyên mục «"+data.New.Name+"».")
			http.Redirect(w, r, views.AdminSections, http.StatusSeeOther)
			return nil
		}
	}
	return a.renderSections(w, r, u, http.StatusUnprocessableEntity, data)
}

func (a *App) updateSection(w http.ResponseWriter, r *http.Request, u db.User) error {
	id, ok := parseAdminID(r.PathValue("id"))
	if !ok {
		return errNotFound()
	}
	if _, err := a.DB.CategoryByID(r.Context(), id); err != nil {
		return err
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	data := sectionsPage{Errors: map[string]string{}, EditID: id}
	c := readSection(r, data.Errors)
	c.ID = id
	if len(data.Errors) == 0 {
		err := a.DB.UpdateSection(r.Context(), adminActor(r, u), a.Now(), c)
		if errors.Is(err, db.ErrDuplicateSlug) {
			data.Errors["slug"] = "Đường dẫn này đã được chuyên mục khác dùng."
		} else if err != nil {
			return err
		} else {
			a.flash(r, "Đã lưu chuyên mục «"+c.Name+"».")
			http.Redirect(w, r, views.AdminSections, http.StatusSeeOther)
			return nil
		}
	}
	return a.renderSections(w, r, u, http.StatusUnprocessableEntity, data)
}

func (a *App) moveSection(w http.ResponseWriter, r *http.Request, u db.User) error {
	id, up, err := parseMoveForm(w, r)
	if err != nil {
		return err
	}
	err = a.DB.MoveSection(r.Context(), adminActor(r, u), a.Now(), id, up)
	if errors.Is(err, db.ErrNotFound) {
		return errNotFound()
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, views.AdminSections, http.StatusSeeOther)
	return nil
}

// parseMoveForm reads a reorder form (sections, featured stories): the row's id from the
// path and the direction, dir=up or dir=down.
func parseMoveForm(w http.ResponseWriter, r *http.Request) (id int64, up bool, err error) {
	id, ok := parseAdminID(r.PathValue("id"))
	if !ok {
		return 0, false, errNotFound()
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return 0, false, err
	}
	dir := r.PostFormValue("dir")
	if dir != "up" && dir != "down" {
		return 0, false, errBadRequest("Hướng di chuyển không hợp lệ.")
	}
	return id, dir == "up", nil
}
