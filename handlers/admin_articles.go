package handlers

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"toasoan/db"
	"toasoan/internal/vntext"
	"toasoan/views"
)

// Article form limits.
const (
	maxArticleTitle     = 300
	maxArticleLead      = 1000
	maxArticleByline    = 200
	maxCoverAlt         = 300
	maxReviewNote       = 1000
	maxArticleSlug      = 200
	maxArticleBodyBytes = 1 << 20
	maxArticleForm      = maxArticleBodyBytes + 64<<10
	adminPageSize       = 30
	dateTimeLocal       = "2006-01-02T15:04"
	maxAdminSearch      = 200
)

// Article permissions: editors and admins work on everything; an author sees their own
// articles and edits them while they are drafts.
func canViewArticle(u db.User, a db.Article) bool {
	return roleRank(u.Role) >= roleRank(db.RoleEditor) || a.AuthorID == u.ID
}

func canEditArticle(u db.User, a db.Article) bool {
	return roleRank(u.Role) >= roleRank(db.RoleEditor) || a.AuthorID == u.ID && a.Status == db.StatusDraft
}

// canTrashArticle: whoever may edit an article may put it in the trash (an author their
// own drafts). Taking it out is for editors (it may come back published); deleting it for
// good is for admins.
func canTrashArticle(u db.User, a db.Article) bool {
	return a.TrashedAt.IsZero() && canEditArticle(u, a)
}

// canTransition says whether u may move a to status `to`: an author may only submit their
// own draft for review.
func canTransition(u db.User, a db.Article, to string) bool {
	if roleRank(u.Role) >= roleRank(db.RoleEditor) {
		return true
	}
	return a.AuthorID == u.ID && a.Status == db.StatusDraft && to == db.StatusReview
}

// articleListPage is the article list's data.
type articleListPage struct {
	Query      url.Values
	Status     string
	Section    int64
	Author     int64
	Text       string
	Statuses   []statusCount
	Total      int
	Articles   []db.AdminArticle
	Sections   []db.Category
	Authors    []db.User
	Pagination views.Pagination
	PageQuery  string // the filters as a query string, for the pager
	ShowAuthor bool
	CanBulk    bool // editors tick articles for bulk actions
	Back       string
	Trashed    int // articles in the trash
}

// BulkActions are the bulk actions' choices, in menu order.
func (articleListPage) BulkActions() []struct{ Value, Label string } {
	return []struct{ Value, Label string }{
		{string(db.BulkPublish), "Đăng"}, {string(db.BulkUnpublish), "Gỡ về bản nháp"},
		{string(db.BulkMove), "Chuyển chuyên mục"}, {string(db.BulkTrash), "Chuyển vào thùng rác"},
	}
}

// StatusLabel is a status's Vietnamese name.
func (articleListPage) StatusLabel(s string) string { return listStatusLabels[s] }

func parseAdminID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0 && !strings.HasPrefix(s, "+")
}

