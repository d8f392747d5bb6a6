package handlers

import (
	"net/http"

	"toasoan/db"
)

// backOfficeRoutes lists every /admin URL; each passes through adminChain (no-store,
// CSP, cross-origin refusal, session) and, past login, a role check.
func (a *App) backOfficeRoutes(mux *http.ServeMux) {
	open := func(fn handlerFunc) http.Handler { return a.adminChain(a.handle(fn)) }
	author := func(fn adminFunc) http.Handler { return a.requireRole(db.RoleAuthor, fn) }
	editor := func(fn adminFunc) http.Handler { return a.requireRole(db.RoleEditor, fn) }
	admin := func(fn adminFunc) http.Handler { return a.requireRole(db.RoleAdmin, fn) }

	mux.Handle("GET /admin/login", open(a.loginPage))
	mux.Handle("POST /admin/login", open(a.login))
	mux.Handle("GET /admin/thiet-lap", open(a.setupPage))
	mux.Handle("POST /admin/thiet-lap", open(a.setup))
	mux.Handle("POST /admin/logout", author(a.logout))
	mux.Handle("GET /admin", author(a.dashboard))
	mux.Handle("GET /admin/{$}", author(a.dashboard))

	mux.Handle("GET /admin/bai-viet", author(a.adminArticles))
	mux.Handle("GET /admin/bai-viet/moi", author(a.newArticlePage))
	mux.Handle("POST /admin/bai-viet", author(a.createArticle))
	mux.Handle("GET /admin/bai-viet/{id}", author(a.editArticlePage))
	mux.Handle("POST /admin/bai-viet/{id}", author(a.updateArticle))
	mux.Handle("POST /admin/bai-viet/{id}/trang-thai", author(a.transitionArticle))
	mux.Handle("GET /admin/bai-viet/{id}/xem-truoc", author(a.previewArticle))
	mux.Handle("GET /admin/bai-viet/{id}/phien-ban", author(a.articleRevisions))
	mux.Handle("POST /admin/bai-viet/{id}/phien-ban/{rev}/khoi-phuc", author(a.restoreRevision))

	mux.Handle("POST /admin/bai-viet/{id}/thung-rac", author(a.trashArticle))
	mux.Handle("GET /admin/bai-viet/thung-rac", editor(a.trashList))
	mux.Handle("POST /admin/bai-viet/{id}/khoi-phuc", editor(a.restoreArticle))
	mux.Handle("POST /admin/bai-viet/{id}/xoa-vinh-vien", admin(a.deleteArticle))
	mux.Handle("POST /admin/bai-viet/hang-loat", editor(a.bulkArticles))

	mux.Handle("GET /admin/noi-bat", editor(a.featuredList))
	mux.Handle("POST /admin/noi-bat", editor(a.featureArticle))
	mux.Handle("POST /admin/noi-bat/{id}/bo", editor(a.unfeatureArticle))
	mux.Handle("POST /admin/noi-bat/{id}/di-chuyen", editor(a.moveFeatured))

	mux.Handle("GET /admin/chu-de", editor(a.tagsPage))
	mux.Handle("POST /admin/chu-de", editor(a.createTag))
	mux.Handle("GET /admin/chu-de/goi-y", author(a.suggestTags))
	mux.Handle("POST /admin/chu-de/{id}", editor(a.renameTag))
	mux.Handle("POST /admin/chu-de/{id}/xoa", editor(a.deleteTag))

	mux.Handle("GET /admin/trang", editor(a.adminPages))
	mux.Handle("GET /admin/trang/moi", editor(a.newPagePage))
	mux.Handle("POST /admin/trang", editor(a.createPage))
	mux.Handle("GET /admin/trang/{id}", editor(a.editPagePage))
	mux.Handle("POST /admin/trang/{id}", editor(a.updatePage))
	mux.Handle("POST /admin/trang/{id}/phien-ban/{rev}/khoi-phuc", editor(a.restorePageRevision))
	mux.Handle("POST /admin/trang/{id}/xoa", admin(a.deletePage))

	mux.Handle("GET /admin/ho-so", author(a.profilePage))
	mux.Handle("POST /admin/ho-so", author(a.updateProfile))
	mux.Handle("POST /admin/ho-so/mat-khau", author(a.changeOwnPassword))

	mux.Handle("GET /admin/anh", author(a.mediaLibrary))
	mux.Handle("POST /admin/anh", author(a.uploadMedia))
	mux.Handle("GET /admin/anh/chon", author(a.mediaPicker))
	mux.Handle("GET /admin/anh/thung-rac", editor(a.mediaLibrary))
	mux.Handle("GET /admin/anh/{id}", author(a.mediaDetail))
	mux.Handle("POST /admin/anh/{id}", author(a.updateMedia))
	mux.Handle("POST /admin/anh/{id}/xoa", editor(a.trashMedia))
	mux.Handle("POST /admin/anh/{id}/khoi-phuc", editor(a.restoreMedia))
	mux.Handle("POST /admin/anh/{id}/xoa-vinh-vien", admin(a.deleteMedia))

	mux.Handle("GET /admin/binh-luan", editor(a.moderationQueue))
	mux.Handle("POST /admin/binh-luan", editor(a.moderateBulk))
	mux.Handle("POST /admin/binh-luan/{id}/{action}", editor(a.moderateOne))
	mux.Handle("GET /admin/binh-luan/{id}/sua", editor(a.editCommentPage))
	mux.Handle("POST /admin/binh-luan/{id}/sua", editor(a.editComment))
	mux.Handle("POST /admin/binh-luan/{id}/tra-loi", editor(a.replyToComment))
	mux.Handle("POST /admin/chan", editor(a.blockCommenter))
	mux.Handle("POST /admin/chan/go", editor(a.unblockCommenter))

	mux.Handle("GET /admin/chuyen-muc", admin(a.sectionsPage))
	mux.Handle("POST /admin/chuyen-muc", admin(a.createSection))
	mux.Handle("POST /admin/chuyen-muc/{id}", admin(a.updateSection))
	mux.Handle("POST /admin/chuyen-muc/{id}/di-chuyen", admin(a.moveSection))

	mux.Handle("GET /admin/nguoi-dung", admin(a.usersPage))
	mux.Handle("POST /admin/nguoi-dung", admin(a.createUser))
	mux.Handle("POST /admin/nguoi-dung/{id}", admin(a.updateUser))
	mux.Handle("POST /admin/nguoi-dung/{id}/mat-khau", admin(a.resetPassword))

	mux.Handle("GET /admin/cai-dat", admin(a.settingsPage))
	mux.Handle("POST /admin/cai-dat", admin(a.saveSettings))

	mux.Handle("GET /admin/nhat-ky", admin(a.auditPage))
}

// mediaRoutes serves stored images to everyone.
func (a *App) mediaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /media/{id}", a.handle(a.serveMedia))
}
