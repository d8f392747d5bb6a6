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
	// Each path is one of views' Admin* patterns (their one source, which templates and
	// scripts use too) and every one of those must be routed: a mismatch stops start-up.
	// The patterns registered are kept in a.adminPatterns for the tests that walk them.
	routed := map[string]bool{}
	route := func(pattern string, h http.Handler) {
		_, p, _ := strings.Cut(pattern, " ")
		p = strings.TrimSuffix(p, "{$}")
		if !views.IsAdminPattern(p) {
			panic("handlers: route " + pattern + " has no views.Admin* pattern")
		}
		routed[p] = true
		a.adminPatterns = append(a.adminPatterns, pattern)
		mux.Handle(pattern, h)
	}

	route("GET "+views.AdminLogin, open(a.loginPage))
	route("POST "+views.AdminLogin, open(a.login))
	route("GET "+views.AdminSetup, open(a.setupPage))
	route("POST "+views.AdminSetup, open(a.setup))
	route("POST "+views.AdminLogout, author(a.logout))
	route("GET "+views.AdminRoot, author(a.dashboard))
	route("GET "+views.AdminDashboard+"{$}", author(a.dashboard))

	route("GET "+views.AdminArticles, author(a.adminArticles))
	route("GET "+views.AdminArticleNew, author(a.newArticlePage))
	route("POST "+views.AdminArticles, author(a.createArticle))
	route("GET "+views.AdminArticle, author(a.editArticlePage))
	route("POST "+views.AdminArticle, author(a.updateArticle))
	route("POST "+views.AdminArticleStatus, author(a.transitionArticle))
	route("GET "+views.AdminArticlePreview, author(a.previewArticle))
	route("GET "+views.AdminArticleRevisions, author(a.articleRevisions))
	route("POST "+views.AdminArticleRevisionRestore, author(a.restoreRevision))

	route("POST "+views.AdminArticleTrash, author(a.trashArticle))
	route("GET "+views.AdminArticlesTrash, editor(a.trashList))
	route("POST "+views.AdminArticleRestore, editor(a.restoreArticle))
	route("POST "+views.AdminArticleDelete, admin(a.deleteArticle))
	route("POST "+views.AdminArticlesBulk, editor(a.bulkArticles))

	route("GET "+views.AdminFeatured, editor(a.featuredList))
	route("POST "+views.AdminFeatured, editor(a.featureArticle))
	route("POST "+views.AdminFeaturedRemove, editor(a.unfeatureArticle))
	route("POST "+views.AdminFeaturedMove, editor(a.moveFeatured))

	route("GET "+views.AdminTags, editor(a.tagsPage))
	route("POST "+views.AdminTags, editor(a.createTag))
	route("GET "+views.AdminTagSuggest, author(a.suggestTags))
	route("POST "+views.AdminTag, editor(a.renameTag))
	route("POST "+views.AdminTagDelete, editor(a.deleteTag))

	route("GET "+views.AdminPages, editor(a.adminPages))
	route("GET "+views.AdminPageNew, editor(a.newPagePage))
	route("POST "+views.AdminPages, editor(a.createPage))
	route("GET "+views.AdminPage, editor(a.editPagePage))
	route("POST "+views.AdminPage, editor(a.updatePage))
	route("POST "+views.AdminPageRevisionRestore, editor(a.restorePageRevision))
	route("POST "+views.AdminPageDelete, admin(a.deletePage))

	route("GET "+views.AdminProfile, author(a.profilePage))
	route("POST "+views.AdminProfile, author(a.updateProfile))
	route("POST "+views.AdminProfilePassword, author(a.changeOwnPassword))

	route("GET "+views.AdminMedia, author(a.mediaLibrary))
	route("POST "+views.AdminMedia, author(a.uploadMedia))
	route("GET "+views.AdminMediaPicker, author(a.mediaPicker))
	route("GET "+views.AdminMediaTrash, editor(a.mediaLibrary))
	route("GET "+views.AdminMediaItem, author(a.mediaDetail))
	route("POST "+views.AdminMediaItem, author(a.updateMedia))
	route("POST "+views.AdminMediaItemTrash, editor(a.trashMedia))
	route("POST "+views.AdminMediaItemRestore, editor(a.restoreMedia))
	route("POST "+views.AdminMediaItemDelete, admin(a.deleteMedia))

	route("GET "+views.AdminComments, editor(a.moderationQueue))
	route("POST "+views.AdminComments, editor(a.moderateBulk))
	route("POST "+views.AdminCommentAction, editor(a.moderateOne))
	route("GET "+views.AdminCommentEdit, editor(a.editCommentPage))
	route("POST "+views.AdminCommentEdit, editor(a.editComment))
	route("POST "+views.AdminCommentReply, editor(a.replyToComment))
	route("POST "+views.AdminBlock, editor(a.blockCommenter))
	route("POST "+views.AdminUnblock, editor(a.unblockCommenter))

	route("GET "+views.AdminSections, admin(a.sectionsPage))
	route("POST "+views.AdminSections, admin(a.createSection))
	route("POST "+views.AdminSection, admin(a.updateSection))
	route("POST "+views.AdminSectionMove, admin(a.moveSection))

	route("GET "+views.AdminUsers, admin(a.usersPage))
	route("POST "+views.AdminUsers, admin(a.createUser))
	route("POST "+views.AdminUser, admin(a.updateUser))
	route("POST "+views.AdminUserPassword, admin(a.resetPassword))

	route("GET "+views.AdminSettings, admin(a.settingsPage))
	route("POST "+views.AdminSettings, admin(a.saveSettings))

	route("GET "+views.AdminAudit, admin(a.auditPage))

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