func (a *App) adminArticles(w http.ResponseWriter, r *http.Request, u db.User) error {
	ctx := r.Context()
	q := r.URL.Query()
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	data := articleListPage{Query: q, Status: q.Get("status"), Text: vntext.Normalize(q.Get("q"))}
	if data.Status != "" && listStatusLabels[data.Status] == "" {
		return errBadRequest("Trạng thái không hợp lệ.")
	}
	if s := q.Get("section"); s != "" {
		var ok bool
		if data.Section, ok = parseAdminID(s); !ok {
			return errBadRequest("Chuyên mục không hợp lệ.")
		}
	}
	if s := q.Get("author"); s != "" {
		var ok bool
		if data.Author, ok = parseAdminID(s); !ok {
			return errBadRequest("Tác giả không hợp lệ.")
		}
	}
	if len([]rune(data.Text)) > maxAdminSearch {
		return errBadRequest("Từ khóa tìm kiếm quá dài.")
	}
	query := db.AdminArticleQuery{Status: data.Status, Now: a.Now(), CategoryID: data.Section, AuthorID: data.Author, Text: data.Text,
		Limit: adminPageSize, Offset: (page - 1) * adminPageSize}
	var authorScope int64
	if u.Role == db.RoleAuthor {
		query.AuthorID, authorScope = u.ID, u.ID // authors see their own articles only
	} else {
		data.ShowAuthor, data.CanBulk = true, true
		if data.Authors, err = a.DB.Users(ctx); err != nil {
			return err
		}
	}
	if data.Articles, data.Total, err = a.DB.AdminArticles(ctx, query); err != nil {
		return err
	}
	counts, err := a.DB.ArticleStatusCounts(ctx, authorScope, a.Now())
	if err != nil {
		return err
	}
	for _, s := range listStatuses {
		data.Statuses = append(data.Statuses, statusCount{Status: s, Label: listStatusLabels[s], Count: counts[s]})
	}
	data.Trashed = counts["trash"]
	if data.Sections, err = a.DB.Categories(ctx, true); err != nil {
		return err
	}
	pages := pageCount(data.Total, adminPageSize)
	data.Pagination = views.Pagination{Page: min(page, pages), Pages: pages, BasePath: views.AdminArticles}
	keep := url.Values{}
	for _, k := range []string{"status", "section", "author", "q"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	data.PageQuery = keep.Encode()
	if page > 1 {
		keep.Set("page", strconv.Itoa(page))
	}
	data.Back = keep.Encode()
	return a.renderAdmin(w, r, http.StatusOK, "admin_articles", "Bài viết", "articles", u, data)
}

// articleForm is the editor's data: what was typed, and the errors by field.
type articleForm struct {
	ID           int64
	Article      db.Article // the stored article (zero for a new one)
	Title        string
	Slug         string
	Lead         string
	Body         string
	Byline       string
	CategoryID   int64
	PublishAt    string // datetime-local, in the site's zone
	CoverMediaID int64
	CoverAlt     string
	Tags         string // comma-separated names, as typed
	Closed       bool   // comments closed
	Version      int
	FormToken    string
	Errors       map[string]string
	Stale        bool
	StaleDiff    []diffPart // stored text (−) against the submitted one (+), when Stale
	Sections     []db.Category
	CanEdit      bool
	Actions      []workflowAction
	Revisions    int
	Featured     bool // pinned to the home page
	CanFeature   bool // editors pin articles
	CanTrash     bool
}

// StatusLabels names article statuses in Vietnamese.
func (articleForm) StatusLabels() map[string]string { return statusLabels }

// workflowAction is a button of the workflow panel.
type workflowAction struct {
	To, Label string
	NeedsNote bool
	Schedule  bool
	Danger    bool
}

func (a *App) workflowActions(u db.User, art db.Article) []workflowAction {
	var out []workflowAction
	add := func(to, label string, note, schedule, danger bool) {
		if db.CanTransition(art.Status, to) && canTransition(u, art, to) {
			out = append(out, workflowAction{To: to, Label: label, NeedsNote: note, Schedule: schedule, Danger: danger})
		}
	}
	add(db.StatusReview, "Gửi duyệt", false, false, false)
	if art.PublishAt.After(a.Now()) {
		add(db.StatusPublished, "Hẹn giờ đăng ("+vntext.FormatDateTime(art.PublishAt.In(a.Views.Location()))+")", false, true, false)
	} else {
		add(db.StatusPublished, "Đăng bài", false, true, false)
	}
	if art.Status == db.StatusReview {
		add(db.StatusDraft, "Trả lại cho tác giả", true, false, false)
	} else if art.Status == db.StatusPublished {
		add(db.StatusDraft, "Gỡ bài (về bản nháp)", false, false, true)
	} else {
		add(db.StatusDraft, "Khôi phục thành bản nháp", false, false, false)
	}
	add(db.StatusArchived, "Lưu trữ", false, false, true)
	return out
}

func (a *App) formFromArticle(art db.Article) articleForm {
	f := articleForm{ID: art.ID, Article: art, Title: art.Title, Slug: art.Slug, Lead: art.Lead, Body: art.BodyHTML,
		Byline: art.Byline, CategoryID: art.CategoryID, CoverMediaID: art.CoverMediaID, CoverAlt: art.CoverAlt,
		Closed: art.CommentsClosed, Version: art.Version, Errors: map[string]string{}}
	if !art.PublishAt.IsZero() {
		f.PublishAt = art.PublishAt.In(a.Views.Location()).Format(dateTimeLocal)
	}
	return f
}

func (a *App) renderArticleForm(w http.ResponseWriter, r *http.Request, status int, u db.User, f articleForm) error {
	var err error
	if f.Sections, err = a.DB.Categories(r.Context(), true); err != nil {
		return err
	}
	title := "Viết bài mới"
	if f.ID != 0 {
		title = "Sửa bài: " + f.Article.Title
		f.CanEdit = canEditArticle(u, f.Article)
		f.Actions = a.workflowActions(u, f.Article)
		revs, err := a.DB.Revisions(r.Context(), f.ID)
		if err != nil {
			return err
		}
		f.Revisions = len(revs)
		f.CanTrash = canTrashArticle(u, f.Article)
		f.CanFeature = roleRank(u.Role) >= roleRank(db.RoleEditor)
		if f.Featured, err = a.DB.IsFeatured(r.Context(), f.ID); err != nil {
			return err
		}
	} else {
		f.CanEdit = true
	}
	return a.renderAdmin(w, r, status, "admin_article_edit", title, "articles", u, f)
}

func (a *App) newArticlePage(w http.ResponseWriter, r *http.Request, u db.User) error {
	f := articleForm{FormToken: randomToken(18), Errors: map[string]string{}, Byline: u.Label()}
	return a.renderArticleForm(w, r, http.StatusOK, u, f)
}

// loadArticle reads {id} and the article, checking that u may see it.
func (a *App) loadArticle(r *http.Request, u db.User) (db.Article, error) {
	id, ok := parseAdminID(r.PathValue("id"))
	if !ok {
		return db.Article{}, errNotFound()
	}
	art, err := a.DB.ArticleByID(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return art, errNotFound()
	}
	if err != nil {
		return art, err
	}
	if !canViewArticle(u, art) {
		return art, errAdminForbidden()
	}
	return art, nil
}

func (a *App) editArticlePage(w http.ResponseWriter, r *http.Request, u db.User) error {
	art, err := a.loadArticle(r, u)
	if err != nil {
		return err
	}
	if !art.TrashedAt.IsZero() {
		a.flash(r, "Bài viết đang ở thùng rác: khôi phục bài để sửa.")
		adminSeeOther(w, r, views.AdminArticlesTrash)
		return nil
	}
	f := a.formFromArticle(art)
	if f.Tags, err = a.articleTagsField(r, art.ID); err != nil {
		return err
	}
	return a.renderArticleForm(w, r, http.StatusOK, u, f)
}

// readArticleForm parses and checks the editor form into f and returns the input to
// store. The body is sanitized here with the one article policy.
func (a *App) readArticleForm(w http.ResponseWriter, r *http.Request, u db.User, f *articleForm) (db.ArticleInput, error) {
	if err := parseArticleRequest(w, r); err != nil {
		return db.ArticleInput{}, err
	}
	pf := r.PostForm
	f.Errors = map[string]string{}
	f.Title = vntext.Normalize(pf.Get("title"))
	f.Slug = strings.TrimSpace(pf.Get("slug"))
	f.Lead = vntext.NormalizeMultiline(pf.Get("lead"))
	f.Byline = vntext.Normalize(pf.Get("byline"))
	f.PublishAt = strings.TrimSpace(pf.Get("publish_at"))
	f.CoverAlt = vntext.Normalize(pf.Get("cover_alt"))
	f.Closed = pf.Get("comments_closed") != ""
	f.FormToken = pf.Get("form_token")
	rawTags := pf.Get("tags")
	f.Tags = vntext.Normalize(rawTags)
	var tags []string
	if len(rawTags) > maxTagField {
		f.Errors["tags"] = "Danh sách chủ đề quá dài."
		f.Tags = ""
	} else {
		tags = db.SplitTagNames(rawTags)
		for _, part := range strings.Split(f.Tags, ",") {
			if _, _, err := db.CleanTagName(part); strings.TrimSpace(part) != "" && err != nil {
				f.Errors["tags"] = tagNameError(err)
			}
		}
		if len(tags) > db.MaxTagsOfArticle {
			f.Errors["tags"] = tagNameError(db.ErrTooManyTags)
		}
	}
	rawBody := pf.Get("body")
	f.Body = a.sanitizeBody(vntext.NormalizeMultiline(rawBody))
	if v := pf.Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return db.ArticleInput{}, errBadRequest("Phiên bản của biểu mẫu không hợp lệ.")
		}
		f.Version = n
	}
	switch n := vntext.CharCount(f.Title); {
	case vntext.IsBlank(f.Title):
		f.Errors["title"] = "Vui lòng nhập tiêu đề."
	case n > maxArticleTitle:
		f.Errors["title"] = fmt.Sprintf("Tiêu đề tối đa %d ký tự (hiện có %d).", maxArticleTitle, n)
	}
	if n := vntext.CharCount(f.Lead); n > maxArticleLead {
		f.Errors["lead"] = fmt.Sprintf("Sapo tối đa %d ký tự (hiện có %d).", maxArticleLead, n)
	}
	if n := vntext.CharCount(f.Byline); n > maxArticleByline {
		f.Errors["byline"] = fmt.Sprintf("Tên tác giả tối đa %d ký tự.", maxArticleByline)
	}
	if n := vntext.CharCount(f.CoverAlt); n > maxCoverAlt {
		f.Errors["cover_alt"] = fmt.Sprintf("Mô tả ảnh tối đa %d ký tự.", maxCoverAlt)
	}
	if len(rawBody) > maxArticleBodyBytes {
		f.Errors["body"] = "Nội dung bài quá dài (tối đa 1 MB)."
		f.Body = ""
	}
	slug := f.Slug
	if slug == "" {
		slug = f.Title
	}
	cleanSlug := vntext.Slug(slug)
	switch {
	case len(f.Slug) > maxArticleSlug*4 || len(cleanSlug) > maxArticleSlug:
		f.Errors["slug"] = fmt.Sprintf("Đường dẫn tối đa %d ký tự.", maxArticleSlug)
		f.Slug = ""
	case cleanSlug == "" && f.Errors["title"] == "":
		f.Errors["slug"] = "Đường dẫn cần có chữ cái hoặc chữ số."
	}
	f.Slug = cleanSlug
	catID, ok := parseAdminID(pf.Get("category_id"))
	if !ok {
		f.Errors["category_id"] = "Vui lòng chọn chuyên mục."
	}
	f.CategoryID = catID
	var publishAt time.Time
	if f.PublishAt != "" {
		t, err := time.ParseInLocation(dateTimeLocal, f.PublishAt, a.Views.Location())
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			f.Errors["publish_at"] = "Thời gian đăng không hợp lệ (ngày/tháng/năm giờ:phút)."
			f.PublishAt = ""
		} else {
			publishAt = t
		}
	}
	if v := pf.Get("cover_media_id"); v != "" && pf.Get("remove_cover") == "" {
		id, ok := parseAdminID(v)
		if !ok {
			f.Errors["cover"] = "Ảnh đại diện không hợp lệ."
		} else if m, err := a.DB.MediaInfo(r.Context(), id); errors.Is(err, db.ErrNotFound) || err == nil && m.InTrash() && id != f.Article.CoverMediaID {
			f.Errors["cover"] = "Ảnh đại diện không còn trong thư viện."
		} else if err != nil {
			return db.ArticleInput{}, err
		} else {
			f.CoverMediaID = id
		}
	}
	if len(f.Errors) == 0 && r.MultipartForm != nil && len(r.MultipartForm.File["cover_file"]) > 0 {
		fh := r.MultipartForm.File["cover_file"][0]
		if fh.Size > 0 {
			m, err := a.storeUpload(r, u, fh)
			var ue *uploadError
			switch {
			case errors.As(err, &ue):
				f.Errors["cover"] = ue.Message
			case err != nil:
				return db.ArticleInput{}, err
			default:
				f.CoverMediaID = m.ID
			}
		}
	}
	return db.ArticleInput{Title: f.Title, Lead: f.Lead, BodyHTML: f.Body, Byline: f.Byline, CategoryID: f.CategoryID,
		Slug: f.Slug, CoverMediaID: f.CoverMediaID, CoverAlt: f.CoverAlt, PublishAt: publishAt,
		CommentsClosed: f.Closed, Tags: tags, SetTags: true}, nil
}

