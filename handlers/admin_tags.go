package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"toasoan/views"

	"toasoan/db"
)

// Tag form limits.
const (
	maxTagField       = 2000 // the article form's comma-separated tag field, in bytes
	maxTagSuggestions = 8
)

// tagsPage is the tag list's data.
type tagsPage struct {
	Tags    []db.Tag
	NewName string
	EditID  int64
	Errors  map[string]string
}

func (a *App) tagsPage(w http.ResponseWriter, r *http.Request, u db.User) error {
	return a.renderTags(w, r, u, http.StatusOK, tagsPage{})
}

func (a *App) renderTags(w http.ResponseWriter, r *http.Request, u db.User, status int, data tagsPage) error {
	var err error
	if data.Tags, err = a.DB.Tags(r.Context()); err != nil {
		return err
	}
	if data.Errors == nil {
		data.Errors = map[string]string{}
	}
	return a.renderAdmin(w, r, status, "admin_tags", "Chủ đề", "tags", u, data)
}

// tagNameError explains why a tag name is refused, or "".
func tagNameError(err error) string {
	switch {
	case errors.Is(err, db.ErrBadTagName):
		return fmt.Sprintf("Tên chủ đề cần có chữ cái hoặc chữ số, tối đa %d ký tự.", db.MaxTagName)
	case errors.Is(err, db.ErrDuplicateTag):
		return "Đã có chủ đề trùng tên (hoặc trùng đường dẫn)."
	case errors.Is(err, db.ErrTooManyTags):
		return fmt.Sprintf("Mỗi bài tối đa %d chủ đề.", db.MaxTagsOfArticle)
	}
	return ""
}

func (a *App) createTag(w http.ResponseWriter, r *http.Request, u db.User) error {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	name := r.PostFormValue("name")
	_, err := a.DB.CreateTag(r.Context(), adminActor(r, u), a.Now(), name)
	if msg := tagNameError(err); msg != "" {
		return a.renderTags(w, r, u, http.StatusUnprocessableEntity, tagsPage{NewName: name, Errors: map[string]string{"name": msg}})
	}
	if err != nil {
		return err
	}
	a.flash(r, "Đã thêm chủ đề.")
	adminSeeOther(w, r, views.AdminTags)
	return nil
}

func (a *App) renameTag(w http.ResponseWriter, r *http.Request, u db.User) error {
	id, ok := parseAdminID(r.PathValue("id"))
	if !ok {
		return errNotFound()
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	err := a.DB.RenameTag(r.Context(), adminActor(r, u), a.Now(), id, r.PostFormValue("name"))
	if msg := tagNameError(err); msg != "" {
		return a.renderTags(w, r, u, http.StatusUnprocessableEntity, tagsPage{EditID: id, Errors: map[string]string{"name": msg}})
	}
	if errors.Is(err, db.ErrNotFound) {
		return errNotFound()
	}
	if err != nil {
		return err
	}
	a.flash(r, "Đã đổi tên chủ đề; địa chỉ cũ vẫn tự chuyển sang địa chỉ mới.")
	adminSeeOther(w, r, views.AdminTags)
	return nil
}

func (a *App) deleteTag(w http.ResponseWriter, r *http.Request, u db.User) error {
	id, ok := parseAdminID(r.PathValue("id"))
	if !ok {
		return errNotFound()
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	err := a.DB.DeleteTag(r.Context(), adminActor(r, u), a.Now(), id)
	if errors.Is(err, db.ErrNotFound) {
		return errNotFound()
	}
	if err != nil {
		return err
	}
	a.flash(r, "Đã xóa chủ đề khỏi mọi bài viết.")
	adminSeeOther(w, r, views.AdminTags)
	return nil
}

// tagSuggestions is the fragment of existing tags matching the word being typed.
type tagSuggestions struct {
	Tags []db.Tag
}

// suggestTags answers the article form's tag field as the editor types: the tags whose
// name starts like the last comma-separated part of ?tags=.
func (a *App) suggestTags(w http.ResponseWriter, r *http.Request, u db.User) error {
	field := r.URL.Query().Get("tags")
	if len(field) > maxTagField {
		return errBadRequest("Danh sách chủ đề quá dài.")
	}
	last := field
	if i := strings.LastIndexAny(field, ",;"); i >= 0 {
		last = field[i+1:]
	}
	var data tagSuggestions
	if strings.TrimSpace(last) != "" {
		// Leave out what the field already holds.
		have := map[string]bool{}
		typed := db.SplitTagNames(field)
		for _, n := range typed {
			_, slug, _ := db.CleanTagName(n)
			have[slug] = true
		}
		list, err := a.DB.TagsByPrefix(r.Context(), last, maxTagSuggestions+len(typed))
		if err != nil {
			return err
		}
		for _, t := range list {
			if !have[t.Slug] && len(data.Tags) < maxTagSuggestions {
				data.Tags = append(data.Tags, t)
			}
		}
	}
	return a.renderFragment(w, http.StatusOK, "admin_article_edit", "tag-suggestions", data)
}

// articleTagsField is the article form's tag field for the stored article: names
// joined with commas, as the editor types them.
func (a *App) articleTagsField(r *http.Request, id int64) (string, error) {
	tags, err := a.DB.ArticleTags(r.Context(), id)
	if err != nil {
		return "", err
	}
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.Name
	}
	return strings.Join(names, ", "), nil
}
