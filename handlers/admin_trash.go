package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"toasoan/db"
	"toasoan/views"
)

// maxBulkArticles bounds one bulk action: a page of the list is 30 rows.
const maxBulkArticles = 200

// trashArticle moves {id} to the trash.
func (a *App) trashArticle(w http.ResponseWriter, r *http.Request, u db.User) error {
	art, err := a.loadArticle(r, u)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	if !art.TrashedAt.IsZero() {
		adminSeeOther(w, r, views.AdminArticlesTrash)
		return nil
	}
	if !canTrashArticle(u, art) {
		return errAdminForbidden()
	}
	if err := a.DB.TrashArticle(r.Context(), adminActor(r, u), a.Now(), art.ID); err != nil {
		return err
	}
	a.flash(r, "Đã chuyển «"+art.Title+"» vào thùng rác. Có thể khôi phục trong 30 ngày.")
	adminSeeOther(w, r, views.AdminArticles)
	return nil
}

// trashPage is the trash's data.
type trashPage struct {
	Articles   []db.AdminArticle
	Total      int
	Pagination views.Pagination
	CanDelete  bool
	PageQuery  string // for the pager: no filters here
}

// PurgeAt is when a trashed article is deleted for good.
func (trashPage) PurgeAt(a db.AdminArticle) time.Time { return a.TrashedAt.Add(db.TrashRetention) }

// trashList shows the trashed articles, most recently trashed first.
func (a *App) trashList(w http.ResponseWriter, r *http.Request, u db.User) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	data := trashPage{CanDelete: u.Role == db.RoleAdmin}
	data.Articles, data.Total, err = a.DB.AdminArticles(r.Context(), db.AdminArticleQuery{Trash: true,
		Limit: adminPageSize, Offset: (page - 1) * adminPageSize})
	if err != nil {
		return err
	}
	pages := pageCount(data.Total, adminPageSize)
	data.Pagination = views.Pagination{Page: min(page, pages), Pages: pages, BasePath: views.AdminArticlesTrash}
	return a.renderAdmin(w, r, http.StatusOK, "admin_trash", "Thùng rác", "articles", u, data)
}

// restoreArticle takes {id} out of the trash with the status it had.
func (a *App) restoreArticle(w http.ResponseWriter, r *http.Request, u db.User) error {
	art, err := a.loadArticle(r, u)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	if err := a.DB.RestoreArticle(r.Context(), adminActor(r, u), a.Now(), art.ID); err != nil {
		return err
	}
	a.flash(r, "Đã khôi phục «"+art.Title+"».")
	adminSeeOther(w, r, views.AdminArticlesTrash)
	return nil
}

// deleteArticle deletes a trashed {id} for good (admins).
func (a *App) deleteArticle(w http.ResponseWriter, r *http.Request, u db.User) error {
	art, err := a.loadArticle(r, u)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	err = a.DB.DeleteArticle(r.Context(), adminActor(r, u), a.Now(), art.ID)
	if errors.Is(err, db.ErrNotTrashed) {
		return &Error{Status: http.StatusConflict, Message: "Chỉ xóa vĩnh viễn được bài đã ở trong thùng rác."}
	}
	if errors.Is(err, db.ErrNotFound) {
		return errNotFound()
	}
	if err != nil {
		return err
	}
	a.flash(r, "Đã xóa vĩnh viễn «"+art.Title+"».")
	adminSeeOther(w, r, views.AdminArticlesTrash)
	return nil
}

// bulkLabels name the bulk actions in the flash message.
var bulkLabels = map[db.BulkAction]string{
	db.BulkPublish:   "Đã đăng",
	db.BulkUnpublish: "Đã gỡ về bản nháp",
	db.BulkMove:      "Đã chuyển chuyên mục",
	db.BulkTrash:     "Đã chuyển vào thùng rác",
}

// bulkArticles applies one action to the ticked articles of the list (editors).
func (a *App) bulkArticles(w http.ResponseWriter, r *http.Request, u db.User) error {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	pf := r.PostForm
	back := views.AdminArticles
	if q := pf.Get("back"); q != "" {
		// Only the list's own filters come back: never a redirect elsewhere.
		if v, err := url.ParseQuery(q); err == nil && len(q) < 1000 {
			back += "?" + v.Encode()
		}
	}
	action := pf.Get("action")
	if !db.ValidBulkAction(action) {
		return errBadRequest("Vui lòng chọn một thao tác hợp lệ.")
	}
	ids := pf["id"]
	if len(ids) == 0 {
		a.flash(r, "Chưa chọn bài viết nào.")
		adminSeeOther(w, r, back)
		return nil
	}
	if len(ids) > maxBulkArticles {
		return errBadRequest(fmt.Sprintf("Mỗi lần chỉ thao tác được tối đa %d bài.", maxBulkArticles))
	}
	var list []int64
	for _, s := range ids {
		id, ok := parseAdminID(s)
		if !ok {
			return errBadRequest("Mã bài viết không hợp lệ.")
		}
		list = append(list, id)
	}
	var section int64
	if db.BulkAction(action) == db.BulkMove {
		var ok bool
		if section, ok = parseAdminID(pf.Get("section")); !ok {
			return errBadRequest("Vui lòng chọn chuyên mục để chuyển bài tới.")
		}
	}
	res, err := a.DB.BulkArticles(r.Context(), adminActor(r, u), a.Now(), list, db.BulkAction(action), section)
	if errors.Is(err, db.ErrUnknownSection) {
		return errBadRequest("Chuyên mục không tồn tại.")
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("%s %d bài.", bulkLabels[db.BulkAction(action)], res.Done)
	if res.Skipped > 0 {
		msg += fmt.Sprintf(" Bỏ qua %d bài không thể thực hiện thao tác này (trạng thái không phù hợp hoặc không còn).", res.Skipped)
	}
	a.flash(r, msg)
	adminSeeOther(w, r, back)
	return nil
}

// trashActor is who the audit log names for the automatic purge.
var trashActor = db.Actor{UserName: "hệ thống"}

// PurgeTrash deletes the articles trashed more than db.TrashRetention ago, now and then
// every interval until ctx ends. A purge that fails is logged and tried again next time.
func (a *App) PurgeTrash(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := a.DB.PurgeTrash(ctx, trashActor, a.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			a.Log.Error("purge trash", "err", err)
		case n > 0:
			a.Log.Info("purged trashed articles", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
