package db

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// contentFixture is a database with one section and a few articles.
type contentFixture struct {
	d   *DB
	ctx context.Context
	now time.Time
	cat int64
	by  Actor
}

func newContentFixture(t *testing.T) *contentFixture {
	t.Helper()
	d := openTest(t)
	// Real bcrypt at its cheapest (TestPasswordsHashAtProductionCost checks the default):
	// at the production cost, the fixture's account was a fifth of this package's CPU time.
	d.SetPasswordCost(bcrypt.MinCost)
	ctx := context.Background()
	cat, err := d.CreateCategory(ctx, Category{Slug: "thoi-su", Name: "Thời sự"})
	if err != nil {
		t.Fatal(err)
	}
	uid, err := d.CreateUser(ctx, Actor{UserName: "test"}, time.Now(), NewUser{Name: "bientap", DisplayName: "Biên tập",
		Role: RoleEditor, Password: "mat-khau-dai-du-12"})
	if err != nil {
		t.Fatal(err)
	}
	return &contentFixture{d: d, ctx: ctx, now: time.Date(2026, 11, 2, 3, 4, 5, 0, time.UTC), cat: cat,
		by: Actor{UserID: uid, UserName: "bientap", IP: "192.0.2.1"}}
}

func (f *contentFixture) article(t *testing.T, title, status string, ago time.Duration) int64 {
	t.Helper()
	id, err := f.d.CreateArticle(f.ctx, Article{Title: title, CategoryID: f.cat, Status: status,
		PublishAt: f.now.Add(-ago), BodyHTML: "<p>" + title + "</p>"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *contentFixture) auditCount(t *testing.T, action string) int {
	t.Helper()
	_, n, err := f.d.AuditLog(f.ctx, AuditQuery{Action: action, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTagsOnArticlesAndPublicPages(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	a := f.article(t, "Cầu Long Biên", StatusPublished, 3*time.Hour)
	b := f.article(t, "Phố cổ", StatusPublished, 2*time.Hour)
	c := f.article(t, "Bản nháp", StatusDraft, time.Hour)
	// NFD spelling and upper case are the same tag as the NFC one.
	nfd := "Ha\u0300 No\u0323\u0302i"
	if err := f.d.SetArticleTags(f.ctx, f.by, f.now, a, []string{"Hà Nội", "Giao thông"}); err != nil {
		t.Fatal(err)
	}
	if err := f.d.SetArticleTags(f.ctx, f.by, f.now, b, []string{nfd}); err != nil {
		t.Fatal(err)
	}
	if err := f.d.SetArticleTags(f.ctx, f.by, f.now, c, []string{"HÀ NỘI"}); err != nil {
		t.Fatal(err)
	}
	tags, err := f.d.Tags(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 2 || tags[0].Name != "Giao thông" || tags[1].Name != "Hà Nội" || tags[1].Articles != 3 {
		t.Fatalf("tags %+v", tags)
	}
	got, err := f.d.ArticleTags(f.ctx, a)
	if err != nil || len(got) != 2 || got[0].Slug != "ha-noi" || got[1].Slug != "giao-thong" {
		t.Fatalf("article tags in typed order: %+v %v", got, err)
	}
	hn, err := f.d.TagBySlug(f.ctx, "ha-noi")
	if err != nil {
		t.Fatal(err)
	}
	list, err := f.d.PublicTagArticles(f.ctx, hn.ID, 10, 0, f.now)
	if err != nil || len(list) != 2 || list[0].ID != b || list[1].ID != a {
		t.Fatalf("public tag articles (drafts left out, newest first): %+v %v", list, err)
	}
	if n := must(f.d.CountPublicTagArticles(f.ctx, hn.ID, f.now)); n != 2 {
		t.Errorf("count %d", n)
	}
	sm, err := f.d.SitemapTags(f.ctx, f.now)
	if err != nil || len(sm) != 2 {
		t.Errorf("sitemap tags %+v %v", sm, err)
	}
	if f.auditCount(t, "article.tags") != 3 {
		t.Errorf("tag changes not audited")
	}
	// Setting the same tags again writes no audit line.
	f.d.SetArticleTags(f.ctx, f.by, f.now, a, []string{"hà nội", "Giao thông"})
	if f.auditCount(t, "article.tags") != 3 {
		t.Errorf("unchanged tags audited")
	}
	// Too many or unknown article.
	many := make([]string, MaxTagsOfArticle+1)
	for i := range many {
		many[i] = "chủ đề " + string(rune('a'+i))
	}
	if err := f.d.SetArticleTags(f.ctx, f.by, f.now, a, many); !errors.Is(err, ErrTooManyTags) {
		t.Errorf("too many tags: %v", err)
	}
	if err := f.d.SetArticleTags(f.ctx, f.by, f.now, 9999, []string{"x"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown article: %v", err)
	}
	if s := must(f.d.TagsByPrefix(f.ctx, "HA N", 5)); len(s) != 1 || s[0].Name != "Hà Nội" {
		t.Errorf("prefix suggestions %+v", s)
	}
}

func TestTagRenameRedirectAndDelete(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	id, err := f.d.CreateTag(f.ctx, f.by, f.now, "  Giao   thông ")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.CreateTag(f.ctx, f.by, f.now, "GIAO THÔNG"); !errors.Is(err, ErrDuplicateTag) {
		t.Errorf("duplicate slug: %v", err)
	}
	for _, bad := range []string{"", "   ", "!!!", strings.Repeat("á", MaxTagName+1)} {
		if _, err := f.d.CreateTag(f.ctx, f.by, f.now, bad); !errors.Is(err, ErrBadTagName) {
			t.Errorf("bad name %q: %v", bad, err)
		}
	}
	if err := f.d.RenameTag(f.ctx, f.by, f.now, id, "Giao thông đô thị"); err != nil {
		t.Fatal(err)
	}
	if s, err := f.d.TagRedirect(f.ctx, "giao-thong"); err != nil || s != "giao-thong-do-thi" {
		t.Errorf("redirect %q %v", s, err)
	}
	// Typing the old name on an article finds the renamed tag, not a new one.
	a := f.article(t, "Bài", StatusPublished, time.Hour)
	if err := f.d.SetArticleTags(f.ctx, f.by, f.now, a, []string{"Giao thông"}); err != nil {
		t.Fatal(err)
	}
	if tags := must(f.d.Tags(f.ctx)); len(tags) != 1 || tags[0].Articles != 1 {
		t.Errorf("old name made a new tag: %+v", tags)
	}
	if _, err := f.d.CreateTag(f.ctx, f.by, f.now, "Giao thông"); !errors.Is(err, ErrDuplicateTag) {
		t.Errorf("an old slug is taken too: %v", err)
	}
	if err := f.d.DeleteTag(f.ctx, f.by, f.now, id); err != nil {
		t.Fatal(err)
	}
	if tags := must(f.d.ArticleTags(f.ctx, a)); len(tags) != 0 {
		t.Errorf("deleted tag still on article")
	}
	if err := f.d.DeleteTag(f.ctx, f.by, f.now, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	for _, act := range []string{"tag.create", "tag.rename", "tag.delete"} {
		if f.auditCount(t, act) != 1 {
			t.Errorf("%s not audited", act)
		}
	}
}

func TestRelatedArticlesSharedTagsThenSection(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	main := f.article(t, "Chính", StatusPublished, 10*time.Hour)
	two := f.article(t, "Hai chủ đề chung", StatusPublished, 9*time.Hour)
	one := f.article(t, "Một chủ đề chung", StatusPublished, 2*time.Hour)
	sec := f.article(t, "Cùng chuyên mục", StatusPublished, time.Hour)
	draft := f.article(t, "Nháp chung chủ đề", StatusDraft, time.Hour)
	f.d.SetArticleTags(f.ctx, f.by, f.now, main, []string{"a", "b"})
	f.d.SetArticleTags(f.ctx, f.by, f.now, two, []string{"a", "b"})
	f.d.SetArticleTags(f.ctx, f.by, f.now, one, []string{"b"})
	f.d.SetArticleTags(f.ctx, f.by, f.now, draft, []string{"a", "b"})
	art := must(f.d.ArticleByID(f.ctx, main))
	rel, err := f.d.RelatedArticles(f.ctx, art, 5, f.now)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range rel {
		ids = append(ids, r.ID)
	}
	if len(ids) != 3 || ids[0] != two || ids[1] != one || ids[2] != sec {
		t.Errorf("related %v, want [%d %d %d]", ids, two, one, sec)
	}
}

func TestPagesRevisionsAndPlacement(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	id, err := f.d.CreatePage(f.ctx, f.by, f.now, PageInput{Title: "Giới thiệu", BodyHTML: "<p>Tòa soạn</p>",
		Status: PagePublished, Placement: PlaceFooter})
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.d.PublicPage(f.ctx, "gioi-thieu")
	if err != nil || p.ID != id || p.BodyHTML != "<p>Tòa soạn</p>" {
		t.Fatalf("public page %+v %v", p, err)
	}
	if _, err := f.d.CreatePage(f.ctx, f.by, f.now, PageInput{Title: "Giới thiệu"}); !errors.Is(err, ErrDuplicatePage) {
		t.Errorf("duplicate slug: %v", err)
	}
	draft, err := f.d.CreatePage(f.ctx, f.by, f.now, PageInput{Title: "Liên hệ", Placement: "bogus"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.PublicPage(f.ctx, "lien-he"); !errors.Is(err, ErrNotFound) {
		t.Errorf("draft page public: %v", err)
	}
	if dp := must(f.d.PageByID(f.ctx, draft)); dp.Placement != PlaceNone || dp.Status != PageDraft {
		t.Errorf("defaults %+v", dp)
	}
	footer := must(f.d.LinkedPages(f.ctx))
	if len(footer) != 1 || footer[0].ID != id || footer[0].Placement != PlaceFooter {
		t.Errorf("footer pages %+v", footer)
	}
	v, err := f.d.UpdatePage(f.ctx, f.by, f.now, id, 1, PageInput{Title: "Giới thiệu", Slug: "gioi-thieu",
		BodyHTML: "<p>Tòa soạn mới</p>", Status: PagePublished, Placement: PlaceMenu}, "sửa")
	if err != nil || v != 2 {
		t.Fatalf("update %d %v", v, err)
	}
	if _, err := f.d.UpdatePage(f.ctx, f.by, f.now, id, 1, PageInput{Title: "Khác"}, ""); !errors.Is(err, ErrStale) {
		t.Errorf("stale edit: %v", err)
	}
	revs, err := f.d.PageRevisions(f.ctx, id)
	if err != nil || len(revs) != 2 || revs[0].Note != "sửa" || revs[0].EditorName != "Biên tập" {
		t.Fatalf("revisions %+v %v", revs, err)
	}
	old, err := f.d.PageRevisionByID(f.ctx, id, revs[1].ID)
	if err != nil || old.BodyHTML != "<p>Tòa soạn</p>" {
		t.Errorf("old revision %+v %v", old, err)
	}
	if menu := must(f.d.LinkedPages(f.ctx)); len(menu) != 1 || menu[0].Placement != PlaceMenu {
		t.Errorf("menu pages %+v", menu)
	}
	if err := f.d.DeletePage(f.ctx, f.by, f.now, draft); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.PageByID(f.ctx, draft); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted page: %v", err)
	}
	for _, act := range []string{"page.create", "page.update", "page.delete"} {
		if f.auditCount(t, act) == 0 {
			t.Errorf("%s not audited", act)
		}
	}
}

func TestFeaturedOrder(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	a := f.article(t, "A", StatusPublished, time.Hour)
	b := f.article(t, "B", StatusPublished, time.Hour)
	c := f.article(t, "C", StatusPublished, -time.Hour) // scheduled: waits in place
	for _, id := range []int64{a, b, c} {
		if err := f.d.FeatureArticle(f.ctx, f.by, f.now, id, false); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(list []Article) (out []int64) {
		for _, x := range list {
			out = append(out, x.ID)
		}
		return out
	}
	if got := ids(must(f.d.FeaturedArticles(f.ctx, f.now))); len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("public featured %v", got)
	}
	if err := f.d.FeatureArticle(f.ctx, f.by, f.now, b, true); err != nil {
		t.Fatal(err)
	}
	if got := ids(must(f.d.FeaturedForAdmin(f.ctx))); len(got) != 3 || got[0] != b || got[1] != a || got[2] != c {
		t.Errorf("lead moved first: %v", got)
	}
	if err := f.d.MoveFeatured(f.ctx, f.by, f.now, c, true); err != nil {
		t.Fatal(err)
	}
	if got := ids(must(f.d.FeaturedForAdmin(f.ctx))); got[1] != c {
		t.Errorf("moved up: %v", got)
	}
	if err := f.d.UnfeatureArticle(f.ctx, f.by, f.now, b); err != nil {
		t.Fatal(err)
	}
	if got := ids(must(f.d.FeaturedForAdmin(f.ctx))); len(got) != 2 || got[0] != c {
		t.Errorf("after unpin: %v", got)
	}
	if err := f.d.MoveFeatured(f.ctx, f.by, f.now, b, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("move unpinned: %v", err)
	}
	// Imports pin sticky posts after the others.
	err := f.d.InBulk(f.ctx, func(bk *Bulk) error {
		if err := bk.FeatureArticle(b); err != nil {
			return err
		}
		return bk.FeatureArticle(b) // twice: once
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(must(f.d.FeaturedForAdmin(f.ctx))); len(got) != 3 || got[2] != b {
		t.Errorf("bulk pin: %v", got)
	}
	if f.auditCount(t, "article.feature") == 0 || f.auditCount(t, "article.unfeature") != 1 {
		t.Errorf("featured changes not audited")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestTrashRestorePurge(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	a := f.article(t, "Chất độc da cam", StatusPublished, time.Hour)
	f.d.FeatureArticle(f.ctx, f.by, f.now, a, true)
	if err := f.d.DeleteArticle(f.ctx, f.by, f.now, a); !errors.Is(err, ErrNotTrashed) {
		t.Errorf("delete outside trash: %v", err)
	}
	if err := f.d.TrashArticle(f.ctx, f.by, f.now, a); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.PublicArticle(f.ctx, a, f.now); !errors.Is(err, ErrNotFound) {
		t.Errorf("trashed article public: %v", err)
	}
	if res := must(f.d.Search(f.ctx, SearchParams{Query: ParseSearchQuery("chat doc"), Limit: 10}, f.now)); len(res.Hits) != 0 {
		t.Errorf("trashed article found by search")
	}
	if sm := must(f.d.SitemapArticles(f.ctx, f.now, 10, 0)); len(sm) != 0 {
		t.Errorf("trashed article in sitemap")
	}
	if fe := must(f.d.FeaturedForAdmin(f.ctx)); len(fe) != 0 {
		t.Errorf("trashed article still featured")
	}
	list, n, err := f.d.AdminArticles(f.ctx, AdminArticleQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 || len(list) != 0 {
		t.Errorf("trashed article in the article list")
	}
	list, n, err = f.d.AdminArticles(f.ctx, AdminArticleQuery{Trash: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || list[0].TrashedAt.IsZero() {
		t.Errorf("trash list %d", n)
	}
	counts := must(f.d.ArticleStatusCounts(f.ctx, 0, time.Now()))
	if counts["trash"] != 1 || counts[StatusArchived] != 0 {
		t.Errorf("counts %v", counts)
	}
	art := must(f.d.ArticleByID(f.ctx, a))
	if _, err := f.d.UpdateArticle(f.ctx, f.by, f.now, a, art.Version, ArticleInput{Title: "x", CategoryID: f.cat}, ""); !errors.Is(err, ErrTrashed) {
		t.Errorf("edit in trash: %v", err)
	}
	if err := f.d.TransitionArticle(f.ctx, f.by, f.now, a, art.Version, Transition{To: StatusDraft}); !errors.Is(err, ErrTrashed) {
		t.Errorf("transition in trash: %v", err)
	}
	if err := f.d.RestoreArticle(f.ctx, f.by, f.now, a); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.PublicArticle(f.ctx, a, f.now); err != nil {
		t.Errorf("restored article not public again: %v", err)
	}
	// Purge: 30 days after trashing, not a second before.
	f.d.TrashArticle(f.ctx, f.by, f.now, a)
	keep := f.article(t, "Mới vào thùng rác", StatusDraft, 0)
	f.d.TrashArticle(f.ctx, f.by, f.now.Add(time.Hour), keep)
	if _, err := f.d.InsertComment(f.ctx, Comment{ArticleID: a, Name: "Bạn đọc", Title: "t", Body: "b", Status: CommentApproved, CreatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	n2, err := f.d.PurgeTrash(f.ctx, Actor{UserName: "system"}, f.now.Add(TrashRetention-time.Second))
	if err != nil || n2 != 0 {
		t.Fatalf("early purge %d %v", n2, err)
	}
	n2, err = f.d.PurgeTrash(f.ctx, Actor{UserName: "system"}, f.now.Add(TrashRetention))
	if err != nil || n2 != 1 {
		t.Fatalf("purge %d %v", n2, err)
	}
	if _, err := f.d.ArticleByID(f.ctx, a); !errors.Is(err, ErrNotFound) {
		t.Errorf("purged article remains: %v", err)
	}
	if _, err := f.d.ArticleByID(f.ctx, keep); err != nil {
		t.Errorf("younger trash purged: %v", err)
	}
	var fts int
	if err := f.d.r.QueryRow(`SELECT count(*) FROM articles_fts WHERE rowid = ?`, a).Scan(&fts); err != nil || fts != 0 {
		t.Errorf("search row left: %d %v", fts, err)
	}
	if f.auditCount(t, "article.purge") != 1 || f.auditCount(t, "article.trash") != 3 || f.auditCount(t, "article.restore") != 1 {
		t.Errorf("trash not audited")
	}
	if err := f.d.DeleteArticle(f.ctx, f.by, f.now, keep); err != nil {
		t.Errorf("permanent delete: %v", err)
	}
}

func TestBulkArticles(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	other := must(f.d.CreateCategory(f.ctx, Category{Slug: "kinh-te", Name: "Kinh tế"}))
	draft := f.article(t, "Nháp", StatusDraft, 0)
	review := f.article(t, "Chờ duyệt", StatusReview, 0)
	pub := f.article(t, "Đã đăng", StatusPublished, time.Hour)
	later := must(f.d.CreateArticle(f.ctx, Article{Title: "Hẹn giờ", CategoryID: f.cat, Status: StatusDraft, PublishAt: f.now.Add(time.Hour)}))
	res, err := f.d.BulkArticles(f.ctx, f.by, f.now, []int64{draft, review, pub, later, 9999, draft}, BulkPublish, 0)
	if err != nil || res.Done != 3 || res.Skipped != 2 {
		t.Fatalf("publish %+v %v", res, err)
	}
	if a := must(f.d.ArticleByID(f.ctx, later)); !a.PublishAt.Equal(f.now.Add(time.Hour)) || a.IsPublic(f.now) {
		t.Errorf("a future time must stay scheduled: %v", a.PublishAt)
	}
	if a := must(f.d.PublicArticle(f.ctx, draft, f.now)); a.ID != draft {
		t.Errorf("bulk published draft not public")
	}
	res, err = f.d.BulkArticles(f.ctx, f.by, f.now, []int64{draft, pub}, BulkMove, other)
	if err != nil || res.Done != 2 {
		t.Fatalf("move %+v %v", res, err)
	}
	if _, err := f.d.BulkArticles(f.ctx, f.by, f.now, []int64{draft}, BulkMove, 9999); !errors.Is(err, ErrUnknownSection) {
		t.Errorf("move to unknown section: %v", err)
	}
	res = must(f.d.BulkArticles(f.ctx, f.by, f.now, []int64{draft, review}, BulkUnpublish, 0))
	if res.Done != 2 {
		t.Errorf("unpublish %+v", res)
	}
	res = must(f.d.BulkArticles(f.ctx, f.by, f.now, []int64{draft, pub}, BulkTrash, 0))
	if res.Done != 2 {
		t.Errorf("trash %+v", res)
	}
	res = must(f.d.BulkArticles(f.ctx, f.by, f.now, []int64{draft}, BulkPublish, 0))
	if res.Done != 0 || res.Skipped != 1 {
		t.Errorf("trashed article published in bulk: %+v", res)
	}
	if f.auditCount(t, "article.move") != 2 || f.auditCount(t, "article.trash") != 2 {
		t.Errorf("bulk not audited per article")
	}
}

func TestArticleInputCarriesTagsAndClosedComments(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	id, _, err := f.d.CreateDraft(f.ctx, f.by, f.now, ArticleInput{Title: "Có chủ đề", CategoryID: f.cat,
		Tags: []string{"Hà Nội", "Môi trường"}, SetTags: true, CommentsClosed: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	art := must(f.d.ArticleByID(f.ctx, id))
	if tags := must(f.d.ArticleTags(f.ctx, id)); len(tags) != 2 || !art.CommentsClosed {
		t.Fatalf("create: tags %+v closed %v", tags, art.CommentsClosed)
	}
	in := ArticleInput{Title: art.Title, Slug: art.Slug, CategoryID: f.cat, Tags: []string{"Môi trường"}, SetTags: true}
	if _, err := f.d.UpdateArticle(f.ctx, f.by, f.now, id, art.Version, in, ""); err != nil {
		t.Fatal(err)
	}
	art2 := must(f.d.ArticleByID(f.ctx, id))
	if tags := must(f.d.ArticleTags(f.ctx, id)); len(tags) != 1 || art2.CommentsClosed || art2.Version != art.Version+1 {
		t.Fatalf("update: tags %+v closed %v", tags, art2.CommentsClosed)
	}
	// A restored revision (SetTags false) leaves the tags alone.
	in.SetTags, in.Tags, in.Lead = false, nil, "sapo"
	if _, err := f.d.UpdateArticle(f.ctx, f.by, f.now, id, art2.Version, in, ""); err != nil {
		t.Fatal(err)
	}
	if tags := must(f.d.ArticleTags(f.ctx, id)); len(tags) != 1 {
		t.Errorf("tags lost: %+v", tags)
	}
	entries, _, err := f.d.AuditLog(f.ctx, AuditQuery{Action: "article.update", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || !strings.Contains(entries[1].Detail, "chủ đề: Hà Nội, Môi trường → Môi trường") ||
		!strings.Contains(entries[1].Detail, "mở bình luận") {
		t.Errorf("audit %+v", entries)
	}
}

// TestReaderCommentsOnlyOnPublicArticles: the post's transaction checks the article is
// public at the comment's time, whatever the handler read a moment before (a draft, a
// scheduled article, one trashed meanwhile are ErrNotFound; nothing is stored).
func TestReaderCommentsOnlyOnPublicArticles(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	post := func(id int64) error {
		_, err := f.d.PostReaderComment(f.ctx, Comment{ArticleID: id, Name: "Bạn đọc", Title: "t", Body: "b",
			Status: CommentPending, CreatedAt: f.now}, ReaderCommentOptions{})
		return err
	}
	published := f.article(t, "Đã đăng", StatusPublished, time.Hour)
	trashed := f.article(t, "Đã xoá", StatusPublished, time.Hour)
	if err := f.d.TrashArticle(f.ctx, f.by, f.now, trashed); err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]int64{
		"draft":     f.article(t, "Nháp", StatusDraft, time.Hour),
		"scheduled": f.article(t, "Hẹn giờ", StatusPublished, -time.Hour),
		"trashed":   trashed,
		"missing":   published + 1000,
	} {
		if err := post(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
	if err := post(published); err != nil {
		t.Errorf("published: %v", err)
	}
	var n int
	if err := f.d.Reader().QueryRow(`SELECT count(*) FROM comments`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d comments stored (%v), want the published article's one", n, err)
	}
}

// TestSpentFormTokensAreForgotten: a spent token is refused a second time while it could
// still be accepted, and forgotten once it has expired, so the table does not grow with
// every post ever made.
func TestSpentFormTokensAreForgotten(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	id := f.article(t, "Bài", StatusPublished, time.Hour)
	post := func(at time.Time, token, body string) error {
		_, err := f.d.PostReaderComment(f.ctx, Comment{ArticleID: id, Name: "Bạn đọc", Title: "t", Body: body,
			Status: CommentPending, CreatedAt: at}, ReaderCommentOptions{FormToken: []byte(token), FormTokenExpires: at.Add(time.Hour)})
		return err
	}
	tokens := func() (n int) {
		if err := f.d.Reader().QueryRow(`SELECT count(*) FROM used_form_tokens`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := post(f.now, "token-a", "một"); err != nil {
		t.Fatal(err)
	}
	if err := post(f.now.Add(time.Minute), "token-a", "hai"); !errors.Is(err, ErrFormTokenUsed) {
		t.Errorf("a spent token again: %v", err)
	}
	if err := post(f.now.Add(time.Minute), "token-b", "ba"); err != nil || tokens() != 2 {
		t.Fatalf("second token: %v, %d kept", err, tokens())
	}
	if err := post(f.now.Add(2*time.Hour), "token-c", "bốn"); err != nil {
		t.Fatal(err)
	}
	if n := tokens(); n != 1 {
		t.Errorf("%d spent tokens kept two hours on, want only the newest", n)
	}
}

func TestCommentsClosedAndProfile(t *testing.T) {
	t.Parallel()
	f := newContentFixture(t)
	a := f.article(t, "Bài", StatusPublished, time.Hour)
	if err := f.d.SetCommentsClosed(f.ctx, f.by, f.now, a, true); err != nil {
		t.Fatal(err)
	}
	if art := must(f.d.PublicArticle(f.ctx, a, f.now)); !art.CommentsClosed {
		t.Errorf("comments not closed")
	}
	if f.auditCount(t, "article.comments_close") != 1 {
		t.Errorf("not audited")
	}
	_, err := f.d.PostReaderComment(f.ctx, Comment{ArticleID: a, Name: "Bạn đọc", Title: "t", Body: "b",
		Status: CommentPending, CreatedAt: f.now}, ReaderCommentOptions{})
	if !errors.Is(err, ErrCommentsClosed) {
		t.Errorf("comment on a closed article: %v", err)
	}

	if err := f.d.UpdateDisplayName(f.ctx, f.by, f.now, f.by.UserID, "Nguye\u0302\u0303n Văn A"); err != nil {
		t.Fatal(err)
	}
	u := must(f.d.UserByID(f.ctx, f.by.UserID))
	if u.DisplayName != "Nguyễn Văn A" {
		t.Errorf("display name not NFC: %q", u.DisplayName)
	}
	if err := f.d.UpdateDisplayName(f.ctx, f.by, f.now, f.by.UserID, strings.Repeat("a", MaxDisplayName+1)); !errors.Is(err, ErrBadDisplayName) {
		t.Errorf("long name: %v", err)
	}
	if _, err := f.d.ChangeOwnPassword(f.ctx, f.by, f.now, f.by.UserID, "sai-mat-khau-roi", "mat-khau-moi-dai-du"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("wrong current password: %v", err)
	}
	if _, err := f.d.ChangeOwnPassword(f.ctx, f.by, f.now, f.by.UserID, "mat-khau-dai-du-12", "ngan"); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("weak new password: %v", err)
	}
	gen, err := f.d.ChangeOwnPassword(f.ctx, f.by, f.now, f.by.UserID, "mat-khau-dai-du-12", "mat-khau-moi-dai-du")
	if err != nil || gen != u.SessionGen+1 {
		t.Fatalf("change %d %v", gen, err)
	}
	if _, err := f.d.Authenticate(f.ctx, "bientap", "mat-khau-moi-dai-du"); err != nil {
		t.Errorf("new password refused: %v", err)
	}
	if f.auditCount(t, "user.password_own") != 1 || f.auditCount(t, "user.profile") != 1 {
		t.Errorf("profile not audited")
	}
}

// TestCommentBlockedAnswersFollowBlocks: CommentBlocked keeps its answers a second. A
// block or unblock through this DB is seen at once; one made by another process (the
// command line) within the second. (The cache's own rules: internal/briefcache.)
func TestCommentBlockedAnswersFollowBlocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	d := openAt(t, dir)
	now := time.Date(2026, 11, 2, 3, 4, 5, 0, time.UTC)
	by := Actor{UserName: "kiemduyet"}
	blocked := func(ip, phone string, at time.Time) bool {
		t.Helper()
		b, err := d.CommentBlocked(ctx, ip, phone, at)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if blocked("198.51.100.7", "0912345678", now) {
		t.Fatal("blocked before any block")
	}
	if err := d.BlockCommenter(ctx, by, now, BlockIP, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if !blocked("198.51.100.7", "0912345678", now) {
		t.Error("a block through this DB not seen at once")
	}
	if err := d.UnblockCommenter(ctx, by, now, BlockIP, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if blocked("198.51.100.7", "0912345678", now) {
		t.Error("an unblock through this DB not seen at once")
	}

	other := openAt(t, dir)
	if err := other.BlockCommenter(ctx, by, now, BlockPhone, "0912345678"); err != nil {
		t.Fatal(err)
	}
	if !blocked("203.0.113.9", "0912345678", now) {
		t.Error("a sender not asked about before: the other process's block not read")
	}
	if !blocked("198.51.100.7", "0912345678", now.Add(blockVerdictTTL)) {
		t.Error("another process's block not seen a second later")
	}
}
