package wxr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"toasoan/db"
	"toasoan/internal/sanitize"
	"toasoan/internal/vntext"
)

// Options tune an import.
type Options struct {
	Location       *time.Location // zone of WordPress's local dates when a GMT date is missing
	MaxRecordBytes int64          // 0: DefaultMaxRecordBytes
	BatchSize      int            // items per transaction; 0: 200
	// UploadsDir is a copy of the old site's wp-content/uploads: the pictures posts use
	// are brought into the media library. "" leaves images at their old addresses.
	UploadsDir string
	// Progress is called after each item with the items done and the total.
	Progress func(done, total int)
}

// Summary is what the checking first pass found in the file.
type Summary struct {
	Authors, Categories, Tags, Items, Posts, Comments int
	Version, BaseSiteURL                              string
}

// Counts is what an import did, and what it left out, by kind.
type Counts struct {
	Authors, Sections, Articles, Comments int // created
	Tags, Pages, Featured, Closed         int // tags, static pages; sticky posts featured; posts with comments closed
	AlreadyThere                          int // posts and comments of an earlier run, skipped
	Protected                             int // password-protected posts, imported as drafts
	PendingUnknown                        int // comments without comment_approved, held for moderation
	// Left is what was not imported, by kind ("pages", "tags", …), with counts.
	Left map[string]int
	// Shortcodes are unknown shortcodes left as text in bodies, by name.
	Shortcodes map[string]int
	Images     ImageCounts
}

// ImageCounts says what became of the pictures of imported posts.
type ImageCounts struct {
	Stored    int // distinct pictures brought into the media library
	Rewritten int // <img> and covers pointing at the library
	Missing   int // pictures not found (or refused) in the uploads copy: left at their URL
	OldHost   int // <img> left pointing at the old site's host
	Elsewhere int // <img> on other hosts
}

func (c *Counts) left(kind string, n int) {
	if n <= 0 {
		return
	}
	if c.Left == nil {
		c.Left = map[string]int{}
	}
	c.Left[kind] += n
}

// attachment is what the import keeps of a WordPress attachment.
type attachment struct {
	url, alt, caption, parent string
}

// plan is what the first pass learns that the second needs before it meets it: the
// attachments (posts name them by id, often before the attachment's own item).
type plan struct {
	attachments map[string]attachment
	children    map[string][]string // attachment ids by parent post, in file order
	baseURL     string
	refs        refs
}

// childrenOf lists the attachments of a post: what [gallery] without ids shows.
func (p *plan) childrenOf(postID string) []string { return p.children[strings.TrimSpace(postID)] }

func (p *plan) attachment(id string) (string, string, string, bool) {
	a, ok := p.attachments[strings.TrimSpace(id)]
	return a.url, a.alt, a.caption, ok
}

// Scan reads the whole file once without touching the database: it proves the file is a
// well-formed WordPress export that the import will accept whole (so an import never
// stops half-way on a bad file) and counts what is in it, for the progress bar.
func Scan(r io.Reader, maxRecord int64) (Summary, error) {
	s, _, err := scan(r, maxRecord)
	return s, err
}

func scan(r io.Reader, maxRecord int64) (Summary, *plan, error) {
	var s Summary
	p := &plan{attachments: map[string]attachment{}, children: map[string][]string{},
		refs: refs{attachments: map[string]bool{}, srcs: map[string]bool{}, galleries: map[string]bool{}}}
	rd := NewReader(r, maxRecord)
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			s.Version, s.BaseSiteURL = rd.Version, rd.BaseSiteURL
			p.baseURL = rd.BaseSiteURL
			if p.baseURL == "" {
				p.baseURL = rd.BaseBlogURL
			}
			return s, p, nil
		}
		if err != nil {
			return s, p, err
		}
		switch {
		case rec.Author != nil:
			s.Authors++
		case rec.Category != nil:
			s.Categories++
		case rec.Tag != nil:
			s.Tags++
		case rec.Item != nil:
			it := rec.Item
			s.Items++
			if err := check(it); err != nil {
				return s, p, &Error{Line: it.Line, Msg: fmt.Sprintf("post %q: %v", it.Title, err)}
			}
			switch strings.TrimSpace(it.PostType) {
			case "post":
				s.Posts++
				s.Comments += len(it.Comments)
				p.refs.note(it)
			case "attachment":
				id, parent := strings.TrimSpace(it.PostID), strings.TrimSpace(it.PostParent)
				p.attachments[id] = attachment{
					url:     strings.TrimSpace(it.AttachmentURL),
					alt:     sanitize.PlainText(it.MetaValue("_wp_attachment_image_alt")),
					caption: sanitize.PlainText(it.Excerpt()),
					parent:  parent,
				}
				if parent != "" && parent != "0" {
					p.children[parent] = append(p.children[parent], id)
				}
			}
		}
	}
}