// parseArticleRequest reads the editor form, urlencoded or multipart (with a cover image).
func parseArticleRequest(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxArticleForm+maxUploadBytes)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &Error{Status: http.StatusRequestEntityTooLarge, Message: "Dữ liệu gửi lên vượt quá giới hạn cho phép."}
		}
		return errBadRequest("Dữ liệu biểu mẫu không hợp lệ.")
	}
	return nil
}

func (a *App) createArticle(w http.ResponseWriter, r *http.Request, u db.User) error {
	var f articleForm
	in, err := a.readArticleForm(w, r, u, &f)
	if err != nil {
		return err
	}
	if len(f.FormToken) > 64 {
		return errBadRequest("Biểu mẫu không hợp lệ.")
	}
	if len(f.Errors) > 0 {
		return a.renderArticleForm(w, r, http.StatusUnprocessableEntity, u, f)
	}
	id, created, err := a.DB.CreateDraft(r.Context(), adminActor(r, u), a.Now(), in, f.FormToken)
	if errors.Is(err, db.ErrUnknownSection) {
		f.Errors["category_id"] = "Chuyên mục không tồn tại."
		return a.renderArticleForm(w, r, http.StatusUnprocessableEntity, u, f)
	}
	if err != nil {
		return err
	}
	if created {
		a.flash(r, "Đã lưu bản nháp.")
	}
	adminSeeOther(w, r, views.AdminURL(views.AdminArticle, id))
	return nil
}

