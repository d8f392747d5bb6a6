package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"toasoan/views"

	"toasoan/db"
)

// featuredPage is the featured list's data.
type featuredPage struct {
	Articles []db.Article
	Max      int
}

// featuredList shows the pinned articles in order: the first is the home page's lead.
func (a *App) featuredList(w http.ResponseWriter, r *http.Request, u db.User) error {
	list, err := a.DB.FeaturedForAdmin(r.Context())
	if err != nil {
		return err
	}
	return a.renderAdmin(w, r, http.StatusOK, "admin_featured", "Tin nổi bật", "featured", u,
		featuredPage{Articles: list, Max: db.MaxFeatured})
}

// featureArticle pins the article of the form's id: first (the lead) with lead=1.
func (a *App) featureArticle(w http.ResponseWriter, r *http.Request, u db.User) error {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	id, ok := parseAdminID(r.PostFormValue("id"))
	if !ok {
		return errBadRequest("Bài viết không hợp lệ.")
	}
	err := a.DB.FeatureArticle(r.Context(), adminActor(r, u), a.Now(), id, r.PostFormValue("lead") != "")
	switch {
	case errors.Is(err, db.ErrNotFound):
		return errNotFound()
	case errors.Is(err, db.ErrTrashed):
		return &Error{Status: http.StatusConflict, Message: "Bài viết đang ở thùng rác, không thể đặt làm tin nổi bật."}
	case errors.Is(err, db.ErrTooManyFeatured):
		return &Error{Status: http.StatusConflict, Message: fmt.Sprintf("Chỉ được tối đa %d tin nổi bật: hãy bỏ bớt một tin trước.", db.MaxFeatured)}
	case err != nil:
		return err
	}
	a.flash(r, "Đã đặt làm tin nổi bật.")
	adminSeeOther(w, r, views.AdminFeatured)
	return nil
}

// unfeatureArticle unpins {id}.
func (a *App) unfeatureArticle(w http.ResponseWriter, r *http.Request, u db.User) error {
	id, ok := parseAdminID(r.PathValue("id"))
	if !ok {
		return errNotFound()
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	if err := a.DB.UnfeatureArticle(r.Context(), adminActor(r, u), a.Now(), id); err != nil {
		return err
	}
	a.flash(r, "Đã bỏ khỏi tin nổi bật.")
	adminSeeOther(w, r, views.AdminFeatured)
	return nil
}

// moveFeatured moves {id} one place up or down (dir=up|down).
func (a *App) moveFeatured(w http.ResponseWriter, r *http.Request, u db.User) error {
	id, up, err := parseMoveForm(w, r)
	if err != nil {
		return err
	}
	err = a.DB.MoveFeatured(r.Context(), adminActor(r, u), a.Now(), id, up)
	if errors.Is(err, db.ErrNotFound) {
		return errNotFound()
	}
	if err != nil {
		return err
	}
	adminSeeOther(w, r, views.AdminFeatured+"#noi-bat-"+strconv.FormatInt(id, 10))
	return nil
}