// check refuses what the import could not take from an item: everything the import
// would stop on is found here, before anything is written.
func check(it *Item) error {
	if strings.TrimSpace(it.PostType) != "post" || postStatus[strings.TrimSpace(it.Status)] == "" {
		return nil
	}
	// An empty id is imported, as WordPress does (recognised on a rerun by its title and
	// date); anything else that is not a number is a broken file.
	if id := strings.TrimSpace(it.PostID); id != "" {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return fmt.Errorf("wp:post_id %q is not a number", id)
		}
	}
	return nil
}

// ImportFile imports the WXR file at path into d: Scan first (a bad file changes
// nothing), then the pictures posts use (with UploadsDir), then the records in
// transactions of BatchSize items. WordPress ids are recorded with the rows, so running
// it again — after success, or after an interruption half-way — adds only what is
// missing. Counts are what committed transactions did.
func ImportFile(ctx context.Context, d *db.DB, path string, opts Options) (Summary, Counts, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, Counts{}, err
	}
	defer f.Close()
	sum, pl, err := scan(f, opts.MaxRecordBytes)
	if err != nil {
		return sum, Counts{}, err
	}
	if sum.Items == 0 && sum.Categories == 0 && sum.Tags == 0 && sum.Authors == 0 {
		return sum, Counts{}, &Error{Msg: "the export holds no posts, categories, tags or authors"}
	}
	im := &importer{opts: opts, plan: pl, authors: map[string]author{}, sections: map[string]int64{}}
	if im.opts.Location == nil {
		im.opts.Location = time.UTC
	}
	if im.opts.BatchSize <= 0 {
		im.opts.BatchSize = 200
	}
	if u, err := url.Parse(pl.baseURL); err == nil {
		im.oldHost = strings.ToLower(u.Hostname())
	}
	if opts.UploadsDir != "" {
		if im.media, err = newMediaImporter(ctx, d, opts.UploadsDir, pl, &pl.refs, im.absolute); err != nil {
			return sum, Counts{}, err
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return sum, Counts{}, err
	}
	rd := NewReader(f, opts.MaxRecordBytes)
	done, eof := 0, false
	committed := im.counts
	for !eof {
		err := d.InBulk(ctx, func(b *db.Bulk) error {
			im.counts = committed.clone()
			for n := 0; n < im.opts.BatchSize; {
				if err := ctx.Err(); err != nil {
					return err
				}
				rec, err := rd.Next()
				if err == io.EOF {
					eof = true
					return nil
				}
				if err != nil {
					return err // the file changed since Scan
				}
				if err := im.apply(b, rec); err != nil {
					return err
				}
				if rec.Item != nil {
					n++
					done++
					if opts.Progress != nil {
						opts.Progress(done, sum.Items)
					}
				}
			}
			return nil
		})
		if err != nil {
			return sum, committed, err
		}
		committed = im.counts.clone()
	}
	if im.media != nil {
		committed.Images.Stored = im.media.stored
		committed.Images.Missing = len(im.media.missing)
	}
	return sum, committed, nil
}

func (c Counts) clone() Counts {
	out := c
	out.Left, out.Shortcodes = cloneMap(c.Left), cloneMap(c.Shortcodes)
	return out
}