func (a *App) updateArticle(w http.ResponseWriter, r *http.Request, u db.User) error {
	art, err := a.loadArticle(r, u)
	if err != nil {
		return err
	}
	if !canEditArticle(u, art) {
		return errAdminForbidden()
	}
	f := articleForm{ID: art.ID, Article: art}
	in, err := a.readArticleForm(w, r, u, &f)
	if err != nil {
		return err
	}
	if f.Version == 0 {
		return errBadRequest("Biểu mẫu thiếu phiên bản của bài viết.")
	}
	if len(f.Errors) > 0 {
		return a.renderArticleForm(w, r, http.StatusUnprocessableEntity, u, f)
	}
	_, err = a.DB.UpdateArticle(r.Context(), adminActor(r, u), a.Now(), art.ID, f.Version, in, "")
	switch {
	case errors.Is(err, db.ErrStale):
		f.Stale = true
		if cur, err := a.DB.ArticleByID(r.Context(), art.ID); err == nil {
			f.StaleDiff = diffLines(append([]string{cur.Title}, htmlBlocks(cur.BodyHTML)...), append([]string{f.Title}, htmlBlocks(f.Body)...))
		}
		return a.renderArticleForm(w, r, http.StatusConflict, u, f)
	case errors.Is(err, db.ErrUnknownSection):
		f.Errors["category_id"] = "Chuyên mục không tồn tại."
		return a.renderArticleForm(w, r, http.StatusUnprocessableEntity, u, f)
	case err != nil:
		return err
	}
	a.flash(r, "Đã lưu.")
	adminSeeOther(w, r, views.AdminURL(views.AdminArticle, art.ID))
	return nil
}

