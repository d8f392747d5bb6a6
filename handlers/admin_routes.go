package handlers

import (
	"net/http"

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

	mux.Handle("GET "+views.AdminLogin, open(a.loginPage))
	mux.Handle("POST "+views.AdminLogin, open(a.login))
	mux.Handle("GET "+views.AdminSetup, open(a.setupPage))
	mux.Handle("POST "+views.AdminSetup, open(a.setup))
	mux.Handle("POST "+views.AdminLogout, author(a.logout))
	mux.Handle("GET "+views.AdminRoot, author(a.dashboard))
	mux.Handle("GET "+views.AdminDashboard+"{$}", author(a.dashboard))

	mux.Handle("GET "+views.AdminArticles, author(a.adminArticles))
	mux.Handle("GET "+views.AdminArticleNew, author(a.newArticlePage))
	mux.Handle("POST "+views.AdminArticles, author(a.createArticle))
	mux.Handle("GET "+views.AdminArticle, author(a.editArticlePage))
	mux.Handle("POST "+views.AdminArticle, author(a.updateArticle))
	mux.Handle("POST "+views.AdminArticleStatus, author(a.transitionArticle))
	mux.Handle("GET "+views.AdminArticlePreview, author(a.previewArticle))
	mux.Handle("GET "+views.AdminArticleRevisions, author(a.articleRevisions))
	mux.Handle("POST "+views.AdminArticleRevisionRestore, author(a.restoreRevision))

	mux.Handle("POST "+views.AdminArticleTrash, author(a.trashArticle))
	mux.Handle("GET "+views.AdminArticlesTrash, editor(a.trashList))
	mux.Handle("POST "+views.AdminArticleRestore, editor(a.restoreArticle))
	mux.Handle("POST "+views.AdminArticleDelete, admin(a.deleteArticle))
	mux.Handle("POST "+views.AdminArticlesBulk, editor(a.bulkArticles))

	mux.Handle("GET "+views.AdminFeatured, editor(a.featuredList))
	mux.Handle("POST "+views.AdminFeatured, editor(a.featureArticle))
	mux.Handle("POST "+views.AdminFeaturedRemove, editor(a.unfeatureArticle))
	mux.Handle("POST "+views.AdminFeaturedMove, editor(a.moveFeatured))

	mux.Handle("GET "+views.AdminTags, editor(a.tagsPage))
	mux.Handle("POST "+views.AdminTags, editor(a.createTag))
	mux.Handle("GET "+views.AdminTagSuggest, author(a.suggestTags))
	mux.Handle("POST "+views.AdminTag, editor(a.renameTag))
	mux.Handle("POST "+views.AdminTagDelete, editor(a.deleteTag))

	mux.Handle("GET "+views.AdminPages, editor(a.adminPages))
	mux.Handle("GET "+views.AdminPageNew, editor(a.newPagePage))
	mux.Handle("POST "+views.AdminPages, editor(a.createPage))
	mux.Handle("GET "+views.AdminPage, editor(a.editPagePage))
	mux.Handle("POST "+views.AdminPage, editor(a.updatePage))
	mux.Handle("POST "+views.AdminPageRevisionRestore, editor(a.restorePageRevision))
	mux.Handle("POST "+views.AdminPageDelete, admin(a.deletePage))

	mux.Handle("GET "+views.AdminProfile, author(a.profilePage))
	mux.Handle("POST "+views.AdminProfile, author(a.updateProfile))
	mux.Handle("POST "+views.AdminProfilePassword, author(a.changeOwnPassword))

	mux.Handle("GET "+views.AdminMedia, author(a.mediaLibrary))
	mux.Handle("POST "+views.AdminMedia, author(a.uploadMedia))
	mux.Handle("GET "+views.AdminMediaPicker, author(a.mediaPicker))
	mux.Handle("GET "+views.AdminMediaTrash, editor(a.mediaLibrary))
	mux.Handle("GET "+views.AdminMediaItem, author(a.mediaDetail))
	mux.Handle("POST "+views.AdminMediaItem, author(a.updateMedia))
	mux.Handle("POST "+views.AdminMediaItemTrash, editor(a.trashMedia))
	mux.Handle("POST "+views.AdminMediaItemRestore, editor(a.restoreMedia))
	mux.Handle("POST "+views.AdminMediaItemDelete, admin(a.deleteMedia))

	mux.Handle("GET "+views.AdminComments, editor(a.moderationQueue))
	mux.Handle("POST "+views.AdminComments, editor(a.moderateBulk))
	mux.Handle("POST "+views.AdminCommentAction, editor(a.moderateOne))
	mux.Handle("GET "+views.AdminCommentEdit, editor(a.editCommentPage))
	mux.Handle("POST "+views.AdminCommentEdit, editor(a.editComment))
	mux.Handle("POST "+views.AdminCommentReply, editor(a.replyToComment))
	mux.Handle("POST "+views.AdminBlock, editor(a.blockCommenter))
	mux.Handle("POST "+views.AdminUnblock, editor(a.unblockCommenter))

	mux.Handle("GET "+views.AdminSections, admin(a.sectionsPage))
	mux.Handle("POST "+views.AdminSections, admin(a.createSection))
	mux.Handle("POST "+views.AdminSection, admin(a.updateSection))
	mux.Handle("POST "+views.AdminSectionMove, admin(a.moveSection))

	mux.Handle("GET "+views.AdminUsers, admin(a.usersPage))
	mux.Handle("POST "+views.AdminUsers, admin(a.createUser))
	mux.Handle("POST "+views.AdminUser, admin(a.updateUser))
	mux.Handle("POST "+views.AdminUserPassword, admin(a.resetPassword))

	mux.Handle("GET "+views.AdminSettings, admin(a.settingsPage))
	mux.Handle("POST "+views.AdminSettings, admin(a.saveSettings))

	mux.Handle("GET "+views.AdminAudit, admin(a.auditPage))
}

// mediaRoutes serves stored images to everyone.
func (a *App) mediaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /media/{id}", a.handle(a.serveMedia))
}
