package handlers

import (
	"net/http"
	"strings"

	"toasoan/db"
	"toasoan/views"
)

// backOfficeRoutes lists every /admin URL; each passes through adminChain (no-store,
// CSP, cross-origin refusal, session) and, past login, a role check.
func (a *App) backOfficeRoutes(mux *http.ServeMux) {
	open := func(fn handlerFunc) http.Handler { return a.adminChain(a.handle(fn)) }
	author := func(fn adminFunc) http.Handler { return a.requireRole(db.RoleAuthor, fn) }
	editor := func(fn adminFunc) http.Handler { return a.requireRole(db.RoleEditor, fn) }
	admin := func(fn adminFunc) http.Handler { return a.requireRole(db.RoleAdmin, fn) }
	// The patterns stay literal here (tests read them from this file), but each path
	// must be one of views' Admin* patterns and every one of those must be routed, so
	// the two cannot drift: a mismatch stops start-up.
	routed := map[string]bool{}
	route := func(pattern string, h http.Handler) {
		_, p, _ := strings.Cut(pattern, " ")
		p = strings.TrimSuffix(p, "{$}")
		if !views.IsAdminPattern(p) {
			panic("handlers: route " + pattern + " has no views.Admin* pattern")
		}
		routed[p] = true
		mux.Handle(pattern, h)
	}

	route("GET /admin/login", open(a.loginPage))
	route("POST /admin/login", open(a.login))
	route("GET /admin/thiet-lap", open(a.setupPage))
	route("POST /admin/thiet-lap", open(a.setup))
	route("POST /admin/logout", author(a.logout))
	route("GET /admin", author(a.dashboard))
	route("GET /admin/{$}", author(a.dashboard))

	route("GET /admin/bai-viet", author(a.adminArticles))
	route("GET /admin/bai-viet/moi", author(a.newArticlePage))
	route("POST /admin/bai-viet", author(a.createArticle))
	route("GET /admin/bai-viet/{id}", author(a.editArticlePage))
	route("POST /admin/bai-viet/{id}", author(a.updateArticle))
	route("POST /admin/bai-viet/{id}/trang-thai", author(a.transitionArticle))
	route("GET /admin/bai-viet/{id}/xem-truoc", author(a.previewArticle))
	route("GET /admin/bai-viet/{id}/phien-ban", author(a.articleRevisions))
	route("POST /admin/bai-viet/{id}/phien-ban/{rev}/khoi-phuc", author(a.restoreRevision))

	route("POST /admin/bai-viet/{id}/thung-rac", author(a.trashArticle))
	route("GET /admin/bai-viet/thung-rac", editor(a.trashList))
	route("POST /admin/bai-viet/{id}/khoi-phuc", editor(a.restoreArticle))
	route("POST /admin/bai-viet/{id}/xoa-vinh-vien", admin(a.deleteArticle))
	route("POST /admin/bai-viet/hang-loat", editor(a.bulkArticles))

	route("GET /admin/noi-bat", editor(a.featuredList))
	route("POST /admin/noi-bat", editor(a.featureArticle))
	route("POST /admin/noi-bat/{id}/bo", editor(a.unfeatureArticle))
	route("POST /admin/noi-bat/{id}/di-chuyen", editor(a.moveFeatured))

	route("GET /admin/chu-de", editor(a.tagsPage))
	route("POST /admin/chu-de", editor(a.createTag))
	route("GET /admin/chu-de/goi-y", author(a.suggestTags))
	route("POST /admin/chu-de/{id}", editor(a.renameTag))
	route("POST /admin/chu-de/{id}/xoa", editor(a.deleteTag))

	route("GET /admin/trang", editor(a.adminPages))
	route("GET /admin/trang/moi", editor(a.newPagePage))
	route("POST /admin/trang", editor(a.createPage))
	route("GET /admin/trang/{id}", editor(a.editPagePage))
	route("POST /admin/trang/{id}", editor(a.updatePage))
	route("POST /admin/trang/{id}/phien-ban/{rev}/khoi-phuc", editor(a.restorePageRevision))
	route("POST /admin/trang/{id}/xoa", admin(a.deletePage))

	route("GET /admin/ho-so", author(a.profilePage))
	route("POST /admin/ho-so", author(a.updateProfile))
	route("POST /admin/ho-so/mat-khau", author(a.changeOwnPassword))

	route("GET /admin/anh", author(a.mediaLibrary))
	route("POST /admin/anh", author(a.uploadMedia))
	route("GET /admin/anh/chon", author(a.mediaPicker))
	route("GET /admin/anh/thung-rac", editor(a.mediaLibrary))
	route("GET /admin/anh/{id}", author(a.mediaDetail))
	route("POST /admin/anh/{id}", author(a.updateMedia))
	route("POST /admin/anh/{id}/xoa", editor(a.trashMedia))
	route("POST /admin/anh/{id}/khoi-phuc", editor(a.restoreMedia))
	route("POST /admin/anh/{id}/xoa-vinh-vien", admin(a.deleteMedia))

	route("GET /admin/binh-luan", editor(a.moderationQueue))
	route("POST /admin/binh-luan", editor(a.moderateBulk))
	route("POST /admin/binh-luan/{id}/{action}", editor(a.moderateOne))
	route("GET /admin/binh-luan/{id}/sua", editor(a.editCommentPage))
	route("POST /admin/binh-luan/{id}/sua", editor(a.editComment))
	route("POST /admin/binh-luan/{id}/tra-loi", editor(a.replyToComment))
	route("POST /admin/chan", editor(a.blockCommenter))
	route("POST /admin/chan/go", editor(a.unblockCommenter))

	route("GET /admin/chuyen-muc", admin(a.sectionsPage))
	route("POST /admin/chuyen-muc", admin(a.createSection))
	route("POST /admin/chuyen-muc/{id}", admin(a.updateSection))
	route("POST /admin/chuyen-muc/{id}/di-chuyen", admin(a.moveSection))

	route("GET /admin/nguoi-dung", admin(a.usersPage))
	route("POST /admin/nguoi-dung", admin(a.createUser))
	route("POST /admin/nguoi-dung/{id}", admin(a.updateUser))
	route("POST /admin/nguoi-dung/{id}/mat-khau", admin(a.resetPassword))

	route("GET /admin/cai-dat", admin(a.settingsPage))
	route("POST /admin/cai-dat", admin(a.saveSettings))

	route("GET /admin/nhat-ky", admin(a.auditPage))

	for _, p := range views.AdminPatterns() {
		if !routed[p] {
			panic("handlers: views admin pattern " + p + " has no route")
		}
	}
}

// mediaRoutes serves stored images to everyone.
func (a *App) mediaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /media/{id}", a.handle(a.serveMedia))
}