func (a *App) transitionArticle(w http.ResponseWriter, r *http.Request, u db.User) error {
	art, err := a.loadArticle(r, u)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	to := r.PostFormValue("to")
	if statusLabels[to] == "" {
		return errBadRequest("Trạng thái không hợp lệ.")
	}
	if !canTransition(u, art, to) {
		return errAdminForbidden()
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || version < 1 {
		return errBadRequest("Phiên bản của biểu mẫu không hợp lệ.")
	}
	t := db.Transition{To: to, Note: vntext.NormalizeMultiline(r.PostFormValue("note"))}
	f := a.formFromArticle(art)
	if vntext.CharCount(t.Note) > maxReviewNote {
		f.Errors["note"] = fmt.Sprintf("Ghi chú tối đa %d ký tự.", maxReviewNote)
	}
	if to == db.StatusDraft && art.Status == db.StatusReview && t.Note == "" {
		f.Errors["note"] = "Vui lòng ghi lý do trả lại bài."
	}
	if to == db.StatusPublished && art.PublishAt.After(a.Now()) {
		t.PublishAt = art.PublishAt // the one publish-time field, saved with the article, schedules it
	}
	if s := strings.TrimSpace(r.PostFormValue("publish_at")); to == db.StatusPublished && s != "" {
		pt, err := time.ParseInLocation(dateTimeLocal, s, a.Views.Location())
		if err != nil || pt.Year() < 2000 || pt.Year() > 2100 {
			f.Errors["publish_at"] = "Thời gian đăng không hợp lệ (ngày/tháng/năm giờ:phút)."
		}
		t.PublishAt = pt
	}
	if len(f.Errors) > 0 {
		return a.renderArticleForm(w, r, http.StatusUnprocessableEntity, u, f)
	}
	err = a.DB.TransitionArticle(r.Context(), adminActor(r, u), a.Now(), art.ID, version, t)
	switch {
	case errors.Is(err, db.ErrStale):
		f.Stale = true
		return a.renderArticleForm(w, r, http.StatusConflict, u, f)
	case errors.Is(err, db.ErrBadTransition):
		return &Error{Status: http.StatusConflict, Message: "Không thể chuyển bài viết từ trạng thái «" +
			statusLabels[art.Status] + "» sang «" + statusLabels[to] + "»."}
	case err != nil:
		return err
	}
	msg := "Đã chuyển bài sang «" + statusLabels[to] + "»."
	if to == db.StatusPublished && t.PublishAt.After(a.Now()) {
		msg = "Đã hẹn giờ đăng bài lúc " + vntext.FormatDateTime(t.PublishAt.In(a.Views.Location())) + "."
	}
	a.flash(r, msg)
	adminSeeOther(w, r, views.AdminURL(views.AdminArticle, art.ID))
	return nil
}

// previewArticle shows the article in the public layout exactly as readers will see it.
func (a *App) previewArticle(w http.ResponseWriter, r *http.Request, u db.User) error {
	art, err := a.loadArticle(r, u)
	if err != nil {
		return err
	}
	if art.PublishAt.IsZero() {
		art.PublishAt = a.Now()
	}
	data := articlePage{Article: art, Views: art.Views}
	now := a.Now()
	if data.Newer, err = a.DB.NeighbourArticles(r.Context(), art, true, neighbourCount, now); err != nil {
		return err
	}
	if data.Older, err = a.DB.NeighbourArticles(r.Context(), art, false, neighbourCount, now); err != nil {
		return err
	}
	list, err := a.commentThread(r.Context(), art, db.SortNewest, 1)
	if err != nil {
		return err
	}
	// The comment form as readers get it, deferred: a preview must not create captchas.
	data.Comments = commentSection{
		List: list,
		Form: commentForm{ArticleID: art.ID, ArticlePath: views.ArticlePath(art), CaptchaOn: a.captchaOn(r.Context()), Deferred: true},
	}
	p := a.newPage(r, art.Title)
	p.Section = art.CategorySlug
	p.Description = art.Lead
	if err := a.withNav(r, &p); err != nil {
		return err
	}
	p.Main = data
	return a.render(w, http.StatusOK, "article", p)
}

// revisionsPage is the revisions page's data.
type revisionsPage struct {
	Article   db.Article
	Revisions []db.Revision
	Compare   *db.Revision
	TitleDiff []diffPart
	LeadDiff  []diffPart
	BodyDiff  []diffPart
	CanEdit   bool
}

func (a *App) articleRevisions(w http.ResponseWriter, r *http.Request, u db.User) error {
	art, err := a.loadArticle(r, u)
	if err != nil {
		return err
	}
	data := revisionsPage{Article: art, CanEdit: canEditArticle(u, art)}
	if data.Revisions, err = a.DB.Revisions(r.Context(), art.ID); err != nil {
		return err
	}
	if s := r.URL.Query().Get("rev"); s != "" {
		id, ok := parseAdminID(s)
		if !ok {
			return errBadRequest("Phiên bản không hợp lệ.")
		}
		rev, err := a.DB.RevisionByID(r.Context(), art.ID, id)
		if errors.Is(err, db.ErrNotFound) {
			return errNotFound()
		}
		if err != nil {
			return err
		}
		data.Compare = &rev
		data.TitleDiff = diffWords(rev.Title, art.Title)
		data.LeadDiff = diffWords(rev.Lead, art.Lead)
		data.BodyDiff = diffLines(htmlBlocks(rev.BodyHTML), htmlBlocks(art.BodyHTML))
	}
	return a.renderAdmin(w, r, http.StatusOK, "admin_article_revisions", "Lịch sử sửa: "+art.Title, "articles", u, data)
}

func (a *App) restoreRevision(w http.ResponseWriter, r *http.Request, u db.User) error {
	art, err := a.loadArticle(r, u)
	if err != nil {
		return err
	}
	if !canEditArticle(u, art) {
		return errAdminForbidden()
	}
	id, version, err := parseRestoreForm(w, r)
	if err != nil {
		return err
	}
	rev, err := a.DB.RevisionByID(r.Context(), art.ID, id)
	if errors.Is(err, db.ErrNotFound) {
		return errNotFound()
	}
	if err != nil {
		return err
	}
	in := db.ArticleInput{Title: rev.Title, Lead: rev.Lead, BodyHTML: a.sanitizeBody(rev.BodyHTML), Byline: rev.Byline,
		CategoryID: rev.CategoryID, Slug: art.Slug, CoverMediaID: art.CoverMediaID, CoverAlt: art.CoverAlt, PublishAt: art.PublishAt,
		CommentsClosed: art.CommentsClosed} // tags and comments stay as they are: a revision holds the text
	_, err = a.DB.UpdateArticle(r.Context(), adminActor(r, u), a.Now(), art.ID, version, in,
		"khôi phục phiên bản "+vntext.FormatDateTime(rev.CreatedAt.In(a.Views.Location())))
	if errors.Is(err, db.ErrStale) {
		return &Error{Status: http.StatusConflict, Message: "Bài viết vừa được người khác sửa. Hãy tải lại trang rồi thử lại."}
	}
	if errors.Is(err, db.ErrUnknownSection) {
		return &Error{Status: http.StatusConflict, Message: "Chuyên mục của phiên bản này không còn tồn tại."}
	}
	if err != nil {
		return err
	}
	a.flash(r, "Đã khôi phục phiên bản cũ.")
	adminSeeOther(w, r, views.AdminURL(views.AdminArticle, art.ID))
	return nil
}

// diffPart is a run of text that is the same, added or removed.
type diffPart struct {
	Op   string // "=", "+", "-"
	Text string
}

var blockBreak = regexp.MustCompile(`(?i)</?(p|div|h[1-6]|li|blockquote|figure|figcaption|tr|br|pre)\b[^>]*>`)

// htmlBlocks turns article HTML into its text, one block per line, for comparing.
func htmlBlocks(s string) []string {
	s = blockBreak.ReplaceAllString(s, "\n")
	s = html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, ""))
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