func cloneMap(m map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

type author struct {
	id     int64
	byline string
}

// importer maps WordPress records to the portal's rows inside the current batch.
type importer struct {
	opts     Options
	plan     *plan
	media    *mediaImporter // nil without UploadsDir
	oldHost  string
	counts   Counts
	authors  map[string]author // by WordPress login
	sections map[string]int64  // by category nicename
	fallback int64             // "Chưa phân loại", for posts with no category
}

func (im *importer) apply(b *db.Bulk, rec Record) error {
	switch {
	case rec.Author != nil:
		return im.author(b, rec.Author)
	case rec.Category != nil:
		_, err := im.category(b, rec.Category.TermID, rec.Category.Nicename, rec.Category.Name, rec.Category.Description)
		return err
	case rec.Tag != nil:
		return im.tag(b, rec.Tag.TermID, rec.Tag.Slug, rec.Tag.Name)
	case rec.Item != nil:
		if err := im.item(b, rec.Item); err != nil {
			return &Error{Line: rec.Item.Line, Msg: fmt.Sprintf("post %s: %v", rec.Item.PostID, err), Err: err}
		}
	}
	return nil
}

// author creates a disabled account for a WordPress author, held to the rules of the
// back office's user form: a login of lower-case ASCII (WordPress allows capitals,
// spaces and @), no reserved name, a display name of plain text within the length limit.
func (im *importer) author(b *db.Bulk, a *Author) error {
	wpLogin := clean(a.Login)
	if wpLogin == "" {
		return nil
	}
	login := importedLogin(wpLogin)
	byline := importedByline(a.DisplayName, "")
	if byline == "" {
		byline = importedByline(a.FirstName+" "+a.LastName, login)
	}
	id, ok, err := b.WordPressID(db.WPAuthor, wpLogin)
	if err != nil {
		return err
	}
	if !ok {
		if id, _, err = b.AddImportedUser(login, byline); err != nil {
			return err
		}
		if err := b.SetWordPressID(db.WPAuthor, wpLogin, id); err != nil {
			return err
		}
		im.counts.Authors++
	}
	im.authors[wpLogin] = author{id: id, byline: byline}
	return nil
}

// maxBylineRunes is the back office's limit on a display name.
const maxBylineRunes = 100

var loginJunk = regexp.MustCompile(`[^a-z0-9._-]+`)

// importedLogin is a WordPress login as the back office would accept it (2–40 of a–z,
// 0–9, ".", "-", "_"), never a reserved name ("Admin" becomes "wp-admin").
func importedLogin(wpLogin string) string {
	s := loginJunk.ReplaceAllString(vntext.Fold(wpLogin), "-")
	s = strings.Trim(s, ".-_")
	// 32: room for "wp-" and the "-2", "-3"… that AddImportedUser adds to a taken name.
	if len(s) > 32 {
		s = strings.Trim(s[:32], ".-_")
	}
	if db.ReservedUserName(s) {
		s = "wp-" + s
	}
	if !db.ValidUserName(s) {
		s = "wp-" + vntext.SlugOr(s, "tac-gia")
	}
	return s
}

// importedByline is a WordPress display name as the back office would accept it: plain
// text (markup dropped), NFC, at most 100 characters, not a reserved name. Empty or
// reserved gives fallback.
func importedByline(name, fallback string) string {
	s := vntext.Normalize(sanitize.PlainText(name))
	if r := []rune(s); len(r) > maxBylineRunes {
		s = strings.TrimSpace(string(r[:maxBylineRunes]))
	}
	if s == "" || db.ReservedUserName(vntext.Fold(s)) {
		return fallback
	}
	return s
}

// category maps a WordPress category to a section: the one imported before, else an
// existing section with the same slug, else a new one.
func (im *importer) category(b *db.Bulk, termID, nicename, name, description string) (int64, error) {
	nicename = decodeName(nicename)
	if nicename == "" {
		nicename = vntext.Slug(name)
	}
	key := termID
	if key == "" {
		key = "slug:" + nicename
	}
	if id, ok := im.sections[nicename]; ok && nicename != "" {
		return id, nil
	}
	id, ok, err := b.WordPressID(db.WPCategory, key)
	if err != nil {
		return 0, err
	}
	if !ok {
		name = sanitize.Title(name)
		if name == "" {
			name = nicename
		}
		slug := vntext.SlugOr(nicename, vntext.SlugOr(name, "chuyen-muc-"+termID))
		if id, ok, err = b.CategoryIDBySlug(slug); err != nil {
			return 0, err
		}
		if !ok {
			pos, err := b.NextCategoryPosition()
			if err != nil {
				return 0, err
			}
			if id, err = b.AddCategory(db.Category{Slug: slug, Name: name, Description: sanitize.PlainText(description), Position: pos}); err != nil {
				return 0, err
			}
			im.counts.Sections++
		}
		if err := b.SetWordPressID(db.WPCategory, key, id); err != nil {
			return 0, err
		}
	}
	if nicename != "" {
		im.sections[nicename] = id
	}
	return id, nil
}

// postStatus maps WordPress statuses; "" means the post is not imported.
var postStatus = map[string]string{
	"publish": db.StatusPublished,
	"future":  db.StatusPublished, // published with a publish time to come: scheduled
	"draft":   db.StatusDraft,
	"pending": db.StatusReview,
	"private": db.StatusDraft, // never public here either
}

// leftKinds names the item types that are not imported, for the summary.
var leftKinds = map[string]string{
	"attachment":    "attachments (as items; pictures posts use come with -uploads)",
	"nav_menu_item": "menu items",
}

func (im *importer) item(b *db.Bulk, it *Item) error {
	typ := strings.TrimSpace(it.PostType)
	status := postStatus[strings.TrimSpace(it.Status)]
	switch {
	case typ == "page":
		return im.page(b, it)
	case typ != "post":
		kind := leftKinds[typ]
		if kind == "" {
			kind = "other post types (" + typ + ")"
			if typ == "" {
				kind = "items without a WordPress post type"
			}
		}
		im.counts.left(kind, 1)
		return nil
	case status == "":
		im.counts.left("posts in the trash, auto-drafts and other statuses", 1)
		return nil
	}
	wpID := itemKey(it)
	articleID, seen, err := b.WordPressID(db.WPPost, wpID)
	if err != nil {
		return err
	}
	if seen {
		im.counts.AlreadyThere++
	} else if articleID, err = im.newArticle(b, it, wpID, status); err != nil {
		return err
	}
	return im.comments(b, it, articleID)
}

// itemKey is the WordPress id of an item; for one without (WordPress imports those too)
// its title and date, so that a rerun recognises it as WordPress does.
func itemKey(it *Item) string {
	if id := strings.TrimSpace(it.PostID); id != "" {
		return id
	}
	sum := sha256.Sum256([]byte(clean(it.Title) + "\x00" + strings.TrimSpace(it.PostDate)))
	return "title-date:" + hex.EncodeToString(sum[:12])
}

// tag maps a WordPress tag to a tag (the same name, or one with the same slug).
func (im *importer) tag(b *db.Bulk, termID, slug, name string) error {
	name = sanitize.Title(name)
	if name == "" {
		name = decodeName(slug)
	}
	clean, tagSlug, err := db.CleanTagName(name)
	if err != nil {
		im.counts.left("tags with an empty or too long name", 1)
		return nil
	}
	key := strings.TrimSpace(termID)
	if key == "" {
		key = "slug:" + tagSlug
	}
	if _, seen, err := b.WordPressID(db.WPTag, key); err != nil || seen {
		return err
	}
	id, err := b.AddTag(clean)
	if err != nil {
		return err
	}
	im.counts.Tags++
	return b.SetWordPressID(db.WPTag, key, id)
}

// tagNames are the tags an article gets: its WordPress tags, then the categories after
// its first (a section each is not possible here: an article has one section, so it is
// listed under the others by their tag), deduplicated by slug, at most MaxTagsOfArticle.
func (im *importer) tagNames(it *Item) []string {
	var names []string
	seen := map[string]bool{}
	add := func(name string) {
		clean, slug, err := db.CleanTagName(sanitize.Title(name))
		if err != nil {
			im.counts.left("tags with an empty or too long name", 1)
			return
		}
		if seen[slug] {
			return
		}
		if len(names) == db.MaxTagsOfArticle {
			im.counts.left(fmt.Sprintf("tags past %d on one post", db.MaxTagsOfArticle), 1)
			return
		}
		seen[slug] = true
		names = append(names, clean)
	}
	for _, c := range it.Categories {
		if c.Domain == "post_tag" || c.Domain == "tag" {
			add(c.Name)
		}
	}
	first := true
	for _, c := range it.Categories {
		if c.Domain == "category" {
			if !first {
				add(c.Name)
			}
			first = false
		}
	}
	return names
}

func (im *importer) newArticle(b *db.Bulk, it *Item, wpID, status string) (int64, error) {
	loc := im.opts.Location
	publish := parseDate(it.PostDateGMT, time.UTC)
	local := parseDate(it.PostDate, loc)
	if publish.IsZero() {
		publish = local // drafts have no GMT date in WXR
	}
	if publish.IsZero() {
		publish = b.Now()
	}
	modified := parseDate(it.ModifiedGMT, time.UTC)
	if modified.IsZero() {
		modified = parseDate(it.Modified, loc)
	}
	if modified.Before(publish) {
		modified = publish
	}
	title := sanitize.Title(it.Title)
	if title == "" {
		title = "(Không có tiêu đề)"
	}
	// A password-protected post is not for everyone: there are no post passwords here,
	// so it waits as a draft for an editor to decide.
	if strings.TrimSpace(it.Password) != "" {
		status = db.StatusDraft
		im.counts.Protected++
	}
	postName := decodeName(it.PostName)
	var categoryID int64
	for _, c := range it.Categories {
		switch c.Domain {
		case "category":
			if categoryID != 0 {
				continue // a tag, below
			}
			id, err := im.category(b, "", c.Nicename, c.Name, "")
			if err != nil {
				return 0, err
			}
			categoryID = id
		case "post_tag", "tag":
		default:
			im.counts.left("other taxonomy terms ("+c.Domain+")", 1)
		}
	}
	if categoryID == 0 {
		id, err := im.fallbackSection(b)
		if err != nil {
			return 0, err
		}
		categoryID = id
	}
	a, err := im.authorOf(b, it.Creator)
	if err != nil {
		return 0, err
	}
	body := im.body(it)
	art := db.Article{
		Slug:       vntext.SlugOr(postName, vntext.SlugOr(title, "bai-viet")),
		Title:      title,
		Lead:       sanitize.PlainText(it.Excerpt()),
		BodyHTML:   body,
		Byline:     a.byline,
		CategoryID: categoryID,
		AuthorID:   a.id,
		Status:     status,
		CreatedAt:  publish,
		UpdatedAt:  modified,
		// WordPress had comments closed on this post: the form is not shown here either.
		CommentsClosed: strings.TrimSpace(it.CommentStatus) == "closed",
	}
	if thumb := strings.TrimSpace(it.MetaValue("_thumbnail_id")); thumb != "" {
		if art.CoverMediaID, art.CoverAlt = im.cover(thumb); art.CoverMediaID == 0 {
			im.counts.left("featured images (no -uploads, or the file is missing)", 1)
		} else {
			im.counts.Images.Rewritten++
		}
	}
	if art.Status == db.StatusPublished {
		art.PublishAt = publish
	}
	id, err := b.AddArticle(art)
	if err != nil {
		return 0, err
	}
	if err := b.SetWordPressID(db.WPPost, wpID, id); err != nil {
		return 0, err
	}
	if names := im.tagNames(it); len(names) > 0 {
		if err := b.SetArticleTags(id, names); err != nil {
			return 0, err
		}
	}
	if art.CommentsClosed {
		im.counts.Closed++
	}
	// A sticky post stays on top of WordPress's home page: here it is featured.
	if v := strings.TrimSpace(it.Sticky); v != "" && v != "0" && art.Status == db.StatusPublished {
		if err := b.AddFeatured(id); err != nil {
			return 0, err
		}
		im.counts.Featured++
	}
	if postName != "" && !local.IsZero() {
		if err := b.AddWordPressPermalink(local.Year(), int(local.Month()), postName, id); err != nil {
			return 0, err
		}
	}
	im.counts.Articles++
	return id, nil
}

// authorOf is the author of an item's dc:creator; a byline without a wp:author entry
// (older exports) creates the author too.
func (im *importer) authorOf(b *db.Bulk, creator string) (author, error) {
	login := clean(creator)
	a, ok := im.authors[login]
	if !ok && login != "" {
		if err := im.author(b, &Author{Login: login}); err != nil {
			return author{}, err
		}
		a = im.authors[login]
	}
	return a, nil
}

// body is an item's content rendered as WordPress would, pictures pointed at the media
// library or an absolute address, sanitized.
func (im *importer) body(it *Item) string {
	conv := convert(it.Content(), im.plan, strings.TrimSpace(it.PostID))
	for name, n := range conv.shortcodes {
		if im.counts.Shortcodes == nil {
			im.counts.Shortcodes = map[string]int{}
		}
		im.counts.Shortcodes[name] += n
	}
	im.counts.left("dynamic blocks (latest posts, archives…)", conv.dynamic)
	return sanitize.ImportedHTML(im.pictures(conv.html))
}

// pageStatus maps WordPress statuses of pages; "" means not imported.
var pageStatus = map[string]string{
	"publish": db.PagePublished,
	"future":  db.PageDraft, // pages have no publish time here
	"draft":   db.PageDraft,
	"pending": db.PageDraft,
	"private": db.PageDraft,
}

// page imports a WordPress page as a static page (/trang/{slug}); a taken slug gets
// -2, -3….
func (im *importer) page(b *db.Bulk, it *Item) error {
	status := pageStatus[strings.TrimSpace(it.Status)]
	if status == "" {
		im.counts.left("pages in the trash, auto-drafts and other statuses", 1)
		return nil
	}
	key := itemKey(it)
	if _, seen, err := b.WordPressID(db.WPPage, key); err != nil {
		return err
	} else if seen {
		im.counts.AlreadyThere++
		return nil
	}
	if strings.TrimSpace(it.Password) != "" {
		status = db.PageDraft
		im.counts.Protected++
	}
	a, err := im.authorOf(b, it.Creator)
	if err != nil {
		return err
	}
	title := sanitize.Title(it.Title)
	if title == "" {
		title = "(Không có tiêu đề)"
	}
	in := db.PageInput{Title: title, BodyHTML: im.body(it), Status: status, Placement: db.PlaceNone}
	base := vntext.SlugOr(decodeName(it.PostName), vntext.SlugOr(title, "trang"))
	var id int64
	for i := 1; ; i++ {
		in.Slug = base
		if i > 1 {
			in.Slug = base + "-" + strconv.Itoa(i)
		}
		if id, err = b.AddPage(a.id, in); !errors.Is(err, db.ErrDuplicatePage) || i > 100 {
			break
		}
	}
	if err != nil {
		return err
	}
	im.counts.left("comments on pages", len(it.Comments))
	im.counts.Pages++
	return b.SetWordPressID(db.WPPage, key, id)
}

var (
	imgSrc     = regexp.MustCompile(`(?i)(\ssrc\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)`)
	wpImageCls = regexp.MustCompile(`\bwp-image-([0-9]+)\b`)
)

// pictures points every <img> of a body at the media library when its picture was
// brought in, else at an absolute address (a same-site /wp-content/… path becomes the
// old site's URL), and counts where they point.
func (im *importer) pictures(body string) string {
	return imgTag.ReplaceAllStringFunc(body, func(tag string) string {
		m := imgSrc.FindStringSubmatchIndex(tag)
		if m == nil {
			return tag
		}
		src := strings.TrimSpace(strings.Trim(tag[m[4]:m[5]], `"'`))
		src = strings.TrimSpace(html.UnescapeString(src))
		abs := im.absolute(src)
		if im.media != nil {
			attID := ""
			if c := wpImageCls.FindStringSubmatch(tag); c != nil {
				attID = c[1]
			}
			if id := im.media.find(attID, abs); id != 0 {
				im.counts.Images.Rewritten++
				return tag[:m[2]] + ` src="/media/` + strconv.FormatInt(id, 10) + `?w=960"` + tag[m[5]:]
			}
		}
		if u, err := url.Parse(abs); err == nil && u.Host != "" {
			if strings.EqualFold(u.Hostname(), im.oldHost) {
				im.counts.Images.OldHost++
			} else {
				im.counts.Images.Elsewhere++
			}
		}
		return tag[:m[2]] + ` src="` + html.EscapeString(abs) + `"` + tag[m[5]:]
	})
}

// absolute resolves a picture's address against the old site's.
func (im *importer) absolute(src string) string {
	base, err := url.Parse(im.plan.baseURL)
	if err != nil || base.Host == "" {
		return src
	}
	u, err := url.Parse(src)
	if err != nil {
		return src
	}
	return base.ResolveReference(u).String()
}

// cover is the featured image of a post: its media id and alt text when its picture
// was brought in.
func (im *importer) cover(attID string) (int64, string) {
	if im.media == nil {
		return 0, ""
	}
	att, ok := im.plan.attachments[attID]
	if !ok {
		return 0, ""
	}
	if id := im.media.find(attID, im.absolute(att.url)); id != 0 {
		return id, att.alt
	}
	return 0, ""
}

func (im *importer) fallbackSection(b *db.Bulk) (int64, error) {
	if im.fallback != 0 {
		return im.fallback, nil
	}
	id, err := im.category(b, "", "chua-phan-loai", "Chưa phân loại", "")
	im.fallback = id
	return id, err
}

// commentStatus maps wp:comment_approved. A comment without it is kept by WordPress's
// importer but shown to nobody: here it waits for moderation. Anything else (spam,
// trash, post-trashed) is skipped.
var commentStatus = map[string]string{"1": db.CommentApproved, "0": db.CommentPending, "": db.CommentPending}

// commentBreaks are the markup of line breaks in a comment: WordPress keeps newlines and
// <br />, <p> as the commenter's paragraphs; here a comment is plain text shown with its
// newlines.
var commentBreaks = regexp.MustCompile(`(?i)<br\s*/?>|</?p\s*>`)

func (im *importer) comments(b *db.Bulk, it *Item, articleID int64) error {
	for _, c := range it.Comments {
		approved := strings.TrimSpace(c.Approved)
		status, known := commentStatus[approved]
		typ := strings.TrimSpace(c.Type)
		body := sanitize.PlainText(commentBreaks.ReplaceAllString(c.Content, "\n"))
		body = strings.TrimSpace(blankRun.ReplaceAllString(body, "\n\n"))
		wpID := strings.TrimSpace(c.ID)
		switch {
		case !known:
			im.counts.left("comments marked spam or trash", 1)
			continue
		case typ == "pingback" || typ == "trackback":
			im.counts.left("pingbacks and trackbacks", 1)
			continue
		case typ != "" && typ != "comment":
			im.counts.left("comments of other types ("+typ+")", 1)
			continue
		case body == "" || wpID == "":
			im.counts.left("empty comments or comments without an id", 1)
			continue
		}
		if _, seen, err := b.WordPressID(db.WPComment, wpID); err != nil {
			return err
		} else if seen {
			im.counts.AlreadyThere++
			continue
		}
		created := parseDate(c.DateGMT, time.UTC)
		if created.IsZero() {
			created = parseDate(c.Date, im.opts.Location)
		}
		if created.IsZero() {
			created = b.Now()
		}
		var parentID int64
		if p := strings.TrimSpace(c.Parent); p != "" && p != "0" {
			parentID, _, _ = b.WordPressID(db.WPComment, p) // a parent skipped as spam leaves a top-level reply
		}
		name := sanitize.PlainLine(c.Author)
		if name == "" {
			name = "Bạn đọc"
		}
		ip := strings.TrimSpace(c.IP)
		if net.ParseIP(ip) == nil {
			ip = ""
		}
		id, err := b.AddComment(db.Comment{ArticleID: articleID, ParentID: parentID, Name: name, Body: body,
			Status: status, IP: ip, CreatedAt: created})
		if err != nil {
			return err
		}
		if err := b.SetWordPressID(db.WPComment, wpID, id); err != nil {
			return err
		}
		if approved == "" {
			im.counts.PendingUnknown++
		}
		im.counts.Comments++
	}
	return nil
}

var blankRun = regexp.MustCompile(`\n[ \t]*\n(?:[ \t]*\n)+`)

// SortedKinds lists a count map's keys, largest count first, for the summary.
func SortedKinds(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

// clean is NFC and trimmed: WordPress stores what browsers sent, NFD included.
func clean(s string) string { return strings.TrimSpace(norm.NFC.String(s)) }

// decodeName undoes WordPress's percent-encoding of non-ASCII slugs ("%e1%ba%a1" → "ạ")
// and lower-cases, as WordPress compares them.
func decodeName(s string) string {
	s = strings.TrimSpace(s)
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	return strings.ToLower(norm.NFC.String(s))
}

// parseDate reads WordPress's "2006-01-02 15:04:05" in loc; zero for "0000-00-00 ..."
// or anything unreadable.
func parseDate(s string, loc *time.Location) time.Time {
	t, err := time.ParseInLocation(time.DateTime, strings.TrimSpace(s), loc)
	if err != nil || t.Year() < 1971 {
		return time.Time{}
	}
	return t.UTC()
}

// IsFileError reports whether err is a problem with the file (rather than the database).
func IsFileError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}