func diffWords(a, b string) []diffPart {
	parts := diffLines(strings.Fields(a), strings.Fields(b))
	for i := range parts {
		parts[i].Text += " "
	}
	return parts
}

// maxDiffCells bounds the comparison table: past it, the whole old and new texts are
// shown as removed and added.
const maxDiffCells = 4_000_000

// diffLines is a longest-common-subsequence diff of two lists of strings.
func diffLines(a, b []string) []diffPart {
	if (len(a)+1)*(len(b)+1) > maxDiffCells {
		var out []diffPart
		for _, s := range a {
			out = append(out, diffPart{"-", s})
		}
		for _, s := range b {
			out = append(out, diffPart{"+", s})
		}
		return out
	}
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []diffPart
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, diffPart{"=", a[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, diffPart{"-", a[i]})
			i++
		default:
			out = append(out, diffPart{"+", b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, diffPart{"-", a[i]})
	}
	for ; j < m; j++ {
		out = append(out, diffPart{"+", b[j]})
	}
	return out
}

// parseRestoreForm reads a revision-restore form (articles and static pages): the
// revision's id from the path and the version of the edited text the form was built on.
func parseRestoreForm(w http.ResponseWriter, r *http.Request) (revID int64, version int, err error) {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return 0, 0, err
	}
	id, ok := parseAdminID(r.PathValue("rev"))
	if !ok {
		return 0, 0, errNotFound()
	}
	version, err = strconv.Atoi(r.PostFormValue("version"))
	if err != nil || version < 1 {
		return 0, 0, errBadRequest("Phiên bản của biểu mẫu không hợp lệ.")
	}
	return id, version, nil
}
